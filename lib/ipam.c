// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam: address leases of a network, allocated as the CNI host-local plugin
 * allocates them.
 *
 * Theory of operation: this file holds the ranges and the allocation; the
 * store they are kept in (host-local's directory of lease files, the lock)
 * is lib/ipam_store.c, whose top comment describes the layout, and plumb's
 * index by attachment, with boot reclaim, is lib/ipam_index.c.
 *
 * A range set is a list of ranges, one address taken from the set per
 * claim. ipam_range_fill() gives a range host-local's defaults and refuses
 * what host-local would refuse. A claim walks a set round robin as
 * host-local's RangeIter does: from the address after last_reserved_ip.<n>
 * through each range to its end, then on to the next range, wrapping
 * around, and takes the first address whose lease file it can create with
 * O_EXCL. Wanted (static) addresses are checked against the set and taken
 * the same way.
 *
 * The cost of a claim does not depend on how many leases the network holds:
 * under the lock it reads plumb-boot, the attachment's index entry and the
 * files that entry lists, last_reserved_ip.<n>, then creates lease files
 * until one is free (one, unless the addresses after the last reserved one
 * are taken: a nearly full pool) and writes the new entry. It never lists
 * the lease directory, and plumb-index only in the first claim of a boot
 * (boot reclaim). Hence a claim for an attachment whose leases host-local
 * made is not refused as a second ADD: only a scan could find those.
 * Release and find fall back to that scan for attachments without an entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/ipam.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/name.h>

#include "ipam_store.h"

#define IPAM_SET_STRLEN 1024

struct ipam_gc {
	int (*keep)(const char *id, const char *ifname, void *arg);
	void *arg;
	int count;
};

/* Position in the round-robin walk of a range set, as host-local's RangeIter. */
struct ipam_iter {
	const struct ipam_set *set;
	size_t idx;
	struct inet_addr cur;
};

static int ipam_addr_in(const char *what, const struct inet_addr *a,
			const struct inet_prefix *subnet, struct log_msg *m)
{
	char addr[INET_ADDR_STRLEN], sub[INET_PREFIX_STRLEN];

	if (inet_prefix_contains(subnet, a))
		return 0;
	return log_msg_errx(m, -EINVAL, "%s %s is outside subnet %s", what,
			    inet_addr_str(a, addr, sizeof(addr)),
			    inet_prefix_str(subnet, sub, sizeof(sub)));
}

static int ipam_range_check(const struct ipam_range *r, const struct inet_addr *last,
			    const char *sub, struct log_msg *m)
{
	char a[INET_ADDR_STRLEN], b[INET_ADDR_STRLEN];
	int ret;

	ret = ipam_addr_in("gateway", &r->gateway, &r->subnet, m);
	if (!ret)
		ret = ipam_addr_in("range start", &r->start, &r->subnet, m);
	if (!ret)
		ret = ipam_addr_in("range end", &r->end, &r->subnet, m);
	if (ret)
		return ret;
	if (inet_addr_eq(&r->start, &r->subnet.addr))
		return log_msg_errx(m, -EINVAL,
				    "range start %s is the address of subnet %s itself",
				    inet_addr_str(&r->start, a, sizeof(a)), sub);
	if (r->subnet.addr.family == AF_INET && inet_addr_eq(&r->end, last))
		return log_msg_errx(m, -EINVAL,
				    "range end %s is the broadcast address of %s",
				    inet_addr_str(&r->end, a, sizeof(a)), sub);
	if (inet_addr_cmp(&r->start, &r->end) > 0)
		return log_msg_errx(m, -EINVAL, "range start %s is after range end %s",
				    inet_addr_str(&r->start, a, sizeof(a)),
				    inet_addr_str(&r->end, b, sizeof(b)));
	return 0;
}

/**
 * ipam_range_fill_try() - fill in the defaults of a range and check it
 * @r:		the range; @r->subnet is required
 * @m:		what is wrong, or NULL
 *
 * As host-local's defaults: the gateway and the start are the subnet's first
 * host, the end its last (for IPv4 the one before the broadcast address,
 * which is never handed out). Filling a filled range changes nothing.
 *
 * Return: 0, or -EINVAL (in @m, naming the faulty address) for a subnet
 * with host bits or too small to allocate from (IPv4 longer than /30, IPv6
 * longer than /126), a gateway, start or end outside the subnet, a start on
 * the subnet's own address, an IPv4 end on the broadcast address, or a start
 * after the end.
 */
int ipam_range_fill_try(struct ipam_range *r, struct log_msg *m)
{
	const struct inet_prefix *s = &r->subnet;
	char sub[INET_PREFIX_STRLEN];
	struct inet_addr first, last;
	unsigned int bits;

	if (s->addr.family != AF_INET && s->addr.family != AF_INET6)
		return log_msg_errx(m, -EINVAL, "address range without a subnet");
	bits = inet_addr_bits(&s->addr);
	inet_prefix_str(s, sub, sizeof(sub));
	if (s->len > bits)
		return log_msg_errx(m, -EINVAL, "invalid subnet %s: prefix longer than %u",
				    sub, bits);
	if (inet_prefix_has_host_bits(s))
		return log_msg_errx(m, -EINVAL, "invalid subnet %s: host bits set", sub);
	if (s->len > bits - 2)
		return log_msg_errx(m, -EINVAL,
				    "subnet %s is too small to allocate from: "
				    "want a prefix of /%u or shorter",
				    sub, bits - 2);
	first = s->addr;
	inet_addr_add(&first, 1);
	inet_prefix_last(s, &last);
	if (!r->gateway.family)
		r->gateway = first;
	if (!r->start.family)
		r->start = first;
	if (!r->end.family) {
		r->end = last;
		if (s->addr.family == AF_INET)
			r->end.b[3]--; /* host bits all ones: no borrow */
	}
	return ipam_range_check(r, &last, sub, m);
}

/**
 * ipam_range_fill() - ipam_range_fill_try(), saying what is wrong
 * @r:		the range
 *
 * Return: 0, or -EINVAL (logged).
 */
int ipam_range_fill(struct ipam_range *r)
{
	struct log_msg m;

	return ipam_range_fill_try(r, &m) < 0 ? log_msg_report(&m) : 0;
}

/* Fill copies of the caller's sets, so that claim never walks a bad range. */
static int ipam_sets_fill(const struct ipam_set *sets, size_t n_sets,
			  struct ipam_set *out)
{
	size_t i, k;
	int ret;

	if (!n_sets || n_sets > IPAM_SETS_MAX)
		return log_errx(-EINVAL, "%zu range sets: want 1 to %d", n_sets,
				IPAM_SETS_MAX);
	for (i = 0; i < n_sets; i++) {
		if (!sets[i].n || sets[i].n > IPAM_RANGES_MAX)
			return log_errx(-EINVAL,
					"range set %zu has %zu ranges: want 1 to %d", i,
					sets[i].n, IPAM_RANGES_MAX);
		out[i] = sets[i];
		for (k = 0; k < out[i].n; k++) {
			ret = ipam_range_fill(&out[i].range[k]);
			if (ret < 0)
				return ret;
			if (out[i].range[k].subnet.addr.family !=
			    out[i].range[0].subnet.addr.family)
				return log_errx(-EINVAL,
						"range set %zu mixes IPv4 and IPv6", i);
		}
	}
	return 0;
}

/* The set's subnets ("10.88.0.0/29, ...") or ranges ("10.88.0.2-10.88.0.6"). */
static const char *ipam_set_str(const struct ipam_set *set, int ranges, char *buf,
				size_t size)
{
	char a[INET_PREFIX_STRLEN], b[INET_ADDR_STRLEN];
	const struct ipam_range *r;
	size_t k, len = 0;

	buf[0] = '\0';
	for (k = 0, r = set->range; k < set->n && len < size; k++, r++) {
		if (ranges)
			inet_addr_str(&r->start, a, sizeof(a));
		else
			inet_prefix_str(&r->subnet, a, sizeof(a));
		len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", k ? ", " : "",
					a, ranges ? "-" : "",
					ranges ? inet_addr_str(&r->end, b, sizeof(b)) :
						 "");
	}
	return buf;
}

