// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat: a lab's masquerade, published ports and its bridges' forwarding
 * policy, through lib/nat.c as plumb-nat and plumb-bridge make them:
 * elements of plumb's table in the namespace where the bridge lives or the
 * port is published, owned by "lab@<name>". The
 * records of the host's elements are the host's (<state>/nat/, where
 * "plumb-nat list" and "reconcile" find them); those of a node's live with
 * the lab's state (<state>/lab/<name>/<node>/nat/) and go with the lab, as
 * the node's table goes with its namespace.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nft.h>
#include <plumb/state.h>

#include "nat.h"

#define NAT_RECORDS "nat" /* lib/nat.c's kind of record */

/**
 * lab_nat_owner() - the owner of a lab's NAT elements
 * @lab:	the lab's name
 * @buf:	"lab@<name>" (nat_owner_make()), a form no person's --id can spell
 * @size:	room at @buf, NFT_OWNER_MAX + 1
 */
void lab_nat_owner(const char *lab, char *buf, size_t size)
{
	const char *parts[] = { lab };

	nat_owner_make(NAT_OWNER_LAB, parts, 1, buf, size);
}

/**
 * lab_nat_state_dir() - where the records of a namespace's NAT live
 * @lab:	the lab's name
 * @node:	the node, or NULL for the host
 * @buf:	the directory
 * @size:	room at @buf
 */
void lab_nat_state_dir(const char *lab, const char *node, char *buf, size_t size)
{
	if (!node)
		snprintf(buf, size, STATE_DIR);
	else
		snprintf(buf, size, STATE_DIR "/" LAB_STATE_KIND "/%s/%s", lab, node);
}

/**
 * lab_nat_wanted() - does the file ask for elements of plumb's table in a
 * namespace: masquerade, a published port, a bridge's forwarding policy?
 * @lab:	the topology
 * @node:	the node, or LAB_HOST
 *
 * Return: 1 or 0.
 */
int lab_nat_wanted(const struct lab *lab, int node)
{
	const struct lab_bridge *br;
	size_t i;

	for (i = 0; i < lab->n_bridges; i++) {
		br = &lab->bridges[i];
		if (br->node == node && (br->masquerade || br->isolate || br->guard))
			return 1;
	}
	for (i = 0; i < lab->n_pubs; i++) {
		if (lab->pubs[i].node == node)
			return 1;
	}
	return 0;
}

/**
 * lab_pub_resolve_try() - a published port as plumb-nat takes it
 * @lab:	the topology, its ports' addresses leased
 * @pub:	the published port
 * @p:		filled
 * @m:		what is wrong, or NULL
 *
 * The address is the one given, or the node's first IPv4 address on a
 * bridge in the namespace the port is published in, or else its first IPv4
 * address at all.
 *
 * Return: 0, or -EINVAL (in @m, not logged) when the node has no IPv4
 * address.
 */
int lab_pub_resolve_try(const struct lab *lab, const struct lab_pub *pub, struct nat_pub *p,
			struct log_msg *m)
{
	char target[INET_ADDR_STRLEN + 24], a[INET_ADDR_STRLEN];
	const struct inet_addr *to = pub->to_node < 0 ? &pub->to_addr : NULL;
	const struct lab_if *i;
	size_t pass, k, j;

	for (pass = 0; pass < 2 && !to; pass++) {
		for (k = 0; k < lab->n_ifs && !to; k++) {
			i = &lab->ifs[k];
			if (i->node != pub->to_node ||
			    (!pass && (i->bridge < 0 || lab->bridges[i->bridge].node != pub->node)))
				continue;
			for (j = 0; j < i->n_ip && !to; j++)
				to = i->ip[j].addr.family == AF_INET ? &i->ip[j].addr : NULL;
		}
	}
	if (!to)
		return log_msg_errx(m, -EINVAL, "publish %s: node %s has no IPv4 address",
				    pub->port, lab->nodes[pub->to_node].name);
	snprintf(target, sizeof(target), to->family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 inet_addr_str(to, a, sizeof(a)), pub->to_port);
	return nat_pub_parse_try(pub->port, target, p, m);
}

/**
 * struct nat_ctx - one namespace's NAT in a run
 * @run:	the run
 * @ns:		the namespace
 * @node:	its node, or LAB_HOST
 * @nat:	the handle
 * @owner:	"lab@<name>"
 * @want:	the names of the records the file asks for
 */
