/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plumb-bridge: the verbs, and the options they share. */
#ifndef PLUMB_BRIDGE_TOOL_H
#define PLUMB_BRIDGE_TOOL_H

#include <plumb/attach.h>
#include <plumb/cmd.h>
#include <plumb/nat.h>

#define DEFAULT_SUBNET "10.88.0.0/16"

/**
 * struct add_opts - what "add" (and the OCI hook) was asked
 * @req:	the request for the core
 * @netns:	the NETNS argument, or NULL for the bridge alone
 * @bridge:	--bridge
 * @bridge_given: --bridge was given (else @bridge is the default)
 * @ifname:	--ifname
 * @subnet:	--subnet, or NULL
 * @subnet6:	--subnet6, or NULL
 * @gateway:	--gateway, or NULL
 * @gateway6:	--gateway6, or NULL
 * @ip:		--ip, or NULL (auto)
 * @ip6:	--ip6, or NULL (auto)
 * @masquerade:	--masquerade
 * @has_no_masq: --no-masquerade-to was given
 * @no_masq:	its destinations
 * @n_no_masq:	how many
 * @policy:	--isolate, --direct-access and their --no- forms, over the
 *		front end's defaults
 * @policy_set:	the policy is asked for (given, or a front end's default)
 */
struct add_opts {
	struct attach_req req;
	const char *netns;
	const char *bridge;
	int bridge_given;
	const char *ifname;
	const char *subnet;
	const char *subnet6;
	const char *gateway;
	const char *gateway6;
	const char *ip;
	const char *ip6;
	int masquerade;
	int has_no_masq;
	struct inet_prefix no_masq[NAT_NOMASQ_MAX];
	size_t n_no_masq;
	struct nat_net policy;
	int policy_set;
};

extern const char add_options_help[];

void add_opts_init(struct add_opts *o);
int add_opts_parse(struct add_opts *o, int argc, char **argv);
int add_opts_finish(struct add_opts *o);
int add_masquerade(const struct add_opts *o);
int opt_netns_open(const struct cmd_ctx *ctx, int *fd);
int opt_netns_req(const struct cmd_ctx *ctx, struct attach_req *req);
int opt_default_id(const char *spec, char *id, size_t size);
int opt_network_of(const char *id, const char *ifname, char *network, size_t size,
		   int any);
void attachment_print(const struct attachment *a, int json);

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_del(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_check(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_link(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_unlink(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_route(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_del_bridge(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv);
int bridge_cni_main(const char *argv0);

#endif
