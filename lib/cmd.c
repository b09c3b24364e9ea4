// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd: the command line front end shared by the tools, in the manner of
 * wireguard-tools: a table of verbs, exact matching, "-h" on every verb,
 * exit status 0 (done), 1 (failed) or 2 (usage).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/cmd.h>
#include <plumb/log.h>

static const struct cmd_tool *cmd_tool;

static const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_tool->n_cmds; i++) {
		if (!strcmp(cmd_tool->cmds[i].name, name))
			return &cmd_tool->cmds[i];
	}
	return NULL;
}

static void cmd_help(FILE *f)
{
	size_t i;

	fprintf(f,
		"%s: %s\n\nusage: %s [-j]%s VERB [ARGS]\n       %s VERB -h\n"
		"       %s --version\n\nverbs:\n",
		cmd_tool->name, cmd_tool->summary, cmd_tool->name,
		cmd_tool->has_netns ? " [-n NETNS]" : "", cmd_tool->name, cmd_tool->name);
	for (i = 0; i < cmd_tool->n_cmds; i++)
		fprintf(f, "  %-10s %s\n", cmd_tool->cmds[i].name,
			cmd_tool->cmds[i].help);
	fprintf(f, "\noptions (before the verb or after it):\n"
		   "  -j, --json     print JSON\n");
	if (cmd_tool->has_netns)
		fprintf(f, "  -n, --netns NETNS  work in this network namespace, "
			   "as \"ip -n\"\n");
	fprintf(f, "\nCNI plugin when CNI_COMMAND is set. See %s(8).\n", cmd_tool->name);
}

/**
 * cmd_usage() - print how to call a verb
 * @verb:	the verb, as in argv[0] of its function
 * @status:	CMD_OK for "-h" (printed on stdout), CMD_USAGE for a mistake
 *		(printed on stderr)
 *
 * Return: @status
 */
int cmd_usage(const char *verb, int status)
{
	const struct cmd *c = cmd_find(verb);
	FILE *f = status == CMD_OK ? stdout : stderr;

	if (!c) {
		cmd_help(f);
		return status;
	}
	fprintf(f, "usage: %s %s %s\n\n%s\n", cmd_tool->name, c->name, c->args, c->help);
	if (c->options)
		fprintf(f, "\noptions:\n%s", c->options);
	return status;
}

/**
 * cmd_parse_uint() - parse a number given on the command line
 * @what:	what it is, for the message: "MTU"
 * @s:		the argument
 * @min:	smallest value allowed
 * @max:	largest value allowed
 * @out:	the number
 *
 * Return: 0 or -EINVAL (logged: "invalid MTU "70000": want 68 to 65535").
 */
int cmd_parse_uint(const char *what, const char *s, unsigned long min, unsigned long max,
		   unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v < min || v > max)
		return log_errx(-EINVAL, "invalid %s \"%s\": want %lu to %lu", what, s,
				min, max);
	*out = v;
	return 0;
}

/* "-h" anywhere among the verb's own arguments, before "--". */
static int cmd_wants_help(const struct cmd *c, int argc, char **argv)
{
	int i, last = c->passthrough && argc > 2 ? 2 : argc;

	for (i = 1; i < last; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

/*
 * The tool's options may follow the verb too ("plumb-bridge list -j",
 * "plumb-bridge del c1 -n h"): take them out of the verb's arguments, up to
 * "--". A passthrough verb's arguments are left alone: they may be another
 * program's.
 */
static int cmd_take_options(const struct cmd_tool *tool, const struct cmd *c,
			    struct cmd_ctx *ctx, int argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (c->passthrough || !strcmp(a, "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			ctx->json = 1;
		} else if (tool->has_netns &&
			   (!strcmp(a, "-n") || !strcmp(a, "--netns"))) {
			if (i + 1 == argc) {
				fprintf(stderr, "%s: %s wants a network namespace\n",
					tool->name, a);
				return -EINVAL;
			}
			ctx->netns = argv[++i];
		} else if (tool->has_netns && !strncmp(a, "--netns=", 8)) {
			ctx->netns = a + 8;
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	return n;
}

/**
 * cmd_main() - run a tool's command line
 * @tool:	the tool
 * @argc:	from main()
 * @argv:	from main()
 *
 * Return: the exit status.
 */
int cmd_main(const struct cmd_tool *tool, int argc, char **argv)
{
	struct cmd_ctx ctx = { 0 };
	const struct cmd *c;
	int i;

	cmd_tool = tool;
	log_init(tool->name);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			ctx.json = 1;
		} else if (tool->has_netns &&
			   (!strcmp(a, "-n") || !strcmp(a, "--netns")) && i + 1 < argc) {
			ctx.netns = argv[++i];
		} else if (tool->has_netns && !strncmp(a, "--netns=", 8)) {
			ctx.netns = a + 8;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cmd_help(stdout);
			return CMD_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("%s %s\n", tool->name, PLUMB_VERSION);
			return CMD_OK;
		} else {
			fprintf(stderr, "%s: unknown option \"%s\"; see %s --help\n",
				tool->name, a, tool->name);
			return CMD_USAGE;
		}
	}
	if (i == argc) {
		cmd_help(stderr);
		return CMD_USAGE;
	}
	c = cmd_find(argv[i]);
	if (!c) {
		fprintf(stderr, "%s: unknown verb \"%s\"; see %s --help\n", tool->name,
			argv[i], tool->name);
		return CMD_USAGE;
	}
	argc -= i;
	argv += i;
	if (cmd_wants_help(c, argc, argv))
		return cmd_usage(c->name, CMD_OK);
	argc = cmd_take_options(tool, c, &ctx, argc, argv);
	if (argc < 0)
		return cmd_usage(c->name, CMD_USAGE);
	if (caps_require(c->name, c->need, c->keep) < 0)
		return CMD_FAILED;
	return c->fn(&ctx, argc, argv);
}
