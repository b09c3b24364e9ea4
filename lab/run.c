// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run: a lab's namespaces as the kernel has them. Each node is a named
 * namespace; the host is the namespace plumb-lab runs in. A node's
 * namespace is the lab's when its loopback carries the lab's alias
 * ("plumb-lab:<name>", set by "up") or the lab's record names it (made by a
 * run that was killed before it set the alias); everything in such a
 * namespace is the lab's to change. In the host only what carries the
 * lab's mark is (its alias, or the hardware address the lab gives what it
 * makes: run_owned()): a bridge or veth of the lab's names without it
 * belongs to someone else, and the lab refuses to go on, naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plumb/bridge.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/netns.h>

#include "run.h"
#include "settings.h"

/* Where the namespace of @node counts among the lab's: the host last. */
static size_t run_holder(const struct lab *lab, int node)
{
	return node == LAB_HOST ? lab->n_nodes : (size_t)node;
}

/* Group the lab's objects by the namespace that holds them (a counting sort). */
static int run_items(struct lab_run *run)
{
	const struct lab *lab = run->lab;
	size_t n = lab->n_nodes + 1, *at, i, total = 2 * lab->n_ifs + lab->n_bridges;
	int holder;

	at = calloc(n + 1, sizeof(*at));
	run->items = calloc(total ? total : 1, sizeof(*run->items));
	if (!at || !run->items) {
		free(at);
		return log_err(-ENOMEM, "plan lab %s", lab->name);
	}
	for (i = 0; i < lab->n_ifs; i++) {
		at[run_holder(lab, lab->ifs[i].node)]++;
		if (lab->ifs[i].bridge >= 0)
			at[run_holder(lab, lab->bridges[lab->ifs[i].bridge].node)]++;
	}
	for (i = 0; i < lab->n_bridges; i++)
		at[run_holder(lab, lab->bridges[i].node)]++;
	for (i = 0; i < n; i++) {
		struct lab_ns *ns = i < lab->n_nodes ? &run->ns[i] : &run->host;

		ns->items = run->items + at[n];
		at[n] += at[i];
		at[i] = 0;
	}
	for (i = 0; i < lab->n_ifs; i++) {
		holder = lab->ifs[i].node;
		run_ns(run, holder)->items[run_ns(run, holder)->n_items++] =
			(struct lab_item){ LAB_ITEM_IF, (int)i };
		if (lab->ifs[i].bridge < 0)
			continue;
		holder = lab->bridges[lab->ifs[i].bridge].node;
		run_ns(run, holder)->items[run_ns(run, holder)->n_items++] =
			(struct lab_item){ LAB_ITEM_PORT, (int)i };
	}
	for (i = 0; i < lab->n_bridges; i++) {
		holder = lab->bridges[i].node;
		run_ns(run, holder)->items[run_ns(run, holder)->n_items++] =
			(struct lab_item){ LAB_ITEM_BRIDGE, (int)i };
	}
	free(at);
	return 0;
}

/**
 * run_init() - prepare to work on a lab
 * @run:	filled
 * @lab:	the topology
 * @check:	only say what differs
 *
 * Return: 0 or -ENOMEM (logged); run_free() it either way.
 */
int run_init(struct lab_run *run, struct lab *lab, int check)
{
	size_t i;

	*run = (struct lab_run){ .lab = lab,
				 .check = check,
				 .host = { .name = "", .fd = -1, .state = LAB_NS_OURS } };
	snprintf(run->alias, sizeof(run->alias), LAB_ALIAS "%s", lab->name);
	run->drift = json_array();
	run->ns = calloc(lab->n_nodes ? lab->n_nodes : 1, sizeof(*run->ns));
	if (!run->ns || !run->drift)
		return log_err(-ENOMEM, "plan lab %s", lab->name);
	for (i = 0; i < lab->n_nodes; i++)
		run->ns[i] = (struct lab_ns){ .name = lab->nodes[i].netns, .fd = -1 };
	return run_items(run);
}

static void run_ns_close(struct lab_ns *ns)
{
	nl_close(&ns->nl);
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
	free(ns->links);
	ns->links = NULL;
	ns->n_links = 0;
}

/**
 * run_free() - close and free what a run holds
 * @run:	the run
 */
void run_free(struct lab_run *run)
{
	size_t i;

	for (i = 0; run->ns && i < run->lab->n_nodes; i++)
		run_ns_close(&run->ns[i]);
	run_ns_close(&run->host);
	free(run->ns);
	free(run->items);
	json_decref(run->drift);
	run->ns = NULL;
	run->items = NULL;
	run->drift = NULL;
}

/**
 * run_ns() - the namespace of a node
 * @run:	the run
 * @node:	the node, or LAB_HOST
 */
