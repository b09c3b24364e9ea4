// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * view: a lab as it is, for show: its topology from its record, with what
 * the kernel has of it (interfaces, their state and addresses, routes).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <plumb/log.h>
#include <plumb/netns.h>

#include "record.h"
#include "view.h"

/**
 * lab_from_record() - the topology a lab's record keeps
 * @name:	the lab
 * @lab:	filled; lab_free() it, whatever this returns
 *
 * Return: 0, or negative errno (logged): -ENOENT when the lab is not up.
 */
int lab_from_record(const char *name, struct lab *lab)
{
	const char *source, *file;
	json_t *rec;
	int err;

	memset(lab, 0, sizeof(*lab));
	if (lab_name_check("lab name", name) < 0)
		return -EINVAL;
	rec = lab_record_read(name, &err);
	if (!rec)
		return err == -ENOENT ? log_errx(-ENOENT, "lab %s is not up", name) : err;
	source = json_string_value(json_object_get(rec, "source"));
	file = json_string_value(json_object_get(rec, "file"));
	err = lab_parse(source, json_string_length(json_object_get(rec, "source")),
			file ? file : name, lab);
	json_decref(rec);
	return err;
}

static int view_addr(const struct nl_addr *a, void *arg)
{
	struct view_ns *v = arg;

	if (a->scope != RT_SCOPE_UNIVERSE || v->n_addrs >= VIEW_ADDRS_MAX)
		return 0;
	v->addrs[v->n_addrs++] = *a;
	return 0;
}

static int view_route(const struct nl_route *r, void *arg)
{
	struct view_ns *v = arg;

	if (v->n_routes < VIEW_ROUTES_MAX)
		v->routes[v->n_routes++] = *r;
	return 0;
}

static int view_link(const struct nl_link *l, void *arg)
{
	struct view_ns *v = arg;

	if (v->n_links < VIEW_LINKS_MAX)
		v->links[v->n_links++] = *l;
	return 0;
}

/**
 * view_ns_read() - what the kernel has in a namespace
 * @netns:	its name, or NULL for the host
 * @v:		filled; its @present says whether the namespace is there
 *
 * Return: 0 or negative errno (logged).
 */
int view_ns_read(const char *netns, struct view_ns *v)
{
	char path[PATH_MAX];
	struct nl_sock nl;
	int fd = -1, ret;

	memset(v, 0, sizeof(*v));
	if (netns) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", netns);
		if (access(path, F_OK) < 0)
			return 0;
		fd = netns_open_path(path);
		if (fd < 0)
			return fd;
	}
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", netns ? netns : "the host");
	ret = nl_link_for_each(&nl, view_link, v);
	if (ret == 0)
		ret = nl_addr_list(&nl, AF_UNSPEC, view_addr, v);
	if (ret == 0)
		ret = nl_route_for_each(&nl, AF_INET, view_route, v);
	if (ret == 0)
		ret = nl_route_for_each(&nl, AF_INET6, view_route, v);
	if (ret < 0)
		nl_err(&nl, ret, "read %s", netns ? netns : "the host");
	nl_close(&nl);
	v->present = ret == 0;
	return ret;
}

/**
 * view_link_find() - an interface of a namespace, by name
 * @v:		the namespace
 * @name:	the interface
 *
 * Return: the interface, or NULL.
 */
const struct nl_link *view_link_find(const struct view_ns *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n_links; i++) {
		if (!strcmp(v->links[i].name, name))
			return &v->links[i];
	}
	return NULL;
}

/**
 * view_addrs() - the addresses of an interface, as the kernel has them
 * @v:		its namespace
 * @l:		the interface
 * @out:	filled
 * @max:	room at @out
 *
 * Return: how many.
 */
size_t view_addrs(const struct view_ns *v, const struct nl_link *l, struct inet_prefix *out,
		  size_t max)
{
	size_t i, n = 0;

	for (i = 0; l && i < v->n_addrs && n < max; i++) {
		if (v->addrs[i].ifindex == l->index)
			out[n++] = v->addrs[i].p;
	}
	return n;
}

/**
 * view_has_route() - tell whether a namespace has a route
 * @v:		the namespace
 * @r:		the route: its destination, and its gateway when it has one
 */
int view_has_route(const struct view_ns *v, const struct nl_route *r)
{
	const struct nl_route *s;
	size_t i;

	for (i = 0; i < v->n_routes; i++) {
		s = &v->routes[i];
		if (s->dst.addr.family == r->dst.addr.family && s->dst.len == r->dst.len &&
		    inet_addr_eq(&s->dst.addr, &r->dst.addr) &&
		    (!r->gateway.family || inet_addr_eq(&s->gateway, &r->gateway)))
			return 1;
	}
	return 0;
}
