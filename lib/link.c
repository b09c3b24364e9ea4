// SPDX-License-Identifier: GPL-2.0-or-later
/* link: network interfaces over rtnetlink: look up, create, change, delete. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <plumb/fault.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>

/**
 * nl_link_name_check_try() - check an interface name as the kernel will
 * @name:	the name
 * @m:		what is wrong, or NULL
 *
 * The kernel refuses names that are empty, "." or "..", longer than 15
 * bytes, or hold '/', ':' or white space (dev_valid_name()); checking first
 * gives the user a sentence instead of "Invalid argument". plumb also
 * refuses names that are not UTF-8, which the kernel takes: they go into
 * JSON (records, CNI results), which cannot carry them.
 *
 * Return: 0, or -EINVAL (in @m, not logged).
 */
int nl_link_name_check_try(const char *name, struct log_msg *m)
{
	const char *c;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return log_msg_errx(m, -EINVAL, "invalid interface name \"%s\"", name);
	if (strlen(name) >= IF_NAMESIZE)
		return log_msg_errx(m, -EINVAL,
				    "invalid interface name \"%s\": longer than %d bytes",
				    name, IF_NAMESIZE - 1);
	for (c = name; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (u == '/' || u == ':')
			return log_msg_errx(
				m, -EINVAL,
				"invalid interface name \"%s\": contains '%c'", name, u);
		/* The kernel's isspace() also takes 0xa0 (Latin-1 no-break space). */
		if (u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0)
			return log_msg_errx(m, -EINVAL,
					    "invalid interface name \"%s\": contains "
					    "white space",
					    name);
	}
	if (!json_utf8_valid(name))
		return log_msg_errx(m, -EINVAL,
				    "invalid interface name \"%s\": not UTF-8", name);
	return 0;
}

/**
 * nl_link_name_check() - check an interface name as the kernel will
 * @name:	the name
 *
 * Return: 0, or -EINVAL (logged), as nl_link_name_check_try().
 */
int nl_link_name_check(const char *name)
{
	struct log_msg m;

	return nl_link_name_check_try(name, &m) < 0 ? log_msg_report(&m) : 0;
}

static void link_slave_parse(const struct nlattr *nest, struct nl_link *link)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == IFLA_BRPORT_MODE &&
		    mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			link->hairpin = mnl_attr_get_u8(attr);
	}
}

static void link_linkinfo_parse(const struct nlattr *nest, struct nl_link *link)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_INFO_KIND:
			if (mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
				snprintf(link->kind, sizeof(link->kind), "%.*s",
					 (int)mnl_attr_get_payload_len(attr),
					 (const char *)mnl_attr_get_payload(attr));
			break;
		case IFLA_INFO_SLAVE_DATA:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
				link_slave_parse(attr, link);
			break;
		}
	}
}

/**
 * nl_link_parse() - read an RTM_NEWLINK message into a struct nl_link
 * @nlh:	the message; an RTM_DELLINK notification, which says the same
 *		of the interface that went, is read too
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
	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	link->index = ifi->ifi_index;
	link->flags = ifi->ifi_flags;
	link->hairpin = -1;

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
		case IFLA_IFALIAS:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(link->alias, sizeof(link->alias), "%s",
					 mnl_attr_get_str(attr));
			break;
		case IFLA_GROUP:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			link->group = mnl_attr_get_u32(attr);
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

static int link_get(struct nl_sock *nl, const char *name, int index, struct nl_link *link)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* The kind is all we need of IFLA_LINKINFO; skip statistics. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(link, 0, sizeof(*link));
	return nl_request(nl, nlh, link_get_cb, link);
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
	return link_get(nl, name, 0, link);
}

/**
 * nl_link_get_index() - look an interface up by index
 * @nl:		rtnetlink socket of the namespace to look in
 * @index:	its ifindex
 * @link:	filled with what the kernel says of it
 *
 * Return: as nl_link_get().
 */
int nl_link_get_index(struct nl_sock *nl, int index, struct nl_link *link)
{
	return link_get(nl, NULL, index, link);
}

