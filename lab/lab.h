/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plumb-lab: the topology model, read from YAML, and the verbs over it. */
#ifndef PLUMB_LAB_H
#define PLUMB_LAB_H

#include <net/if.h>
#include <stddef.h>

#include <plumb/cmd.h>
#include <plumb/inet.h>
#include <plumb/ipam.h>
#include <plumb/nat.h>
#include <plumb/netns.h>
#include <plumb/route.h>

#define LAB_NAME_MAX 32 /* lab and node names */
#define LAB_KEY_MAX 64 /* sysctl keys, bridge keys */
#define LAB_IPS_MAX 4 /* addresses of one interface */
#define LAB_NODES_MAX 16384
#define LAB_FILE_MAX (16 << 20) /* bytes of a topology file */
#define LAB_HOST (-1) /* "node" index of the namespace plumb-lab runs in */
#define LAB_ALIAS "plumb-lab:" /* + lab name: IFLA_IFALIAS of what a lab made */
#define LAB_STATE_KIND "lab" /* <state>/lab/<name>/: record, leases, NAT records */

/**
 * struct lab_pos - where something was written in the topology file
 * @line:	line, from 1
 * @col:	column, from 1
 */
struct lab_pos {
	int line;
	int col;
};

/**
 * struct lab_sysctl - a setting of a node
 * @key:	"net/ipv4/ip_forward" (written with dots or slashes)
 * @value:	"1"
 */
struct lab_sysctl {
	char key[LAB_KEY_MAX];
	char value[LAB_KEY_MAX];
};

/**
 * struct lab_node - a node: a network namespace of its own
 * @name:	its name in the file
 * @netns:	its namespace under /run/netns: <prefix>-<name>
 * @forward:	forward IPv4 and IPv6
 * @n_sysctl:	number of settings
 * @sysctl:	settings under /proc/sys, inside its namespace
 * @n_if:	interfaces declared so far, for their default names
 * @pos:	where it was declared
 */
struct lab_node {
	char name[LAB_NAME_MAX + 1];
	char netns[NETNS_NAME_MAX + 1];
	int forward;
	size_t n_sysctl;
	struct lab_sysctl *sysctl;
	unsigned int n_if;
	struct lab_pos pos;
};

/**
 * struct lab_bridge - a bridge, its members wired to it with veth pairs
 * @key:	its name in the file
 * @name:	its name in the kernel
 * @node:	the node it lives in, or LAB_HOST
 * @sets:	IPv4 subnet, then IPv6 (n 0 when none), each with its gateway
 *		(the bridge's address)
 * @masquerade:	traffic from its subnets leaving them is masqueraded
 * @n_nomasq:	destinations reached without masquerade all the same
 * @nomasq:	those destinations (plumb-nat's --no-masquerade-to)
 * @isolate:	nothing passes between it and plumb's other bridges in its
 *		namespace but published ports (plumb-bridge's --isolate)
 * @guard:	nothing reaches it from another interface but published ports
 *		("direct-access: false", plumb-bridge's --no-direct-access)
 * @mtu:	MTU of its ports, or 0 for the kernel's
 * @pos:	where it was declared
 */
struct lab_bridge {
	char key[LAB_NAME_MAX + 1];
	char name[IF_NAMESIZE];
	int node;
	struct ipam_set sets[2];
	int masquerade;
	size_t n_nomasq;
	struct inet_prefix nomasq[NAT_NOMASQ_MAX];
	int isolate;
	int guard;
	unsigned int mtu;
	struct lab_pos pos;
};

/**
 * struct lab_if - an interface of a node: a bridge port or a link's end
 * @node:	its node
 * @name:	its name inside the node ("" until lab_resolve() names it)
 * @bridge:	the bridge it is a port of, or -1 for a link's end
 * @peer:	for a link's end, the interface at the other end
 * @host_veth:	for a bridge port, the bridge's end of the veth
 * @n_ip:	number of addresses
 * @ip:		its addresses; a port's come from the bridge's lease store at
 *		"up", the ones in the file (@want) first
 * @want:	a port's addresses asked for in the file, family 0 for any
 * @mtu:	MTU of both ends, or 0
 * @default_route: a port's default routes through its bridge's gateways:
 *		bit 0 IPv4, bit 1 IPv6
 * @made:	made by this run of "up" (its settings are new, not repairs)
 * @pos:	where it was declared
 */
struct lab_if {
	int node;
	char name[IF_NAMESIZE];
	int bridge;
	int peer;
	char host_veth[IF_NAMESIZE];
	size_t n_ip;
	struct inet_prefix ip[LAB_IPS_MAX];
	struct inet_addr want[2];
	unsigned int mtu;
	int default_route;
	int made;
	struct lab_pos pos;
};

/**
 * struct lab_route - a route inside a node
 * @node:	the node
 * @r:		the route; @r.oif is found from @dev at "up"
 * @dev:	the interface named with "dev", or ""
 * @text:	as written, for messages
 * @pos:	where it was written
 */
struct lab_route {
	int node;
	struct nl_route r;
	char dev[IF_NAMESIZE];
	char text[128];
	struct lab_pos pos;
};

/**
 * struct lab_pub - a published port
 * @node:	the node whose address it is published on, or LAB_HOST
 * @port:	the host side as written: [ADDR:]PORT[-END][/PROTO]
 * @to_node:	the node it leads to, or -1 when @to_addr was written
 * @to_addr:	the address it leads to
 * @to_port:	the port(s) there, as written
 * @pos:	where it was written
 */
struct lab_pub {
	int node;
	char port[64];
	int to_node;
	struct inet_addr to_addr;
	char to_port[16];
	struct lab_pos pos;
};

/**
 * struct lab - a topology
 * @name:	its name; names its record and its objects' owner
 * @prefix:	what the namespaces' names start with ("" for none)
 * @file:	the file it was read from, as given
 * @n_nodes:	number of nodes
 * @nodes:	the nodes, in the order of the file
 * @node_order:	indices of @nodes sorted by name, for lab_node_find()
 * @n_bridges:	number of bridges
 * @bridges:	the bridges
 * @n_ifs:	number of interfaces
 * @ifs:	every interface of every node
 * @n_routes:	number of routes
 * @routes:	the routes
 * @n_pubs:	number of published ports
 * @pubs:	the published ports
 * @source:	the file's text, which the lab's record keeps
 * @source_len:	its length
 */
struct lab {
	char name[LAB_NAME_MAX + 1];
	char prefix[LAB_NAME_MAX + 1];
	char file[4096];
	size_t n_nodes;
	struct lab_node *nodes;
	int *node_order;
	size_t n_bridges;
	struct lab_bridge *bridges;
	size_t n_ifs;
	struct lab_if *ifs;
	size_t n_routes;
	struct lab_route *routes;
	size_t n_pubs;
	struct lab_pub *pubs;
	char *source;
	size_t source_len;
};

/* topo*.c: the file */
int lab_parse(const char *text, size_t len, const char *file, struct lab *lab);
int lab_load(const char *file, struct lab *lab);
void lab_free(struct lab *lab);
int lab_node_index(struct lab *lab);
int lab_node_find(const struct lab *lab, const char *name);
int lab_node_find_netns(const struct lab *lab, const char *netns);
int lab_if_find(const struct lab *lab, int node, const char *name);
int lab_name_check_try(const char *what, const char *name, struct log_msg *m);
int lab_name_check(const char *what, const char *name);
int lab_err_at(const struct lab *lab, struct lab_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
