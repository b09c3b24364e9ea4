/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy: what the administrator lets a container's annotations choose. */
#ifndef PLUMB_POLICY_H
#define PLUMB_POLICY_H

#include <net/if.h>
#include <stdint.h>

#include <jansson.h>

#include <plumb/inet.h>
#include <plumb/oci.h>

#define POLICY_PATH "/etc/plumb/policy.json"
#define POLICY_NAME_MAX 200 /* a network name (name_check()) */
#define POLICY_RANGES_MAX 16 /* port ranges of one network */
#define POLICY_PUBLISH_PORTS 32 /* host ports a container may publish by default */
#define POLICY_PUBLISH_FIRST 1024 /* the lowest one, by default */
#define POLICY_PUBLISH_SPECS 64 /* specifications in one plumb.publish */

/**
 * struct policy_ports - host ports a container may publish: @first to @last
 */
struct policy_ports {
	uint16_t first;
	uint16_t last;
};

/**
 * struct policy_net - a network the administrator declared
 * @name:	its name (the network of the leases and records)
 * @bridge:	its bridge
 * @subnet:	its IPv4 subnet, and its IPv6 one (family 0 when none)
 * @subnet_str:	the same, as written
 * @foreign_bridge: it may use a bridge plumb did not create
 * @allow_ip:	a container may choose its address (plumb.ip)
 * @allow_mac:	... its hardware address (plumb.mac)
 * @allow_mtu:	... its MTU (plumb.mtu)
 * @allow_masquerade: ... to masquerade the network (plumb.masquerade=true)
 * @publish_max: how many host ports a container may publish (plumb.publish),
 *		0 for none
 * @n_ports:	how many ranges @ports holds
 * @ports:	the host ports it may publish
 * @conf:	its declaration in the policy file (borrowed), NULL for the
 *		network a hook's own arguments declare: per-network switches of
 *		other modules are read from it (policy_net_switch())
 */
struct policy_net {
	char name[POLICY_NAME_MAX + 1];
	char bridge[IF_NAMESIZE];
	struct inet_prefix subnet[2];
	char subnet_str[2][INET_PREFIX_STRLEN];
	int foreign_bridge;
	int allow_ip;
	int allow_mac;
	int allow_mtu;
	int allow_masquerade;
	unsigned int publish_max;
	size_t n_ports;
	struct policy_ports ports[POLICY_RANGES_MAX];
	const json_t *conf;
};

/**
 * struct policy_choice - what a container's annotations chose, checked
 * @ip:		plumb.ip, an IPv4 address, or NULL for any (borrowed from the
 *		state)
 * @mac:	plumb.mac, when @has_mac
 * @has_mac:	plumb.mac was given
 * @mtu:	plumb.mtu, or 0 when not given
 * @masquerade:	plumb.masquerade: 1 (true), 0 (false), -1 when not given
 * @publish:	plumb.publish, or NULL (borrowed): every specification in it
 *		parses and is allowed
 */
struct policy_choice {
	const char *ip;
	uint8_t mac[6];
	int has_mac;
	unsigned int mtu;
	int masquerade;
	const char *publish;
};

/**
 * struct policy - the administrator's policy: the networks of its file, and
 * the one the hook's own arguments declare
 * @json:	the file, checked whole; NULL when there is none
 * @path:	where it was read
 * @hook:	the hook's own network, when @has_hook
 * @has_hook:	the hook's arguments declared one
 */
struct policy {
	json_t *json;
	char path[256];
	struct policy_net hook;
	int has_hook;
};

int policy_load(struct policy *p, const char *path);
int policy_read_fd(struct policy *p, int fd, const char *path);
void policy_free(struct policy *p);
int policy_hook_net(struct policy *p, const char *name, const char *bridge,
		    const char *subnet, const char *subnet6, int foreign_bridge);
int policy_net_find(const struct policy *p, const char *name, struct policy_net *n);
int policy_net_switch(const struct policy_net *n, const char *key, int dflt);
int policy_check(const struct policy *p, const struct oci_state *s, struct policy_net *n,
		 struct policy_choice *c);

#endif
