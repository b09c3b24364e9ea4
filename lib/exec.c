// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec: find a program on a search path (PATH, CNI_PATH). plumb runs other
 * programs only by absolute path with execv(), never through a shell; this is
 * also why execvp() is not used: it falls back to /bin/sh for a file that is
 * not a valid executable.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <plumb/exec.h>
#include <plumb/log.h>

static int exec_usable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

/**
 * exec_find() - find an executable file
 * @name:	a program name, or a path (anything with a '/') used as it is
 * @search:	directories separated by ':', or NULL for EXEC_DEFAULT_PATH;
 *		empty and relative entries are skipped: they would make what
 *		runs depend on the current directory
 * @out:	the path found
 * @size:	room at @out
 *
 * Return: 0, -ENOENT when no directory holds it, -EACCES when the only
 * candidates are not executable regular files, -ENAMETOOLONG.
 * Nothing is logged.
 */
int exec_find(const char *name, const char *search, char *out, size_t size)
{
	const char *dir, *end;
	int ret = -ENOENT, r;
	size_t len;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if ((size_t)snprintf(out, size, "%s", name) >= size)
			return -ENAMETOOLONG;
		return exec_usable(out);
	}
	for (dir = search ? search : EXEC_DEFAULT_PATH; *dir;
	     dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		len = (size_t)(end - dir);
		if (!len || *dir != '/')
			continue; /* relative: the current directory's whim */
		if ((size_t)snprintf(out, size, "%.*s/%s", (int)len, dir, name) >= size)
			continue;
		r = exec_usable(out);
		if (!r)
			return 0;
		if (r == -EACCES)
			ret = r;
	}
	return ret;
}

#define EXEC_OUT_MAX (1 << 20) /* a CNI result is a few KiB */

/*
 * Feed @in to the child and collect its stdout, without either side blocking.
 * @to is closed on every path.
 */
static int exec_pump(int to, int from, const char *in, size_t in_len, char **out,
		     size_t *out_len)
{
	struct pollfd p[2] = { { .fd = to, .events = POLLOUT },
			       { .fd = from, .events = POLLIN } };
	size_t cap = 0, sent = 0;
	int ret = 0;
	ssize_t n;
	char *buf;

	*out_len = 0;
	if (!in_len) {
		close(to);
		p[0].fd = -1;
	}
	while (p[1].fd >= 0 && ret == 0) {
		if (poll(p, 2, -1) < 0) {
			ret = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (p[0].fd >= 0 && p[0].revents) {
			n = write(to, in + sent, in_len - sent);
			if (n > 0)
				sent += (size_t)n;
			if (n < 0 || sent == in_len) { /* EPIPE: it stopped reading */
				close(to);
				p[0].fd = -1;
			}
		}
		if (!p[1].revents)
			continue;
		if (*out_len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			buf = cap <= EXEC_OUT_MAX ? realloc(*out, cap) : NULL;
			if (!buf) {
				ret = cap <= EXEC_OUT_MAX ? -ENOMEM : -EFBIG;
				continue;
			}
			*out = buf;
		}
		n = read(from, *out + *out_len, cap - *out_len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			p[1].fd = -1;
		else
			*out_len += (size_t)n;
	}
	if (p[0].fd >= 0)
		close(to);
	if (*out)
		(*out)[*out_len] = '\0';
	return ret;
}

/**
 * exec_run() - run a program with input on stdin and collect its stdout
 * @path:	absolute path of the program (exec_find()), run with no arguments
 *		but its name, as CNI plugins are
 * @envp:	its environment
 * @in:		what to write on its stdin
 * @in_len:	its length
 * @out:	its stdout, NUL-terminated, to be freed by the caller (may be
 *		NULL when it printed nothing)
 * @out_len:	its length
 *
 * The program's stderr is ours. No shell is involved.
 *
 * Return: its exit status (>= 0; 128 + n when killed by signal n), or
 * negative errno (logged) when it could not be run.
 */
int exec_run(const char *path, char *const envp[], const char *in, size_t in_len,
	     char **out, size_t *out_len)
{
	posix_spawn_file_actions_t fa;
	int to[2] = { -1, -1 }, from[2] = { -1, -1 }, status, ret;
	char *argv[] = { (char *)path, NULL };
	pid_t pid;

	*out = NULL;
	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0) {
		ret = log_err(-errno, "run %s", path);
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, from[1], STDOUT_FILENO);
	ret = posix_spawn(&pid, path, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(to[0]);
	close(from[1]);
	to[0] = from[1] = -1;
	if (ret) {
		ret = log_err(-ret, "run %s", path);
		goto out;
	}
	ret = exec_pump(to[1], from[0], in, in_len, out, out_len);
	to[1] = -1; /* closed by exec_pump() */
	if (ret < 0)
		kill(pid, SIGKILL); /* it may be blocked writing to us */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret < 0)
		log_err(ret, "read the output of %s", path);
	else
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	for (int i = 0; i < 2; i++) {
		if (to[i] >= 0)
			close(to[i]);
		if (from[i] >= 0)
			close(from[i]);
	}
	return ret;
}
