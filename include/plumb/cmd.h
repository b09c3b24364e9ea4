/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd: the command line front end shared by the tools: verbs, options, help. */
#ifndef PLUMB_CMD_H
#define PLUMB_CMD_H

#include <stddef.h>
#include <stdio.h>

#include <plumb/caps.h>

#define CMD_OK 0
#define CMD_FAILED 1
#define CMD_USAGE 2

/**
 * struct cmd_ctx - the tool's options, given before or after the verb
 * @json:	-j: print JSON
 * @netns:	-n NETNS: do the host side in this namespace, or NULL
 */
struct cmd_ctx {
	int json;
	const char *netns;
};

/**
 * struct cmd - one verb of a tool
 * @name:	"add"
 * @fn:		does it; argv[0] is the verb; returns CMD_OK, CMD_FAILED or
 *		CMD_USAGE
 * @args:	its arguments for the usage line: "NAME"
 * @help:	what it does, in one line
 * @need:	capabilities it cannot work without
 * @keep:	capabilities it uses when present
 * @options:	its options, one per line, for "VERB -h", or NULL
 * @passthrough: arguments after the first belong to another program (exec):
 *		"-h" there is not ours
 */
struct cmd {
	const char *name;
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	const char *args;
	const char *help;
	struct caps_set need;
	struct caps_set keep;
	const char *options;
	int passthrough;
};

/**
 * struct cmd_tool - a tool: its verbs and the options it takes before them
 * @name:	"plumb-netns"
 * @summary:	what the tool is, in one line
 * @cmds:	the verbs
 * @n_cmds:	how many
 * @has_netns:	accepts -n NETNS
 */
struct cmd_tool {
	const char *name;
	const char *summary;
	const struct cmd *cmds;
	size_t n_cmds;
	int has_netns;
};

int cmd_main(const struct cmd_tool *tool, int argc, char **argv);
int cmd_usage(const char *verb, int status);
int cmd_parse_uint(const char *what, const char *s, unsigned long min, unsigned long max,
		   unsigned long *out);

#endif
