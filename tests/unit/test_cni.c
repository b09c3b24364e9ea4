// SPDX-License-Identifier: GPL-2.0-or-later
/* test_cni: the CNI protocol core (lib/cni.c), end to end through cni_run(). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <plumb/caps.h>
#include <plumb/cni.h>
#include <plumb/json.h>
#include <plumb/log.h>

#define CONF(version) \
	"{\"cniVersion\": \"" version "\", \"name\": \"net1\", \"type\": \"plumb\"}"

/* What the dummy plugin saw of its last call. */
struct seen {
	int add, del, check, status, gc;
	enum cni_cmd cmd;
	enum cni_version version;
	char container_id[64];
	char netns[64];
	int has_netns;
	int netns_fd;
	char ifname[32];
	char path[64];
	char name[32];
	char type[32];
	int has_prev_result;
	int prev_ip_has_version;
	int has_conf;
	long long host_port, container_port;
	char protocol[8];
	char prev_address[32];
};

static struct seen seen;

/* How the dummy plugin answers: fail with @err (and @code), ADD with @result. */
static struct {
	int err;
	int code;
	int log;
	json_t *result;
} answer;

/* A namespace that is not ours, for ADD to reach the plugin; pid -1 if none. */
static pid_t other_ns_pid = -1;

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "(null)");
}

static int dummy_record(struct cni_req *req)
{
	const char *proto = NULL;
	json_t *ip, *pm;

	seen.cmd = req->cmd;
	seen.version = req->version;
	copy(seen.container_id, sizeof(seen.container_id), req->container_id);
	seen.has_netns = req->netns != NULL;
	copy(seen.netns, sizeof(seen.netns), req->netns);
	seen.netns_fd = req->netns_fd;
	copy(seen.ifname, sizeof(seen.ifname), req->ifname);
	copy(seen.path, sizeof(seen.path), req->path);
	copy(seen.name, sizeof(seen.name), req->name);
	copy(seen.type, sizeof(seen.type), req->type);
	seen.has_conf = json_is_object(req->conf);
	seen.has_prev_result = req->prev_result != NULL;
	ip = json_array_get(json_object_get(req->prev_result, "ips"), 0);
	seen.prev_ip_has_version = json_object_get(ip, "version") != NULL;
	copy(seen.prev_address, sizeof(seen.prev_address),
	     json_string_value(json_member(
		     json_array_get(json_member(req->prev_result, "ips"), 0), "address")));
	/* The first port mapping, read as plumb-nat reads it. */
	pm = json_array_get(cni_runtime_config(req, "portMappings"), 0);
	json_get_int(pm, "hostPort", 1, 65535, &seen.host_port);
	json_get_int(pm, "containerPort", 1, 65535, &seen.container_port);
	json_get_string(pm, "protocol", &proto);
	copy(seen.protocol, sizeof(seen.protocol), proto);

	if (!answer.err)
		return 0;
	if (answer.code)
		return cni_fail(req, answer.code, answer.err, "plugin failed");
	if (answer.log)
		return log_err(answer.err, "plugin failed");
	return answer.err;
}

static int dummy_add(struct cni_req *req, json_t **result)
{
	seen.add++;
	if (answer.result)
		*result = json_incref(answer.result);
	return dummy_record(req);
}

static int dummy_del(struct cni_req *req)
{
	seen.del++;
	return dummy_record(req);
}

static int dummy_check(struct cni_req *req)
{
	seen.check++;
	return dummy_record(req);
}

static int dummy_status(struct cni_req *req)
{
	seen.status++;
	return dummy_record(req);
}

static int dummy_gc(struct cni_req *req)
{
	seen.gc++;
	return dummy_record(req);
}

/* Needs nothing, so that cni_run() works unprivileged (it drops all capabilities). */
static const struct cni_plugin dummy = {
	.name = "the dummy plugin",
	.add = dummy_add,
	.del = dummy_del,
	.check = dummy_check,
	.status = dummy_status,
	.gc = dummy_gc,
};

static const struct cni_plugin empty = { .name = "the empty plugin" };

static int calls(void)
{
	return seen.add + seen.del + seen.check + seen.status + seen.gc;
}

static struct cni_env env_for(const char *command)
{
	return (struct cni_env){
		.command = command,
		.container_id = "c0ffee",
		.ifname = "eth0",
		.path = "/opt/cni/bin",
	};
}

/* cni_run() of @plugin with @config on its stdin. */
static int run_plugin(const struct cni_plugin *plugin, const struct cni_env *env,
		      const char *config, json_t **out)
{
	size_t len = strlen(config);
	int fds[2], ret;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(write(fds[1], config, len), (ssize_t)len);
	close(fds[1]);
	*out = NULL;
	ret = cni_run(plugin, env, fds[0], out);
	close(fds[0]);
	return ret;
}

static int run(const struct cni_env *env, const char *config, json_t **out)
{
	return run_plugin(&dummy, env, config, out);
}

