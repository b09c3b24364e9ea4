// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam_store: the on-disk lease store of a network, in host-local's format.
 *
 * Theory of operation: the store of a network is the directory
 * <data dir>/<network>/, laid out exactly as host-local (containernetworking
 * plugins, backend/disk) lays it out, so that plumb and host-local can serve
 * one network side by side:
 *
 *	lock			flock(LOCK_EX) around every change, by both
 *	10.88.0.2, fd00::2	one file per address, "<id>\r\n<ifname>"
 *				(older host-local: "<id>"); creating the name
 *				is the reservation (host-local: O_EXCL, then
 *				write; plumb: link a written O_TMPFILE file)
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
 *				that claim and release read one file instead
 *				of all of them
 *	plumb-boot		the boot id of the last claim
 *
 * An index entry is only a pointer: a lease file is removed only while its
 * content still names the attachment, so an entry left stale by host-local's
 * DEL never costs another container its address.
 *
 * What each operation reads, so that it stays O(1) in the number of leases:
 * the index entry of one attachment and the lease files it lists
 * (ipam_index_*, lib/ipam_index.c); the scans (ipam_store_scan() and what
 * is built on it) read every lease and serve only attachments without an
 * entry (host-local's) and GC. The index is walked only by GC and by the
 * first claim of a boot, which releases the entries of earlier boots (their
 * containers are gone); host-local's leases are left alone.
 *
 * The directories are opened with state_dir_open()/state_dir_openat(): a
 * symlink, a directory of another user's or one writable by others is
 * refused, since whoever could plant a lease file or an index entry could
 * make a release delete another container's lease.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <plumb/fault.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/state.h>

#include "ipam_store.h"

#define IPAM_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define IPAM_LOCK_FILE "lock"

/* Lease files to remove: those of (id, ifname), or legacy ones of id. */
struct ipam_match {
	const char *id;
	const char *ifname;
	int legacy;
	int count;
};

/**
 * ipam_store_trim() - strip white space at both ends, in place
 * @s:		the string
 *
 * Return: @s past its leading white space.
 */
char *ipam_store_trim(char *s)
{
	size_t n;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		s[--n] = '\0';
	return s;
}

/**
 * ipam_store_read() - read a small regular file, NUL-terminated
 * @dirfd:	the directory it is in
 * @name:	its name
 * @buf:	where to put its content
 * @size:	room at @buf
 *
 * O_NONBLOCK so that a FIFO planted under a lease name cannot block us; it
 * is then refused as not regular. Not logged: a missing or foreign file is
 * often expected.
 *
 * Return: the length read, or negative errno: -EINVAL for what is not a
 * regular file, -EFBIG for one that does not fit.
 */
int ipam_store_read(int dirfd, const char *name, char *buf, size_t size)
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

/* Write all of @buf to @fd. Return: 0 or negative errno. */
static int ipam_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A lease is born whole: its content goes into an unnamed file, which is
 * then linked under the lease's name; the link fails when the name is
 * taken. A process killed in between leaves nothing, where creating the
 * name with O_EXCL and then writing would leave an empty lease that names
 * nobody and holds its address for good.
 *
 * Return: 0, 1 when the file system has no O_TMPFILE, or /proc is not
 * there or a security module refuses the link through it (the caller
 * creates the name with O_EXCL then), or negative errno.
 */
static int ipam_store_create(int dirfd, const char *name, const char *buf, size_t len)
{
	char path[sizeof("/proc/self/fd/") + 10];
	int fd, ret;

	fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EOPNOTSUPP || errno == EISDIR ? 1 : -errno;
	ret = ipam_write_all(fd, buf, len);
	if (!ret) {
		fault_point("lease-written");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, path, dirfd, name, AT_SYMLINK_FOLLOW) < 0)
			ret = errno == ENOENT || errno == EACCES || errno == EPERM ?
				      1 :
				      -errno;
	}
	close(fd);
	return ret;
}

/**
 * ipam_store_write() - write a file of ours, 0600
 * @dirfd:	the directory it goes in
 * @name:	its name
 * @buf:	its content
 * @len:	the length of @buf
 * @excl:	create it exclusively and whole (a lease), else create or
 *		truncate it
 *
 * A file that could not be written in full is removed. O_NONBLOCK so that a
 * FIFO planted under the name cannot block us (and the lock we hold) for
 * good. Not logged: the caller knows what the file is.
 *
 * Return: 0, or negative errno: -EEXIST when @excl and it exists, -EINVAL
 * when what is there is not a regular file.
 */
int ipam_store_write(int dirfd, const char *name, const char *buf, size_t len, int excl)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		    (excl ? O_EXCL : O_TRUNC);
	struct stat st;
	int fd, ret;

	if (excl) {
		ret = ipam_store_create(dirfd, name, buf, len);
		if (ret <= 0)
			return ret;
	}
	fd = openat(dirfd, name, flags, 0600);
	if (fd < 0)
		/* ENXIO: a FIFO without a reader; ELOOP: a symbolic link. */
		return errno == ENXIO || errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	ret = ipam_write_all(fd, buf, len);
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

