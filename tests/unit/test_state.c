// SPDX-License-Identifier: GPL-2.0-or-later
/* test_state: records and their group directories (lib/state.c), in a temp dir. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <plumb/log.h>
#include <plumb/state.h>

#include "tmpdir.h"

struct fx {
	char root[64];
	json_t *rec;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/plumb-test-state.XXXXXX");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	f->rec = json_pack("{s:s}", "type", "publish");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int ret;

	json_decref(f->rec);
	ret = tmpdir_remove(f->root);
	free(f);
	return ret;
}

/* Does <root>/nat/<group> exist? */
static int group_exists(const struct fx *f, const char *group)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/nat/%s", f->root, group);
	return stat(path, &st) == 0;
}

static void test_state_group_del_removes_an_emptied_group(void **state)
{
	struct fx *f = *state;

	assert_int_equal(state_record_write(f->root, "nat", "c1", "pub", f->rec), 0);
	assert_int_equal(state_record_del(f->root, "nat", "c1", "pub"), 0);
	assert_true(group_exists(f, "c1"));
	assert_int_equal(state_group_del(f->root, "nat", "c1"), 0);
	assert_false(group_exists(f, "c1"));
	/* Twice, or for a group never made: no error. */
	assert_int_equal(state_group_del(f->root, "nat", "c1"), 0);
	assert_int_equal(state_group_del(f->root, "nat", "never"), 0);
	assert_int_equal(state_group_del(f->root, "kind-never", "c1"), 0);
}

static void test_state_group_del_keeps_a_group_with_records(void **state)
{
	struct fx *f = *state;
	json_t *got;
	int err;

	assert_int_equal(state_record_write(f->root, "nat", "c1", "pub", f->rec), 0);
	assert_int_equal(state_group_del(f->root, "nat", "c1"), 0);
	got = state_record_read(f->root, "nat", "c1", "pub", &err);
	assert_non_null(got);
	assert_int_equal(err, 0);
	assert_true(json_equal(got, f->rec));
	json_decref(got);
}

static void test_state_record_write_makes_a_removed_group_again(void **state)
{
	struct fx *f = *state;
	json_t *got;
	int err;

	assert_int_equal(state_record_write(f->root, "nat", "c1", "a", f->rec), 0);
	assert_int_equal(state_record_del(f->root, "nat", "c1", "a"), 0);
	assert_int_equal(state_group_del(f->root, "nat", "c1"), 0);
	assert_int_equal(state_record_write(f->root, "nat", "c1", "b", f->rec), 0);
	got = state_record_read(f->root, "nat", "c1", "b", &err);
	assert_non_null(got);
	json_decref(got);
}

static void test_state_group_del_refuses_a_path(void **state)
{
	struct fx *f = *state;

	assert_int_equal(state_record_write(f->root, "nat", "c1", "a", f->rec), 0);
	assert_int_equal(state_group_del(f->root, "nat", ""), -EINVAL);
	assert_int_equal(state_group_del(f->root, "nat", ".."), -EINVAL);
	assert_int_equal(state_group_del(f->root, "nat", "c1/.."), -EINVAL);
	assert_true(group_exists(f, "c1"));
}

/* Plant an empty <root>/nat/<group>/<name>. */
static void plant(const struct fx *f, const char *group, const char *name)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/nat/%s/%s", f->root, group, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
}

/* Does <root>/nat/<group>/<name> exist? */
static int planted(const struct fx *f, const char *group, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/nat/%s/%s", f->root, group, name);
	return stat(path, &st) == 0;
}

/* A pid no process has: a child's, once reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void test_state_record_del_reaps_killed_writers_tmp_files(void **state)
{
	struct fx *f = *state;
	char dead[64], live[64], other[64];

	assert_int_equal(state_record_write(f->root, "nat", "c1", "pub", f->rec), 0);
	snprintf(dead, sizeof(dead), ".pub.json.%d", (int)dead_pid());
	snprintf(live, sizeof(live), ".pub.json.%d", (int)getpid());
	snprintf(other, sizeof(other), ".pubx.json.%d", (int)dead_pid());
	plant(f, "c1", dead);
	plant(f, "c1", live);
	plant(f, "c1", other);
	plant(f, "c1", ".pub.json.x1");
	assert_int_equal(state_record_del(f->root, "nat", "c1", "pub"), 0);
	assert_false(planted(f, "c1", "pub.json"));
	assert_false(planted(f, "c1", dead));
	/* A live writer's, another record's and a stranger's stay. */
	assert_true(planted(f, "c1", live));
	assert_true(planted(f, "c1", other));
	assert_true(planted(f, "c1", ".pub.json.x1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_state_group_del_removes_an_emptied_group),
		T(test_state_group_del_keeps_a_group_with_records),
		T(test_state_record_write_makes_a_removed_group_again),
		T(test_state_group_del_refuses_a_path),
		T(test_state_record_del_reaps_killed_writers_tmp_files),
#undef T
	};

	log_test_mute(1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
