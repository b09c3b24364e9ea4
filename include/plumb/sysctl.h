/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysctl: kernel settings under /proc/sys, in a given network namespace. */
#ifndef PLUMB_SYSCTL_H
#define PLUMB_SYSCTL_H

#include <stddef.h>

struct log_msg;

int sysctl_get(int netns_fd, const char *key, char *value, size_t size);
int sysctl_set(int netns_fd, const char *key, const char *value);
int sysctl_set_try(int netns_fd, const char *key, const char *value, struct log_msg *m);

#endif
