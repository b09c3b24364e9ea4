// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_policy: the administrator's policy file, read and checked whole by
 * policy_read_fd() (lib/policy.c), then held against containers'
 * annotations by policy_check().
 *
 * Input: the file. A policy that reads must be usable: every network it
 * declares is found again with a valid name, bridge and IPv4 subnet, and a
 * container's annotations are either refused or keep to the network found.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <plumb/link.h>
#include <plumb/name.h>
#include <plumb/oci.h>
#include <plumb/policy.h>

#include "fuzz.h"

/* Containers' annotations, each checked against every network declared. */
static const char *const fz_annotations[] = {
	"{}",
	"{\"plumb.publish\": \"8080:80/tcp\"}",
	"{\"plumb.publish\": \"22:22/tcp,1024-2047:1024-2047/udp\"}",
	"{\"plumb.publish\": \"[::1]:8080:80\"}",
	"{\"plumb.ip\": \"10.88.0.9\", \"plumb.mac\": \"02:00:00:00:00:01\"}",
	"{\"plumb.mtu\": \"9000\", \"plumb.masquerade\": \"true\"}",
	"{\"plumb.subnet\": \"10.88.0.0/16\"}",
};

static void fz_check(const struct policy *p, const char *network)
{
	struct oci_state s = { .id = "c1", .pid = 1 };
	struct policy_choice c;
	struct policy_net n;
	struct inet_addr ip;
	json_t *ann;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(fz_annotations) / sizeof(fz_annotations[0]); i++) {
		ann = json_loads(fz_annotations[i], 0, NULL);
		assert(ann);
		if (network)
			json_object_set_new(ann, "plumb.network", json_string(network));
		s.json = json_pack("{s:o}", "annotations", ann);
		assert(s.json);
		ret = policy_check(p, &s, &n, &c);
		assert(ret == 0 || ret == -EPERM || ret == -EINVAL);
		if (ret == 0) {
			assert(name_check_try("network name", n.name, NULL) == 0);
			assert(!network || !strcmp(n.name, network));
			assert(n.subnet[0].addr.family == AF_INET || !n.conf);
			assert(n.publish_max ||
			       !json_object_get(json_object_get(s.json, "annotations"),
						"plumb.publish"));
			/* A chosen address is the network's. */
			assert(!c.ip || !n.subnet[0].addr.family ||
			       (inet_addr_parse(c.ip, &ip) == 0 &&
				inet_prefix_contains(&n.subnet[0], &ip)));
			assert(!c.mtu || (c.mtu >= 68 && c.mtu <= 65535));
		}
		json_decref(s.json);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_memfd(data, size), ret;
	struct policy_net n;
	struct policy p;
	const char *key;
	json_t *v;

	ret = policy_read_fd(&p, fd, "fuzz");
	close(fd);
	if (ret < 0) {
		assert(!p.json);
		return 0;
	}
	json_object_foreach(json_object_get(p.json, "networks"), key, v) {
		assert(policy_net_find(&p, key, &n) == 1);
		assert(!strcmp(n.name, key));
		assert(nl_link_name_check_try(n.bridge, NULL) == 0);
		assert(n.subnet[0].addr.family == AF_INET);
		assert(n.n_ports <= POLICY_RANGES_MAX);
		(void)policy_net_switch(&n, "isolate", 0);
		fz_check(&p, key);
	}
	/* The hook's own network, and no network at all. */
	fz_check(&p, NULL);
	if (policy_hook_net(&p, "plumb0", "plumb0", "10.88.0.0/16", NULL, 0) == 0)
		fz_check(&p, NULL);
	policy_free(&p);
	assert(!p.json);
	return 0;
}
