// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge link, unlink: a point-to-point veth between two namespaces,
 * for routers and chains of hosts in hand-made topologies. An end is
 * NETNS:IFNAME[=ADDR/LEN[,ADDR/LEN...]]; NETNS "host" is the namespace the
 * tool works in (its own, or -n's).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/state.h>
#include <plumb/sysctl.h>

#include "bridge.h"

#define END_HOST "host"

/**
 * struct end - one end of a link: NETNS:IFNAME[=ADDRESS/LENGTH,...]
 * @netns:	the namespace as given ("host" for the tool's)
 * @ifname:	the interface
 * @n_ip:	number of addresses
 * @ip:		the addresses
 * @fd:		the namespace, open
 * @forward:	it forwards (--forward)
 */
struct end {
	char netns[PATH_MAX];
	char ifname[IF_NAMESIZE];
	size_t n_ip;
	struct inet_prefix ip[BRIDGE_ADDRS_MAX];
	int fd;
	int forward;
};

/* "the host" or "network namespace a", for messages. */
static const char *end_where(const struct end *e, char *buf, size_t size)
{
	if (!strcmp(e->netns, END_HOST))
		snprintf(buf, size, "the host");
	else
		snprintf(buf, size, "network namespace %s", e->netns);
	return buf;
}

/* "ADDR/LEN[,ADDR/LEN...]" */
static int end_ips(struct end *e, char *list, const char *arg)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (e->n_ip == BRIDGE_ADDRS_MAX)
			return log_errx(-EINVAL, "more than %d addresses in \"%s\"",
					BRIDGE_ADDRS_MAX, arg);
		if (inet_prefix_parse(tok, &e->ip[e->n_ip++]) < 0)
			return log_errx(-EINVAL,
					"invalid address \"%s\" in \"%s\": want "
					"ADDRESS/LENGTH",
					tok, arg);
	}
	return 0;
}

static int end_parse(const struct cmd_ctx *ctx, const char *arg, struct end *e)
{
	char buf[PATH_MAX + 64], *eq, *colon;
	int ret;

	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if ((size_t)snprintf(buf, sizeof(buf), "%s", arg) >= sizeof(buf))
		return log_errx(-EINVAL, "invalid link end: too long");
	eq = strchr(buf, '=');
	if (eq) {
		*eq++ = '\0';
		ret = end_ips(e, eq, arg);
		if (ret < 0)
			return ret;
	}
	/* The interface follows the last ':', as a namespace may be "pid:42". */
	colon = strrchr(buf, ':');
	if (!colon || colon == buf)
		return log_errx(-EINVAL,
				"invalid link end \"%s\": want "
				"NETNS:IFNAME[=ADDRESS/LENGTH,...]",
				arg);
	*colon = '\0';
	if (nl_link_name_check(colon + 1) < 0)
		return -EINVAL;
	snprintf(e->ifname, sizeof(e->ifname), "%s", colon + 1);
	if (strlen(buf) >= sizeof(e->netns))
		return log_errx(-EINVAL, "invalid link end: namespace too long");
	memcpy(e->netns, buf, strlen(buf) + 1);
	if (strcmp(e->netns, END_HOST)) {
		e->fd = netns_open(e->netns);
		return e->fd < 0 ? e->fd : 0;
	}
	/* The host: -n's namespace, or ours. */
	if (ctx->netns) {
		e->fd = netns_open(ctx->netns);
		return e->fd < 0 ? e->fd : 0;
	}
	e->fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return e->fd < 0 ? log_err(-errno, "open /proc/self/ns/net") : 0;
}

static int end_configure(const struct end *e)
{
	struct inet_addr none[BRIDGE_ADDRS_MAX] = { 0 };
	struct bridge_port p = { .netns_fd = e->fd,
				 .ifname = e->ifname,
				 .n_ip = e->n_ip,
				 .ip = e->ip,
				 .gateway = none };
	int ret;

	ret = bridge_netns_configure(&p);
	if (ret == 0 && e->forward)
		ret = sysctl_set(e->fd, "net/ipv4/ip_forward", "1");
	if (ret == 0 && e->forward)
		ret = sysctl_set(e->fd, "net/ipv6/conf/all/forwarding", "1");
	return ret;
}

/* An interface in the way says where it is, not only "File exists". */
static int end_free(const struct end *e)
{
	char where[PATH_MAX + 32];
	struct nl_link l;
	struct nl_sock nl;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, e->fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", e->netns);
	ret = nl_link_get(&nl, e->ifname, &l);
	if (ret == 0)
		ret = log_errx(-EEXIST, "%s has an interface %s already",
			       end_where(e, where, sizeof(where)), e->ifname);
	else if (ret == -ENODEV)
		ret = 0;
	else
		nl_err(&nl, ret, "look up %s in %s", e->ifname, e->netns);
	nl_close(&nl);
	return ret;
}

