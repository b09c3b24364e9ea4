// SPDX-License-Identifier: GPL-2.0-or-later
/* addr: interface addresses over rtnetlink: list, add, delete. */
#include <errno.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <plumb/addr.h>
#include <plumb/log.h>

struct addr_walk {
	int ifindex;
	int (*fn)(const struct inet_prefix *p, void *arg);
	int (*fn_addr)(const struct nl_addr *a, void *arg);
	void *arg;
};

static int addr_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct addr_walk *w = data;
	const struct ifaddrmsg *ifa;
	const struct nlattr *attr;
	const struct nlattr *local = NULL, *address = NULL, *use;
	struct nl_addr a = { 0 };
	struct inet_prefix p = { 0 };
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((w->ifindex && (int)ifa->ifa_index != w->ifindex) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;

	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_LOCAL)
			local = attr;
		else if (mnl_attr_get_type(attr) == IFA_ADDRESS)
			address = attr;
	}
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on p2p links. */
	use = local ? local : address;
	p.addr.family = ifa->ifa_family;
	if (!use || mnl_attr_get_payload_len(use) != inet_addr_bytes(&p.addr)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(p.addr.b, mnl_attr_get_payload(use), inet_addr_bytes(&p.addr));
	p.len = ifa->ifa_prefixlen;
	if (w->fn_addr) {
		a = (struct nl_addr){ .ifindex = (int)ifa->ifa_index,
				      .scope = ifa->ifa_scope,
				      .p = p };
		ret = w->fn_addr(&a, w->arg);
	} else {
		ret = w->fn(&p, w->arg);
	}
	if (ret < 0) {
		errno = ECANCELED;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int addr_dump(struct nl_sock *nl, int family, struct addr_walk *w)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)w->ifindex; /* filtered by the kernel (strict checks) */
	return nl_request(nl, nlh, addr_walk_cb, w);
}

/**
 * nl_addr_for_each() - call a function for each address of an interface
 * @nl:		rtnetlink socket of its namespace
 * @family:	AF_INET, AF_INET6, or AF_UNSPEC for both
 * @ifindex:	the interface, or 0 for all
 * @fn:		called with each address; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Return: 0 or negative errno.
 */
int nl_addr_for_each(struct nl_sock *nl, int family, int ifindex,
		     int (*fn)(const struct inet_prefix *p, void *arg), void *arg)
{
	struct addr_walk w = { .ifindex = ifindex, .fn = fn, .arg = arg };

	return addr_dump(nl, family, &w);
}

/**
 * nl_addr_list() - call a function for each address of a namespace
 * @nl:		rtnetlink socket of the namespace
 * @family:	AF_INET, AF_INET6, or AF_UNSPEC for both
 * @fn:		called with each address and the interface it is on; a
 *		negative return stops the walk
 * @arg:	passed to @fn
 *
 * One dump for every interface, where nl_addr_for_each() takes one per
 * interface.
 *
 * Return: 0 or negative errno.
 */
int nl_addr_list(struct nl_sock *nl, int family,
		 int (*fn)(const struct nl_addr *a, void *arg), void *arg)
{
	struct addr_walk w = { .fn_addr = fn, .arg = arg };

	return addr_dump(nl, family, &w);
}

/**
 * nl_addr_build() - add an address request to a batch
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @type:	RTM_NEWADDR or RTM_DELADDR
 * @ifindex:	the interface
 * @p:		the address and prefix length
 * @flags:	NL_ADDR_NODAD
 *
 * Return: the request.
 */
struct nlmsghdr *nl_addr_build(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
			       int ifindex, const struct inet_prefix *p,
			       unsigned int flags)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t len = inet_addr_bytes(&p->addr);

	nlh = nl_batch_add(nl, b, type,
			   type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)p->addr.family;
	ifa->ifa_prefixlen = (uint8_t)p->len;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, len, p->addr.b);
	mnl_attr_put(nlh, IFA_ADDRESS, len, p->addr.b);
	if (flags & NL_ADDR_NODAD) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return nlh;
}