/* The range of @set from whose start to end @a is, or -1. */
static int ipam_range_find(const struct ipam_set *set, const struct inet_addr *a)
{
	size_t k;

	for (k = 0; k < set->n; k++) {
		if (a->family == set->range[k].start.family &&
		    inet_addr_cmp(a, &set->range[k].start) >= 0 &&
		    inet_addr_cmp(a, &set->range[k].end) <= 0)
			return (int)k;
	}
	return -1;
}

static int ipam_last_read(struct ipam *ipam, size_t set, struct inet_addr *a)
{
	char name[IPAM_LAST_NAME_MAX], buf[IPAM_FILE_MAX];
	int ret;

	snprintf(name, sizeof(name), IPAM_LAST_FILE "%zu", set);
	ret = ipam_store_read(ipam->dirfd, name, buf, sizeof(buf));
	return ret < 0 ? ret : inet_addr_parse(ipam_store_trim(buf), a);
}

/*
 * Reserve @a in range @k of set @i, then record it as the set's last
 * reserved address (host-local writes it without a newline). Return: 0,
 * -EEXIST (not logged) when @a is taken, or negative errno.
 */
static int ipam_lease_take(struct ipam *ipam, const struct ipam_set *set, size_t i,
			   size_t k, const struct inet_addr *a, const char *id,
			   const char *ifname, struct ipam_lease *lease)
{
	char addr[INET_ADDR_STRLEN], name[IPAM_LAST_NAME_MAX];
	char buf[IPAM_NAME_MAX + IF_NAMESIZE + 2];
	int len, ret;

	inet_addr_str(a, addr, sizeof(addr));
	len = snprintf(buf, sizeof(buf), "%s\r\n%s", id, ifname);
	ret = ipam_store_write(ipam->dirfd, addr, buf, (size_t)len, 1);
	if (ret == -EEXIST)
		return ret;
	if (ret == -EINVAL)
		return log_errx(ret, "reserve %s: not a regular file there", addr);
	if (ret < 0)
		return log_err(ret, "reserve %s", addr);
	snprintf(name, sizeof(name), IPAM_LAST_FILE "%zu", i);
	ret = ipam_store_write(ipam->dirfd, name, addr, strlen(addr), 0);
	if (ret < 0) {
		unlinkat(ipam->dirfd, addr, 0);
		if (ret == -EINVAL)
			return log_errx(ret, "write %s: not a regular file", name);
		return log_err(ret, "write %s", name);
	}
	*lease = (struct ipam_lease){
		.addr = { .addr = *a, .len = set->range[k].subnet.len },
		.gateway = set->range[k].gateway,
		.set = (unsigned int)i,
	};
	return 0;
}

