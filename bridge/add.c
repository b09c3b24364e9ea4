// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge add: a bridge with its gateway, and a namespace wired to it. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <plumb/foreign.h>
#include <plumb/addr.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/state.h>

#include "bridge.h"

/* Through the foreign firewalls that filter forwarding (lib/foreign.c). */
static int add_bridge_admit(const struct attach_req *req, const struct inet_prefix *gw)
{
	struct inet_prefix subnets[BRIDGE_ADDRS_MAX];
	struct foreign_net net = { .network = req->a.network, .bridge = req->a.bridge,
				   .n_subnets = req->n_sets, .subnets = subnets };
	size_t i;

	for (i = 0; i < req->n_sets; i++) {
		subnets[i] = gw[i];
		inet_prefix_mask(&subnets[i]);
	}
	return foreign_admit(req->host_netns_fd, &net, 1);
}

/* "add" without NETNS: the bridge alone, with its gateways. */
static int add_bridge_only(struct add_opts *o, int json)
{
	struct attach_req *req = &o->req;
	struct inet_prefix gw[BRIDGE_ADDRS_MAX];
	char buf[INET_PREFIX_STRLEN];
	struct nl_link br;
	struct nl_sock nl;
	json_t *j;
	size_t i;
	int ret;

	for (i = 0; i < req->n_sets; i++)
		gw[i] = (struct inet_prefix){ .addr = req->sets[i].range[0].gateway,
					      .len = req->sets[i].range[0].subnet.len };
	ret = nl_open_netns(&nl, NETLINK_ROUTE, req->host_netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = bridge_ensure(&nl, req->host_netns_fd, req->a.bridge, gw, req->n_sets,
			    req->foreign_bridge ? BRIDGE_FOREIGN_OK : 0, &br, NULL);
	nl_close(&nl);
	if (ret >= 0)
		ret = add_bridge_admit(req, gw);
	if (ret >= 0)
		ret = attach_policy_apply(req);
	if (ret < 0)
		return ret;
	j = json_pack("{s:s, s:[]}", "bridge", req->a.bridge, "gateways");
	for (i = 0; j && i < req->n_sets; i++)
		json_array_append_new(
			json_object_get(j, "gateways"),
			json_string(inet_prefix_str(&gw[i], buf, sizeof(buf))));
	if (json && j) {
		json_write(stdout, j);
	} else {
		printf("%s", req->a.bridge);
		for (i = 0; i < req->n_sets; i++)
			printf(" %s", inet_prefix_str(&gw[i], buf, sizeof(buf)));
		printf("\n");
	}
	json_decref(j);
	return 0;
}

/**
 * add_masquerade() - --masquerade and --no-masquerade-to, for each subnet
 * @o:		the options, finished
 *
 * The network owns both, as a CNI network owns its ipMasq: they stay when
 * its containers go ("plumb-nat masq del SUBNET" ends them). The spared
 * destinations come first, so that the masquerade never runs without them.
 *
 * Return: 0 or negative errno (logged).
 */
int add_masquerade(const struct add_opts *o)
{
	const struct attach_req *req = &o->req;
	struct inet_prefix subnets[BRIDGE_ADDRS_MAX];
	char owner[NFT_OWNER_MAX + 1];
	struct nat nat = { 0 };
	size_t i;
	int ret;

	if (!o->masquerade && !o->has_no_masq)
		return 0;
	nat_owner_network(req->a.network, owner);
	for (i = 0; i < req->n_sets; i++)
		subnets[i] = req->sets[i].range[0].subnet;
	/* With -n, that namespace's table and records, as plumb-nat -n has them. */
	ret = nat_open_netns(&nat, req->host_netns_fd);
	if (ret == 0)
		ret = nat_masq_add_each(&nat, subnets, req->n_sets, o->masquerade,
					o->has_no_masq ? o->no_masq : NULL, o->n_no_masq,
					owner);
	nat_close(&nat);
	return ret;
}

/**
 * struct add_served - the subnet of each family a bridge serves
 * @family:	the family looked for
 * @p:		its first global address there, family 0 when none
 */
struct add_served {
	int family;
	struct inet_prefix p;
};

static int add_served_one(const struct inet_prefix *p, void *arg)
{
	struct add_served *s = arg;

	/* fe80::/10 is the kernel's own, on every interface. */
	if (s->p.addr.family || p->addr.family != s->family ||
	    (p->addr.family == AF_INET6 && p->addr.b[0] == 0xfe &&
	     (p->addr.b[1] & 0xc0) == 0x80))
		return 0;
	s->p = *p;
	return 0;
}

/* Refuse @want, a --subnet other than the one the bridge serves (@s). */
static int add_served_check(const char *bridge, const struct add_served *s,
			    const char *want)
{
	char have[INET_PREFIX_STRLEN];
	struct inet_prefix w, sub = s->p;

	inet_prefix_mask(&sub);
	if (!want || inet_subnet_parse(want, &w) < 0 ||
	    (w.len == sub.len && inet_addr_eq(&w.addr, &sub.addr)))
		return 0;
	return log_errx(-EEXIST, "bridge %s serves %s: give another --bridge for %s",
			bridge, inet_prefix_str(&sub, have, sizeof(have)), want);
}

/*
 * A bridge plumb made serves one subnet of each family: another --subnet
 * would put a second gateway on it, which would stay after del. Without
 * --subnet, it serves its own, through its own gateway.
 */
static int add_bridge_served(struct add_opts *o, char subnet[INET_PREFIX_STRLEN],
			     char gateway[INET_ADDR_STRLEN])
{
	struct add_served v4 = { .family = AF_INET }, v6 = { .family = AF_INET6 };
	struct nl_link br;
	struct nl_sock nl;
	int marked, ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, o->req.host_netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = nl_link_get(&nl, o->bridge, &br);
	marked = ret == 0 && bridge_marked(&nl, &br);
	if (ret == 0)
		ret = nl_addr_for_each(&nl, AF_INET, br.index, add_served_one, &v4);
	if (ret == 0)
		ret = nl_addr_for_each(&nl, AF_INET6, br.index, add_served_one, &v6);
	if (ret < 0 && ret != -ENODEV)
		nl_err(&nl, ret, "look up bridge %s", o->bridge);
	nl_close(&nl);
	/* Only a bridge plumb made: another is used as its --subnet says. */
	if (ret < 0 || !marked)
		return ret == -ENODEV ? 0 : ret;
	if (v4.p.addr.family && !o->subnet && !o->gateway) {
		inet_addr_str(&v4.p.addr, gateway, INET_ADDR_STRLEN);
		inet_prefix_mask(&v4.p);
		o->subnet = inet_prefix_str(&v4.p, subnet, INET_PREFIX_STRLEN);
		o->gateway = gateway;
		return 0;
	}
	ret = v4.p.addr.family ? add_served_check(o->bridge, &v4, o->subnet) : 0;
	if (ret == 0 && v6.p.addr.family)
		ret = add_served_check(o->bridge, &v6, o->subnet6);
	return ret;
}

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	char subnet[INET_PREFIX_STRLEN], gateway[INET_ADDR_STRLEN];
	struct add_opts o;
	struct attach_req *req = &o.req;
	int ret;

	add_opts_init(&o);
	ret = add_opts_parse(&o, argc, argv);
	if (ret == -E2BIG)
		return cmd_usage(argv[0], CMD_USAGE);
	if (ret < 0 || opt_netns_req(ctx, req) < 0 ||
	    add_bridge_served(&o, subnet, gateway) < 0 || add_opts_finish(&o) < 0) {
		if (req->host_netns_fd >= 0)
			close(req->host_netns_fd);
		return CMD_FAILED;
	}

	if (!o.netns) {
		ret = add_masquerade(&o);
		if (ret == 0)
			ret = add_bridge_only(&o, ctx->json);
	} else {
		req->netns_fd = netns_open(o.netns);
		ret = req->netns_fd < 0 ? req->netns_fd : attach_add(req);
		if (ret == 0) {
			ret = add_masquerade(&o);
			if (ret < 0) /* all or nothing */
				attach_del(STATE_DIR, &req->a, req->host_netns_fd);
		}
		if (ret == 0)
			attachment_print(&req->a, ctx->json);
	}
	if (req->netns_fd >= 0)
		close(req->netns_fd);
	if (req->host_netns_fd >= 0)
		close(req->host_netns_fd);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
