/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attach: an attachment (network, id, ifname), its record, and wiring it up. */
#ifndef PLUMB_ATTACH_H
#define PLUMB_ATTACH_H

#include <limits.h>
#include <net/if.h>
#include <stdint.h>

#include <jansson.h>

#include <plumb/bridge.h>
#include <plumb/ipam.h>
#include <plumb/nat.h>
#include <plumb/state.h>

struct log_msg;

#define ATTACH_ID_MAX 200
#define ATTACH_IPAM_DIR "/run/plumb/ipam" /* the command line's leases */
#define ATTACH_KIND "attach" /* records under <state>/attach/<network>/ */

/**
 * struct attachment - what plumb made for one (network, id, ifname)
 * @network:	the network; names the lease store and the record's group
 * @id:		the container id
 * @ifname:	the interface inside the container
 * @netns:	the container's namespace, as it was given
 * @host_netns:	the namespace of the bridge, "" for the tool's own
 * @bridge:	the bridge
 * @host_veth:	the bridge's end, named from the attachment
 * @mac:	hardware address of the container's end
 * @host_mac:	hardware address of the host's end
 * @mtu:	MTU of both ends
 * @n_ip:	number of addresses
 * @ip:		the container's addresses
 * @gateway:	the gateway of each address
 * @default_route: default routes via the gateways were added
 * @n_routes:	number of further routes inside the container
 * @routes:	further routes (from a CNI IPAM plugin's result)
 * @hairpin:	the bridge port is in hairpin mode
 * @data_dir:	the lease store's data directory, "" when the addresses did
 *		not come from plumb's IPAM (a CNI IPAM plugin gave them)
 */
struct attachment {
	char network[ATTACH_ID_MAX + 1];
	char id[ATTACH_ID_MAX + 1];
	char ifname[IF_NAMESIZE];
	char netns[PATH_MAX];
	char host_netns[PATH_MAX];
	char bridge[IF_NAMESIZE];
	char host_veth[IF_NAMESIZE];
	uint8_t mac[6];
	uint8_t host_mac[6];
	unsigned int mtu;
	size_t n_ip;
	struct inet_prefix ip[BRIDGE_ADDRS_MAX];
	struct inet_addr gateway[BRIDGE_ADDRS_MAX];
	int default_route;
	size_t n_routes;
	struct nl_route routes[BRIDGE_ROUTES_MAX];
	int hairpin;
	char data_dir[PATH_MAX];
};

/**
 * struct attach_req - how to attach, for the front ends using plumb's IPAM
 * @a:		identity, namespace, bridge, MTU (0: the bridge's), data_dir;
 *		@a.mac is used when @has_mac
 * @has_mac:	@a.mac was chosen by the user
 * @netns_fd:	the container's namespace, open
 * @host_netns_fd: the bridge's namespace, or -1 for ours
 * @n_sets:	address families asked for, or 0 when @a.ip holds addresses
 *		chosen by someone else (a CNI IPAM plugin)
 * @sets:	the range to take each address from
 * @want:	a static address for each set, family 0 for any
 * @no_gateway:	leave the bridge without the gateway addresses (CNI's
 *		"isGateway": false)
 * @promisc:	put the bridge in promiscuous mode
 * @foreign_bridge: the administrator lets it use a bridge plumb did not
 *		create
 * @state_dir:	where records live (STATE_DIR)
 * @policy:	the network's forwarding policy (isolation, the direct-access
 *		guard) to give its bridge, or NULL to leave it as it is
 * @mtu_from:	who chose @a.mtu, for messages ("annotation plumb.mtu"), or
 *		NULL for the caller's own option
 * @bridge_mac: out: the bridge's hardware address
 */
struct attach_req {
	struct attachment a;
	int has_mac;
	int netns_fd;
	int host_netns_fd;
	size_t n_sets;
	struct ipam_set sets[BRIDGE_ADDRS_MAX];
	struct inet_addr want[BRIDGE_ADDRS_MAX];
	int no_gateway;
	int promisc;
	int foreign_bridge;
	const char *state_dir;
	const struct nat_net *policy;
	const char *mtu_from;
	uint8_t bridge_mac[6];
};

int attach_key_check(const char *network, const char *id, const char *ifname);
int attach_key_set(struct attachment *a, const char *network, const char *id,
		   const char *ifname);
void attach_host_veth_name(const uint8_t key[STATE_KEY_LEN], const char *network,
			   const char *id, const char *ifname, char name[IF_NAMESIZE]);
int attach_record_name(const struct attachment *a, char *buf, size_t size);
json_t *attach_to_json(const struct attachment *a);
int attach_from_json(const json_t *j, struct attachment *a);
int attach_ips_parse(const json_t *ips, struct attachment *a);
int attach_routes_parse(const json_t *routes, struct attachment *a);
int attach_record_read(const char *state_dir, const char *network, const char *id,
		       const char *ifname, struct attachment *a);
int attach_record_write(const char *state_dir, const struct attachment *a);
int attach_record_del(const char *state_dir, const struct attachment *a);

int attach_find_try(const char *state_dir, const char *id, const char *ifname,
		    struct attachment *a, struct log_msg *m);
int attach_for_each(const char *state_dir, const char *network,
		    int (*fn)(const struct attachment *a, void *arg), void *arg);
int attach_exists(const char *state_dir, const struct attachment *a);
int attach_add(struct attach_req *req);
int attach_policy_apply(const struct attach_req *req);
int attach_check(const struct attachment *a, int host_netns_fd, json_t *diffs);
int attach_del(const char *state_dir, struct attachment *a, int host_netns_fd);

#endif
