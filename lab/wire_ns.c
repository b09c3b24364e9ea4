// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wire_ns: round 3 of wire.c, one namespace at a time: interfaces up and
 * marked, MTU and master, addresses and routes, as the file has them; what
 * the lab made there and the file no longer has, removed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <plumb/bridge.h>
#include <plumb/log.h>

#include "batch.h"
#include "run.h"
#include "wire.h"

/**
 * struct wire_seen - the addresses and routes a namespace has
 * @n_addrs:	addresses (not link-local)
 * @addrs:	those addresses
 * @n_routes:	unicast routes of the main table
 * @routes:	those routes
 */
struct wire_seen {
	size_t n_addrs;
	struct nl_addr *addrs;
	size_t n_routes;
	struct nl_route *routes;
};

/* One more element for a dynamic array of @n elements of @size bytes. */
static void *wire_grow(void *array, size_t n, size_t size)
{
	if (n && (n & (n - 1)))
		return array;
	return realloc(array, (n ? 2 * n : 1) * size);
}

static int wire_addr_seen(const struct nl_addr *a, void *arg)
{
	struct wire_seen *s = arg;
	struct nl_addr *grown;

	if (a->scope != RT_SCOPE_UNIVERSE)
		return 0; /* link-local and host addresses are the kernel's */
	grown = wire_grow(s->addrs, s->n_addrs, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->addrs = grown;
	s->addrs[s->n_addrs++] = *a;
	return 0;
}

static int wire_route_seen(const struct nl_route *r, void *arg)
{
	struct wire_seen *s = arg;
	struct nl_route *grown;

	grown = wire_grow(s->routes, s->n_routes, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->routes = grown;
	s->routes[s->n_routes++] = *r;
	return 0;
}

static int wire_seen_read(struct lab_ns *ns, struct wire_seen *s)
{
	int ret;

	ret = nl_addr_list(&ns->nl, AF_UNSPEC, wire_addr_seen, s);
	if (ret == 0)
		ret = nl_route_for_each(&ns->nl, AF_INET, wire_route_seen, s);
	if (ret == 0)
		ret = nl_route_for_each(&ns->nl, AF_INET6, wire_route_seen, s);
	if (ret < 0)
		return nl_err(&ns->nl, ret, "list addresses and routes of %s",
			      *ns->name ? ns->name : "the host");
	return 0;
}

static int wire_has_addr(const struct wire_seen *s, int ifindex, const struct inet_prefix *p)
{
	size_t i;

	for (i = 0; i < s->n_addrs; i++) {
		if (s->addrs[i].ifindex == ifindex && s->addrs[i].p.len == p->len &&
		    inet_addr_eq(&s->addrs[i].p.addr, &p->addr))
			return 1;
	}
	return 0;
}

/**
 * struct wire_ctx - one namespace's round
 * @run:	the run
 * @ns:		the namespace
 * @lb:		its requests
 * @seen:	what it had (empty for a namespace made by this run)
 * @quiet:	what differs is no drift: the object was made by this run
 *		(or, for routes, an interface of the namespace was)
 */
struct wire_ctx {
	struct lab_run *run;
	struct lab_ns *ns;
	struct lab_batch lb;
	struct wire_seen seen;
	int quiet;
};

/* A difference in the namespace, unless it only follows from a remake. */
static int wire_note(struct wire_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int wire_note(struct wire_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (c->quiet)
		return 0;
	va_start(ap, fmt);
	ret = run_ns_vdrift(c->run, c->ns, fmt, ap);
	va_end(ap);
	return ret;
}

static const char *wire_ctx_where(const struct wire_ctx *c)
{
	return *c->ns->name ? c->ns->name : "the host";
}

/*
 * The addresses an interface should have: those the file no longer has are
 * removed first (global ones only: link-local are the kernel's), then the
 * missing added. In that order: removing a subnet's primary address takes
 * its secondaries with it (promote_secondaries is off by default), and an
 * address added beside an old one of the same subnet is a secondary.
 */
static int wire_addrs(struct wire_ctx *c, const struct nl_link *l,
		      const struct inet_prefix *want, size_t n)
{
	char buf[INET_PREFIX_STRLEN];
	size_t i, k;
	int ret = 0;

	for (i = 0; i < c->seen.n_addrs && ret == 0; i++) {
		const struct nl_addr *a = &c->seen.addrs[i];

		if (a->ifindex != l->index)
			continue;
		for (k = 0; k < n; k++) {
			if (a->p.len == want[k].len && inet_addr_eq(&a->p.addr, &want[k].addr))
				break;
		}
		if (k < n)
			continue;
		inet_prefix_str(&a->p, buf, sizeof(buf));
		ret = wire_note(c, "%s has address %s, not in the file", l->name, buf);
		nl_addr_build(&c->ns->nl, &c->lb.b, RTM_DELADDR, l->index, &a->p, 0);
		lab_batch_what(&c->lb, "remove address %s from %s in %s", buf, l->name,
			       wire_ctx_where(c));
	}
	for (i = 0; i < n && ret == 0; i++) {
		if (wire_has_addr(&c->seen, l->index, &want[i]))
			continue;
		inet_prefix_str(&want[i], buf, sizeof(buf));
		ret = wire_note(c, "%s lacks address %s", l->name, buf);
		nl_addr_build(&c->ns->nl, &c->lb.b, RTM_NEWADDR, l->index, &want[i],
			      NL_ADDR_NODAD);
		lab_batch_what(&c->lb, "add address %s to %s in %s", buf, l->name,
			       wire_ctx_where(c));
	}
	return ret;
}

/*
 * Up, marked as the lab's, with its MTU and master: one request if any
 * differs. In plumb's interface group: bridges and their ports wherever
 * they are (a bridge's isolation is from the others in the group), and all
 * the lab has in the host (which other firewalls then let through).
 */
static int wire_link(struct wire_ctx *c, const struct nl_link *l, unsigned int mtu,
		     const struct nl_link *master, int bridged)
{
	const char *alias = c->run->alias;
	uint32_t group = bridged || c->ns == &c->run->host ? BRIDGE_GROUP : l->group;
	struct nlmsghdr *nlh;
	int ret = 0;

	if (!(l->flags & IFF_UP))
		ret = wire_note(c, "%s is down", l->name);
	if (mtu && l->mtu != mtu)
		ret = wire_note(c, "%s has MTU %u, not %u", l->name, l->mtu, mtu);
	if (master && l->master != master->index)
		ret = wire_note(c, "%s is not a port of %s", l->name, master->name);
	if (ret < 0 || ((l->flags & IFF_UP) && !strcmp(l->alias, alias) && l->group == group &&
			(!mtu || l->mtu == mtu) && (!master || l->master == master->index)))
		return ret;
	nlh = nl_link_build_set(&c->ns->nl, &c->lb.b, l->name, 1);
	if (strcmp(l->alias, alias))
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	if (l->group != group)
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	if (mtu && l->mtu != mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (master && l->master != master->index)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master->index);
	lab_batch_what(&c->lb, "bring %s up in %s", l->name, wire_ctx_where(c));
	return 0;
}

/* One object of the namespace: a bridge, a port's host end, a node's interface. */
static int wire_item(struct wire_ctx *c, const struct lab_item *it)
{
	const struct lab *lab = c->run->lab;
	const struct lab_if *i = it->kind == LAB_ITEM_BRIDGE ? NULL : &lab->ifs[it->index];
	struct inet_prefix gw[2];
	const struct lab_bridge *br;
	const struct nl_link *l;
	size_t k, n = 0;
	int ret;

	if (it->kind == LAB_ITEM_BRIDGE) {
		br = &lab->bridges[it->index];
		l = run_link(c->ns, br->name);
		if (!l)
			return 0; /* check: said already */
		for (k = 0; k < 2; k++) {
			if (br->sets[k].n)
				gw[n++] = (struct inet_prefix){
					.addr = br->sets[k].range[0].gateway,
					.len = br->sets[k].range[0].subnet.len
				};
		}
		ret = wire_link(c, l, 0, NULL, 1);
		return ret < 0 ? ret : wire_addrs(c, l, gw, n);
	}
	l = run_link(c->ns, it->kind == LAB_ITEM_PORT ? i->host_veth : i->name);
	if (!l)
		return 0;
	c->quiet = i->made;
	if (it->kind == LAB_ITEM_PORT) {
		br = &lab->bridges[i->bridge];
		return wire_link(c, l, i->mtu, run_link(c->ns, br->name), 1);
	}
	ret = wire_link(c, l, i->mtu, NULL, 0);
	return ret < 0 ? ret : wire_addrs(c, l, i->ip, i->n_ip);
}

static int wire_route_same(const struct nl_route *a, const struct nl_route *b)
{
	return a->gateway.family == b->gateway.family &&
	       (!a->gateway.family || inet_addr_eq(&a->gateway, &b->gateway)) &&
	       (!a->oif || a->oif == b->oif);
}

/* A route: added when missing, replaced when it leads elsewhere. */
static int wire_route(struct wire_ctx *c, const struct nl_route *r, const char *text)
{
	const struct nl_route *have = NULL;
	struct nlmsghdr *nlh;
	size_t i;
	int ret = 0;

	for (i = 0; i < c->seen.n_routes && !have; i++) {
		const struct nl_route *s = &c->seen.routes[i];

		if (s->dst.addr.family == r->dst.addr.family && s->dst.len == r->dst.len &&
		    inet_addr_eq(&s->dst.addr, &r->dst.addr))
			have = s;
	}
	if (have && wire_route_same(r, have))
		return 0;
	ret = wire_note(c, have ? "route %s leads elsewhere" :
						 "route %s is missing",
			   text);
	nlh = nl_route_build(&c->ns->nl, &c->lb.b, RTM_NEWROUTE, r);
	if (have)
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	lab_batch_what(&c->lb, "add route %s in %s", text, wire_ctx_where(c));
	return ret;
}

/* The node's routes, and the default routes its bridge ports give it. */
static int wire_routes(struct wire_ctx *c, int node)
{
	const struct lab *lab = c->run->lab;
	const struct nl_link *l;
	char text[128], gw[INET_ADDR_STRLEN];
	struct nl_route r;
	size_t i, f;
	int ret = 0;

	for (i = 0; i < lab->n_routes && ret == 0; i++) {
		if (lab->routes[i].node != node)
			continue;
		r = lab->routes[i].r;
		l = *lab->routes[i].dev ? run_link(c->ns, lab->routes[i].dev) : NULL;
		if (*lab->routes[i].dev && !l)
			continue; /* check: its interface is missing, said */
		r.oif = l ? l->index : 0;
		ret = wire_route(c, &r, lab->routes[i].text);
	}
	for (i = 0; i < lab->n_ifs && ret == 0; i++) {
		const struct lab_if *p = &lab->ifs[i];

		l = p->node == node && p->default_route ? run_link(c->ns, p->name) : NULL;
		for (f = 0; l && f < 2 && ret == 0; f++) {
			if (!(p->default_route & (1 << f)))
				continue;
			r = (struct nl_route){ .oif = l->index };
			r.gateway = lab->bridges[p->bridge].sets[f].range[0].gateway;
			r.dst.addr.family = r.gateway.family;
			snprintf(text, sizeof(text), "default via %s",
				 inet_addr_str(&r.gateway, gw, sizeof(gw)));
			ret = wire_route(c, &r, text);
		}
	}
	return ret;
}

/* Is @name one of the namespace's objects? */
static int wire_declared(const struct wire_ctx *c, const char *name)
{
	const struct lab *lab = c->run->lab;
	const struct lab_item *it;
	size_t i;

	for (i = 0; i < c->ns->n_items; i++) {
		it = &c->ns->items[i];
		if (!strcmp(name, it->kind == LAB_ITEM_BRIDGE ? lab->bridges[it->index].name :
				  it->kind == LAB_ITEM_PORT ? lab->ifs[it->index].host_veth :
							      lab->ifs[it->index].name))
			return 1;
	}
	return 0;
}

/* What carries the lab's mark and the file no longer has: removed. */
static int wire_stale(struct wire_ctx *c)
{
	const struct nl_link *l;
	size_t i;
	int ret = 0;

	for (i = 0; i < c->ns->n_links && ret == 0; i++) {
		l = &c->ns->links[i];
		if (!strcmp(l->name, "lo") || wire_declared(c, l->name) ||
		    !run_owned(c->run, c->ns, l))
			continue;
		ret = wire_note(c, "%s is not in the file", l->name);
		nl_link_build_del(&c->ns->nl, &c->lb.b, l->name);
		lab_batch_what(&c->lb, "delete %s in %s", l->name, wire_ctx_where(c));
	}
	return ret;
}

/* The loopback, up and marked: the mark makes the namespace the lab's. */
static int wire_lo(struct wire_ctx *c)
{
	const struct nl_link *lo = run_link(c->ns, "lo");

	if (!lo)
		return log_errx(-ENODEV, "%s has no lo", c->ns->name);
	return wire_link(c, lo, 0, NULL, 0);
}

static int wire_ns_build(struct wire_ctx *c, int node)
{
	size_t i;
	int made = 0, ret = 0;

	if (c->ns->state == LAB_NS_OURS || node == LAB_HOST)
		ret = wire_seen_read(c->ns, &c->seen);
	if (ret == 0 && node != LAB_HOST)
		ret = wire_lo(c);
	for (i = 0; i < c->ns->n_items && ret == 0; i++) {
		c->quiet = 0;
		ret = wire_item(c, &c->ns->items[i]);
		made |= c->quiet;
	}
	c->quiet = made; /* routes through a new interface are new too */
	if (ret == 0 && node != LAB_HOST)
		ret = wire_routes(c, node);
	c->quiet = 0;
	if (ret == 0)
		ret = wire_stale(c);
	return ret;
}

/**
 * wire_ns() - configure one namespace of the lab, in one batch
 * @run:	the run
 * @node:	its node, or LAB_HOST
 *
 * Return: 0 or negative errno (logged).
 */
int wire_ns(struct lab_run *run, int node)
{
	struct wire_ctx c = { .run = run, .ns = run_ns(run, node) };
	int ret;

	if (c.ns->state == LAB_NS_MISSING)
		return 0;
	ret = run_links_dump(c.ns);
	if (ret < 0)
		return ret;
	lab_batch_init(&c.lb, &c.ns->nl, c.ns->name);
	ret = wire_ns_build(&c, node);
	if (ret < 0 || run->check)
		lab_batch_drop(&c.lb);
	else
		ret = lab_batch_send(&c.lb);
	free(c.seen.addrs);
	free(c.seen.routes);
	return ret;
}
