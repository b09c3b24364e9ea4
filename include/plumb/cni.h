/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cni: the CNI protocol, spec 0.3.0 to 1.1.0, shared by every plugin. */
#ifndef PLUMB_CNI_H
#define PLUMB_CNI_H

#include <stdio.h>

#include <jansson.h>

#include <plumb/caps.h>

enum cni_cmd {
	CNI_ADD,
	CNI_DEL,
	CNI_CHECK,
	CNI_STATUS,
	CNI_GC,
	CNI_VERSION,
};

/* Versions we speak, oldest first, so that they compare as numbers. */
enum cni_version {
	CNI_V030,
	CNI_V031,
	CNI_V040,
	CNI_V100,
	CNI_V110,
	CNI_VERSION_COUNT,
};

/* Error codes of the spec (1-99) and libcni's ErrInternal. */
enum cni_code {
	CNI_ERR_VERSION = 1,
	CNI_ERR_FIELD = 2,
	CNI_ERR_CONTAINER = 3,
	CNI_ERR_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_CONFIG = 7,
	CNI_ERR_AGAIN = 11,
	CNI_ERR_UNAVAILABLE = 50,
	CNI_ERR_DEGRADED = 51,
	CNI_ERR_INTERNAL = 999,
};

/**
 * struct cni_env - the protocol's environment variables, NULL when unset
 *
 * The front end reads them (lib never reads the environment). @ipam_of is
 * plumb's own, PLUMB_IPAM_OF: the plugin that runs this one as its IPAM
 * plugin (cni_ipam.c sets it for the plugins it runs).
 */
struct cni_env {
	const char *command;
	const char *container_id;
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path;
	const char *ipam_of;
	char *const *envp;
};

/**
 * struct cni_req - one invocation, checked and decoded
 * @cmd:	the verb
 * @version:	the cniVersion of the configuration; results are answered in it
 * @container_id: CNI_CONTAINERID (NULL for STATUS and GC)
 * @netns:	CNI_NETNS, or NULL
 * @netns_fd:	CNI_NETNS opened and checked, or -1 (DEL of a namespace gone)
 * @ifname:	CNI_IFNAME
 * @args:	CNI_ARGS, or NULL
 * @path:	CNI_PATH, or NULL
 * @envp:	the whole environment, handed on to a delegated IPAM plugin
 * @conf:	the network configuration
 * @name:	its "name"
 * @type:	its "type"
 * @prev_result: its "prevResult" in the 1.0.0 form, or NULL
 * @code:	set by a plugin that knows the CNI code of its failure
 * @ipam_versions: on GC and STATUS, what a delegated IPAM plugin answered
 *		VERSION (kept by cni_ipam.c); 0 until it is asked
 * @ipam_self:	this plugin is the IPAM plugin: the "ipam" section is its
 *		own, whatever its "type" names
 */
struct cni_req {
	enum cni_cmd cmd;
	enum cni_version version;
	const char *container_id;
	const char *netns;
	int netns_fd;
	const char *ifname;
	const char *args;
	const char *path;
	char *const *envp;
	json_t *conf;
	const char *name;
	const char *type;
	json_t *prev_result;
	int code;
	unsigned int ipam_versions;
	int ipam_self;
};

/**
 * struct cni_plugin - what a plugin does for each verb
 *
 * Each returns 0 or a negative errno after logging why; ADD sets @result to
 * a result in the 1.0.0 form, which is converted to the asked version. A NULL
 * function succeeds without doing anything. @need and @keep are the
 * capabilities it works with, checked (and the others dropped) before any
 * verb but VERSION. A plugin that never works inside CNI_NETNS (IPAM, host
 * NAT) sets @netns_unused: CNI_NETNS is then checked as far as the plugin can
 * open it without CAP_SYS_PTRACE, which /proc/PID/ns/net of a process holding
 * capabilities it dropped would take, and which it does not keep.
 *
 * An IPAM plugin (@ipam) serves the configuration's "ipam" section itself,
 * whatever its "type" says, as the reference host-local does: a plugin runs
 * it because that type named it. Any other plugin of plumb's that another
 * runs as its IPAM plugin refuses to be one (it would run the IPAM plugin
 * in turn, itself again without end when the type names it).
 */
struct cni_plugin {
	const char *name;
	struct caps_set need;
	struct caps_set keep;
	int netns_unused;
	int ipam;
	int (*add)(struct cni_req *req, json_t **result);
	int (*del)(struct cni_req *req);
	int (*check)(struct cni_req *req);
	int (*status)(struct cni_req *req);
	int (*gc)(struct cni_req *req);
};

void cni_env_parse(struct cni_env *env, char *const envp[]);
int cni_serve(const struct cni_plugin *plugin, const char *prog, char *const envp[],
	      int in_fd, FILE *out);
int cni_run(const struct cni_plugin *plugin, const struct cni_env *env, int in_fd,
	    json_t **out);
int cni_fail(struct cni_req *req, int code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cni_plugin_name_check(const char *key, const char *name);
const char *cni_version_str(enum cni_version v);
int cni_version_parse(const char *s, enum cni_version *v);
int cni_result_convert(json_t *result, enum cni_version v);
json_t *cni_error_json(enum cni_version v, int code, const char *msg,
		       const char *details);
int cni_code_of(int err);

/* cni_args.c: CNI_ARGS, runtimeConfig, GC's attachment list */
int cni_args_get(struct cni_req *req, const char *key, char *value, size_t size);
int cni_args_check(struct cni_req *req, const char *const known[]);
json_t *cni_runtime_config(const struct cni_req *req, const char *key);
int cni_attachment_valid(const struct cni_req *req, const char *id, const char *ifname);

#endif
