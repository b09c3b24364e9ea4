// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policy_check: a container's annotations held against the administrator's
 * policy (lib/policy.c), and read, before anything is changed.
 *
 * The first hook to run refuses what any of them would: each annotation of
 * plumb's is checked for the network's leave and then for its value, here,
 * whichever hook asks, so that plumb-bridge's hook does not make a veth that
 * plumb-nat's would then refuse. The annotations are the container
 * creator's, so every message names the annotation, "annotation plumb.ip:
 * ...", and never the option a hook maps it to: whoever wrote
 * plumb.ip=999.1.1.1 never wrote --ip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/policy.h>

/* "plumb0, web": the networks declared, for a message. */
static void policy_names(const struct policy *p, char *buf, size_t size)
{
	const char *key;
	size_t len = 0;
	json_t *v;

	*buf = '\0';
	if (p->has_hook)
		len = (size_t)snprintf(buf, size, "%s", p->hook.name);
	json_object_foreach(json_object_get(p->json, "networks"), key, v) {
		if (len < size && !(p->has_hook && !strcmp(key, p->hook.name)))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "", key);
	}
	if (!len)
		snprintf(buf, size, "none");
}

/* Is @port one the network lets containers publish? */
static int policy_port_ok(const struct policy_net *n, unsigned int port)
{
	size_t i;

	for (i = 0; i < n->n_ports; i++) {
		if (port >= n->ports[i].first && port <= n->ports[i].last)
			return 1;
	}
	return 0;
}

static void policy_ports_str(const struct policy_net *n, char *buf, size_t size)
{
	size_t i, len = 0;

	*buf = '\0';
	for (i = 0; i < n->n_ports && len < size; i++)
		len += (size_t)snprintf(
			buf + len, size - len,
			n->ports[i].first == n->ports[i].last ? "%s%u" : "%s%u-%u",
			i ? ", " : "", n->ports[i].first, n->ports[i].last);
}

/*
 * Addresses of the network's families, for parsing publish specifications
 * before the container has its own: only the host ports matter, and the
 * families, which must be the network's. A network whose subnets the hook
 * does not know (plumb-nat's own) takes one of each.
 */
static size_t policy_publish_targets(const struct policy_net *n, struct inet_prefix *t)
{
	static const struct inet_prefix any[] = {
		{ .addr = { .family = AF_INET, .b = { 192, 0, 2, 1 } }, .len = 32 },
		{ .addr = { .family = AF_INET6,
			    .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		  .len = 128 },
	};
	size_t i, k = 0;

	for (i = 0; i < 2; i++) {
		if (!n->subnet[i].addr.family)
			continue;
		t[k] = n->subnet[i];
		t[k++].addr.b[i ? 15 : 3] |= 1; /* a host, not the network */
	}
	if (k == 0) {
		t[0] = any[0];
		t[1] = any[1];
		k = 2;
	}
	return k;
}

/* plumb.publish: every specification parses, every host port is allowed. */
static int policy_publish_check(const struct policy_net *n, const char *v)
{
	char buf[1024], ranges[256], *spec, *save = NULL;
	unsigned int count = 0, specs = 0, port;
	struct inet_prefix targets[2];
	size_t n_targets;
	struct nat_pub pub;
	struct log_msg m;

	if (!n->publish_max)
		return oci_annotation_errx(-EPERM, "plumb.publish",
					   "network %s does not let containers publish "
					   "ports",
					   n->name);
	if ((size_t)snprintf(buf, sizeof(buf), "%s", v) >= sizeof(buf))
		return oci_annotation_errx(-EINVAL, "plumb.publish",
					   "too long: at most %zu bytes",
					   sizeof(buf) - 1);
	n_targets = policy_publish_targets(n, targets);
	policy_ports_str(n, ranges, sizeof(ranges));
	for (spec = strtok_r(buf, ",", &save); spec; spec = strtok_r(NULL, ",", &save)) {
		if (++specs > POLICY_PUBLISH_SPECS)
			return oci_annotation_errx(-EINVAL, "plumb.publish",
						   "more than %d specifications",
						   POLICY_PUBLISH_SPECS);
		if (nat_pub_parse_short_try(spec, targets, n_targets, &pub, &m) < 0)
			return oci_annotation_report("plumb.publish", &m);
		for (port = pub.port; port <= pub.port_end; port++) {
			if (!policy_port_ok(n, port))
				return oci_annotation_errx(
					-EPERM, "plumb.publish",
					"host port %u is outside the ports network %s "
					"lets containers publish (%s)",
					port, n->name, ranges);
		}
		count += pub.port_end - pub.port + 1u;
		if (count > n->publish_max)
			return oci_annotation_errx(-EPERM, "plumb.publish",
						   "more than the %u host ports network "
						   "%s lets a container publish",
						   n->publish_max, n->name);
	}
	return 0;
}

/* An annotation that only a network's "annotations" may allow. */
static int policy_allowed(const struct oci_state *s, const char *key, int allowed,
			  const struct policy_net *n, const char *what)
{
	if (!oci_annotation(s, key) || allowed)
		return 0;
	return oci_annotation_errx(-EPERM, key, "network %s does not let containers %s",
				   n->name, what);
}

/* plumb.subnet, which may only repeat the network's own. */
static int policy_subnet_check(const struct oci_state *s, const struct policy_net *n)
{
	const char *v = oci_annotation(s, "plumb.subnet");
	char buf[INET_PREFIX_STRLEN];
	struct inet_prefix subnet;

	if (!v || !n->subnet[0].addr.family)
		return 0;
	if (inet_prefix_parse(v, &subnet) == 0 &&
	    subnet.addr.family == n->subnet[0].addr.family &&
	    subnet.len == n->subnet[0].len &&
	    inet_addr_eq(&subnet.addr, &n->subnet[0].addr))
		return 0;
	return oci_annotation_errx(-EPERM, "plumb.subnet",
				   "\"%.64s\" is not network %s's subnet %s, and "
				   "annotations choose no subnet of their own",
				   v, n->name,
				   inet_prefix_str(&n->subnet[0], buf, sizeof(buf)));
}

/* plumb.ip: an IPv4 address, in the network's subnet when the hook knows it. */
static int policy_ip_read(const struct oci_state *s, const struct policy_net *n,
			  struct policy_choice *c)
{
	const char *v = oci_annotation(s, "plumb.ip");
	char buf[INET_PREFIX_STRLEN];
	struct inet_addr ip;

	if (!v || !strcmp(v, "auto"))
		return 0;
	if (inet_addr_parse(v, &ip) < 0 || ip.family != AF_INET ||
	    (n->subnet[0].addr.family && !inet_prefix_contains(&n->subnet[0], &ip)))
		return oci_annotation_errx(
			-EINVAL, "plumb.ip",
			"invalid address \"%.64s\": want auto or an IPv4 address%s%s", v,
			n->subnet[0].addr.family ? " in " : "",
			n->subnet[0].addr.family ?
				inet_prefix_str(&n->subnet[0], buf, sizeof(buf)) :
				"");
	c->ip = v;
	return 0;
}

/* plumb.mac and plumb.mtu */
static int policy_link_read(const struct oci_state *s, const struct policy_net *n,
			    struct policy_choice *c)
{
	const char *v = oci_annotation(s, "plumb.mac");
	unsigned long mtu;
	struct log_msg m;
	char *end;

	if (v && nl_link_mac_parse_try(v, c->mac, &m) < 0)
		return oci_annotation_report("plumb.mac", &m);
	c->has_mac = v != NULL;
	v = oci_annotation(s, "plumb.mtu");
	if (!v)
		return 0;
	errno = 0;
	mtu = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || errno || *end || mtu < 68 || mtu > 65535)
		return oci_annotation_errx(-EINVAL, "plumb.mtu",
					   "invalid MTU \"%.64s\": want 68 to 65535", v);
	if (n->subnet[1].addr.family && mtu < 1280)
		return oci_annotation_errx(-EINVAL, "plumb.mtu",
					   "invalid MTU %lu: network %s has IPv6, which "
					   "needs 1280 or more",
					   mtu, n->name);
	c->mtu = (unsigned int)mtu;
	return 0;
}

