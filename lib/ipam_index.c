// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam_index: plumb's index of the lease store, by attachment.
 *
 * Theory of operation: lib/ipam_store.c's top comment describes the store;
 * this file keeps what plumb adds to host-local's layout. An entry
 * plumb-index/<id>:<ifname> holds "boot <boot id>" and the addresses leased
 * to that attachment, so that a claim and a release read one file and the
 * lease files it lists instead of every lease. An entry is only a pointer:
 * a lease is removed only while its file still names the attachment. The
 * first claim of a boot releases the entries of earlier boots, whose
 * containers died with the machine (plumb-boot says which boot did it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/fault.h>
#include <plumb/log.h>

#include "ipam_store.h"

#define IPAM_TMP_PREFIX ".tmp." /* entries being written */

/* An index entry. */
struct ipam_entry {
	char boot[sizeof(((struct ipam *)0)->boot_id)];
	size_t n;
	struct inet_addr addr[IPAM_SETS_MAX];
};

static void ipam_entry_name(const char *id, const char *ifname, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", id, ifname);
}

static int ipam_entry_read(struct ipam *ipam, const char *name, struct ipam_entry *e)
{
	char buf[IPAM_FILE_MAX], *line, *save = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = ipam_store_read(ipam->indexfd, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line = ipam_store_trim(line);
		if (!strncmp(line, "boot ", 5))
			snprintf(e->boot, sizeof(e->boot), "%s",
				 ipam_store_trim(line + 5));
		else if (e->n < IPAM_SETS_MAX && !inet_addr_parse(line, &e->addr[e->n]))
			e->n++;
	}
	return 0;
}

/**
 * ipam_index_held() - the addresses an attachment holds, by its index entry
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 * @h:		filled with the addresses of the entry whose lease files still
 *		name (@id, @ifname)
 *
 * Reads the entry and the files it lists, nothing else. An entry whose
 * files name someone else (host-local's DEL released them, another
 * container may hold them now) is stale: @h->n is then 0.
 *
 * Return: 0, or -ENOENT (not logged) when there is no readable entry.
 */
int ipam_index_held(struct ipam *ipam, const char *id, const char *ifname,
		    struct ipam_held *h)
{
	char name[IPAM_NAME_MAX], addr[INET_ADDR_STRLEN];
	struct ipam_owner o;
	struct ipam_entry e;
	size_t i;

	*h = (struct ipam_held){ .id = id, .ifname = ifname };
	ipam_entry_name(id, ifname, name, sizeof(name));
	if (ipam_entry_read(ipam, name, &e) < 0)
		return -ENOENT;
	for (i = 0; i < e.n; i++) {
		inet_addr_str(&e.addr[i], addr, sizeof(addr));
		if (!ipam_store_owner_read(ipam->dirfd, addr, &o) &&
		    ipam_store_owner_is(&o, id, ifname) == 2)
			h->addr[h->n++] = e.addr[i];
	}
	return 0;
}

/**
 * ipam_index_write() - record the leases of an attachment in its entry
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 * @leases:	its leases
 * @n:		how many, at most IPAM_SETS_MAX
 *
 * Written to a temporary file renamed over the entry, so that a reader
 * never sees half of one; an old entry is replaced.
 *
 * Return: 0 or negative errno (logged).
 */
int ipam_index_write(struct ipam *ipam, const char *id, const char *ifname,
		     const struct ipam_lease *leases, size_t n)
{
	char name[IPAM_NAME_MAX], tmp[sizeof(IPAM_TMP_PREFIX) + IPAM_NAME_MAX];
	char buf[IPAM_FILE_MAX], addr[INET_ADDR_STRLEN];
	size_t len, i;
	int ret;

	ipam_entry_name(id, ifname, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), IPAM_TMP_PREFIX "%s", name);
	len = (size_t)snprintf(buf, sizeof(buf), "boot %s\n", ipam->boot_id);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n",
					inet_addr_str(&leases[i].addr.addr, addr,
						      sizeof(addr)));
	ret = ipam_store_write(ipam->indexfd, tmp, buf, len, 0);
	if (!ret)
		fault_point("index-tmp-written");
	if (!ret && renameat(ipam->indexfd, tmp, ipam->indexfd, name) < 0) {
		ret = -errno;
		unlinkat(ipam->indexfd, tmp, 0);
	}
	if (ret < 0)
		return log_err(ret, "write index entry %s", name);
	return 0;
}

/**
 * ipam_index_del() - remove the index entry of an attachment, not its leases
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 *
 * The temporary file of a write killed before its rename goes too.
 *
 * Return: 0 (also when there is no entry) or negative errno (logged).
 */
