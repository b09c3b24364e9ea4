// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni_ipam: where a CNI plugin's addresses come from.
 *
 * The "ipam" section names a plugin. When it is plumb's own ("plumb-ipam"),
 * the work is done in this process on the same store and with the same result
 * as the plumb-ipam binary gives: no process start. Any other (host-local,
 * static, dhcp) is found on CNI_PATH and run by absolute path, with our
 * environment but for CNI_COMMAND (and, for GC's clean-ups, the container's
 * id and interface), and the whole configuration on its stdin, as libcni runs
 * plugins. Its error object's code and message are handed on.
 *
 * GC and STATUS came with spec 1.1.0, and a plugin is given only a version
 * it lists in its VERSION answer: libcni's skel refuses any other with code
 * 1, and the skel of older reference plugins (Debian's 1.1.1 speaks up to
 * 1.0.0) answers GC and STATUS with code 3, "missing containerID", as it
 * checks the variables before the command. So on GC and STATUS, and only
 * there (never on ADD, DEL or CHECK: one process more), a delegated plugin
 * is first asked VERSION, as libcni asks a plugin (GetVersionInfo), and
 * then given GC or STATUS only if it speaks the configuration's version.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/cni_ipam.h>
#include <plumb/exec.h>
#include <plumb/ipam.h>
#include <plumb/fault.h>
#include <plumb/json.h>
#include <plumb/log.h>

#define ENV_MAX 4096

/* The IPAM plugin: plumb's own when this is it, whatever "type" says. */
static const char *cni_ipam_type(const struct cni_req *req)
{
	if (req->ipam_self)
		return CNI_IPAM_SELF;
	return json_string_value(json_member(json_member(req->conf, "ipam"), "type"));
}

/* --- another plugin, run ------------------------------------------------- */

/*
 * Our environment with CNI_COMMAND (and the attachment, when given) replaced,
 * and PLUMB_IPAM_OF naming us: a plugin of plumb's that is no IPAM plugin
 * then refuses to be run as one (lib/cni.c, cni_not_ipam()).
 */
static char **cni_ipam_env(const struct cni_req *req, const char *command, const char *id,
			   const char *ifname, char vars[4][256])
{
	static const char *const names[] = { "CNI_COMMAND=", "CNI_CONTAINERID=",
					     "CNI_IFNAME=", "PLUMB_IPAM_OF=" };
	const char *values[] = { command, id, ifname, log_prog() };
	size_t n = 0, i, k;
	char **env;

	while (req->envp && req->envp[n])
		n++;
	env = calloc(n + 5, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0, k = 0; i < n; i++) {
		if (strncmp(req->envp[i], names[0], 12) &&
		    (!id || strncmp(req->envp[i], names[1], 16)) &&
		    (!ifname || strncmp(req->envp[i], names[2], 11)) &&
		    strncmp(req->envp[i], names[3], 14))
			env[k++] = req->envp[i];
	}
	for (i = 0; i < 4; i++) {
		if (!values[i])
			continue;
		snprintf(vars[i], 256, "%s%s", names[i], values[i]);
		env[k++] = vars[i];
	}
	return env;
}

/*
 * A failed plugin's error object, handed on with its code. VERSION came
 * with spec 0.2.0: a plugin that predates it answers code 4 (unknown
 * CNI_COMMAND) and speaks 0.1.0 only, as libcni's GetVersionInfo takes it;
 * that is no failure of ours: 1, not logged.
 */