static const char *str_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* @out is an error object with @code and a msg holding @msg. */
static void assert_cni_error(json_t *out, int code, const char *msg)
{
	const char *m;

	assert_non_null(out);
	assert_true(json_is_object(out));
	assert_int_equal(json_integer_value(json_object_get(out, "code")), code);
	m = str_of(out, "msg");
	assert_non_null(m);
	if (!strstr(m, msg))
		fail_msg("msg \"%s\" does not contain \"%s\"", m, msg);
	assert_non_null(str_of(out, "cniVersion"));
}

static int reset(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&answer, 0, sizeof(answer));
	log_clear();
	return 0;
}

/*
 * A child in a network namespace of its own, made before any test drops
 * capabilities. It drops its own, so that we may still open its namespace
 * once we have none.
 */
static void other_ns_start(void)
{
	int fds[2];
	char ok = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (unshare(CLONE_NEWNET) < 0 &&
		    unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			_exit(1);
		if (caps_require("child", (struct caps_set){ 0 },
				 (struct caps_set){ 0 }) < 0)
			_exit(1);
		if (write(fds[1], "1", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &ok, 1) == 1 && ok == '1') {
		other_ns_pid = pid;
	} else if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(fds[0]);
}

static int group_setup(void **state)
{
	(void)state;
	log_test_mute(1);
	other_ns_start();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (other_ns_pid > 0) {
		kill(other_ns_pid, SIGKILL);
		waitpid(other_ns_pid, NULL, 0);
	}
	return 0;
}

/* cni_env_parse */

static void test_cni_env_parse_picks_protocol_variables(void **state)
{
	char *envp[] = {
		"PATH=/usr/bin",
		"CNI_COMMAND=ADD",
		"CNI_CONTAINERID=c0ffee",
		"CNI_NETNS=/run/netns/blue",
		"CNI_IFNAME=eth0",
		"CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=x",
		"CNI_PATH=/opt/cni/bin:/usr/lib/cni",
		NULL,
	};
	struct cni_env env;

	(void)state;
	cni_env_parse(&env, envp);
	assert_string_equal(env.command, "ADD");
	assert_string_equal(env.container_id, "c0ffee");
	assert_string_equal(env.netns, "/run/netns/blue");
	assert_string_equal(env.ifname, "eth0");
	assert_string_equal(env.args, "IgnoreUnknown=1;K8S_POD_NAME=x");
	assert_string_equal(env.path, "/opt/cni/bin:/usr/lib/cni");
}

static void test_cni_env_parse_leaves_unset_variables_null(void **state)
{
	char *envp[] = { "HOME=/root", "CNI_COMMAND=VERSION", "CNI_IFNAME", NULL };
	struct cni_env env;

	(void)state;
	memset(&env, 0xff, sizeof(env));
	cni_env_parse(&env, envp);
	assert_string_equal(env.command, "VERSION");
	assert_null(env.container_id);
	assert_null(env.netns);
	assert_null(env.ifname);
	assert_null(env.args);
	assert_null(env.path);
}

static void test_cni_env_parse_keeps_empty_value(void **state)
{
	char *envp[] = { "CNI_NETNS=", NULL };
	struct cni_env env;

	(void)state;
	cni_env_parse(&env, envp);
	assert_non_null(env.netns);
	assert_string_equal(env.netns, "");
}

static void test_cni_env_parse_later_entry_wins(void **state)
{
	char *envp[] = { "CNI_IFNAME=eth0", "CNI_IFNAME=net1", NULL };
	struct cni_env env;

	(void)state;
	cni_env_parse(&env, envp);
	assert_string_equal(env.ifname, "net1");
}

static void test_cni_env_parse_does_not_take_longer_names_for_shorter(void **state)
{
	char *only_override[] = { "CNI_NETNS_OVERRIDE=1", "CNI_COMMANDS=ADD",
				  "XCNI_PATH=/x", NULL };
	char *both[] = { "CNI_NETNS=/run/netns/a", "CNI_NETNS_OVERRIDE=1", NULL };
	struct cni_env env;

	(void)state;
	cni_env_parse(&env, only_override);
	assert_null(env.netns);
	assert_null(env.command);
	assert_null(env.path);

	cni_env_parse(&env, both);
	assert_string_equal(env.netns, "/run/netns/a");
}

/* Versions, results, errors */

static void test_cni_version_parse_knows_each_supported_version(void **state)
{
	static const char *const names[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0",
					     "1.1.0" };
	enum cni_version v;
	int i;

	(void)state;
	for (i = 0; i < CNI_VERSION_COUNT; i++) {
		v = CNI_VERSION_COUNT;
		assert_int_equal(cni_version_parse(names[i], &v), 0);
		assert_int_equal(v, i);
		assert_string_equal(cni_version_str(v), names[i]);
	}
	assert_true(CNI_V030 < CNI_V040 && CNI_V040 < CNI_V100 && CNI_V100 < CNI_V110);
}

static void test_cni_version_parse_refuses_others(void **state)
{
	static const char *const bad[] = { "0.2.0", "0.1.0",  "1.0",   "1.2.0",
					   "",	    "1.0.0 ", "v1.0.0" };
	enum cni_version v = CNI_V031;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cni_version_parse(bad[i], &v), -ENOTSUP);
	assert_int_equal(v, CNI_V031);
}

