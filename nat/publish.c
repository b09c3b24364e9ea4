// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat publish, unpublish: host ports to containers. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <string.h>

#include <plumb/log.h>

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
	if (nat_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	ret = nat_publish(&nat, &p, owner);
	nat_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}

static int unpublish_check(const char *host)
{
	struct nat_pub p;

	/* A bad host port is refused before anything is opened. */
	return nat_pub_parse(host, "192.0.2.1:1", &p) < 0 &&
			       nat_pub_parse(host, "[2001:db8::1]:1", &p) < 0 ?
		       -EINVAL :
		       0;
}

/* Without a target the family is unknown: both are looked at. */
static int unpublish_host(struct nat *nat, const char *host, const char *owner)
{
	static const char *const probes[] = { "192.0.2.1:1", "[2001:db8::1]:1" };
	struct nat_pub p;
	int i, tried = 0, ret;

	for (i = 0; i < 2; i++) {
		log_set_quiet(1);
		ret = nat_pub_parse(host, probes[i], &p);
		log_set_quiet(0);
		if (ret < 0)
			continue; /* a host address of the other family */
		tried++;
		ret = nat_unpublish(nat, &p, owner);
		if (ret < 0)
			return ret;
	}
	return tried ? 0 : nat_pub_parse(host, probes[0], &p); /* says why */
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
	if (n == 1 && unpublish_check(args[0]) < 0)
		return CMD_FAILED;
	if (nat_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	if (n == 2)
		ret = nat_unpublish(&nat, &p, owner);
	else if (n == 1)
		ret = unpublish_host(&nat, args[0], owner);
	else
		ret = nat_owner_release(&nat, owner);
	nat_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