static int cni_ipam_failed(struct cni_req *req, const char *type, const char *command,
			   int status, const char *out)
{
	json_t *err = out ? json_loads(out, 0, NULL) : NULL;
	const char *msg = json_string_value(json_member(err, "msg"));
	json_int_t code = json_integer_value(json_member(err, "code"));
	int ret;

	if (code == CNI_ERR_ENV && !strcmp(command, "VERSION"))
		ret = 1;
	else if (msg)
		ret = cni_fail(req, code > 0 ? (int)code : CNI_ERR_INTERNAL, 0,
			       "IPAM plugin %s: %s", type, msg);
	else if (status > EXEC_KILLED)
		ret = cni_fail(req, CNI_ERR_INTERNAL, 0,
			       "IPAM plugin %s: killed by signal %d (%s)", type,
			       status - EXEC_KILLED, strsignal(status - EXEC_KILLED));
	else
		ret = cni_fail(req, CNI_ERR_INTERNAL, 0,
			       "IPAM plugin %s: exited with status %d without an "
			       "error object",
			       type, status);
	json_decref(err);
	return ret;
}

/* "ipamTimeout", plumb's own key: how long a delegated plugin may take. */
static int cni_ipam_timeout(struct cni_req *req, long long *seconds)
{
	*seconds = CNI_IPAM_TIMEOUT;
	if (json_get_int(req->conf, "ipamTimeout", 1, 3600, seconds) < 0) {
		req->code = CNI_ERR_CONFIG;
		return -EINVAL;
	}
	return 0;
}

/* Run @path; what went wrong running it, in the plugin's name. */
static int cni_ipam_run(struct cni_req *req, const char *type, const char *path,
			char **env, const char *in, char **out, size_t *out_len)
{
	long long seconds;
	int ret;

	ret = cni_ipam_timeout(req, &seconds);
	if (ret < 0)
		return ret;
	ret = exec_run(path, env, in, strlen(in), (int)seconds * 1000, out, out_len);
	if (ret == -ETIMEDOUT) {
		cni_fail(req, CNI_ERR_AGAIN, 0,
			 "IPAM plugin %s: no answer within %lld s (\"ipamTimeout\"); "
			 "killed it",
			 type, seconds);
		return ret;
	}
	if (ret == -EFBIG) {
		cni_fail(req, CNI_ERR_INTERNAL, 0,
			 "IPAM plugin %s: printed more than %d KiB; killed it", type,
			 EXEC_OUT_MAX / 1024);
		return ret;
	}
	if (ret < 0)
		return cni_fail(req, CNI_ERR_INTERNAL, ret, "run IPAM plugin %s (%s)",
				type, path);
	return ret;
}

/* Run the configuration's IPAM plugin with @in on its stdin. */
static int cni_ipam_call(struct cni_req *req, const char *command, const char *id,
			 const char *ifname, const char *in, json_t **result)
{
	const char *type = cni_ipam_type(req);
	char path[PATH_MAX], vars[4][256], *out = NULL;
	char **env = NULL;
	size_t out_len = 0;
	int ret;

	ret = exec_find(type, req->path ? req->path : "", path, sizeof(path));
	if (ret < 0)
		return cni_fail(req, CNI_ERR_CONFIG, 0,
				"IPAM plugin \"%s\" not found in "
				"CNI_PATH %s",
				type, req->path ? req->path : "(unset)");
	env = cni_ipam_env(req, command, id, ifname, vars);
	if (!in || !env) {
		ret = log_err(-ENOMEM, "run IPAM plugin %s", type);
		goto out;
	}
	ret = cni_ipam_run(req, type, path, env, in, &out, &out_len);
	if (ret > 0) {
		ret = cni_ipam_failed(req, type, command, ret, out);
	} else if (ret == 0 && result) {
		json_error_t jerr;

		*result = out_len ? json_loads(out, 0, &jerr) : NULL;
		if (!json_is_object(*result)) {
			json_decref(*result);
			*result = NULL;
			ret = cni_fail(req, CNI_ERR_DECODE, 0,
				       "IPAM plugin %s printed no "
				       "result object",
				       type);
		}
	}
out:
	free(out);
	free(env);
	return ret;
}

/* --- another plugin, its versions ---------------------------------------- */

#define CNI_IPAM_ASKED (1u << CNI_VERSION_COUNT) /* in req->ipam_versions */

