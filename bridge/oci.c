// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge oci-hook create|delete [--policy FILE] [OPTIONS]: the OCI
 * runtime hook. The options are those of "add", and are the
 * administrator's: they declare the hook's own network (--network, --bridge,
 * --subnet, --subnet6). The container's annotations are its creator's, and
 * choose only within the administrator's policy (lib/policy.c, the file
 * --policy names or /etc/plumb/policy.json): plumb.network among the
 * declared networks, whose bridge and subnets it then takes; plumb.ip,
 * plumb.mac and plumb.mtu where that network allows them; plumb.subnet may
 * only repeat the network's. The attachment's id is the container id; its
 * namespace is that of the container's process.
 *
 * Teardown needs only the id and the network (plumb.network, or the hook's
 * own): the record knows the rest. Its annotations are not held against the
 * policy, so that teardown finishes even after the policy changed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/netns.h>
#include <plumb/oci.h>
#include <plumb/policy.h>
#include <plumb/state.h>

#include "bridge.h"

#define HOOK_ARGS_MAX 64

/*
 * The hook's own arguments, but for --policy FILE, which is the hook's alone:
 * into @args (room for HOOK_ARGS_MAX + 1). Return: their number, or -E2BIG.
 */
static int hook_args(int argc, char **argv, char **args, const char **policy)
{
	int i, n = 0;

	if (argc > HOOK_ARGS_MAX)
		return log_errx(-E2BIG, "too many hook arguments");
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--policy") && i + 1 < argc)
			*policy = argv[++i];
		else if (!strncmp(argv[i], "--policy=", 9))
			*policy = argv[i] + 9;
		else
			args[n++] = argv[i];
	}
	args[n] = NULL;
	return n;
}

/*
 * The network the annotations chose within the policy, and the choices it
 * lets them make, read and checked there (lib/policy_check.c). @net keeps
 * the strings @o points to.
 */
static int hook_policy(struct add_opts *o, const struct oci_state *s, const char *path,
		       struct policy_net *net)
{
	struct attachment *a = &o->req.a;
	struct policy_choice c;
	struct policy p;
	int ret;

	ret = policy_load(&p, path);
	if (ret == 0)
		ret = policy_hook_net(&p, *a->network ? a->network : o->bridge, o->bridge,
				      o->subnet ? o->subnet : DEFAULT_SUBNET, o->subnet6,
				      o->req.foreign_bridge);
	if (ret == 0)
		ret = policy_check(&p, s, net, &c);
	if (ret < 0) {
		policy_free(&p);
		return ret; /* @net is not filled in */
	}
	/* The network's forwarding policy, as its declaration says. */
	o->policy.isolate = policy_net_switch(net, "isolate", o->policy.isolate);
	o->policy.guard = !policy_net_switch(net, "directAccess", !o->policy.guard);
	net->conf = NULL; /* it lives in @p */
	policy_free(&p);
	if (strcmp(net->name, *a->network ? a->network : o->bridge) ||
	    strcmp(net->bridge, o->bridge) ||
	    strcmp(net->subnet_str[0], o->subnet ? o->subnet : DEFAULT_SUBNET))
		o->gateway = o->gateway6 = NULL; /* the hook's were for its own */
	snprintf(a->network, sizeof(a->network), "%s", net->name);
	o->bridge = net->bridge;
	o->subnet = net->subnet_str[0];
	o->subnet6 = *net->subnet_str[1] ? net->subnet_str[1] : NULL;
	o->req.foreign_bridge = net->foreign_bridge;
	if (c.ip)
		o->ip = c.ip; /* in o->subnet: checked */
	if (c.has_mac) {
		memcpy(a->mac, c.mac, sizeof(a->mac));
		o->req.has_mac = 1;
	}
	if (c.mtu) {
		a->mtu = c.mtu;
		o->req.mtu_from = "annotation plumb.mtu";
	}
	return 0;
}

/* The hook's own options, then what the annotations may choose. */
static int hook_opts(struct add_opts *o, const struct oci_state *s, enum oci_stage stage,
		     int argc, char **argv, struct policy_net *net)
{
	char *args[HOOK_ARGS_MAX + 1];
	const char *policy = NULL, *v;
	struct log_msg m;
	int n, ret;

	n = hook_args(argc, argv, args, &policy);
	if (n < 0)
		return n;
	/* Container hosts: isolated networks, no direct access (issue 16). */
	o->policy = (struct nat_net){ .made_by = "oci", .isolate = 1, .guard = 1 };
	o->policy_set = 1;
	ret = add_opts_parse(o, n, args);
	if (ret < 0)
		return ret;
	if (o->netns)
		return log_errx(-EINVAL,
				"oci-hook takes no NETNS: the container's is used");
	snprintf(o->req.a.id, sizeof(o->req.a.id), "%s", s->id);
	if (stage == OCI_CREATE)
		return hook_policy(o, s, policy, net);
	/* Teardown finds the attachment by its network, whatever the policy. */
	v = oci_annotation(s, "plumb.network");
	if (v && name_check_try("network name", v, &m) < 0)
		return oci_annotation_report("plumb.network", &m);
	if (v)
		snprintf(o->req.a.network, sizeof(o->req.a.network), "%s", v);
	return 0;
}

static int hook_create(struct add_opts *o, const struct oci_state *s)
{
	char spec[32];
	int ret;

	snprintf(spec, sizeof(spec), "pid:%d", (int)s->pid);
	o->netns = spec;
	if (add_opts_finish(o) < 0)
		return -EINVAL;
	o->req.netns_fd = netns_open(spec);
	if (o->req.netns_fd < 0)
		return o->req.netns_fd;
	ret = attach_add(&o->req);
	if (ret == 0) {
		ret = add_masquerade(o);
		if (ret < 0) /* all or nothing */
			attach_del(STATE_DIR, &o->req.a, o->req.host_netns_fd);
	}
	close(o->req.netns_fd);
	return ret;
}

static int hook_delete(struct add_opts *o)
{
	struct attachment *a = &o->req.a;
	char found[ATTACH_ID_MAX + 1];
	const char *network = *a->network ? a->network : NULL;

	if (nl_link_name_check(o->bridge) < 0)
		return -EINVAL;
	if (!network && o->bridge_given)
		network = o->bridge;
	/* Neither a network nor a bridge named: the record of create says. */
	if (!network && opt_network_of(a->id, o->ifname, found, sizeof(found), 1) < 0)
		return -EINVAL;
	if (attach_key_set(a, network ? network : found, a->id, o->ifname) < 0)
		return -EINVAL;
	return attach_del(STATE_DIR, a, o->req.host_netns_fd);
}

int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum oci_stage stage;
	struct policy_net net = { 0 };
	struct oci_state s;
	struct add_opts o;
	int ret;

	if (argc < 2)
		return cmd_usage(argv[0], CMD_USAGE);
	if (oci_stage_parse(argv[1], &stage) < 0)
		return CMD_USAGE;
	if (oci_state_read(STDIN_FILENO, stage, &s) < 0)
		return CMD_FAILED;
	add_opts_init(&o);
	ret = hook_opts(&o, &s, stage, argc - 1, argv + 1, &net);
	if (ret == 0)
		ret = opt_netns_req(ctx, &o.req);
	if (ret == 0)
		ret = stage == OCI_CREATE ? hook_create(&o, &s) : hook_delete(&o);
	if (o.req.host_netns_fd >= 0)
		close(o.req.host_netns_fd);
	oci_state_free(&s);
	return ret == -E2BIG ? cmd_usage(argv[0], CMD_USAGE) :
	       ret < 0	     ? CMD_FAILED :
			       CMD_OK;
}
