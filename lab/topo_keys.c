// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_keys: the sections of a topology file: nodes, bridges, links, routes
 * and publish, each read into struct lab. What refers to a node is looked up
 * here (nodes are read first); what needs the whole file (default interface
 * names, clashes) is topo_resolve.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>

#include "topo.h"

/*
 * One more element, zeroed, at the end of the array *@arrayp (a pointer to
 * a lab's array pointer) of *@n elements of @size bytes; NULL when out of
 * memory.
 */
static void *topo_append(void *arrayp, size_t *n, size_t size)
{
	void *array, *grown;

	memcpy(&array, arrayp, sizeof(array));
	grown = topo_grow(array, *n, size);
	if (!grown)
		return NULL;
	memcpy(arrayp, &grown, sizeof(grown));
	return (char *)grown + (*n)++ * size;
}

/* Look a node up by the name in @n; -EINVAL (logged) when there is none. */
static int topo_node_ref(struct topo *t, const yaml_node_t *n, const char *name)
{
	int i = lab_node_find(t->lab, name);

	if (i < 0)
		return topo_err(t, n, "unknown node \"%s\"", name);
	return i;
}

/* --- nodes ------------------------------------------------------------ */

/* "net.ipv4.ip_forward" or "net/ipv4/ip_forward", of the namespace only. */
static int topo_sysctl(struct topo *t, struct lab_node *node, const yaml_node_pair_t *pair)
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
			ret = topo_err(t, t->key, "unknown key \"%s\" in node %s: want forward "
					     "or sysctl", key, node->name);
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
		return topo_err(t, kn, "\"host\" is the namespace plumb-lab runs in; "
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
			return topo_err(t, n, "invalid address \"%s\": want ADDRESS/LENGTH",
					tok);
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
		return topo_err(t, n, "\"%s\": a bridge port's addresses come from the "
				      "bridge's subnet; ask for one with {node, ip}", buf);
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
		return topo_str(t, v, "ip", buf, sizeof(buf)) < 0 ? -EINVAL :
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
			ret = topo_err(t, t->key, "unknown key \"%s\": want node, ifname or ip",
				       key);
		}
		if (ret < 0)
			return ret;
	}
	if (i->node == -2)
		return topo_err(t, map, "no \"node\"");
	return 0;
}

static int topo_end(struct topo *t, yaml_node_t *n, struct lab_if *i, int port)
{
	i->pos = topo_pos(n);
	i->peer = -1;
	i->bridge = -1;
	if (n->type == YAML_MAPPING_NODE)
		return topo_end_map(t, n, i, port);
	return topo_end_str(t, n, i, !port);
}

/* --- bridges ---------------------------------------------------------- */

/* subnet: or subnet6:, with gateway: or gateway6: */
static int topo_subnet(struct topo *t, yaml_node_t *v, struct lab_bridge *br, int family)
{
	struct ipam_set *set = &br->sets[family == AF_INET6];
	char buf[INET_PREFIX_STRLEN];
	struct log_msg m;

	if (topo_str(t, v, family == AF_INET ? "subnet" : "subnet6", buf, sizeof(buf)) < 0)
		return -EINVAL;
	if (inet_subnet_parse_try(buf, &set->range[0].subnet, &m) < 0)
		return topo_err_msg(t, v, &m);
	if (set->range[0].subnet.addr.family != family)
		return topo_err(t, v, "%s: want an IPv%c subnet", buf,
				family == AF_INET ? '4' : '6');
	set->n = 1;
	return 0;
}

static int topo_gateway(struct topo *t, yaml_node_t *v, struct lab_bridge *br, int family)
{
	struct ipam_range *r = &br->sets[family == AF_INET6].range[0];
	char buf[INET_ADDR_STRLEN];

	if (topo_str(t, v, "gateway", buf, sizeof(buf)) < 0)
		return -EINVAL;
	if (inet_addr_parse(buf, &r->gateway) < 0 || r->gateway.family != family)
		return topo_err(t, v, "invalid gateway \"%s\": want an IPv%c address", buf,
				family == AF_INET ? '4' : '6');
	return 0;
}