static int link_make(struct end *a, struct end *b, unsigned int mtu)
{
	struct nl_veth v = {
		.name = a->ifname,
		.netns_fd = a->fd,
		.peer = b->ifname,
		.peer_netns_fd = b->fd,
		.mtu = mtu,
	};
	struct nl_sock nl;
	int ret;

	ret = end_free(a);
	if (ret == 0)
		ret = end_free(b);
	if (ret < 0)
		return ret;
	ret = nl_open(&nl, NETLINK_ROUTE);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = nl_link_add_veth(&nl, &v);
	nl_close(&nl);
	if (ret < 0)
		return ret;
	ret = end_configure(a);
	if (ret == 0)
		ret = end_configure(b);
	if (ret < 0 && nl_open_netns(&nl, NETLINK_ROUTE, a->fd) == 0) {
		nl_link_del(&nl, a->ifname); /* all or nothing */
		nl_close(&nl);
	}
	return ret;
}

static const struct option link_options[] = {
	{ "mtu", required_argument, NULL, 'm' },
	{ "forward", optional_argument, NULL, 'f' },
	{ 0 },
};

/* --forward: both ends; --forward=NETNS: the end in NETNS (as written). */
static int link_forward(struct end *a, struct end *b, const char *const *which, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!which[i]) {
			a->forward = b->forward = 1;
		} else if (!strcmp(which[i], a->netns) || !strcmp(which[i], b->netns)) {
			a->forward |= !strcmp(which[i], a->netns);
			b->forward |= !strcmp(which[i], b->netns);
		} else {
			return log_errx(-EINVAL, "--forward=%s names neither end's namespace",
					which[i]);
		}
	}
	return 0;
}

int cmd_link(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct end a = { .fd = -1 }, b = { .fd = -1 };
	const char *forward[8];
	unsigned long mtu = 0;
	size_t n_forward = 0;
	int c, ret = -EINVAL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", link_options, NULL)) != -1) {
		if (c == 'm' && cmd_parse_uint("MTU", optarg, 68, 65535, &mtu) < 0)
			return CMD_FAILED;
		else if (c == 'f' && n_forward < sizeof(forward) / sizeof(forward[0]))
			forward[n_forward++] = optarg;
		else if (c != 'm') /* also a ninth --forward */
			return cmd_usage(argv[0], CMD_USAGE);
	}
	if (optind + 2 != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	if (end_parse(ctx, argv[optind], &a) == 0 &&
	    end_parse(ctx, argv[optind + 1], &b) == 0 &&
	    link_forward(&a, &b, forward, n_forward) == 0)
		ret = link_make(&a, &b, (unsigned int)mtu);
	if (a.fd >= 0)
		close(a.fd);
	if (b.fd >= 0)
		close(b.fd);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}

/**
 * struct unlink_end - an end unlink was given, and the attachment it is
 * @e:		the end
 * @st:		its namespace's file
 * @a:		the attachment whose interface it is, when @found
 * @found:	it is one
 */
struct unlink_end {
	const struct end *e;
	struct stat st;
	struct attachment a;
	int found;
};

static int unlink_attached(const struct attachment *a, void *arg)
{
	struct unlink_end *u = arg;
	char path[PATH_MAX];
	struct stat st;

	if (strcmp(a->ifname, u->e->ifname) ||
	    netns_spec_path_try(a->netns, path, sizeof(path), NULL) < 0 ||
	    stat(path, &st) < 0 || st.st_dev != u->st.st_dev || st.st_ino != u->st.st_ino)
		return 0;
	u->a = *a;
	u->found = 1;
	return -1; /* found */
}

/* The interface of an attachment goes with it: plumb-bridge del, not unlink. */
static int unlink_not_attached(const struct end *e)
{
	struct unlink_end u = { .e = e };

	if (fstat(e->fd, &u.st) < 0)
		return log_err(-errno, "stat %s", e->netns);
	attach_for_each(STATE_DIR, NULL, unlink_attached, &u);
	if (!u.found)
		return 0;
	return log_errx(-EPERM,
			"%s:%s is attachment %s/%s/%s's: "
			"plumb-bridge del %s%s removes it",
			e->netns, e->ifname, u.a.network, u.a.id, u.a.ifname,
			strcmp(u.a.id, e->netns) ? "--id " : "", u.a.id);
}

int cmd_unlink(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nl_link link;
	struct nl_sock nl;
	struct end e;
	int ret;

	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = end_parse(ctx, argv[1], &e);
	if (ret == 0)
		ret = unlink_not_attached(&e);
	if (ret == 0) {
		ret = nl_open_netns(&nl, NETLINK_ROUTE, e.fd);
		if (ret < 0)
			log_err(ret, "open rtnetlink socket in %s", e.netns);
	}
	if (ret == 0) {
		ret = nl_link_get(&nl, e.ifname, &link);
		if (ret == -ENODEV)
			ret = log_errx(ret, "no interface %s in %s", e.ifname, e.netns);
		else if (ret == 0 && strcmp(link.kind, "veth"))
			ret = log_errx(-EPERM, "%s in %s is not a veth; not deleting it",
				       e.ifname, e.netns);
		else if (ret == 0)
			ret = nl_link_del(&nl, e.ifname);
		nl_close(&nl);
	}
	if (e.fd >= 0)
		close(e.fd);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
