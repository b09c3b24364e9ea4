// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-lab show: a lab's nodes, interfaces, addresses, links, bridges,
 * routes and published ports, as the kernel has them, in a table or (-j) in
 * JSON. The table is printed from the JSON, so the two always agree.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>

#include "nat.h"
#include "record.h"
#include "verbs.h"
#include "view.h"

static json_t *show_addrs(const struct inet_prefix *p, size_t n)
{
	char buf[INET_PREFIX_STRLEN];
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(inet_prefix_str(&p[i], buf, sizeof(buf))));
	return a;
}

/* An interface of a node: its state, addresses, what it leads to. */
static json_t *show_if(const struct lab *lab, struct lab_if *i, const struct view_ns *v)
{
	const struct nl_link *l = view_link_find(v, i->name);
	char to[LAB_NAME_MAX + IF_NAMESIZE + 8];

	if (i->bridge >= 0)
		snprintf(to, sizeof(to), "bridge %s", lab->bridges[i->bridge].key);
	else
		snprintf(to, sizeof(to), "%s:%s", lab->nodes[lab->ifs[i->peer].node].name,
			 lab->ifs[i->peer].name);
	/* What the kernel has: the addresses a port leased, too. */
	i->n_ip = view_addrs(v, l, i->ip, LAB_IPS_MAX);
	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:s}", "name", i->name, "kind", "veth",
			 "state", !l ? "missing" : l->flags & IFF_UP ? "up" : "down", "mtu",
			 l ? (int)l->mtu : 0, "addresses", show_addrs(i->ip, i->n_ip), "to",
			 to);
}

static json_t *show_bridge_if(const struct lab_bridge *br, const struct view_ns *v)
{
	const struct nl_link *l = view_link_find(v, br->name);
	struct inet_prefix a[LAB_IPS_MAX];
	size_t n = view_addrs(v, l, a, LAB_IPS_MAX);

	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:s+}", "name", br->name, "kind",
			 "bridge", "state", !l ? "missing" : l->flags & IFF_UP ? "up" : "down",
			 "mtu", l ? (int)l->mtu : 0, "addresses", show_addrs(a, n), "to",
			 "bridge ", br->key);
}

static json_t *show_routes(const struct lab *lab, int node, const struct view_ns *v)
{
	json_t *routes = json_array();
	size_t i;

	for (i = 0; routes && i < lab->n_routes; i++) {
		if (lab->routes[i].node == node)
			json_array_append_new(routes,
					      json_pack("{s:s, s:b}", "route",
							lab->routes[i].text, "present",
							view_has_route(v, &lab->routes[i].r)));
	}
	return routes;
}

static json_t *show_node(struct lab *lab, int node, const struct view_ns *v)
{
	json_t *ifs = json_array(), *j;
	size_t i;

	for (i = 0; ifs && i < lab->n_bridges; i++) {
		if (lab->bridges[i].node == node)
			json_array_append_new(ifs, show_bridge_if(&lab->bridges[i], v));
	}
	for (i = 0; ifs && i < lab->n_ifs; i++) {
		if (lab->ifs[i].node == node)
			json_array_append_new(ifs, show_if(lab, &lab->ifs[i], v));
	}
	j = json_pack("{s:s, s:s, s:b, s:o, s:o}", "name", lab->nodes[node].name, "netns",
		      lab->nodes[node].netns, "present", v->present, "interfaces", ifs,
		      "routes", show_routes(lab, node, v));
	return j;
}

static json_t *show_bridges(const struct lab *lab, const struct view_ns *host)
{
	char buf[INET_PREFIX_STRLEN], port[LAB_NAME_MAX + IF_NAMESIZE + 2];
	json_t *all = json_array(), *b, *subnets, *ports;
	size_t i, k;

	for (i = 0; all && i < lab->n_bridges; i++) {
		const struct lab_bridge *br = &lab->bridges[i];

		subnets = json_array();
		ports = json_array();
		for (k = 0; k < 2; k++) {
			if (br->sets[k].n)
				json_array_append_new(subnets,
						      json_string(inet_prefix_str(
							      &br->sets[k].range[0].subnet, buf,
							      sizeof(buf))));
		}
		for (k = 0; k < lab->n_ifs; k++) {
			if (lab->ifs[k].bridge != (int)i)
				continue;
			snprintf(port, sizeof(port), "%s:%s", lab->nodes[lab->ifs[k].node].name,
				 lab->ifs[k].name);
			json_array_append_new(ports, json_string(port));
		}
		b = json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:o}", "name", br->key,
			      "ifname", br->name, "in",
			      br->node == LAB_HOST ? "host" : lab->nodes[br->node].name,
			      "subnets", subnets, "masquerade", br->masquerade, "isolate",
			      br->isolate, "direct_access", !br->guard, "ports", ports);
		if (br->node == LAB_HOST && b) {
			json_t *j = show_bridge_if(br, host);

			json_object_set(b, "addresses", json_object_get(j, "addresses"));
			json_decref(j);
		}
		json_array_append_new(all, b);
	}
	return all;
}

