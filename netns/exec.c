// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-netns exec: run a command inside a named network namespace, as
 * "ip netns exec" does: the command is found on PATH and exec'd directly,
 * never through a shell.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plumb/exec.h>
#include <plumb/log.h>
#include <plumb/netns.h>

#include "netns.h"

int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char path[PATH_MAX];
	char **cmd = argv + 2;
	int ret;

	(void)ctx;
	if (argc >= 3 && !strcmp(argv[2], "--"))
		cmd++;
	if (argc < 3 || !*cmd)
		return cmd_usage(argv[0], CMD_USAGE);
	if (netns_name_check(argv[1]) < 0)
		return CMD_USAGE;

	ret = exec_find(cmd[0], getenv("PATH"), path, sizeof(path));
	if (ret < 0) {
		log_err(ret, "run %s", cmd[0]);
		return ret == -ENOENT ? 127 : 126; /* as shells do */
	}
	if (netns_enter(argv[1]) < 0)
		return CMD_FAILED;
	execv(path, cmd);
	log_err(-errno, "run %s", path);
	return 126;
}
