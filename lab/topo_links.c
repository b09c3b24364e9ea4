// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_links: the "links:", "routes:" and "publish:" sections of a topology
 * file.
 *
 * Theory of operation: a link is a pair of interface ends (topo_end_add()),
 * each with its own addresses; a route is one line in iproute2's words, kept
 * as written for messages and parsed here; a published port is checked as
 * plumb-nat would take it (nat_pub_parse_try()), its target node looked up
 * now and its address found once the file is resolved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>

#include "topo.h"

/* --- links ------------------------------------------------------------ */

static int topo_link_ends(struct topo *t, yaml_node_t *seq, unsigned int mtu)
{
	struct lab *lab = t->lab;
	yaml_node_item_t *item;
	struct lab_if *i;
	size_t first = lab->n_ifs;
	int ret;

	if (topo_want(t, seq, YAML_SEQUENCE_NODE, "endpoints") < 0)
		return -EINVAL;
	if (seq->data.sequence.items.top - seq->data.sequence.items.start != 2)
		return topo_err(t, seq, "endpoints: want two, one for each end");
	topo_for_items(seq, item) {
		ret = topo_end_add(t, *item, 0, &i);
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
			return topo_err(t, t->key,
					"unknown key \"%s\" in a link: want "
					"endpoints or mtu",
					key);
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
				return topo_err(t, n,
						"route \"%s\": invalid gateway \"%s\"",
						r->text, w[i + 1]);
		} else if (!strcmp(w[i], "dev") && !*r->dev) {
			if (topo_ifname_check(t, n, w[i + 1], r->dev) < 0)
				return -EINVAL;
		} else {
			goto usage;
		}
	}
	if (!strcmp(w[0], "default")) {
		r->r.dst.addr.family = r->r.gateway.family ? r->r.gateway.family :
							     AF_INET;
		return 0;
	}
	if (inet_subnet_parse_try(w[0], &r->r.dst, &m) < 0)
		return topo_err(t, n, "route \"%s\": %s", r->text, m.text);
	if (r->r.gateway.family && r->r.gateway.family != r->r.dst.addr.family)
		return topo_err(t, n,
				"route \"%s\": the gateway is not of the "
				"destination's family",
				r->text);
	return 0;
usage:
	return topo_err(t, n,
			"route \"%s\": want \"DEST via GATEWAY [dev IFNAME]\" or "
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
			r = topo_append(&lab->routes, &lab->n_routes,
					sizeof(*lab->routes));
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

static int topo_pub_key(struct topo *t, struct lab_pub *p, const char *key,
			yaml_node_t *v, yaml_node_t **port)
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
	return topo_err(t, t->key, "unknown key \"%s\" in publish: want in, port or to",
			key);
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
	return nat_pub_parse_try(p->port, target, &np, &m) < 0 ? topo_err_msg(t, n, &m) :
								 0;
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
