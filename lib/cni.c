// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni: the CNI protocol (containernetworking/cni SPEC.md), spec versions 0.3.0
 * to 1.1.0, for every plugin plumb ships.
 *
 * Theory of operation: cni_run() checks the environment, decodes the
 * configuration, settles the version, opens CNI_NETNS, then calls the plugin's
 * function for the verb. Whatever happens, it hands back one JSON value for the
 * front end to print on stdout: the result, the version answer, or an error
 * object {cniVersion, code, msg, details}; logs go to stderr only.
 *
 * The checks and codes follow libcni's skel package, which every runtime's
 * plugins are built on: the same variable is required for the same verb, and
 * a bad container id or interface name gets the same code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/cni.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/netns.h>

static const char *const cni_versions[CNI_VERSION_COUNT] = {
	[CNI_V030] = "0.3.0", [CNI_V031] = "0.3.1", [CNI_V040] = "0.4.0",
	[CNI_V100] = "1.0.0", [CNI_V110] = "1.1.0",
};

static const struct {
	const char *name;
	enum cni_cmd cmd;
	enum cni_version since;
} cni_cmds[] = {
	{ "ADD", CNI_ADD, CNI_V030 },	  { "DEL", CNI_DEL, CNI_V030 },
	{ "CHECK", CNI_CHECK, CNI_V040 }, { "STATUS", CNI_STATUS, CNI_V110 },
	{ "GC", CNI_GC, CNI_V110 },	  { "VERSION", CNI_VERSION, CNI_V030 },
};

/**
 * cni_version_str() - the spelling of a version: "1.0.0"
 * @v:		the version
 */
const char *cni_version_str(enum cni_version v)
{
	return cni_versions[v];
}

/**
 * cni_version_parse() - find a version we speak
 * @s:		"0.4.0"
 * @v:		the version
 *
 * Return: 0, or -ENOTSUP for a version we do not speak.
 */
int cni_version_parse(const char *s, enum cni_version *v)
{
	int i;

	for (i = 0; i < CNI_VERSION_COUNT; i++) {
		if (!strcmp(s, cni_versions[i])) {
			*v = (enum cni_version)i;
			return 0;
		}
	}
	return -ENOTSUP;
}

/**
 * cni_code_of() - the CNI code of an errno from plumb's core
 * @err:	negative errno
 *
 * Return: 11 (try again later) for a lock that timed out or a transaction
 * that kept losing races, 5 for I/O errors, 999 otherwise.
 */
int cni_code_of(int err)
{
	switch (-err) {
	case EAGAIN:
	case ETIMEDOUT:
	case EBUSY:
		return CNI_ERR_AGAIN;
	case EIO:
	case ENOSPC:
	case EROFS:
		return CNI_ERR_IO;
	default:
		return CNI_ERR_INTERNAL;
	}
}

/**
 * cni_fail() - log a failure and say which CNI code it deserves
 * @req:	the invocation
 * @code:	the code, e.g. CNI_ERR_CONFIG
 * @err:	negative errno, or 0 when the message says all
 * @fmt:	what is wrong
 *
 * Return: @err, or -EINVAL when @err is 0.
 */
int cni_fail(struct cni_req *req, int code, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(err, NULL, fmt, ap);
	va_end(ap);
	req->code = code;
	return err ? err : -EINVAL;
}

/**
 * cni_plugin_name_check() - check the name of a plugin a configuration gives
 * @key:	"type" or "ipam.type", for the message
 * @name:	its value, or NULL when absent
 *
 * A plugin is named, never given by path: a name holding '/', or "." or
 * "..", would run a program outside CNI_PATH, as root (libcni refuses the
 * same: CVE-2021-20206).
 *
 * Return: 0 or -EINVAL (logged).
 */
int cni_plugin_name_check(const char *key, const char *name)
{
	if (!name)
		return 0;
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
		return log_errx(-EINVAL,
				"invalid \"%s\" \"%s\": want the name of a plugin on "
				"CNI_PATH, not a path",
				key, name);
	return 0;
}

/*
 * The checks of a variable's value say what is wrong with it (@m); say it
 * once, naming the variable, as code 4 wants ("must contain the names of
 * invalid variables", CNI SPEC "Error").
 */
static int cni_env_fail(struct cni_req *req, const char *var, const struct log_msg *m)
{
	return cni_fail(req, CNI_ERR_ENV, 0, "%s: %s", var, m->text);
}

