// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam: address leases on disk, in the format of the CNI host-local plugin.
 *
 * Theory of operation: the store of a network is the directory
 * <data dir>/<network>/, laid out exactly as host-local (containernetworking
 * plugins, backend/disk) lays it out, so that plumb and host-local can serve
 * one network side by side:
 *
 *	lock			flock(LOCK_EX) around every change, by both
 *	10.88.0.2, fd00::2	one file per address, "<id>\r\n<ifname>"
 *				(older host-local: "<id>"); creating it with
 *				O_CREAT|O_EXCL is the reservation
 *	last_reserved_ip.<n>	the last address handed out from range set n;
 *				the next search starts after it (round robin)
 *
 * The lease files are the truth. host-local finds the leases of a container
 * by reading every file; plumb adds what it needs to do better, in names
 * host-local never takes for leases (it only ever opens names it printed
 * from an address, and compares the content of the others with an id):
 *
 *	plumb-index/<id>:<ifname>  "boot <boot id>\n" then one address a line:
 *				the leases plumb made for that attachment, so
 *				release reads one file instead of all of them
 *	plumb-boot		the boot id of the last claim
 *
 * An index entry is only a pointer: a lease file is removed only while its
 * content still names the attachment, so an entry left stale by host-local's
 * DEL never costs another container its address. An attachment without an
 * entry (made by host-local) is found by reading every lease, as host-local
 * does. After a reboot the first claim releases the entries of earlier boots
 * (their containers are gone); host-local's leases are left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <plumb/cni.h>
#include <plumb/ipam.h>
#include <plumb/link.h>
#include <plumb/log.h>

#define IPAM_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define IPAM_LOCK_FILE "lock"
#define IPAM_LAST_FILE "last_reserved_ip."
#define IPAM_LAST_NAME_MAX (sizeof(IPAM_LAST_FILE) + 20) /* + "%zu" */
#define IPAM_INDEX_DIR "plumb-index"
#define IPAM_BOOT_FILE "plumb-boot"
#define IPAM_TMP_PREFIX ".tmp." /* index entries being written */
#define IPAM_NAME_MAX (NAME_MAX + 1)
#define IPAM_FILE_MAX 1024 /* largest file of ours we read */
#define IPAM_HELD_MAX (2 * IPAM_SETS_MAX)
#define IPAM_SET_STRLEN 1024

/* Who a lease file names: ifname is "" in host-local's legacy "<id>" form. */
struct ipam_owner {
	char id[IPAM_NAME_MAX];
	char ifname[IF_NAMESIZE];
};

/* A lease file found by ipam_scan(). */
struct ipam_seen {
	const char *name;
	struct inet_addr addr;
	struct ipam_owner owner;
};

/* An index entry. */
struct ipam_entry {
	char boot[sizeof(((struct ipam *)0)->boot_id)];
	size_t n;
	struct inet_addr addr[IPAM_SETS_MAX];
};

/* Addresses an attachment holds. */
struct ipam_held {
	const char *id;
	const char *ifname;
	size_t n;
	struct inet_addr addr[IPAM_HELD_MAX];
};

/* Lease files to remove: those of (id, ifname), or legacy ones of id. */
struct ipam_match {
	const char *id;
	const char *ifname;
	int legacy;
	int count;
};

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

static char *ipam_trim(char *s)
{
	size_t n;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		s[--n] = '\0';
	return s;
}

/*
 * Read a small regular file, NUL-terminated. O_NONBLOCK so that a FIFO
 * planted under a lease name cannot block us; it is then refused as not
 * regular. Not logged: a missing or foreign file is often expected.
 */
static int ipam_file_read(int dirfd, const char *name, char *buf, size_t size)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	ret = len == size - 1 ? -EFBIG : (int)len;
out:
	close(fd);
	return ret;
}

/*
 * Write a file of ours, 0600: @excl creates it exclusively (a lease), else
 * it is created or truncated. A file that could not be written in full is
 * removed. Not logged: the caller knows what the file is.
 */
