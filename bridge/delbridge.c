// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge del-bridge: delete an empty bridge that plumb created. */
#include <limits.h>
#include <unistd.h>

#include <plumb/bridge.h>
#include <plumb/firewalld.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "bridge.h"

/* The bridge's forwarding policy goes with it (lib/nat_net.c). */
static int del_bridge_policy(int fd, const char *bridge)
{
	struct nat nat;
	int ret;

	ret = nat_open_netns(&nat, fd);
	if (ret == 0)
		ret = nat_net_del(&nat, bridge);
	nat_close(&nat);
	return ret;
}

int cmd_del_bridge(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nl_sock nl;
	int fd, ret;

	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	if (nl_link_name_check(argv[1]) < 0 || opt_netns_open(ctx, &fd) < 0)
		return CMD_FAILED;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		log_err(ret, "open rtnetlink socket");
		if (fd >= 0)
			close(fd);
		return CMD_FAILED;
	}
	ret = bridge_del(&nl, argv[1]);
	nl_close(&nl);
	/* What plumb added to firewalld for it, and its policy, go with it. */
	if (ret == 0)
		ret = firewalld_forget(fd, argv[1]);
	if (ret == 0)
		ret = del_bridge_policy(fd, argv[1]);
	if (fd >= 0)
		close(fd);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
