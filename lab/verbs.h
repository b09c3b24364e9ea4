/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verbs: what plumb-lab does, one function a verb. */
#ifndef PLUMB_LAB_VERBS_H
#define PLUMB_LAB_VERBS_H

#include <plumb/cmd.h>

int lab_up(const char *file);
int lab_check(const char *file);

int cmd_up(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_down(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_check(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_show(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_graph(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_list(struct cmd_ctx *ctx, int argc, char **argv);

#endif
