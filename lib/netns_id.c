// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netns_id: the id one network namespace knows another by (RTM_GETNSID), an
 * rtnetlink request like those of link.c, addr.c and route.c; "ip netns
 * list" shows it, and so does plumb-netns list.
 */
#include <errno.h>

#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include <plumb/netns.h>
#include <plumb/nl.h>

static int netns_id_parse(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	int *id = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct rtgenmsg)) {
		if (mnl_attr_get_type(attr) == NETNSA_NSID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*id = (int)mnl_attr_get_u32(attr);
	}
	return MNL_CB_OK;
}

/**
 * netns_get_id() - the id the socket's namespace knows another one by
 * @nl:		an rtnetlink socket
 * @fd:		the other namespace
 *
 * Ids are assigned by the kernel when a link between the two namespaces
 * needs one (a veth), or by "ip netns set"; this does not assign one.
 *
 * Return: the id, -ENOENT when none is assigned, or negative errno.
 */
int netns_get_id(struct nl_sock *nl, int fd)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *rt;
	int id = NETNSA_NSID_NOT_ASSIGNED;
	int ret;

	nlh->nlmsg_type = RTM_GETNSID;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	ret = nl_request(nl, nlh, netns_id_parse, &id);
	if (ret < 0)
		return ret;
	return id < 0 ? -ENOENT : id;
}