/**
 * ipam_store_owner_read() - who a lease file names
 * @dirfd:	the network's directory
 * @name:	the lease file
 * @o:		filled with its owner
 *
 * "<id>\r\n<ifname>" or host-local's legacy "<id>", with white space
 * around, read as host-local reads it.
 *
 * Return: 0, or negative errno (not logged): -EINVAL when it names nobody.
 */
int ipam_store_owner_read(int dirfd, const char *name, struct ipam_owner *o)
{
	char buf[IPAM_FILE_MAX], *s, *ifname = "", *crlf;
	int ret;

	ret = ipam_store_read(dirfd, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	s = ipam_store_trim(buf);
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

/**
 * ipam_store_owner_is() - whether a lease file's owner is an attachment
 * @o:		the owner, from ipam_store_owner_read()
 * @id:		container id
 * @ifname:	interface name
 *
 * Return: 2 when the lease is (@id, @ifname)'s, 1 when it is a legacy lease
 * of @id, 0 when neither.
 */
int ipam_store_owner_is(const struct ipam_owner *o, const char *id, const char *ifname)
{
	if (strcmp(o->id, id))
		return 0;
	if (!o->ifname[0])
		return 1;
	return strcmp(o->ifname, ifname) ? 0 : 2;
}

/**
 * ipam_store_lease_drop() - remove a lease file if it is still an attachment's
 * @ipam:	the store, locked
 * @name:	the lease file
 * @id:		container id
 * @ifname:	interface name
 *
 * Return: 1 when it named (@id, @ifname) and is gone, 0 when it did not (or
 * was gone already), or negative errno (logged).
 */
int ipam_store_lease_drop(struct ipam *ipam, const char *name, const char *id,
			  const char *ifname)
{
	struct ipam_owner o;

	if (ipam_store_owner_read(ipam->dirfd, name, &o) < 0 ||
	    ipam_store_owner_is(&o, id, ifname) != 2)
		return 0;
	if (unlinkat(ipam->dirfd, name, 0) < 0)
		return errno == ENOENT ? 0 : log_err(-errno, "release lease %s", name);
	return 1;
}

/*
 * An empty lease file seen under the lock is a dead writer's: plumb's
 * leases are born whole (ipam_store_create()), and host-local creates the
 * file, then writes it, under the same lock. It names nobody, so no
 * release would ever remove it, and its address would stay taken for good.
 */
static void ipam_lease_reap_empty(struct ipam *ipam, const char *name)
{
	struct stat st;

	if (fstatat(ipam->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size)
		return;
	if (unlinkat(ipam->dirfd, name, 0) == 0)
		log_warn("removed lease %s: empty, its writer was killed", name);
}

/**
 * ipam_store_opendir() - open a directory of the store anew, to walk it
 * @dirfd:	the directory
 * @what:	what it is, for the message
 * @dir:	set to the stream, which the caller closes
 *
 * Anew: the walk has a position of its own, so a walk may run inside
 * another.
 *
 * Return: 0 or negative errno (logged).
 */
int ipam_store_opendir(int dirfd, const char *what, DIR **dir)
{
	int fd, ret;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*dir = fd < 0 ? NULL : fdopendir(fd);
	if (*dir)
		return 0;
	ret = log_err(-errno, "read %s", what);
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * ipam_store_scan() - call a function for every lease file
 * @ipam:	the store, locked
 * @fn:		called with each lease; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * A lease file is a regular file named by an address whose content names
 * an owner; anything else in the directory is never passed on. The
 * directory is opened anew, so a walk may run inside another. This reads
 * every lease: only for attachments without an index entry, and GC. An
 * empty lease file, which a writer killed halfway leaves, is removed.
 *
 * Return: 0, what @fn returned when negative, or negative errno (logged).
 */
int ipam_store_scan(struct ipam *ipam,
		    int (*fn)(struct ipam *ipam, const struct ipam_seen *s, void *arg),
		    void *arg)
{
	struct ipam_seen s;
	struct dirent *de;
	DIR *dir;
	int ret;

	ret = ipam_store_opendir(ipam->dirfd, "lease directory", &dir);
	if (ret < 0)
		return ret;
	while ((de = readdir(dir))) {
		s.name = de->d_name;
		if (!ipam_lease_name(de->d_name, &s.addr))
			continue;
		if (ipam_store_owner_read(ipam->dirfd, de->d_name, &s.owner) < 0) {
			ipam_lease_reap_empty(ipam, de->d_name);
			continue;
		}
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

	if (ipam_store_owner_is(&s->owner, m->id, m->ifname) != (m->legacy ? 1 : 2))
		return 0;
	if (unlinkat(ipam->dirfd, s->name, 0) < 0 && errno != ENOENT)
		return log_err(-errno, "release lease %s", s->name);
	m->count++;
	return 0;
}

/**
 * ipam_store_drop() - remove the lease files of an attachment, by scan
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 * @legacy:	remove legacy files that name only @id, not (@id, @ifname)'s
 *
 * Return: how many files were removed, or negative errno (logged).
 */
int ipam_store_drop(struct ipam *ipam, const char *id, const char *ifname, int legacy)
{
	struct ipam_match m = { .id = id, .ifname = ifname, .legacy = legacy };
	int ret;

	ret = ipam_store_scan(ipam, ipam_scan_drop, &m);
	return ret < 0 ? ret : m.count;
}

/**
 * ipam_store_scan_release() - release an attachment by reading every lease
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 *
 * As host-local's ReleaseByID: the files of (@id, @ifname), or when there
 * are none, legacy files that name only @id.
 *
 * Return: how many files were removed, or negative errno (logged).
 */
int ipam_store_scan_release(struct ipam *ipam, const char *id, const char *ifname)
{
	int ret;

	ret = ipam_store_drop(ipam, id, ifname, 0);
	return ret ? ret : ipam_store_drop(ipam, id, ifname, 1);
}

static int ipam_scan_held_add(struct ipam *ipam, const struct ipam_seen *s, void *arg)
{
	struct ipam_held *h = arg;

	(void)ipam;
	if (ipam_store_owner_is(&s->owner, h->id, h->ifname) && h->n < IPAM_HELD_MAX)
		h->addr[h->n++] = s->addr;
	return 0;
}

/**
 * ipam_store_scan_held() - the addresses an attachment holds, by scan
 * @ipam:	the store, locked
 * @id:		container id
 * @ifname:	interface name
 * @h:		filled with them
 *
 * As host-local's GetByID: the files of (@id, @ifname) and legacy files of
 * @id, at most IPAM_HELD_MAX.
 *
 * Return: 0 or negative errno (logged).
 */
int ipam_store_scan_held(struct ipam *ipam, const char *id, const char *ifname,
			 struct ipam_held *h)
{
	*h = (struct ipam_held){ .id = id, .ifname = ifname };
	return ipam_store_scan(ipam, ipam_scan_held_add, h);
}

/**
 * ipam_store_lock() - take the store's lock, shared with host-local
 * @ipam:	the store
 *
 * Polls flock(LOCK_EX | LOCK_NB) with a growing nap (0.1 to 5 ms) for up
 * to @ipam->lock_timeout_ms, so that a stuck holder gives an error rather
 * than a hang.
 *
 * Return: 0, or negative errno (logged): -ETIMEDOUT when it stayed busy.
 */
int ipam_store_lock(struct ipam *ipam)
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

/**
 * ipam_store_unlock() - release the lock taken by ipam_store_lock()
 * @ipam:	the store
 */
void ipam_store_unlock(struct ipam *ipam)
{
	flock(ipam->lockfd, LOCK_UN);
}

static int ipam_boot_id_read(char *buf, size_t size)
{
	char id[IPAM_FILE_MAX], *s;
	int ret;

	ret = ipam_store_read(AT_FDCWD, IPAM_BOOT_ID_PATH, id, sizeof(id));
	if (ret < 0)
		return log_err(ret, "read " IPAM_BOOT_ID_PATH);
	s = ipam_store_trim(id);
	if (!*s || strlen(s) >= size)
		return log_errx(-EINVAL, "unexpected boot id in " IPAM_BOOT_ID_PATH);
	strcpy(buf, s);
	return 0;
}

/**
 * ipam_open() - open the lease store of a network, creating it if needed
 * @ipam:	the store to fill
 * @data_dir:	the directory of all networks (host-local's dataDir), an
 *		absolute path
 * @network:	the network's name (name_check() rules)
 *
 * Missing directories are created 0700. The data directory, the network's
 * directory and its plumb-index are opened as state_dir_open() opens a
 * state directory: each is refused when it is a symlink, belongs to another
 * user or is writable by group or others.
 *
 * Return: 0, or negative errno (logged); on failure nothing is left open.
 */
int ipam_open(struct ipam *ipam, const char *data_dir, const char *network)
{
	int datafd, ret;

	*ipam = (struct ipam){ .dirfd = -1,
			       .indexfd = -1,
			       .lockfd = -1,
			       .lock_timeout_ms = IPAM_LOCK_TIMEOUT_MS };
	ret = name_check("network name", network);
	if (!ret)
		ret = ipam_boot_id_read(ipam->boot_id, sizeof(ipam->boot_id));
	if (ret < 0)
		return ret;
	datafd = state_dir_open(data_dir, 1);
	if (datafd < 0)
		return datafd == -ENOENT ?
			       log_err(datafd, "open data directory %s", data_dir) :
			       datafd;
	ipam->dirfd = ret = state_dir_openat(datafd, network, 1);
	close(datafd);
	if (ret >= 0)
		ipam->indexfd = ret = state_dir_openat(ipam->dirfd, IPAM_INDEX_DIR, 1);
	if (ret == -ENOENT) /* removed under our feet; not logged by state */
		log_err(ret, "open lease store %s/%s", data_dir, network);
	if (ret < 0)
		goto out;
	ipam->lockfd = openat(ipam->dirfd, IPAM_LOCK_FILE,
			      O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	ret = ipam->lockfd < 0 ?
		      log_err(-errno, "open %s/%s/" IPAM_LOCK_FILE, data_dir, network) :
		      0;
out:
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
