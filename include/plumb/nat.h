/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat: masquerade and published ports, as elements of plumb's nftables table. */
#ifndef PLUMB_NAT_H
#define PLUMB_NAT_H

#include <limits.h>
#include <stdint.h>

#include <jansson.h>

#include <plumb/inet.h>
#include <plumb/link.h>
#include <plumb/nft.h>
#include <plumb/nl.h>

struct log_msg;

#define NAT_OWNER_DEFAULT "manual"
/* The kinds of owner plumb's hooks and plugins make (nat_owner.c). */
#define NAT_OWNER_CONTAINER "container"
#define NAT_OWNER_NETWORK "network"
#define NAT_OWNER_CNI "cni"
#define NAT_OWNER_LAB "lab" /* a plumb-lab lab's, by its name */
#define NAT_WHO_MAX (NFT_OWNER_MAX + 32) /* an owner described */
#define NAT_CNI_KIND "cni-nat" /* records of the attachments plumb-nat's CNI plugin serves */
#define NAT_PORTS_MAX 1024 /* host ports in one publish */
#define NAT_NOMASQ_MAX 64 /* destinations a subnet reaches without masquerade */

/**
 * struct nat_pub - a published port range: host ports to a container's ports
 * @proto:	IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 * @host:	the host address it is published on; family 0 for all of them
 * @port:	first host port
 * @port_end:	last host port
 * @addr:	the container's address
 * @to_port:	the container port @port goes to; the others follow in order
 * @localhost:	also reachable through 127.0.0.1 (IPv4 only)
 */
struct nat_pub {
	uint8_t proto;
	struct inet_addr host;
	uint16_t port;
	uint16_t port_end;
	struct inet_addr addr;
	uint16_t to_port;
	int localhost;
};

/**
 * struct nat_net - the forwarding policy of a network (lib/nat_net.c)
 * @bridge:	its bridge
 * @made_by:	"cni", "oci", "cli" or "lab": the front end that made it,
 *		whose defaults it got
 * @isolate:	nothing passes between it and plumb's other networks but
 *		through published ports
 * @guard:	nothing reaches its bridge from any other interface but
 *		through published ports (no direct access)
 */
struct nat_net {
	char bridge[IFNAMSIZ];
	char made_by[8];
	int isolate;
	int guard;
};

#define NAT_PORT_NAMES 8 /* host interfaces of a CNI result looked at */

/**
 * struct nat_port - a container's port on a bridge, as a CNI plugin made it
 * @bridge:	the bridge
 * @port:	the host end of the container's veth, on it
 * @plumbs:	plumb made the bridge (plumb-bridge), so it has its policy
 */
struct nat_port {
	struct nl_link bridge;
	struct nl_link port;
	int plumbs;
};

/**
 * struct nat - plumb-nat's handle on one network namespace
 * @nl:		netfilter socket there
 * @netns_fd:	the namespace, -1 for ours
 * @state_dir:	where records live (STATE_DIR), the handle's own copy
 * @layout_seen: the table was seen to have this plumb's layout, or to be
 *		absent (nat_table_upgrade())
 */
struct nat {
	struct nl_sock nl;
	int netns_fd;
	char state_dir[PATH_MAX];
	int layout_seen;
};

/* nat_owner.c: who holds an element */
int nat_owner_check(const char *owner);
void nat_owner_make(const char *kind, const char *const parts[], size_t n, char *buf,
		    size_t size);
int nat_owner_make_earlier(const char *kind, const char *const parts[], size_t n,
			   char *buf, size_t size);
void nat_owner_network(const char *network, char buf[NFT_OWNER_MAX + 1]);
void nat_owner_container(const char *id, char buf[NFT_OWNER_MAX + 1]);
const char *nat_owner_describe(const char *owner, char *buf, size_t size);
int nat_owner_same(const char *held, const char *owner);
void nat_owner_group(const char *owner, char *buf, size_t size);
void nat_group_owner(const char *group, char *buf, size_t size);

/* nat_spec.c: specifications, elements, records */
int nat_pub_parse_try(const char *host, const char *target, struct nat_pub *p,
		      struct log_msg *m);
int nat_pub_parse(const char *host, const char *target, struct nat_pub *p);
int nat_pub_parse_short_try(const char *spec, const struct inet_prefix *ips, size_t n_ips,
			    struct nat_pub *p, struct log_msg *m);
int nat_pub_parse_short(const char *spec, const struct inet_prefix *ips, size_t n_ips,
			struct nat_pub *p);
