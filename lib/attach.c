// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach: an attachment is what plumb makes for one (network, container id,
 * interface): a lease, a veth pair into the container and a record of both.
 *
 * Theory of operation: attach_add() takes the addresses first (files only),
 * then makes sure of the bridge, which every attachment to it shares and
 * whose MTU the attachment takes unless told another; then it writes the
 * record of what it is about to make for this attachment, and only then
 * makes it: veth, addresses, routes. Any failure undoes what was done, in
 * reverse. The record is written before the attachment's own kernel objects
 * exist so that a setup killed halfway leaves a record naming all it may
 * have made; the host veth's name is derived from the attachment (under the
 * host's key, lib/attach_name.c), so even without a record a teardown finds
 * it. attach_del() is therefore idempotent: each step treats "already gone"
 * as done.
 *
 * A failed attach_add() never touches what existed before it started: an
 * attachment that has a record already is refused before anything is done,
 * and each step undoes only what it made itself.
 *
 * The pieces it stands on: names and keys (lib/attach_name.c), records
 * (lib/attach_record.c), teardown (lib/attach_del.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/attach.h>
#include <plumb/fault.h>
#include <plumb/firewalld.h>
#include <plumb/foreign.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/state.h>

#include "attach_del.h"

static int attach_ipam_claim(struct attach_req *req)
{
	struct ipam_lease leases[BRIDGE_ADDRS_MAX];
	struct attachment *a = &req->a;
	struct ipam ipam;
	size_t i;
	int ret;

	ret = ipam_open(&ipam, a->data_dir, a->network);
	if (ret < 0)
		return ret;
	ret = ipam_lease_claim(&ipam, req->sets, req->n_sets, a->id, a->ifname, req->want,
			       leases);
	ipam_close(&ipam);
	if (ret < 0)
		return ret;
	fault_point("ipam-claimed");
	for (i = 0; i < req->n_sets; i++) {
		a->ip[i] = leases[i].addr;
		a->gateway[i] = leases[i].gateway;
	}
	a->n_ip = req->n_sets;
	return 0;
}

/*
 * Refuse the bridge before any lease is claimed, as bridge_ensure() would
 * refuse it after: a bad --bridge must leave the lease store as it was.
 */
static int attach_bridge_check(struct attach_req *req, struct nl_sock *nl)
{
	struct ipam_range r;
	struct inet_prefix gw;
	size_t i, k;
	int ret;

	for (i = 0; i < req->n_sets; i++) {
		for (k = 0; k < req->sets[i].n; k++) {
			r = req->sets[i].range[k];
			ret = ipam_range_fill(&r);
			if (ret < 0)
				return ret;
			gw = (struct inet_prefix){ .addr = r.gateway,
						   .len = r.subnet.len };
			ret = bridge_check(nl, req->a.bridge, &gw, 1,
					   req->foreign_bridge ? BRIDGE_FOREIGN_OK : 0);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * Let the network through the foreign firewalls that filter forwarding, so
 * that a container made while one runs works at once (lib/foreign.c). What
 * the nftables and iptables adapters add is host-wide: rules matching the
 * interface group of every plumb bridge, the same whatever networks exist,
 * which "plumb-nat reconcile" restores and only "plumb-nat flush" takes
 * back. A failed attachment leaves them, as a deleted network does: taking
 * them back would cut the other networks off. firewalld's, by bridge, go
 * with a bridge this call made (firewalld_forget()).
 */
static int attach_foreign_admit(const struct attach_req *req)
{
	const struct attachment *a = &req->a;
	struct inet_prefix subnets[BRIDGE_ADDRS_MAX];
	struct foreign_net net = { .network = a->network,
				   .bridge = a->bridge,
				   .n_subnets = a->n_ip,
				   .subnets = subnets };
	size_t i;

	for (i = 0; i < a->n_ip; i++) {
		subnets[i] = a->ip[i];
		inet_prefix_mask(&subnets[i]);
	}
	return foreign_admit(req->host_netns_fd, &net, 1);
}

/*
 * One attachment never lowers the MTU of a shared bridge: the kernel gives a
 * bridge the smallest MTU of its ports, so one port of 68 took every other
 * container's large packets, and, below 1280, the bridge's IPv6 gateway. A
 * bridge made for this attachment takes its MTU and keeps it (an MTU set on
 * a bridge no longer follows its ports); an existing one refuses a smaller.
 */
static int attach_mtu(struct nl_sock *nl, struct attach_req *req, struct nl_link *br,
		      int created)
{
	struct attachment *a = &req->a;
	int ret;

	if (!a->mtu) {
		a->mtu = br->mtu;
		return 0;
	}
	if (created && a->mtu != br->mtu) {
		ret = nl_link_set_mtu(nl, a->bridge, a->mtu);
		if (ret < 0)
			return ret;
		br->mtu = a->mtu;
	}
	if (a->mtu < br->mtu)
		return log_errx(
			-EINVAL,
			"%s%sMTU %u is below bridge %s's %u, which it would lower "
			"for every container on it",
			req->mtu_from ? req->mtu_from : "", req->mtu_from ? ": " : "",
			a->mtu, a->bridge, br->mtu);
	return 0;
}

/**
 * attach_policy_apply() - give the network's bridge its forwarding policy
 * @req:	the request: its policy (nothing to do when NULL), network,
 *		host namespace and state directory
 *
 * Called before any container is wired to the bridge: there is no moment
 * when a container is reachable as the policy forbids.
 *
 * Return: 0 or negative errno (logged).
 */
int attach_policy_apply(const struct attach_req *req)
{
	struct nat nat;
	int ret;

	if (!req->policy)
		return 0;
	ret = nat_open_netns(&nat, req->host_netns_fd);
	if (ret == 0)
		ret = nat_net_add(&nat, req->policy, req->a.network);
	nat_close(&nat);
	return ret;
}

/*
 * The host veth's name and mark, under the host's key, made now if it is
 * missing: when something is about to be made, and not before, so that
 * input refused earlier leaves the state directory as it was.
 */
static int attach_host_veth_names(struct attach_req *req, struct nl_sock *nl)
{
	struct attachment *a = &req->a;
	uint8_t key[STATE_KEY_LEN];
	int ret;

	ret = state_key_get(req->state_dir, 1, key);
	if (ret < 0)
		return ret;
	attach_host_veth_name(key, a->network, a->id, a->ifname, a->host_veth);
	bridge_mark_mac_keyed(nl, key, a->host_veth, a->host_mac);
	return 0;
}

struct attach_gw_use {
	const struct attachment *a;
	const struct inet_prefix *gw;
	int used;
};

/* Has another attachment on @a's bridge recorded @gw as its gateway? */
static int attach_gw_use_one(const struct attachment *o, void *arg)
{
	struct attach_gw_use *u = arg;
	const struct attachment *a = u->a;
	size_t i;

	if (strcmp(o->bridge, a->bridge) || strcmp(o->host_netns, a->host_netns) ||
	    (!strcmp(o->network, a->network) && !strcmp(o->id, a->id) &&
	     !strcmp(o->ifname, a->ifname)))
		return 0;
	for (i = 0; i < o->n_ip; i++)
		u->used |= inet_addr_eq(&o->gateway[i], &u->gw->addr) &&
			   o->ip[i].len == u->gw->len;
	return 0;
}

/*
 * A failed attachment takes off a bridge that existed the gateways it put
 * there (@added, bridge_ensure()'s), and nothing else: not one the bridge
 * had before, nor one that an attachment made meanwhile has recorded as its
 * own (it found the address there, so did not add it, and relies on it).
 */
static void attach_gateways_undo(const struct attach_req *req, struct nl_sock *nl,
				 const struct nl_link *br, const struct inet_prefix *gw,
				 size_t n_gw, unsigned int added)
{
	struct attach_gw_use u = { .a = &req->a };
	size_t i;

	for (i = 0; i < n_gw; i++) {
		if (!(added & 1u << i))
			continue;
		u.gw = &gw[i];
		u.used = 0;
		if (attach_for_each(req->state_dir, NULL, attach_gw_use_one, &u) < 0 ||
		    u.used)
			added &= ~(1u << i);
	}
	bridge_gateways_del(nl, br, gw, n_gw, added);
}

/* The gateways the bridge carries for the claimed addresses. Return: how many. */
static size_t attach_gateways(const struct attach_req *req,
			      struct inet_prefix gw[BRIDGE_ADDRS_MAX])
{
	const struct attachment *a = &req->a;
	size_t i, n_gw;

	for (i = 0, n_gw = 0; !req->no_gateway && i < a->n_ip; i++) {
		if (a->gateway[i].family)
			gw[n_gw++] = (struct inet_prefix){ .addr = a->gateway[i],
							   .len = a->ip[i].len };
	}
	return n_gw;
}

/* The veth pair, its container end configured. */
static int attach_port_add(const struct attach_req *req, struct nl_sock *nl,
			   const struct nl_link *br)
{
	const struct attachment *a = &req->a;
	struct bridge_port port = {
		.host_veth = a->host_veth,
		.host_mac = a->host_mac,
		.ifname = a->ifname,
		.netns_fd = req->netns_fd,
		.mac = a->mac,
		.mtu = a->mtu,
		.n_ip = a->n_ip,
		.ip = a->ip,
		.gateway = a->gateway,
		.default_route = a->default_route,
		.n_routes = a->n_routes,
		.routes = a->routes,
		.hairpin = a->hairpin,
	};

	return bridge_port_add(nl, br, &port);
}

/* Wire the claimed addresses: bridge, veth, container side. */
static int attach_wire(struct attach_req *req, struct nl_sock *nl)
{
	struct attachment *a = &req->a;
	struct inet_prefix gw[BRIDGE_ADDRS_MAX];
	unsigned int added;
	struct nl_link br;
	size_t n_gw;
	int created, promisc = 0, ret;

	n_gw = attach_gateways(req, gw);
	created = bridge_ensure(nl, req->host_netns_fd, a->bridge, gw, n_gw,
				req->foreign_bridge ? BRIDGE_FOREIGN_OK : 0, &br, &added);
	if (created < 0)
		return created;
	memcpy(req->bridge_mac, br.mac, sizeof(req->bridge_mac));
	ret = attach_mtu(nl, req, &br, created);
	if (ret == 0 && req->promisc && !(br.flags & IFF_PROMISC)) {
		ret = nl_link_set_flag(nl, a->bridge, IFF_PROMISC, 1);
		promisc = ret == 0;
	}
	if (ret == 0)
		ret = attach_foreign_admit(req);
	if (ret == 0)
		ret = attach_host_veth_names(req, nl);
	if (ret == 0)
		ret = attach_record_write(req->state_dir, a);
	fault_point("record-written");
	if (ret < 0)
		goto out_bridge;
	/* After the record, so that a last teardown of the network sees it. */
	ret = attach_policy_apply(req);
	if (ret == 0)
		ret = attach_port_add(req, nl, &br);
	if (ret == 0) {
		fault_point("attached");
		return 0;
	}
	attach_record_del(req->state_dir, a);
	attach_policy_release(req->state_dir, a->network, a->bridge, req->host_netns_fd);
out_bridge:
	if (created && bridge_del(nl, a->bridge) == 0) {
		firewalld_forget(req->host_netns_fd, a->bridge);
		return ret;
	}
	/* A bridge that stays is as it was. */
	if (promisc)
		nl_link_set_flag(nl, a->bridge, IFF_PROMISC, 0);
	if (!created)
		attach_gateways_undo(req, nl, &br, gw, n_gw, added);
	return ret;
}

/*
 * The container's namespace cannot be the host side's (ours, or -n's): the
 * veth would have both ends there, and the container's address and default
 * route would land on the host. CNI refuses its own namespace up front; this
 * refuses it for the command line and the OCI hook too (a pid of the host's).
 */
static int attach_netns_check(const struct attach_req *req)
{
	int self = -1, same;

	if (req->netns_fd < 0)
		return 0;
	if (req->host_netns_fd < 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return log_err(-errno, "open /proc/self/ns/net");
	}
	same = netns_same(req->netns_fd, self >= 0 ? self : req->host_netns_fd);
	if (self >= 0)
		close(self);
	if (same < 0)
		return log_err(same, "compare %s with the host side's namespace",
			       req->a.netns);
	if (same)
		return log_errx(-EINVAL,
				"%s is the host side's network namespace, not a "
				"container's",
				req->a.netns);
	return 0;
}

/**
 * attach_exists() - refuse an attachment that exists already
 * @state_dir:	where records live
 * @a:		its network, id and ifname
 *
 * Return: 0 when it has no record, -EEXIST (logged) when it has one, or the
 * error of reading a record that is damaged or planted (not ours to write
 * over).
 */
int attach_exists(const char *state_dir, const struct attachment *a)
{
	struct attachment old;
	int ret;

	ret = attach_record_read(state_dir, a->network, a->id, a->ifname, &old);
	if (ret == 0)
		return log_errx(-EEXIST,
				"container %s has %s in network %s already (bridge %s, "
				"veth %s); delete it first",
				a->id, a->ifname, a->network, old.bridge, old.host_veth);
	return ret == -ENOENT ? 0 : ret;
}

/**
 * attach_add() - attach a namespace to a bridge
 * @req:	what to make; @req->a is completed with what was made. The
 *		addresses come from plumb's IPAM (@req->sets), or are given in
 *		@req->a.ip when @req->n_sets is 0
 *
 * Return: 0, -EEXIST (logged) when the attachment exists already, -EINVAL
 * (logged) when the container's namespace is the host side's, or another
 * negative errno (logged); on failure nothing is left of this call's work
 * but what is the host's rather than the attachment's: the host's key
 * (lib/state_key.c), made once, and the rules that let plumb's bridges
 * through other firewalls, made once for all of them (attach_foreign_admit()).
 */
int attach_add(struct attach_req *req)
{
	struct attachment *a = &req->a;
	uint8_t key[STATE_KEY_LEN];
	struct nl_sock nl;
	int ret;

	ret = attach_netns_check(req);
	if (ret < 0)
		return ret;
	ret = attach_exists(req->state_dir, a);
	if (ret < 0)
		return ret;
	/* A key planted or damaged is refused before anything is done. */
	ret = state_key_get(req->state_dir, 0, key);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (!req->has_mac)
		nl_link_mac_random(a->mac);

	ret = nl_open_netns(&nl, NETLINK_ROUTE, req->host_netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	if (req->n_sets) {
		ret = attach_bridge_check(req, &nl);
		if (ret == 0)
			ret = attach_ipam_claim(req);
	}
	if (ret == 0) {
		ret = attach_wire(req, &nl);
		if (ret < 0 && req->n_sets)
			attach_ipam_release(a);
	}
	nl_close(&nl);
	return ret;
}
