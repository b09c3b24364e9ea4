// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record: what a lab made, in <state>/lab/<name>/lab.json, written as every
 * record of plumb's is (lib/state.c: a temporary file, fsync, rename). "up"
 * writes it before it makes anything, naming every namespace it may make, so
 * that a run killed halfway is undone by "down"; it also keeps the file's
 * text, from which "show", "graph", "exec" and "down NAME" know the lab
 * without the file, and the old value of every setting it changed in the
 * host. Runs that change labs lock <state> first, one at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/state.h>

#include "record.h"

#define RECORD_NAME "lab"

/**
 * lab_lock() - take the lock of every run that changes a lab
 * @state_dir:	where records live (STATE_DIR)
 *
 * The lock is the state directory's own (flock() on it): it outlives every
 * lab, so "down" may remove <state>/lab with the last one.
 *
 * Return: the locked directory (close it to unlock), or negative errno
 * (logged).
 */
int lab_lock(const char *state_dir)
{
	int fd = state_dir_open(state_dir, 1);

	if (fd < 0)
		return fd == -ENOENT ? log_err(fd, "open %s", state_dir) : fd;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return log_err(-errno, "lock %s", state_dir);
		}
	}
	return fd;
}

/**
 * lab_record_read() - read a lab's record
 * @name:	the lab
 * @err:	0, -ENOENT (not logged) when the lab has none, or another
 *		negative errno (logged)
 *
 * Return: the record, or NULL.
 */
json_t *lab_record_read(const char *name, int *err)
{
	json_t *rec;
	const char *s;

	rec = state_record_read(STATE_DIR, LAB_STATE_KIND, name, RECORD_NAME, err);
	if (!rec)
		return NULL;
	if (json_get_string(rec, "name", &s) <= 0 || strcmp(s, name) ||
	    json_get_string(rec, "source", &s) <= 0 ||
	    !json_is_array(json_object_get(rec, "namespaces"))) {
		json_decref(rec);
		*err = log_errx(-EBADMSG, "the record of lab %s is damaged", name);
		return NULL;
	}
	return rec;
}

/**
 * lab_record_write() - write a lab's record
 * @rec:	the record
 *
 * Return: 0 or negative errno (logged).
 */
int lab_record_write(const json_t *rec)
{
	const char *name = json_string_value(json_object_get(rec, "name"));

	return state_record_write(STATE_DIR, LAB_STATE_KIND, name, RECORD_NAME, rec);
}

/**
 * lab_record_new() - the record of a lab about to be made or changed
 * @lab:	the topology
 * @old:	its record so far, or NULL
 *
 * The namespaces are those of @lab and those @old names (made by an earlier
 * "up" and not yet removed); the host's settings are @old's.
 *
 * Return: a new record, or NULL (logged) when out of memory.
 */
json_t *lab_record_new(const struct lab *lab, const json_t *old)
{
	char file[PATH_MAX];
	json_t *rec, *ns, *sysctl, *v;
	size_t i;

	if (!realpath(lab->file, file))
		snprintf(file, sizeof(file), "%s", lab->file);
	sysctl = json_object_get(old, "host_sysctl");
	rec = json_pack("{s:s, s:s, s:s, s:s%, s:[], s:o, s:b}", "name", lab->name, "file",
			file, "prefix", lab->prefix, "source", lab->source,
			lab->source_len, "namespaces", "host_sysctl",
			json_is_object(sysctl) ? json_incref(sysctl) : json_object(),
			"host_nat", json_is_true(json_object_get(old, "host_nat")));
	ns = json_object_get(rec, "namespaces");
	for (i = 0; ns && i < lab->n_nodes; i++)
		json_array_append_new(ns, json_string(lab->nodes[i].netns));
	json_array_foreach(json_object_get(old, "namespaces"), i, v) {
		if (ns && json_is_string(v) && !lab_record_has_ns(rec, json_string_value(v)))
			json_array_append(ns, v);
	}
	if (!rec || !ns)
		log_err(-ENOMEM, "record lab %s", lab->name);
	return rec;
}

/**
 * lab_record_has_ns() - tell whether a record names a namespace
 * @rec:	the record
 * @netns:	the namespace
 */
int lab_record_has_ns(const json_t *rec, const char *netns)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(rec, "namespaces"), i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), netns))
			return 1;
	}
	return 0;
}

/**
 * lab_record_del() - remove a lab's record and all its state
 * @name:	the lab
 *
 * Return: 0 or negative errno (logged).
 */
int lab_record_del(const char *name)
{
	int ret = state_group_purge(STATE_DIR, LAB_STATE_KIND, name);

	if (ret == 0)
		rmdir(STATE_DIR "/" LAB_STATE_KIND); /* with the last lab; under the lock */
	return ret;
}

struct record_walk {
	int (*fn)(const char *name, json_t *rec, void *arg);
	void *arg;
};

static int record_walk_one(const char *group, const char *name, json_t *rec, void *arg)
{
	const struct record_walk *w = arg;

	if (strcmp(name, RECORD_NAME))
		return 0;
	return w->fn(group, rec, w->arg);
}

/**
 * lab_record_for_each() - call a function for every lab's record
 * @fn:		called with each lab's name and record (borrowed)
 * @arg:	passed to @fn
 *
 * Return: 0, what @fn returned when negative, or negative errno (logged).
 */
int lab_record_for_each(int (*fn)(const char *name, json_t *rec, void *arg), void *arg)
{
	struct record_walk w = { .fn = fn, .arg = arg };

	return state_record_for_each(STATE_DIR, LAB_STATE_KIND, NULL, record_walk_one, &w);
}
