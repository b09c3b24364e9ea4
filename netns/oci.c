// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-netns oci-hook create|delete [--name NAME]: the OCI runtime hook.
 * At create it brings the loopback of the container's namespace up, and
 * names the namespace under /run/netns when asked (--name, or the
 * annotation plumb.netns-name, which wins) so that it can be inspected by
 * hand; at delete it removes that name.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/oci.h>

#include "netns.h"

static const struct option hook_options[] = {
	{ "name", required_argument, NULL, 'n' },
	{ 0 },
};

static int hook_create(const struct oci_state *s, const char *name)
{
	char spec[32];
	struct nl_sock nl;
	int fd, ret;

	snprintf(spec, sizeof(spec), "pid:%d", (int)s->pid);
	fd = netns_open(spec);
	if (fd < 0)
		return fd;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	close(fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in container %s", s->id);
	ret = nl_link_set_up(&nl, "lo");
	nl_close(&nl);
	if (ret == 0 && name)
		ret = netns_attach(name, s->pid);
	return ret;
}

static int hook_delete(const char *name)
{
	char path[PATH_MAX];

	if (!name)
		return 0;
	if (netns_spec_path(name, path, sizeof(path)) < 0)
		return -EINVAL;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0; /* deleted already: teardown twice is fine */
	return netns_del(name);
}

int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL, *v;
	enum oci_stage stage;
	struct oci_state s;
	int c, ret;

	(void)ctx;
	if (argc < 2 || oci_stage_parse(argv[1], &stage) < 0)
		return cmd_usage(argv[0], CMD_USAGE);
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", hook_options, NULL)) != -1) {
		if (c != 'n')
			return cmd_usage(argv[0], CMD_USAGE);
		name = optarg;
	}
	if (optind != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	if (oci_state_read(STDIN_FILENO, stage, &s) < 0)
		return CMD_FAILED;
	if ((v = oci_annotation(&s, "plumb.netns-name")))
		name = v;
	ret = name ? netns_name_check(name) : 0;
	if (ret == 0)
		ret = stage == OCI_CREATE ? hook_create(&s, name) : hook_delete(name);
	oci_state_free(&s);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