struct lab_ns *run_ns(struct lab_run *run, int node)
{
	return node == LAB_HOST ? &run->host : &run->ns[node];
}

/**
 * run_drift() - note a difference between the file and the kernel
 * @run:	the run
 * @fmt:	what differs: "s1: eth0 is down"
 *
 * Return: 0, or -ENOMEM (logged).
 */
int run_drift(struct lab_run *run, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (run->fresh)
		return 0; /* nothing of the lab was there: nothing drifted */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	run->n_drift++;
	if (json_array_append_new(run->drift, json_string_lossy(line)) < 0)
		return log_err(-ENOMEM, "plan lab %s", run->lab->name);
	return 0;
}

/**
 * run_ns_vdrift() - note a difference found in a namespace
 * @run:	the run
 * @ns:		the namespace; nothing drifted in one made by this run
 * @fmt:	what differs: "eth0 is down"
 * @ap:		its arguments
 *
 * Return: 0, or -ENOMEM (logged).
 */
int run_ns_vdrift(struct lab_run *run, const struct lab_ns *ns, const char *fmt, va_list ap)
{
	char what[400];

	if (ns->state == LAB_NS_MADE)
		return 0;
	vsnprintf(what, sizeof(what), fmt, ap);
	return run_drift(run, "%s: %s", *ns->name ? ns->name : "the host", what);
}

/**
 * run_ns_drift() - note a difference found in a namespace
 * @run:	the run
 * @ns:		the namespace
 * @fmt:	what differs
 *
 * Return: as run_ns_vdrift().
 */
int run_ns_drift(struct lab_run *run, const struct lab_ns *ns, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = run_ns_vdrift(run, ns, fmt, ap);
	va_end(ap);
	return ret;
}

static int run_link_add(const struct nl_link *link, void *arg)
{
	struct lab_ns *ns = arg;
	struct nl_link *grown;

	if (ns->n_links && !(ns->n_links & (ns->n_links - 1))) {
		grown = realloc(ns->links, 2 * ns->n_links * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		ns->links = grown;
	} else if (!ns->n_links) {
		ns->links = malloc(sizeof(*ns->links));
		if (!ns->links)
			return -ENOMEM;
	}
	ns->links[ns->n_links++] = *link;
	return 0;
}

/**
 * run_links_dump() - read the interfaces of a namespace again
 * @ns:		the namespace, its socket open
 *
 * Return: 0 or negative errno (logged).
 */
int run_links_dump(struct lab_ns *ns)
{
	int ret;

	free(ns->links);
	ns->links = NULL;
	ns->n_links = 0;
	ret = nl_link_for_each(&ns->nl, run_link_add, ns);
	if (ret < 0)
		return nl_err(&ns->nl, ret, "list interfaces of %s",
			      *ns->name ? ns->name : "the host");
	return 0;
}

/**
 * run_link() - an interface of a namespace, as last dumped
 * @ns:		the namespace
 * @name:	the interface
 *
 * Return: the interface, or NULL.
 */
const struct nl_link *run_link(const struct lab_ns *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n_links; i++) {
		if (!strcmp(ns->links[i].name, name))
			return &ns->links[i];
	}
	return NULL;
}

/**
 * run_owned() - is an interface of a namespace the lab's?
 * @run:	the run
 * @ns:		its namespace, its socket open
 * @l:		the interface
 *
 * Yes when it has the lab's alias, or the hardware address the lab gives
 * what it makes there (bridge_mark_mac_of()), which the kernel sets in the
 * very request that makes it: a run killed before it set the alias still
 * finds its own.
 */
int run_owned(const struct lab_run *run, const struct lab_ns *ns, const struct nl_link *l)
{
	uint8_t mark[6];

	if (!strcmp(l->alias, run->alias))
		return 1;
	bridge_mark_mac_of((struct nl_sock *)&ns->nl, run->alias, l->name, mark);
	return !memcmp(l->mac, mark, sizeof(mark));
}

/* The name and the kind an item of a namespace has in the kernel. */
static void run_item_name(const struct lab_run *run, const struct lab_item *it,
			  const char **name, const char **kind)
{
	const struct lab *lab = run->lab;

	*kind = it->kind == LAB_ITEM_BRIDGE ? "bridge" : "veth";
	*name = it->kind == LAB_ITEM_BRIDGE ? lab->bridges[it->index].name :
		it->kind == LAB_ITEM_PORT  ? lab->ifs[it->index].host_veth :
					     lab->ifs[it->index].name;
}

/* In the host, an interface under one of the lab's names is the lab's, or
 * the lab stops. */