struct nat_ctx {
	struct lab_run *run;
	struct lab_ns *ns;
	int node;
	struct nat nat;
	char owner[NFT_OWNER_MAX + 1];
	json_t *want;
};

/* Is the subnet masqueraded for the owner? Said when it is not. */
static int nat_masq_there(struct nat_ctx *c, const struct inet_prefix *subnet)
{
	char buf[INET_PREFIX_STRLEN];
	struct nft_elem e;
	int ret;

	nat_masq_elem(subnet, c->owner, &e);
	ret = nft_elem_get(&c->nat.nl, &e);
	if (ret != 0)
		return ret;
	ret = run_ns_drift(c->run, c->ns, "%s is not masqueraded",
			   inet_prefix_str(subnet, buf, sizeof(buf)));
	return ret < 0 ? ret : 0;
}

/*
 * A bridge's subnet masqueraded, but for the destinations it reaches without
 * (set whole, and so emptied when the file no longer has them).
 */
static int nat_masq(struct nat_ctx *c, const struct lab_bridge *br,
		    const struct inet_prefix *subnet)
{
	char name[128];
	int ret = 0;

	nat_masq_record_name(subnet, name, sizeof(name));
	json_object_set_new(c->want, name, json_true());
	if (!c->run->fresh)
		ret = nat_masq_there(c, subnet);
	if (ret < 0 || c->run->check)
		return ret < 0 ? ret : 0;
	if (ret == 0)
		ret = nat_masq_add(&c->nat, subnet, c->owner);
	if (ret >= 0 && (br->n_nomasq || !c->run->fresh))
		ret = nat_nomasq_set(&c->nat, subnet, br->nomasq, br->n_nomasq, c->owner);
	return ret < 0 ? ret : 0;
}

/* Is the port published as the file says? Said when it is not. */
static int nat_pub_there(struct nat_ctx *c, const struct nat_pub *p)
{
	struct log_msg m;
	int ret = nat_pub_check_try(&c->nat, p, c->owner, &m);

	if (ret == -ENOENT)
		return run_ns_drift(c->run, c->ns, "%s", m.text);
	return ret < 0 ? ret : 1;
}

static int nat_pub(struct nat_ctx *c, const struct lab_pub *pub)
{
	char name[128];
	struct log_msg m;
	struct nat_pub p;
	int ret;

	ret = lab_pub_resolve_try(c->run->lab, pub, &p, &m);
	if (ret < 0)
		return log_msg_report(&m);
	nat_pub_record_name(&p, name, sizeof(name));
	json_object_set_new(c->want, name, json_true());
	if (!c->run->fresh)
		ret = nat_pub_there(c, &p);
	if (ret != 0 || c->run->check)
		return ret < 0 ? ret : 0;
	return nat_publish(&c->nat, &p, c->owner);
}

/*
 * A bridge's forwarding policy (nat_net.c) as the file says: compared with
 * the sets, then given or taken back. Without isolation and guard, only
 * what the lab had given is taken back.
 */
static int nat_policy(struct nat_ctx *c, const struct lab_bridge *br)
{
	struct nat_net want = { .isolate = br->isolate, .guard = br->guard }, have = { 0 };
	int ret = 0, whole = 1, any = want.isolate || want.guard;
	char name[128];

	snprintf(want.bridge, sizeof(want.bridge), "%s", br->name);
	snprintf(want.made_by, sizeof(want.made_by), "lab");
	snprintf(name, sizeof(name), "net-%s", br->name);
	if (any)
		json_object_set_new(c->want, name, json_true());
	else if (c->run->fresh)
		return 0;
	if (!c->run->fresh) {
		ret = nat_net_get(&c->nat, br->name, &have);
		whole = ret > 0 || !any;
		if (ret >= 0 && have.isolate != want.isolate)
			ret = run_ns_drift(c->run, c->ns, "bridge %s is %s", br->name,
					   have.isolate ? "isolated, not in the file" :
							  "not isolated");
		if (ret >= 0 && have.guard != want.guard)
			ret = run_ns_drift(c->run, c->ns, "bridge %s %s", br->name,
					   have.guard ? "refuses direct access, not in the file" :
							"allows direct access");
		if (ret >= 0 && !whole)
			ret = run_ns_drift(c->run, c->ns, "bridge %s lacks its element of samebr",
					   br->name);
		if (ret < 0)
			return ret;
	}
	if (c->run->check ||
	    (whole && have.isolate == want.isolate && have.guard == want.guard))
		return 0;
	return nat_net_set(&c->nat, &want, c->owner);
}