static int cni_env_check(struct cni_req *req, const struct cni_env *env)
{
	int add_check = req->cmd == CNI_ADD || req->cmd == CNI_CHECK;
	int per_container = add_check || req->cmd == CNI_DEL;
	const struct {
		const char *name;
		const char *value;
		int required;
	} vars[] = {
		{ "CNI_CONTAINERID", env->container_id, per_container },
		{ "CNI_NETNS", env->netns, add_check },
		{ "CNI_IFNAME", env->ifname, per_container },
		{ "CNI_PATH", env->path, per_container },
	};
	struct log_msg m;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (vars[i].required && (!vars[i].value || !*vars[i].value))
			return cni_fail(req, CNI_ERR_ENV, 0,
					"required environment variable %s missing",
					vars[i].name);
	}
	req->container_id = env->container_id;
	req->netns = env->netns && *env->netns ? env->netns : NULL;
	req->ifname = env->ifname;
	req->args = env->args;
	req->path = env->path;
	req->envp = env->envp;
	if (!per_container)
		return 0;
	if (name_check_try("container id", req->container_id, &m) < 0)
		return cni_env_fail(req, "CNI_CONTAINERID", &m);
	if (nl_link_name_check_try(req->ifname, &m) < 0)
		return cni_env_fail(req, "CNI_IFNAME", &m);
	return 0;
}

static int cni_conf_read(struct cni_req *req, int in_fd)
{
	const char *version = NULL, *ipam_type = NULL;
	json_t *ipam = NULL;
	json_error_t jerr;

	req->conf = json_read_fd(in_fd, &jerr);
	if (!req->conf)
		return cni_fail(req, CNI_ERR_DECODE, 0,
				"decode network configuration: %s at line %d column %d",
				jerr.text, jerr.line, jerr.column);
	if (!json_is_object(req->conf))
		return cni_fail(req, CNI_ERR_DECODE, 0,
				"decode network configuration: want a JSON object");

	if (json_get_string(req->conf, "cniVersion", &version) < 0) {
		req->code = CNI_ERR_DECODE;
		return -EINVAL;
	}
	if (!version)
		return cni_fail(req, CNI_ERR_VERSION, 0,
				"network configuration has no \"cniVersion\"");
	if (cni_version_parse(version, &req->version) < 0)
		return cni_fail(req, CNI_ERR_VERSION, 0,
				"incompatible CNI version \"%s\": plumb speaks "
				"0.3.0, 0.3.1, 0.4.0, 1.0.0 and 1.1.0",
				version);

	req->code = CNI_ERR_CONFIG;
	if (json_get_string(req->conf, "name", &req->name) < 0 ||
	    json_get_string(req->conf, "type", &req->type) < 0 ||
	    json_get_object(req->conf, "ipam", &ipam) < 0 ||
	    json_get_string(ipam, "type", &ipam_type) < 0)
		return -EINVAL;
	if (name_check("network name", req->name ? req->name : "") < 0 ||
	    cni_plugin_name_check("type", req->type) < 0 ||
	    cni_plugin_name_check("ipam.type", ipam_type) < 0)
		return -EINVAL;
	req->code = 0;
	return 0;
}

static int cni_netns_open(struct cni_req *req, int unused)
{
	struct log_msg m;
	int self, same;

	req->netns_fd = -1;
	if (!req->netns)
		return 0;
	/* A namespace already gone is no error for DEL: it still cleans up. */
	if (req->cmd == CNI_DEL && access(req->netns, F_OK) < 0 && errno == ENOENT)
		return 0;
	req->netns_fd = netns_open_path_try(req->netns, &m);
	/*
	 * A plugin that never enters the namespace checks it as far as it can
	 * see it: /proc/PID/ns/net of a process that holds capabilities the
	 * plugin dropped takes CAP_SYS_PTRACE to open, which it does not keep.
	 */
	if (req->netns_fd == -EACCES && unused) {
		req->netns_fd = -1;
		return 0;
	}
	/*
	 * Nor is one unmounted whose file stayed (a runtime stopped between
	 * umount and unlink; ip netns makes that file mode 0): DEL works from
	 * the records, and failing it would leak the attachment for good.
	 */
	if (req->netns_fd < 0 && req->cmd == CNI_DEL) {
		log_warn("CNI_NETNS: %s; cleaning up without it", m.text);
		req->netns_fd = -1;
		return 0;
	}
	if (req->netns_fd < 0)
		return cni_env_fail(req, "CNI_NETNS", &m);

	/* As libcni: the container's namespace cannot be the plugin's own. */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	same = self < 0 ? -errno : netns_same(self, req->netns_fd);
	if (self >= 0)
		close(self);
	if (same < 0)
		return cni_fail(req, CNI_ERR_IO, same, "compare CNI_NETNS to our own");
	if (same)
		return cni_fail(req, CNI_ERR_ENV, 0,
				"CNI_NETNS=%s is the plugin's own network namespace",
				req->netns);
	return 0;
}

