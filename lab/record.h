/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record: what a lab made, under <state>/lab/<name>/, and the lock of its runs. */
#ifndef PLUMB_LAB_RECORD_H
#define PLUMB_LAB_RECORD_H

#include <jansson.h>

#include "lab.h"

int lab_lock(const char *state_dir);
json_t *lab_record_read(const char *name, int *err);
int lab_record_write(const json_t *rec);
json_t *lab_record_new(const struct lab *lab, const json_t *old);
int lab_record_has_ns(const json_t *rec, const char *netns);
int lab_record_del(const char *name);
int lab_record_for_each(int (*fn)(const char *name, json_t *rec, void *arg), void *arg);

#endif
