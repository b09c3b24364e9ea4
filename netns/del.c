// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-netns del: delete named network namespaces. */
#include <plumb/netns.h>

#include "netns.h"

int cmd_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	int i, status = CMD_OK;

	(void)ctx;
	if (argc < 2)
		return cmd_usage(argv[0], CMD_USAGE);
	/* Like "ip netns del": try every name, fail if any failed. */
	for (i = 1; i < argc; i++) {
		if (netns_del(argv[i]) < 0)
			status = CMD_FAILED;
	}
	return status;
}