/* A result in the 1.0.0 form, as @v wants it: before 1.0.0, ips carry a version. */
static int cni_ips_add_version(json_t *ips)
{
	json_t *ip;
	size_t i;

	json_array_foreach(ips, i, ip) {
		const char *addr = json_string_value(json_member(ip, "address"));

		if (!addr)
			return -EINVAL;
		if (json_object_set_new(ip, "version",
					json_string(strchr(addr, ':') ? "6" : "4")))
			return -ENOMEM;
	}
	return 0;
}

/**
 * cni_result_convert() - turn a result of the 1.0.0 form into version @v
 * @result:	the result; changed in place
 * @v:		the version asked for
 *
 * From 0.3.0 to 0.4.0 every entry of "ips" also names its IP version; 1.0.0
 * dropped that; 1.1.0 only added optional fields.
 *
 * Return: 0, or negative errno.
 */
int cni_result_convert(json_t *result, enum cni_version v)
{
	json_t *ips = json_member(result, "ips");

	if (json_object_set_new(result, "cniVersion", json_string(cni_version_str(v))))
		return -ENOMEM;
	if (v < CNI_V100 && json_is_array(ips))
		return cni_ips_add_version(ips);
	return 0;
}

/* prevResult in the 1.0.0 form, whatever version wrote it. */
static int cni_prev_result_normalize(struct cni_req *req)
{
	json_t *ips, *ip;
	size_t i;
	int ret;

	ret = json_get_object(req->conf, "prevResult", &req->prev_result);
	if (ret < 0) {
		req->code = CNI_ERR_DECODE;
		return ret;
	}
	ips = json_member(req->prev_result, "ips");
	json_array_foreach(ips, i, ip) {
		if (json_is_object(ip))
			json_object_del(ip, "version");
	}
	return 0;
}

/**
 * cni_error_json() - the error object of the spec
 * @v:		version of the configuration
 * @code:	the code
 * @msg:	what went wrong
 * @details:	more, or NULL
 *
 * Return: a new JSON object, or NULL when out of memory.
 */
json_t *cni_error_json(enum cni_version v, int code, const char *msg, const char *details)
{
	json_t *err = json_pack("{s:s, s:i, s:o}", "cniVersion", cni_version_str(v),
				"code", code, "msg", json_string_lossy(msg));

	if (err && details && *details)
		json_object_set_new(err, "details", json_string_lossy(details));
	return err;
}

static json_t *cni_version_json(void)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < CNI_VERSION_COUNT; i++)
		json_array_append_new(list, json_string(cni_versions[i]));
	return json_pack("{s:s, s:o}", "cniVersion", cni_versions[CNI_V110],
			 "supportedVersions", list);
}

static int cni_cmd_parse(struct cni_req *req, const char *command)
{
	size_t i;

	for (i = 0; command && i < sizeof(cni_cmds) / sizeof(cni_cmds[0]); i++) {
		if (!strcmp(command, cni_cmds[i].name)) {
			req->cmd = cni_cmds[i].cmd;
			return 0;
		}
	}
	return cni_fail(req, CNI_ERR_ENV, 0, "unknown CNI_COMMAND \"%s\"",
			command ? command : "");
}

/**
 * cni_env_parse() - pick the protocol's variables out of an environment
 * @env:	filled; a variable not set is NULL
 * @envp:	the environment, as environ or main()'s third argument
 */
void cni_env_parse(struct cni_env *env, char *const envp[])
{
	static const struct {
		const char *name;
		size_t offset;
	} vars[] = {
		{ "CNI_COMMAND=", offsetof(struct cni_env, command) },
		{ "CNI_CONTAINERID=", offsetof(struct cni_env, container_id) },
		{ "CNI_NETNS=", offsetof(struct cni_env, netns) },
		{ "CNI_IFNAME=", offsetof(struct cni_env, ifname) },
		{ "CNI_ARGS=", offsetof(struct cni_env, args) },
		{ "CNI_PATH=", offsetof(struct cni_env, path) },
		{ "PLUMB_IPAM_OF=", offsetof(struct cni_env, ipam_of) },
	};
	size_t i;

	memset(env, 0, sizeof(*env));
	env->envp = envp;
	for (; *envp; envp++) {
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			size_t len = strlen(vars[i].name);

			if (!strncmp(*envp, vars[i].name, len))
				*(const char **)((char *)env + vars[i].offset) =
					*envp + len;
		}
	}
}

static int cni_call(const struct cni_plugin *plugin, struct cni_req *req, json_t **result)
{
	switch (req->cmd) {
	case CNI_ADD:
		return plugin->add ? plugin->add(req, result) : 0;
	case CNI_DEL:
		return plugin->del ? plugin->del(req) : 0;
	case CNI_CHECK:
		return plugin->check ? plugin->check(req) : 0;
	case CNI_STATUS:
		return plugin->status ? plugin->status(req) : 0;
	case CNI_GC:
		return plugin->gc ? plugin->gc(req) : 0;
	case CNI_VERSION:
		break;
	}
	return 0;
}

