/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firewalld: plumb's bridges in firewalld's trusted zone, when firewalld runs:
 * the adapter foreign_firewalld_*() of <plumb/foreign.h>, and what goes with
 * a bridge plumb deletes.
 */
#ifndef PLUMB_FIREWALLD_H
#define PLUMB_FIREWALLD_H

#include <stddef.h>

#define FIREWALLD_ZONE "trusted"
/* Persistent, as firewalld's permanent configuration is (see firewalld.c). */
#define FIREWALLD_STATE_DIR "/var/lib/plumb"

int firewalld_forget(int netns_fd, const char *bridge);

#endif
