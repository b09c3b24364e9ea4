// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netns: named network namespaces, made exactly as "ip netns" makes them, so
 * that iproute2 and plumb see the same ones.
 *
 * A named namespace is a bind mount of an nsfs file onto an empty file in
 * /run/netns, which is itself made a shared mount point so that the name is
 * seen by every mount namespace that later forks from this one.
 *
 * Code that must run inside another namespace runs between a setns() into
 * it and one back (netns_run()); what it opens there (sockets, files under
 * /proc/sys/net) stays in that namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/nsfs.h>

#include <plumb/fault.h>
#include <plumb/log.h>
#include <plumb/netns.h>

/**
 * netns_name_check_try() - check a namespace name as "ip netns" does
 * @name:	the name
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged) when the name could not be a file in
 * /run/netns: empty, "." or "..", a '/' in it, or too long.
 */
int netns_name_check_try(const char *name, struct log_msg *m)
{
	if (!*name)
		return log_msg_errx(m, -EINVAL,
				    "invalid network namespace name \"\": empty");
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return log_msg_errx(m, -EINVAL, "invalid network namespace name \"%s\"",
				    name);
	if (strchr(name, '/'))
		return log_msg_errx(m, -EINVAL,
				    "invalid network namespace name \"%s\": contains '/'",
				    name);
	if (strlen(name) > NETNS_NAME_MAX)
		return log_msg_errx(
			m, -EINVAL,
			"invalid network namespace name: longer than %d bytes",
			NETNS_NAME_MAX);
	return 0;
}

/**
 * netns_name_check() - netns_name_check_try(), saying what is wrong
 * @name:	the name
 *
 * Return: 0, or -EINVAL (logged).
 */
int netns_name_check(const char *name)
{
	struct log_msg m;

	return netns_name_check_try(name, &m) < 0 ? log_msg_report(&m) : 0;
}

static int netns_pid_parse(const char *s, pid_t *pid, struct log_msg *m)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v <= 0 || v > 4194304)
		return log_msg_errx(m, -EINVAL, "invalid process id \"%s\"", s);
	*pid = (pid_t)v;
	return 0;
}

/**
 * netns_spec_path_try() - the file behind a namespace given by the user
 * @spec:	a name under /run/netns, a path (anything with a '/'), or
 *		"pid:PID" for the namespace of a running process
 * @path:	where to write the path
 * @size:	room at @path
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged) for a bad name or process id.
 */
int netns_spec_path_try(const char *spec, char *path, size_t size, struct log_msg *m)
{
	pid_t pid = 0;
	int ret;

	if (strchr(spec, '/')) {
		ret = snprintf(path, size, "%s", spec);
	} else if (!strncmp(spec, "pid:", 4)) {
		ret = netns_pid_parse(spec + 4, &pid, m);
		if (ret < 0)
			return ret;
		ret = snprintf(path, size, "/proc/%d/ns/net", (int)pid);
	} else {
		ret = netns_name_check_try(spec, m);
		if (ret < 0)
			return ret;
		ret = snprintf(path, size, NETNS_RUN_DIR "/%s", spec);
	}
	if (ret < 0 || (size_t)ret >= size)
		return log_msg_errx(m, -ENAMETOOLONG, "network namespace \"%.64s...\"",
				    spec);
	return 0;
}

/**
 * netns_spec_path() - netns_spec_path_try(), saying what is wrong
 * @spec:	as for netns_spec_path_try()
 * @path:	where to write the path
 * @size:	room at @path
 *
 * Return: 0, or negative errno (logged).
 */
int netns_spec_path(const char *spec, char *path, size_t size)
{
	struct log_msg m;

	return netns_spec_path_try(spec, path, size, &m) < 0 ? log_msg_report(&m) : 0;
}

/**
 * netns_check_fd_try() - check that a file is a network namespace
 * @fd:		the open file
 * @what:	how the user named it, for the message
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged) for anything else: a regular
 * file, another kind of namespace.
 */
