// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conntrack: forget the flows to a host port, through ctnetlink.
 *
 * After a port is published or unpublished, an existing conntrack entry
 * would keep steering its flow the old way: a UDP client that keeps sending
 * never starts a new flow, so it would talk to a dead container (or to the
 * host) for as long as it keeps talking. The entries whose original
 * destination is the port are listed (filtered by the kernel when the port
 * is a single one) and deleted one by one by their original tuple.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <libnftnl/common.h>

#include <plumb/conntrack.h>
#include <plumb/log.h>

/* ctnetlink's dump filter flags (net/netfilter/nf_conntrack_netlink.c) */
#define CTA_FILTER_F_CTA_PROTO_NUM (1 << 3)
#define CTA_FILTER_F_CTA_PROTO_DST_PORT (1 << 5)

#define CT_TUPLE_MAX 128

struct ct_entry {
	uint8_t tuple[CT_TUPLE_MAX]; /* the CTA_TUPLE_ORIG attribute, whole */
	uint16_t tuple_len;
	uint16_t zone; /* network order, as received */
	int has_zone;
};

struct ct_found {
	const struct ct_match *m;
	struct ct_entry *v;
	size_t n;
	size_t cap;
};

static struct nlmsghdr *ct_msg(void *buf, uint8_t type, int family, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

/* Does the original tuple go to the port we are forgetting? */
static int ct_tuple_matches(const struct nlattr *tuple, const struct ct_match *m)
{
	const struct nlattr *a, *b;
	int proto_ok = 0, port_ok = 0, addr_ok = !m->daddr.family;
	uint16_t port;

	mnl_attr_for_each_nested(a, tuple) {
		if (mnl_attr_get_type(a) == CTA_TUPLE_PROTO) {
			mnl_attr_for_each_nested(b, a) {
				if (mnl_attr_get_type(b) == CTA_PROTO_NUM &&
				    mnl_attr_get_payload_len(b) == 1)
					proto_ok = mnl_attr_get_u8(b) == m->proto;
				if (mnl_attr_get_type(b) == CTA_PROTO_DST_PORT &&
				    mnl_attr_get_payload_len(b) == 2) {
					port = ntohs(mnl_attr_get_u16(b));
					port_ok = port >= m->port_min &&
						  port <= m->port_max;
				}
			}
		} else if (mnl_attr_get_type(a) == CTA_TUPLE_IP && m->daddr.family) {
			mnl_attr_for_each_nested(b, a) {
				if ((mnl_attr_get_type(b) == CTA_IP_V4_DST ||
				     mnl_attr_get_type(b) == CTA_IP_V6_DST) &&
				    mnl_attr_get_payload_len(b) ==
					    inet_addr_bytes(&m->daddr))
					addr_ok = !memcmp(mnl_attr_get_payload(b),
							  m->daddr.b,
							  inet_addr_bytes(&m->daddr));
			}
		}
	}
	return proto_ok && port_ok && addr_ok;
}

static int ct_collect(const struct nlmsghdr *nlh, void *data)
{
	struct ct_found *f = data;
	const struct nlattr *attr, *tuple = NULL;
	struct ct_entry e = { 0 };

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) == CTA_TUPLE_ORIG &&
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			tuple = attr;
		else if (mnl_attr_get_type(attr) == CTA_ZONE &&
			 mnl_attr_validate(attr, MNL_TYPE_U16) == 0) {
			e.zone = mnl_attr_get_u16(attr);
			e.has_zone = 1;
		}
	}
	if (!tuple || tuple->nla_len > CT_TUPLE_MAX || !ct_tuple_matches(tuple, f->m))
		return MNL_CB_OK;
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct ct_entry *v = realloc(f->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		f->v = v;
		f->cap = cap;
	}
	memcpy(e.tuple, tuple, tuple->nla_len);
	e.tuple_len = tuple->nla_len;
	f->v[f->n++] = e;
	return MNL_CB_OK;
}

/* List the entries to delete; the kernel filters when it is one port. */
static int ct_list(struct nl_sock *nl, struct ct_found *f)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	const struct ct_match *m = f->m;
	struct nlmsghdr *nlh = ct_msg(buf, IPCTNL_MSG_CT_GET, m->family, NLM_F_DUMP);
	struct nlattr *tuple, *proto, *filter;

	if (m->port_min == m->port_max) {
		tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
		proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
		mnl_attr_put_u8(nlh, CTA_PROTO_NUM, m->proto);
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(m->port_min));
		mnl_attr_nest_end(nlh, proto);
		mnl_attr_nest_end(nlh, tuple);
		filter = mnl_attr_nest_start(nlh, CTA_FILTER);
		mnl_attr_put_u32(nlh, CTA_FILTER_ORIG_FLAGS,
				 CTA_FILTER_F_CTA_PROTO_NUM |
					 CTA_FILTER_F_CTA_PROTO_DST_PORT);
		mnl_attr_nest_end(nlh, filter);
	}
	return nl_request(nl, nlh, ct_collect, f);
}

static int ct_delete(struct nl_sock *nl, const struct ct_found *f)
{
	struct nl_batch b;
	struct nlmsghdr *nlh;
	size_t i;
	int ret = 0, r;

	for (i = 0; i < f->n;) {
		nl_batch_init(&b);
		for (; i < f->n && b.count < NL_BATCH_MSGS; i++) {
			nlh = nl_batch_add(
				nl, &b,
				(NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, 0);
			mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
			((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family =
				(uint8_t)f->m->family;
			memcpy(mnl_nlmsg_get_payload_tail(nlh), f->v[i].tuple,
			       f->v[i].tuple_len);
			nlh->nlmsg_len += MNL_ALIGN(f->v[i].tuple_len);
			if (f->v[i].has_zone)
				mnl_attr_put_u16(nlh, CTA_ZONE, f->v[i].zone);
		}
		r = nl_batch_talk(nl, &b, NULL, NULL);
		/* ENOENT: the flow ended meanwhile, which is what we wanted. */
		if (r < 0 && r != -ENOENT && !ret)
			ret = r;
	}
	return ret;
}

/**
 * conntrack_flush() - delete the conntrack entries of flows to a host port
 * @nl:		netfilter socket of the namespace
 * @m:		the flows
 *
 * Return: the number of entries deleted, or negative errno (logged).
 */
int conntrack_flush(struct nl_sock *nl, const struct ct_match *m)
{
	struct ct_found f = { .m = m };
	int ret;

	ret = ct_list(nl, &f);
	if (ret < 0)
		nl_err(nl, ret, "list conntrack entries of port %u", m->port_min);
	else if ((ret = ct_delete(nl, &f)) < 0)
		nl_err(nl, ret, "delete conntrack entries of port %u", m->port_min);
	free(f.v);
	return ret < 0 ? ret : (int)f.n;
}