/*
 * Run as another's IPAM plugin, a plugin that is none would run the IPAM
 * plugin in turn: itself again when ipam.type names it, a process more
 * every millisecond until the host runs out. It refuses to hand out
 * addresses; having handed out none, it has none to release (DEL, GC).
 */
static int cni_not_ipam(struct cni_req *req, const char *ipam_of)
{
	const char *type =
		json_string_value(json_member(json_member(req->conf, "ipam"), "type"));

	if (req->cmd == CNI_DEL || req->cmd == CNI_GC)
		return 0;
	return cni_fail(req, CNI_ERR_CONFIG, 0,
			"ipam.type \"%s\" of network %s names %s, which is not an IPAM "
			"plugin (%s ran it as one)",
			type ? type : "", req->name, log_prog(), ipam_of);
}

static int cni_dispatch(const struct cni_plugin *plugin, struct cni_req *req,
			const struct cni_env *env, int in_fd, json_t **result)
{
	size_t i;
	int ret;

	ret = cni_cmd_parse(req, env->command);
	if (ret < 0)
		return ret;
	if (req->cmd == CNI_VERSION) {
		*result = cni_version_json();
		return *result ? 0 : -ENOMEM;
	}
	ret = cni_env_check(req, env);
	if (ret < 0)
		return ret;
	ret = cni_conf_read(req, in_fd);
	if (ret < 0)
		return ret;
	for (i = 0; i < sizeof(cni_cmds) / sizeof(cni_cmds[0]); i++) {
		if (cni_cmds[i].cmd == req->cmd && req->version < cni_cmds[i].since)
			return cni_fail(
				req, CNI_ERR_VERSION, 0,
				"%s needs cniVersion %s or later, the configuration has %s",
				cni_cmds[i].name, cni_version_str(cni_cmds[i].since),
				cni_version_str(req->version));
	}
	ret = cni_prev_result_normalize(req);
	if (ret < 0)
		return ret;
	req->ipam_self = plugin->ipam;
	if (env->ipam_of && !plugin->ipam)
		return cni_not_ipam(req, env->ipam_of);
	/* Bad input is refused alike, privileged or not; then privilege. */
	ret = caps_require(plugin->name, plugin->need, plugin->keep);
	if (ret < 0)
		return ret;
	/* GC and STATUS concern no container: libcni sends CNI_NETNS empty. */
	if (req->cmd == CNI_ADD || req->cmd == CNI_DEL || req->cmd == CNI_CHECK) {
		ret = cni_netns_open(req, plugin->netns_unused);
		if (ret < 0)
			return ret;
	}

	ret = cni_call(plugin, req, result);
	if (ret < 0)
		return ret;
	if (*result)
		return cni_result_convert(*result, req->version);
	return 0;
}

/**
 * cni_run() - serve one CNI invocation
 * @plugin:	what the plugin does for each verb
 * @env:	the CNI_* environment variables
 * @in_fd:	where the configuration comes from (stdin)
 * @out:	set to what must be printed on stdout, or NULL for nothing
 *
 * Return: the exit status: 0, or 1 when @out is an error object.
 */
int cni_run(const struct cni_plugin *plugin, const struct cni_env *env, int in_fd,
	    json_t **out)
{
	struct cni_req req = { .version = CNI_V110, .netns_fd = -1 };
	json_t *result = NULL;
	int ret;

	log_clear();
	ret = cni_dispatch(plugin, &req, env, in_fd, &result);
	if (req.netns_fd >= 0)
		close(req.netns_fd);
	if (ret < 0) {
		json_decref(result);
		*out = cni_error_json(req.version, req.code ? req.code : cni_code_of(ret),
				      *log_last() ? log_last() : strerror(-ret),
				      ret != -EINVAL ? strerror(-ret) : NULL);
		json_decref(req.conf);
		return 1;
	}
	json_decref(req.conf);
	*out = result;
	return 0;
}

/**
 * cni_serve() - a plugin's main: one invocation, from its environment and
 * stdin, answered on the stream the front end gives (stdout)
 * @plugin:	what the plugin does for each verb
 * @prog:	its name, for messages on stderr
 * @envp:	its environment (environ)
 * @in_fd:	where the configuration comes from (stdin)
 * @out:	where the result or error object goes (stdout)
 *
 * Return: the exit status.
 */
int cni_serve(const struct cni_plugin *plugin, const char *prog, char *const envp[],
	      int in_fd, FILE *out)
{
	struct cni_env env;
	json_t *answer = NULL;
	int status;

	log_init(prog);
	cni_env_parse(&env, envp);
	status = cni_run(plugin, &env, in_fd, &answer);
	if (answer && json_write(out, answer) < 0)
		status = 1;
	json_decref(answer);
	return status;
}