int netns_check_fd_try(int fd, const char *what, struct log_msg *m)
{
	struct statfs sfs;
	int type;

	if (fstatfs(fd, &sfs) < 0)
		return log_msg_err(m, -errno, "stat %s", what);
	if (sfs.f_type != NSFS_MAGIC)
		return log_msg_errx(m, -EINVAL, "%s is not a namespace", what);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return log_msg_err(m, -errno, "get namespace type of %s", what);
	if (type != CLONE_NEWNET)
		return log_msg_errx(m, -EINVAL, "%s is not a network namespace", what);
	return 0;
}

/**
 * netns_check_fd() - check that a file is a network namespace
 * @fd:		the open file
 * @what:	how the user named it, for the message
 *
 * Return: 0, or -EINVAL (logged), as netns_check_fd_try().
 */
int netns_check_fd(int fd, const char *what)
{
	struct log_msg m;

	return netns_check_fd_try(fd, what, &m) < 0 ? log_msg_report(&m) : 0;
}

/*
 * Open a file that should be a namespace without opening anything else: the
 * path comes from the user, and open(O_RDONLY) of a FIFO blocks for good,
 * while that of a device runs its driver (a watchdog starts ticking). The
 * file is first opened with O_PATH, which opens nothing; only an nsfs file is
 * then opened for real, through /proc/self/fd. Anything else comes back as
 * the O_PATH descriptor, which netns_check_fd() refuses by its file system.
 *
 * Return: a file descriptor, or negative errno (not logged).
 */
static int netns_file_open(const char *path)
{
	char proc[64];
	struct statfs sfs;
	int fd, nsfd;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	nsfd = open(proc, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		nsfd = -errno;
	close(fd);
	return nsfd;
}

/**
 * netns_open_path_try() - open and check a network namespace file
 * @path:	a bind mount in /run/netns, /proc/PID/ns/net, ...
 * @m:		what went wrong, or NULL
 *
 * Return: a file descriptor, or negative errno (in @m, not logged).
 */
int netns_open_path_try(const char *path, struct log_msg *m)
{
	int fd, ret;

	fd = netns_file_open(path);
	if (fd < 0)
		return log_msg_err(m, fd, "open network namespace %s", path);
	ret = netns_check_fd_try(fd, path, m);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/**
 * netns_open_path() - open and check a network namespace file
 * @path:	a bind mount in /run/netns, /proc/PID/ns/net, ...
 *
 * Return: a file descriptor, or negative errno (logged).
 */
int netns_open_path(const char *path)
{
	struct log_msg m;
	int fd = netns_open_path_try(path, &m);

	return fd < 0 ? log_msg_report(&m) : fd;
}

/**
 * netns_open() - open a network namespace given by the user
 * @spec:	as for netns_spec_path()
 *
 * Return: a file descriptor, or negative errno (logged, naming @spec in the
 * user's words: "network namespace "x" does not exist").
 */
int netns_open(const char *spec)
{
	char path[PATH_MAX];
	int ret;

	ret = netns_spec_path(spec, path, sizeof(path));
	if (ret < 0)
		return ret;
	/* Say what is missing in the user's words; the rest is netns_open_path()'s. */
	if (access(path, F_OK) < 0 && errno == ENOENT && !strncmp(spec, "pid:", 4))
		return log_errx(-ESRCH, "no process %s", spec + 4);
	if (access(path, F_OK) < 0 && errno == ENOENT && !strchr(spec, '/'))
		return log_errx(-ENOENT, "network namespace \"%s\" does not exist", spec);
	return netns_open_path(path);
}

/**
 * netns_same() - tell whether two files are the same namespace
 * @fd_a:	a namespace file
 * @fd_b:	another
 *
 * Return: 1 if they are, 0 if not, negative errno.
 */
int netns_same(int fd_a, int fd_b)
{
	struct stat a, b;

	if (fstat(fd_a, &a) < 0 || fstat(fd_b, &b) < 0)
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/**
 * netns_run_try() - run a function inside a network namespace and come back
 * @netns_fd:	the namespace, or -1 for a new, empty one
 * @fn:		the function; it returns 0 or negative errno
 * @arg:	passed to @fn
 * @m:		why the namespace could not be entered, or NULL
 *
 * A socket that @fn opens, or a file under /proc/sys/net or
 * /proc/thread-self/ns it opens, belongs to that namespace. With @netns_fd
 * of -1 the new namespace lives only as long as something (a bind mount of
 * /proc/thread-self/ns/net, an open file) holds it. @fn must not change the
 * calling thread's capabilities: coming back needs CAP_SYS_ADMIN. If coming
 * back fails all the same, the process aborts rather than go on in the wrong
 * namespace, where it would wire the host as if it were a container.
 *
 * Return: what @fn returned, or negative errno (in @m, not logged) if the
 * namespace could not be entered.
 */
int netns_run_try(int netns_fd, int (*fn)(void *arg), void *arg, struct log_msg *m)
{
	int self, ret;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return log_msg_err(m, -errno, "open our network namespace");
	ret = netns_fd >= 0 ? setns(netns_fd, CLONE_NEWNET) : unshare(CLONE_NEWNET);
	if (ret < 0) {
		ret = log_msg_err(m, -errno,
				  netns_fd >= 0 ? "enter network namespace" :
						  "create network namespace");
		close(self);
		return ret;
	}
	ret = fn(arg);
	if (setns(self, CLONE_NEWNET) < 0) {
		log_err(-errno, "come back to our network namespace");
		abort();
	}
	close(self);
	return ret;
}

/**
 * netns_run() - run a function inside a network namespace and come back
 * @netns_fd:	the namespace, or -1 for a new, empty one
 * @fn:		the function; it returns 0 or negative errno (logged)
 * @arg:	passed to @fn
 *
 * As netns_run_try().
 *
 * Return: what @fn returned, or negative errno (logged) if the namespace
 * could not be entered.
 */
int netns_run(int netns_fd, int (*fn)(void *arg), void *arg)
{
	struct log_msg m = { .err = 0 };
	int ret = netns_run_try(netns_fd, fn, arg, &m);

	/* A failure of @fn is @fn's to log; only entering is ours. */
	return ret < 0 && m.err ? log_msg_report(&m) : ret;
}

/*
 * Make NETNS_RUN_DIR a shared mount point, binding it onto itself first when
 * it is not a mount point yet, as iproute2 does, so that namespaces mounted
 * later propagate to mount namespaces made after this one.
 */
static int netns_run_dir_prepare(void)
{
	int bound = 0;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return log_err(-errno, "create " NETNS_RUN_DIR);
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			return log_err(-errno, "make " NETNS_RUN_DIR " a shared mount");
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) <
		    0)
			return log_err(-errno, "bind mount " NETNS_RUN_DIR);
		bound = 1;
	}
	return 0;
}

