/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hosts: /etc/netns/<namespace>/hosts, the names of a lab's nodes. */
#ifndef PLUMB_LAB_HOSTS_H
#define PLUMB_LAB_HOSTS_H

#include "run.h"

void lab_hosts_path(const char *lab, char *buf, size_t size);
int lab_hosts(struct lab_run *run);
void lab_hosts_del(const char *lab, const char *ns);

#endif
