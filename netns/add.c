// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-netns add: a named network namespace with its loopback up. */
#include <unistd.h>

#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/netns.h>

#include "netns.h"

static int loopback_up(int fd, const char *name)
{
	struct nl_sock nl;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", name);
	ret = nl_link_set_up(&nl, "lo");
	nl_close(&nl);
	return ret;
}

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	int fd, ret;

	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	fd = netns_add(argv[1]);
	if (fd < 0)
		return CMD_FAILED;
	ret = loopback_up(fd, argv[1]);
	close(fd);
	if (ret < 0) {
		netns_del(argv[1]);
		return CMD_FAILED;
	}
	return CMD_OK;
}
