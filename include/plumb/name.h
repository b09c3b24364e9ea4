/* SPDX-License-Identifier: GPL-2.0-or-later */
/* name: the names that become file names: container ids and network names. */
#ifndef PLUMB_NAME_H
#define PLUMB_NAME_H

struct log_msg;

int name_check(const char *what, const char *s);
int name_check_try(const char *what, const char *s, struct log_msg *m);

#endif