static void ipam_iter_step(struct ipam_iter *it)
{
	if (inet_addr_eq(&it->cur, &it->set->range[it->idx].end)) {
		it->idx = (it->idx + 1) % it->set->n;
		it->cur = it->set->range[it->idx].start;
	} else {
		inet_addr_add(&it->cur, 1);
	}
}

/*
 * Round robin, as host-local: start after the last reserved address when it
 * is in one of the set's ranges, else at the start of the first; walk the
 * ranges in order, wrapping around, until back where the walk began. The
 * walk visits every address of the set once, so it ends.
 */
static int ipam_set_alloc(struct ipam *ipam, const struct ipam_set *set, size_t i,
			  const char *id, const char *ifname, struct ipam_lease *lease)
{
	struct ipam_iter it = { .set = set, .cur = set->range[0].start };
	char subs[IPAM_SET_STRLEN];
	struct inet_addr first;
	int k = -1, ret;

	if (!ipam_last_read(ipam, i, &first))
		k = ipam_range_find(set, &first);
	if (k >= 0) {
		it.idx = (size_t)k;
		it.cur = first;
		ipam_iter_step(&it);
	}
	first = it.cur;
	do {
		if (!inet_addr_eq(&it.cur, &set->range[it.idx].gateway)) {
			ret = ipam_lease_take(ipam, set, i, it.idx, &it.cur, id, ifname,
					      lease);
			if (ret != -EEXIST)
				return ret;
		}
		ipam_iter_step(&it);
	} while (!inet_addr_eq(&it.cur, &first));
	return log_errx(-EADDRNOTAVAIL, "no free address in %s",
			ipam_set_str(set, 0, subs, sizeof(subs)));
}

