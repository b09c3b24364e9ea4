// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni_args: what a CNI invocation carries besides the configuration proper:
 * CNI_ARGS ("K=V;K2=V2", libcni's format: a value holds no '=' and an unknown
 * key is an error unless IgnoreUnknown is true), the runtimeConfig the
 * runtime fills for declared capabilities, and the list of attachments still
 * valid that GC receives.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <plumb/cni.h>
#include <plumb/json.h>
#include <plumb/log.h>

typedef int (*cni_pair_fn)(const char *key, size_t klen, const char *val, size_t vlen,
			   void *arg);

/* Walk the pairs of CNI_ARGS; a malformed one is a precise error (code 4). */
static int cni_args_walk(struct cni_req *req, cni_pair_fn fn, void *arg)
{
	const char *p = req->args, *end, *eq;
	int ret;

	for (; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ';');
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq || eq == p || memchr(eq + 1, '=', (size_t)(end - eq - 1)))
			return cni_fail(req, CNI_ERR_ENV, 0,
					"CNI_ARGS: invalid pair \"%.*s\": "
					"want KEY=VALUE",
					(int)(end - p), p);
		ret = fn(p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1), arg);
		if (ret)
			return ret;
	}
	return 0;
}

struct cni_arg_find {
	const char *key;
	char *value;
	size_t size;
};

static int cni_arg_match(const char *key, size_t klen, const char *val, size_t vlen,
			 void *arg)
{
	struct cni_arg_find *f = arg;

	if (strlen(f->key) != klen || strncmp(key, f->key, klen))
		return 0;
	if (vlen >= f->size)
		return -ENAMETOOLONG;
	memcpy(f->value, val, vlen);
	f->value[vlen] = '\0';
	return 1;
}

/**
 * cni_args_get() - the value of a key of CNI_ARGS
 * @req:	the invocation
 * @key:	"IP", "MAC"...
 * @value:	its value
 * @size:	room at @value
 *
 * Return: 1 when present, 0 when absent, -EINVAL (logged, code 4) when
 * CNI_ARGS is malformed or the value too long.
 */
int cni_args_get(struct cni_req *req, const char *key, char *value, size_t size)
{
	struct cni_arg_find f = { .key = key, .value = value, .size = size };
	int ret = cni_args_walk(req, cni_arg_match, &f);

	if (ret == -ENAMETOOLONG)
		return cni_fail(req, CNI_ERR_ENV, 0, "CNI_ARGS: value of %s too long",
				key);
	return ret;
}

struct cni_arg_known {
	const char *const *known;
	char unknown[64];
	int ignore;
};

static int cni_arg_learn(const char *key, size_t klen, const char *val, size_t vlen,
			 void *arg)
{
	struct cni_arg_known *k = arg;
	size_t i;

	if (klen == 13 && !strncmp(key, "IgnoreUnknown", 13))
		k->ignore = (vlen == 1 && *val == '1') ||
			    (vlen == 4 && !strncasecmp(val, "true", 4));
	for (i = 0; k->known[i]; i++) {
		if (strlen(k->known[i]) == klen && !strncmp(key, k->known[i], klen))
			return 0;
	}
	if (!*k->unknown && klen != 13)
		snprintf(k->unknown, sizeof(k->unknown), "%.*s", (int)klen, key);
	return 0;
}

/**
 * cni_args_check() - refuse keys of CNI_ARGS the plugin does not know
 * @req:	the invocation
 * @known:	the keys it knows, NULL-terminated
 *
 * Unknown keys are fine when "IgnoreUnknown" is 1 or true, as runtimes set
 * it before passing keys meant for other plugins (K8S_POD_NAME...).
 *
 * Return: 0, or -EINVAL (logged, code 4).
 */
int cni_args_check(struct cni_req *req, const char *const known[])
{
	struct cni_arg_known k = { .known = known };
	int ret = cni_args_walk(req, cni_arg_learn, &k);

	if (ret < 0)
		return ret;
	if (*k.unknown && !k.ignore)
		return cni_fail(req, CNI_ERR_ENV, 0,
				"CNI_ARGS: unknown key %s (add "
				"IgnoreUnknown=1 to pass keys meant for others)",
				k.unknown);
	return 0;
}

/**
 * cni_runtime_config() - what the runtime put under runtimeConfig for a
 * capability the configuration declared
 * @req:	the invocation
 * @key:	"portMappings", "ips", "mac"
 *
 * Return: the value (borrowed), or NULL.
 */
json_t *cni_runtime_config(const struct cni_req *req, const char *key)
{
	return json_member(json_member(req->conf, "runtimeConfig"), key);
}

/**
 * cni_attachment_valid() - is an attachment in GC's list of valid ones?
 * @req:	the GC invocation
 * @id:		container id
 * @ifname:	interface
 *
 * The list is "cni.dev/valid-attachments", or the older "cni.dev/attachments"
 * (libcni sends both), of {"containerID", "ifname"}.
 *
 * Return: 1 when listed, 0 when not, -EINVAL (logged, code 7) when the
 * configuration holds no list.
 */
int cni_attachment_valid(const struct cni_req *req, const char *id, const char *ifname)
{
	json_t *list = json_member(req->conf, "cni.dev/valid-attachments"), *a;
	size_t i;

	if (!json_is_array(list))
		list = json_member(req->conf, "cni.dev/attachments");
	if (!json_is_array(list)) {
		((struct cni_req *)req)->code = CNI_ERR_CONFIG;
		return log_errx(-EINVAL, "GC needs \"cni.dev/valid-attachments\"");
	}
	json_array_foreach(list, i, a) {
		const char *cid = json_string_value(json_member(a, "containerID"));
		const char *ifn = json_string_value(json_member(a, "ifname"));

		if (cid && ifn && !strcmp(cid, id) && !strcmp(ifn, ifname))
			return 1;
	}
	return 0;
}
