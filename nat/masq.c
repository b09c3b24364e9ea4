// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat masq: masquerade a container subnet, or stop. */
#include <getopt.h>
#include <string.h>

#include <plumb/log.h>

#include "nat.h"

static const struct option id_options[] = {
	{ "id", required_argument, NULL, 'i' },
	{ 0 },
};

int cmd_masq(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *owner = NULL;
	struct inet_prefix subnet;
	struct nat nat;
	int c, add, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", id_options, NULL)) != -1) {
		if (c != 'i')
			return cmd_usage(argv[0], CMD_USAGE);
		owner = optarg;
	}
	if (optind + 2 != argc ||
	    (strcmp(argv[optind], "add") && strcmp(argv[optind], "del")))
		return cmd_usage(argv[0], CMD_USAGE);
	add = !strcmp(argv[optind], "add");
	if (inet_subnet_parse(argv[optind + 1], &subnet) < 0 ||
	    (owner && nat_owner_check(owner) < 0))
		return CMD_FAILED;
	if (nat_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	if (add)
		ret = nat_masq_add(&nat, &subnet, owner ? owner : NAT_OWNER_DEFAULT);
	else
		ret = nat_masq_del(&nat, &subnet, owner);
	nat_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
