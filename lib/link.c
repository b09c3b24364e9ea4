// SPDX-License-Identifier: GPL-2.0-or-later
/* link: network interfaces over rtnetlink: look up, create, change, delete. */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <plumb/link.h>
#include <plumb/log.h>

/**
 * nl_link_name_check() - check an interface name as the kernel will
 * @name:	the name
 *
 * The kernel refuses names that are empty, "." or "..", longer than 15
 * bytes, or hold '/', ':' or white space (dev_valid_name()); checking first
 * gives the user a sentence instead of "Invalid argument".
 *
 * Return: 0, or -EINVAL (logged).
 */
int nl_link_name_check(const char *name)
{
	const char *c;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return log_errx(-EINVAL, "invalid interface name \"%s\"", name);
	if (strlen(name) >= IF_NAMESIZE)
		return log_errx(-EINVAL,
				"invalid interface name \"%s\": longer than %d bytes",
				name, IF_NAMESIZE - 1);
	for (c = name; *c; c++) {
		if (*c == '/' || *c == ':' || *c == ' ' || (*c >= '\t' && *c <= '\r'))
			return log_errx(-EINVAL,
					"invalid interface name \"%s\": "
					"contains '%c'",
					name, *c == '/' || *c == ':' ? *c : ' ');
	}
	return 0;
}

static int link_linkinfo_parse(const struct nlattr *nest, struct nl_link *link)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != IFLA_INFO_KIND ||
		    mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
			continue;
		snprintf(link->kind, sizeof(link->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	}
	return 0;
}

/**
 * nl_link_parse() - read an RTM_NEWLINK message into a struct nl_link
 * @nlh:	the message
 * @link:	filled from it
 *
 * Return: 0, or -EBADMSG when the message is truncated or its attributes are
 * malformed.
 */
int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *link)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *attr;

	memset(link, 0, sizeof(*link));
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	link->index = ifi->ifi_index;
	link->flags = ifi->ifi_flags;

	mnl_attr_for_each(attr, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -EBADMSG;
			snprintf(link->name, sizeof(link->name), "%s",
				 mnl_attr_get_str(attr));
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			link->mtu = mnl_attr_get_u32(attr);
			break;
		case IFLA_MASTER:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			link->master = (int)mnl_attr_get_u32(attr);
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(attr) == sizeof(link->mac))
				memcpy(link->mac, mnl_attr_get_payload(attr),
				       sizeof(link->mac));
			break;
		case IFLA_LINKINFO:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			link_linkinfo_parse(attr, link);
			break;
		}
	}
	return 0;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nl_link_parse(nlh, data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/**
 * nl_link_get() - look an interface up by name
 * @nl:		rtnetlink socket of the namespace to look in
 * @name:	the interface
 * @link:	filled with what the kernel says of it
 *
 * Return: 0, -ENODEV when there is no such interface, or negative errno.
 * Nothing is logged: a missing interface is often what the caller hoped.
 */
int nl_link_get(struct nl_sock *nl, const char *name, struct nl_link *link)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* The kind is all we need of IFLA_LINKINFO; skip statistics. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(link, 0, sizeof(*link));
	return nl_request(nl, nlh, link_get_cb, link);
}

/**
 * nl_link_set_up() - bring an interface up
 * @nl:		rtnetlink socket of its namespace
 * @name:	the interface
 *
 * Return: 0 or negative errno (logged, with the kernel's reason).
 */
int nl_link_set_up(struct nl_sock *nl, const char *name)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int ret;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = nl_request(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "bring %s up", name);
	return 0;
}