static int ipam_set_static(struct ipam *ipam, const struct ipam_set *set, size_t i,
			   const struct inet_addr *want, const char *id,
			   const char *ifname, struct ipam_lease *lease)
{
	char addr[INET_ADDR_STRLEN], subs[IPAM_SET_STRLEN];
	struct ipam_owner o;
	int k, ret;
	size_t g;

	inet_addr_str(want, addr, sizeof(addr));
	k = ipam_range_find(set, want);
	if (k < 0)
		return log_errx(-EINVAL, "requested address %s is outside %s", addr,
				ipam_set_str(set, 1, subs, sizeof(subs)));
	for (g = 0; g < set->n; g++) {
		if (inet_addr_eq(want, &set->range[g].gateway))
			return log_errx(-EINVAL, "requested address %s is a gateway",
					addr);
	}
	ret = ipam_lease_take(ipam, set, i, (size_t)k, want, id, ifname, lease);
	if (ret != -EEXIST)
		return ret;
	if (ipam_store_owner_read(ipam->dirfd, addr, &o) < 0)
		return log_errx(-EADDRINUSE, "requested address %s is already allocated",
				addr);
	return log_errx(-EADDRINUSE,
			"requested address %s is already allocated to container %s", addr,
			o.id);
}

static int ipam_attachment_check(const char *id, const char *ifname)
{
	int ret = name_check("container id", id);

	return ret < 0 ? ret : nl_link_name_check(ifname);
}

/*
 * Check the attachment and fill in @sets (on the copy @filled; no sets for
 * a release), then take the store's lock. Return: 0, or negative errno
 * (logged).
 */
static int ipam_begin(struct ipam *ipam, const char *id, const char *ifname,
		      const struct ipam_set *sets, size_t n_sets, struct ipam_set *filled)
{
	int ret = ipam_attachment_check(id, ifname);

	if (!ret && sets)
		ret = ipam_sets_fill(sets, n_sets, filled);
	return ret < 0 ? ret : ipam_store_lock(ipam);
}

/*
 * An attachment is added once (CNI SPEC: ADD is not repeated without DEL).
 * Only its index entry is read, never every lease: an entry whose files no
 * longer name the attachment is stale and is removed.
 */
static int ipam_claim_once(struct ipam *ipam, const char *id, const char *ifname)
{
	char addr[INET_ADDR_STRLEN];
	struct ipam_held h;

	if (ipam_index_held(ipam, id, ifname, &h) == -ENOENT)
		return 0;
	if (!h.n)
		return ipam_index_del(ipam, id, ifname);
	return log_errx(-EEXIST, "container %s already holds %s for %s in this network",
			id, inet_addr_str(&h.addr[0], addr, sizeof(addr)), ifname);
}

/**
 * ipam_lease_claim() - reserve one address from each range set
 * @ipam:	the store
 * @sets:	the range sets; ranges not yet filled are filled in (see
 *		ipam_range_fill()) on a copy
 * @n_sets:	how many, 1 to IPAM_SETS_MAX
 * @id:		container id (name_check() rules)
 * @ifname:	interface name in the container
 * @want:	NULL, or @n_sets addresses: a family other than 0 asks for that
 *		address in that set
 * @leases:	room for @n_sets leases, filled in set order
 *
 * All or nothing: when a set fails, the addresses this call reserved are
 * released before it returns. The first claim after a reboot first releases
 * plumb's leases of earlier boots.
 *
 * O(1) in the number of leases of the network: a second claim for an
 * attachment is found by its index entry alone. So a claim for an
 * attachment whose leases host-local made (it has no entry) is not refused:
 * finding those would take reading every lease. host-local's own ADD does
 * refuse it.
 *
 * Return: 0, or negative errno (logged): -EEXIST when plumb already leased
 * an address here to the attachment, -EADDRNOTAVAIL when a set is
 * exhausted, -EADDRINUSE when a wanted address is taken (the message names
 * its owner), -EINVAL for a bad set or a wanted address outside its set or
 * a gateway, -ETIMEDOUT when the lock stayed busy.
 */
