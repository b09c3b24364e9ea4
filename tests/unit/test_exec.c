// SPDX-License-Identifier: GPL-2.0-or-later
/* test_exec: finding programs on a search path with exec_find() (lib/exec.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <plumb/exec.h>

#include "tmpdir.h"

/* A scratch directory with three empty search directories a, b and c. */
struct tmp {
	char dir[64];
	char a[80];
	char b[80];
	char c[80];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/plumb-test-exec.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->a, sizeof(t->a), "%s/a", t->dir);
	snprintf(t->b, sizeof(t->b), "%s/b", t->dir);
	snprintf(t->c, sizeof(t->c), "%s/c", t->dir);
	if (mkdir(t->a, 0755) < 0 || mkdir(t->b, 0755) < 0 || mkdir(t->c, 0755) < 0)
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	int ret = tmpdir_remove(t->dir);

	free(t);
	return ret;
}

/* Make a regular file @name in @dir with @mode. */
static void file_in(const char *dir, const char *name, mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	/* Not left to the umask. */
	assert_int_equal(chmod(path, mode), 0);
}

static void dir_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static const char *join(char *buf, size_t size, const char *a, const char *b)
{
	snprintf(buf, size, "%s/%s", a, b);
	return buf;
}

static void test_exec_find_finds_executable(void **state)
{
	struct tmp *t = *state;
	char out[PATH_MAX], want[PATH_MAX];

	file_in(t->a, "prog", 0755);
	assert_int_equal(exec_find("prog", t->a, out, sizeof(out)), 0);
	assert_string_equal(out, join(want, sizeof(want), t->a, "prog"));
}

static void test_exec_find_takes_first_directory_in_order(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[PATH_MAX], want[PATH_MAX];

	file_in(t->a, "prog", 0755);
	file_in(t->b, "prog", 0755);
	snprintf(search, sizeof(search), "%s:%s", t->b, t->a);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), 0);
	assert_string_equal(out, join(want, sizeof(want), t->b, "prog"));
}

static void test_exec_find_skips_non_executable_file(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[PATH_MAX], want[PATH_MAX];

	file_in(t->a, "prog", 0644);
	file_in(t->b, "prog", 0755);
	snprintf(search, sizeof(search), "%s:%s", t->a, t->b);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), 0);
	assert_string_equal(out, join(want, sizeof(want), t->b, "prog"));
}

static void test_exec_find_skips_directory_of_same_name(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[PATH_MAX], want[PATH_MAX];

	dir_in(t->a, "prog");
	file_in(t->b, "prog", 0755);
	snprintf(search, sizeof(search), "%s:%s", t->a, t->b);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), 0);
	assert_string_equal(out, join(want, sizeof(want), t->b, "prog"));
}

static void test_exec_find_only_non_executables_is_eacces(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[PATH_MAX];

	file_in(t->a, "prog", 0644);
	dir_in(t->b, "prog");
	snprintf(search, sizeof(search), "%s:%s:%s", t->a, t->b, t->c);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), -EACCES);
	/* A directory alone is refused too. */
	assert_int_equal(exec_find("prog", t->b, out, sizeof(out)), -EACCES);
}

static void test_exec_find_nothing_is_enoent(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[PATH_MAX];

	snprintf(search, sizeof(search), "%s:%s:%s/missing", t->a, t->b, t->dir);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), -ENOENT);
	assert_int_equal(exec_find("prog", "", out, sizeof(out)), -ENOENT);
	assert_int_equal(exec_find("", t->a, out, sizeof(out)), -ENOENT);
}

static void test_exec_find_skips_empty_entries(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[PATH_MAX], want[PATH_MAX];
	int cwd;

	file_in(t->a, "prog", 0755);
	snprintf(search, sizeof(search), "::%s:", t->a);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), 0);
	assert_string_equal(out, join(want, sizeof(want), t->a, "prog"));

	/* An empty entry is not the current directory, even where prog is. */
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(cwd >= 0);
	assert_int_equal(chdir(t->a), 0);
	assert_int_equal(exec_find("prog", "::", out, sizeof(out)), -ENOENT);
	assert_int_equal(exec_find("prog", ":", out, sizeof(out)), -ENOENT);
	/* Nor the root directory, which holds a directory "tmp". */
	assert_int_equal(exec_find("tmp", ":", out, sizeof(out)), -ENOENT);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
}

static void test_exec_find_uses_name_with_slash_as_given(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], out[PATH_MAX];

	file_in(t->a, "prog", 0755);
	file_in(t->b, "prog", 0755);
	file_in(t->c, "data", 0644);
	join(path, sizeof(path), t->a, "prog");
	/* The search path is not looked at. */
	assert_int_equal(exec_find(path, t->b, out, sizeof(out)), 0);
	assert_string_equal(out, path);

	join(path, sizeof(path), t->c, "data");
	assert_int_equal(exec_find(path, t->b, out, sizeof(out)), -EACCES);
	assert_int_equal(exec_find(t->c, t->b, out, sizeof(out)), -EACCES);
	join(path, sizeof(path), t->c, "missing");
	assert_int_equal(exec_find(path, t->b, out, sizeof(out)), -ENOENT);
}

static void test_exec_find_relative_name_with_slash_is_not_searched(void **state)
{
	struct tmp *t = *state;
	char out[PATH_MAX];
	int cwd;

	file_in(t->a, "prog", 0755);
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(cwd >= 0);
	assert_int_equal(chdir(t->dir), 0);
	assert_int_equal(exec_find("a/prog", t->b, out, sizeof(out)), 0);
	assert_string_equal(out, "a/prog");
	assert_int_equal(exec_find("b/prog", t->a, out, sizeof(out)), -ENOENT);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
}

static void test_exec_find_name_with_slash_too_long_is_enametoolong(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], out[16];

	file_in(t->a, "prog", 0755);
	join(path, sizeof(path), t->a, "prog");
	assert_int_equal(exec_find(path, NULL, out, sizeof(out)), -ENAMETOOLONG);
}

static void test_exec_find_skips_directory_too_long_for_out(void **state)
{
	struct tmp *t = *state;
	char search[PATH_MAX], out[64], want[PATH_MAX];
	char longdir[128];

	file_in(t->a, "prog", 0755);
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	snprintf(search, sizeof(search), "%s:%s", longdir, t->a);
	assert_int_equal(exec_find("prog", search, out, sizeof(out)), 0);
	assert_string_equal(out, join(want, sizeof(want), t->a, "prog"));
}

static void test_exec_find_null_search_uses_default_path(void **state)
{
	char out[PATH_MAX], dir[PATH_MAX + 2];
	size_t len;

	(void)state;
	/* Every system that builds plumb has a shell in one of these. */
	assert_int_equal(exec_find("sh", NULL, out, sizeof(out)), 0);
	len = strlen(out);
	assert_true(len > 3);
	assert_string_equal(out + len - 3, "/sh");
	snprintf(dir, sizeof(dir), ":%.*s:", (int)(len - 3), out);
	assert_non_null(strstr(":" EXEC_DEFAULT_PATH ":", dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_find_finds_executable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_takes_first_directory_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_find_skips_non_executable_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_skips_directory_of_same_name, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_only_non_executables_is_eacces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_find_nothing_is_enoent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_find_skips_empty_entries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_uses_name_with_slash_as_given, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_relative_name_with_slash_is_not_searched, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_name_with_slash_too_long_is_enametoolong, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_find_skips_directory_too_long_for_out, setup, teardown),
		cmocka_unit_test(test_exec_find_null_search_uses_default_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
