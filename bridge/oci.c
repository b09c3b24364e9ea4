// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge oci-hook create|delete [OPTIONS]: the OCI runtime hook. The
 * options are those of "add"; the container's annotations win over them:
 * plumb.network (bridge and network), plumb.subnet, plumb.ip, plumb.mac,
 * plumb.mtu. The attachment's id is the container id; its namespace is that
 * of the container's process. Teardown needs only the id: the record knows
 * the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/oci.h>
#include <plumb/state.h>

#include "bridge.h"

static const struct {
	const char *annotation;
	const char *option;
} overrides[] = {
	{ "plumb.network", "--network" }, { "plumb.network", "--bridge" },
	{ "plumb.subnet", "--subnet" },	  { "plumb.ip", "--ip" },
	{ "plumb.mac", "--mac" },	  { "plumb.mtu", "--mtu" },
};

#define HOOK_ARGS_MAX 64

/* The hook's own options, then the annotations as options: the last wins. */
static int hook_opts(struct add_opts *o, const struct oci_state *s, int argc, char **argv)
{
	char *args[HOOK_ARGS_MAX + 2 * sizeof(overrides) / sizeof(overrides[0]) + 1];
	const char *v;
	size_t i;
	int n = 0, ret;

	if (argc > HOOK_ARGS_MAX)
		return log_errx(-E2BIG, "too many hook arguments");
	for (; n < argc; n++)
		args[n] = argv[n];
	for (i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		v = oci_annotation(s, overrides[i].annotation);
		if (!v)
			continue;
		args[n++] = (char *)overrides[i].option;
		args[n++] = (char *)v;
	}
	args[n] = NULL;
	ret = add_opts_parse(o, n, args);
	if (ret < 0)
		return ret;
	if (o->netns)
		return log_errx(-EINVAL,
				"oci-hook takes no NETNS: the container's is used");
	snprintf(o->req.a.id, sizeof(o->req.a.id), "%s", s->id);
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

	if (nl_link_name_check(o->bridge) < 0 ||
	    attach_key_set(a, *a->network ? a->network : o->bridge, a->id, o->ifname) < 0)
		return -EINVAL;
	return attach_del(STATE_DIR, a, o->req.host_netns_fd);
}

int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum oci_stage stage;
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
	ret = hook_opts(&o, &s, argc - 1, argv + 1);
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
