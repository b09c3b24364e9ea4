// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge route: add or delete a route inside a namespace. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/route.h>

#include "bridge.h"

/* DEST via GW [dev IFNAME] */
static int route_parse(char **argv, int argc, struct nl_route *r, const char **dev)
{
	*dev = NULL;
	memset(r, 0, sizeof(*r));
	if (argc != 3 && argc != 5)
		return -E2BIG;
	if (strcmp(argv[1], "via") || (argc == 5 && strcmp(argv[3], "dev")))
		return -E2BIG;
	if (argc == 5)
		*dev = argv[4];
	if (inet_addr_parse(argv[2], &r->gateway) < 0)
		return log_errx(-EINVAL, "invalid gateway \"%s\"", argv[2]);
	if (!strcmp(argv[0], "default")) {
		r->dst.addr.family = r->gateway.family;
		return 0;
	}
	if (inet_subnet_parse(argv[0], &r->dst) < 0)
		return -EINVAL;
	if (r->dst.addr.family != r->gateway.family)
		return log_errx(-EINVAL,
				"gateway %s and destination %s are of different "
				"families",
				argv[2], argv[0]);
	return 0;
}

int cmd_route(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nl_link link;
	struct nl_route r;
	struct nl_batch b;
	struct nl_sock nl;
	const char *dev;
	uint16_t type;
	int fd, ret;

	(void)ctx;
	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		return cmd_usage(argv[0], CMD_USAGE);
	type = strcmp(argv[1], "add") ? RTM_DELROUTE : RTM_NEWROUTE;
	ret = route_parse(argv + 3, argc - 3, &r, &dev);
	if (ret == -E2BIG)
		return cmd_usage(argv[0], CMD_USAGE);
	if (ret < 0 || (dev && nl_link_name_check(dev) < 0))
		return CMD_FAILED;
	fd = netns_open(argv[2]);
	if (fd < 0)
		return CMD_FAILED;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	close(fd);
	if (ret < 0) {
		log_err(ret, "open rtnetlink socket in %s", argv[2]);
		return CMD_FAILED;
	}
	if (dev) {
		ret = nl_link_get(&nl, dev, &link);
		if (ret < 0)
			nl_err(&nl, ret, "look up %s in %s", dev, argv[2]);
		r.oif = link.index;
	}
	if (ret == 0) {
		nl_batch_init(&b);
		nl_route_build(&nl, &b, type, &r);
		ret = nl_batch_talk(&nl, &b, NULL, NULL);
		if (ret == -EEXIST && type == RTM_NEWROUTE)
			log_errx(ret,
				 "add route %s via %s in %s: "
				 "%s has a route to %s already",
				 argv[3], argv[5], argv[2], argv[2], argv[3]);
		else if (ret == -ESRCH && type == RTM_DELROUTE)
			log_errx(ret, "del route %s via %s in %s: %s has no such route",
				 argv[3], argv[5], argv[2], argv[2]);
		else if (ret < 0)
			nl_err(&nl, ret, "%s route %s via %s in %s", argv[1], argv[3],
			       argv[5], argv[2]);
	}
	nl_close(&nl);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