static int cni_ipam_speaks(const struct cni_req *req, enum cni_version v)
{
	return !!(req->ipam_versions & (1u << v));
}

static long cni_ipam_major(enum cni_version v)
{
	return strtol(cni_version_str(v), NULL, 10);
}

/*
 * The version a delegated plugin is given: the configuration's, but to one
 * asked that does not speak it (only on GC) the newest it speaks of the
 * same major version, which reads the same configuration ("the
 * configuration format MUST remain backwards and forwards compatible within
 * major versions", SPEC "Version considerations"). So GC's DELs reach
 * Debian's host-local at 1.0.0, which it takes, rather than at 1.1.0.
 */
static enum cni_version cni_ipam_version(const struct cni_req *req)
{
	long major = cni_ipam_major(req->version);
	int v;

	if (!(req->ipam_versions & CNI_IPAM_ASKED) || cni_ipam_speaks(req, req->version))
		return req->version;
	for (v = (int)req->version; major > 0 && v >= 0; v--) {
		if (cni_ipam_major((enum cni_version)v) != major)
			break;
		if (cni_ipam_speaks(req, (enum cni_version)v))
			return (enum cni_version)v;
	}
	return req->version;
}

/* The configuration in the version the plugin is given (JSON text, or NULL). */
static char *cni_ipam_stdin(const struct cni_req *req)
{
	enum cni_version v = cni_ipam_version(req);
	json_t *conf;
	char *in = NULL;

	if (v == req->version)
		return json_dumps(req->conf, JSON_COMPACT);
	conf = json_copy(req->conf);
	if (conf &&
	    !json_object_set_new(conf, "cniVersion", json_string(cni_version_str(v))))
		in = json_dumps(conf, JSON_COMPACT);
	json_decref(conf);
	return in;
}

/* The versions plumb speaks that a VERSION answer lists, 1 << version each. */
static unsigned int cni_ipam_listed(const json_t *answer)
{
	json_t *list = json_member(answer, "supportedVersions"), *s;
	enum cni_version v;
	unsigned int mask = 0;
	size_t i;

	json_array_foreach(list, i, s) {
		if (json_is_string(s) && cni_version_parse(json_string_value(s), &v) == 0)
			mask |= 1u << v;
	}
	return mask;
}

/**
 * cni_ipam_version_ask() - ask a delegated IPAM plugin which versions it
 * speaks (CNI_COMMAND=VERSION), once per invocation
 * @req:	the GC or STATUS invocation
 *
 * What it answers decides, for the rest of @req, whether it is given GC and
 * STATUS, and in which version its configuration is given (see
 * cni_ipam_version()). plumb-ipam, in this process, is never asked.
 *
 * Return: 0 or negative errno (logged, req->code set).
 */
int cni_ipam_version_ask(struct cni_req *req)
{
	const char *type = cni_ipam_type(req);
	json_t *answer = NULL;
	char in[64];
	int ret;

	if (!type || !strcmp(type, CNI_IPAM_SELF) || req->ipam_versions)
		return 0;
	snprintf(in, sizeof(in), "{\"cniVersion\":\"%s\"}",
		 cni_version_str(req->version));
	ret = cni_ipam_call(req, "VERSION", NULL, NULL, in, &answer);
	if (ret < 0)
		return ret;
	req->ipam_versions = CNI_IPAM_ASKED | (ret == 0 ? cni_ipam_listed(answer) : 0);
	json_decref(answer);
	return 0;
}

/**
 * cni_ipam_exec() - run the configuration's IPAM plugin
 * @req:	the invocation
 * @command:	"ADD", "DEL", "CHECK", "GC", "STATUS"
 * @id:		container id to give it, or NULL for the invocation's
 * @ifname:	interface to give it, or NULL for the invocation's
 * @result:	its result when it printed one (ADD), or NULL to drop it
 *
 * The plugin gets at most "ipamTimeout" seconds (CNI_IPAM_TIMEOUT by
 * default) and EXEC_OUT_MAX bytes of output; whatever goes wrong, the
 * message names it.
 *
 * Return: 0 or negative errno (logged, req->code set from its error).
 */