static json_t *result_with_ips(void)
{
	json_error_t err;
	json_t *r = json_loads(
		"{\"cniVersion\": \"1.0.0\", \"interfaces\": [{\"name\": \"eth0\"}],"
		" \"ips\": [{\"address\": \"10.88.0.2/16\", \"interface\": 0},"
		" {\"address\": \"fd00::2/64\", \"interface\": 0}]}",
		0, &err);

	assert_non_null(r);
	return r;
}

static void test_cni_result_convert_adds_ip_version_before_1_0_0(void **state)
{
	static const enum cni_version old[] = { CNI_V030, CNI_V031, CNI_V040 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		json_t *r = result_with_ips();
		json_t *ips;

		assert_int_equal(cni_result_convert(r, old[i]), 0);
		assert_string_equal(str_of(r, "cniVersion"), cni_version_str(old[i]));
		ips = json_object_get(r, "ips");
		assert_string_equal(str_of(json_array_get(ips, 0), "version"), "4");
		assert_string_equal(str_of(json_array_get(ips, 1), "version"), "6");
		assert_string_equal(str_of(json_array_get(ips, 0), "address"),
				    "10.88.0.2/16");
		json_decref(r);
	}
}

static void test_cni_result_convert_leaves_ips_alone_from_1_0_0(void **state)
{
	static const enum cni_version new[] = { CNI_V100, CNI_V110 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(new) / sizeof(new[0]); i++) {
		json_t *r = result_with_ips();
		json_t *ips;

		assert_int_equal(cni_result_convert(r, new[i]), 0);
		assert_string_equal(str_of(r, "cniVersion"), cni_version_str(new[i]));
		ips = json_object_get(r, "ips");
		assert_null(json_object_get(json_array_get(ips, 0), "version"));
		assert_null(json_object_get(json_array_get(ips, 1), "version"));
		json_decref(r);
	}
}

static void test_cni_result_convert_without_ips_sets_version_only(void **state)
{
	json_t *r = json_pack("{s:[]}", "dns");

	(void)state;
	assert_non_null(r);
	assert_int_equal(cni_result_convert(r, CNI_V031), 0);
	assert_string_equal(str_of(r, "cniVersion"), "0.3.1");
	assert_int_equal(json_object_size(r), 2);
	json_decref(r);
}

static void test_cni_result_convert_refuses_ip_without_address(void **state)
{
	json_t *r = json_pack("{s:[{s:i}]}", "ips", "interface", 0);

	(void)state;
	assert_non_null(r);
	assert_int_equal(cni_result_convert(r, CNI_V040), -EINVAL);
	json_decref(r);
}

static void test_cni_error_json_has_spec_fields(void **state)
{
	json_t *e;

	(void)state;
	e = cni_error_json(CNI_V040, CNI_ERR_CONFIG, "bad config", "No such file");
	assert_non_null(e);
	assert_string_equal(str_of(e, "cniVersion"), "0.4.0");
	assert_int_equal(json_integer_value(json_object_get(e, "code")), 7);
	assert_string_equal(str_of(e, "msg"), "bad config");
	assert_string_equal(str_of(e, "details"), "No such file");
	assert_int_equal(json_object_size(e), 4);
	json_decref(e);
}

static void test_cni_error_json_omits_empty_details(void **state)
{
	json_t *e;

	(void)state;
	e = cni_error_json(CNI_V110, CNI_ERR_ENV, "missing", NULL);
	assert_non_null(e);
	assert_null(json_object_get(e, "details"));
	assert_int_equal(json_object_size(e), 3);
	json_decref(e);

	e = cni_error_json(CNI_V110, CNI_ERR_ENV, "missing", "");
	assert_non_null(e);
	assert_null(json_object_get(e, "details"));
	json_decref(e);
}

static void test_cni_code_of_maps_errno_to_spec_codes(void **state)
{
	(void)state;
	assert_int_equal(cni_code_of(-EAGAIN), CNI_ERR_AGAIN);
	assert_int_equal(cni_code_of(-ETIMEDOUT), CNI_ERR_AGAIN);
	assert_int_equal(cni_code_of(-EBUSY), CNI_ERR_AGAIN);
	assert_int_equal(cni_code_of(-EIO), CNI_ERR_IO);
	assert_int_equal(cni_code_of(-ENOSPC), CNI_ERR_IO);
	assert_int_equal(cni_code_of(-EROFS), CNI_ERR_IO);
	assert_int_equal(cni_code_of(-EPERM), CNI_ERR_INTERNAL);
	assert_int_equal(cni_code_of(-EINVAL), CNI_ERR_INTERNAL);
	assert_int_equal(cni_code_of(-ENOMEM), CNI_ERR_INTERNAL);
	assert_int_equal(CNI_ERR_AGAIN, 11);
	assert_int_equal(CNI_ERR_IO, 5);
	assert_int_equal(CNI_ERR_INTERNAL, 999);
}

/* cni_run: refusals made before the plugin's capabilities are checked. */

