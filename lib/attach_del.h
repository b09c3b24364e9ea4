/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attach_del: what attach_add() borrows from teardown to undo; private to lib/. */
#ifndef PLUMB_ATTACH_DEL_H
#define PLUMB_ATTACH_DEL_H

#include <plumb/attach.h>

int attach_ipam_release(const struct attachment *a);
int attach_policy_release(const char *state_dir, const char *network, const char *bridge,
			  int host_netns_fd);

#endif