int nat_pub_parse_host_try(const char *host, struct nat_pub *p, struct log_msg *m);
int nat_pub_parse_host(const char *host, struct nat_pub *p);
const char *nat_proto_name(uint8_t proto);
size_t nat_pub_elems(const struct nat_pub *p, const char *owner, struct nft_elem *out);
void nat_masq_elem(const struct inet_prefix *subnet, const char *owner,
		   struct nft_elem *e);
int nat_elem_describe(const struct nft_elem *e, json_t **out);
int nat_nomasq_describe(const struct nft_elem *e, json_t **out);
void nat_pub_record_name(const struct nat_pub *p, char *buf, size_t size);
void nat_masq_record_name(const struct inet_prefix *subnet, char *buf, size_t size);
json_t *nat_pub_to_json(const struct nat_pub *p);
int nat_pub_from_json(const json_t *j, struct nat_pub *p);

/* nat.c: the handle, and the table as a whole */
#define NAT_STATE_DIR_MAX 64
int nat_state_dir(int netns_fd, char *buf, size_t size);
int nat_open(struct nat *nat, int netns_fd, const char *state_dir);
int nat_open_netns(struct nat *nat, int netns_fd);
void nat_close(struct nat *nat);
int nat_flush(struct nat *nat);

/* nat_masq.c: masquerade */
int nat_masq_add(struct nat *nat, const struct inet_prefix *subnet, const char *owner);
int nat_masq_add_each(struct nat *nat, const struct inet_prefix *ips, size_t n, int masq,
		      const struct inet_prefix *to, size_t n_to, const char *owner);
int nat_masq_check_each(struct nat *nat, const struct inet_prefix *ips, size_t n,
			int masq, const struct inet_prefix *to, size_t n_to,
			const char *owner);
int nat_masq_del(struct nat *nat, const struct inet_prefix *subnet, const char *owner);

/* nat_pub.c: published ports */
int nat_publish(struct nat *nat, const struct nat_pub *p, const char *owner);
int nat_unpublish(struct nat *nat, const struct nat_pub *p, const char *owner);
int nat_pub_check_try(struct nat *nat, const struct nat_pub *p, const char *owner,
		      struct log_msg *m);
int nat_pub_check(struct nat *nat, const struct nat_pub *p, const char *owner);
int nat_localhost_on(struct nat *nat, const struct nat_pub *p);

/* nat_sync.c: many records at once: an owner's release, list, reconcile */
int nat_owner_release(struct nat *nat, const char *owner);
int nat_owner_holds(struct nat *nat, const char *owner);
int nat_owner_release_to(struct nat *nat, const char *owner,
			 const struct inet_prefix *to, size_t n_to);
int nat_list(struct nat *nat, int stats, json_t **out);
int nat_reconcile(struct nat *nat);

/* nat_nomasq.c: destinations a network reaches without masquerade, its peers */
int nat_nomasq_parse(const char *cidr, struct inet_prefix *to, size_t *n);
int nat_nomasq_parse_json(const json_t *list, const char *key, struct inet_prefix *to,
			  size_t *n);
int nat_nomasq_set(struct nat *nat, const struct inet_prefix *subnet,
		   const struct inet_prefix *to, size_t n, const char *owner);
int nat_nomasq_check(struct nat *nat, const struct inet_prefix *subnet,
		     const struct inet_prefix *to, size_t n, const char *owner);
int nat_nomasq_del(struct nat *nat, const struct inet_prefix *subnet, const char *owner);

/* nat_net.c: forwarding policy; nat_port.c: behind a bridge plumb did not make */
int nat_net_add(struct nat *nat, const struct nat_net *n, const char *network);
int nat_net_set(struct nat *nat, const struct nat_net *n, const char *owner);
int nat_net_get(struct nat *nat, const char *bridge, struct nat_net *n);
int nat_net_del(struct nat *nat, const char *bridge);
int nat_net_in_use(const char *root, const char *network, const char *const *kinds);
int nat_net_release(struct nat *nat, const char *network, const char *bridge,
		    int (*in_use)(void *arg), void *arg);
int nat_net_list(struct nat *nat, json_t *out);
int nat_hairpin_add(struct nat *nat, const struct inet_prefix *subnet,
		    const char *network);
int nat_port_find(struct nat *nat, const char *const *names, size_t n,
		  struct nat_port *port);
int nat_port_adopt(struct nat *nat, const struct nat_port *port, int hairpin);
json_t *nat_port_was(const struct nat_port *port, int hairpin);
int nat_port_restore(struct nat *nat, const json_t *was,
		     int (*in_use)(void *arg, const char *bridge), void *arg);
int nat_port_flush(struct nat *nat);
int nat_port_reconcile(struct nat *nat);

#endif