static void test_cni_run_version_answers_supported_list(void **state)
{
	struct cni_env env = { .command = "VERSION" };
	json_t *out, *list;

	(void)state;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 0);
	assert_non_null(out);
	assert_string_equal(str_of(out, "cniVersion"), "1.1.0");
	list = json_object_get(out, "supportedVersions");
	assert_int_equal(json_array_size(list), 5);
	assert_string_equal(json_string_value(json_array_get(list, 0)), "0.3.0");
	assert_string_equal(json_string_value(json_array_get(list, 1)), "0.3.1");
	assert_string_equal(json_string_value(json_array_get(list, 2)), "0.4.0");
	assert_string_equal(json_string_value(json_array_get(list, 3)), "1.0.0");
	assert_string_equal(json_string_value(json_array_get(list, 4)), "1.1.0");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_unknown_command_gives_code_4(void **state)
{
	struct cni_env env = env_for("ATTACH");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV, "unknown CNI_COMMAND \"ATTACH\"");
	json_decref(out);

	/* Commands are matched exactly. */
	env.command = "add";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV, "unknown CNI_COMMAND \"add\"");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_missing_command_gives_code_4(void **state)
{
	struct cni_env env = env_for(NULL);
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV, "CNI_COMMAND");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void check_missing_var(const char *command, const char *var)
{
	struct cni_env env = env_for(command);
	const char **slot = NULL;
	json_t *out;
	int pass;

	env.netns = "/nonexistent/netns";
	if (!strcmp(var, "CNI_CONTAINERID"))
		slot = &env.container_id;
	else if (!strcmp(var, "CNI_IFNAME"))
		slot = &env.ifname;
	else if (!strcmp(var, "CNI_PATH"))
		slot = &env.path;
	else if (!strcmp(var, "CNI_NETNS"))
		slot = &env.netns;
	assert_non_null(slot);

	/* Unset, then set but empty. */
	for (pass = 0; pass < 2; pass++) {
		*slot = pass ? "" : NULL;
		log_clear();
		assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
		assert_cni_error(out, CNI_ERR_ENV, var);
		assert_cni_error(out, CNI_ERR_ENV, "required environment variable");
		json_decref(out);
	}
	assert_int_equal(calls(), 0);
}

static void test_cni_run_missing_variable_gives_code_4_naming_it(void **state)
{
	static const char *const cmds[] = { "ADD", "DEL", "CHECK" };
	static const char *const vars[] = { "CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH" };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		for (j = 0; j < sizeof(vars) / sizeof(vars[0]); j++)
			check_missing_var(cmds[i], vars[j]);
	}
}

static void test_cni_run_add_and_check_without_netns_give_code_4(void **state)
{
	(void)state;
	check_missing_var("ADD", "CNI_NETNS");
	check_missing_var("CHECK", "CNI_NETNS");
}

static void test_cni_run_bad_container_id_gives_code_4(void **state)
{
	static const char *const bad[] = { "-c0ffee", "c0/ffee", "../c0ffee", "c0 ffee" };
	struct cni_env env = env_for("DEL");
	json_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env.container_id = bad[i];
		assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
		assert_cni_error(out, CNI_ERR_ENV, "CNI_CONTAINERID: invalid container id");
		json_decref(out);
	}
	assert_int_equal(calls(), 0);
}

static void test_cni_run_bad_ifname_gives_code_4(void **state)
{
	static const char *const bad[] = { "eth/0", "eth:0", "0123456789abcdef", "..",
					   "e 0" };
	struct cni_env env = env_for("DEL");
	json_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env.ifname = bad[i];
		assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
		assert_cni_error(out, CNI_ERR_ENV, "CNI_IFNAME: invalid interface name");
		json_decref(out);
	}
	assert_int_equal(calls(), 0);
}

/*
 * BUG (lib/cni.c, cni_run(), the cni_error_json() call): the environment may
 * hold any bytes, and the message that names a bad value quotes it; when that
 * is not UTF-8, json_pack("{s:s ...}") in cni_error_json() fails and returns
 * NULL, so cni_run() returns 1 with *out NULL and the plugin prints nothing on
 * stdout, where the spec wants an error object. Expected to fail until fixed
 * (e.g. by escaping or replacing invalid bytes in msg).
 */
static void test_cni_run_non_utf8_container_id_still_gives_error_object(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	env.container_id = "c0\xff";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_non_null(out);
	assert_int_equal(json_integer_value(json_object_get(out, "code")), CNI_ERR_ENV);
	assert_int_equal(calls(), 0);
	json_decref(out);
}

/*
 * BUG (the one above, reached from valid input): log_verr() (lib/log.c) cuts
 * a message longer than LOG_MSG_MAX - 1 bytes at a byte count, which can split
 * a UTF-8 sequence of a value quoted from the (valid UTF-8) configuration;
 * cni_error_json() then fails on the cut message and nothing is printed. Here
 * "incompatible CNI version \"" is 26 bytes, leaving 485 bytes for two-byte
 * characters, so the last one is split. Expected to fail until fixed.
 */
