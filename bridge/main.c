// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge: a host bridge, veth pairs into namespaces, addresses, routes. */
#include <stdlib.h>

#include <plumb/policy.h>

#include "bridge.h"

#define NET_NS CAPS(CAP_NET_ADMIN, CAP_SYS_ADMIN)

static const struct cmd cmds[] = {
	{
		.name = "add",
		.fn = cmd_add,
		.args = "[NETNS] [OPTIONS]",
		.help = "wire NETNS (a name, a path or pid:PID) to a bridge; "
			"without NETNS, make the bridge",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
		.options = add_options_help,
	},
	{
		.name = "del",
		.fn = cmd_del,
		.args = "NETNS|--id ID [--ifname IF] [--bridge B] [--network N] [--data-dir D]",
		.help = "undo an attachment: veth, lease, record (twice is fine)",
		.need = NET_NS,
	},
	{
		.name = "list",
		.fn = cmd_list,
		.args = "",
		.help = "list attachments (-j: as JSON)",
	},
	{
		.name = "check",
		.fn = cmd_check,
		.args = "ID [--ifname IF] [--network N]",
		.help = "compare an attachment with the kernel, name each difference",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "link",
		.fn = cmd_link,
		.args = "NS1:IF1[=ADDR/LEN,...] NS2:IF2[=ADDR/LEN,...] [--mtu N] "
			"[--forward[=NS]]",
		.help = "a veth between two namespaces (\"host\" is this one; "
			"--forward: both route, --forward=NS: NS's end)",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "unlink",
		.fn = cmd_unlink,
		.args = "NS:IF",
		.help = "delete a veth made by link (both ends go)",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "route",
		.fn = cmd_route,
		.args = "add|del NETNS DEST|default via GW [dev IF]",
		.help = "add or delete a route inside a namespace",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
	},
	{
		.name = "oci-hook",
		.fn = cmd_oci_hook,
		.args = "create|delete [--policy FILE] [OPTIONS]",
		.help = "OCI runtime hook: the container's state on stdin; options of add, "
			"annotations plumb.* win within the policy (" POLICY_PATH ")",
		.need = NET_NS,
		.keep = CAPS(CAP_SYS_PTRACE),
		.options = add_options_help,
	},
	{
		.name = "del-bridge",
		.fn = cmd_del_bridge,
		.args = "NAME",
		.help = "delete an empty bridge that plumb created",
		.need = NET_NS,
	},
};

static const struct cmd_tool tool = {
	.name = "plumb-bridge",
	.summary = "wire network namespaces to a host bridge with veth pairs",
	.cmds = cmds,
	.n_cmds = sizeof(cmds) / sizeof(cmds[0]),
	.has_netns = 1,
};

int main(int argc, char **argv)
{
	if (getenv("CNI_COMMAND"))
		return bridge_cni_main(argv[0]);
	return cmd_main(&tool, argc, argv);
}