int ipam_index_del(struct ipam *ipam, const char *id, const char *ifname)
{
	char name[IPAM_NAME_MAX], tmp[sizeof(IPAM_TMP_PREFIX) + IPAM_NAME_MAX];

	ipam_entry_name(id, ifname, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), IPAM_TMP_PREFIX "%s", name);
	unlinkat(ipam->indexfd, tmp, 0);
	if (unlinkat(ipam->indexfd, name, 0) < 0 && errno != ENOENT)
		return log_err(-errno, "remove index entry %s", name);
	return 0;
}

/**
 * ipam_index_release() - release the leases an index entry lists, then it
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 *
 * Only lease files that still name (@id, @ifname) are removed. An entry
 * that cannot be read is removed with a warning: the lease files tell the
 * rest.
 *
 * Return: how many lease files were removed, -ENOENT (not logged) when
 * there is no usable entry, or negative errno (logged).
 */
int ipam_index_release(struct ipam *ipam, const char *id, const char *ifname)
{
	char name[IPAM_NAME_MAX], addr[INET_ADDR_STRLEN];
	struct ipam_entry e;
	int ret, count = 0;
	size_t i;

	ipam_entry_name(id, ifname, name, sizeof(name));
	ret = ipam_entry_read(ipam, name, &e);
	if (ret < 0 && ret != -ENOENT)
		log_warn("index entry %s unreadable (%s); removing it", name,
			 strerror(-ret));
	if (ret < 0) {
		ipam_index_del(ipam, id, ifname);
		return -ENOENT;
	}
	for (i = 0; i < e.n; i++) {
		inet_addr_str(&e.addr[i], addr, sizeof(addr));
		ret = ipam_store_lease_drop(ipam, addr, id, ifname);
		if (ret < 0)
			return ret;
		count += ret;
	}
	ret = ipam_index_del(ipam, id, ifname);
	return ret < 0 ? ret : count;
}

/**
 * ipam_index_walk() - call a function for the attachment of every entry
 * @ipam:	the store, locked
 * @fn:		called with each attachment; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Temporary files left by an interrupted ipam_index_write() are removed on
 * the way. Reads the whole index: only for GC and boot reclaim.
 *
 * Return: 0, what @fn returned when negative, or negative errno (logged).
 */
int ipam_index_walk(struct ipam *ipam,
		    int (*fn)(struct ipam *ipam, const char *id, const char *ifname,
			      void *arg),
		    void *arg)
{
	char id[IPAM_NAME_MAX], *colon;
	struct dirent *de;
	DIR *dir;
	int ret;

	ret = ipam_store_opendir(ipam->indexfd, IPAM_INDEX_DIR, &dir);
	if (ret < 0)
		return ret;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, IPAM_TMP_PREFIX, strlen(IPAM_TMP_PREFIX)))
			unlinkat(ipam->indexfd, de->d_name, 0); /* we hold the lock */
		snprintf(id, sizeof(id), "%s", de->d_name);
		colon = strchr(id, ':');
		if (id[0] == '.' || !colon)
			continue;
		*colon = '\0';
		ret = fn(ipam, id, colon + 1, arg);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}

static int ipam_reclaim_one(struct ipam *ipam, const char *id, const char *ifname,
			    void *arg)
{
	char name[IPAM_NAME_MAX];
	struct ipam_entry e;
	int ret;

	(void)arg;
	ipam_entry_name(id, ifname, name, sizeof(name));
	if (ipam_entry_read(ipam, name, &e) < 0 || !strcmp(e.boot, ipam->boot_id))
		return 0;
	ret = ipam_index_release(ipam, id, ifname);
	return ret == -ENOENT ? 0 : ret;
}

/**
 * ipam_index_boot_reclaim() - release plumb's leases of earlier boots
 * @ipam:	the store, locked
 *
 * Their containers died with the machine. Only indexed leases: host-local's
 * are not ours to judge. Once a boot has done it (plumb-boot holds this
 * boot's id), it costs one small read.
 *
 * Return: 0 or negative errno (logged).
 */
int ipam_index_boot_reclaim(struct ipam *ipam)
{
	char buf[IPAM_FILE_MAX];
	int ret, len;

	ret = ipam_store_read(ipam->dirfd, IPAM_BOOT_FILE, buf, sizeof(buf));
	if (ret >= 0 && !strcmp(ipam_store_trim(buf), ipam->boot_id))
		return 0;
	ret = ipam_index_walk(ipam, ipam_reclaim_one, NULL);
	if (ret < 0)
		return ret;
	len = snprintf(buf, sizeof(buf), "%s\n", ipam->boot_id);
	ret = ipam_store_write(ipam->dirfd, IPAM_BOOT_FILE, buf, (size_t)len, 0);
	if (ret < 0)
		return log_err(ret, "write " IPAM_BOOT_FILE);
	return 0;
}