static void test_cni_run_long_non_ascii_value_still_gives_error_object(void **state)
{
	struct cni_env env = env_for("DEL");
	char config[1024];
	size_t len, i;
	json_t *out;

	(void)state;
	len = (size_t)snprintf(config, sizeof(config), "{\"cniVersion\": \"");
	for (i = 0; i < 300; i++)
		len += (size_t)snprintf(config + len, sizeof(config) - len, "\xc3\xa9");
	snprintf(config + len, sizeof(config) - len, "\", \"name\": \"net1\"}");
	assert_int_equal(run(&env, config, &out), 1);
	assert_non_null(out);
	assert_int_equal(json_integer_value(json_object_get(out, "code")),
			 CNI_ERR_VERSION);
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_malformed_json_gives_code_6_with_position(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, "{\"cniVersion\": \"1.0.0\",\n \"name\": }", &out), 1);
	assert_cni_error(out, CNI_ERR_DECODE, "decode network configuration");
	assert_cni_error(out, CNI_ERR_DECODE, "line 2");
	assert_cni_error(out, CNI_ERR_DECODE, "column ");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_empty_stdin_gives_code_6(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, "", &out), 1);
	assert_cni_error(out, CNI_ERR_DECODE, "decode network configuration");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_trailing_garbage_gives_code_6(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, CONF("1.0.0") " {}", &out), 1);
	assert_cni_error(out, CNI_ERR_DECODE, "decode network configuration");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_non_object_json_gives_code_6(void **state)
{
	static const char *const bad[] = { "[1, 2]", "[]", "\"1.0.0\"", "42", "null" };
	struct cni_env env = env_for("DEL");
	json_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run(&env, bad[i], &out), 1);
		assert_cni_error(out, CNI_ERR_DECODE, "decode network configuration");
		json_decref(out);
	}
	assert_int_equal(calls(), 0);
}

static void test_cni_run_duplicate_keys_give_code_6(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(
		run(&env, "{\"cniVersion\": \"1.0.0\", \"name\": \"a\", \"name\": \"b\"}",
		    &out),
		1);
	assert_cni_error(out, CNI_ERR_DECODE, "duplicate");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_missing_cni_version_gives_code_1(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, "{\"name\": \"net1\"}", &out), 1);
	assert_cni_error(out, CNI_ERR_VERSION, "no \"cniVersion\"");
	json_decref(out);

	/* null is absent. */
	assert_int_equal(run(&env, "{\"cniVersion\": null, \"name\": \"net1\"}", &out),
			 1);
	assert_cni_error(out, CNI_ERR_VERSION, "no \"cniVersion\"");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_unsupported_cni_version_gives_code_1(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, CONF("0.2.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_VERSION, "incompatible CNI version \"0.2.0\"");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_cni_version_not_string_gives_code_6(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, "{\"cniVersion\": 1, \"name\": \"net1\"}", &out), 1);
	assert_cni_error(out, CNI_ERR_DECODE, "\"cniVersion\"");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_check_before_0_4_0_gives_code_1(void **state)
{
	struct cni_env env = env_for("CHECK");
	json_t *out;

	(void)state;
	env.netns = "/nonexistent/netns";
	assert_int_equal(run(&env, CONF("0.3.1"), &out), 1);
	assert_cni_error(out, CNI_ERR_VERSION, "CHECK needs cniVersion 0.4.0 or later");
	/* The error is answered in the configuration's version. */
	assert_string_equal(str_of(out, "cniVersion"), "0.3.1");
	json_decref(out);

	assert_int_equal(run(&env, CONF("0.3.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_VERSION, "CHECK needs");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_gc_and_status_before_1_1_0_give_code_1(void **state)
{
	struct cni_env env = { .command = "GC" };
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_VERSION, "GC needs cniVersion 1.1.0 or later");
	assert_string_equal(str_of(out, "cniVersion"), "1.0.0");
	json_decref(out);

	env.command = "STATUS";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_VERSION, "STATUS needs cniVersion 1.1.0 or later");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_missing_network_name_gives_code_7(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(
		run(&env, "{\"cniVersion\": \"1.0.0\", \"type\": \"plumb\"}", &out), 1);
	assert_cni_error(out, CNI_ERR_CONFIG, "missing network name");
	assert_string_equal(str_of(out, "cniVersion"), "1.0.0");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void test_cni_run_bad_network_name_gives_code_7(void **state)
{
	static const char *const bad[] = {
		"{\"cniVersion\": \"1.0.0\", \"name\": \"-net\"}",
		"{\"cniVersion\": \"1.0.0\", \"name\": \"a/b\"}",
		"{\"cniVersion\": \"1.0.0\", \"name\": \"\"}",
		"{\"cniVersion\": \"1.0.0\", \"name\": 7}",
		"{\"cniVersion\": \"1.0.0\", \"name\": \"net1\", \"type\": 7}",
	};
	struct cni_env env = env_for("DEL");
	json_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run(&env, bad[i], &out), 1);
		assert_cni_error(out, CNI_ERR_CONFIG, "");
		json_decref(out);
	}
	assert_int_equal(calls(), 0);
}

/* A plugin is named, never given by path: refused before any plugin runs. */
static void test_cni_run_plugin_type_that_is_a_path_gives_code_7(void **state)
{
	static const struct {
		const char *conf;
		const char *msg;
	} bad[] = {
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"type\": \"/bin/x\"}",
		  "invalid \"type\" \"/bin/x\": want the name of a plugin on CNI_PATH, "
		  "not a path" },
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"type\": \"p\", "
		  "\"ipam\": {\"type\": \"../../tmp/x\"}}",
		  "invalid \"ipam.type\" \"../../tmp/x\": want the name of a plugin on "
		  "CNI_PATH, not a path" },
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"ipam\": {\"type\": \".\"}}",
		  "invalid \"ipam.type\" \".\": want the name of a plugin on CNI_PATH, "
		  "not a path" },
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"ipam\": {\"type\": \"..\"}}",
		  "invalid \"ipam.type\" \"..\": want the name of a plugin on CNI_PATH, "
		  "not a path" },
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"ipam\": {\"type\": \"\"}}",
		  "invalid \"ipam.type\" \"\": want the name of a plugin on CNI_PATH, "
		  "not a path" },
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"ipam\": {\"type\": 1}}",
		  "invalid \"type\": want a string" },
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"ipam\": \"host-local\"}",
		  "invalid \"ipam\": want an object" },
	};
	struct cni_env env = env_for("DEL");
	json_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run(&env, bad[i].conf, &out), 1);
		assert_cni_error(out, CNI_ERR_CONFIG, bad[i].msg);
		json_decref(out);
	}
	assert_int_equal(calls(), 0);
}

