// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctl: kernel settings under /proc/sys, written by plumb itself (the
 * sysctl program is never run). Files under /proc/sys/net belong to the
 * network namespace of the thread that opens them, so a setting for another
 * namespace is opened from inside it (netns_run()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/sysctl.h>

struct sysctl_call {
	const char *key;
	char *value;
	size_t size;
	const char *set;
	struct log_msg *m;
};

static int sysctl_open(const char *key, int flags)
{
	char path[256];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/%s", key) >= sizeof(path) ||
	    strstr(key, ".."))
		return -EINVAL;
	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

static int sysctl_do(void *arg)
{
	struct sysctl_call *c = arg;
	ssize_t n;
	int fd;

	fd = sysctl_open(c->key, c->set ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return log_msg_err(c->m, fd, "open /proc/sys/%s", c->key);
	n = read(fd, c->value, c->size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return log_msg_err(c->m, (int)n, "read /proc/sys/%s", c->key);
	}
	c->value[n] = '\0';
	c->value[strcspn(c->value, "\n")] = '\0';
	/* Write only a change: some settings reset others when written. */
	if (c->set && strcmp(c->value, c->set)) {
		n = pwrite(fd, c->set, strlen(c->set), 0);
		if (n < 0) {
			n = -errno;
			close(fd);
			return log_msg_err(c->m, (int)n, "set /proc/sys/%s to %s", c->key,
					   c->set);
		}
	}
	close(fd);
	return 0;
}

/* Read, and write if @c->set, in @netns_fd; what fails is in @c->m. */
static int sysctl_run(int netns_fd, struct sysctl_call *c)
{
	return netns_fd >= 0 ? netns_run_try(netns_fd, sysctl_do, c, c->m) : sysctl_do(c);
}

/**
 * sysctl_get() - read a setting
 * @netns_fd:	the network namespace, or -1 for ours
 * @key:	"net/ipv4/ip_forward"
 * @value:	its value, without the newline
 * @size:	room at @value
 *
 * Return: 0 or negative errno (logged).
 */
int sysctl_get(int netns_fd, const char *key, char *value, size_t size)
{
	struct log_msg m;
	struct sysctl_call c = { .key = key, .value = value, .size = size, .m = &m };

	return sysctl_run(netns_fd, &c) < 0 ? log_msg_report(&m) : 0;
}

/**
 * sysctl_set_try() - change a setting, if it is not what we want already
 * @netns_fd:	the network namespace, or -1 for ours
 * @key:	"net/ipv4/ip_forward"
 * @value:	"1"
 * @m:		what went wrong, or NULL
 *
 * Return: 0 or negative errno (in @m, not logged).
 */
int sysctl_set_try(int netns_fd, const char *key, const char *value, struct log_msg *m)
{
	char old[64];
	struct sysctl_call c = {
		.key = key, .value = old, .size = sizeof(old), .set = value, .m = m
	};

	return sysctl_run(netns_fd, &c);
}

/**
 * sysctl_set() - change a setting, if it is not what we want already
 * @netns_fd:	the network namespace, or -1 for ours
 * @key:	"net/ipv4/ip_forward"
 * @value:	"1"
 *
 * Return: 0 or negative errno (logged).
 */
int sysctl_set(int netns_fd, const char *key, const char *value)
{
	struct log_msg m;

	return sysctl_set_try(netns_fd, key, value, &m) < 0 ? log_msg_report(&m) : 0;
}