/* A record of the owner's that the file no longer asks for: undone. */
static int nat_stale_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct nat_ctx *c = arg;
	struct inet_prefix subnet;
	const char *type = NULL, *s = NULL;
	struct nat_net net = { .made_by = "lab" };
	struct nat_pub p;

	(void)group;
	json_get_string(rec, "type", &type);
	/* A subnet's no-masquerade list goes with its masquerade, or is set empty. */
	if (json_object_get(c->want, name) || (type && !strcmp(type, "nomasq")))
		return 0;
	if (c->run->check)
		return run_ns_drift(c->run, c->ns, "%s is not in the file", name);
	if (type && !strcmp(type, "publish") && nat_pub_from_json(rec, &p) == 0)
		return nat_unpublish(&c->nat, &p, c->owner);
	if (type && !strcmp(type, "masq") && json_get_string(rec, "subnet", &s) > 0 &&
	    inet_prefix_parse(s, &subnet) == 0)
		return nat_masq_del(&c->nat, &subnet, c->owner);
	/* A bridge gone from the file, or renamed: its policy asks for nothing. */
	if (type && !strcmp(type, "net") && json_get_string(rec, "bridge", &s) > 0 &&
	    strlen(s) < sizeof(net.bridge)) {
		snprintf(net.bridge, sizeof(net.bridge), "%s", s);
		return nat_net_set(&c->nat, &net, c->owner);
	}
	return 0;
}

static int nat_ns(struct nat_ctx *c)
{
	const struct lab *lab = c->run->lab;
	char group[NFT_OWNER_MAX + 1];
	size_t i, k;
	int ret = 0;

	for (i = 0; i < lab->n_bridges && ret == 0; i++) {
		if (lab->bridges[i].node != c->node)
			continue;
		ret = nat_policy(c, &lab->bridges[i]);
		if (!lab->bridges[i].masquerade)
			continue;
		for (k = 0; k < 2 && ret == 0; k++) {
			if (lab->bridges[i].sets[k].n)
				ret = nat_masq(c, &lab->bridges[i],
					       &lab->bridges[i].sets[k].range[0].subnet);
		}
	}
	for (i = 0; i < lab->n_pubs && ret == 0; i++) {
		if (lab->pubs[i].node == c->node)
			ret = nat_pub(c, &lab->pubs[i]);
	}
	nat_owner_group(c->owner, group, sizeof(group));
	if (ret == 0)
		ret = state_record_for_each(c->nat.state_dir, NAT_RECORDS, group,
					    nat_stale_one, c);
	return ret;
}

/**
 * lab_nat() - masquerade, publish and give bridges their forwarding policy
 * as the file says, in every namespace
 * @run:	the run, its ports' addresses leased; with @run->check, only
 *		compared
 * @host_nat:	whether the host had NAT of the lab's before (its record)
 *
 * Return: 0 or negative errno (logged).
 */
int lab_nat(struct lab_run *run, int host_nat)
{
	struct nat_ctx c = { .run = run };
	char dir[PATH_MAX];
	size_t n;
	int ret = 0;

	lab_nat_owner(run->lab->name, c.owner, sizeof(c.owner));
	for (n = 0; n <= run->lab->n_nodes && ret == 0; n++) {
		c.node = n < run->lab->n_nodes ? (int)n : LAB_HOST;
		c.ns = run_ns(run, c.node);
		if (c.ns->state == LAB_NS_MISSING)
			continue;
		lab_nat_state_dir(run->lab->name,
				  c.node == LAB_HOST ? NULL : run->lab->nodes[c.node].name, dir,
				  sizeof(dir));
		/* Nothing wanted: only what an earlier run left is undone. */
		if (!lab_nat_wanted(run->lab, c.node) &&
		    (c.node == LAB_HOST ? !host_nat :
					  c.ns->state == LAB_NS_MADE || access(dir, F_OK) < 0))
			continue;
		c.want = json_object();
		ret = c.want ? nat_open(&c.nat, c.ns->fd, dir) : log_err(-ENOMEM, "NAT");
		if (ret == 0) {
			ret = nat_ns(&c);
			nat_close(&c.nat);
		}
		json_decref(c.want);
	}
	return ret;
}