int ipam_lease_claim(struct ipam *ipam, const struct ipam_set *sets, size_t n_sets,
		     const char *id, const char *ifname, const struct inet_addr *want,
		     struct ipam_lease *leases)
{
	struct ipam_set filled[IPAM_SETS_MAX];
	size_t done = 0;
	int ret;

	ret = ipam_begin(ipam, id, ifname, sets, n_sets, filled);
	if (ret < 0)
		return ret;
	ret = ipam_index_boot_reclaim(ipam);
	if (!ret)
		ret = ipam_claim_once(ipam, id, ifname);
	if (ret < 0)
		goto out;
	for (done = 0; done < n_sets; done++) {
		if (want && want[done].family)
			ret = ipam_set_static(ipam, &filled[done], done, &want[done], id,
					      ifname, &leases[done]);
		else
			ret = ipam_set_alloc(ipam, &filled[done], done, id, ifname,
					     &leases[done]);
		if (ret < 0)
			goto out_release;
	}
	ret = ipam_index_write(ipam, id, ifname, leases, n_sets);
	if (!ret)
		goto out;
out_release:
	while (done--) {
		char addr[INET_ADDR_STRLEN];

		/* Made by us under the lock: no owner check, and no message
		 * that would hide the one saying why the claim failed. */
		unlinkat(ipam->dirfd,
			 inet_addr_str(&leases[done].addr.addr, addr, sizeof(addr)), 0);
	}
out:
	ipam_store_unlock(ipam);
	return ret;
}

/**
 * ipam_lease_release() - release every address an attachment holds
 * @ipam:	the store
 * @id:		container id
 * @ifname:	interface name in the container
 *
 * With an index entry, only the lease files it lists are read, and only
 * those that still name (@id, @ifname) are removed. Without one (a lease
 * made by host-local, or one released already), or when the entry's files
 * are gone, every lease is read as host-local's DEL does: the files of
 * (@id, @ifname), else legacy files of @id. Releasing what is not held is
 * not an error.
 *
 * Return: how many addresses were released (0 when none), or negative
 * errno (logged).
 */
int ipam_lease_release(struct ipam *ipam, const char *id, const char *ifname)
{
	int ret;

	ret = ipam_begin(ipam, id, ifname, NULL, 0, NULL);
	if (ret < 0)
		return ret;
	ret = ipam_index_release(ipam, id, ifname);
	if (!ret || ret == -ENOENT)
		ret = ipam_store_scan_release(ipam, id, ifname);
	ipam_store_unlock(ipam);
	return ret;
}

/* Place an address in the range that holds it; -1 if none does. */
static int ipam_lease_fit(const struct ipam_set *sets, size_t n_sets,
			  const struct inet_addr *a, struct ipam_lease *lease)
{
	size_t i;
	int k;

	for (i = 0; i < n_sets; i++) {
		k = ipam_range_find(&sets[i], a);
		if (k < 0)
			continue;
		*lease = (struct ipam_lease){
			.addr = { .addr = *a, .len = sets[i].range[k].subnet.len },
			.gateway = sets[i].range[k].gateway,
			.set = (unsigned int)i,
		};
		return 0;
	}
	return -1;
}

/**
 * ipam_lease_find() - the addresses an attachment holds
 * @ipam:	the store
 * @sets:	the range sets, which give each lease its prefix length,
 *		gateway and set
 * @n_sets:	how many
 * @id:		container id
 * @ifname:	interface name in the container
 * @leases:	where to put them, in set order
 * @max:	room at @leases
 *
 * From the index entry, else by reading every lease (a host-local lease,
 * or an entry left stale by host-local's DEL); that scan also removes the
 * empty leases of killed writers (ipam_store_scan()). Leases in none of the
 * ranges of @sets are left out.
 *
 * Return: how many leases were stored (at most @max), or negative errno
 * (logged).
 */
