// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-netns attach: name the network namespace of a running process. */
#include <plumb/log.h>
#include <plumb/netns.h>

#include "netns.h"

int cmd_attach(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned long pid;

	(void)ctx;
	if (argc != 3)
		return cmd_usage(argv[0], CMD_USAGE);
	if (cmd_parse_uint("process id", argv[2], 1, 4194304, &pid) < 0)
		return CMD_USAGE;
	return netns_attach(argv[1], (pid_t)pid) < 0 ? CMD_FAILED : CMD_OK;
}