/* What the network lets the annotations choose, and what they chose. */
static int policy_choices_read(const struct oci_state *s, const struct policy_net *n,
			       struct policy_choice *c)
{
	const char *v = oci_annotation(s, "plumb.masquerade");
	int ret;

	ret = policy_allowed(s, "plumb.ip", n->allow_ip, n, "choose their address");
	if (ret == 0)
		ret = policy_allowed(s, "plumb.mac", n->allow_mac, n,
				     "choose their hardware address");
	if (ret == 0)
		ret = policy_allowed(s, "plumb.mtu", n->allow_mtu, n, "choose their MTU");
	if (ret == 0 && v && strcmp(v, "true") && strcmp(v, "false"))
		ret = oci_annotation_errx(-EINVAL, "plumb.masquerade",
					  "invalid value \"%.64s\": want true or false",
					  v);
	if (ret == 0 && v && !strcmp(v, "true"))
		ret = policy_allowed(s, "plumb.masquerade", n->allow_masquerade, n,
				     "turn masquerade on");
	if (ret < 0)
		return ret;
	c->masquerade = v ? !strcmp(v, "true") : -1;
	c->publish = oci_annotation(s, "plumb.publish");
	if (c->publish)
		ret = policy_publish_check(n, c->publish);
	if (ret == 0)
		ret = policy_ip_read(s, n, c);
	if (ret == 0)
		ret = policy_link_read(s, n, c);
	return ret;
}

/**
 * policy_check() - hold a container's annotations against the policy, and
 * read them
 * @p:		the policy
 * @s:		the container's state, with its annotations
 * @n:		filled with the network it joins: plumb.network's, or the
 *		hook's own
 * @c:		filled with what the annotations chose there
 *
 * Every annotation of plumb's is checked, whichever hook asks:
 * plumb.network must name a declared network; plumb.subnet, when given,
 * must be that network's IPv4 subnet; plumb.ip, plumb.mac, plumb.mtu and
 * plumb.masquerade=true need the network's leave; plumb.publish may use only
 * the network's ports, and not more than its count; and each value must be
 * one its option would take.
 *
 * Return: 0, or -EPERM (logged: one sentence naming the annotation and the
 * rule it breaks), -EINVAL (logged, naming the annotation) for a value that
 * does not parse.
 */
int policy_check(const struct policy *p, const struct oci_state *s, struct policy_net *n,
		 struct policy_choice *c)
{
	const char *net = oci_annotation(s, "plumb.network");
	char names[512];
	int ret;

	*c = (struct policy_choice){ .masquerade = -1 };
	if (!net && !p->has_hook)
		return log_errx(-EPERM,
				"no network: the hook's arguments declare none "
				"and the container has no plumb.network annotation");
	if (!policy_net_find(p, net ? net : p->hook.name, n)) {
		policy_names(p, names, sizeof(names));
		return oci_annotation_errx(-EPERM, "plumb.network",
					   "no network \"%.64s\": containers may join "
					   "only the networks the administrator declared "
					   "(%s)",
					   net, names);
	}
	ret = policy_subnet_check(s, n);
	if (ret == 0)
		ret = policy_choices_read(s, n, c);
	return ret;
}
