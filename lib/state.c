// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state: records of what plumb made, so that teardown, GC and reconcile never
 * need the container's namespace, a prevResult or the runtime's memory.
 *
 * A record is a JSON file <root>/<kind>/<group>/<name>.json: kind is the
 * record's type ("attach", "nat"), group its network. It is written to a
 * temporary file, synced, then renamed over the old one, so a reader sees the
 * old record or the new one, never half of one; a crash leaves at most a
 * temporary file, which readers skip and the record's delete removes.
 *
 * Directories are created 0700 and files 0600. A directory plumb keeps state
 * in is refused when it is a symlink, belongs to another user or is writable
 * by others: whoever could plant or change a record could make teardown
 * delete something that is not plumb's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/fault.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/state.h>

/* "<directory>/<name>" for a message, the directory read from /proc/self/fd. */
static const char *state_path(int dirfd, const char *name, char *buf, size_t size)
{
	char proc[64], dir[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
	n = readlink(proc, dir, sizeof(dir) - 1);
	if (n <= 0 || dir[0] != '/') {
		snprintf(buf, size, "%s", name);
		return buf;
	}
	dir[n] = '\0';
	if ((size_t)snprintf(buf, size, "%s/%s", strcmp(dir, "/") ? dir : "", name) >=
	    size)
		snprintf(buf, size, "%s", name);
	return buf;
}

static int state_dir_check(int fd, int dirfd, const char *name)
{
	char what[PATH_MAX];
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0) {
		ret = -errno;
		return log_err(ret, "stat %s",
			       state_path(dirfd, name, what, sizeof(what)));
	}
	if (st.st_uid != geteuid())
		return log_errx(-EPERM, "%s belongs to user %u, not to us; refusing it",
				state_path(dirfd, name, what, sizeof(what)),
				(unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return log_errx(-EPERM, "%s is writable by others; refusing it",
				state_path(dirfd, name, what, sizeof(what)));
	return 0;
}

/**
 * state_dir_openat() - open (or create) a directory plumb keeps state in
 * @dirfd:	the directory it is in
 * @name:	its name, one path component
 * @create:	create it (0700) when missing
 *
 * Return: a file descriptor, or negative errno (logged, but for -ENOENT):
 * a symlink (-ELOOP), a directory of another user's or one writable by
 * group or others (-EPERM) is refused.
 */
int state_dir_openat(int dirfd, const char *name, int create)
{
	char what[PATH_MAX];
	struct stat st;
	int fd, ret;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return log_errx(-EINVAL, "invalid directory name \"%s\"", name);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* Made only when missing: on the path of every ADD, it nearly never is. */
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST) {
			ret = -errno;
			return log_err(ret, "create directory %s",
				       state_path(dirfd, name, what, sizeof(what)));
		}
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			return ret; /* for the caller to judge */
		state_path(dirfd, name, what, sizeof(what));
		/* With O_DIRECTORY, Linux fails a symlink with ENOTDIR, not
		 * with the ELOOP that O_NOFOLLOW alone gives. */
		if ((ret == -ENOTDIR || ret == -ELOOP) &&
		    !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISLNK(st.st_mode))
			return log_errx(-ELOOP, "%s is a symlink; refusing it", what);
		return log_err(ret, "open directory %s", what);
	}
	ret = state_dir_check(fd, dirfd, name);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/**
 * state_dir_open() - open (or create) a directory plumb keeps state in
 * @path:	absolute path; its parents must exist unless @create
 * @create:	create it and missing parents (0700) when missing
 *
 * Parents that exist are taken as they are (/run, /var/lib); the directory
 * itself is checked as by state_dir_openat().
 *
 * Return: a file descriptor, or negative errno (logged, but for -ENOENT).
 */
int state_dir_open(const char *path, int create)
{
	char buf[4096], *name, *slash;
	int dirfd, fd;

	if (path[0] != '/' ||
	    (size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return log_errx(-EINVAL,
				"invalid state directory \"%s\": want an "
				"absolute path",
				path);
	while (strlen(buf) > 1 && buf[strlen(buf) - 1] == '/')
		buf[strlen(buf) - 1] = '\0';
	slash = strrchr(buf, '/');
	name = slash + 1;
	*slash = '\0';
	dirfd = open(*buf ? buf : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 && errno == ENOENT && create) {
		fd = state_dir_open(buf, 1); /* the parent, first */
		if (fd < 0)
			return fd;
		close(fd);
		dirfd = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dirfd < 0)
		return errno == ENOENT ? -ENOENT : log_err(-errno, "open %s", buf);
	if (*name)
		fd = state_dir_openat(dirfd, name, create);
	else if ((fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3)) < 0) /* "/": as it is */
		fd = log_err(-errno, "open /");
	close(dirfd);
	return fd;
}

/* <root>/<kind>/<group>, created on demand. */
static int state_group_open(const char *root, const char *kind, const char *group,
			    int create)
{
	int rootfd, kindfd, fd;

	rootfd = state_dir_open(root, create);
	if (rootfd < 0)
		return rootfd;
	kindfd = state_dir_openat(rootfd, kind, create);
	close(rootfd);
	if (kindfd < 0 || !group)
		return kindfd;
	fd = state_dir_openat(kindfd, group, create);
	close(kindfd);
	return fd;
}

static int state_file_name(const char *name, char *buf, size_t size)
{
	if (!*name || strchr(name, '/') || name[0] == '.' ||
	    (size_t)snprintf(buf, size, "%s.json", name) >= size)
		return log_errx(-EINVAL, "invalid record name \"%s\"", name);
	return 0;
}

static int state_write_fd(int fd, const json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT);
	size_t len, off = 0;
	ssize_t n;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			return -errno;
		}
		off += (size_t)n;
	}
	free(text);
	return fsync(fd) < 0 ? -errno : 0;
}

