// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat publish, unpublish: host ports to containers. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <string.h>

#include <plumb/log.h>
#include <plumb/nft.h>

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

/* Who holds the first port of @p (of its family): 1 and @holder, 0 when none. */
static int unpublish_holder(struct nat *nat, const struct nat_pub *p,
			    char holder[NFT_OWNER_MAX + 1])
{
	struct nft_elem e[2];
	int ret;

	nat_pub_elems(&(struct nat_pub){ .proto = p->proto,
					 .host = p->host,
					 .port = p->port,
					 .port_end = p->port,
					 .addr.family = p->addr.family },
		      "", e);
	ret = nft_elem_get(&nat->nl, &e[0]);
	if (ret > 0)
		memcpy(holder, e[0].owner, NFT_OWNER_MAX + 1);
	return ret;
}

/*
 * Without a target the family is unknown: the host address tells, or both
 * are. An owner takes away its own, of either family; a family where
 * someone else holds the port is left to them, and named only when the
 * owner holds it in neither.
 */
static int unpublish_host(struct nat *nat, const struct nat_pub *host, const char *owner)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char holder[NFT_OWNER_MAX + 1], other[NFT_OWNER_MAX + 1] = "";
	char who[NAT_WHO_MAX], whom[NAT_WHO_MAX];
	struct nat_pub p = *host;
	int ret, mine = 0;
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (host->host.family && host->host.family != families[i])
			continue;
		p.addr.family = families[i];
		ret = owner ? unpublish_holder(nat, &p, holder) : 1;
		if (ret > 0 && owner && strcmp(holder, owner)) {
			memcpy(other, holder, sizeof(other));
			continue;
		}
		mine |= ret > 0;
		ret = ret < 0 ? ret : nat_unpublish(nat, &p, owner);
		if (ret < 0)
			return ret;
	}
	if (!mine && *other)
		return log_errx(-EPERM, "%s port %u belongs to %s, not to %s",
				nat_proto_name(host->proto), host->port,
				nat_owner_describe(other, who, sizeof(who)),
				nat_owner_describe(owner, whom, sizeof(whom)));
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
