// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-nat list, flush, reconcile: the table as a whole. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>

#include "nat.h"

static const struct option list_options[] = {
	{ "stats", no_argument, NULL, 's' },
	{ 0 },
};

/* With -s, as ip -s: what an element counted, on a line of its own. */
static void list_stats(const json_t *e)
{
	const json_t *n = json_object_get(e, "connections");

	if (n)
		printf("    connections %" JSON_INTEGER_FORMAT "\n",
		       json_integer_value(n));
}

static void list_text(const json_t *all)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(all, "masquerade"), i, e) {
		printf("masquerade %s owner %s\n",
		       json_string_value(json_object_get(e, "subnet")),
		       json_string_value(json_object_get(e, "owner")));
		list_stats(e);
	}
	json_array_foreach(json_object_get(all, "no_masquerade"), i, e)
		printf("no-masquerade %s to %s owner %s\n",
		       json_string_value(json_object_get(e, "subnet")),
		       json_string_value(json_object_get(e, "to")),
		       json_string_value(json_object_get(e, "owner")));
	json_array_foreach(json_object_get(all, "published"), i, e) {
		const char *host = json_string_value(json_object_get(e, "host_ip"));
		const char *addr = json_string_value(json_object_get(e, "addr"));
		int v6 = strchr(addr, ':') != NULL;

		/* IPv6 addresses in brackets, as publish takes them */
		printf("publish %s%s%s:%lld/%s -> %s%s%s:%lld owner %s%s\n",
		       host && strchr(host, ':') ? "[" : "", host ? host : "*",
		       host && strchr(host, ':') ? "]" : "",
		       json_integer_value(json_object_get(e, "host_port")),
		       json_string_value(json_object_get(e, "proto")), v6 ? "[" : "",
		       addr, v6 ? "]" : "",
		       json_integer_value(json_object_get(e, "port")),
		       json_string_value(json_object_get(e, "owner")),
		       json_is_true(json_object_get(e, "localhost")) ? " (localhost)" :
								       "");
		list_stats(e);
	}
	json_array_foreach(json_object_get(all, "networks"), i, e) {
		printf("network %s%s%s owner %s\n",
		       json_string_value(json_object_get(e, "bridge")),
		       json_is_true(json_object_get(e, "isolate")) ? " isolated" : "",
		       json_is_true(json_object_get(e, "direct_access")) ?
			       "" :
			       " no-direct-access",
		       json_string_value(json_object_get(e, "owner")));
	}
}

int cmd_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nat nat;
	json_t *all = NULL;
	int c, stats = 0, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s", list_options, NULL)) != -1) {
		if (c != 's')
			return cmd_usage(argv[0], CMD_USAGE);
		stats = 1;
	}
	if (optind != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	if (verb_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	ret = nat_list(&nat, stats, &all);
	verb_end(&nat);
	if (ret < 0)
		return CMD_FAILED;
	if (ctx->json)
		json_write(stdout, all);
	else
		list_text(all);
	json_decref(all);
	return CMD_OK;
}

int cmd_flush(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nat nat;
	int ret;

	if (argc != 1)
		return cmd_usage(argv[0], CMD_USAGE);
	if (verb_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	ret = nat_flush(&nat);
	verb_end(&nat);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}

int cmd_reconcile(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct nat nat;
	int ret;

	if (argc != 1)
		return cmd_usage(argv[0], CMD_USAGE);
	if (verb_begin(ctx, &nat) < 0)
		return CMD_FAILED;
	ret = nat_reconcile(&nat);
	verb_end(&nat);
	if (ret < 0)
		return CMD_FAILED;
	if (ctx->json)
		printf("{\"added\":%d}\n", ret);
	else if (ret)
		printf("added %d elements\n", ret);
	return CMD_OK;
}