/*
 * cni_run: from here on tests reach caps_require(), which drops every
 * capability of this thread; they come last so that nothing above depends on
 * privileges it no longer has.
 */

static void test_cni_run_del_without_netns_calls_plugin(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	env.args = "K=V";
	assert_int_equal(run(&env, CONF("0.4.0"), &out), 0);
	assert_null(out);
	assert_int_equal(seen.del, 1);
	assert_int_equal(calls(), 1);
	assert_int_equal(seen.cmd, CNI_DEL);
	assert_int_equal(seen.version, CNI_V040);
	assert_string_equal(seen.container_id, "c0ffee");
	assert_false(seen.has_netns);
	assert_int_equal(seen.netns_fd, -1);
	assert_string_equal(seen.ifname, "eth0");
	assert_string_equal(seen.path, "/opt/cni/bin");
	assert_string_equal(seen.name, "net1");
	assert_string_equal(seen.type, "plumb");
	assert_true(seen.has_conf);
	assert_false(seen.has_prev_result);
}

static void test_cni_run_del_of_vanished_netns_calls_plugin(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	env.netns = "/nonexistent/netns";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 0);
	assert_null(out);
	assert_int_equal(seen.del, 1);
	assert_true(seen.has_netns);
	assert_string_equal(seen.netns, "/nonexistent/netns");
	assert_int_equal(seen.netns_fd, -1);
}

static void test_cni_run_status_and_gc_need_no_container(void **state)
{
	struct cni_env env = { .command = "STATUS" };
	json_t *out;

	(void)state;
	assert_int_equal(run(&env, CONF("1.1.0"), &out), 0);
	assert_null(out);
	assert_int_equal(seen.status, 1);
	assert_int_equal(seen.cmd, CNI_STATUS);
	assert_string_equal(seen.container_id, "(null)");

	env.command = "GC";
	assert_int_equal(run(&env, CONF("1.1.0"), &out), 0);
	assert_null(out);
	assert_int_equal(seen.gc, 1);
	assert_int_equal(seen.cmd, CNI_GC);
	assert_int_equal(calls(), 2);
}

static void test_cni_run_prev_result_reaches_plugin_in_1_0_0_form(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(
		run(&env,
		    "{\"cniVersion\": \"0.4.0\", \"name\": \"net1\", \"prevResult\":"
		    " {\"ips\": [{\"version\": \"4\", \"address\": \"10.0.0.2/24\"}]}}",
		    &out),
		0);
	assert_null(out);
	assert_int_equal(seen.del, 1);
	assert_true(seen.has_prev_result);
	assert_false(seen.prev_ip_has_version);
}

/*
 * BUG (lib/cni.c, cni_prev_result_normalize()): it treats json_get_object()'s
 * -EINVAL like an absent member, so a "prevResult" that is not an object is
 * logged as an error on stderr ("invalid "prevResult": want an object") and
 * then ignored: the plugin runs without it and cni_run() returns 0. The stale
 * message also stays in log_last() and becomes the "msg" of any later failure
 * that logs nothing itself. It should be refused like the other malformed
 * members (decode error), before the plugin is called. Expected to fail until
 * fixed.
 */
static void test_cni_run_prev_result_not_object_is_refused(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env,
			     "{\"cniVersion\": \"1.0.0\", \"name\": \"net1\","
			     " \"prevResult\": \"garbage\"}",
			     &out),
			 1);
	assert_cni_error(out, CNI_ERR_DECODE, "prevResult");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

/*
 * Go's decoder matches keys case-insensitively, and the runtimes that use it
 * write Go's spellings: containerd 1.6 sends port mappings with capitalised
 * keys. plumb reads them, and every other key, as the runtime meant them.
 */
