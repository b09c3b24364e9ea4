/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bridge: a host bridge with its gateway addresses, and veth ports into namespaces. */
#ifndef PLUMB_BRIDGE_H
#define PLUMB_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include <plumb/inet.h>
#include <plumb/link.h>
#include <plumb/nl.h>
#include <plumb/route.h>
#include <plumb/siphash.h>

#define BRIDGE_DEFAULT "plumb0"
#define BRIDGE_ALIAS "plumb" /* IFLA_IFALIAS of the bridges plumb creates */
/*
 * The interface group (IFLA_GROUP) of plumb's bridges and of their ports:
 * the rules plumb keeps in other firewalls' chains match it, so that they
 * stay the same as networks come and go (lib/foreign.c). "pl" in ASCII.
 */
#define BRIDGE_GROUP 0x706c
#define BRIDGE_ADDRS_MAX 4
#define BRIDGE_ROUTES_MAX 16

/**
 * struct bridge_port - a veth pair from a bridge into a namespace
 * @host_veth:	name of the bridge's end
 * @host_mac:	its hardware address
 * @ifname:	name of the namespace's end
 * @netns_fd:	the namespace
 * @mac:	hardware address of the namespace's end
 * @mtu:	MTU of both ends
 * @n_ip:	number of addresses
 * @ip:		addresses of the namespace's end
 * @gateway:	gateway of each address, family 0 for none
 * @default_route: add a default route via each gateway
 * @n_routes:	number of further routes
 * @routes:	further routes inside the namespace, through the interface
 * @hairpin:	hairpin mode on the bridge port, so that a container reaches
 *		itself through the host (its own published port)
 */
struct bridge_port {
	const char *host_veth;
	const uint8_t *host_mac;
	const char *ifname;
	int netns_fd;
	const uint8_t *mac;
	unsigned int mtu;
	size_t n_ip;
	const struct inet_prefix *ip;
	const struct inet_addr *gateway;
	int default_route;
	size_t n_routes;
	const struct nl_route *routes;
	int hairpin;
};

#define BRIDGE_FOREIGN_OK 1 /* bridge_ensure(): may use a bridge plumb did not make */

int bridge_ensure(struct nl_sock *nl, int netns_fd, const char *name,
		  const struct inet_prefix *gw, size_t n_gw, int flags, struct nl_link *br,
		  unsigned int *added);
int bridge_gateways_del(struct nl_sock *nl, const struct nl_link *br,
			const struct inet_prefix *gw, size_t n_gw, unsigned int added);
int bridge_check(struct nl_sock *nl, const char *name, const struct inet_prefix *gw,
		 size_t n_gw, int flags);
int bridge_del(struct nl_sock *nl, const char *name);
int bridge_port_add(struct nl_sock *nl, const struct nl_link *br,
		    const struct bridge_port *p);
int bridge_port_del(struct nl_sock *nl, const char *host_veth, const uint8_t mark[6]);
void bridge_mark_mac_of(struct nl_sock *nl, const char *owner, const char *name,
			uint8_t mac[6]);
void bridge_mark_mac_keyed(struct nl_sock *nl, const uint8_t key[SIPHASH_KEY_LEN],
			   const char *name, uint8_t mac[6]);
void bridge_mark_mac(struct nl_sock *nl, const char *name, uint8_t mac[6]);
int bridge_marked(struct nl_sock *nl, const struct nl_link *link);
int bridge_netns_configure(const struct bridge_port *p);

#endif
