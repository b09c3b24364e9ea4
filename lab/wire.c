// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wire: the lab's interfaces, addresses and routes, made or repaired.
 *
 * Theory of operation: the work goes in three rounds, each one batch per
 * socket (lib/nl.c sends a batch NL_SEND_MSGS requests to a sendmsg() and
 * reads every ack):
 *   1. bridges, in the namespace of each (wire_bridges());
 *   2. every missing veth pair, from the host's socket alone: each end is
 *	born in its namespace (IFLA_NET_NS_FD), a bridge port's end enslaved
 *	at birth (wire_veths());
 *   3. in each namespace, one batch that brings interfaces up, marks them
 *	with the lab's alias, sets MTU and master where they differ, adds the
 *	addresses and routes that are missing and removes what the file no
 *	longer has (wire_ns()).
 * A namespace made by this run is known empty: round 3 reads only its
 * interfaces there (for their indexes), not its addresses and routes.
 * "check" goes through the same rounds, sends nothing and says what differs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include <plumb/bridge.h>
#include <plumb/log.h>

#include "batch.h"
#include "run.h"
#include "wire.h"

static const char *wire_where(const struct lab_ns *ns)
{
	return *ns->name ? ns->name : "the host";
}

/**
 * wire_bridges() - make the bridges that are missing
 * @run:	the run
 *
 * Return: 0 or negative errno (logged).
 */
int wire_bridges(struct lab_run *run)
{
	const struct lab_bridge *br;
	struct lab_batch lb;
	struct lab_ns *ns;
	uint8_t mac[6];
	size_t n, i;
	int ret = 0;

	for (n = 0; n <= run->lab->n_nodes && ret == 0; n++) {
		ns = n < run->lab->n_nodes ? &run->ns[n] : &run->host;
		if (ns->state == LAB_NS_MISSING)
			continue;
		lab_batch_init(&lb, &ns->nl, ns->name);
		for (i = 0; i < ns->n_items && ret == 0; i++) {
			if (ns->items[i].kind != LAB_ITEM_BRIDGE)
				continue;
			br = &run->lab->bridges[ns->items[i].index];
			if (run_link(ns, br->name))
				continue;
			ret = run_ns_drift(run, ns, "bridge %s is missing", br->name);
			if (run->check)
				continue;
			/* The mark the lab finds it by; the alias comes in round 3. */
			bridge_mark_mac_of(&ns->nl, run->alias, br->name, mac);
			nl_link_build_bridge(&ns->nl, &lb.b, br->name, mac);
			lab_batch_what(&lb, "create bridge %s in %s", br->name, wire_where(ns));
		}
		if (ret < 0 || !lb.b.count) {
			lab_batch_drop(&lb);
			continue;
		}
		ret = lab_batch_send(&lb);
		if (ret == 0)
			ret = run_links_dump(ns);
	}
	return ret;
}

/**
 * struct wire_pair - the two ends of a veth the lab wants
 * @a:		the node's end
 * @ns_a:	its namespace
 * @b:		the other end's name: a bridge port's host end, or the peer
 * @ns_b:	its namespace
 * @master:	for a bridge port, the bridge (in @ns_b)
 */
struct wire_pair {
	const struct lab_if *a;
	struct lab_ns *ns_a;
	const char *b;
	struct lab_ns *ns_b;
	const struct lab_bridge *master;
};

static void wire_pair_of(struct lab_run *run, const struct lab_if *i, struct wire_pair *p)
{
	const struct lab *lab = run->lab;

	p->a = i;
	p->ns_a = run_ns(run, i->node);
	p->master = i->bridge >= 0 ? &lab->bridges[i->bridge] : NULL;
	if (p->master) {
		p->b = i->host_veth;
		p->ns_b = run_ns(run, p->master->node);
	} else {
		p->b = lab->ifs[i->peer].name;
		p->ns_b = run_ns(run, lab->ifs[i->peer].node);
	}
}

/* The veth of a pair, in the batch: the bridge's end first (it is enslaved). */
static int wire_veth_build(struct lab_run *run, struct lab_batch *lb,
			   const struct wire_pair *p)
{
	struct nl_veth v = { .mtu = p->a->mtu, .hairpin = 0 };
	const struct nl_link *br;
	uint8_t mark[6];

	if (p->master) {
		br = run_link(p->ns_b, p->master->name);
		if (!br)
			return log_errx(-ENODEV, "bridge %s is not in %s", p->master->name,
					wire_where(p->ns_b));
		v.name = p->b;
		v.netns_fd = p->ns_b->fd;
		v.master = br->index;
		v.peer = p->a->name;
		v.peer_netns_fd = p->ns_a->fd;
		/* The lab's mark, set at birth: the alias comes in round 3. */
		bridge_mark_mac_of(&p->ns_b->nl, run->alias, p->b, mark);
		v.mac = mark;
		v.group = BRIDGE_GROUP;
	} else {
		v.name = p->a->name;
		v.netns_fd = p->ns_a->fd;
		v.peer = p->b;
		v.peer_netns_fd = p->ns_b->fd;
	}
	nl_link_build_veth(&run->host.nl, &lb->b, &v);
	lab_batch_what(lb, "create veth %s in %s with peer %s in %s", p->a->name,
		       wire_where(p->ns_a), p->b, wire_where(p->ns_b));
	return 0;
}

/* A pair with one end only: that end goes (the pair is made again). */
static int wire_half_del(struct lab_ns *ns, const char *name)
{
	int ret = nl_link_del(&ns->nl, name);

	if (ret == 0 || ret == -ENODEV)
		return run_links_dump(ns);
	return ret;
}

/**
 * wire_veths() - make every veth pair that is missing, in one batch
 * @run:	the run
 *
 * Return: 0 or negative errno (logged).
 */
int wire_veths(struct lab_run *run)
{
	struct lab *lab = run->lab;
	struct wire_pair p;
	struct lab_batch lb;
	const struct nl_link *la, *lb_;
	size_t i;
	int ret = 0;

	lab_batch_init(&lb, &run->host.nl, "");
	for (i = 0; i < lab->n_ifs && ret == 0; i++) {
		if (lab->ifs[i].bridge < 0 && lab->ifs[i].peer < (int)i)
			continue; /* a link: made from its first end */
		wire_pair_of(run, &lab->ifs[i], &p);
		if (p.ns_a->state == LAB_NS_MISSING || p.ns_b->state == LAB_NS_MISSING)
			continue; /* check: said already */
		la = run_link(p.ns_a, p.a->name);
		lb_ = run_link(p.ns_b, p.b);
		if (la && lb_)
			continue;
		ret = run_ns_drift(run, la ? p.ns_b : p.ns_a, "%s is missing",
				   la ? p.b : p.a->name);
		if (ret < 0 || run->check)
			continue;
		if (la)
			ret = wire_half_del(p.ns_a, p.a->name);
		if (lb_ && ret == 0)
			ret = wire_half_del(p.ns_b, p.b);
		if (ret == 0)
			ret = wire_veth_build(run, &lb, &p);
		lab->ifs[i].made = 1;
		if (lab->ifs[i].bridge < 0)
			lab->ifs[lab->ifs[i].peer].made = 1;
	}
	if (ret < 0 || !lb.b.count) {
		lab_batch_drop(&lb);
		return ret;
	}
	return lab_batch_send(&lb);
}