static int run_host_owned(struct lab_run *run)
{
	const struct nl_link *l;
	const char *name, *kind;
	size_t i;
	int ret = 0;

	for (i = 0; i < run->host.n_items; i++) {
		run_item_name(run, &run->host.items[i], &name, &kind);
		l = run_link(&run->host, name);
		if (!l || (!strcmp(l->kind, kind) && run_owned(run, &run->host, l)))
			continue;
		ret = log_errx(-EEXIST,
			       "%s %s exists in the host and is not lab %s's; not "
			       "touching it",
			       *l->kind ? l->kind : "device", name, run->lab->name);
	}
	return ret;
}

/* Open the namespace of a node, if it is there, and tell whether it is ours. */
static int run_ns_open(struct lab_run *run, struct lab_ns *ns, const json_t *recorded)
{
	char path[PATH_MAX];
	const struct nl_link *lo;
	json_t *v;
	size_t i;
	int ret;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns->name);
	if (access(path, F_OK) < 0) {
		ns->state = LAB_NS_MISSING;
		return 0;
	}
	ns->fd = netns_open_path(path);
	if (ns->fd < 0)
		return ns->fd;
	ret = nl_open_netns(&ns->nl, NETLINK_ROUTE, ns->fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", ns->name);
	ret = run_links_dump(ns);
	if (ret < 0)
		return ret;
	lo = run_link(ns, "lo");
	ns->state = LAB_NS_OURS;
	if (lo && !strcmp(lo->alias, run->alias))
		return 0;
	json_array_foreach(recorded, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), ns->name))
			return 0; /* made by a run killed before it marked it */
	}
	return log_errx(-EEXIST,
			"network namespace %s exists and is not lab %s's; not "
			"touching it",
			ns->name, run->lab->name);
}

/**
 * run_ns_look() - find which of the lab's namespaces exist, and whose they are
 * @run:	the run
 * @recorded:	the namespaces the lab's record names (an array), or NULL
 *
 * Every refusal is said before this returns, so that one run names every
 * object in the way.
 *
 * Return: 0, or -EEXIST (logged) when something in the way is not the lab's,
 * or another negative errno (logged).
 */
int run_ns_look(struct lab_run *run, const json_t *recorded)
{
	size_t i;
	int ret, err = 0;

	ret = nl_open(&run->host.nl, NETLINK_ROUTE);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = run_links_dump(&run->host);
	if (ret == 0)
		ret = run_host_owned(run);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	err = ret;
	for (i = 0; i < run->lab->n_nodes; i++) {
		ret = run_ns_open(run, &run->ns[i], recorded);
		if (ret < 0 && ret != -EEXIST)
			return ret;
		if (ret < 0)
			err = ret;
	}
	return err;
}

struct run_made {
	struct lab_run *run;
	struct lab_ns **ns;
};

/* Inside a new namespace: its settings, and the socket the run uses there. */
static int run_ns_inside(size_t i, void *arg)
{
	struct run_made *m = arg;
	struct lab_ns *ns = m->ns[i];
	int ret = nl_open(&ns->nl, NETLINK_ROUTE);

	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", ns->name);
	ns->state = LAB_NS_MADE;
	return lab_settings_here(m->run->lab, (int)(ns - m->run->ns));
}

/**
 * run_ns_make() - make the namespaces that are missing, all in one go
 * @run:	the run
 *
 * Return: 0 or negative errno (logged); on failure none is left made.
 */
int run_ns_make(struct lab_run *run)
{
	struct lab_ns **made;
	struct run_made m = { .run = run };
	const char **names;
	int *fds;
	size_t i, n = 0;
	int ret;

	made = calloc(run->lab->n_nodes + 1, sizeof(*made));
	names = calloc(run->lab->n_nodes + 1, sizeof(*names));
	fds = calloc(run->lab->n_nodes + 1, sizeof(*fds));
	ret = made && names && fds ? 0 : log_err(-ENOMEM, "make namespaces");
	for (i = 0; ret == 0 && i < run->lab->n_nodes; i++) {
		if (run->ns[i].state != LAB_NS_MISSING)
			continue;
		made[n] = &run->ns[i];
		names[n++] = run->ns[i].name;
	}
	m.ns = made;
	if (ret == 0)
		ret = netns_add_each(names, n, fds, run_ns_inside, &m);
	for (i = 0; ret < 0 && i < n; i++) {
		nl_close(&made[i]->nl);
		made[i]->state = LAB_NS_MISSING;
	}
	for (i = 0; ret == 0 && i < n; i++)
		made[i]->fd = fds[i];
	run->made += ret == 0 ? (unsigned int)n : 0;
	free(made);
	free(names);
	free(fds);
	return ret;
}
