// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge link, unlink: a point-to-point veth between two namespaces,
 * for routers and chains of hosts in hand-made topologies.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/sysctl.h>

#include "bridge.h"

/**
 * struct end - one end of a link: NETNS:IFNAME[=ADDRESS/LENGTH]
 * @netns:	the namespace as given
 * @ifname:	the interface
 * @has_ip:	an address was given
 * @ip:		the address
 * @fd:		the namespace, open
 */
struct end {
	char netns[PATH_MAX];
	char ifname[IF_NAMESIZE];
	int has_ip;
	struct inet_prefix ip;
	int fd;
};

static int end_parse(const char *arg, struct end *e)
{
	char buf[PATH_MAX + 64], *eq, *colon;

	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if ((size_t)snprintf(buf, sizeof(buf), "%s", arg) >= sizeof(buf))
		return log_errx(-EINVAL, "invalid link end: too long");
	eq = strchr(buf, '=');
	if (eq) {
		*eq++ = '\0';
		if (inet_prefix_parse(eq, &e->ip) < 0)
			return log_errx(-EINVAL,
					"invalid address \"%s\" in \"%s\": want "
					"ADDRESS/LENGTH",
					eq, arg);
		e->has_ip = 1;
	}
	/* The interface follows the last ':', as a namespace may be "pid:42". */
	colon = strrchr(buf, ':');
	if (!colon || colon == buf)
		return log_errx(-EINVAL,
				"invalid link end \"%s\": want "
				"NETNS:IFNAME[=ADDRESS/LENGTH]",
				arg);
	*colon = '\0';
	if (nl_link_name_check(colon + 1) < 0)
		return -EINVAL;
	snprintf(e->ifname, sizeof(e->ifname), "%s", colon + 1);
	if (strlen(buf) >= sizeof(e->netns))
		return log_errx(-EINVAL, "invalid link end: namespace too long");
	memcpy(e->netns, buf, strlen(buf) + 1);
	e->fd = netns_open(e->netns);
	return e->fd < 0 ? e->fd : 0;
}

static int end_configure(const struct end *e, int forward)
{
	struct inet_addr none = { 0 };
	struct bridge_port p = { .netns_fd = e->fd,
				 .ifname = e->ifname,
				 .n_ip = e->has_ip,
				 .ip = &e->ip,
				 .gateway = &none };
	int ret;

	ret = bridge_netns_configure(&p);
	if (ret == 0 && forward)
		ret = sysctl_set(e->fd, "net/ipv4/ip_forward", "1");
	if (ret == 0 && forward)
		ret = sysctl_set(e->fd, "net/ipv6/conf/all/forwarding", "1");
	return ret;
}

static int link_make(struct end *a, struct end *b, unsigned int mtu, int forward)
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

	ret = nl_open(&nl, NETLINK_ROUTE);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = nl_link_add_veth(&nl, &v);
	nl_close(&nl);
	if (ret < 0)
		return ret;
	ret = end_configure(a, forward);
	if (ret == 0)
		ret = end_configure(b, forward);
	if (ret < 0 && nl_open_netns(&nl, NETLINK_ROUTE, a->fd) == 0) {
		nl_link_del(&nl, a->ifname); /* all or nothing */
		nl_close(&nl);
	}
	return ret;
}

static const struct option link_options[] = {
	{ "mtu", required_argument, NULL, 'm' },
	{ "forward", no_argument, NULL, 'f' },
	{ 0 },
};

int cmd_link(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct end a = { .fd = -1 }, b = { .fd = -1 };
	unsigned long mtu = 0;
	int c, forward = 0, ret = -EINVAL;

	(void)ctx;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", link_options, NULL)) != -1) {
		if (c == 'm' && cmd_parse_uint("MTU", optarg, 68, 65535, &mtu) < 0)
			return CMD_FAILED;
		else if (c == 'f')
			forward = 1;
		else if (c != 'm')
			return cmd_usage(argv[0], CMD_USAGE);
	}
	if (optind + 2 != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	if (end_parse(argv[optind], &a) == 0 && end_parse(argv[optind + 1], &b) == 0)
		ret = link_make(&a, &b, (unsigned int)mtu, forward);
	if (a.fd >= 0)
		close(a.fd);
	if (b.fd >= 0)
		close(b.fd);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}

int cmd_unlink(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nl_link link;
	struct nl_sock nl;
	struct end e;
	int ret;

	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = end_parse(argv[1], &e);
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