/* The empty file a namespace is mounted on; /run/netns is ready. */
static int netns_mount_point_make(const char *name, char *path, size_t size)
{
	int fd;

	snprintf(path, size, NETNS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && errno == EEXIST)
		return log_errx(-EEXIST, "network namespace \"%s\" already exists", name);
	if (fd < 0)
		return log_err(-errno, "create %s", path);
	close(fd);
	return 0;
}

/*
 * Create the empty file a namespace is mounted on. O_EXCL makes the name ours
 * or tells us it is taken.
 */
static int netns_mount_point_create(const char *name, char *path, size_t size)
{
	int ret;

	ret = netns_name_check(name);
	if (ret < 0)
		return ret;
	ret = netns_run_dir_prepare();
	if (ret < 0)
		return ret;
	return netns_mount_point_make(name, path, size);
}

static int netns_bind_self(void *path)
{
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		return log_err(-errno, "bind network namespace to %s", (char *)path);
	return 0;
}

/**
 * netns_add() - create a named network namespace, as "ip netns add"
 * @name:	its name under /run/netns
 *
 * Return: an open file of the new namespace, or negative errno (logged);
 * on failure nothing is left behind.
 */
int netns_add(const char *name)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = netns_mount_point_create(name, path, sizeof(path));
	if (ret < 0)
		return ret;
	fault_point("netns-file-created");
	ret = netns_run(-1, netns_bind_self, path);
	if (ret < 0)
		goto out_unlink;
	fd = netns_open_path(path);
	if (fd >= 0)
		return fd;
	ret = fd;
	umount2(path, MNT_DETACH);