int cni_ipam_exec(struct cni_req *req, const char *command, const char *id,
		  const char *ifname, json_t **result)
{
	char *in = cni_ipam_stdin(req);
	int ret = cni_ipam_call(req, command, id, ifname, in, result);

	free(in);
	return ret;
}

/* --- plumb's own, in this process --------------------------------------- */

#define CNI_IPS_MAX 8

/* The addresses asked for: CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips. */
static int cni_ipam_requested(struct cni_req *req,
			      char ips[CNI_IPS_MAX][INET_PREFIX_STRLEN], size_t *n)
{
	json_t *lists[] = {
		json_member(json_member(json_member(req->conf, "args"), "cni"), "ips"),
		cni_runtime_config(req, "ips"),
	};
	const char *s;
	json_t *v;
	size_t i, k;
	int ret;

	*n = 0;
	ret = cni_args_get(req, "IP", ips[0], INET_PREFIX_STRLEN);
	if (ret < 0)
		return ret;
	*n = (size_t)ret;
	for (i = 0; i < 2; i++) {
		json_array_foreach(lists[i], k, v) {
			s = json_string_value(v);
			if (!s || *n == CNI_IPS_MAX ||
			    (size_t)snprintf(ips[*n], INET_PREFIX_STRLEN, "%s", s) >=
				    INET_PREFIX_STRLEN)
				return cni_fail(req, CNI_ERR_CONFIG, 0,
						"invalid requested IPs");
			(*n)++;
		}
	}
	return 0;
}

/* Which set a requested address goes to: the first whose ranges hold it. */
static int cni_ipam_place(struct cni_req *req, const struct ipam_conf *c, char *ip,
			  struct inet_addr want[IPAM_SETS_MAX])
{
	struct inet_addr a;
	size_t set, r;
	int full = 0;

	ip[strcspn(ip, "/")] = '\0'; /* a prefix length means nothing here */
	if (inet_addr_parse(ip, &a) < 0)
		return cni_fail(req, CNI_ERR_CONFIG, 0, "invalid requested IP \"%s\"",
				ip);
	for (set = 0; set < c->n_sets; set++) {
		for (r = 0; r < c->sets[set].n; r++) {
			if (!inet_prefix_contains(&c->sets[set].range[r].subnet, &a))
				continue;
			if (!want[set].family) {
				want[set] = a;
				return 0;
			}
			full = 1;
		}
	}
	if (full)
		return cni_fail(req, CNI_ERR_CONFIG, 0,
				"requested IP %s: its range set has a requested IP "
				"already, and gives one address",
				ip);
	return cni_fail(req, CNI_ERR_CONFIG, 0,
			"requested IP %s is in none of the ranges", ip);
}

/*
 * A lease store refused as unsafe (a symlink, a directory of another user's
 * or one writable by others) is the fault of "ipam.dataDir", or of its
 * default: code 7, naming the key.
 */
static int cni_ipam_open(struct cni_req *req, struct ipam *ipam,
			 const struct ipam_conf *c)
{
	char why[LOG_MSG_MAX];
	int ret = ipam_open(ipam, c->data_dir, req->name);

	if (ret != -ELOOP && ret != -EPERM)
		return ret;
	snprintf(why, sizeof(why), "%s", log_last());
	return cni_fail(req, CNI_ERR_CONFIG, 0, "invalid \"ipam.dataDir\": %s", why);
}

static int cni_ipam_conf(struct cni_req *req, struct ipam_conf *c)
{
	if (ipam_conf_parse(json_member(req->conf, "ipam"), c) < 0) {
		req->code = CNI_ERR_CONFIG;
		return -EINVAL;
	}
	return 0;
}

