// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam_conf: the "ipam" section of a CNI configuration in host-local's
 * words, so that "type": "host-local" can become "type": "plumb-ipam" with
 * nothing else changed:
 *
 *	"ipam": { "type": "plumb-ipam",
 *		  "ranges": [ [ { "subnet": "10.88.0.0/16", "rangeStart": ...,
 *				  "rangeEnd": ..., "gateway": ... } ], [ ...IPv6... ] ],
 *		  "subnet": ..., "rangeStart": ..., "rangeEnd": ..., "gateway": ...,
 *		  "routes": [ { "dst": "0.0.0.0/0", "gw": ... } ],
 *		  "dataDir": "/var/lib/cni/networks", "resolvConf": "/etc/resolv.conf" }
 *
 * As host-local does, the older top-level range comes before "ranges", and
 * keys plumb does not know are ignored. A wrong value is refused with the
 * path of its key: "ipam.ranges[0][1].subnet".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/ipam.h>
#include <plumb/json.h>
#include <plumb/log.h>

static int conf_addr(const json_t *obj, const char *key, const char *path,
		     struct inet_addr *a)
{
	const char *s = NULL;
	int ret = json_get_string(obj, key, &s);

	if (ret <= 0)
		return ret < 0 ? log_errx(-EINVAL, "invalid \"%s.%s\": want a string",
					  path, key) :
				 0;
	if (inet_addr_parse(s, a) < 0)
		return log_errx(-EINVAL, "invalid \"%s.%s\": \"%s\" is not an address",
				path, key, s);
	return 0;
}

/* One range object: subnet (required), rangeStart, rangeEnd, gateway. */
static int conf_range(const json_t *obj, const char *path, struct ipam_range *r)
{
	char why[LOG_MSG_MAX];
	const char *subnet = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(obj))
		return log_errx(-EINVAL, "invalid \"%s\": want an object", path);
	ret = json_get_string(obj, "subnet", &subnet);
	if (ret <= 0)
		return log_errx(-EINVAL,
				"invalid \"%s.subnet\": want a subnet such as "
				"10.88.0.0/16",
				path);
	if (inet_prefix_parse(subnet, &r->subnet) < 0 ||
	    inet_prefix_has_host_bits(&r->subnet))
		return log_errx(-EINVAL,
				"invalid \"%s.subnet\": \"%s\" is not a subnet "
				"(address/length, no host bits)",
				path, subnet);
	if (conf_addr(obj, "rangeStart", path, &r->start) < 0 ||
	    conf_addr(obj, "rangeEnd", path, &r->end) < 0 ||
	    conf_addr(obj, "gateway", path, &r->gateway) < 0)
		return -EINVAL;
	if (ipam_range_fill(r) < 0) {
		snprintf(why, sizeof(why), "%s", log_last());
		return log_errx(-EINVAL, "invalid \"%s\": %s", path, why);
	}
	return 0;
}