out_unlink:
	unlink(path);
	return ret;
}

/* Undo the first @n namespaces of netns_add_each(). */
static void netns_add_undo(const char *const *names, int *fds, size_t n)
{
	char path[PATH_MAX];

	while (n--) {
		close(fds[n]);
		fds[n] = -1;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", names[n]);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
}

/* One namespace of netns_add_each(), made while the thread is in the last. */
static int netns_add_one(const char *name, int *fd)
{
	char path[PATH_MAX];
	int ret;

	ret = netns_mount_point_make(name, path, sizeof(path));
	if (ret < 0)
		return ret;
	if (unshare(CLONE_NEWNET) < 0) {
		ret = log_err(-errno, "create network namespace \"%s\"", name);
		goto out_unlink;
	}
	ret = netns_bind_self(path);
	if (ret < 0)
		goto out_unlink;
	*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	ret = log_err(-errno, "open network namespace \"%s\"", name);
	umount2(path, MNT_DETACH);
out_unlink:
	unlink(path);
	return ret;
}

/**
 * netns_add_each() - create many named network namespaces in one go
 * @names:	their names under /run/netns
 * @n:		how many
 * @fds:	out: an open file of each, -1 for those not made
 * @fn:		called inside each new namespace with its index (to open a
 *		socket there, to write its /proc/sys/net), or NULL
 * @arg:	passed to @fn
 *
 * As netns_add() for each name, but /run/netns is prepared once and the
 * calling thread goes from one new namespace straight into the next,
 * coming back to its own once at the end: two system calls fewer per
 * namespace, and none of the mount work repeated. @fn must not change the
 * thread's namespace or capabilities.
 *
 * Return: 0 or negative errno (logged); on failure, the namespaces this call
 * made are deleted again.
 */
int netns_add_each(const char *const *names, size_t n, int *fds,
		   int (*fn)(size_t i, void *arg), void *arg)
{
	size_t i;
	int self, ret = 0;

	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (i = 0; i < n && ret == 0; i++)
		ret = netns_name_check(names[i]);
	if (ret == 0)
		ret = netns_run_dir_prepare();
	if (ret < 0 || !n)
		return ret;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return log_err(-errno, "open our network namespace");
	for (i = 0; i < n; i++) {
		ret = netns_add_one(names[i], &fds[i]);
		if (ret == 0 && fn)
			ret = fn(i, arg);
		if (ret < 0)
			break;
	}
	if (setns(self, CLONE_NEWNET) < 0) {
		log_err(-errno, "come back to our network namespace");
		abort();
	}
	close(self);
	if (ret < 0)
		netns_add_undo(names, fds, fds[i] >= 0 ? i + 1 : i);
	return ret;
}

/**
 * netns_attach() - name the network namespace of a running process
 * @name:	the new name under /run/netns
 * @pid:	the process
 *
 * The namespace is opened and checked first, then that very file is bound, so
 * a process that exits meanwhile cannot make us name another namespace.
 *
 * Return: 0 or negative errno (logged); on failure nothing is left behind.
 */
int netns_attach(const char *name, pid_t pid)
{
	char src[64], path[PATH_MAX];
	int fd, ret;

	ret = netns_name_check(name);
	if (ret < 0)
		return ret;
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return log_errx(-ESRCH, "no process %d", (int)pid);
	if (fd < 0)
		return log_err(-errno, "open network namespace of process %d", (int)pid);
	ret = netns_check_fd(fd, src);
	if (ret < 0)
		goto out;

	ret = netns_mount_point_create(name, path, sizeof(path));
	if (ret < 0)
		goto out;
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		ret = log_err(-errno, "bind network namespace of process %d to %s",
			      (int)pid, path);
		unlink(path);
	}
out:
	close(fd);
	return ret;
}

/* The empty file of netns_mount_point_create(), never mounted over. */
static int netns_mount_point_unused(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & 07777) &&
	       !st.st_size;
}

