// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-netns: create, name, list, enter and delete network namespaces. */
#include <stdlib.h>

#include "netns.h"

static const struct cmd cmds[] = {
	{
		.name = "add",
		.fn = cmd_add,
		.args = "NAME",
		.help = "create a named network namespace with its loopback up",
		.need = CAPS(CAP_SYS_ADMIN, CAP_NET_ADMIN),
	},
	{
		.name = "del",
		.fn = cmd_del,
		.args = "NAME...",
		.help = "delete named network namespaces",
		.need = CAPS(CAP_SYS_ADMIN),
	},
	{
		.name = "list",
		.fn = cmd_list,
		.args = "",
		.help = "list named network namespaces (-j: with inode, id, processes)",
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "show",
		.fn = cmd_list,
		.args = "",
		.help = "the same as list",
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "exec",
		.fn = cmd_exec,
		.args = "NAME [--] CMD [ARGS...]",
		.help = "run a command inside a named network namespace",
		.need = CAPS(CAP_SYS_ADMIN),
		.passthrough = 1,
	},
	{
		.name = "attach",
		.fn = cmd_attach,
		.args = "NAME PID",
		.help = "give the network namespace of a running process a name",
		.need = CAPS(CAP_SYS_ADMIN),
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "oci-hook",
		.fn = cmd_oci_hook,
		.args = "create|delete [--name NAME]",
		.help = "OCI runtime hook: lo up in the container's namespace, and name "
			"it (annotation plumb.netns-name)",
		.need = CAPS(CAP_SYS_ADMIN, CAP_NET_ADMIN),
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "path",
		.fn = cmd_path,
		.args = "NAME|PID",
		.help = "print the file of a named namespace or of a process's one",
		.keep = CAPS(CAP_SYS_PTRACE),
	},
};

static const struct cmd_tool tool = {
	.name = "plumb-netns",
	.summary = "create, name, list, enter and delete network namespaces",
	.cmds = cmds,
	.n_cmds = sizeof(cmds) / sizeof(cmds[0]),
};

int main(int argc, char **argv)
{
	if (getenv("CNI_COMMAND"))
		return netns_cni_main();
	return cmd_main(&tool, argc, argv);
}
