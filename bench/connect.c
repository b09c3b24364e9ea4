// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * connect: the cost of a new TCP connection from one network namespace to
 * another, through whatever the host between them does to it (bench/nomasq).
 *
 * A child enters SERVER_NETNS, listens on PORT and accepts and closes
 * whatever comes; this process enters CLIENT_NETNS and makes COUNT
 * connections to ADDR:PORT one after the other, each a new socket closed
 * with a reset (SO_LINGER 0), so that no TIME_WAIT holds its port: every
 * connection is a new conntrack entry, and its first packet goes through
 * the host's NAT chains. A short warm-up comes first.
 *
 * It prints "ns_per_connection N": the wall time of the COUNT connections
 * divided by COUNT.
 *
 * usage: connect CLIENT_NETNS SERVER_NETNS ADDR PORT COUNT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 200

static int enter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "connect: enter %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* The child: accept and close until killed. */
static int serve(const char *netns, uint16_t port, int ready)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, s, c;

	if (enter(netns) < 0)
		return 1;
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 4096) < 0) {
		perror("connect: listen");
		return 1;
	}
	if (write(ready, "1", 1) != 1)
		return 1;
	close(ready);
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

/* One connection, closed with a reset; 0 or -1. */
static int one_connection(const struct sockaddr_in *sa)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ret = -1;

	if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) == 0 &&
	    connect(s, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		ret = 0;
	if (ret < 0)
		perror("connect: connect");
	if (s >= 0)
		close(s);
	return ret;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec t0, t1;
	int fds[2], status, ret = 1;
	long i, count;
	char ok = 0;
	pid_t pid;

	if (argc != 6 || inet_pton(AF_INET, argv[3], &sa.sin_addr) != 1 ||
	    atoi(argv[4]) < 1 || atoi(argv[4]) > 65535 || (count = atol(argv[5])) < 1) {
		fprintf(stderr, "usage: connect CLIENT_NETNS SERVER_NETNS ADDR PORT COUNT\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[4]));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(serve(argv[2], (uint16_t)atoi(argv[4]), fds[1]));
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &ok, 1) != 1 || enter(argv[1]) < 0)
		goto out;
	for (i = 0; i < WARMUP; i++) {
		if (one_connection(&sa) < 0)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		if (one_connection(&sa) < 0)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("ns_per_connection %lld\n",
	       ((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)) / count);
	ret = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return ret;
}
