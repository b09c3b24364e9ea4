// SPDX-License-Identifier: GPL-2.0-or-later
/* route: routes of the main table over rtnetlink: add, delete, list. */
#include <errno.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include <plumb/log.h>
#include <plumb/route.h>

/**
 * nl_route_build() - add a route request to a batch
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @type:	RTM_NEWROUTE (refused if the route exists) or RTM_DELROUTE
 * @r:		the route; its family is its destination's
 *
 * Return: the request.
 */
struct nlmsghdr *nl_route_build(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
				const struct nl_route *r)
{
	uint16_t flags = type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nlmsghdr *nlh = nl_batch_add(nl, b, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t len = inet_addr_bytes(&r->dst.addr);

	rtm->rtm_family = (uint8_t)r->dst.addr.family;
	rtm->rtm_dst_len = (uint8_t)r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = r->gateway.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (type == RTM_DELROUTE)
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* any scope */
	if (r->dst.len)
		mnl_attr_put(nlh, RTA_DST, len, r->dst.addr.b);
	if (r->gateway.family)
		mnl_attr_put(nlh, RTA_GATEWAY, len, r->gateway.b);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
	return nlh;
}

static int route_oif_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	int *oif = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(attr) == RTA_OIF &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*oif = (int)mnl_attr_get_u32(attr);
	}
	return MNL_CB_OK;
}

/**
 * nl_route_get_oif() - the interface the kernel would send a packet out of
 * @nl:		rtnetlink socket of the namespace
 * @dst:	the packet's destination
 *
 * Return: the ifindex, or negative errno (-ENETUNREACH, not logged).
 */
int nl_route_get_oif(struct nl_sock *nl, const struct inet_addr *dst)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int oif = 0, ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = (uint8_t)inet_addr_bits(dst);
	mnl_attr_put(nlh, RTA_DST, inet_addr_bytes(dst), dst->b);
	ret = nl_request(nl, nlh, route_oif_cb, &oif);
	if (ret < 0)
		return ret;
	return oif ? oif : -ENETUNREACH;
}

struct route_walk {
	int (*fn)(const struct nl_route *r, void *arg);
	void *arg;
};

static int route_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct route_walk *w = data;
	const struct rtmsg *rtm;
	const struct nlattr *attr;
	struct nl_route r = { 0 };
	size_t len;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	r.dst.addr.family = rtm->rtm_family;
	r.gateway.family = 0;
	r.dst.len = rtm->rtm_dst_len;
	len = inet_addr_bytes(&r.dst.addr);
	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(attr)) {
		case RTA_DST:
			if (mnl_attr_get_payload_len(attr) == len)
				memcpy(r.dst.addr.b, mnl_attr_get_payload(attr), len);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(attr) == len) {
				r.gateway.family = rtm->rtm_family;
				memcpy(r.gateway.b, mnl_attr_get_payload(attr), len);
			}
			break;
		case RTA_OIF:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				r.oif = (int)mnl_attr_get_u32(attr);
			break;
		}
	}
	if (w->fn(&r, w->arg) < 0) {
		errno = ECANCELED;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/**
 * nl_route_for_each() - call a function for each unicast route of the main table
 * @nl:		rtnetlink socket of the namespace
 * @family:	AF_INET or AF_INET6
 * @fn:		called with each route; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Return: 0 or negative errno.
 */
int nl_route_for_each(struct nl_sock *nl, int family,
		      int (*fn)(const struct nl_route *r, void *arg), void *arg)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_walk w = { .fn = fn, .arg = arg };
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	return nl_request(nl, nlh, route_walk_cb, &w);
}
