// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policy: what a container's annotations may choose, as the administrator
 * declared it.
 *
 * Theory of operation: the OCI hooks take their options from the
 * administrator (the hook's arguments, in hooks.d or config.json) and their
 * annotations from whoever creates the container, who may be any user of
 * CRI-O or of podman's hooks.d. So annotations only choose within what the
 * administrator declared: a network the hook's arguments name, or one of
 * the policy file's (/etc/plumb/policy.json, or --policy FILE):
 *
 *   {"networks": {"web": {
 *       "bridge": "web0",                    (default: the network's name)
 *       "subnets": ["10.90.0.0/24", "fd00:90::/64"],  (one IPv4, one IPv6)
 *       "foreignBridge": false,              (may use a bridge plumb did not make)
 *       "isolate": true, "directAccess": false,  (its forwarding policy)
 *       "annotations": {                     (what a container may choose there)
 *         "plumb.ip": false, "plumb.mac": false, "plumb.mtu": false,
 *         "plumb.masquerade": false,
 *         "plumb.publish": {"ports": ["1024-65535"], "max": 32}}}}}
 *
 * policy_check() (lib/policy_check.c) holds a container's annotations
 * against the network they choose, before anything is changed, and fails
 * with one sentence naming the annotation and the rule it breaks. Without a file, a hook's own
 * network is the only one, and there annotations may publish up to 32 host
 * ports from 1024 up, and choose nothing else: no network, bridge or subnet
 * of their own, no address, hardware address or MTU. A network named by
 * neither is refused, so no annotation ever makes a bridge or a subnet.
 *
 * The file is the administrator's: it must be a regular file of root's (or
 * of the user running plumb) that no one else may write. It is read whole
 * and checked whole, and any key it does not know is an error, as a typo in
 * a policy must never loosen it. Other modules keep per-network switches
 * of their own in a network's declaration: they add the key to
 * policy_net_keys[] and read it with policy_net_switch(); an annotation a
 * network may allow takes a line in policy_annotations[], a field allow_*
 * in struct policy_net and a policy_allowed() line in policy_check()
 * (lib/policy_check.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/policy.h>

/* The keys of a network's declaration. */
static const char *const policy_net_keys[] = {
	"bridge", "subnets", "foreignBridge", "annotations",
	"isolate", "directAccess", /* bridge/oci.c: the forwarding policy */
	NULL,
};

/*
 * The annotations a network's declaration may let containers use, and the
 * switch of struct policy_net each sets; plumb.publish, which takes more
 * than a switch, is policy_publish_parse()'s.
 */
static const struct {
	const char *name;
	size_t allow; /* offsetof(struct policy_net, allow_*) */
} policy_annotations[] = {
	{ "plumb.ip", offsetof(struct policy_net, allow_ip) },
	{ "plumb.mac", offsetof(struct policy_net, allow_mac) },
	{ "plumb.mtu", offsetof(struct policy_net, allow_mtu) },
	{ "plumb.masquerade", offsetof(struct policy_net, allow_masquerade) },
};

static int policy_known(const char *const keys[], const char *key)
{
	for (; *keys; keys++) {
		if (!strcmp(*keys, key))
			return 1;
	}
	return 0;
}

/* "N" or "N-M", or a number: a range of host ports. */
static int policy_range_parse(const json_t *v, struct policy_ports *r, struct log_msg *m)
{
	unsigned int first, last;
	const char *s = json_string_value(v);
	char end;
	int n;

	if (json_is_integer(v) && json_integer_value(v) >= 1 &&
	    json_integer_value(v) <= 65535) {
		r->first = r->last = (uint16_t)json_integer_value(v);
		return 0;
	}
	n = s ? sscanf(s, "%5u-%5u%c", &first, &last, &end) : 0;
	if (n == 1 && sscanf(s, "%5u%c", &first, &end) == 1)
		last = first;
	else if (n != 2)
		first = last = 0;
	if (!first || last > 65535 || last < first)
		return log_msg_errx(
			m, -EINVAL,
			"\"ports\": want ranges of host ports, \"1024-65535\"");
	r->first = (uint16_t)first;
	r->last = (uint16_t)last;
	return 0;
}

/* "plumb.publish": false, true (the defaults), or {"ports": [...], "max": N} */
static int policy_publish_parse(const json_t *v, struct policy_net *n, struct log_msg *m)
{
	const json_t *ports, *max, *r;
	const char *key;
	size_t i;

	if (json_is_boolean(v)) {
		n->publish_max = json_is_true(v) ? n->publish_max : 0;
		return 0;
	}
	if (!json_is_object(v))
		return log_msg_errx(m, -EINVAL,
				    "\"plumb.publish\": want true, false or "
				    "{\"ports\": [...], \"max\": N}");
	json_object_foreach((json_t *)v, key, r) {
		if (strcmp(key, "ports") && strcmp(key, "max"))
			return log_msg_errx(m, -EINVAL,
					    "\"plumb.publish\": unknown key \"%s\"", key);
	}
	max = json_object_get(v, "max");
	if (max && (!json_is_integer(max) || json_integer_value(max) < 0 ||
		    json_integer_value(max) > 65535))
		return log_msg_errx(m, -EINVAL, "\"max\": want a number from 0 to 65535");
	if (max)
		n->publish_max = (unsigned int)json_integer_value(max);
	ports = json_object_get(v, "ports");
	if (!ports)
		return 0;
	if (!json_is_array(ports) || json_array_size(ports) > POLICY_RANGES_MAX)
		return log_msg_errx(m, -EINVAL, "\"ports\": want at most %d ranges",
				    POLICY_RANGES_MAX);
	n->n_ports = 0;
	json_array_foreach(ports, i, r) {
		if (policy_range_parse(r, &n->ports[n->n_ports], m) < 0)
			return -EINVAL;
		n->n_ports++;
	}
	return 0;
}

static int policy_annotations_parse(const json_t *o, struct policy_net *n,
				    struct log_msg *m)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return log_msg_errx(m, -EINVAL, "\"annotations\": want an object");
	json_object_foreach((json_t *)o, key, v) {
		if (!strcmp(key, "plumb.publish")) {
			if (policy_publish_parse(v, n, m) < 0)
				return -EINVAL;
			continue;
		}
		for (i = 0;
		     i < sizeof(policy_annotations) / sizeof(policy_annotations[0]);
		     i++) {
			if (!strcmp(key, policy_annotations[i].name))
				break;
		}
		if (i == sizeof(policy_annotations) / sizeof(policy_annotations[0]))
			return log_msg_errx(m, -EINVAL,
					    "\"annotations\": unknown annotation \"%s\"",
					    key);
		if (!json_is_boolean(v))
			return log_msg_errx(m, -EINVAL, "\"%s\": want true or false",
					    key);
		*(int *)((char *)n + policy_annotations[i].allow) = json_is_true(v);
	}
	return 0;
}

static int policy_subnet_set(struct policy_net *n, const char *s, struct log_msg *m)
{
	struct inet_prefix p;
	int k;

	if (inet_prefix_parse(s, &p) < 0 || inet_prefix_has_host_bits(&p))
		return log_msg_errx(
			m, -EINVAL,
			"invalid subnet \"%s\": want ADDRESS/LENGTH, no host bits", s);
	k = p.addr.family == AF_INET6;
	if (n->subnet[k].addr.family)
		return log_msg_errx(m, -EINVAL,
				    "\"subnets\": one IPv4 and one IPv6 at most");
	n->subnet[k] = p;
	snprintf(n->subnet_str[k], sizeof(n->subnet_str[k]), "%s", s);
	return 0;
}

/* What a network may do when its declaration does not say. */
static void policy_net_init(struct policy_net *n, const char *name)
{
	*n = (struct policy_net){ .publish_max = POLICY_PUBLISH_PORTS, .n_ports = 1 };
	n->ports[0] = (struct policy_ports){ POLICY_PUBLISH_FIRST, 65535 };
	snprintf(n->name, sizeof(n->name), "%s", name);
}

static int policy_net_parse(const char *name, const json_t *o, struct policy_net *n,
			    struct log_msg *m)
{
	const json_t *subnets, *v;
	const char *key, *bridge = name;
	size_t i;

	if (name_check_try("network name", name, m) < 0)
		return -EINVAL;
	if (!json_is_object(o))
		return log_msg_errx(m, -EINVAL, "want an object");
	policy_net_init(n, name);
	json_object_foreach((json_t *)o, key, v) {
		if (!policy_known(policy_net_keys, key))
			return log_msg_errx(m, -EINVAL, "unknown key \"%s\"", key);
		/* The switches policy_net_switch() reads are true or false. */
		if ((!strcmp(key, "isolate") || !strcmp(key, "directAccess")) &&
		    !json_is_boolean(v))
			return log_msg_errx(m, -EINVAL, "\"%s\": want true or false", key);
	}
	v = json_object_get(o, "bridge");
	if (v && !json_is_string(v))
		return log_msg_errx(m, -EINVAL, "\"bridge\": want a string");
	if (v)
		bridge = json_string_value(v);
	if (nl_link_name_check_try(bridge, m) < 0)
		return -EINVAL;
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	v = json_object_get(o, "foreignBridge");
	if (v && !json_is_boolean(v))
		return log_msg_errx(m, -EINVAL, "\"foreignBridge\": want true or false");
	n->foreign_bridge = json_is_true(v);
	subnets = json_object_get(o, "subnets");
	if (!json_is_array(subnets))
		return log_msg_errx(m, -EINVAL, "\"subnets\": want a list of subnets");
	json_array_foreach(subnets, i, v) {
		if (!json_is_string(v))
			return log_msg_errx(m, -EINVAL, "\"subnets\": want strings");
		if (policy_subnet_set(n, json_string_value(v), m) < 0)
			return -EINVAL;
	}
	if (!n->subnet[0].addr.family)
		return log_msg_errx(m, -EINVAL, "\"subnets\": want an IPv4 subnet");
	v = json_object_get(o, "annotations");
	if (v && policy_annotations_parse(v, n, m) < 0)
		return -EINVAL;
	n->conf = o;
	return 0;
}

/**
 * policy_read_fd() - read a policy file and check it whole
 * @p:		the policy; free with policy_free()
 * @fd:		the file
 * @path:	its name, for messages
 *
 * Return: 0 or -EINVAL (logged: "policy PATH: networks.NAME: what is wrong").
 */
int policy_read_fd(struct policy *p, int fd, const char *path)
{
	struct log_msg m = { 0 };
	struct policy_net n;
	json_error_t jerr;
	const char *key;
	json_t *nets, *v;

	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->json = json_read_fd(fd, &jerr);
	if (!p->json)
		return log_errx(-EINVAL, "policy %s: %s at line %d column %d", path,
				jerr.text, jerr.line, jerr.column);
	if (!json_is_object(p->json))
		log_msg_errx(&m, -EINVAL, "want a JSON object");
	json_object_foreach(p->json, key, v) {
		if (!m.err && strcmp(key, "networks"))
			log_msg_errx(&m, -EINVAL, "unknown key \"%s\"", key);
	}
	nets = json_object_get(p->json, "networks");
	if (!m.err && nets && !json_is_object(nets))
		log_msg_errx(&m, -EINVAL, "\"networks\": want an object");
	json_object_foreach(nets, key, v) {
		if (!m.err && policy_net_parse(key, v, &n, &m) < 0) {
			log_errx(-EINVAL, "policy %s: networks.%.64s: %s", path, key,
				 m.text);
			policy_free(p); /* @key was in it */
			return -EINVAL;
		}
	}
	if (m.err) {
		policy_free(p);
		return log_errx(-EINVAL, "policy %s: %s", path, m.text);
	}
	return 0;
}

/* The administrator's own: a regular file no one else may write. */
static int policy_file_check(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return log_err(-errno, "policy %s", path);
	if (!S_ISREG(st.st_mode))
		return log_errx(-EPERM, "policy %s is not a regular file; refusing it",
				path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return log_errx(-EPERM,
				"policy %s belongs to user %u, not to root; refusing it",
				path, (unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return log_errx(-EPERM, "policy %s is writable by others; refusing it",
				path);
	return 0;
}

/**
 * policy_load() - read the administrator's policy file
 * @p:		the policy; free with policy_free()
 * @path:	the file a hook's --policy names, or NULL for POLICY_PATH,
 *		which may be missing (then the hook's own network is the only
 *		one)
 *
 * Return: 0, or negative errno (logged): a file named but missing, not the
 * administrator's, or not a valid policy.
 */
int policy_load(struct policy *p, const char *path)
{
	int fd, ret;

	memset(p, 0, sizeof(*p));
	fd = open(path ? path : POLICY_PATH,
		  O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !path)
		return 0;
	if (fd < 0)
		return log_err(-errno, "open policy %s", path ? path : POLICY_PATH);
	ret = policy_file_check(fd, path ? path : POLICY_PATH);
	if (ret == 0)
		ret = policy_read_fd(p, fd, path ? path : POLICY_PATH);
	close(fd);
	return ret;
}

/**
 * policy_free() - release a policy
 * @p:		the policy
 */
void policy_free(struct policy *p)
{
	json_decref(p->json);
	p->json = NULL;
}

/**
 * policy_hook_net() - the network a hook's own arguments declare
 * @p:		the policy
 * @name:	its name
 * @bridge:	its bridge
 * @subnet:	its IPv4 subnet, or NULL when the hook does not know it
 *		(plumb-nat's, which runs after plumb-bridge's)
 * @subnet6:	its IPv6 subnet, or NULL
 * @foreign_bridge: its arguments let it use a bridge plumb did not create
 *
 * It gets what a network may do when its declaration does not say; a
 * network of the same name in the file wins over it.
 *
 * Return: 0, or -EINVAL (logged) for a bad name or subnet.
 */
int policy_hook_net(struct policy *p, const char *name, const char *bridge,
		    const char *subnet, const char *subnet6, int foreign_bridge)
{
	struct policy_net *n = &p->hook;
	struct log_msg m = { 0 };

	policy_net_init(n, name);
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	n->foreign_bridge = foreign_bridge;
	if (name_check_try("network name", name, &m) < 0 ||
	    (subnet && policy_subnet_set(n, subnet, &m) < 0) ||
	    (subnet6 && policy_subnet_set(n, subnet6, &m) < 0))
		return log_msg_report(&m);
	p->has_hook = 1;
	return 0;
}

/**
 * policy_net_find() - a network the administrator declared
 * @p:		the policy
 * @name:	its name
 * @n:		filled with it
 *
 * Return: 1 when declared (in the file, or by the hook's arguments), else 0.
 */
int policy_net_find(const struct policy *p, const char *name, struct policy_net *n)
{
	const json_t *o = json_object_get(json_object_get(p->json, "networks"), name);

	if (o)
		return policy_net_parse(name, o, n, NULL) == 0; /* checked at load */
	if (p->has_hook && !strcmp(p->hook.name, name)) {
		*n = p->hook;
		return 1;
	}
	return 0;
}

/**
 * policy_net_switch() - a per-network switch another module keeps in the
 * policy file (added to policy_net_keys[])
 * @n:		the network
 * @key:	the switch
 * @dflt:	its value when the declaration does not set it
 *
 * Return: 1 or 0.
 */
int policy_net_switch(const struct policy_net *n, const char *key, int dflt)
{
	const json_t *v = json_object_get(n->conf, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}
