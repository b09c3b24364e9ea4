// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hosts: names for a lab's nodes. "ip netns exec NS" and "plumb-netns exec"
 * bind the files of /etc/netns/NS/ over their namesakes in /etc, so a node
 * reaches the others by name when /etc/netns/<namespace>/hosts lists them.
 * The list is the same for every node: it is written once, to
 * <state>/lab/<name>/hosts (temporary file, fsync, rename), and each node's
 * hosts file is a symlink to it, so that a lab of n nodes writes n lines,
 * not n * n. "down" removes only a symlink that points there.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/state.h>

#include "hosts.h"

#define ETC_NETNS "/etc/netns"

/**
 * lab_hosts_path() - the lab's list of names
 * @lab:	the lab's name
 * @buf:	"<state>/lab/<name>/hosts"
 * @size:	room at @buf
 */
void lab_hosts_path(const char *lab, char *buf, size_t size)
{
	snprintf(buf, size, STATE_DIR "/" LAB_STATE_KIND "/%s/hosts", lab);
}

/* The list: localhost, then every address of every node, in file order. */
static char *hosts_text(const struct lab *lab, size_t *len)
{
	char addr[INET_ADDR_STRLEN], *text = NULL;
	const struct lab_if *i;
	size_t k, j;
	FILE *f;

	f = open_memstream(&text, len);
	if (!f)
		return NULL;
	fprintf(f, "# plumb-lab %s: the names of its nodes; \"plumb-lab down\" removes "
		   "this\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
		   "ip6-loopback\n",
		lab->name);
	for (k = 0; k < lab->n_ifs; k++) {
		i = &lab->ifs[k];
		for (j = 0; j < i->n_ip; j++)
			fprintf(f, "%s\t%s\n", inet_addr_str(&i->ip[j].addr, addr, sizeof(addr)),
				lab->nodes[i->node].name);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Does @path hold exactly @text? */
static int hosts_same(const char *path, const char *text, size_t len)
{
	char *have;
	ssize_t n;
	int fd, same;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	have = malloc(len + 1);
	n = have ? read(fd, have, len + 1) : -1;
	same = n == (ssize_t)len && !memcmp(have, text, len);
	free(have);
	close(fd);
	return same;
}

/* Write @text to @path: a temporary file, synced, renamed over it. */
static int hosts_write(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX + 16];
	size_t off = 0;
	ssize_t n;
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return log_err(-errno, "create %s", tmp);
	while (off < len && ret == 0) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno != EINTR)
			ret = -errno;
		off += n > 0 ? (size_t)n : 0;
	}
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0) {
		unlink(tmp);
		return log_err(ret, "write %s", path);
	}
	return 0;
}

/* /etc/netns/<ns>/hosts, a symlink to @target: 1 when it is, 0 when missing. */
static int hosts_link_state(const char *ns, const char *target, char *path, size_t size)
{
	char have[PATH_MAX];
	ssize_t n;

	snprintf(path, size, ETC_NETNS "/%s/hosts", ns);
	n = readlink(path, have, sizeof(have) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	have[n] = '\0';
	return strcmp(have, target) ? -EEXIST : 1;
}

static int hosts_link(const char *ns, const char *target)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int ret;

	ret = hosts_link_state(ns, target, path, sizeof(path));
	if (ret == 1)
		return 0;
	if (ret < 0) /* a file of someone else's: theirs to keep */
		return log_errx(-EEXIST, "%s exists and is not plumb-lab's; not touching it",
				path);
	snprintf(dir, sizeof(dir), ETC_NETNS "/%s", ns);
	if ((mkdir(ETC_NETNS, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return log_err(-errno, "create %s", dir);
	if (symlink(target, path) < 0)
		return log_err(-errno, "create %s", path);
	return 0;
}

/**
 * lab_hosts() - write the names of a lab's nodes, and give every node them
 * @run:	the run, its ports' addresses leased; with @run->check, only
 *		compared
 *
 * Return: 0 or negative errno (logged).
 */
int lab_hosts(struct lab_run *run)
{
	const struct lab *lab = run->lab;
	char target[PATH_MAX], path[PATH_MAX];
	size_t len = 0, i;
	char *text;
	int ret = 0;

	lab_hosts_path(lab->name, target, sizeof(target));
	text = hosts_text(lab, &len);
	if (!text)
		return log_err(-ENOMEM, "write %s", target);
	if (!hosts_same(target, text, len)) {
		ret = run_drift(run, "%s is out of date", target);
		if (ret == 0 && !run->check)
			ret = hosts_write(target, text, len);
	}
	for (i = 0; i < lab->n_nodes && ret == 0; i++) {
		if (hosts_link_state(lab->nodes[i].netns, target, path, sizeof(path)) == 1)
			continue;
		ret = run_ns_drift(run, &run->ns[i], "%s is missing", path);
		if (ret == 0 && !run->check)
			ret = hosts_link(lab->nodes[i].netns, target);
	}
	free(text);
	return ret;
}

/**
 * lab_hosts_del() - remove a namespace's hosts file, if it is the lab's
 * @lab:	the lab's name
 * @ns:		the namespace
 */
void lab_hosts_del(const char *lab, const char *ns)
{
	char target[PATH_MAX], path[PATH_MAX];

	lab_hosts_path(lab, target, sizeof(target));
	if (hosts_link_state(ns, target, path, sizeof(path)) != 1)
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("remove %s: %s", path, strerror(errno));
	*strrchr(path, '/') = '\0';
	rmdir(path); /* only when empty: what else is there is not ours */
}
