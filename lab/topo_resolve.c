// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_resolve: what a topology needs from the whole file: the names of
 * namespaces, bridges and interfaces that the file leaves out, and the
 * checks across sections (a name used twice in one namespace, an address
 * outside its bridge's subnet, a route through an interface the node does
 * not have).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/attach.h>
#include <plumb/log.h>

#include "topo.h"

static const struct lab *lab_sorting;

static int lab_node_cmp(const void *a, const void *b)
{
	return strcmp(lab_sorting->nodes[*(const int *)a].name,
		      lab_sorting->nodes[*(const int *)b].name);
}

/**
 * lab_node_index() - sort the nodes by name, for lab_node_find()
 * @lab:	the topology, its nodes read
 *
 * Return: 0, or -EINVAL (logged) when a name is given twice, or -ENOMEM.
 */
int lab_node_index(struct lab *lab)
{
	size_t i;

	free(lab->node_order);
	lab->node_order = calloc(lab->n_nodes ? lab->n_nodes : 1, sizeof(int));
	if (!lab->node_order)
		return log_err(-ENOMEM, "read %s", lab->file);
	for (i = 0; i < lab->n_nodes; i++)
		lab->node_order[i] = (int)i;
	lab_sorting = lab;
	qsort(lab->node_order, lab->n_nodes, sizeof(int), lab_node_cmp);
	lab_sorting = NULL;
	for (i = 1; i < lab->n_nodes; i++) {
		const struct lab_node *a = &lab->nodes[lab->node_order[i - 1]];
		const struct lab_node *b = &lab->nodes[lab->node_order[i]];

		if (!strcmp(a->name, b->name))
			return lab_err_at(lab, a->pos.line > b->pos.line ? a->pos : b->pos,
					  "node \"%s\" is given twice", a->name);
	}
	return 0;
}

/**
 * lab_node_find() - look a node up by name
 * @lab:	the topology
 * @name:	the node's name
 *
 * Return: its index, or -1.
 */
int lab_node_find(const struct lab *lab, const char *name)
{
	size_t lo = 0, hi = lab->n_nodes, mid;
	int c;

	if (!lab->node_order)
		return -1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, lab->nodes[lab->node_order[mid]].name);
		if (!c)
			return lab->node_order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/**
 * lab_node_find_netns() - look a node up by the name of its namespace
 * @lab:	the topology
 * @netns:	the namespace's name
 *
 * Return: its index, or -1.
 */
int lab_node_find_netns(const struct lab *lab, const char *netns)
{
	size_t i;

	for (i = 0; i < lab->n_nodes; i++) {
		if (!strcmp(lab->nodes[i].netns, netns))
			return (int)i;
	}
	return -1;
}

/**
 * lab_if_find() - look an interface of a node up by name
 * @lab:	the topology
 * @node:	the node
 * @name:	the interface
 *
 * Return: its index in @lab->ifs, or -1.
 */
int lab_if_find(const struct lab *lab, int node, const char *name)
{
	size_t i;

	for (i = 0; i < lab->n_ifs; i++) {
		if (lab->ifs[i].node == node && !strcmp(lab->ifs[i].name, name))
			return (int)i;
	}
	return -1;
}

/* The kernel's name of each bridge, and its subnets filled in. */
static int topo_bridge_names(struct lab *lab)
{
	struct lab_bridge *br;
	struct log_msg m;
	size_t i, k;
	int n;

	for (i = 0; i < lab->n_bridges; i++) {
		br = &lab->bridges[i];
		if (!*br->name) {
			n = snprintf(br->name, sizeof(br->name), "%s%s%s",
				     br->node == LAB_HOST ? lab->prefix : "",
				     br->node == LAB_HOST && *lab->prefix ? "-" : "", br->key);
			if (n < 0 || (size_t)n >= sizeof(br->name))
				return lab_err_at(lab, br->pos,
						  "bridge %s: its name in the kernel, "
						  "\"%s%s%s\", is longer than %d bytes; "
						  "give it a shorter one with name:",
						  br->key, lab->prefix, *lab->prefix ? "-" : "",
						  br->key, IF_NAMESIZE - 1);
		}
		for (k = 0; k < 2; k++) {
			if (!br->sets[k].n) {
				if (br->sets[k].range[0].gateway.family)
					return lab_err_at(lab, br->pos,
							  "bridge %s: a gateway%s without "
							  "its subnet%s",
							  br->key, k ? "6" : "", k ? "6" : "");
				continue;
			}
			if (ipam_range_fill_try(&br->sets[k].range[0], &m) < 0)
				return lab_err_at(lab, br->pos, "bridge %s: %s", br->key,
						  m.text);
		}
		if (br->n_nomasq && !br->masquerade)
			return lab_err_at(lab, br->pos,
					  "bridge %s: no-masquerade-to without "
					  "masquerade: true",
					  br->key);
		for (k = 0; k < i; k++) {
			if (lab->bridges[k].node == br->node &&
			    !strcmp(lab->bridges[k].name, br->name))
				return lab_err_at(lab, br->pos,
						  "bridge %s is named %s, as bridge %s is",
						  br->key, br->name, lab->bridges[k].key);
		}
	}
	return 0;
}