/* One destination of no-masquerade-to:. */
static int topo_nomasq_one(struct topo *t, yaml_node_t *v, struct lab_bridge *br)
{
	char buf[INET_PREFIX_STRLEN];
	struct log_msg m;

	if (topo_str(t, v, "no-masquerade-to", buf, sizeof(buf)) < 0)
		return -EINVAL;
	if (br->n_nomasq >= NAT_NOMASQ_MAX)
		return topo_err(t, v, "no-masquerade-to: more than %d destinations",
				NAT_NOMASQ_MAX);
	if (inet_subnet_parse_try(buf, &br->nomasq[br->n_nomasq], &m) < 0)
		return topo_err_msg(t, v, &m);
	br->n_nomasq++;
	return 0;
}

/* no-masquerade-to: CIDR, or a list of them (plumb-nat's --no-masquerade-to). */
static int topo_nomasq(struct topo *t, yaml_node_t *v, struct lab_bridge *br)
{
	yaml_node_item_t *item;
	yaml_node_t *d;

	if (v->type != YAML_SEQUENCE_NODE)
		return topo_nomasq_one(t, v, br);
	topo_for_items(v, item) {
		d = topo_node(t, *item);
		if (!d || topo_nomasq_one(t, d, br) < 0)
			return -EINVAL;
	}
	return 0;
}

