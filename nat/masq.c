// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat masq: masquerade a container subnet, or stop. */
#include <getopt.h>
#include <string.h>

#include <plumb/log.h>

#include "nat.h"

static const struct option masq_options[] = {
	{ "id", required_argument, NULL, 'i' },
	{ "no-masquerade-to", required_argument, NULL, 'n' },
	{ 0 },
};

int cmd_masq(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct inet_prefix subnet, to[NAT_NOMASQ_MAX];
	const char *owner = NULL, *bad = NULL;
	int c, add, has_to = 0, ret;
	struct nat nat;
	size_t n = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", masq_options, NULL)) != -1) {
		if (c == 'i') {
			owner = optarg;
		} else if (c == 'n') {
			has_to = 1;
			if (!bad && nat_nomasq_parse(optarg, to, &n) < 0)
				bad = optarg;
		} else {
			return cmd_usage(argv[0], CMD_USAGE);
		}
	}
	if (optind + 2 != argc ||
	    (strcmp(argv[optind], "add") && strcmp(argv[optind], "del")))
		return cmd_usage(argv[0], CMD_USAGE);
	add = !strcmp(argv[optind], "add");
	if (!add && has_to)
		return cmd_usage(argv[0], CMD_USAGE);
	if (bad || inet_subnet_parse(argv[optind + 1], &subnet) < 0 ||
	    (owner && nat_owner_check(owner) < 0))
		return CMD_FAILED;
	if (verb_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	/* A subnet's spared destinations come first: see nat_masq_add_each(). */
	if (add)
		ret = nat_masq_add_each(&nat, &subnet, 1, 1, has_to ? to : NULL, n,
					owner ? owner : NAT_OWNER_DEFAULT);
	else
		ret = nat_masq_del(&nat, &subnet, owner);
	verb_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