/* The lowest ethN that no interface of @node has yet. */
static void topo_if_default_name(struct lab *lab, const int *ifs, size_t n, struct lab_if *i)
{
	const struct lab_node *node = &lab->nodes[i->node];
	unsigned int k;
	size_t j;

	for (k = node->n_if;; k++) {
		snprintf(i->name, sizeof(i->name), "eth%u", k);
		for (j = 0; j < n; j++) {
			if (&lab->ifs[ifs[j]] != i && !strcmp(lab->ifs[ifs[j]].name, i->name))
				break;
		}
		if (j == n)
			break;
	}
	lab->nodes[i->node].n_if = k + 1;
}

/*
 * Name the interfaces of one node that the file did not name, in the order
 * of the file, and refuse a name given twice in the node's namespace.
 */
static int topo_node_ifs(struct lab *lab, int node, const int *ifs, size_t n)
{
	const struct lab_if *a, *b;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!*lab->ifs[ifs[i]].name)
			topo_if_default_name(lab, ifs, n, &lab->ifs[ifs[i]]);
	}
	for (i = 0; i < n; i++) {
		a = &lab->ifs[ifs[i]];
		for (j = 0; j < i; j++) {
			b = &lab->ifs[ifs[j]];
			if (!strcmp(a->name, b->name))
				return lab_err_at(lab, a->pos,
						  "node %s has two interfaces named %s",
						  lab->nodes[node].name, a->name);
		}
		for (j = 0; j < lab->n_bridges; j++) {
			if (lab->bridges[j].node == node &&
			    !strcmp(lab->bridges[j].name, a->name))
				return lab_err_at(lab, a->pos,
						  "node %s has an interface and a "
						  "bridge named %s",
						  lab->nodes[node].name, a->name);
		}
	}
	return 0;
}

/* Interfaces grouped by node (a counting sort), then named node by node. */
static int topo_if_names(struct lab *lab)
{
	size_t *start, i;
	int *order, ret = 0;

	start = calloc(lab->n_nodes + 1, sizeof(*start));
	order = calloc(lab->n_ifs ? lab->n_ifs : 1, sizeof(*order));
	if (!start || !order) {
		ret = log_err(-ENOMEM, "read %s", lab->file);
		goto out;
	}
	for (i = 0; i < lab->n_ifs; i++)
		start[lab->ifs[i].node + 1]++;
	for (i = 0; i < lab->n_nodes; i++)
		start[i + 1] += start[i];
	for (i = 0; i < lab->n_ifs; i++)
		order[start[lab->ifs[i].node]++] = (int)i;
	/* start[k] now ends node k's run; the run starts where k - 1's ends. */
	for (i = 0; i < lab->n_nodes && ret == 0; i++) {
		size_t first = i ? start[i - 1] : 0;

		ret = topo_node_ifs(lab, (int)i, order + first, start[i] - first);
	}
out:
	free(start);
	free(order);
	return ret;
}

/*
 * A lab's names come from its file, the administrator's, never from a
 * container's creator: they need no secret key, and a public one keeps them
 * the same on every host and without /run/plumb (lib/attach.c).
 */
static const uint8_t topo_names_key[STATE_KEY_LEN];