static json_t *show_links(const struct lab *lab)
{
	char a[LAB_NAME_MAX + IF_NAMESIZE + 2], b[LAB_NAME_MAX + IF_NAMESIZE + 2];
	json_t *links = json_array();
	const struct lab_if *i, *p;
	size_t k;

	for (k = 0; links && k < lab->n_ifs; k++) {
		i = &lab->ifs[k];
		if (i->bridge >= 0 || i->peer < (int)k)
			continue;
		p = &lab->ifs[i->peer];
		snprintf(a, sizeof(a), "%s:%s", lab->nodes[i->node].name, i->name);
		snprintf(b, sizeof(b), "%s:%s", lab->nodes[p->node].name, p->name);
		json_array_append_new(links, json_pack("{s:[s, s]}", "ends", a, b));
	}
	return links;
}

/* "10.9.0.2:80", "[fd00::2]:80-81": where a published port leads. */
static void nat_target_str(const struct nat_pub *p, char *buf, size_t size)
{
	char a[INET_ADDR_STRLEN];
	unsigned int last = p->to_port + (unsigned int)(p->port_end - p->port);

	inet_addr_str(&p->addr, a, sizeof(a));
	if (last != p->to_port)
		snprintf(buf, size, p->addr.family == AF_INET6 ? "[%s]:%u-%u" : "%s:%u-%u", a,
			 p->to_port, last);
	else
		snprintf(buf, size, p->addr.family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
			 p->to_port);
}

/* Published ports, with the address each leads to (ports' addresses read). */
static json_t *show_publish(const struct lab *lab)
{
	char to[LAB_NAME_MAX + 24], addr[INET_ADDR_STRLEN + 16];
	json_t *pubs = json_array();
	struct nat_pub p;
	const struct lab_pub *pub;
	size_t k;

	for (k = 0; pubs && k < lab->n_pubs; k++) {
		pub = &lab->pubs[k];
		if (pub->to_node >= 0)
			snprintf(to, sizeof(to), "%s:%s", lab->nodes[pub->to_node].name,
				 pub->to_port);
		else
			inet_addr_str(&pub->to_addr, to, sizeof(to));
		snprintf(addr, sizeof(addr), "-");
		if (lab_pub_resolve_try(lab, pub, &p, NULL) == 0)
			nat_target_str(&p, addr, sizeof(addr));
		json_array_append_new(pubs, json_pack("{s:s, s:s, s:s, s:s}", "in",
						      pub->node == LAB_HOST ?
							      "host" :
							      lab->nodes[pub->node].name,
						      "port", pub->port, "to", to, "address",
						      addr));
	}
	return pubs;
}

/* Everything show says of one lab, read from its record and the kernel. */
static int show_lab_json(const char *name, json_t **out)
{
	struct view_ns *v = malloc(sizeof(*v)), *host = malloc(sizeof(*v));
	json_t *nodes = json_array();
	struct lab lab = { 0 };
	size_t i;
	int ret;

	ret = v && host && nodes ? lab_from_record(name, &lab) : -ENOMEM;
	if (ret == 0)
		ret = view_ns_read(NULL, host);
	for (i = 0; ret == 0 && i < lab.n_nodes; i++) {
		ret = view_ns_read(lab.nodes[i].netns, v);
		if (ret == 0)
			json_array_append_new(nodes, show_node(&lab, (int)i, v));
	}
	if (ret == 0) {
		*out = json_pack("{s:s, s:s, s:s, s:O, s:o, s:o, s:o}", "name", lab.name,
				 "file", lab.file, "prefix", lab.prefix, "nodes", nodes,
				 "bridges", show_bridges(&lab, host), "links",
				 show_links(&lab), "publish", show_publish(&lab));
		ret = *out ? 0 : log_err(-ENOMEM, "show %s", name);
	}
	if (ret == -ENOMEM && (!v || !host || !nodes))
		log_err(ret, "show %s", name);
	json_decref(nodes);
	lab_free(&lab);
	free(v);
	free(host);
	return ret;
}