int ipam_lease_find(struct ipam *ipam, const struct ipam_set *sets, size_t n_sets,
		    const char *id, const char *ifname, struct ipam_lease *leases,
		    size_t max)
{
	struct ipam_set filled[IPAM_SETS_MAX];
	struct ipam_lease tmp;
	struct ipam_held h;
	size_t i, j, n = 0;
	int ret;

	ret = ipam_begin(ipam, id, ifname, sets, n_sets, filled);
	if (ret < 0)
		return ret;
	ret = ipam_index_held(ipam, id, ifname, &h);
	if (ret == -ENOENT || !h.n) /* host-local's, or a stale entry */
		ret = ipam_store_scan_held(ipam, id, ifname, &h);
	ipam_store_unlock(ipam);
	if (ret < 0)
		return ret;
	for (i = 0; i < h.n && n < max; i++) {
		if (ipam_lease_fit(filled, n_sets, &h.addr[i], &tmp) < 0)
			continue;
		for (j = n++; j && leases[j - 1].set > tmp.set; j--)
			leases[j] = leases[j - 1];
		leases[j] = tmp;
	}
	return (int)n;
}

static int ipam_gc_entry(struct ipam *ipam, const char *id, const char *ifname, void *arg)
{
	struct ipam_gc *gc = arg;
	int ret;

	ret = gc->keep(id, ifname, gc->arg);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = ipam_index_release(ipam, id, ifname);
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	gc->count++;
	return 0;
}

static int ipam_gc_lease(struct ipam *ipam, const struct ipam_seen *s, void *arg)
{
	struct ipam_gc *gc = arg;
	int ret;

	ret = gc->keep(s->owner.id, s->owner.ifname, gc->arg);
	if (ret)
		return ret < 0 ? ret : 0;
	/* Every file of this attachment at once, so it counts once. */
	ret = ipam_store_drop(ipam, s->owner.id, s->owner.ifname, !s->owner.ifname[0]);
	if (ret < 0)
		return ret;
	gc->count += ret > 0;
	return 0;
}

/**
 * ipam_gc() - release every attachment that is not to be kept
 * @ipam:	the store
 * @keep:	returns 1 to keep (@id, @ifname), 0 to release it, negative
 *		errno to stop; it may be asked more than once about one
 *		attachment, and gets an @ifname of "" for a legacy host-local
 *		lease that names only its container
 * @arg:	passed to @keep
 *
 * Attachments of the index and attachments found in lease files (made by
 * host-local) alike. Files that are not leases (lock, last_reserved_ip.*,
 * plumb-index, plumb-boot, any name that is not an address) are left alone.
 *
 * Return: how many attachments were released, or negative errno (logged,
 * or what @keep returned).
 */
int ipam_gc(struct ipam *ipam, int (*keep)(const char *id, const char *ifname, void *arg),
	    void *arg)
{
	struct ipam_gc gc = { .keep = keep, .arg = arg };
	int ret;

	ret = ipam_store_lock(ipam);
	if (ret < 0)
		return ret;
	ret = ipam_index_walk(ipam, ipam_gc_entry, &gc);
	if (!ret)
		ret = ipam_store_scan(ipam, ipam_gc_lease, &gc);
	ipam_store_unlock(ipam);
	return ret < 0 ? ret : gc.count;
}

/**
 * ipam_set_has_free() - tell whether a range set has an address left
 * @ipam:	the store
 * @set:	the range set
 *
 * For CNI STATUS: the candidates are probed in order, so a pool with room
 * answers after a few looks; a full one takes a look per address.
 *
 * Return: 1 when an address is free, 0 when the set is exhausted, or
 * negative errno (logged).
 */
int ipam_set_has_free(struct ipam *ipam, const struct ipam_set *set)
{
	char name[INET_ADDR_STRLEN];
	struct ipam_set filled;
	struct inet_addr a;
	size_t k;
	int ret;

	ret = ipam_sets_fill(set, 1, &filled);
	if (ret < 0)
		return ret;
	for (k = 0; k < filled.n; k++) {
		const struct ipam_range *r = &filled.range[k];

		for (a = r->start; inet_addr_cmp(&a, &r->end) <= 0;
		     inet_addr_add(&a, 1)) {
			if (inet_addr_eq(&a, &r->gateway))
				continue;
			inet_addr_str(&a, name, sizeof(name));
			if (faccessat(ipam->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
			    errno == ENOENT)
				return 1;
			if (inet_addr_eq(&a, &r->end))
				break; /* the end of the family's space: no wrap */
		}
	}
	return 0;
}