/**
 * netns_del() - delete a named network namespace, as "ip netns del"
 * @name:	its name under /run/netns
 *
 * Only an nsfs bind mount is removed, or the empty file an add killed before
 * its mount leaves (mode 0, as netns_add() and "ip netns add" create it):
 * anything else found under the name is left alone. The mount is detached
 * lazily, so processes still inside keep their namespace; it goes away with
 * the last of them.
 *
 * Return: 0 or negative errno (logged).
 */
int netns_del(const char *name)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int ret;

	ret = netns_name_check(name);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (statfs(path, &sfs) < 0) {
		if (errno == ENOENT)
			return log_errx(-ENOENT,
					"network namespace \"%s\" does not exist", name);
		return log_err(-errno, "stat %s", path);
	}
	if (sfs.f_type != NSFS_MAGIC) {
		if (!netns_mount_point_unused(path))
			return log_errx(-EINVAL,
					"%s is not a network namespace mount; "
					"not deleting it",
					path);
	} else if (umount2(path, MNT_DETACH) < 0) {
		return log_err(-errno, "unmount %s", path);
	}
	if (unlink(path) < 0)
		return log_err(-errno, "remove %s", path);
	return 0;
}

static void netns_etc_bind(const char *name)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(src, sizeof(src), "/etc/netns/%s", name);
	dir = opendir(src);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "/etc/netns/%s/%s", name, de->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", de->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL) < 0)
			log_warn("bind %s to %s: %s", src, dst, strerror(errno));
	}
	closedir(dir);
}

/**
 * netns_enter() - move the calling process into a named namespace for good
 * @name:	the name under /run/netns
 *
 * For a process about to exec, as "ip netns exec" prepares one: it also gets
 * a mount namespace of its own, in which /sys shows the devices of the new
 * network namespace and the files of /etc/netns/NAME are bound over their
 * namesakes in /etc (resolv.conf, hosts). The caller must be single-threaded.
 *
 * Return: 0 or negative errno (logged).
 */
int netns_enter(const char *name)
{
	struct statfs sfs;
	unsigned long flags = 0;
	int fd, ret;

	fd = netns_open(name);
	if (fd < 0)
		return fd;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	if (ret < 0)
		return log_err(-errno, "enter network namespace \"%s\"", name);
	if (unshare(CLONE_NEWNS) < 0)
		return log_err(-errno, "create mount namespace");
	/* Keep our mounts from propagating back to the parent namespace. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		return log_err(-errno, "make / a slave mount");
	if (statfs("/sys", &sfs) == 0 && (sfs.f_flags & ST_RDONLY))
		flags = MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
		return log_err(-errno, "unmount /sys");
	if (mount(name, "/sys", "sysfs", flags, NULL) < 0)
		return log_err(-errno, "mount /sys for network namespace \"%s\"", name);
	netns_etc_bind(name);
	return 0;
}

/**
 * netns_for_each() - call a function for every name in /run/netns
 * @fn:		called with each name; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Every entry is listed, as "ip netns list" lists them, whether or not a
 * namespace is mounted on it. A missing /run/netns is an empty list.
 *
 * Return: 0, what @fn returned when negative, or negative errno (logged).
 */
int netns_for_each(int (*fn)(const char *name, void *arg), void *arg)
{
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	dir = opendir(NETNS_RUN_DIR);
	if (!dir && errno == ENOENT)
		return 0;
	if (!dir)
		return log_err(-errno, "open " NETNS_RUN_DIR);
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = fn(de->d_name, arg);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}

/**
 * netns_for_each_pid() - call a function for every process we can see
 * @fn:		called with the process and its namespace's device and inode;
 *		a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Processes whose namespace we may not look at, or that exit during the walk,
 * are skipped.
 *
 * Return: 0, what @fn returned when negative, or negative errno (logged).
 */
int netns_for_each_pid(int (*fn)(pid_t pid, dev_t dev, ino_t ino, void *arg), void *arg)
{
	char path[64];
	struct dirent *de;
	struct stat st;
	DIR *dir;
	char *end;
	long pid;
	int ret = 0;

	dir = opendir("/proc");
	if (!dir)
		return log_err(-errno, "open /proc");
	while ((de = readdir(dir))) {
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &st) < 0)
			continue;
		ret = fn((pid_t)pid, st.st_dev, st.st_ino, arg);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}
