// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-netns path: the file behind a named namespace or a process's one. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/netns.h>

#include "netns.h"

int cmd_path(struct cmd_ctx *ctx, int argc, char **argv)
{
	char spec[32], path[PATH_MAX];
	const char *arg;
	unsigned long pid;
	int fd;

	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	arg = argv[1];
	/* A number is a process, as "ip netns identify" takes one. */
	if (arg[strspn(arg, "0123456789")] == '\0') {
		if (cmd_parse_uint("process id", arg, 1, 4194304, &pid) < 0)
			return CMD_USAGE;
		snprintf(spec, sizeof(spec), "pid:%lu", pid);
		arg = spec;
	}
	if (netns_spec_path(arg, path, sizeof(path)) < 0)
		return CMD_USAGE;
	fd = netns_open(arg);
	if (fd < 0)
		return CMD_FAILED;
	close(fd);
	printf("%s\n", path);
	return CMD_OK;
}