static struct nlmsghdr *link_new(struct nl_sock *nl, struct nl_batch *b, uint16_t flags,
				 const char *name, unsigned int up)
{
	struct nlmsghdr *nlh = nl_batch_add(nl, b, RTM_NEWLINK, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = up;
	ifi->ifi_change = up;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/**
 * nl_link_build_up() - add a request that brings an interface up to a batch
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @name:	the interface
 *
 * Return: the request.
 */
struct nlmsghdr *nl_link_build_up(struct nl_sock *nl, struct nl_batch *b,
				  const char *name)
{
	return link_new(nl, b, 0, name, IFF_UP);
}

/**
 * nl_link_build_set() - add a request that changes an interface to a batch
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @name:	the interface
 * @up:		bring it up as well
 *
 * Return: the request, to which the caller adds what changes (IFLA_MTU,
 * IFLA_MASTER, IFLA_IFALIAS...).
 */
struct nlmsghdr *nl_link_build_set(struct nl_sock *nl, struct nl_batch *b,
				   const char *name, int up)
{
	return link_new(nl, b, 0, name, up ? IFF_UP : 0);
}

/**
 * nl_link_build_del() - add a request that deletes an interface to a batch
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @name:	the interface; deleting one end of a veth deletes both
 *
 * Return: the request.
 */
struct nlmsghdr *nl_link_build_del(struct nl_sock *nl, struct nl_batch *b,
				   const char *name)
{
	struct nlmsghdr *nlh = link_new(nl, b, 0, name, 0);

	nlh->nlmsg_type = RTM_DELLINK;
	return nlh;
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
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	nl_link_build_up(nl, &b, name);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "bring %s up", name);
	return 0;
}

/**
 * nl_link_set_flag() - turn an interface flag on or off
 * @nl:		rtnetlink socket of its namespace
 * @name:	the interface
 * @flag:	IFF_PROMISC...
 * @on:		on or off
 *
 * Return: 0 or negative errno (logged).
 */
int nl_link_set_flag(struct nl_sock *nl, const char *name, unsigned int flag, int on)
{
	struct nlmsghdr *nlh;
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	nlh = link_new(nl, &b, 0, name, 0);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_flags = on ? flag : 0;
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_change = flag;
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "set flags of %s", name);
	return 0;
}

/**
 * nl_link_set_mtu() - set the MTU of an interface
 * @nl:		rtnetlink socket of its namespace
 * @name:	the interface
 * @mtu:	the MTU; set on a bridge, it stays, whatever its ports' are
 *
 * Return: 0 or negative errno (logged).
 */
int nl_link_set_mtu(struct nl_sock *nl, const char *name, unsigned int mtu)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	mnl_attr_put_u32(link_new(nl, &b, 0, name, 0), IFLA_MTU, mtu);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "set MTU %u on %s", mtu, name);
	return 0;
}

/**
 * nl_link_set_alias() - set the alias (IFLA_IFALIAS) of an interface
 * @nl:		rtnetlink socket of its namespace
 * @name:	the interface
 * @alias:	the alias
 *
 * Return: 0 or negative errno (logged).
 */
int nl_link_set_alias(struct nl_sock *nl, const char *name, const char *alias)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	mnl_attr_put_strz(link_new(nl, &b, 0, name, 0), IFLA_IFALIAS, alias);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "set alias of %s", name);
	return 0;
}

/**
 * nl_link_set_group() - put an interface in an interface group
 * @nl:		rtnetlink socket of its namespace
 * @name:	the interface
 * @group:	the group (IFLA_GROUP; 0 is the default one)
 *
 * Return: 0 or negative errno (logged).
 */
int nl_link_set_group(struct nl_sock *nl, const char *name, uint32_t group)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	mnl_attr_put_u32(link_new(nl, &b, 0, name, 0), IFLA_GROUP, group);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "put %s in interface group %u", name, group);
	return 0;
}

/* Hairpin mode on (@on) or off for the bridge port @name, as "ip link set
 * dev @name type bridge_slave hairpin on" asks for it. */
static void link_build_hairpin(struct nl_sock *nl, struct nl_batch *b, const char *name,
			       int on)
{
	struct nlmsghdr *nlh = link_new(nl, b, 0, name, 0);
	struct nlattr *info, *data;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, !!on);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
}

/**
 * nl_link_set_hairpin() - turn hairpin mode on or off for a bridge port
 * @nl:		rtnetlink socket of its namespace
 * @name:	the port
 * @on:		on, else off
 *
 * Return: 0 or negative errno (logged).
 */
int nl_link_set_hairpin(struct nl_sock *nl, const char *name, int on)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	link_build_hairpin(nl, &b, name, on);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "turn hairpin mode %s for %s", on ? "on" : "off",
			      name);
	return 0;
}

