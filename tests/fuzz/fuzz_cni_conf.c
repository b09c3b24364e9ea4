// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_cni_conf: the CNI configuration and its prevResult, as a runtime
 * hands them to a plugin on stdin, through cni_run() (lib/cni.c).
 *
 * Input: one byte choosing CNI_COMMAND (DEL, CHECK, GC or STATUS), then
 * CNI_ARGS up to the first NUL, then the configuration. Without a NUL there
 * is no CNI_ARGS and all that follows the first byte is the configuration.
 *
 * CNI_NETNS is never set, so no namespace is opened: DEL goes on without
 * one, CHECK is refused before the plugin. The plugin is a dummy whose verbs
 * only read what a real one reads: CNI_ARGS (cni_args_check/get),
 * runtimeConfig, GC's list of attachments, the "ipam" section
 * (ipam_conf_parse) and the prevResult, converted to every version
 * (cni_result_convert). cni_run() drops every capability (empty need and
 * keep sets), which only makes the fuzzer less privileged.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <plumb/cni.h>
#include <plumb/ipam.h>
#include <plumb/log.h>
#include <plumb/nat.h>

#include "fuzz.h"

static const char *const fz_commands[] = { "DEL", "CHECK", "GC", "STATUS" };

static char *fz_envp[] = { "CNI_PATH=/nonexistent", NULL };

static int fz_read_args(struct cni_req *req)
{
	static const char *const known[] = { "IP", "MAC", NULL };
	char value[64], tiny[4];
	int ret, err;

	/* All of them, whatever the first says, as plugins ask in any order. */
	err = cni_args_check(req, known);
	ret = cni_args_get(req, "IP", value, sizeof(value));
	assert(ret <= 0 || strlen(value) < sizeof(value));
	/* A value longer than the room given must be refused, not cut. */
	ret = cni_args_get(req, "MAC", tiny, sizeof(tiny));
	assert(ret <= 0 || strlen(tiny) < sizeof(tiny));
	ret = cni_args_get(req, "K8S_POD_NAME", value, sizeof(value));
	return err < 0 ? err : ret < 0 ? ret : 0;
}

static void fz_read_conf(struct cni_req *req)
{
	static struct ipam_conf c;
	json_t *ipam = json_object_get(req->conf, "ipam");
	const char *parts[] = { req->name, req->container_id, req->ifname };
	char owner[NFT_OWNER_MAX + 1], who[NAT_WHO_MAX];

	(void)cni_runtime_config(req, "portMappings");
	(void)cni_runtime_config(req, "ips");
	(void)json_string_value(cni_runtime_config(req, "mac"));
	if (ipam && ipam_conf_parse(ipam, &c) == 0) {
		assert(c.n_sets >= 1 && c.n_sets <= IPAM_SETS_MAX);
		assert(c.n_routes <= IPAM_ROUTES_MAX);
		assert(c.data_dir[0] == '\0' || c.data_dir[0] == '/');
	}
	/* An owner of the attachment's kind, that fits an element's comment. */
	nat_owner_make(NAT_OWNER_CNI, parts, 3, owner, sizeof(owner));
	assert(strlen(owner) <= NFT_OWNER_MAX);
	assert(!strncmp(owner, NAT_OWNER_CNI "@", strlen(NAT_OWNER_CNI) + 1));
	assert(nat_owner_check(owner) < 0); /* no person can name it */
	assert(!strncmp(nat_owner_describe(owner, who, sizeof(who)), "CNI attachment ", 15));
}

/* The prevResult as each version would print it. */
static void fz_convert_prev(struct cni_req *req)
{
	int v;

	if (!req->prev_result)
		return;
	for (v = 0; v < CNI_VERSION_COUNT; v++) {
		json_t *copy = json_deep_copy(req->prev_result);

		if (!copy)
			return;
		cni_result_convert(copy, (enum cni_version)v);
		json_decref(copy);
	}
}

static int fz_verb(struct cni_req *req)
{
	int ret = fz_read_args(req);

	fz_read_conf(req);
	fz_convert_prev(req);
	return ret;
}

static int fz_gc(struct cni_req *req)
{
	int ret = fz_verb(req);

	if (ret < 0)
		return ret;
	ret = cni_attachment_valid(req, req->container_id ? req->container_id : "",
				   req->ifname ? req->ifname : "");
	return ret < 0 ? ret : 0;
}

static const struct cni_plugin fz_plugin = {
	.name = "fuzz",
	.del = fz_verb,
	.check = fz_verb,
	.status = fz_verb,
	.gc = fz_gc,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_env env = {
		.container_id = "fuzzcontainer",
		.ifname = "eth0",
		.path = "/nonexistent",
		.envp = fz_envp,
	};
	const uint8_t *nul;
	char args[512];
	json_t *out = NULL;
	char *text;
	int fd, status;

	if (!size)
		return 0;
	env.command = fz_commands[data[0] % 4];
	data++;
	size--;
	nul = memchr(data, '\0', size);
	if (nul && (size_t)(nul - data) < sizeof(args)) {
		memcpy(args, data, (size_t)(nul - data) + 1);
		env.args = args;
		size -= (size_t)(nul - data) + 1;
		data = nul + 1;
	}

	fd = fuzz_memfd(data, size);
	status = cni_run(&fz_plugin, &env, fd, &out);
	close(fd);

	/* Whatever the input, a failure answers with an error object. */
	assert(status == 0 || status == 1);
	if (status == 1) {
		assert(json_is_object(out));
		assert(json_is_integer(json_object_get(out, "code")));
		assert(json_is_string(json_object_get(out, "msg")));
	}
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	assert(!out || text);
	free(text);
	json_decref(out);
	return 0;
}
