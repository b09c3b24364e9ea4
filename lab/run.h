/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run: a topology against the kernel: its namespaces, what is in them, what differs. */
#ifndef PLUMB_LAB_RUN_H
#define PLUMB_LAB_RUN_H

#include <stdarg.h>

#include <jansson.h>

#include <plumb/addr.h>
#include <plumb/link.h>
#include <plumb/nl.h>
#include <plumb/route.h>

#include "lab.h"

#define LAB_ALIAS_MAX (sizeof(LAB_ALIAS) + LAB_NAME_MAX)

/* What a namespace of the lab is, as found. */
enum lab_ns_state {
	LAB_NS_MISSING, /* not there: "up" makes it */
	LAB_NS_OURS, /* there, and the lab's (its lo carries the lab's alias) */
	LAB_NS_MADE, /* made by this run */
};

/**
 * struct lab_item - an object a namespace holds for the lab
 * @kind:	LAB_ITEM_IF (a node's interface), LAB_ITEM_PORT (a bridge
 *		port's end on the bridge's side) or LAB_ITEM_BRIDGE
 * @index:	in the lab's ifs or bridges
 */
struct lab_item {
	enum { LAB_ITEM_IF, LAB_ITEM_PORT, LAB_ITEM_BRIDGE } kind;
	int index;
};

/**
 * struct lab_ns - a namespace the lab works in: a node's, or the host
 * @name:	its name under /run/netns, "" for the host (ours)
 * @fd:		the namespace, open; -1 for the host or when not open
 * @nl:		rtnetlink socket inside it (@nl.mnl NULL when not open)
 * @state:	as found, or made
 * @n_items:	objects it holds for the lab
 * @items:	those objects (a slice of struct lab_run's @items)
 * @n_links:	interfaces it has (the last dump)
 * @links:	those interfaces
 */
struct lab_ns {
	const char *name;
	int fd;
	struct nl_sock nl;
	enum lab_ns_state state;
	size_t n_items;
	struct lab_item *items;
	size_t n_links;
	struct nl_link *links;
};

/**
 * struct lab_run - one verb's work on a lab
 * @lab:	the topology
 * @alias:	"plumb-lab:<name>", the mark of the lab's interfaces
 * @check:	only say what differs; change nothing
 * @fresh:	the lab has no record: nothing of it exists yet
 * @host:	the namespace plumb-lab runs in
 * @ns:		one per node
 * @items:	every namespace's objects, grouped by namespace
 * @n_drift:	differences found (check) or repaired (up)
 * @drift:	their descriptions, one line each
 * @made:	objects made by this run, for the summary
 */
struct lab_run {
	struct lab *lab;
	char alias[LAB_ALIAS_MAX];
	int check;
	int fresh;
	struct lab_ns host;
	struct lab_ns *ns;
	struct lab_item *items;
	size_t n_drift;
	json_t *drift;
	unsigned int made;
};

/* run.c: namespaces */
int run_init(struct lab_run *run, struct lab *lab, int check);
void run_free(struct lab_run *run);
struct lab_ns *run_ns(struct lab_run *run, int node);
int run_drift(struct lab_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int run_ns_vdrift(struct lab_run *run, const struct lab_ns *ns, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int run_ns_drift(struct lab_run *run, const struct lab_ns *ns, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int run_links_dump(struct lab_ns *ns);
int run_owned(const struct lab_run *run, const struct lab_ns *ns, const struct nl_link *l);
const struct nl_link *run_link(const struct lab_ns *ns, const char *name);
int run_ns_look(struct lab_run *run, const json_t *recorded);
int run_ns_make(struct lab_run *run);

/* lease.c: addresses of bridge ports */
void lab_ipam_dir(const char *lab, char *buf, size_t size);
int lab_leases(struct lab_run *run);

#endif