/*
 * "ipam.resolvConf", opened only if it is a regular file: a FIFO would block
 * the plugin for good (O_NONBLOCK lets us look first). Any other file, as a
 * missing one, gives no DNS.
 */
static FILE *cni_ipam_resolv_open(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	if (!*path)
		return NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warn("ipam.resolvConf %s is not a regular file; no DNS from it",
			 path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/* "nameserver", "domain", "search", "options" of a resolv.conf, as CNI's dns */
static json_t *cni_ipam_dns(const char *path)
{
	json_t *dns = json_object(), *servers = json_array(), *search = json_array(),
	       *options = json_array();
	char line[512], word[256];
	const char *p;
	int n;
	FILE *f = cni_ipam_resolv_open(path);

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "domain %255s", word) == 1)
			json_object_set_new(dns, "domain", json_string(word));
		else if (sscanf(line, "nameserver %255s", word) == 1)
			json_array_append_new(servers, json_string(word));
		else if (!strncmp(line, "search", 6) || !strncmp(line, "options", 7))
			for (p = line + (line[0] == 's' ? 6 : 7);
			     sscanf(p, "%255s%n", word, &n) == 1; p += n)
				json_array_append_new(line[0] == 's' ? search : options,
						      json_string(word));
	}
	if (f)
		fclose(f);
	if (json_array_size(servers))
		json_object_set(dns, "nameservers", servers);
	if (json_array_size(search))
		json_object_set(dns, "search", search);
	if (json_array_size(options))
		json_object_set(dns, "options", options);
	json_decref(servers);
	json_decref(search);
	json_decref(options);
	return dns;
}

static json_t *cni_ipam_result(const struct ipam_conf *c, const struct ipam_lease *l)
{
	char a[INET_PREFIX_STRLEN], g[INET_ADDR_STRLEN];
	json_t *ips = json_array(), *routes = json_array(), *o;
	size_t i;

	for (i = 0; i < c->n_sets; i++) {
		o = json_pack("{s:s}", "address",
			      inet_prefix_str(&l[i].addr, a, sizeof(a)));
		if (o && l[i].gateway.family)
			json_object_set_new(
				o, "gateway",
				json_string(inet_addr_str(&l[i].gateway, g, sizeof(g))));
		json_array_append_new(ips, o);
	}
	for (i = 0; i < c->n_routes; i++) {
		o = json_pack("{s:s}", "dst",
			      inet_prefix_str(&c->route_dst[i], a, sizeof(a)));
		if (o && c->route_gw[i].family)
			json_object_set_new(o, "gw",
					    json_string(inet_addr_str(&c->route_gw[i], g,
								      sizeof(g))));
		json_array_append_new(routes, o);
	}
	o = json_pack("{s:o}", "ips", ips);
	if (o && json_array_size(routes))
		json_object_set(o, "routes", routes);
	if (o)
		json_object_set_new(o, "dns", cni_ipam_dns(c->resolv_conf));
	json_decref(routes);
	return o;
}

static int cni_ipam_self_add(struct cni_req *req, json_t **result)
{
	char ips[CNI_IPS_MAX][INET_PREFIX_STRLEN];
	struct inet_addr want[IPAM_SETS_MAX];
	struct ipam_lease leases[IPAM_SETS_MAX];
	struct ipam_conf c;
	struct ipam ipam;
	size_t n, i;
	int ret;

	ret = cni_ipam_conf(req, &c);
	if (ret == 0)
		ret = cni_ipam_requested(req, ips, &n);
	memset(want, 0, sizeof(want));
	for (i = 0; ret == 0 && i < n; i++)
		ret = cni_ipam_place(req, &c, ips[i], want);
	if (ret < 0)
		return ret;
	ret = cni_ipam_open(req, &ipam, &c);
	if (ret < 0)
		return ret;
	ret = ipam_lease_claim(&ipam, c.sets, c.n_sets, req->container_id, req->ifname,
			       want, leases);
	if (ret == 0) {
		fault_point("ipam-claimed");
		*result = cni_ipam_result(&c, leases);
		if (!*result) {
			ipam_lease_release(&ipam, req->container_id, req->ifname);
			ret = log_err(-ENOMEM, "build IPAM result");
		}
	}
	ipam_close(&ipam);
	return ret;
}