/* A bridge port: its bridge's MTU, its host veth's name, its wanted addresses. */
static int topo_port(struct lab *lab, struct lab_if *i)
{
	const struct lab_bridge *br = &lab->bridges[i->bridge];
	char network[LAB_NAME_MAX + 8];
	size_t k;

	i->mtu = br->mtu;
	snprintf(network, sizeof(network), "lab:%s", lab->name);
	attach_host_veth_name(topo_names_key, network, lab->nodes[i->node].name, i->name,
			      i->host_veth);
	for (k = 0; k < 2; k++) {
		if (!i->want[k].family)
			continue;
		if (!br->sets[k].n)
			return lab_err_at(lab, i->pos, "bridge %s has no IPv%c subnet",
					  br->key, k ? '6' : '4');
		if (!inet_prefix_contains(&br->sets[k].range[0].subnet, &i->want[k]) ||
		    inet_addr_eq(&i->want[k], &br->sets[k].range[0].gateway))
			return lab_err_at(lab, i->pos,
					  "the address asked for is not free in bridge "
					  "%s's subnet (the gateway, or outside it)",
					  br->key);
	}
	return 0;
}

/*
 * The default routes a node gets through its bridges' gateways: through the
 * first bridge (in the order of the file) with a subnet of each family,
 * unless the node has a default route of that family of its own.
 */
static void topo_default_routes(struct lab *lab)
{
	unsigned char *taken = calloc(lab->n_nodes ? lab->n_nodes : 1, 1);
	struct lab_if *i;
	size_t k, f;

	if (!taken)
		return; /* then no node gets one: said nowhere, harmless */
	for (k = 0; k < lab->n_routes; k++) {
		if (!lab->routes[k].r.dst.len)
			taken[lab->routes[k].node] |=
				lab->routes[k].r.dst.addr.family == AF_INET6 ? 2 : 1;
	}
	for (k = 0; k < lab->n_ifs; k++) {
		i = &lab->ifs[k];
		if (i->bridge < 0 || lab->bridges[i->bridge].node == i->node)
			continue;
		for (f = 0; f < 2; f++) {
			if (lab->bridges[i->bridge].sets[f].n && !(taken[i->node] & (1 << f))) {
				i->default_route |= 1 << f;
				taken[i->node] |= 1 << f;
			}
		}
	}
	free(taken);
}

static int topo_route_devs(struct lab *lab)
{
	const struct lab_route *r;
	size_t k, b;

	for (k = 0; k < lab->n_routes; k++) {
		r = &lab->routes[k];
		if (!*r->dev || lab_if_find(lab, r->node, r->dev) >= 0)
			continue;
		for (b = 0; b < lab->n_bridges; b++) {
			if (lab->bridges[b].node == r->node &&
			    !strcmp(lab->bridges[b].name, r->dev))
				break;
		}
		if (b == lab->n_bridges)
			return lab_err_at(lab, r->pos, "route \"%s\": node %s has no "
						       "interface %s",
					  r->text, lab->nodes[r->node].name, r->dev);
	}
	return 0;
}

/* A published port leads to a node with an address of the right family. */
static int topo_pub_targets(struct lab *lab)
{
	const struct lab_if *i;
	size_t k, j, f;
	int found;

	for (k = 0; k < lab->n_pubs; k++) {
		if (lab->pubs[k].to_node < 0)
			continue;
		for (j = 0, found = 0; j < lab->n_ifs && !found; j++) {
			i = &lab->ifs[j];
			if (i->node != lab->pubs[k].to_node)
				continue;
			for (f = 0; f < i->n_ip && !found; f++)
				found = i->ip[f].addr.family == AF_INET;
			found |= i->bridge >= 0 && lab->bridges[i->bridge].sets[0].n;
		}
		if (!found)
			return lab_err_at(lab, lab->pubs[k].pos,
					  "node %s has no IPv4 address to publish to",
					  lab->nodes[lab->pubs[k].to_node].name);
	}
	return 0;
}

/**
 * topo_resolve() - name what the file left unnamed, and check the whole
 * @t:		the file, read
 *
 * Return: 0 or -EINVAL (logged, with the position of what is wrong).
 */
int topo_resolve(struct topo *t)
{
	struct lab *lab = t->lab;
	size_t i, k;
	int ret;

	for (i = 0; i < lab->n_nodes; i++)
		snprintf(lab->nodes[i].netns, sizeof(lab->nodes[i].netns), "%s%s%s",
			 lab->prefix, *lab->prefix ? "-" : "", lab->nodes[i].name);
	ret = topo_bridge_names(lab);
	if (ret == 0)
		ret = topo_if_names(lab);
	for (k = 0; ret == 0 && k < lab->n_ifs; k++) {
		if (lab->ifs[k].bridge >= 0)
			ret = topo_port(lab, &lab->ifs[k]);
	}
	if (ret == 0)
		ret = topo_route_devs(lab);
	if (ret == 0)
		ret = topo_pub_targets(lab);
	if (ret == 0)
		topo_default_routes(lab);
	return ret;
}
