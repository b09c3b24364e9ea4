/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link: network interfaces over rtnetlink. */
#ifndef PLUMB_LINK_H
#define PLUMB_LINK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <plumb/nl.h>

#define LINK_KIND_MAX 16

struct log_msg;

/**
 * struct nl_link - what plumb needs to know of an interface
 * @index:	ifindex
 * @name:	name
 * @kind:	"bridge", "veth"... ("" for a device without rtnl link ops: lo)
 * @flags:	IFF_UP...
 * @mtu:	MTU
 * @master:	ifindex of the bridge it is enslaved to, or 0
 * @mac:	hardware address
 * @hairpin:	hairpin mode of its bridge port, or -1 when not a bridge port
 * @alias:	its alias, "" if none
 * @group:	its interface group (IFLA_GROUP), 0 by default
 */
struct nl_link {
	int index;
	char name[IF_NAMESIZE];
	char kind[LINK_KIND_MAX];
	unsigned int flags;
	unsigned int mtu;
	int master;
	uint8_t mac[6];
	int hairpin;
	char alias[64];
	uint32_t group;
};

/**
 * struct nl_veth - a veth pair to create in one request
 * @name:	name of the first end (the host end)
 * @netns_fd:	namespace of the first end, or -1 for the socket's
 * @peer:	name of the other end, its final name (no rename later)
 * @peer_netns_fd: namespace of the other end, or -1 for the socket's
 * @mtu:	MTU of both ends, or 0 for the kernel's default
 * @mac:	hardware address of the first end, or NULL for a random one
 * @peer_mac:	hardware address of the other end, or NULL
 * @master:	ifindex of the bridge to enslave the first end to, or 0
 * @hairpin:	hairpin mode on that bridge port, so that a container can
 *		reach itself through the host (its own published port)
 * @alias:	alias (IFLA_IFALIAS) of the first end, which marks it as
 *		plumb's, or NULL
 * @group:	interface group of the first end, 0 for the default
 */
struct nl_veth {
	const char *name;
	int netns_fd;
	const char *peer;
	int peer_netns_fd;
	unsigned int mtu;
	const uint8_t *mac;
	const uint8_t *peer_mac;
	int master;
	int hairpin;
	const char *alias;
	uint32_t group;
};

int nl_link_name_check(const char *name);
int nl_link_name_check_try(const char *name, struct log_msg *m);
int nl_link_mac_parse(const char *s, uint8_t mac[6]);
int nl_link_mac_parse_try(const char *s, uint8_t mac[6], struct log_msg *m);
const char *nl_link_mac_str(const uint8_t mac[6], char *buf, size_t size);
void nl_link_mac_random(uint8_t mac[6]);
void nl_link_build_veth(struct nl_sock *nl, struct nl_batch *b, const struct nl_veth *v);
int nl_link_add_veth(struct nl_sock *nl, const struct nl_veth *v);
void nl_link_build_bridge(struct nl_sock *nl, struct nl_batch *b, const char *name,
			  const uint8_t mac[6]);
int nl_link_add_bridge(struct nl_sock *nl, const char *name, const uint8_t mac[6],
		       const char *alias);
int nl_link_del(struct nl_sock *nl, const char *name);
int nl_link_get(struct nl_sock *nl, const char *name, struct nl_link *link);
int nl_link_get_index(struct nl_sock *nl, int index, struct nl_link *link);
int nl_link_set_up(struct nl_sock *nl, const char *name);
int nl_link_set_flag(struct nl_sock *nl, const char *name, unsigned int flag, int on);
int nl_link_set_alias(struct nl_sock *nl, const char *name, const char *alias);
int nl_link_set_mtu(struct nl_sock *nl, const char *name, unsigned int mtu);
int nl_link_set_group(struct nl_sock *nl, const char *name, uint32_t group);
int nl_link_set_hairpin(struct nl_sock *nl, const char *name, int on);
struct nlmsghdr *nl_link_build_up(struct nl_sock *nl, struct nl_batch *b,
				  const char *name);
struct nlmsghdr *nl_link_build_set(struct nl_sock *nl, struct nl_batch *b,
				   const char *name, int up);
struct nlmsghdr *nl_link_build_del(struct nl_sock *nl, struct nl_batch *b,
				   const char *name);
int nl_link_for_each(struct nl_sock *nl, int (*fn)(const struct nl_link *link, void *arg),
		     void *arg);
int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *link);

#endif
