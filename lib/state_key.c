// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state_key: the host's secret key, 16 random bytes in <state>/key, under
 * which plumb derives the names and marks of what it makes for containers
 * (lib/attach.c), so that a container's creator cannot choose an id whose
 * names are another container's.
 *
 * The key is made once, by the first tool that needs it, from getrandom(2):
 * written to a temporary file, synced, then linked to its name, which fails
 * when another process linked its own first; the loser then reads the
 * winner's. Every reader therefore sees the one key there will ever be.
 * It is kept as state files are (lib/state.c): 0600 in a directory of
 * root's that no one else may write, and refused when it is a symlink, not
 * a regular file, another user's, open to others, or not 16 bytes. /run is
 * volatile: a reboot makes a new key, as it takes every veth with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/state.h>

/* Return: 0, -ENOENT (not logged), or negative errno (logged). */
static int state_key_read(int dirfd, const char *root, uint8_t key[STATE_KEY_LEN])
{
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = openat(dirfd, STATE_KEY_FILE,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP)
			return log_errx(ret,
					"%s/" STATE_KEY_FILE " is a symlink; refusing it",
					root);
		/* Without CAP_DAC_OVERRIDE, another user's 0600 file is unreadable. */
		if (ret == -EACCES &&
		    !fstatat(dirfd, STATE_KEY_FILE, &st, AT_SYMLINK_NOFOLLOW) &&
		    st.st_uid != geteuid())
			return log_errx(-EPERM,
					"%s/" STATE_KEY_FILE
					" belongs to user %u, not to us; "
					"refusing it",
					root, (unsigned int)st.st_uid);
		return ret == -ENOENT ? ret :
					log_err(ret, "open %s/" STATE_KEY_FILE, root);
	}
	if (fstat(fd, &st) < 0)
		ret = log_err(-errno, "stat %s/" STATE_KEY_FILE, root);
	else if (!S_ISREG(st.st_mode))
		ret = log_errx(-EBADMSG,
			       "%s/" STATE_KEY_FILE " is not a regular file; refusing it",
			       root);
	else if (st.st_uid != geteuid())
		ret = log_errx(-EPERM,
			       "%s/" STATE_KEY_FILE
			       " belongs to user %u, not to us; refusing it",
			       root, (unsigned int)st.st_uid);
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		ret = log_errx(-EPERM,
			       "%s/" STATE_KEY_FILE " is open to others; refusing it",
			       root);
	else if (st.st_size != STATE_KEY_LEN)
		ret = log_errx(-EBADMSG,
			       "%s/" STATE_KEY_FILE " is damaged: %lld bytes, not %d",
			       root, (long long)st.st_size, STATE_KEY_LEN);
	else
		ret = 0;
	if (ret == 0) {
		do
			n = pread(fd, key, STATE_KEY_LEN, 0);
		while (n < 0 && errno == EINTR);
		if (n != STATE_KEY_LEN)
			ret = log_err(n < 0 ? -errno : -EIO, "read %s/" STATE_KEY_FILE,
				      root);
	}
	close(fd);
	return ret;
}

/* Make the key, unless another process does first. Return: 0 or -errno (logged). */
static int state_key_make(int dirfd, const char *root)
{
	uint8_t key[STATE_KEY_LEN];
	char tmp[32];
	ssize_t n;
	int fd, ret = 0;

	do
		n = getrandom(key, sizeof(key), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(key))
		return log_err(n < 0 ? -errno : -EIO, "make a key: getrandom");
	state_tmp_reap(dirfd, STATE_KEY_FILE);
	snprintf(tmp, sizeof(tmp), "." STATE_KEY_FILE ".%d", (int)getpid());
	unlinkat(dirfd, tmp, 0); /* ours, from a pid that was used before */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return log_err(-errno, "create %s/%s", root, tmp);
	n = write(fd, key, sizeof(key));
	if (n != (ssize_t)sizeof(key))
		ret = n < 0 ? -errno : -EIO; /* 16 bytes to a new file: never short */
	else if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	/* link(2), unlike rename(2), never replaces a key another process made. */
	if (ret == 0 && linkat(dirfd, tmp, dirfd, STATE_KEY_FILE, 0) < 0 &&
	    errno != EEXIST)
		ret = -errno;
	unlinkat(dirfd, tmp, 0);
	return ret < 0 ? log_err(ret, "write %s/" STATE_KEY_FILE, root) : 0;
}

/**
 * state_key_get() - the host's secret key, made when missing
 * @root:	the state directory (STATE_DIR)
 * @create:	make the directory and the key when missing
 * @key:	filled with the key
 *
 * Return: 0, -ENOENT (not logged) when there is none and @create is 0, or
 * negative errno (logged): a key planted or damaged is refused.
 */
int state_key_get(const char *root, int create, uint8_t key[STATE_KEY_LEN])
{
	int dirfd, ret;

	dirfd = state_dir_open(root, create);
	if (dirfd < 0)
		return dirfd;
	ret = state_key_read(dirfd, root, key);
	if (ret == -ENOENT && create) {
		ret = state_key_make(dirfd, root);
		if (ret == 0)
			ret = state_key_read(dirfd, root, key);
	}
	close(dirfd);
	return ret;
}
