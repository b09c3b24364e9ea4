/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route: routes over rtnetlink. */
#ifndef PLUMB_ROUTE_H
#define PLUMB_ROUTE_H

#include <plumb/inet.h>
#include <plumb/nl.h>

/**
 * struct nl_route - a route of the main table
 * @dst:	destination; a length of 0 is the default route
 * @gateway:	next hop, family 0 for a route on the link
 * @oif:	output interface, or 0 to let the kernel find it from @gateway
 */
struct nl_route {
	struct inet_prefix dst;
	struct inet_addr gateway;
	int oif;
};

struct nlmsghdr *nl_route_build(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
				const struct nl_route *r);
int nl_route_get_oif(struct nl_sock *nl, const struct inet_addr *dst);
int nl_route_for_each(struct nl_sock *nl, int family,
		      int (*fn)(const struct nl_route *r, void *arg), void *arg);

#endif
