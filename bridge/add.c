// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge add: a bridge with its gateway, and a namespace wired to it. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <plumb/foreign.h>
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
			    req->foreign_bridge ? BRIDGE_FOREIGN_OK : 0, &br);
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
	char state_dir[NAT_STATE_DIR_MAX], owner[NFT_OWNER_MAX + 1];
	struct nat nat = { 0 };
	size_t i;
	int ret;

	if (!o->masquerade && !o->has_no_masq)
		return 0;
	nat_owner_network(req->a.network, owner);
	for (i = 0; i < req->n_sets; i++)
		subnets[i] = req->sets[i].range[0].subnet;
	/* With -n, that namespace's table and records, as plumb-nat -n has them. */
	ret = nat_state_dir(req->host_netns_fd, state_dir, sizeof(state_dir));
	if (ret == 0)
		ret = nat_open(&nat, req->host_netns_fd, state_dir);
	if (ret == 0)
		ret = nat_masq_add_each(&nat, subnets, req->n_sets, o->masquerade,
					o->has_no_masq ? o->no_masq : NULL, o->n_no_masq,
					owner);
	nat_close(&nat);
	return ret;
}

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct add_opts o;
	struct attach_req *req = &o.req;
	int ret;

	add_opts_init(&o);
	ret = add_opts_parse(&o, argc, argv);
	if (ret == -E2BIG)
		return cmd_usage(argv[0], CMD_USAGE);
	if (ret < 0 || add_opts_finish(&o) < 0)
		return CMD_FAILED;
	if (opt_netns_req(ctx, req) < 0)
		return CMD_FAILED;

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
