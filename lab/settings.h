/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings: the sysctls of a lab's namespaces, and the host's it changes. */
#ifndef PLUMB_LAB_SETTINGS_H
#define PLUMB_LAB_SETTINGS_H

#include <jansson.h>

#include "run.h"

int lab_settings_for_each(const struct lab *lab, int node,
			  int (*fn)(const char *key, const char *value, void *arg),
			  void *arg);
int lab_settings_here(const struct lab *lab, int node);
int lab_settings(struct lab_run *run);
int lab_host_settings_plan(struct lab_run *run, json_t *saved);
int lab_host_settings(struct lab_run *run);

#endif
