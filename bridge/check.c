// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge check: compare an attachment's record with what the kernel
 * has, on the host and inside the container, and name each difference.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/addr.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/route.h>
#include <plumb/state.h>

#include "bridge.h"

static void differ(json_t *diffs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void differ(json_t *diffs, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(diffs, json_string(buf));
}

/* The checks both ends share: present, up, MTU, hardware address. */
static int check_link(struct nl_sock *nl, const char *name, const char *where,
		      unsigned int mtu, const uint8_t *mac, struct nl_link *link,
		      json_t *diffs)
{
	char want[18], have[18];

	if (nl_link_get(nl, name, link) < 0) {
		differ(diffs, "%s is missing %s", name, where);
		return -ENODEV;
	}
	if (!(link->flags & IFF_UP))
		differ(diffs, "%s %s is down", name, where);
	if (link->mtu != mtu)
		differ(diffs, "%s %s has MTU %u, not %u", name, where, link->mtu, mtu);
	if (memcmp(link->mac, mac, 6))
		differ(diffs, "%s %s has MAC %s, not %s", name, where,
		       nl_link_mac_str(link->mac, have, sizeof(have)),
		       nl_link_mac_str(mac, want, sizeof(want)));
	return 0;
}

static void check_host(const struct attachment *a, int host_fd, json_t *diffs)
{
	struct nl_link veth, br;
	struct nl_sock nl;

	if (nl_open_netns(&nl, NETLINK_ROUTE, host_fd) < 0) {
		differ(diffs, "cannot open the host namespace");
		return;
	}
	if (check_link(&nl, a->host_veth, "on the host", a->mtu, a->host_mac, &veth,
		       diffs) == 0) {
		if (strcmp(veth.kind, "veth"))
			differ(diffs, "%s is a %s, not a veth", a->host_veth, veth.kind);
		if (nl_link_get(&nl, a->bridge, &br) < 0)
			differ(diffs, "bridge %s is missing", a->bridge);
		else if (veth.master != br.index)
			differ(diffs, "%s is not a port of %s", a->host_veth, a->bridge);
		if (veth.hairpin != 1)
			differ(diffs, "%s is not in hairpin mode", a->host_veth);
	}
	nl_close(&nl);
}

struct seen {
	const struct attachment *a;
	int ip[BRIDGE_ADDRS_MAX];
	int route[BRIDGE_ADDRS_MAX];
	int ifindex;
};

static int seen_addr(const struct inet_prefix *p, void *arg)
{
	struct seen *s = arg;
	size_t i;

	for (i = 0; i < s->a->n_ip; i++)
		s->ip[i] |= inet_addr_eq(&p->addr, &s->a->ip[i].addr) &&
			    p->len == s->a->ip[i].len;
	return 0;
}

static int seen_route(const struct nl_route *r, void *arg)
{
	struct seen *s = arg;
	size_t i;

	for (i = 0; i < s->a->n_ip; i++)
		s->route[i] |= r->dst.len == 0 && r->oif == s->ifindex &&
			       inet_addr_eq(&r->gateway, &s->a->gateway[i]);
	return 0;
}

static void check_container(const struct attachment *a, json_t *diffs)
{
	char buf[INET_PREFIX_STRLEN];
	struct seen s = { .a = a };
	struct nl_link link;
	struct nl_sock nl;
	size_t i;
	int fd;

	log_set_quiet(1);
	fd = netns_open_path(a->netns);
	log_set_quiet(0);
	if (fd < 0) {
		differ(diffs, "namespace %s is gone", a->netns);
		return;
	}
	if (nl_open_netns(&nl, NETLINK_ROUTE, fd) < 0) {
		differ(diffs, "cannot open namespace %s", a->netns);
		close(fd);
		return;
	}
	if (check_link(&nl, a->ifname, "in the container", a->mtu, a->mac, &link,
		       diffs) == 0) {
		s.ifindex = link.index;
		nl_addr_for_each(&nl, AF_UNSPEC, link.index, seen_addr, &s);
		nl_route_for_each(&nl, AF_INET, seen_route, &s);
		nl_route_for_each(&nl, AF_INET6, seen_route, &s);
		for (i = 0; i < a->n_ip; i++) {
			if (!s.ip[i])
				differ(diffs, "%s lacks address %s", a->ifname,
				       inet_prefix_str(&a->ip[i], buf, sizeof(buf)));
			if (a->default_route && a->gateway[i].family && !s.route[i])
				differ(diffs, "no default route via %s",
				       inet_addr_str(&a->gateway[i], buf, sizeof(buf)));
		}
	}
	nl_close(&nl);
	close(fd);
}

static const struct option check_options[] = {
	{ "ifname", required_argument, NULL, 'f' },
	{ "network", required_argument, NULL, 'w' },
	{ 0 },
};

int cmd_check(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *ifname = "eth0", *network = BRIDGE_DEFAULT;
	struct attachment a;
	json_t *diffs;
	size_t i;
	int c, fd, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", check_options, NULL)) != -1) {
		if (c == 'f')
			ifname = optarg;
		else if (c == 'w')
			network = optarg;
		else
			return cmd_usage(argv[0], CMD_USAGE);
	}
	if (optind + 1 != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	if (attach_key_check(network, argv[optind], ifname) < 0)
		return CMD_FAILED;
	ret = attach_record_read(STATE_DIR, network, argv[optind], ifname, &a);
	if (ret == -ENOENT)
		log_errx(ret, "no attachment %s/%s/%s", network, argv[optind], ifname);
	if (ret < 0 || host_netns_open(ctx, &fd) < 0)
		return CMD_FAILED;
	if (fd < 0 && *a.host_netns) {
		log_set_quiet(1);
		fd = netns_open_path(a.host_netns);
		log_set_quiet(0);
	}

	diffs = json_array();
	/* Not our own namespace instead: a veth of that name there is not it. */
	if (fd < 0 && *a.host_netns)
		differ(diffs, "host namespace %s is gone", a.host_netns);
	else
		check_host(&a, fd, diffs);
	check_container(&a, diffs);
	if (fd >= 0)
		close(fd);
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:O}", "network", a.network, "id",
				      a.id, "ifname", a.ifname, "differences", diffs);

		if (j)
			json_write(stdout, j);
		json_decref(j);
	} else {
		for (i = 0; i < json_array_size(diffs); i++)
			printf("%s\n", json_string_value(json_array_get(diffs, i)));
	}
	ret = json_array_size(diffs) ? CMD_FAILED : CMD_OK;
	json_decref(diffs);
	return ret;
}
