/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plumb-nat: the verbs. */
#ifndef PLUMB_NAT_TOOL_H
#define PLUMB_NAT_TOOL_H

#include <plumb/cmd.h>
#include <plumb/nat.h>

int verb_begin(const struct cmd_ctx *ctx, struct nat *nat);
void verb_end(struct nat *nat);

int cmd_masq(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_publish(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_unpublish(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_flush(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_reconcile(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv);
int nat_cni_main(void);

#endif
