// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge check: compare an attachment with the kernel, name each difference. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/addr.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/netns.h>
#include <plumb/route.h>
#include <plumb/state.h>

#include "bridge.h"

static const struct option check_options[] = {
	{ "ifname", required_argument, NULL, 'f' },
	{ "network", required_argument, NULL, 'w' },
	{ 0 },
};

int cmd_check(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *ifname = "eth0", *network = NULL;
	char found[ATTACH_ID_MAX + 1];
	struct attachment a;
	json_t *diffs;
	size_t i;
	int c, fd, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", check_options, NULL)) != -1) {
		if (c == 'f')
			ifname = optarg;
		else if (c == 'w')
			network = optarg;
		else
			return cmd_usage(argv[0], CMD_USAGE);
	}
	if (optind + 1 != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	/* Made on any bridge: its record says which. */
	if (!network &&
	    (name_check("container id", argv[optind]) < 0 ||
	     opt_network_of(argv[optind], ifname, found, sizeof(found), 0) < 0))
		return CMD_FAILED;
	if (!network)
		network = found;
	if (attach_key_check(network, argv[optind], ifname) < 0)
		return CMD_FAILED;
	ret = attach_record_read(STATE_DIR, network, argv[optind], ifname, &a);
	if (ret == -ENOENT)
		log_errx(ret, "no attachment %s/%s/%s", network, argv[optind], ifname);
	if (ret < 0 || opt_netns_open(ctx, &fd) < 0)
		return CMD_FAILED;
	diffs = json_array();
	if (!diffs)
		return CMD_FAILED;
	attach_check(&a, fd, diffs);
	if (fd >= 0)
		close(fd);
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:O}", "network", a.network, "id",
				      a.id, "ifname", a.ifname, "differences", diffs);

		if (j)
			json_write(stdout, j);
		json_decref(j);
	} else {
		for (i = 0; i < json_array_size(diffs); i++)
			printf("%s\n", json_string_value(json_array_get(diffs, i)));
	}
	ret = json_array_size(diffs) ? CMD_FAILED : CMD_OK;
	json_decref(diffs);
	return ret;
}
