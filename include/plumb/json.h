/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json: JSON in and out through jansson, with errors that name the key. */
#ifndef PLUMB_JSON_H
#define PLUMB_JSON_H

#include <stdio.h>

#include <jansson.h>

struct log_msg;

int json_write(FILE *f, const json_t *j);
int json_utf8_valid(const char *s);
json_t *json_string_lossy(const char *s);
json_t *json_read_fd(int fd, json_error_t *err);
json_t *json_member(const json_t *obj, const char *name);
int json_get_string(const json_t *obj, const char *key, const char **out);
int json_get_string_try(const json_t *obj, const char *key, const char **out,
			struct log_msg *m);
int json_get_bool(const json_t *obj, const char *key, int *out);
int json_get_int(const json_t *obj, const char *key, long long min, long long max,
		 long long *out);
int json_get_int_try(const json_t *obj, const char *key, long long min, long long max,
		     long long *out, struct log_msg *m);
int json_get_object(const json_t *obj, const char *key, json_t **out);
int json_get_array(const json_t *obj, const char *key, json_t **out);

#endif
