/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link: network interfaces over rtnetlink. */
#ifndef PLUMB_LINK_H
#define PLUMB_LINK_H

#include <net/if.h>
#include <stdint.h>

#include <plumb/nl.h>

#define LINK_KIND_MAX 16

/**
 * struct nl_link - what plumb needs to know of an interface
 * @index:	ifindex
 * @name:	name
 * @kind:	"bridge", "veth"... ("" for a device without rtnl link ops: lo)
 * @flags:	IFF_UP...
 * @mtu:	MTU
 * @master:	ifindex of the bridge it is enslaved to, or 0
 * @mac:	hardware address
 */
struct nl_link {
	int index;
	char name[IF_NAMESIZE];
	char kind[LINK_KIND_MAX];
	unsigned int flags;
	unsigned int mtu;
	int master;
	uint8_t mac[6];
};

int nl_link_name_check(const char *name);
int nl_link_get(struct nl_sock *nl, const char *name, struct nl_link *link);
int nl_link_set_up(struct nl_sock *nl, const char *name);
int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *link);

#endif