static void test_cni_run_reads_containerd_1_6_port_mappings(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env,
			     "{\"cniVersion\": \"1.0.0\", \"name\": \"net1\","
			     " \"type\": \"plumb\", \"runtimeConfig\": {\"portMappings\":"
			     " [{\"HostPort\":18080,\"ContainerPort\":8080,"
			     "\"Protocol\":\"tcp\",\"HostIP\":\"\"}]}}",
			     &out),
			 0);
	assert_int_equal(seen.del, 1);
	assert_int_equal(seen.host_port, 18080);
	assert_int_equal(seen.container_port, 8080);
	assert_string_equal(seen.protocol, "tcp");
}

static void test_cni_run_reads_go_spellings_of_every_key(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run(&env,
			     "{\"CNIVersion\": \"0.4.0\", \"Name\": \"net1\","
			     " \"TYPE\": \"plumb\", \"RuntimeConfig\": {\"PortMappings\":"
			     " [{\"hostport\":80,\"containerport\":81,"
			     "\"PROTOCOL\":\"udp\"}]}, \"PrevResult\": {\"IPs\":"
			     " [{\"Version\": \"4\", \"Address\": \"10.0.0.2/24\"}]}}",
			     &out),
			 0);
	assert_int_equal(seen.del, 1);
	assert_int_equal(seen.version, CNI_V040);
	assert_string_equal(seen.name, "net1");
	assert_string_equal(seen.type, "plumb");
	assert_int_equal(seen.host_port, 80);
	assert_int_equal(seen.container_port, 81);
	assert_string_equal(seen.protocol, "udp");
	assert_true(seen.has_prev_result);
	assert_string_equal(seen.prev_address, "10.0.0.2/24");
}

static void test_cni_run_plugin_without_function_succeeds(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	assert_int_equal(run_plugin(&empty, &env, CONF("1.0.0"), &out), 0);
	assert_null(out);
}

static void test_cni_run_plugin_failure_with_code_is_answered(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	answer.err = -EBUSY;
	answer.code = CNI_ERR_AGAIN;
	assert_int_equal(run(&env, CONF("0.4.0"), &out), 1);
	assert_int_equal(seen.del, 1);
	assert_cni_error(out, CNI_ERR_AGAIN, "plugin failed: Device or resource busy");
	assert_string_equal(str_of(out, "details"), "Device or resource busy");
	assert_string_equal(str_of(out, "cniVersion"), "0.4.0");
	json_decref(out);
}

static void test_cni_run_plugin_failure_without_code_maps_errno(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	answer.err = -EIO;
	answer.log = 1;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_IO, "plugin failed: Input/output error");
	json_decref(out);

	/* Nothing logged: the errno is the message. */
	answer.log = 0;
	answer.err = -ENOMEM;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_INTERNAL, "Cannot allocate memory");
	json_decref(out);
}

static void test_cni_run_plugin_einval_failure_has_no_details(void **state)
{
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	answer.err = -EINVAL;
	answer.code = CNI_ERR_CONFIG;
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_CONFIG, "plugin failed");
	assert_null(json_object_get(out, "details"));
	json_decref(out);
}

static void test_cni_run_missing_capability_refused_before_plugin(void **state)
{
	const struct cni_plugin needy = {
		.name = "the needy plugin",
		.need = CAPS(CAP_NET_ADMIN),
		.del = dummy_del,
	};
	struct cni_env env = env_for("DEL");
	json_t *out;

	(void)state;
	/* Whoever runs the tests, hold nothing from here on. */
	assert_int_equal(
		caps_require("test", (struct caps_set){ 0 }, (struct caps_set){ 0 }), 0);
	assert_int_equal(run_plugin(&needy, &env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_INTERNAL, "the needy plugin needs CAP_NET_ADMIN");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_add_in_own_netns_gives_code_4(void **state)
{
	struct cni_env env = env_for("ADD");
	json_t *out;

	(void)state;
	env.netns = "/proc/self/ns/net";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV, "is the plugin's own network namespace");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_add_with_missing_netns_gives_code_4(void **state)
{
	struct cni_env env = env_for("ADD");
	json_t *out;

	(void)state;
	env.netns = "/nonexistent/netns";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV,
			 "CNI_NETNS: open network namespace /nonexistent/netns: "
			 "No such file or directory");
	assert_int_equal(calls(), 0);
	json_decref(out);
}

static void test_cni_run_add_with_netns_not_a_netns_gives_code_4(void **state)
{
	struct cni_env env = env_for("ADD");
	json_t *out;

	(void)state;
	env.netns = "/proc/self/ns/uts";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV, "is not a network namespace");
	json_decref(out);

	env.netns = "/proc/self/status";
	assert_int_equal(run(&env, CONF("1.0.0"), &out), 1);
	assert_cni_error(out, CNI_ERR_ENV, "is not a namespace");
	json_decref(out);
	assert_int_equal(calls(), 0);
}

