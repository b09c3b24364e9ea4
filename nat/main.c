// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat: masquerade and published ports in one nftables table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <plumb/bridge.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/policy.h>
#include <plumb/state.h>

#include "nat.h"

/* CAP_SYS_ADMIN serves only to enter the namespace of -n. */
#define NET CAPS(CAP_NET_ADMIN)
#define NET_KEEP CAPS(CAP_SYS_ADMIN)

static const struct cmd cmds[] = {
	{
		.name = "masq",
		.fn = cmd_masq,
		.args = "add|del SUBNET [--id OWNER] [--no-masquerade-to CIDR]...",
		.help = "masquerade traffic leaving a container subnet, or stop",
		.need = NET,
		.keep = NET_KEEP,
		.options =
			"  --id OWNER     who masquerades (" NAT_OWNER_DEFAULT ")\n"
			"  --no-masquerade-to CIDR\n"
			"                 never masquerade traffic to CIDR (a cluster's "
			"pod or\n"
			"                 service CIDR); repeatable; add replaces the "
			"subnet's list\n",
	},
	{
		.name = "publish",
		.fn = cmd_publish,
		.args = "[HOSTIP:]PORT[-END][/tcp|udp|sctp] ADDR:PORT[-END] "
			"[--id OWNER] [--localhost]",
		.help = "publish host ports to a container",
		.need = NET,
		.keep = NET_KEEP,
		.options = "  --id OWNER     who publishes (" NAT_OWNER_DEFAULT
			   "); kept in "
			   "each element's comment\n"
			   "  --localhost    also through 127.0.0.1 (sets route_localnet "
			   "on the container's bridge only, with a guard)\n",
	},
	{
		.name = "unpublish",
		.fn = cmd_unpublish,
		.args = "[HOSTIP:]PORT[-END][/PROTO] [ADDR:PORT] [--id OWNER] | --id OWNER",
		.help = "stop publishing ports; with --id alone, all the owner holds",
		.need = NET,
		.keep = NET_KEEP,
	},
	{
		.name = "oci-hook",
		.fn = cmd_oci_hook,
		.args = "create|delete [--masquerade] [--no-masquerade-to CIDR]... "
			"[--publish SPEC]... [--network N] [--ifname IF] [--localhost] "
			"[--policy FILE]",
		.help = "OCI runtime hook: ports and masquerade for the container whose "
			"state is on stdin",
		.need = NET,
		.keep = NET_KEEP,
		.options =
			"  --publish [HOSTIP:]HOSTPORT[-END]:PORT[-END][/PROTO]\n"
			"                 publish to the container (as docker -p)\n"
			"  --masquerade   masquerade its subnet (owned by the network)\n"
			"  --no-masquerade-to CIDR\n"
			"                 but not to CIDR (repeatable; the network's peers)\n"
			"  --network N    its network (" BRIDGE_DEFAULT ")\n"
			"  --ifname IF    its interface (eth0)\n"
			"  --localhost    published ports also on 127.0.0.1\n"
			"  --policy FILE  what annotations may choose (" POLICY_PATH ")\n"
			"annotations plumb.network, plumb.publish (comma-separated) and\n"
			"plumb.masquerade (true|false) win over the options, within the "
			"policy\n",
	},
	{
		.name = "list",
		.fn = cmd_list,
		.args = "[-s]",
		.help = "masqueraded subnets and published ports, with owners",
		.need = NET,
		.keep = NET_KEEP,
		.options = "  -s, --stats    the connections each element counted: "
			   "DNATed to a port,\n"
			   "                 or leaving a subnet through the host\n",
	},
	{
		.name = "flush",
		.fn = cmd_flush,
		.args = "",
		.help = "delete plumb's table and rules; adopted bridges as they were",
		.need = NET,
		.keep = NET_KEEP,
	},
	{
		.name = "reconcile",
		.fn = cmd_reconcile,
		.args = "",
		.help = "rebuild the table from plumb's records (after nft flush ruleset)",
		.need = NET,
		.keep = NET_KEEP,
	},
};

static const struct cmd_tool tool = {
	.name = "plumb-nat",
	.summary = "masquerade and published ports in one nftables table",
	.cmds = cmds,
	.n_cmds = sizeof(cmds) / sizeof(cmds[0]),
	.has_netns = 1,
};

/**
 * verb_begin() - open the NAT of the namespace -n names (or ours); the
 * records of another namespace's table live in STATE_DIR/netns/<its inode>
 * @ctx:	the options before the verb
 * @nat:	the handle
 *
 * Return: 0 or negative errno (logged).
 */
int verb_begin(const struct cmd_ctx *ctx, struct nat *nat)
{
	int fd = -1, ret;

	if (ctx->netns) {
		char missing[64];

		if (caps_missing(CAPS(CAP_SYS_ADMIN), missing, sizeof(missing)) > 0)
			return log_errx(-EPERM, "-n needs %s, which this process does not "
					"have; run it as root", missing);
		fd = netns_open(ctx->netns);
		if (fd < 0)
			return fd;
	}
	ret = nat_open_netns(nat, fd);
	if (ret < 0 && fd >= 0)
		close(fd);
	return ret;
}

/**
 * verb_end() - close what verb_begin() opened
 * @nat:	the handle
 */
void verb_end(struct nat *nat)
{
	nat_close(nat);
	if (nat->netns_fd >= 0)
		close(nat->netns_fd);
}

int main(int argc, char **argv)
{
	if (getenv("CNI_COMMAND"))
		return nat_cni_main();
	return cmd_main(&tool, argc, argv);
}
