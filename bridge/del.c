// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge del: undo an attachment (veth, lease, record); idempotent. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/state.h>

#include "bridge.h"

static const struct option del_options[] = {
	{ "id", required_argument, NULL, 'i' },
	{ "ifname", required_argument, NULL, 'f' },
	{ "bridge", required_argument, NULL, 'b' },
	{ "network", required_argument, NULL, 'w' },
	{ "data-dir", required_argument, NULL, 'd' },
	{ 0 },
};

int cmd_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *id = NULL, *ifname = "eth0", *bridge = NULL;
	const char *network = NULL, *data_dir = ATTACH_IPAM_DIR, *netns = NULL;
	char netns_id[ATTACH_ID_MAX + 1] = "", found[ATTACH_ID_MAX + 1];
	struct attachment a = { 0 };
	int c, fd, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", del_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			id = optarg;
			break;
		case 'f':
			ifname = optarg;
			break;
		case 'b':
			bridge = optarg;
			break;
		case 'w':
			network = optarg;
			break;
		case 'd':
			data_dir = optarg;
			break;
		default:
			return cmd_usage(argv[0], CMD_USAGE);
		}
	}
	if (optind < argc)
		netns = argv[optind++];
	if (optind != argc || (!netns == !id))
		return cmd_usage(argv[0], CMD_USAGE);

	if (netns && opt_default_id(netns, netns_id, sizeof(netns_id)) < 0)
		return CMD_FAILED;
	if (netns)
		id = netns_id;
	if (!network)
		network = bridge;
	/* Made on any bridge: its record says which. */
	if (!network && (name_check("container id", id) < 0 ||
			 opt_network_of(id, ifname, found, sizeof(found), 1) < 0))
		return CMD_FAILED;
	if (!network)
		network = found;
	if (attach_key_set(&a, network, id, ifname) < 0)
		return CMD_FAILED;
	snprintf(a.data_dir, sizeof(a.data_dir), "%s", data_dir);
	if (opt_netns_open(ctx, &fd) < 0)
		return CMD_FAILED;
	ret = attach_del(STATE_DIR, &a, fd);
	if (fd >= 0)
		close(fd);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
