// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat publish, unpublish: host ports to containers. */
#include <getopt.h>
#include <netinet/in.h>
#include <string.h>

#include "nat.h"

static const struct option pub_options[] = {
	{ "id", required_argument, NULL, 'i' },
	{ "localhost", no_argument, NULL, 'l' },
	{ 0 },
};

/* Options and up to two arguments; 0, or CMD_USAGE. */
static int pub_args(int argc, char **argv, const char **owner, int *localhost,
		    const char *args[2], int *n)
{
	int c;

	*n = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", pub_options, NULL)) != -1) {
		if (c == 'i')
			*owner = optarg;
		else if (c == 'l' && localhost)
			*localhost = 1;
		else
			return CMD_USAGE;
	}
	for (; optind < argc; optind++) {
		if (*n == 2)
			return CMD_USAGE;
		args[(*n)++] = argv[optind];
	}
	return 0;
}

int cmd_publish(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *owner = NAT_OWNER_DEFAULT, *args[2];
	struct nat_pub p;
	struct nat nat;
	int n, localhost = 0, ret;

	if (pub_args(argc, argv, &owner, &localhost, args, &n) || n != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	if (nat_owner_check(owner) < 0 || nat_pub_parse(args[0], args[1], &p) < 0)
		return CMD_FAILED;
	p.localhost = localhost;
	if (verb_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	ret = nat_publish(&nat, &p, owner);
	verb_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}

/* Without a target the family is unknown: the host address tells, or both are. */
static int unpublish_host(struct nat *nat, const struct nat_pub *host, const char *owner)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct nat_pub p = *host;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (host->host.family && host->host.family != families[i])
			continue;
		p.addr.family = families[i];
		ret = nat_unpublish(nat, &p, owner);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int cmd_unpublish(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *owner = NULL, *args[2];
	struct nat_pub p;
	struct nat nat;
	int n, ret;

	if (pub_args(argc, argv, &owner, NULL, args, &n) || (!n && !owner))
		return cmd_usage(argv[0], CMD_USAGE);
	if (owner && nat_owner_check(owner) < 0)
		return CMD_FAILED;
	if (n == 2 && nat_pub_parse(args[0], args[1], &p) < 0)
		return CMD_FAILED;
	if (n == 1 && nat_pub_parse_host(args[0], &p) < 0)
		return CMD_FAILED;
	if (verb_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	if (n == 2)
		ret = nat_unpublish(&nat, &p, owner);
	else if (n == 1)
		ret = unpublish_host(&nat, &p, owner);
	else
		ret = nat_owner_release(&nat, owner);
	verb_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
