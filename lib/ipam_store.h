/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipam_store, ipam_index: the on-disk lease store behind lib/ipam.c; private to lib/. */
#ifndef PLUMB_IPAM_STORE_H
#define PLUMB_IPAM_STORE_H

#include <dirent.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>

#include <plumb/inet.h>
#include <plumb/ipam.h>

#define IPAM_INDEX_DIR "plumb-index"
#define IPAM_BOOT_FILE "plumb-boot"
#define IPAM_LAST_FILE "last_reserved_ip."
#define IPAM_LAST_NAME_MAX (sizeof(IPAM_LAST_FILE) + 20) /* + "%zu" */
#define IPAM_NAME_MAX (NAME_MAX + 1)
#define IPAM_FILE_MAX 1024 /* largest file of ours we read */
#define IPAM_HELD_MAX (2 * IPAM_SETS_MAX)

/* Who a lease file names: ifname is "" in host-local's legacy "<id>" form. */
struct ipam_owner {
	char id[IPAM_NAME_MAX];
	char ifname[IF_NAMESIZE];
};

/* A lease file found by ipam_store_scan(). */
struct ipam_seen {
	const char *name;
	struct inet_addr addr;
	struct ipam_owner owner;
};

/* Addresses an attachment holds. */
struct ipam_held {
	const char *id;
	const char *ifname;
	size_t n;
	struct inet_addr addr[IPAM_HELD_MAX];
};

char *ipam_store_trim(char *s);
int ipam_store_read(int dirfd, const char *name, char *buf, size_t size);
int ipam_store_write(int dirfd, const char *name, const char *buf, size_t len, int excl);
int ipam_store_owner_read(int dirfd, const char *name, struct ipam_owner *o);
int ipam_store_owner_is(const struct ipam_owner *o, const char *id, const char *ifname);
int ipam_store_lease_drop(struct ipam *ipam, const char *name, const char *id,
			  const char *ifname);
int ipam_store_opendir(int dirfd, const char *what, DIR **dir);
int ipam_store_lock(struct ipam *ipam);
void ipam_store_unlock(struct ipam *ipam);
int ipam_store_scan(struct ipam *ipam,
		    int (*fn)(struct ipam *ipam, const struct ipam_seen *s, void *arg),
		    void *arg);
int ipam_store_drop(struct ipam *ipam, const char *id, const char *ifname, int legacy);
int ipam_store_scan_release(struct ipam *ipam, const char *id, const char *ifname);
int ipam_store_scan_held(struct ipam *ipam, const char *id, const char *ifname,
			 struct ipam_held *h);

int ipam_index_held(struct ipam *ipam, const char *id, const char *ifname,
		    struct ipam_held *h);
int ipam_index_write(struct ipam *ipam, const char *id, const char *ifname,
		     const struct ipam_lease *leases, size_t n);
int ipam_index_del(struct ipam *ipam, const char *id, const char *ifname);
int ipam_index_release(struct ipam *ipam, const char *id, const char *ifname);
int ipam_index_boot_reclaim(struct ipam *ipam);
int ipam_index_walk(struct ipam *ipam,
		    int (*fn)(struct ipam *ipam, const char *id, const char *ifname,
			      void *arg),
		    void *arg);

#endif
