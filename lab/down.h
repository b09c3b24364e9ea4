/* SPDX-License-Identifier: GPL-2.0-or-later */
/* down: a lab taken down, from its record. */
#ifndef PLUMB_LAB_DOWN_H
#define PLUMB_LAB_DOWN_H

#include <jansson.h>

json_t *lab_netns_others(const char *lab);
int lab_netns_del(const char *lab, const char *ns, const json_t *others);
int lab_down_record(const json_t *rec);
int lab_down(const char *what);

#endif
