// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_nodes: the "nodes:" section of a topology file, and the interfaces of
 * nodes as the other sections write them ("NODE[:IFNAME][=ADDR/LEN,...]" or
 * {node, ifname, ip}).
 *
 * Theory of operation: nodes are read before any other section
 * (topo_top_first()), so that a bridge member, a link's end, a route or a
 * published port names a node that topo_node_ref() finds at once, and an
 * unknown one is refused at its own line and column. An interface end only
 * records what the file says; default names and clashes across sections are
 * topo_resolve.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>

#include "topo.h"

/**
 * topo_node_ref() - look a node up by name
 * @t:		the file
 * @n:		the node of the file that names it, where an error points
 * @name:	its name
 *
 * Return: its index, or -EINVAL (logged) when there is none.
 */
int topo_node_ref(struct topo *t, const yaml_node_t *n, const char *name)
{
	int i = lab_node_find(t->lab, name);

	if (i < 0)
		return topo_err(t, n, "unknown node \"%s\"", name);
	return i;
}

/* --- nodes ------------------------------------------------------------ */

/* "net.ipv4.ip_forward" or "net/ipv4/ip_forward", of the namespace only. */
static int topo_sysctl(struct topo *t, struct lab_node *node,
		       const yaml_node_pair_t *pair)
{
	struct lab_sysctl *s;
	yaml_node_t *v;
	char key[LAB_KEY_MAX];
	char *c;

	if (topo_key(t, pair, key, sizeof(key), &v) < 0)
		return -EINVAL;
	if (!strchr(key, '/'))
		for (c = key; *c; c++)
			*c = *c == '.' ? '/' : *c;
	/* Anything outside net/ is the machine's, not the namespace's. */
	if (strncmp(key, "net/", 4) || strstr(key, "//") || strstr(key, "/../") ||
	    strstr(key, "/./") || key[strlen(key) - 1] == '/')
		return topo_err(t, t->key,
				"sysctl \"%s\": want a setting of the network "
				"namespace, net.*",
				key);
	s = topo_append(&node->sysctl, &node->n_sysctl, sizeof(*node->sysctl));
	if (!s)
		return log_err(-ENOMEM, "read %s", t->file);
	memcpy(s->key, key, sizeof(key));
	return topo_str(t, v, "sysctl value", s->value, sizeof(s->value));
}