/* A store that does not exist holds nothing: do not make one to find that out. */
static int cni_ipam_self_open(struct cni_req *req, struct ipam *ipam, struct ipam_conf *c)
{
	char dir[PATH_MAX];
	int ret = cni_ipam_conf(req, c);

	if (ret < 0)
		return ret;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", c->data_dir, req->name) >=
	    sizeof(dir))
		return cni_fail(req, CNI_ERR_CONFIG, 0,
				"invalid \"ipam.dataDir\": too long");
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return 1;
	return cni_ipam_open(req, ipam, c);
}

/* --- the verbs ----------------------------------------------------------- */

static void cni_ipam_normalize(json_t *result)
{
	json_t *ips = json_member(result, "ips"), *ip;
	size_t i;

	json_array_foreach(ips, i, ip)
		json_object_del(ip, "version");
}

/**
 * cni_ipam_add() - addresses for the invocation's attachment
 * @req:	the ADD invocation
 * @result:	the IPAM result in the 1.0.0 form ({ips, routes, dns}), or NULL
 *		when the configuration has no "ipam" (a link without addresses)
 *
 * Return: 0 or negative errno (logged, req->code set).
 */
int cni_ipam_add(struct cni_req *req, json_t **result)
{
	const char *type = cni_ipam_type(req);
	int ret;

	*result = NULL;
	if (!type)
		return 0;
	if (!strcmp(type, CNI_IPAM_SELF))
		return cni_ipam_self_add(req, result);
	ret = cni_ipam_exec(req, "ADD", NULL, NULL, result);
	if (ret == 0)
		cni_ipam_normalize(*result);
	return ret;
}

/**
 * cni_ipam_del() - release an attachment's addresses; releasing what is not
 * held succeeds
 * @req:	the invocation
 * @id:		the container id, or NULL for the invocation's
 * @ifname:	the interface, or NULL for the invocation's
 *
 * Return: 0 or negative errno (logged, req->code set).
 */
int cni_ipam_del(struct cni_req *req, const char *id, const char *ifname)
{
	const char *type = cni_ipam_type(req);
	struct ipam_conf c;
	struct ipam ipam;
	int ret;

	if (!type)
		return 0;
	if (strcmp(type, CNI_IPAM_SELF))
		return cni_ipam_exec(req, "DEL", id, ifname, NULL);
	ret = cni_ipam_self_open(req, &ipam, &c);
	if (ret != 0)
		return ret > 0 ? 0 : ret;
	ret = ipam_lease_release(&ipam, id ? id : req->container_id,
				 ifname ? ifname : req->ifname);
	ipam_close(&ipam);
	return ret < 0 ? ret : 0;
}

/**
 * cni_ipam_check() - the attachment still holds its addresses
 * @req:	the CHECK invocation
 *
 * Return: 0 or negative errno (logged).
 */
int cni_ipam_check(struct cni_req *req)
{
	const char *type = cni_ipam_type(req);
	struct ipam_lease leases[IPAM_SETS_MAX];
	struct ipam_conf c;
	struct ipam ipam;
	int held, ret;

	if (!type)
		return 0;
	if (strcmp(type, CNI_IPAM_SELF))
		return cni_ipam_exec(req, "CHECK", NULL, NULL, NULL);
	ret = cni_ipam_self_open(req, &ipam, &c);
	if (ret < 0)
		return ret;
	held = 0; /* no store at all: nothing held */
	if (ret == 0) {
		held = ipam_lease_find(&ipam, c.sets, c.n_sets, req->container_id,
				       req->ifname, leases, IPAM_SETS_MAX);
		ipam_close(&ipam);
		if (held < 0)
			return held;
	}
	if ((size_t)held < c.n_sets)
		return log_errx(-ENOENT,
				"container %s (%s) holds %d of its %zu addresses",
				req->container_id, req->ifname, held, c.n_sets);
	return 0;
}

