// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_exec: finding programs on a search path with exec_find(), and running
 * them with exec_run() (lib/exec.c): input, output, limits, signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
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

/* A shell script @name in @dir running @body; its path in @path. */
static void script_in(const char *dir, const char *name, const char *body, char *path,
		      size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static char *const no_env[] = { "PATH=" EXEC_DEFAULT_PATH, NULL };

static char *big_input(size_t n)
{
	char *in = malloc(n + 1);

	assert_non_null(in);
	memset(in, 'x', n);
	in[n] = '\0';
	return in;
}

/* It answers without reading 300 KB of input: EPIPE for us, no SIGPIPE. */
static void test_exec_run_program_that_reads_nothing_is_served(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], *in = big_input(300000), *out;
	struct sigaction now;
	size_t len;

	script_in(t->a, "prog", "echo done", path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, in, 300000, 10000, &out, &len), 0);
	assert_string_equal(out, "done\n");
	assert_int_equal(len, 5);
	/* Our SIGPIPE is as it was before. */
	assert_int_equal(sigaction(SIGPIPE, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, SIG_DFL);
	free(out);
	free(in);
}

/* It writes 200 KB, more than a pipe holds, before it reads 300 KB. */
static void test_exec_run_program_that_writes_before_reading_is_served(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], *in = big_input(300000), *out;
	size_t len;

	script_in(t->a, "prog", "head -c 200000 /dev/zero && cat", path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, in, 300000, 60000, &out, &len), 0);
	assert_int_equal(len, 500000);
	assert_int_equal(out[199999], '\0');
	assert_memory_equal(out + 200000, in, 300000);
	free(out);
	free(in);
}

/* Even when we ignore SIGPIPE, the program gets it at its default. */
static void test_exec_run_program_gets_sigpipe_at_its_default(void **state)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct tmp *t = *state;
	char path[PATH_MAX], *out;
	unsigned long long mask;
	size_t len;

	script_in(t->a, "prog", "sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status",
		  path, sizeof(path));
	assert_int_equal(sigaction(SIGPIPE, &ign, &old), 0);
	assert_int_equal(exec_run(path, no_env, "", 0, 10000, &out, &len), 0);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
	assert_non_null(out);
	mask = strtoull(out, NULL, 16);
	assert_int_equal(mask & (1ULL << (SIGPIPE - 1)), 0);
	free(out);
}

/* The state of process @pid: 'Z' for a zombie, 0 once it is gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] ? paren[2] : 0;
}

/* Past its time it is killed, with what it started in the background. */
static void test_exec_run_past_the_time_limit_kills_the_group(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], body[PATH_MAX + 64], pidfile[PATH_MAX], *out = NULL, st;
	long pid = 0;
	size_t len;
	FILE *f;
	int i;

	join(pidfile, sizeof(pidfile), t->a, "pid");
	snprintf(body, sizeof(body), "sleep 1000 & echo $! > %s; exec sleep 1000", pidfile);
	script_in(t->a, "prog", body, path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, "", 0, 200, &out, &len), -ETIMEDOUT);
	assert_null(out);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	/* SIGKILL was sent; the kernel finishes it off in its own time. */
	for (i = 0; i < 1000 && (st = proc_state((pid_t)pid)) && st != 'Z'; i++)
		usleep(10000);
	assert_true(!st || st == 'Z');
}

static void test_exec_run_output_past_the_cap_is_efbig(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], *out = NULL;
	size_t len;

	script_in(t->a, "prog", "exec head -c 3000000 /dev/zero", path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, "", 0, 60000, &out, &len), -EFBIG);
	assert_null(out);
	/* Exactly the cap is fine. */
	script_in(t->a, "prog2", "exec head -c 1048576 /dev/zero", path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, "", 0, 60000, &out, &len), 0);
	assert_int_equal(len, EXEC_OUT_MAX);
	free(out);
}

static void test_exec_run_says_exit_status_and_signal(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], *out;
	size_t len;

	script_in(t->a, "prog", "exit 7", path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, "", 0, 10000, &out, &len), 7);
	free(out);
	script_in(t->a, "prog2", "kill -TERM $$", path, sizeof(path));
	assert_int_equal(exec_run(path, no_env, "", 0, 10000, &out, &len),
			 EXEC_KILLED + SIGTERM);
	free(out);
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
		cmocka_unit_test_setup_teardown(
			test_exec_run_program_that_reads_nothing_is_served, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_run_program_that_writes_before_reading_is_served, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_run_program_gets_sigpipe_at_its_default, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_run_past_the_time_limit_kills_the_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_run_output_past_the_cap_is_efbig,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_run_says_exit_status_and_signal,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
