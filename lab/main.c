// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-lab: whole topologies from one YAML file, made in one process. */
#include "down.h"
#include "verbs.h"

#define NET_NS CAPS(CAP_NET_ADMIN, CAP_SYS_ADMIN)

static const struct cmd cmds[] = {
	{
		.name = "up",
		.fn = cmd_up,
		.args = "FILE",
		.help = "make the lab of FILE, or repair it: what is missing is made, "
			"what drifted is put back",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE), /* to see who is in a namespace */
	},
	{
		.name = "down",
		.fn = cmd_down,
		.args = "FILE|NAME",
		.help = "remove everything the lab made (twice is fine)",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "check",
		.fn = cmd_check,
		.args = "FILE",
		.help = "compare the lab with the kernel; exit 1 and list what differs",
		.need = NET_NS,
	},
	{
		.name = "show",
		.fn = cmd_show,
		.args = "[NAME] [-j]",
		.help = "nodes, interfaces, addresses, links, bridges, routes and "
			"published ports of a lab (of every lab without NAME)",
		.keep = NET_NS,
	},
	{
		.name = "graph",
		.fn = cmd_graph,
		.args = "NAME",
		.help = "the lab in Graphviz's dot language",
	},
	{
		.name = "exec",
		.fn = cmd_exec,
		.args = "NAME NODE|--all [--] CMD [ARGS...]",
		.help = "run a command in a node's namespace, or in every node's",
		.need = CAPS(CAP_SYS_ADMIN),
		.passthrough = 1,
	},
	{
		.name = "list",
		.fn = cmd_list,
		.args = "[-j]",
		.help = "the labs that are up",
	},
};

static const struct cmd_tool tool = {
	.name = "plumb-lab",
	.summary = "whole network topologies from one YAML file",
	.cmds = cmds,
	.n_cmds = sizeof(cmds) / sizeof(cmds[0]),
};

int main(int argc, char **argv)
{
	return cmd_main(&tool, argc, argv);
}

/* The verbs that take only a file or a name. */

int cmd_up(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	return lab_up(argv[1]) < 0 ? CMD_FAILED : CMD_OK;
}

int cmd_down(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	return lab_down(argv[1]) < 0 ? CMD_FAILED : CMD_OK;
}

int cmd_check(struct cmd_ctx *ctx, int argc, char **argv)
{
	int ret;

	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = lab_check(argv[1]);
	return ret < 0 ? CMD_FAILED : ret;
}
