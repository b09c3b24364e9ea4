/* SPDX-License-Identifier: GPL-2.0-or-later */
/* view: a lab's topology from its record, and what the kernel has of it. */
#ifndef PLUMB_LAB_VIEW_H
#define PLUMB_LAB_VIEW_H

#include <plumb/addr.h>
#include <plumb/link.h>
#include <plumb/route.h>

#include "lab.h"

#define VIEW_LINKS_MAX 256
#define VIEW_ADDRS_MAX 512
#define VIEW_ROUTES_MAX 512

/**
 * struct view_ns - what the kernel has in one namespace of a lab
 * @present:	the namespace is there
 * @n_links:	interfaces
 * @links:	those interfaces
 * @n_addrs:	addresses (global ones)
 * @addrs:	those addresses
 * @n_routes:	routes of the main table
 * @routes:	those routes
 */
struct view_ns {
	int present;
	size_t n_links;
	struct nl_link links[VIEW_LINKS_MAX];
	size_t n_addrs;
	struct nl_addr addrs[VIEW_ADDRS_MAX];
	size_t n_routes;
	struct nl_route routes[VIEW_ROUTES_MAX];
};

int lab_from_record(const char *name, struct lab *lab);
int view_ns_read(const char *netns, struct view_ns *v);
const struct nl_link *view_link_find(const struct view_ns *v, const char *name);
size_t view_addrs(const struct view_ns *v, const struct nl_link *l, struct inet_prefix *out,
		  size_t max);
int view_has_route(const struct view_ns *v, const struct nl_route *r);

#endif