static int topo_node_opts(struct topo *t, struct lab_node *node, yaml_node_t *map)
{
	yaml_node_pair_t *pair, *sp;
	yaml_node_t *v;
	char key[32];
	int ret = 0;

	if (topo_is_null(map))
		return 0;
	if (topo_want(t, map, YAML_MAPPING_NODE, node->name) < 0 ||
	    topo_dup_keys(t, map) < 0)
		return -EINVAL;
	topo_for_pairs(map, pair) {
		if (topo_key(t, pair, key, sizeof(key), &v) < 0)
			return -EINVAL;
		if (!strcmp(key, "forward")) {
			ret = topo_bool(t, v, "forward", &node->forward);
		} else if (!strcmp(key, "sysctl")) {
			if (topo_want(t, v, YAML_MAPPING_NODE, "sysctl") < 0 ||
			    topo_dup_keys(t, v) < 0)
				return -EINVAL;
			topo_for_pairs(v, sp) {
				ret = topo_sysctl(t, node, sp);
				if (ret < 0)
					return ret;
			}
		} else {
			ret = topo_err(t, t->key,
				       "unknown key \"%s\" in node %s: want forward "
				       "or sysctl",
				       key, node->name);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int topo_node_add(struct topo *t, const yaml_node_t *kn, const char *name,
			 yaml_node_t *opts)
{
	struct lab *lab = t->lab;
	struct lab_node *node;

	if (!strcmp(name, "host"))
		return topo_err(t, kn,
				"\"host\" is the namespace plumb-lab runs in; "
				"name the node otherwise");
	if (lab->n_nodes >= LAB_NODES_MAX)
		return topo_err(t, kn, "more than %d nodes", LAB_NODES_MAX);
	node = topo_append(&lab->nodes, &lab->n_nodes, sizeof(*lab->nodes));
	if (!node)
		return log_err(-ENOMEM, "read %s", t->file);
	memcpy(node->name, name, strlen(name) + 1);
	node->pos = topo_pos(kn);
	return opts ? topo_node_opts(t, node, opts) : 0;
}

/**
 * topo_nodes() - read "nodes:", a mapping of names to options or a list
 * @t:		the file
 * @v:		its value
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_nodes(struct topo *t, yaml_node_t *v)
{
	char name[LAB_NAME_MAX + 1];
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	yaml_node_t *kn, *opts;
	int ret;

	if (v->type == YAML_SEQUENCE_NODE) {
		topo_for_items(v, item) {
			kn = topo_node(t, *item);
			if (!kn || topo_name(t, kn, "node name", name) < 0)
				return -EINVAL;
			ret = topo_node_add(t, kn, name, NULL);
			if (ret < 0)
				return ret;
		}
		return lab_node_index(t->lab);
	}
	if (topo_is_null(v))
		return 0;
	if (topo_want(t, v, YAML_MAPPING_NODE, "nodes") < 0)
		return -EINVAL;
	topo_for_pairs(v, pair) {
		kn = topo_node(t, pair->key);
		if (!kn || topo_name(t, kn, "node name", name) < 0)
			return -EINVAL;
		opts = topo_node(t, pair->value);
		if (!opts)
			return -EINVAL;
		ret = topo_node_add(t, kn, name, opts);
		if (ret < 0)
			return ret;
	}
	return lab_node_index(t->lab);
}

/* --- interfaces and their addresses ----------------------------------- */

/* "ADDR/LEN[,ADDR/LEN...]" onto an interface. */
static int topo_if_ips(struct topo *t, const yaml_node_t *n, struct lab_if *i,
		       const char *list)
{
	char buf[256], *tok, *save = NULL;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", list) >= sizeof(buf))
		return topo_err(t, n, "addresses \"%.32s...\": too long", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (i->n_ip >= LAB_IPS_MAX)
			return topo_err(t, n, "more than %d addresses on one interface",
					LAB_IPS_MAX);
		if (inet_prefix_parse(tok, &i->ip[i->n_ip]) < 0)
			return topo_err(
				t, n, "invalid address \"%s\": want ADDRESS/LENGTH", tok);
		i->n_ip++;
	}
	return 0;
}

/* "NODE[:IFNAME][=ADDR/LEN,...]" */
static int topo_end_str(struct topo *t, const yaml_node_t *n, struct lab_if *i, int ips)
{
	char buf[512], *eq, *colon;
	int ret;

	if (topo_str(t, n, "interface", buf, sizeof(buf)) < 0)
		return -EINVAL;
	eq = strchr(buf, '=');
	if (eq && !ips)
		return topo_err(t, n,
				"\"%s\": a bridge port's addresses come from the "
				"bridge's subnet; ask for one with {node, ip}",
				buf);
	if (eq) {
		*eq++ = '\0';
		ret = topo_if_ips(t, n, i, eq);
		if (ret < 0)
			return ret;
	}
	colon = strchr(buf, ':');
	if (colon) {
		*colon++ = '\0';
		if (topo_ifname_check(t, n, colon, i->name) < 0)
			return -EINVAL;
	}
	if (lab_name_check_try("node name", buf, NULL) < 0)
		return topo_err(t, n, "\"%s\": want NODE[:IFNAME]%s", buf,
				ips ? "[=ADDRESS/LENGTH,...]" : "");
	i->node = topo_node_ref(t, n, buf);
	return i->node < 0 ? -EINVAL : 0;
}

/* A bridge port's "ip": addresses wanted from the bridge's subnets. */
static int topo_want_ip(struct topo *t, const yaml_node_t *n, struct lab_if *i)
{
	char buf[INET_PREFIX_STRLEN], *slash;
	struct inet_addr a;

	if (topo_str(t, n, "ip", buf, sizeof(buf)) < 0)
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0'; /* the length is the subnet's */
	if (inet_addr_parse(buf, &a) < 0)
		return topo_err(t, n, "invalid address \"%s\"", buf);
	if (i->want[a.family == AF_INET6].family)
		return topo_err(t, n, "a second IPv%c address: want one of each family",
				a.family == AF_INET6 ? '6' : '4');
	i->want[a.family == AF_INET6] = a;
	return 0;
}

/* "ip:" of a mapping: one address (or list of them). */
static int topo_end_ip(struct topo *t, yaml_node_t *v, struct lab_if *i, int port)
{
	yaml_node_item_t *item;
	yaml_node_t *a;
	char buf[INET_PREFIX_STRLEN + 1];
	int ret;

	if (v->type != YAML_SEQUENCE_NODE) {
		if (port)
			return topo_want_ip(t, v, i);
		return topo_str(t, v, "ip", buf, sizeof(buf)) < 0 ?
			       -EINVAL :
			       topo_if_ips(t, v, i, buf);
	}
	topo_for_items(v, item) {
		a = topo_node(t, *item);
		if (!a)
			return -EINVAL;
		if (port)
			ret = topo_want_ip(t, a, i);
		else
			ret = topo_str(t, a, "ip", buf, sizeof(buf)) < 0 ?
				      -EINVAL :
				      topo_if_ips(t, a, i, buf);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* {node: NODE, ifname: IF, ip: ADDR or [ADDR, ...]} */
static int topo_end_map(struct topo *t, yaml_node_t *map, struct lab_if *i, int port)
{
	char key[16], name[LAB_NAME_MAX + 1];
	yaml_node_pair_t *pair;
	yaml_node_t *v;
	int ret = 0;

	if (topo_dup_keys(t, map) < 0)
		return -EINVAL;
	i->node = -2;
	topo_for_pairs(map, pair) {
		if (topo_key(t, pair, key, sizeof(key), &v) < 0)
			return -EINVAL;
		if (!strcmp(key, "node")) {
			ret = topo_name(t, v, "node", name);
			if (ret == 0)
				i->node = topo_node_ref(t, v, name);
			ret = i->node < 0 ? -EINVAL : ret;
		} else if (!strcmp(key, "ifname")) {
			ret = topo_ifname(t, v, "ifname", i->name);
		} else if (!strcmp(key, "ip")) {
			ret = topo_end_ip(t, v, i, port);
		} else {
			ret = topo_err(t, t->key,
				       "unknown key \"%s\": want node, ifname or ip",
				       key);
		}
		if (ret < 0)
			return ret;
	}
	if (i->node == -2)
		return topo_err(t, map, "no \"node\"");
	return 0;
}

/**
 * topo_end() - read one end of a link or a bridge's member
 * @t:		the file
 * @n:		the end: a string or a mapping
 * @i:		filled
 * @port:	1 for a bridge's member (addresses come from the subnet)
 *
 * Return: 0 or -EINVAL (logged).
 */
static int topo_end(struct topo *t, yaml_node_t *n, struct lab_if *i, int port)
{
	i->pos = topo_pos(n);
	i->peer = -1;
	i->bridge = -1;
	if (n->type == YAML_MAPPING_NODE)
		return topo_end_map(t, n, i, port);
	return topo_end_str(t, n, i, !port);
}

/**
 * topo_end_add() - read one more interface end into the lab
 * @t:		the file
 * @index:	its node in the document
 * @port:	1 for a bridge's member (addresses come from the subnet)
 * @out:	the end, appended to the lab's interfaces
 *
 * Return: 0, or -EINVAL (logged), or -ENOMEM.
 */
int topo_end_add(struct topo *t, int index, int port, struct lab_if **out)
{
	struct lab *lab = t->lab;
	yaml_node_t *n = topo_node(t, index);

	if (!n)
		return -EINVAL;
	*out = topo_append(&lab->ifs, &lab->n_ifs, sizeof(*lab->ifs));
	if (!*out)
		return log_err(-ENOMEM, "read %s", t->file);
	return topo_end(t, n, *out, port);
}
