/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plumb-netns: the verbs, one file each. */
#ifndef PLUMB_NETNS_TOOL_H
#define PLUMB_NETNS_TOOL_H

#include <plumb/cmd.h>

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_del(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_attach(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_path(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv);
int netns_cni_main(void);

#endif