/*
 * Create the temporary file @tmp in the group, made when missing; *dirfd is
 * the group's. A group emptied and removed by state_group_del() between its
 * opening and the creation of @tmp is made again: once @tmp is in it, it is
 * not empty and stays.
 */
static int state_tmp_create(const char *root, const char *kind, const char *group,
			    const char *tmp, int *dirfd)
{
	int fd = -ENOENT, tries;

	for (tries = 0; tries < 3; tries++) {
		*dirfd = state_group_open(root, kind, group, 1);
		if (*dirfd == -ENOENT)
			continue; /* removed between its mkdir and its open */
		if (*dirfd < 0)
			return *dirfd;
		fd = openat(*dirfd, tmp,
			    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
				    O_CLOEXEC,
			    0600);
		if (fd >= 0)
			return fd;
		fd = -errno;
		close(*dirfd);
		*dirfd = -1;
		if (fd != -ENOENT)
			break;
	}
	return log_err(fd, "create record %s in %s", tmp, root);
}

/**
 * state_record_write() - write a record atomically
 * @root:	the state directory, STATE_DIR by default
 * @kind:	"attach", "nat"...
 * @group:	the network, or NULL for records of @kind without groups
 * @name:	the record's name within its group
 * @rec:	its content
 *
 * Return: 0 or negative errno (logged).
 */
int state_record_write(const char *root, const char *kind, const char *group,
		       const char *name, const json_t *rec)
{
	char file[STATE_NAME_MAX + 1], tmp[STATE_NAME_MAX + 32];
	int dirfd, fd, ret;

	ret = state_file_name(name, file, sizeof(file));
	if (ret < 0)
		return ret;
	/* A leading dot keeps readers from taking it for a record. */
	snprintf(tmp, sizeof(tmp), ".%s.%d", file, (int)getpid());
	fd = state_tmp_create(root, kind, group, tmp, &dirfd);
	if (fd < 0)
		return fd;
	ret = state_write_fd(fd, rec);
	close(fd);
	if (ret == 0)
		fault_point("record-tmp-written");
	if (ret == 0 && renameat(dirfd, tmp, dirfd, file) < 0)
		ret = -errno;
	if (ret < 0) {
		unlinkat(dirfd, tmp, 0);
		log_err(ret, "write record %s/%s", group ? group : kind, file);
	}
	close(dirfd);
	return ret;
}

