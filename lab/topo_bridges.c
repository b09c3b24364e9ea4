// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_bridges: the "bridges:" section of a topology file.
 *
 * Theory of operation: each bridge is a mapping of its settings: where its
 * host side lives (in:), its subnets and gateways, masquerade and the
 * forwarding policy (isolate, direct-access), its MTU and its members. A
 * member is an interface end (topo_end_add()) tied to the bridge; its
 * addresses are asked of the bridge's subnets, never written as a link's
 * are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>

#include "topo.h"

/* subnet: or subnet6:, with gateway: or gateway6: */
static int topo_subnet(struct topo *t, yaml_node_t *v, struct lab_bridge *br, int family)
{
	struct ipam_set *set = &br->sets[family == AF_INET6];
	char buf[INET_PREFIX_STRLEN];
	struct log_msg m;

	if (topo_str(t, v, family == AF_INET ? "subnet" : "subnet6", buf, sizeof(buf)) <
	    0)
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
		return topo_err(t, v, "invalid gateway \"%s\": want an IPv%c address",
				buf, family == AF_INET ? '4' : '6');
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
	yaml_node_item_t *item;
	struct lab_if *i;
	int ret;

	if (topo_want(t, seq, YAML_SEQUENCE_NODE, "members") < 0)
		return -EINVAL;
	topo_for_items(seq, item) {
		ret = topo_end_add(t, *item, 1, &i);
		if (ret < 0)
			return ret;
		i->bridge = bridge;
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
