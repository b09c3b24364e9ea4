// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach_check: compare an attachment's record with what the kernel has, on
 * the host and inside the container, and name each difference in a sentence.
 * Used by "plumb-bridge check" and by the CNI CHECK.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/addr.h>
#include <plumb/attach.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/route.h>

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
		if (a->hairpin && veth.hairpin != 1)
			differ(diffs, "%s is not in hairpin mode", a->host_veth);
	}
	nl_close(&nl);
}

struct seen {
	const struct attachment *a;
	int ip[BRIDGE_ADDRS_MAX];
	int route[BRIDGE_ADDRS_MAX];
	int extra[BRIDGE_ROUTES_MAX];
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

	if (r->oif != s->ifindex)
		return 0;
	for (i = 0; i < s->a->n_ip; i++)
		s->route[i] |= r->dst.len == 0 &&
			       inet_addr_eq(&r->gateway, &s->a->gateway[i]);
	for (i = 0; i < s->a->n_routes; i++) {
		const struct nl_route *want = &s->a->routes[i];

		s->extra[i] |= want->dst.len == r->dst.len &&
			       inet_addr_eq(&want->dst.addr, &r->dst.addr) &&
			       (!want->gateway.family ||
				inet_addr_eq(&want->gateway, &r->gateway));
	}
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

	fd = netns_open_path_try(a->netns, NULL);
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
		for (i = 0; i < a->n_routes; i++) {
			if (!s.extra[i])
				differ(diffs, "no route to %s",
				       inet_prefix_str(&a->routes[i].dst, buf,
						       sizeof(buf)));
		}
	}
	nl_close(&nl);
	close(fd);
}

/**
 * attach_check() - compare an attachment with the kernel
 * @a:		the attachment, as recorded
 * @host_netns_fd: the bridge's namespace, or -1 for the record's (or ours)
 * @diffs:	a JSON array; each difference is appended as a sentence
 *
 * Return: the number of differences.
 */
int attach_check(const struct attachment *a, int host_netns_fd, json_t *diffs)
{
	int fd = host_netns_fd;

	if (fd < 0 && *a->host_netns) {
		fd = netns_open_path_try(a->host_netns, NULL);
		/* Not our own namespace instead: a veth of that name there is not it. */
		if (fd < 0)
			differ(diffs, "host namespace %s is gone", a->host_netns);
	}
	if (fd >= 0 || !*a->host_netns)
		check_host(a, fd, diffs);
	check_container(a, diffs);
	if (fd >= 0 && fd != host_netns_fd)
		close(fd);
	return (int)json_array_size(diffs);
}