static void add_in_other_ns(const char *version, json_t **out)
{
	char netns[64];
	struct cni_env env = env_for("ADD");
	char config[128];

	if (other_ns_pid < 0)
		skip();
	snprintf(netns, sizeof(netns), "/proc/%d/ns/net", (int)other_ns_pid);
	env.netns = netns;
	snprintf(config, sizeof(config), "{\"cniVersion\": \"%s\", \"name\": \"net1\"}",
		 version);
	answer.result = result_with_ips();
	assert_int_equal(run(&env, config, out), 0);
	json_decref(answer.result);
	answer.result = NULL;
	assert_int_equal(seen.add, 1);
	assert_true(seen.netns_fd >= 0);
	/* Closed again once the plugin is done. */
	assert_int_equal(fcntl(seen.netns_fd, F_GETFD), -1);
	assert_non_null(*out);
}

static void test_cni_run_add_answers_result_in_config_version(void **state)
{
	json_t *out, *ip;

	(void)state;
	add_in_other_ns("0.3.1", &out);
	assert_string_equal(str_of(out, "cniVersion"), "0.3.1");
	ip = json_array_get(json_object_get(out, "ips"), 0);
	assert_string_equal(str_of(ip, "version"), "4");
	ip = json_array_get(json_object_get(out, "ips"), 1);
	assert_string_equal(str_of(ip, "version"), "6");
	json_decref(out);
}

static void test_cni_run_add_answers_1_1_0_result_without_ip_version(void **state)
{
	json_t *out, *ip;

	(void)state;
	add_in_other_ns("1.1.0", &out);
	assert_string_equal(str_of(out, "cniVersion"), "1.1.0");
	ip = json_array_get(json_object_get(out, "ips"), 0);
	assert_null(json_object_get(ip, "version"));
	json_decref(out);
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cni_env_parse_picks_protocol_variables),
		T(test_cni_env_parse_leaves_unset_variables_null),
		T(test_cni_env_parse_keeps_empty_value),
		T(test_cni_env_parse_later_entry_wins),
		T(test_cni_env_parse_does_not_take_longer_names_for_shorter),
		T(test_cni_version_parse_knows_each_supported_version),
		T(test_cni_version_parse_refuses_others),
		T(test_cni_result_convert_adds_ip_version_before_1_0_0),
		T(test_cni_result_convert_leaves_ips_alone_from_1_0_0),
		T(test_cni_result_convert_without_ips_sets_version_only),
		T(test_cni_result_convert_refuses_ip_without_address),
		T(test_cni_error_json_has_spec_fields),
		T(test_cni_error_json_omits_empty_details),
		T(test_cni_code_of_maps_errno_to_spec_codes),
		T(test_cni_run_version_answers_supported_list),
		T(test_cni_run_unknown_command_gives_code_4),
		T(test_cni_run_missing_command_gives_code_4),
		T(test_cni_run_missing_variable_gives_code_4_naming_it),
		T(test_cni_run_add_and_check_without_netns_give_code_4),
		T(test_cni_run_bad_container_id_gives_code_4),
		T(test_cni_run_bad_ifname_gives_code_4),
		T(test_cni_run_non_utf8_container_id_still_gives_error_object),
		T(test_cni_run_long_non_ascii_value_still_gives_error_object),
		T(test_cni_run_malformed_json_gives_code_6_with_position),
		T(test_cni_run_empty_stdin_gives_code_6),
		T(test_cni_run_trailing_garbage_gives_code_6),
		T(test_cni_run_non_object_json_gives_code_6),
		T(test_cni_run_duplicate_keys_give_code_6),
		T(test_cni_run_missing_cni_version_gives_code_1),
		T(test_cni_run_unsupported_cni_version_gives_code_1),
		T(test_cni_run_cni_version_not_string_gives_code_6),
		T(test_cni_run_check_before_0_4_0_gives_code_1),
		T(test_cni_run_gc_and_status_before_1_1_0_give_code_1),
		T(test_cni_run_missing_network_name_gives_code_7),
		T(test_cni_run_bad_network_name_gives_code_7),
		T(test_cni_run_plugin_type_that_is_a_path_gives_code_7),
		/* These reach caps_require(): keep them last. */
		T(test_cni_run_del_without_netns_calls_plugin),
		T(test_cni_run_del_of_vanished_netns_calls_plugin),
		T(test_cni_run_status_and_gc_need_no_container),
		T(test_cni_run_prev_result_reaches_plugin_in_1_0_0_form),
		T(test_cni_run_prev_result_not_object_is_refused),
		T(test_cni_run_reads_containerd_1_6_port_mappings),
		T(test_cni_run_reads_go_spellings_of_every_key),
		T(test_cni_run_plugin_without_function_succeeds),
		T(test_cni_run_plugin_failure_with_code_is_answered),
		T(test_cni_run_plugin_failure_without_code_maps_errno),
		T(test_cni_run_plugin_einval_failure_has_no_details),
		T(test_cni_run_missing_capability_refused_before_plugin),
		T(test_cni_run_add_in_own_netns_gives_code_4),
		T(test_cni_run_add_with_missing_netns_gives_code_4),
		T(test_cni_run_add_with_netns_not_a_netns_gives_code_4),
		T(test_cni_run_add_answers_result_in_config_version),
		T(test_cni_run_add_answers_1_1_0_result_without_ip_version),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
