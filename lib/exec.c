// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec: find a program on a search path (PATH, CNI_PATH), and run one with
 * its input, a time limit and a cap on its output. plumb runs other
 * programs only by absolute path with execv(), never through a shell; this is
 * also why execvp() is not used: it falls back to /bin/sh for a file that is
 * not a valid executable.
 *
 * Theory of operation of exec_run(): the program is spawned in a process
 * group of its own, with SIGPIPE at its default (ignored signals would stay
 * ignored across execve()), while we ignore SIGPIPE for as long as it runs:
 * a program that exits without reading all we give it makes our write() say
 * EPIPE, it does not kill us. Our ends of both pipes never block and are
 * served by one poll() together with a pidfd of the program, so that neither
 * side can wait for the other: a program that writes more than a pipe holds
 * before it reads its input is read meanwhile. A deadline bounds the whole
 * run, and a cap bounds what it may print; past either, the whole process
 * group is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <plumb/exec.h>

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

struct exec_pump {
	int to; /* its stdin, or -1 once all is written */
	int from; /* its stdout, or -1 at end of file */
	int pidfd; /* the program, or -1 once it has exited */
	const char *in;
	size_t in_len;
	size_t sent;
	char *out;
	size_t out_len;
	size_t cap;
};

static int exec_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

static void exec_pump_write(struct exec_pump *x)
{
	ssize_t n = write(x->to, x->in + x->sent, x->in_len - x->sent);

	if (n > 0)
		x->sent += (size_t)n;
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || x->sent == x->in_len) {
		close(x->to); /* EPIPE: it stopped reading, which is its business */
		x->to = -1;
	}
}

static int exec_pump_read(struct exec_pump *x)
{
	size_t cap;
	ssize_t n;
	char *buf;

	if (x->cap - x->out_len < 2) { /* room for a byte and the NUL */
		cap = x->cap ? 2 * x->cap : 8192;
		cap = cap > EXEC_OUT_MAX + 2 ? EXEC_OUT_MAX + 2 : cap;
		buf = realloc(x->out, cap);
		if (!buf)
			return -ENOMEM;
		x->out = buf;
		x->cap = cap;
	}
	n = read(x->from, x->out + x->out_len, x->cap - x->out_len - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close(x->from);
		x->from = -1;
		return 0;
	}
	x->out_len += (size_t)n;
	return x->out_len > EXEC_OUT_MAX ? -EFBIG : 0;
}

/* Until the program has exited and its stdout is at its end, or the deadline. */
static int exec_pump(struct exec_pump *x, int timeout_ms)
{
	struct timespec deadline;
	struct pollfd p[3];
	int ret, left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if (!x->in_len) {
		close(x->to);
		x->to = -1;
	}
	while (x->from >= 0 || x->pidfd >= 0) {
		p[0] = (struct pollfd){ .fd = x->to, .events = POLLOUT };
		p[1] = (struct pollfd){ .fd = x->from, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = x->pidfd, .events = POLLIN };
		left = exec_ms_left(&deadline);
		if (!left)
			return -ETIMEDOUT;
		ret = poll(p, 3, left);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		if (x->to >= 0 && p[0].revents)
			exec_pump_write(x);
		if (x->from >= 0 && p[1].revents) {
			ret = exec_pump_read(x);
			if (ret < 0)
				return ret;
		}
		if (x->pidfd >= 0 && p[2].revents) {
			close(x->pidfd); /* exited: reaped by the caller */
			x->pidfd = -1;
		}
	}
	return 0;
}

static int exec_spawn(const char *path, char *const envp[], int in, int out, pid_t *pid)
{
	char *argv[] = { (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def;
	int ret;

	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	ret = posix_spawn(pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -ret;
}

/**
 * exec_run() - run a program with input on stdin and collect its stdout
 * @path:	absolute path of the program (exec_find()), run with no arguments
 *		but its name, as CNI plugins are
 * @envp:	its environment
 * @in:		what to write on its stdin
 * @in_len:	its length
 * @timeout_ms:	how long it may take, from its start until it has exited and
 *		closed its stdout
 * @out:	its stdout, NUL-terminated, to be freed by the caller (may be
 *		NULL when it printed nothing)
 * @out_len:	its length
 *
 * The program's stderr is ours. No shell is involved. A program that stops
 * reading its input early is no error of ours: what it prints decides.
 * Nothing is logged: the caller knows what the program is to the user.
 *
 * Return: its exit status (0 to 255; EXEC_KILLED + n when killed by signal
 * n), or -ETIMEDOUT when it ran past @timeout_ms, -EFBIG when it printed more than
 * EXEC_OUT_MAX (in both cases its process group was killed), or another
 * negative errno when it could not be run.
 */
int exec_run(const char *path, char *const envp[], const char *in, size_t in_len,
	     int timeout_ms, char **out, size_t *out_len)
{
	struct exec_pump x = {
		.to = -1, .from = -1, .pidfd = -1, .in = in, .in_len = in_len
	};
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int to[2] = { -1, -1 }, from[2] = { -1, -1 }, status, ret;
	pid_t pid;

	*out = NULL;
	*out_len = 0;
	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0 ||
	    fcntl(to[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(from[0], F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		goto out;
	}
	sigaction(SIGPIPE, &ign, &old);
	ret = exec_spawn(path, envp, to[0], from[1], &pid);
	close(to[0]);
	close(from[1]);
	to[0] = from[1] = -1;
	if (ret < 0)
		goto out_sig;
	x.pidfd = pidfd_open(pid, 0);
	if (x.pidfd < 0) {
		ret = -errno;
	} else {
		x.to = to[1];
		x.from = from[0];
		to[1] = from[0] = -1; /* the pump's now */
		ret = exec_pump(&x, timeout_ms);
	}
	if (ret < 0)
		kill(-pid, SIGKILL); /* the group: what it started goes with it */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0)
		ret = WIFEXITED(status) ? WEXITSTATUS(status) :
					  EXEC_KILLED + WTERMSIG(status);
out_sig:
	sigaction(SIGPIPE, &old, NULL);
out:
	for (int i = 0; i < 2; i++) {
		if (to[i] >= 0)
			close(to[i]);
		if (from[i] >= 0)
			close(from[i]);
	}
	if (x.to >= 0)
		close(x.to);
	if (x.from >= 0)
		close(x.from);
	if (x.pidfd >= 0)
		close(x.pidfd);
	if (ret < 0)
		free(x.out);
	else if (x.out)
		x.out[x.out_len] = '\0';
	*out = ret < 0 ? NULL : x.out;
	*out_len = ret < 0 ? 0 : x.out_len;
	return ret;
}