static int ipam_file_write(int dirfd, const char *name, const char *buf, size_t len,
			   int excl)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
		    (excl ? O_EXCL : O_TRUNC);
	ssize_t n;
	int fd, ret = 0;

	fd = openat(dirfd, name, flags, 0600);
	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		unlinkat(dirfd, name, 0);
	return ret;
}

/* A lease file is named by its address exactly as inet_ntop() prints it. */
static int ipam_lease_name(const char *name, struct inet_addr *a)
{
	char buf[INET_ADDR_STRLEN];

	if (inet_addr_parse(name, a) < 0)
		return 0;
	return !strcmp(inet_addr_str(a, buf, sizeof(buf)), name);
}

/* Read "<id>\r\n<ifname>" or "<id>", with white space around, as host-local. */
static int ipam_owner_read(int dirfd, const char *name, struct ipam_owner *o)
{
	char buf[IPAM_FILE_MAX], *s, *ifname = "", *crlf;
	int ret;

	ret = ipam_file_read(dirfd, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	s = ipam_trim(buf);
	crlf = strstr(s, "\r\n");
	if (crlf) {
		*crlf = '\0';
		ifname = crlf + 2;
	}
	if (!*s || strlen(s) >= sizeof(o->id) || strlen(ifname) >= sizeof(o->ifname))
		return -EINVAL;
	strcpy(o->id, s);
	strcpy(o->ifname, ifname);
	return 0;
}

/* 2: the lease is (id, ifname)'s; 1: a legacy lease of @id; 0: neither. */
static int ipam_owner_is(const struct ipam_owner *o, const char *id, const char *ifname)
{
	if (strcmp(o->id, id))
		return 0;
	if (!o->ifname[0])
		return 1;
	return strcmp(o->ifname, ifname) ? 0 : 2;
}

/* Remove the lease file @name if it still belongs to (id, ifname): 1 if so. */
static int ipam_lease_drop(struct ipam *ipam, const char *name, const char *id,
			   const char *ifname)
{
	struct ipam_owner o;

	if (ipam_owner_read(ipam->dirfd, name, &o) < 0 ||
	    ipam_owner_is(&o, id, ifname) != 2)
		return 0;
	if (unlinkat(ipam->dirfd, name, 0) < 0)
		return errno == ENOENT ? 0 : log_err(-errno, "release lease %s", name);
	return 1;
}

/*
 * Call @fn for every lease file: a regular file named by an address whose
 * content names an owner. Anything else in the directory is never passed on.
 * The directory is opened anew, so a walk may run inside another.
 */
static int ipam_scan(struct ipam *ipam,
		     int (*fn)(struct ipam *ipam, const struct ipam_seen *s, void *arg),
		     void *arg)
{
	struct ipam_seen s;
	struct dirent *de;
	DIR *dir;
	int fd, ret = 0;

	fd = openat(ipam->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		ret = log_err(-errno, "read lease directory");
		if (fd >= 0)
			close(fd);
		return ret;
	}
	while ((de = readdir(dir))) {
		s.name = de->d_name;
		if (!ipam_lease_name(de->d_name, &s.addr) ||
		    ipam_owner_read(ipam->dirfd, de->d_name, &s.owner) < 0)
			continue;
		ret = fn(ipam, &s, arg);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}

static int ipam_scan_drop(struct ipam *ipam, const struct ipam_seen *s, void *arg)
{
	struct ipam_match *m = arg;

	if (ipam_owner_is(&s->owner, m->id, m->ifname) != (m->legacy ? 1 : 2))
		return 0;
	if (unlinkat(ipam->dirfd, s->name, 0) < 0 && errno != ENOENT)
		return log_err(-errno, "release lease %s", s->name);
	m->count++;
	return 0;
}

/*
 * Release by reading every lease, as host-local's ReleaseByID: the files of
 * (id, ifname), or when there are none, legacy files that name only @id.
 */
static int ipam_scan_release(struct ipam *ipam, const char *id, const char *ifname)
{
	struct ipam_match m = { .id = id, .ifname = ifname };
	int ret;

	ret = ipam_scan(ipam, ipam_scan_drop, &m);
	if (ret < 0 || m.count)
		return ret < 0 ? ret : m.count;
	m.legacy = 1;
	ret = ipam_scan(ipam, ipam_scan_drop, &m);
	return ret < 0 ? ret : m.count;
}

static void ipam_entry_name(const char *id, const char *ifname, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", id, ifname);
}

static int ipam_entry_read(struct ipam *ipam, const char *name, struct ipam_entry *e)
{
	char buf[IPAM_FILE_MAX], *line, *save = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = ipam_file_read(ipam->indexfd, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line = ipam_trim(line);
		if (!strncmp(line, "boot ", 5))
			snprintf(e->boot, sizeof(e->boot), "%s", ipam_trim(line + 5));
		else if (e->n < IPAM_SETS_MAX && !inet_addr_parse(line, &e->addr[e->n]))
			e->n++;
	}
	return 0;
}

static int ipam_entry_write(struct ipam *ipam, const char *id, const char *ifname,
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
	ret = ipam_file_write(ipam->indexfd, tmp, buf, len, 0);
	if (!ret && renameat(ipam->indexfd, tmp, ipam->indexfd, name) < 0) {
		ret = -errno;
		unlinkat(ipam->indexfd, tmp, 0);
	}
	if (ret < 0)
		return log_err(ret, "write index entry %s", name);
	return 0;
}

/*
 * Release the leases an index entry lists, then the entry. Return: how many
 * lease files were removed, -ENOENT (not logged) when there is no usable
 * entry, or negative errno.
 */
static int ipam_entry_release(struct ipam *ipam, const char *id, const char *ifname)
{
	char name[IPAM_NAME_MAX], addr[INET_ADDR_STRLEN];
	struct ipam_entry e;
	int ret, count = 0;
	size_t i;

	ipam_entry_name(id, ifname, name, sizeof(name));
	ret = ipam_entry_read(ipam, name, &e);
	if (ret == -ENOENT)
		return ret;
	if (ret < 0) {
		/* Ours but unreadable: drop it, the lease files tell the rest. */
		log_warn("index entry %s unreadable (%s); removing it", name,
			 strerror(-ret));
		unlinkat(ipam->indexfd, name, 0);
		return -ENOENT;
	}
	for (i = 0; i < e.n; i++) {
		inet_addr_str(&e.addr[i], addr, sizeof(addr));
		ret = ipam_lease_drop(ipam, addr, id, ifname);
		if (ret < 0)
			return ret;
		count += ret;
	}
	if (unlinkat(ipam->indexfd, name, 0) < 0 && errno != ENOENT)
		return log_err(-errno, "remove index entry %s", name);
	return count;
}

/* Call @fn with the attachment of every index entry; remove stale temp files. */
static int ipam_index_walk(struct ipam *ipam,
			   int (*fn)(struct ipam *ipam, const char *id,
				     const char *ifname, void *arg),
			   void *arg)
{
	char id[IPAM_NAME_MAX], *colon;
	struct dirent *de;
	DIR *dir;
	int fd, ret = 0;

	fd = openat(ipam->indexfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		ret = log_err(-errno, "read " IPAM_INDEX_DIR);
		if (fd >= 0)
			close(fd);
		return ret;
	}
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

static int ipam_held_add(struct ipam *ipam, const struct ipam_seen *s, void *arg)
{
	struct ipam_held *h = arg;

	(void)ipam;
	if (ipam_owner_is(&s->owner, h->id, h->ifname) && h->n < IPAM_HELD_MAX)
		h->addr[h->n++] = s->addr;
	return 0;
}

/*
 * The addresses (id, ifname) holds: those of its index entry whose files
 * still name it, else whatever a scan finds (host-local's GetByID: its own
 * files and legacy files of @id).
 */
static int ipam_held_find(struct ipam *ipam, const char *id, const char *ifname,
			  struct ipam_held *h)
{
	char name[IPAM_NAME_MAX], addr[INET_ADDR_STRLEN];
	struct ipam_owner o;
	struct ipam_entry e;
	size_t i;

	*h = (struct ipam_held){ .id = id, .ifname = ifname };
	ipam_entry_name(id, ifname, name, sizeof(name));
	if (!ipam_entry_read(ipam, name, &e)) {
		for (i = 0; i < e.n; i++) {
			inet_addr_str(&e.addr[i], addr, sizeof(addr));
			if (!ipam_owner_read(ipam->dirfd, addr, &o) &&
			    ipam_owner_is(&o, id, ifname) == 2)
				h->addr[h->n++] = e.addr[i];
		}
		if (h->n)
			return 0;
	}
	return ipam_scan(ipam, ipam_held_add, h);
}

static int ipam_lock(struct ipam *ipam)
{
	struct timespec start, now, nap = { .tv_nsec = 100 * 1000 };
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (!flock(ipam->lockfd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return log_err(-errno, "lock lease store");
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - start.tv_sec) * 1000 +
			 (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= (long)ipam->lock_timeout_ms)
			return log_errx(
				-ETIMEDOUT,
				"lease store lock busy for %ld ms "
				"(held by another plumb or host-local); giving up",
				waited);
		nanosleep(&nap, NULL);
		nap.tv_nsec = nap.tv_nsec * 2 > 5000000 ? 5000000 : nap.tv_nsec * 2;
	}
}

static void ipam_unlock(struct ipam *ipam)
{
	flock(ipam->lockfd, LOCK_UN);
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
	ret = ipam_entry_release(ipam, id, ifname);
	return ret == -ENOENT ? 0 : ret;
}

/*
 * The first claim of a boot releases plumb's leases of earlier boots: their
 * containers died with the machine. Only indexed leases: host-local's are
 * not ours to judge.
 */
static int ipam_boot_reclaim(struct ipam *ipam)
{
	char buf[IPAM_FILE_MAX];
	int ret, len;

	ret = ipam_file_read(ipam->dirfd, IPAM_BOOT_FILE, buf, sizeof(buf));
	if (ret >= 0 && !strcmp(ipam_trim(buf), ipam->boot_id))
		return 0;
	ret = ipam_index_walk(ipam, ipam_reclaim_one, NULL);
	if (ret < 0)
		return ret;
	len = snprintf(buf, sizeof(buf), "%s\n", ipam->boot_id);
	ret = ipam_file_write(ipam->dirfd, IPAM_BOOT_FILE, buf, (size_t)len, 0);
	if (ret < 0)
		return log_err(ret, "write " IPAM_BOOT_FILE);
	return 0;
}

static int ipam_addr_in(const char *what, const struct inet_addr *a,
			const struct inet_prefix *subnet)
{
	char addr[INET_ADDR_STRLEN], sub[INET_PREFIX_STRLEN];

	if (inet_prefix_contains(subnet, a))
		return 0;
	return log_errx(-EINVAL, "%s %s is outside subnet %s", what,
			inet_addr_str(a, addr, sizeof(addr)),
			inet_prefix_str(subnet, sub, sizeof(sub)));
}

static int ipam_range_check(const struct ipam_range *r, const struct inet_addr *last,
			    const char *sub)
{
	char a[INET_ADDR_STRLEN], b[INET_ADDR_STRLEN];
	int ret;

	ret = ipam_addr_in("gateway", &r->gateway, &r->subnet);
	if (!ret)
		ret = ipam_addr_in("range start", &r->start, &r->subnet);
	if (!ret)
		ret = ipam_addr_in("range end", &r->end, &r->subnet);
	if (ret)
		return ret;
	if (inet_addr_eq(&r->start, &r->subnet.addr))
		return log_errx(-EINVAL,
				"range start %s is the address of subnet %s itself",
				inet_addr_str(&r->start, a, sizeof(a)), sub);
	if (r->subnet.addr.family == AF_INET && inet_addr_eq(&r->end, last))
		return log_errx(-EINVAL, "range end %s is the broadcast address of %s",
				inet_addr_str(&r->end, a, sizeof(a)), sub);
	if (inet_addr_cmp(&r->start, &r->end) > 0)
		return log_errx(-EINVAL, "range start %s is after range end %s",
				inet_addr_str(&r->start, a, sizeof(a)),
				inet_addr_str(&r->end, b, sizeof(b)));
	return 0;
}

/**
 * ipam_range_fill() - fill in the defaults of a range and check it
 * @r:		the range; @r->subnet is required
 *
 * As host-local's defaults: the gateway and the start are the subnet's first
 * host, the end its last (for IPv4 the one before the broadcast address,
 * which is never handed out). Filling a filled range changes nothing.
 *
 * Return: 0, or -EINVAL (logged, naming the faulty address) for a subnet
 * with host bits or too small to allocate from (IPv4 longer than /30, IPv6
 * longer than /126), a gateway, start or end outside the subnet, a start on
 * the subnet's own address, an IPv4 end on the broadcast address, or a start
 * after the end.
 */
int ipam_range_fill(struct ipam_range *r)
{
	const struct inet_prefix *s = &r->subnet;
	char sub[INET_PREFIX_STRLEN];
	struct inet_addr first, last;
	unsigned int bits;

	if (s->addr.family != AF_INET && s->addr.family != AF_INET6)
		return log_errx(-EINVAL, "address range without a subnet");
	bits = inet_addr_bits(&s->addr);
	inet_prefix_str(s, sub, sizeof(sub));
	if (s->len > bits)
		return log_errx(-EINVAL, "invalid subnet %s: prefix longer than %u", sub,
				bits);
	if (inet_prefix_has_host_bits(s))
		return log_errx(-EINVAL, "invalid subnet %s: host bits set", sub);
	if (s->len > bits - 2)
		return log_errx(-EINVAL,
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
	return ipam_range_check(r, &last, sub);
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
	ret = ipam_file_read(ipam->dirfd, name, buf, sizeof(buf));
	return ret < 0 ? ret : inet_addr_parse(ipam_trim(buf), a);
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
	ret = ipam_file_write(ipam->dirfd, addr, buf, (size_t)len, 1);
	if (ret == -EEXIST)
		return ret;
	if (ret < 0)
		return log_err(ret, "reserve %s", addr);
	snprintf(name, sizeof(name), IPAM_LAST_FILE "%zu", i);
	ret = ipam_file_write(ipam->dirfd, name, addr, strlen(addr), 0);
	if (ret < 0) {
		unlinkat(ipam->dirfd, addr, 0);
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
	if (ipam_owner_read(ipam->dirfd, addr, &o) < 0)
		return log_errx(-EADDRINUSE, "requested address %s is already allocated",
				addr);
	return log_errx(-EADDRINUSE,
			"requested address %s is already allocated to container %s", addr,
			o.id);
}

static int ipam_attachment_check(const char *id, const char *ifname)
{
	int ret = cni_name_check("container id", id);

	return ret < 0 ? ret : nl_link_name_check(ifname);
}

/* An attachment is added once (CNI SPEC: ADD is not repeated without DEL). */
static int ipam_claim_once(struct ipam *ipam, const char *id, const char *ifname)
{
	char addr[INET_ADDR_STRLEN];
	struct ipam_held h;
	int ret;

	ret = ipam_held_find(ipam, id, ifname, &h);
	if (ret < 0 || !h.n)
		return ret;
	return log_errx(-EEXIST, "container %s already holds %s for %s in this network",
			id, inet_addr_str(&h.addr[0], addr, sizeof(addr)), ifname);
}

/**
 * ipam_lease_claim() - reserve one address from each range set
 * @ipam:	the store
 * @sets:	the range sets; ranges not yet filled are filled in (see
 *		ipam_range_fill()) on a copy
 * @n_sets:	how many, 1 to IPAM_SETS_MAX
 * @id:		container id (cni_name_check() rules)
 * @ifname:	interface name in the container
 * @want:	NULL, or @n_sets addresses: a family other than 0 asks for that
 *		address in that set
 * @leases:	room for @n_sets leases, filled in set order
 *
 * All or nothing: when a set fails, the addresses this call reserved are
 * released before it returns. The first claim after a reboot first releases
 * plumb's leases of earlier boots.
 *
 * Return: 0, or negative errno (logged): -EEXIST when the attachment already
 * holds an address here, -EADDRNOTAVAIL when a set is exhausted,
 * -EADDRINUSE when a wanted address is taken (the message names its owner),
 * -EINVAL for a bad set or a wanted address outside its set or a gateway,
 * -ETIMEDOUT when the lock stayed busy.
 */
int ipam_lease_claim(struct ipam *ipam, const struct ipam_set *sets, size_t n_sets,
		     const char *id, const char *ifname, const struct inet_addr *want,
		     struct ipam_lease *leases)
{
	struct ipam_set filled[IPAM_SETS_MAX];
	size_t done = 0;
	int ret;

	ret = ipam_attachment_check(id, ifname);
	if (!ret)
		ret = ipam_sets_fill(sets, n_sets, filled);
	if (!ret)
		ret = ipam_lock(ipam);
	if (ret < 0)
		return ret;
	ret = ipam_boot_reclaim(ipam);
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
	ret = ipam_entry_write(ipam, id, ifname, leases, n_sets);
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
	ipam_unlock(ipam);
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
 * made by host-local), or when the entry's files are gone, every lease is
 * read as host-local's DEL does: the files of (@id, @ifname), else legacy
 * files of @id. Releasing what is not held is not an error.
 *
 * Return: how many addresses were released (0 when none), or negative
 * errno (logged).
 */
int ipam_lease_release(struct ipam *ipam, const char *id, const char *ifname)
{
	int ret;

	ret = ipam_attachment_check(id, ifname);
	if (!ret)
		ret = ipam_lock(ipam);
	if (ret < 0)
		return ret;
	ret = ipam_entry_release(ipam, id, ifname);
	if (!ret || ret == -ENOENT)
		ret = ipam_scan_release(ipam, id, ifname);
	ipam_unlock(ipam);
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
 * From the index entry, else by reading every lease (a host-local lease).
 * Leases in none of the ranges of @sets are left out.
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

	ret = ipam_attachment_check(id, ifname);
	if (!ret)
		ret = ipam_sets_fill(sets, n_sets, filled);
	if (!ret)
		ret = ipam_lock(ipam);
	if (ret < 0)
		return ret;
	ret = ipam_held_find(ipam, id, ifname, &h);
	ipam_unlock(ipam);
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
	ret = ipam_entry_release(ipam, id, ifname);
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	gc->count++;
	return 0;
}

static int ipam_gc_lease(struct ipam *ipam, const struct ipam_seen *s, void *arg)
{
	struct ipam_match m = {
		.id = s->owner.id,
		.ifname = s->owner.ifname,
		.legacy = !s->owner.ifname[0],
	};
	struct ipam_gc *gc = arg;
	int ret;

	ret = gc->keep(s->owner.id, s->owner.ifname, gc->arg);
	if (ret)
		return ret < 0 ? ret : 0;
	/* Every file of this attachment at once, so it counts once. */
	ret = ipam_scan(ipam, ipam_scan_drop, &m);
	if (ret < 0)
		return ret;
	gc->count += m.count > 0;
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

	ret = ipam_lock(ipam);
	if (ret < 0)
		return ret;
	ret = ipam_index_walk(ipam, ipam_gc_entry, &gc);
	if (!ret)
		ret = ipam_scan(ipam, ipam_gc_lease, &gc);
	ipam_unlock(ipam);
	return ret < 0 ? ret : gc.count;
}

/* Create the missing directories of @path, 0700, as mkdir -p. */
static int ipam_dir_make(const char *path)
{
	char p[PATH_MAX], *c;

	if (!*path)
		return log_errx(-EINVAL, "missing data directory");
	if ((size_t)snprintf(p, sizeof(p), "%s", path) >= sizeof(p))
		return log_errx(-ENAMETOOLONG, "data directory %.64s...: name too long",
				path);
	for (c = strchr(p + 1, '/');; c = strchr(c + 1, '/')) {
		if (c)
			*c = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return log_err(-errno, "create directory %s", p);
		if (!c)
			return 0;
		*c = '/';
	}
}

/* Create (0700) and open a directory, refusing a symbolic link. */
static int ipam_dir_open(int parent, const char *name, const char *path)
{
	struct stat st;
	int fd, err;

	if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
		return log_err(-errno, "create directory %s", path);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = errno;
	if (!fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		return log_errx(-ELOOP, "%s is a symbolic link; refusing to use it",
				path);
	return log_err(-err, "open directory %s", path);
}

static int ipam_boot_id_read(char *buf, size_t size)
{
	char id[IPAM_FILE_MAX], *s;
	int ret;

	ret = ipam_file_read(AT_FDCWD, IPAM_BOOT_ID_PATH, id, sizeof(id));
	if (ret < 0)
		return log_err(ret, "read " IPAM_BOOT_ID_PATH);
	s = ipam_trim(id);
	if (!*s || strlen(s) >= size)
		return log_errx(-EINVAL, "unexpected boot id in " IPAM_BOOT_ID_PATH);
	strcpy(buf, s);
	return 0;
}

/**
 * ipam_open() - open the lease store of a network, creating it if needed
 * @ipam:	the store to fill
 * @data_dir:	the directory of all networks (host-local's dataDir)
 * @network:	the network's name (cni_name_check() rules)
 *
 * Missing directories are created 0700. The data directory and the
 * network's directory must not be symbolic links.
 *
 * Return: 0, or negative errno (logged); on failure nothing is left open.
 */
int ipam_open(struct ipam *ipam, const char *data_dir, const char *network)
{
	char path[PATH_MAX];
	int datafd = -1, ret;

	*ipam = (struct ipam){ .dirfd = -1,
			       .indexfd = -1,
			       .lockfd = -1,
			       .lock_timeout_ms = IPAM_LOCK_TIMEOUT_MS };
	ret = cni_name_check("network name", network);
	if (!ret)
		ret = ipam_boot_id_read(ipam->boot_id, sizeof(ipam->boot_id));
	if (!ret)
		ret = ipam_dir_make(data_dir);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s", data_dir, network);
	datafd = ipam_dir_open(AT_FDCWD, data_dir, data_dir);
	if (datafd < 0)
		return datafd;
	ipam->dirfd = ret = ipam_dir_open(datafd, network, path);
	if (ret < 0)
		goto out;
	ipam->indexfd = ret = ipam_dir_open(ipam->dirfd, IPAM_INDEX_DIR,
					    IPAM_INDEX_DIR " in the lease store");
	if (ret < 0)
		goto out;
	ipam->lockfd = openat(ipam->dirfd, IPAM_LOCK_FILE,
			      O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	ret = ipam->lockfd < 0 ? log_err(-errno, "open %s/" IPAM_LOCK_FILE, path) : 0;
out:
	close(datafd);
	if (ret < 0)
		ipam_close(ipam);
	return ret < 0 ? ret : 0;
}

/**
 * ipam_close() - close a store opened by ipam_open()
 * @ipam:	the store; closing it twice does nothing
 */
void ipam_close(struct ipam *ipam)
{
	if (ipam->lockfd >= 0)
		close(ipam->lockfd);
	if (ipam->indexfd >= 0)
		close(ipam->indexfd);
	if (ipam->dirfd >= 0)
		close(ipam->dirfd);
	ipam->lockfd = ipam->indexfd = ipam->dirfd = -1;
}