struct link_walk {
	int (*fn)(const struct nl_link *link, void *arg);
	void *arg;
};

static int link_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct link_walk *w = data;
	struct nl_link link;

	if (nl_link_parse(nlh, &link) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (w->fn(&link, w->arg) < 0) {
		errno = ECANCELED;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/**
 * nl_link_for_each() - call a function for every interface of a namespace
 * @nl:		rtnetlink socket of the namespace
 * @fn:		called with each interface; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Return: 0 or negative errno.
 */
int nl_link_for_each(struct nl_sock *nl, int (*fn)(const struct nl_link *link, void *arg),
		     void *arg)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct link_walk w = { .fn = fn, .arg = arg };
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_request(nl, nlh, link_walk_cb, &w);
}

/**
 * nl_link_mac_parse_try() - parse a unicast hardware address
 * @s:		"02:42:ac:11:00:02"
 * @mac:	the address
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged) for anything but six hex pairs,
 * a multicast address (which no interface may have) or all zeros.
 */
int nl_link_mac_parse_try(const char *s, uint8_t mac[6], struct log_msg *m)
{
	unsigned int b[6];
	int i, hex = strlen(s) == 17;
	char end;

	/* sscanf()'s %2x also takes " 2", "+2" and "-0": check each byte first. */
	for (i = 0; hex && s[i]; i++)
		hex = i % 3 == 2 ? s[i] == ':' : isxdigit((unsigned char)s[i]);
	if (!hex || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
			   &b[4], &b[5], &end) != 6)
		return log_msg_errx(m, -EINVAL,
				    "invalid MAC address \"%s\": want six "
				    "hex pairs, 02:00:00:00:00:01",
				    s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1)
		return log_msg_errx(m, -EINVAL, "invalid MAC address \"%s\": multicast",
				    s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return log_msg_errx(m, -EINVAL, "invalid MAC address \"%s\": all zeros",
				    s);
	return 0;
}

/**
 * nl_link_mac_parse() - parse a unicast hardware address
 * @s:		"02:42:ac:11:00:02"
 * @mac:	the address
 *
 * Return: 0, or -EINVAL (logged), as nl_link_mac_parse_try().
 */
int nl_link_mac_parse(const char *s, uint8_t mac[6])
{
	struct log_msg m;

	return nl_link_mac_parse_try(s, mac, &m) < 0 ? log_msg_report(&m) : 0;
}

/**
 * nl_link_mac_str() - print a hardware address
 * @mac:	the address
 * @buf:	at least 18 bytes
 * @size:	room at @buf
 *
 * Return: @buf
 */
const char *nl_link_mac_str(const uint8_t mac[6], char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}

/**
 * nl_link_mac_random() - a random locally administered unicast address
 * @mac:	the address
 */
void nl_link_mac_random(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6) {
		/* Never short for 6 bytes once the pool is up; be safe anyway. */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(mac, &ts.tv_nsec, 4);
		mac[4] = (uint8_t)getpid();
		mac[5] = (uint8_t)(getpid() >> 8);
	}
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

static void link_put_peer(struct nlmsghdr *nlh, const struct nl_veth *v)
{
	struct nlattr *info, *data, *peer;
	struct ifinfomsg *ifi;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/*
	 * Not mnl_attr_nest_start(): the kernel takes VETH_INFO_PEER for an
	 * ifinfomsg followed by attributes, not a nest, and refuses it when
	 * flagged NLA_F_NESTED.
	 */
	peer = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, VETH_INFO_PEER, 0, NULL);
	/* The peer's attributes follow an ifinfomsg of its own. */
	/*
	 * The peer is left down: bringing it up while it is being made fails
	 * with ENOTCONN on recent kernels (veth_open() before the pair is
	 * linked). Whoever configures its namespace brings it up.
	 */
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->peer);
	if (v->peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)v->peer_netns_fd);
	if (v->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	if (v->peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, v->peer_mac);
	peer->nla_len =
		(uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
}

/**
 * nl_link_build_veth() - add the request that creates a veth pair to a batch
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @v:		what to create; its alias and hairpin mode are not set here
 *
 * The peer is born in its namespace under its final name (IFLA_NET_NS_FD in
 * the peer's attributes), so no other process ever sees a half-made device.
 * The first end is enslaved to @v->master (an ifindex in the first end's
 * namespace), gets its hardware address and group and comes up, all in the
 * one RTM_NEWLINK that makes the pair. Creation ignores IFLA_IFALIAS and
 * bridge port options: they need requests of their own, which do not belong
 * in the batch of the creation, as they would change a device of the same
 * name made by someone else when the creation fails. The namespace files
 * must stay open until the batch is sent.
 */
void nl_link_build_veth(struct nl_sock *nl, struct nl_batch *b, const struct nl_veth *v)
{
	struct nlmsghdr *nlh;

	nlh = link_new(nl, b, NLM_F_CREATE | NLM_F_EXCL, v->name, IFF_UP);
	if (v->netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)v->netns_fd);
	if (v->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	if (v->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, v->mac);
	if (v->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)v->master);
	if (v->group)
		mnl_attr_put_u32(nlh, IFLA_GROUP, v->group);
	link_put_peer(nlh, v);
}