/*
 * Read a record; -ENOENT is not logged. Something planted in its place is
 * refused: a symlink is not followed, and a FIFO, which would block the
 * read for good, is opened without waiting and refused as not regular.
 */
static json_t *state_read_at(int dirfd, const char *file, int *err)
{
	json_error_t jerr;
	struct stat st;
	json_t *rec;
	int fd;

	fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		if (*err == -ELOOP)
			log_errx(*err, "record %s is a symlink; refusing it", file);
		else if (*err != -ENOENT)
			log_err(*err, "open record %s", file);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*err = log_errx(-EBADMSG, "record %s is not a regular file; refusing it",
				file);
		return NULL;
	}
	rec = json_read_fd(fd, &jerr);
	close(fd);
	if (!rec || !json_is_object(rec)) {
		json_decref(rec);
		*err = log_errx(-EBADMSG, "record %s is damaged: %s", file,
				rec ? "not an object" : jerr.text);
		return NULL;
	}
	*err = 0;
	return rec;
}

/**
 * state_record_read() - read a record
 * @root:	the state directory
 * @kind:	its kind
 * @group:	its group, or NULL
 * @name:	its name
 * @err:	0, -ENOENT when there is no such record (not logged), or another
 *		negative errno (logged)
 *
 * Return: the record (a new reference), or NULL.
 */
json_t *state_record_read(const char *root, const char *kind, const char *group,
			  const char *name, int *err)
{
	char file[STATE_NAME_MAX + 1];
	json_t *rec;
	int dirfd;

	*err = state_file_name(name, file, sizeof(file));
	if (*err < 0)
		return NULL;
	dirfd = state_group_open(root, kind, group, 0);
	if (dirfd < 0) {
		*err = dirfd;
		return NULL;
	}
	rec = state_read_at(dirfd, file, err);
	close(dirfd);
	return rec;
}

/**
 * state_tmp_reap() - remove what writers killed before their rename left
 * @dirfd:	the directory
 * @file:	the file they were writing: ".<file>.<pid>" of a process that
 *		is gone goes; a live writer's file stays
 */
void state_tmp_reap(int dirfd, const char *file)
{
	size_t len = strlen(file);
	struct dirent *de;
	char *end;
	long pid;
	DIR *dir;
	int fd;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] != '.' || strncmp(de->d_name + 1, file, len) ||
		    de->d_name[len + 1] != '.')
			continue;
		errno = 0;
		pid = strtol(de->d_name + len + 2, &end, 10);
		if (*end || errno || pid <= 0 || pid > INT_MAX)
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd, de->d_name, 0);
	}
	closedir(dir);
}

/**
 * state_record_del() - delete a record
 * @root:	the state directory
 * @kind:	its kind
 * @group:	its group, or NULL
 * @name:	its name
 *
 * The temporary files of its writers that were killed go too.
 *
 * Return: 0 (also when there was no such record) or negative errno (logged).
 */
int state_record_del(const char *root, const char *kind, const char *group,
		     const char *name)
{
	char file[STATE_NAME_MAX + 1];
	int dirfd, ret;

	ret = state_file_name(name, file, sizeof(file));
	if (ret < 0)
		return ret;
	dirfd = state_group_open(root, kind, group, 0);
	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	ret = 0;
	if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT)
		ret = log_err(-errno, "delete record %s", file);
	state_tmp_reap(dirfd, file);
	close(dirfd);
	return ret;
}

/**
 * state_group_del() - remove a group's directory once it holds no record
 * @root:	the state directory
 * @kind:	its kind
 * @group:	the group
 *
 * For groups that belong to one container (its NAT records): without this,
 * every container ever run would leave an empty directory behind. A group
 * that still holds a record, or one being written, stays.
 *
 * Return: 0 (also when the group stays or is gone) or negative errno
 * (logged).
 */
