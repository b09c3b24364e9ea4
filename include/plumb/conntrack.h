/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conntrack: delete connection tracking entries through ctnetlink. */
#ifndef PLUMB_CONNTRACK_H
#define PLUMB_CONNTRACK_H

#include <stdint.h>

#include <plumb/inet.h>
#include <plumb/nl.h>

/**
 * struct ct_match - the flows to forget: those addressed to a host port
 * @family:	AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP
 * @port_min:	first destination port (original direction)
 * @port_max:	last one
 * @daddr:	destination address, family 0 for any
 */
struct ct_match {
	int family;
	uint8_t proto;
	uint16_t port_min;
	uint16_t port_max;
	struct inet_addr daddr;
};

int conntrack_flush(struct nl_sock *nl, const struct ct_match *m);

#endif