static int topo_members(struct topo *t, yaml_node_t *seq, int bridge)
{
	struct lab *lab = t->lab;
	yaml_node_item_t *item;
	struct lab_if *i;
	yaml_node_t *m;
	int ret;

	if (topo_want(t, seq, YAML_SEQUENCE_NODE, "members") < 0)
		return -EINVAL;
	topo_for_items(seq, item) {
		m = topo_node(t, *item);
		if (!m)
			return -EINVAL;
		i = topo_append(&lab->ifs, &lab->n_ifs, sizeof(*lab->ifs));
		if (!i)
			return log_err(-ENOMEM, "read %s", t->file);
		ret = topo_end(t, m, i, 1);
		i->bridge = bridge;
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int topo_bridge_key(struct topo *t, struct lab_bridge *br, int index,
			   const char *key, yaml_node_t *v)
{
	char name[LAB_NAME_MAX + 1];
	unsigned long mtu;
	int ret, direct = 1;

	if (!strcmp(key, "name"))
		return topo_ifname(t, v, "name", br->name);
	if (!strcmp(key, "in")) {
		if (topo_name(t, v, "in", name) < 0)
			return -EINVAL;
		br->node = !strcmp(name, "host") ? LAB_HOST : topo_node_ref(t, v, name);
		return br->node < LAB_HOST ? -EINVAL : 0;
	}
	if (!strcmp(key, "subnet") || !strcmp(key, "subnet6"))
		return topo_subnet(t, v, br, key[6] ? AF_INET6 : AF_INET);
	if (!strcmp(key, "gateway") || !strcmp(key, "gateway6"))
		return topo_gateway(t, v, br, key[7] ? AF_INET6 : AF_INET);
	if (!strcmp(key, "masquerade"))
		return topo_bool(t, v, "masquerade", &br->masquerade);
	if (!strcmp(key, "no-masquerade-to"))
		return topo_nomasq(t, v, br);
	if (!strcmp(key, "isolate"))
		return topo_bool(t, v, "isolate", &br->isolate);
	if (!strcmp(key, "direct-access")) {
		ret = topo_bool(t, v, "direct-access", &direct);
		br->guard = !direct;
		return ret;
	}
	if (!strcmp(key, "mtu")) {
		ret = topo_uint(t, v, "mtu", 68, 65535, &mtu);
		br->mtu = (unsigned int)mtu;
		return ret;
	}
	if (!strcmp(key, "members"))
		return topo_members(t, v, index);
	return topo_err(t, t->key,
			"unknown key \"%s\" in bridge %s: want name, in, subnet, "
			"gateway, subnet6, gateway6, masquerade, no-masquerade-to, "
			"isolate, direct-access, mtu or members",
			key, br->key);
}

/**
 * topo_bridges() - read "bridges:", a mapping of names to bridges
 * @t:		the file
 * @v:		its value
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_bridges(struct topo *t, yaml_node_t *v)
{
	struct lab *lab = t->lab;
	yaml_node_pair_t *pair, *bp;
	struct lab_bridge *br;
	yaml_node_t *kn, *map, *bv;
	char key[32];
	int index, ret;

	if (topo_is_null(v))
		return 0;
	if (topo_want(t, v, YAML_MAPPING_NODE, "bridges") < 0 || topo_dup_keys(t, v) < 0)
		return -EINVAL;
	topo_for_pairs(v, pair) {
		kn = topo_node(t, pair->key);
		br = topo_append(&lab->bridges, &lab->n_bridges, sizeof(*lab->bridges));
		if (!br)
			return log_err(-ENOMEM, "read %s", t->file);
		index = (int)(lab->n_bridges - 1);
		br->node = LAB_HOST;
		if (!kn || topo_name(t, kn, "bridge name", br->key) < 0)
			return -EINVAL;
		br->pos = topo_pos(kn);
		map = topo_node(t, pair->value);
		if (!map || topo_want(t, map, YAML_MAPPING_NODE, br->key) < 0 ||
		    topo_dup_keys(t, map) < 0)
			return -EINVAL;
		topo_for_pairs(map, bp) {
			if (topo_key(t, bp, key, sizeof(key), &bv) < 0)
				return -EINVAL;
			ret = topo_bridge_key(t, &lab->bridges[index], index, key, bv);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* --- links ------------------------------------------------------------ */

static int topo_link_ends(struct topo *t, yaml_node_t *seq, unsigned int mtu)
{
	struct lab *lab = t->lab;
	yaml_node_item_t *item;
	struct lab_if *i;
	yaml_node_t *e;
	size_t first = lab->n_ifs;
	int ret;

	if (topo_want(t, seq, YAML_SEQUENCE_NODE, "endpoints") < 0)
		return -EINVAL;
	if (seq->data.sequence.items.top - seq->data.sequence.items.start != 2)
		return topo_err(t, seq, "endpoints: want two, one for each end");
	topo_for_items(seq, item) {
		e = topo_node(t, *item);
		if (!e)
			return -EINVAL;
		i = topo_append(&lab->ifs, &lab->n_ifs, sizeof(*lab->ifs));
		if (!i)
			return log_err(-ENOMEM, "read %s", t->file);
		ret = topo_end(t, e, i, 0);
		if (ret < 0)
			return ret;
		i->mtu = mtu;
	}
	lab->ifs[first].peer = (int)first + 1;
	lab->ifs[first + 1].peer = (int)first;
	return 0;
}

static int topo_link(struct topo *t, yaml_node_t *l)
{
	yaml_node_t *ends = NULL, *v;
	yaml_node_pair_t *pair;
	unsigned long mtu = 0;
	char key[32];

	if (l->type == YAML_SEQUENCE_NODE)
		return topo_link_ends(t, l, 0);
	if (topo_want(t, l, YAML_MAPPING_NODE, "a link") < 0 || topo_dup_keys(t, l) < 0)
		return -EINVAL;
	topo_for_pairs(l, pair) {
		if (topo_key(t, pair, key, sizeof(key), &v) < 0)
			return -EINVAL;
		if (!strcmp(key, "endpoints"))
			ends = v;
		else if (!strcmp(key, "mtu")) {
			if (topo_uint(t, v, "mtu", 68, 65535, &mtu) < 0)
				return -EINVAL;
		} else
			return topo_err(t, t->key, "unknown key \"%s\" in a link: want "
					      "endpoints or mtu", key);
	}
	if (!ends)
		return topo_err(t, l, "a link without \"endpoints\"");
	return topo_link_ends(t, ends, (unsigned int)mtu);
}

/**
 * topo_links() - read "links:", a list of point-to-point links
 * @t:		the file
 * @v:		its value
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_links(struct topo *t, yaml_node_t *v)
{
	yaml_node_item_t *item;
	yaml_node_t *l;
	int ret;

	if (topo_is_null(v))
		return 0;
	if (topo_want(t, v, YAML_SEQUENCE_NODE, "links") < 0)
		return -EINVAL;
	topo_for_items(v, item) {
		l = topo_node(t, *item);
		if (!l)
			return -EINVAL;
		ret = topo_link(t, l);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* --- routes ----------------------------------------------------------- */

/* "DEST via GW [dev IF]", "DEST dev IF"; DEST is a subnet or "default". */
static int topo_route_parse(struct topo *t, const yaml_node_t *n, struct lab_route *r)
{
	char buf[sizeof(r->text)], *w[6], *save = NULL;
	struct log_msg m;
	int n_w = 0, i;

	memcpy(buf, r->text, sizeof(buf));
	for (w[0] = strtok_r(buf, " \t", &save); w[n_w] && n_w < 5;)
		w[++n_w] = strtok_r(NULL, " \t", &save);
	if ((n_w != 3 && n_w != 5) || w[n_w])
		goto usage;
	for (i = 1; i < n_w; i += 2) {
		if (!strcmp(w[i], "via") && !r->r.gateway.family) {
			if (inet_addr_parse(w[i + 1], &r->r.gateway) < 0)
				return topo_err(t, n, "route \"%s\": invalid gateway \"%s\"",
						r->text, w[i + 1]);
		} else if (!strcmp(w[i], "dev") && !*r->dev) {
			if (topo_ifname_check(t, n, w[i + 1], r->dev) < 0)
				return -EINVAL;
		} else {
			goto usage;
		}
	}
	if (!strcmp(w[0], "default")) {
		r->r.dst.addr.family = r->r.gateway.family ? r->r.gateway.family : AF_INET;
		return 0;
	}
	if (inet_subnet_parse_try(w[0], &r->r.dst, &m) < 0)
		return topo_err(t, n, "route \"%s\": %s", r->text, m.text);
	if (r->r.gateway.family && r->r.gateway.family != r->r.dst.addr.family)
		return topo_err(t, n, "route \"%s\": the gateway is not of the "
				      "destination's family", r->text);
	return 0;
usage:
	return topo_err(t, n, "route \"%s\": want \"DEST via GATEWAY [dev IFNAME]\" or "
			      "\"DEST dev IFNAME\", DEST a subnet or default",
			r->text);
}

/**
 * topo_routes() - read "routes:", a mapping of nodes to lists of routes
 * @t:		the file
 * @v:		its value
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_routes(struct topo *t, yaml_node_t *v)
{
	struct lab *lab = t->lab;
	char name[LAB_NAME_MAX + 1];
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	struct lab_route *r;
	yaml_node_t *kn, *seq, *rn;
	int node, ret;

	if (topo_is_null(v))
		return 0;
	if (topo_want(t, v, YAML_MAPPING_NODE, "routes") < 0 || topo_dup_keys(t, v) < 0)
		return -EINVAL;
	topo_for_pairs(v, pair) {
		kn = topo_node(t, pair->key);
		if (!kn || topo_name(t, kn, "node", name) < 0)
			return -EINVAL;
		node = topo_node_ref(t, kn, name);
		seq = topo_node(t, pair->value);
		if (node < 0 || !seq || topo_want(t, seq, YAML_SEQUENCE_NODE, name) < 0)
			return -EINVAL;
		topo_for_items(seq, item) {
			rn = topo_node(t, *item);
			if (!rn)
				return -EINVAL;
			r = topo_append(&lab->routes, &lab->n_routes, sizeof(*lab->routes));
			if (!r)
				return log_err(-ENOMEM, "read %s", t->file);
			r->node = node;
			r->pos = topo_pos(rn);
			ret = topo_str(t, rn, "route", r->text, sizeof(r->text));
			if (ret == 0)
				ret = topo_route_parse(t, rn, r);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* --- publish ---------------------------------------------------------- */

/* "NODE:PORT", "ADDRESS:PORT" or "[ADDRESS6]:PORT" */
static int topo_pub_to(struct topo *t, yaml_node_t *v, struct lab_pub *p)
{
	char buf[128], *colon, *host = buf;

	if (topo_str(t, v, "to", buf, sizeof(buf)) < 0)
		return -EINVAL;
	colon = strrchr(buf, ':');
	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(p->to_port))
		return topo_err(t, v, "to \"%s\": want NODE:PORT or ADDRESS:PORT", buf);
	*colon = '\0';
	memcpy(p->to_port, colon + 1, strlen(colon + 1) + 1);
	if (host[0] == '[' && colon > buf + 1 && colon[-1] == ']') {
		colon[-1] = '\0';
		host++;
	}
	p->to_node = -1;
	if (inet_addr_parse(host, &p->to_addr) == 0)
		return 0;
	if (lab_name_check_try("node", host, NULL) < 0)
		return topo_err(t, v, "to \"%s\": want NODE:PORT or ADDRESS:PORT", host);
	p->to_node = topo_node_ref(t, v, host);
	return p->to_node < 0 ? -EINVAL : 0;
}

static int topo_pub_key(struct topo *t, struct lab_pub *p, const char *key, yaml_node_t *v,
			yaml_node_t **port)
{
	char name[LAB_NAME_MAX + 1];

	if (!strcmp(key, "in")) {
		if (topo_name(t, v, "in", name) < 0)
			return -EINVAL;
		p->node = !strcmp(name, "host") ? LAB_HOST : topo_node_ref(t, v, name);
		return p->node < LAB_HOST ? -EINVAL : 0;
	}
	if (!strcmp(key, "port")) {
		*port = v;
		return topo_str(t, v, "port", p->port, sizeof(p->port));
	}
	if (!strcmp(key, "to"))
		return topo_pub_to(t, v, p);
	return topo_err(t, t->key, "unknown key \"%s\" in publish: want in, port or to", key);
}

/* The port and target, as plumb-nat would take them. */
static int topo_pub_check(struct topo *t, const yaml_node_t *n, const struct lab_pub *p)
{
	char target[INET_ADDR_STRLEN + 24], a[INET_ADDR_STRLEN];
	struct log_msg m;
	struct nat_pub np;

	if (p->to_node >= 0)
		snprintf(target, sizeof(target), "192.0.2.1:%s", p->to_port);
	else
		snprintf(target, sizeof(target),
			 p->to_addr.family == AF_INET6 ? "[%s]:%s" : "%s:%s",
			 inet_addr_str(&p->to_addr, a, sizeof(a)), p->to_port);
	return nat_pub_parse_try(p->port, target, &np, &m) < 0 ? topo_err_msg(t, n, &m) : 0;
}

/**
 * topo_publish() - read "publish:", a list of published ports
 * @t:		the file
 * @v:		its value
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_publish(struct topo *t, yaml_node_t *v)
{
	struct lab *lab = t->lab;
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	struct lab_pub *p;
	yaml_node_t *m, *pv, *port;
	char key[32];
	int ret;

	if (topo_is_null(v))
		return 0;
	if (topo_want(t, v, YAML_SEQUENCE_NODE, "publish") < 0)
		return -EINVAL;
	topo_for_items(v, item) {
		m = topo_node(t, *item);
		if (!m || topo_want(t, m, YAML_MAPPING_NODE, "publish") < 0 ||
		    topo_dup_keys(t, m) < 0)
			return -EINVAL;
		p = topo_append(&lab->pubs, &lab->n_pubs, sizeof(*lab->pubs));
		if (!p)
			return log_err(-ENOMEM, "read %s", t->file);
		p->node = LAB_HOST;
		p->pos = topo_pos(m);
		port = NULL;
		topo_for_pairs(m, pair) {
			if (topo_key(t, pair, key, sizeof(key), &pv) < 0)
				return -EINVAL;
			ret = topo_pub_key(t, p, key, pv, &port);
			if (ret < 0)
				return ret;
		}
		if (!port || !p->to_port[0])
			return topo_err(t, m, "publish: want port and to");
		ret = topo_pub_check(t, port, p);
		if (ret < 0)
			return ret;
	}
	return 0;
}