static int conf_set(const json_t *arr, const char *path, struct ipam_set *set)
{
	char sub[96];
	size_t i;

	if (!json_is_array(arr) || !json_array_size(arr) ||
	    json_array_size(arr) > IPAM_RANGES_MAX)
		return log_errx(-EINVAL,
				"invalid \"%s\": want an array of 1 to %d ranges", path,
				IPAM_RANGES_MAX);
	set->n = json_array_size(arr);
	for (i = 0; i < set->n; i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (conf_range(json_array_get(arr, i), sub, &set->range[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

static int conf_ranges(const json_t *ipam, struct ipam_conf *c)
{
	json_t *ranges = NULL;
	char path[64];
	size_t i;

	if (json_member(ipam, "subnet")) {
		c->sets[0].n = 1;
		if (conf_range(ipam, "ipam", &c->sets[0].range[0]) < 0)
			return -EINVAL;
		c->n_sets = 1;
	}
	if (json_get_array(ipam, "ranges", &ranges) < 0)
		return -EINVAL;
	if (ranges && json_array_size(ranges) + c->n_sets > IPAM_SETS_MAX)
		return log_errx(-EINVAL, "invalid \"ipam.ranges\": at most %d range sets",
				IPAM_SETS_MAX);
	for (i = 0; ranges && i < json_array_size(ranges); i++) {
		snprintf(path, sizeof(path), "ipam.ranges[%zu]", i);
		if (conf_set(json_array_get(ranges, i), path, &c->sets[c->n_sets++]) < 0)
			return -EINVAL;
	}
	if (!c->n_sets)
		return log_errx(-EINVAL,
				"invalid \"ipam\": no \"ranges\" and no \"subnet\"");
	return 0;
}

/* No two ranges may share an address, or the same address could go twice. */
static int conf_overlap(const struct ipam_conf *c)
{
	const struct ipam_range *a, *b;
	char x[INET_PREFIX_STRLEN], y[INET_PREFIX_STRLEN];
	size_t i, j, k, l;

	for (i = 0; i < c->n_sets; i++) {
		for (j = 0; j < c->sets[i].n; j++) {
			a = &c->sets[i].range[j];
			for (k = i; k < c->n_sets; k++) {
				for (l = k == i ? j + 1 : 0; l < c->sets[k].n; l++) {
					b = &c->sets[k].range[l];
					if (inet_prefix_contains(&a->subnet,
								 &b->subnet.addr) ||
					    inet_prefix_contains(&b->subnet,
								 &a->subnet.addr))
						return log_errx(
							-EINVAL,
							"invalid \"ipam\": ranges "
							"%s and %s overlap",
							inet_prefix_str(&a->subnet, x,
									sizeof(x)),
							inet_prefix_str(&b->subnet, y,
									sizeof(y)));
				}
			}
		}
	}
	return 0;
}

static int conf_routes(const json_t *ipam, struct ipam_conf *c)
{
	json_t *routes = NULL, *r;
	const char *dst;
	char path[64];
	size_t i;

	int ret = json_get_array(ipam, "routes", &routes);

	if (ret <= 0)
		return ret;
	if (json_array_size(routes) > IPAM_ROUTES_MAX)
		return log_errx(-EINVAL, "invalid \"ipam.routes\": at most %d",
				IPAM_ROUTES_MAX);
	json_array_foreach(routes, i, r) {
		snprintf(path, sizeof(path), "ipam.routes[%zu]", i);
		dst = json_string_value(json_member(r, "dst"));
		if (!dst || inet_prefix_parse(dst, &c->route_dst[i]) < 0)
			return log_errx(-EINVAL, "invalid \"%s.dst\": want a subnet",
					path);
		inet_prefix_mask(&c->route_dst[i]);
		if (conf_addr(r, "gw", path, &c->route_gw[i]) < 0)
			return -EINVAL;
		if (c->route_gw[i].family &&
		    c->route_gw[i].family != c->route_dst[i].addr.family)
			return log_errx(-EINVAL,
					"invalid \"%s\": dst and gw of different "
					"families",
					path);
		c->n_routes++;
	}
	return 0;
}

static int conf_path(const json_t *ipam, const char *key, char *out, size_t size,
		     const char *dflt)
{
	const char *s = dflt;

	if (json_get_string(ipam, key, &s) < 0)
		return -EINVAL;
	if (*s && s[0] != '/')
		return log_errx(-EINVAL, "invalid \"ipam.%s\": want an absolute path",
				key);
	if ((size_t)snprintf(out, size, "%s", s) >= size)
		return log_errx(-EINVAL, "invalid \"ipam.%s\": too long", key);
	return 0;
}

/**
 * ipam_conf_parse() - read the "ipam" section of a CNI configuration
 * @ipam:	the section
 * @c:		what it says, defaults filled in
 *
 * Return: 0, or -EINVAL (logged, naming the key).
 */
int ipam_conf_parse(const json_t *ipam, struct ipam_conf *c)
{
	memset(c, 0, sizeof(*c));
	if (!json_is_object(ipam))
		return log_errx(-EINVAL, "invalid \"ipam\": want an object");
	if (conf_ranges(ipam, c) < 0 || conf_overlap(c) < 0 || conf_routes(ipam, c) < 0 ||
	    conf_path(ipam, "dataDir", c->data_dir, sizeof(c->data_dir), IPAM_DATA_DIR) <
		    0 ||
	    conf_path(ipam, "resolvConf", c->resolv_conf, sizeof(c->resolv_conf), "") < 0)
		return -EINVAL;
	return 0;
}