/**
 * nl_link_add_veth() - create a veth pair, the first end up
 * @nl:		rtnetlink socket
 * @v:		what to create (see nl_link_build_veth())
 *
 * The alias and hairpin mode follow the creation in a second request (as
 * "ip link set dev X alias A type bridge_slave hairpin on"); a process
 * killed between the two leaves a veth without them, which its hardware
 * address still marks (bridge_marked()). If the second request fails, the
 * pair is deleted again.
 *
 * Return: 0 or negative errno (logged; -EEXIST when a name is taken).
 */
int nl_link_add_veth(struct nl_sock *nl, const struct nl_veth *v)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	nl_link_build_veth(nl, &b, v);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "create veth %s with peer %s", v->name, v->peer);
	fault_point("veth-born");

	if (v->master && v->hairpin)
		link_build_hairpin(nl, &b, v->name, 1);
	if (v->alias)
		mnl_attr_put_strz(link_new(nl, &b, 0, v->name, 0), IFLA_IFALIAS,
				  v->alias);
	if (!b.count)
		return 0;
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0) {
		nl_err(nl, ret, "set alias and hairpin mode of veth %s", v->name);
		nl_link_del(nl, v->name);
	}
	return ret;
}

/**
 * nl_link_build_bridge() - add the request that creates a bridge, up
 * @nl:		rtnetlink socket that will send it
 * @b:		the batch
 * @name:	its name
 * @mac:	its hardware address, fixed so that it does not follow the
 *		lowest address among its ports as they come and go
 *
 * As for a veth (nl_link_build_veth()), an alias needs a request of its own,
 * after the creation succeeded.
 */
void nl_link_build_bridge(struct nl_sock *nl, struct nl_batch *b, const char *name,
			  const uint8_t mac[6])
{
	struct nlmsghdr *nlh;
	struct nlattr *info;

	nlh = link_new(nl, b, NLM_F_CREATE | NLM_F_EXCL, name, IFF_UP);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
}

/**
 * nl_link_add_bridge() - create a bridge, up
 * @nl:		rtnetlink socket
 * @name:	its name
 * @mac:	its hardware address (see nl_link_build_bridge())
 * @alias:	its alias (IFLA_IFALIAS), which marks it as plumb's, or NULL
 *
 * The alias follows the creation in a second request, as creation ignores
 * it; the hardware address is set at creation.
 *
 * Return: 0, -EEXIST (not logged) when the name is taken, or negative errno
 * (logged).
 */
int nl_link_add_bridge(struct nl_sock *nl, const char *name, const uint8_t mac[6],
		       const char *alias)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	nl_link_build_bridge(nl, &b, name, mac);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret == -EEXIST)
		return ret;
	if (ret < 0)
		return nl_err(nl, ret, "create bridge %s", name);
	if (!alias)
		return 0;
	fault_point("bridge-born");
	mnl_attr_put_strz(link_new(nl, &b, 0, name, 0), IFLA_IFALIAS, alias);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0) {
		nl_err(nl, ret, "set alias of bridge %s", name);
		nl_link_del(nl, name);
	}
	return ret;
}

/**
 * nl_link_del() - delete an interface
 * @nl:		rtnetlink socket
 * @name:	the interface; deleting one end of a veth deletes both
 *
 * Return: 0, -ENODEV (not logged) when there is no such interface, or
 * another negative errno (logged).
 */
int nl_link_del(struct nl_sock *nl, const char *name)
{
	struct nl_batch b;
	int ret;

	nl_batch_init(&b);
	nl_link_build_del(nl, &b, name);
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0 && ret != -ENODEV)
		return nl_err(nl, ret, "delete %s", name);
	return ret;
}
