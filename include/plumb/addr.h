/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr: interface addresses over rtnetlink. */
#ifndef PLUMB_ADDR_H
#define PLUMB_ADDR_H

#include <plumb/inet.h>
#include <plumb/nl.h>

/* Add the address without duplicate address detection: usable at once. */
#define NL_ADDR_NODAD 0x1

/**
 * struct nl_addr - an address of an interface
 * @ifindex:	the interface
 * @scope:	RT_SCOPE_UNIVERSE, RT_SCOPE_LINK (fe80::/64), RT_SCOPE_HOST...
 * @p:		the address and its prefix length
 */
struct nl_addr {
	int ifindex;
	unsigned int scope;
	struct inet_prefix p;
};

int nl_addr_for_each(struct nl_sock *nl, int family, int ifindex,
		     int (*fn)(const struct inet_prefix *p, void *arg), void *arg);
int nl_addr_list(struct nl_sock *nl, int family,
		 int (*fn)(const struct nl_addr *a, void *arg), void *arg);
struct nlmsghdr *nl_addr_build(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
			       int ifindex, const struct inet_prefix *p,
			       unsigned int flags);

#endif
