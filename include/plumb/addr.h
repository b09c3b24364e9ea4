/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr: interface addresses over rtnetlink. */
#ifndef PLUMB_ADDR_H
#define PLUMB_ADDR_H

#include <plumb/inet.h>
#include <plumb/nl.h>

/* Add the address without duplicate address detection: usable at once. */
#define NL_ADDR_NODAD 0x1

int nl_addr_for_each(struct nl_sock *nl, int family, int ifindex,
		     int (*fn)(const struct inet_prefix *p, void *arg), void *arg);
struct nlmsghdr *nl_addr_build(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
			       int ifindex, const struct inet_prefix *p,
			       unsigned int flags);

#endif