/*
 * GC and STATUS, given only to a plugin that speaks the configuration's
 * version (1.1.0 or later: cni_dispatch() refuses older ones); 1, not
 * logged, when it does not.
 */
static int cni_ipam_exec_new(struct cni_req *req, const char *command)
{
	int ret = cni_ipam_version_ask(req);

	if (ret < 0)
		return ret;
	if (!cni_ipam_speaks(req, req->version))
		return 1;
	return cni_ipam_exec(req, command, NULL, NULL, NULL);
}

static int cni_ipam_keep(const char *id, const char *ifname, void *arg)
{
	return cni_attachment_valid(arg, id, ifname);
}

/**
 * cni_ipam_gc() - release the addresses of attachments not in GC's list
 * @req:	the GC invocation
 *
 * A delegated plugin that does not speak the configuration's version is not
 * given GC (a warning says so): the DELs of the stale attachments its
 * caller knew of are all it gets.
 *
 * Return: 0 or negative errno (logged).
 */
int cni_ipam_gc(struct cni_req *req)
{
	const char *type = cni_ipam_type(req);
	struct ipam_conf c;
	struct ipam ipam;
	int ret;

	if (!type)
		return 0;
	if (strcmp(type, CNI_IPAM_SELF)) {
		ret = cni_ipam_exec_new(req, "GC");
		if (ret == 1)
			log_warn("IPAM plugin %s does not speak CNI %s; "
				 "its GC is skipped",
				 type, cni_version_str(req->version));
		return ret > 0 ? 0 : ret;
	}
	ret = cni_attachment_valid(req, "", "");
	if (ret < 0)
		return ret;
	ret = cni_ipam_self_open(req, &ipam, &c);
	if (ret != 0)
		return ret > 0 ? 0 : ret;
	ret = ipam_gc(&ipam, cni_ipam_keep, req);
	ipam_close(&ipam);
	return ret < 0 ? ret : 0;
}

/**
 * cni_ipam_status() - can an ADD get addresses now?
 * @req:	the STATUS invocation
 *
 * Return: 0, or negative errno (logged, req->code CNI_ERR_UNAVAILABLE when a
 * range set is exhausted, CNI_ERR_VERSION when a delegated plugin does not
 * speak the configuration's version).
 */
int cni_ipam_status(struct cni_req *req)
{
	const char *type = cni_ipam_type(req);
	struct ipam_conf c;
	struct ipam ipam;
	size_t i;
	int ret;

	if (!type)
		return 0;
	/*
	 * A plugin that does not speak the configuration's version refuses
	 * ADD in it: not ready (SPEC "STATUS": a plugin that knows it cannot
	 * serve ADD must fail), with the code of a version mismatch.
	 */
	if (strcmp(type, CNI_IPAM_SELF)) {
		ret = cni_ipam_exec_new(req, "STATUS");
		if (ret == 1)
			ret = cni_fail(req, CNI_ERR_VERSION, 0,
				       "IPAM plugin %s does not speak CNI %s, the "
				       "network's version: it would refuse ADD",
				       type, cni_version_str(req->version));
		return ret;
	}
	ret = cni_ipam_self_open(req, &ipam, &c);
	if (ret != 0)
		return ret > 0 ? 0 : ret;
	for (i = 0; ret == 0 && i < c.n_sets; i++) {
		ret = ipam_set_has_free(&ipam, &c.sets[i]);
		if (ret == 0)
			ret = cni_fail(req, CNI_ERR_UNAVAILABLE, 0,
				       "no free address in range "
				       "set %zu of network %s",
				       i, req->name);
		else if (ret > 0)
			ret = 0;
	}
	ipam_close(&ipam);
	return ret;
}