/* "a b c" from a JSON array of strings; "-" when empty. */
static const char *show_join(const json_t *a, char *buf, size_t size)
{
	size_t i, len = 0;
	json_t *s;

	buf[0] = '\0';
	json_array_foreach(a, i, s)
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					i ? " " : "", json_string_value(s));
	if (!*buf)
		snprintf(buf, size, "-");
	return buf;
}

static void show_table(const json_t *j)
{
	json_t *n, *i, *r, *b, *l, *p;
	char buf[512];
	size_t a, c;

	printf("lab %s (%s)\n\n%-12s %-20s %-15s %-8s %-36s %s\n",
	       json_string_value(json_object_get(j, "name")),
	       json_string_value(json_object_get(j, "file")), "NODE", "NAMESPACE",
	       "INTERFACE", "STATE", "ADDRESSES", "TO");
	json_array_foreach(json_object_get(j, "nodes"), a, n) {
		if (!json_array_size(json_object_get(n, "interfaces")))
			printf("%-12s %-20s %-15s %-8s\n", json_string_value(json_object_get(n, "name")),
			       json_string_value(json_object_get(n, "netns")), "-",
			       json_is_true(json_object_get(n, "present")) ? "-" : "missing");
		json_array_foreach(json_object_get(n, "interfaces"), c, i)
			printf("%-12s %-20s %-15s %-8s %-36s %s\n",
			       json_string_value(json_object_get(n, "name")),
			       json_string_value(json_object_get(n, "netns")),
			       json_string_value(json_object_get(i, "name")),
			       json_string_value(json_object_get(i, "state")),
			       show_join(json_object_get(i, "addresses"), buf, sizeof(buf)),
			       json_string_value(json_object_get(i, "to")));
	}
	json_array_foreach(json_object_get(j, "bridges"), a, b)
		printf("%sbridge %s (%s in %s): %s; %zu ports%s%s%s\n", a ? "" : "\n",
		       json_string_value(json_object_get(b, "name")),
		       json_string_value(json_object_get(b, "ifname")),
		       json_string_value(json_object_get(b, "in")),
		       show_join(json_object_get(b, "subnets"), buf, sizeof(buf)),
		       json_array_size(json_object_get(b, "ports")),
		       json_is_true(json_object_get(b, "masquerade")) ? ", masqueraded" : "",
		       json_is_true(json_object_get(b, "isolate")) ? ", isolated" : "",
		       json_is_false(json_object_get(b, "direct_access")) ? ", no direct access" :
									    "");
	json_array_foreach(json_object_get(j, "links"), a, l)
		printf("%slink %s\n", a ? "" : "\n",
		       show_join(json_object_get(l, "ends"), buf, sizeof(buf)));
	json_array_foreach(json_object_get(j, "nodes"), a, n) {
		json_array_foreach(json_object_get(n, "routes"), c, r)
			printf("route %s: %s%s\n", json_string_value(json_object_get(n, "name")),
			       json_string_value(json_object_get(r, "route")),
			       json_is_true(json_object_get(r, "present")) ? "" : " (missing)");
	}
	json_array_foreach(json_object_get(j, "publish"), a, p)
		printf("publish %s %s -> %s (%s)\n", json_string_value(json_object_get(p, "in")),
		       json_string_value(json_object_get(p, "port")),
		       json_string_value(json_object_get(p, "to")),
		       json_string_value(json_object_get(p, "address")));
}

static int show_collect(const char *name, json_t *rec, void *arg)
{
	(void)rec;
	return json_array_append_new(arg, json_string(name)) < 0 ? -ENOMEM : 0;
}

int cmd_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	json_t *names = json_array(), *all = json_array(), *j, *v;
	int json = ctx->json, c, ret = 0;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt(argc, argv, "j")) != -1) {
		if (c != 'j')
			return cmd_usage(argv[0], CMD_USAGE);
		json = 1;
	}
	if (argc - optind > 1)
		return cmd_usage(argv[0], CMD_USAGE);
	if (optind < argc)
		json_array_append_new(names, json_string(argv[optind]));
	else
		ret = lab_record_for_each(show_collect, names);
	json_array_foreach(names, i, v) {
		if (ret < 0)
			break;
		ret = show_lab_json(json_string_value(v), &j);
		if (ret == 0 && !json)
			show_table(j);
		if (ret == 0 && !json && i + 1 < json_array_size(names))
			printf("\n");
		if (ret == 0)
			json_array_append_new(all, j);
	}
	if (ret == 0 && json)
		json_write(stdout, optind < argc ? json_array_get(all, 0) : all);
	json_decref(names);
	json_decref(all);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
