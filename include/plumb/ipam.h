/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipam: address leases on disk, in the format of the CNI host-local plugin. */
#ifndef PLUMB_IPAM_H
#define PLUMB_IPAM_H

#include <stddef.h>

#include <jansson.h>

#include <plumb/inet.h>

struct log_msg;

#define IPAM_SETS_MAX 4 /* range sets: one address from each */
#define IPAM_RANGES_MAX 8 /* ranges in one set */
#define IPAM_LOCK_TIMEOUT_MS 30000

/**
 * struct ipam_range - addresses handed out from one subnet, as host-local's
 * "ranges" entries
 * @subnet:	the subnet, no host bits
 * @start:	first address handed out; family 0: the subnet's first host
 * @end:	last address handed out; family 0: its last host (for IPv4 the
 *		one before the broadcast address)
 * @gateway:	never handed out; family 0: the subnet's first host
 */
struct ipam_range {
	struct inet_prefix subnet;
	struct inet_addr start;
	struct inet_addr end;
	struct inet_addr gateway;
};

/**
 * struct ipam_set - ranges to choose one address from (host-local's range set)
 * @n:		how many ranges
 * @range:	the ranges, tried in order
 */
struct ipam_set {
	size_t n;
	struct ipam_range range[IPAM_RANGES_MAX];
};

/**
 * struct ipam_lease - an address held by an attachment
 * @addr:	the address with its subnet's prefix length
 * @gateway:	the gateway of its range
 * @set:	index of the range set it came from
 */
struct ipam_lease {
	struct inet_prefix addr;
	struct inet_addr gateway;
	unsigned int set;
};

/**
 * struct ipam - the lease store of one network: <data dir>/<network>/
 * @dirfd:	the network's directory
 * @indexfd:	its "plumb-index" directory: plumb's leases by attachment
 * @lockfd:	its "lock" file, shared with host-local
 * @lock_timeout_ms: how long to wait for the lock; ipam_open() sets
 *		IPAM_LOCK_TIMEOUT_MS, tests may lower it
 * @boot_id:	this boot's id (/proc/sys/kernel/random/boot_id), recorded with
 *		each lease; tests may overwrite it after ipam_open() to act
 *		out a reboot
 *
 * One process, one thread: the lock is an flock() on @lockfd, which belongs
 * to the open file, so a child must not use its parent's struct ipam but
 * open its own.
 */
struct ipam {
	int dirfd;
	int indexfd;
	int lockfd;
	unsigned int lock_timeout_ms;
	char boot_id[40];
};

#define IPAM_ROUTES_MAX 16
#define IPAM_DATA_DIR "/var/lib/cni/networks" /* host-local's */

/**
 * struct ipam_conf - the "ipam" section of a CNI configuration, as host-local
 * reads it
 * @data_dir:	"dataDir", IPAM_DATA_DIR by default
 * @n_sets:	range sets ("ranges", and the older "subnet" & co. first)
 * @sets:	the sets, ranges filled in with their defaults
 * @n_routes:	"routes" for the result
 * @route_dst:	their destinations
 * @route_gw:	their gateways, family 0 for none
 * @resolv_conf: "resolvConf", "" for none
 */
struct ipam_conf {
	char data_dir[4096];
	size_t n_sets;
	struct ipam_set sets[IPAM_SETS_MAX];
	size_t n_routes;
	struct inet_prefix route_dst[IPAM_ROUTES_MAX];
	struct inet_addr route_gw[IPAM_ROUTES_MAX];
	char resolv_conf[4096];
};

int ipam_conf_parse(const json_t *ipam, struct ipam_conf *c);
int ipam_range_fill_try(struct ipam_range *r, struct log_msg *m);
int ipam_range_fill(struct ipam_range *r);
int ipam_open(struct ipam *ipam, const char *data_dir, const char *network);
void ipam_close(struct ipam *ipam);
int ipam_lease_claim(struct ipam *ipam, const struct ipam_set *sets, size_t n_sets,
		     const char *id, const char *ifname, const struct inet_addr *want,
		     struct ipam_lease *leases);
int ipam_lease_release(struct ipam *ipam, const char *id, const char *ifname);
int ipam_lease_find(struct ipam *ipam, const struct ipam_set *sets, size_t n_sets,
		    const char *id, const char *ifname, struct ipam_lease *leases,
		    size_t max);
int ipam_set_has_free(struct ipam *ipam, const struct ipam_set *set);
int ipam_gc(struct ipam *ipam, int (*keep)(const char *id, const char *ifname, void *arg),
	    void *arg);

#endif