int state_group_del(const char *root, const char *kind, const char *group)
{
	int kindfd, ret = 0;

	if (!*group || strchr(group, '/') || !strcmp(group, ".") || !strcmp(group, ".."))
		return log_errx(-EINVAL, "invalid directory name \"%s\"", group);
	kindfd = state_group_open(root, kind, NULL, 0);
	if (kindfd == -ENOENT)
		return 0;
	if (kindfd < 0)
		return kindfd;
	if (unlinkat(kindfd, group, AT_REMOVEDIR) < 0 && errno != ENOENT &&
	    errno != ENOTEMPTY && errno != EEXIST)
		ret = log_err(-errno, "remove directory %s", group);
	close(kindfd);
	return ret;
}

/* Remove what is in the directory @fd (closed here), @depth levels deep. */
static int state_tree_empty(int fd, int depth)
{
	struct dirent *de;
	DIR *dir = fdopendir(fd);
	int sub, ret = 0;

	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR || !depth) {
			ret = -errno;
			break;
		}
		/* A directory: never a symlink's target (O_NOFOLLOW). */
		sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		ret = sub < 0 ? -errno : state_tree_empty(sub, depth - 1);
		if (ret == 0 && unlinkat(fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			ret = -errno;
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret;
}

/**
 * state_group_purge() - remove a group's directory and everything in it
 * @root:	the state directory
 * @kind:	its kind
 * @group:	the group
 *
 * For state that belongs to one owner alone (a lab's leases and records),
 * removed when the owner goes. Symlinks are removed, never followed; the
 * tree is at most eight directories deep.
 *
 * Return: 0 (also when the group is gone) or negative errno (logged).
 */
int state_group_purge(const char *root, const char *kind, const char *group)
{
	char what[PATH_MAX];
	int kindfd, fd, ret;

	kindfd = state_group_open(root, kind, NULL, 0);
	if (kindfd == -ENOENT)
		return 0;
	if (kindfd < 0)
		return kindfd;
	fd = state_dir_openat(kindfd, group, 0);
	ret = fd == -ENOENT ? 0 : fd < 0 ? fd : state_tree_empty(fd, 8);
	if (fd >= 0 && ret == 0 && unlinkat(kindfd, group, AT_REMOVEDIR) < 0 &&
	    errno != ENOENT)
		ret = -errno;
	if (fd >= 0 && ret < 0)
		log_err(ret, "remove %s",
			state_path(kindfd, group, what, sizeof(what)));
	close(kindfd);
	return ret;
}

static int state_group_walk(int dirfd, const char *group,
			    int (*fn)(const char *group, const char *name, json_t *rec,
				      void *arg),
			    void *arg)
{
	char name[STATE_NAME_MAX + 1];
	struct dirent *de;
	json_t *rec;
	size_t len;
	DIR *dir;
	int err, ret = 0;

	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return -errno;
	}
	while (ret >= 0 && (de = readdir(dir))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		rec = state_read_at(dirfd, de->d_name, &err);
		if (!rec)
			continue; /* gone meanwhile, or damaged: said so */
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		ret = fn(group, name, rec, arg);
		json_decref(rec);
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}

/**
 * state_record_for_each() - call a function for every record of a kind
 * @root:	the state directory
 * @kind:	the kind
 * @group:	only this group, or NULL for every group
 * @fn:		called with each record (borrowed); a negative return stops
 * @arg:	passed to @fn
 *
 * Return: 0, what @fn returned when negative, or negative errno (logged).
 */
int state_record_for_each(const char *root, const char *kind, const char *group,
			  int (*fn)(const char *group, const char *name, json_t *rec,
				    void *arg),
			  void *arg)
{
	struct dirent *de;
	int kindfd, fd, ret = 0;
	DIR *dir;

	if (group) {
		fd = state_group_open(root, kind, group, 0);
		if (fd == -ENOENT)
			return 0;
		return fd < 0 ? fd : state_group_walk(fd, group, fn, arg);
	}
	kindfd = state_group_open(root, kind, NULL, 0);
	if (kindfd == -ENOENT)
		return 0;
	if (kindfd < 0)
		return kindfd;
	dir = fdopendir(kindfd);
	if (!dir) {
		close(kindfd);
		return -errno;
	}
	while (ret >= 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		fd = state_dir_openat(kindfd, de->d_name, 0);
		if (fd >= 0)
			ret = state_group_walk(fd, de->d_name, fn, arg);
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}
