/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state: records of what plumb made, under /run/plumb, written atomically. */
#ifndef PLUMB_STATE_H
#define PLUMB_STATE_H

#include <stdint.h>

#include <jansson.h>

#define STATE_DIR "/run/plumb"
#define STATE_NAME_MAX 255

int state_dir_open(const char *path, int create);
int state_dir_openat(int dirfd, const char *name, int create);
int state_record_write(const char *root, const char *kind, const char *group,
		       const char *name, const json_t *rec);
json_t *state_record_read(const char *root, const char *kind, const char *group,
			  const char *name, int *err);
int state_record_del(const char *root, const char *kind, const char *group,
		     const char *name);
int state_group_del(const char *root, const char *kind, const char *group);
int state_group_purge(const char *root, const char *kind, const char *group);
int state_record_for_each(const char *root, const char *kind, const char *group,
			  int (*fn)(const char *group, const char *name, json_t *rec,
				    void *arg),
			  void *arg);
void state_tmp_reap(int dirfd, const char *file);

/* state_key.c: the host's secret key, for names no one can predict */
#define STATE_KEY_LEN 16
#define STATE_KEY_FILE "key"
int state_key_get(const char *root, int create, uint8_t key[STATE_KEY_LEN]);

#endif
