// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach_record: an attachment's record under the state directory: written
 * as JSON, read back, walked, and searched by container id.
 *
 * Theory of operation: a record names everything its attachment made
 * (bridge, host veth and its mark, addresses, routes, the lease store), so
 * that teardown, GC and reconcile need neither the container's namespace
 * nor a prevResult. It is written whole (lib/state.c: temp file, fsync,
 * rename) and read back with jansson's own getters: a record that is not as
 * plumb wrote it is damage, said once, and a walk skips it and goes on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/attach.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/state.h>

static json_t *attach_ips_json(const struct attachment *a)
{
	char ip[INET_PREFIX_STRLEN], gw[INET_ADDR_STRLEN];
	json_t *ips = json_array();
	size_t i;

	for (i = 0; ips && i < a->n_ip; i++) {
		json_t *o = json_pack("{s:s}", "address",
				      inet_prefix_str(&a->ip[i], ip, sizeof(ip)));

		if (o && a->gateway[i].family)
			json_object_set_new(o, "gateway",
					    json_string(inet_addr_str(&a->gateway[i], gw,
								      sizeof(gw))));
		if (json_array_append_new(ips, o) < 0) {
			json_decref(ips);
			return NULL;
		}
	}
	return ips;
}

static json_t *attach_routes_json(const struct attachment *a)
{
	char dst[INET_PREFIX_STRLEN], gw[INET_ADDR_STRLEN];
	json_t *routes = json_array();
	size_t i;

	for (i = 0; routes && i < a->n_routes; i++) {
		json_t *o =
			json_pack("{s:s}", "dst",
				  inet_prefix_str(&a->routes[i].dst, dst, sizeof(dst)));

		if (o && a->routes[i].gateway.family)
			json_object_set_new(
				o, "gw",
				json_string(inet_addr_str(&a->routes[i].gateway, gw,
							  sizeof(gw))));
		if (json_array_append_new(routes, o) < 0) {
			json_decref(routes);
			return NULL;
		}
	}
	return routes;
}

/**
 * attach_to_json() - an attachment as its record (and as "-j" prints it)
 * @a:		the attachment
 *
 * Return: a new JSON object, or NULL when out of memory.
 */
json_t *attach_to_json(const struct attachment *a)
{
	char mac[18], host_mac[18];

	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:b, s:o, s:b, s:s}",
		"network", a->network, "id", a->id, "ifname", a->ifname, "netns",
		a->netns, "host_netns", a->host_netns, "bridge", a->bridge, "host_veth",
		a->host_veth, "mac", nl_link_mac_str(a->mac, mac, sizeof(mac)),
		"host_mac", nl_link_mac_str(a->host_mac, host_mac, sizeof(host_mac)),
		"mtu", (int)a->mtu, "ips", attach_ips_json(a), "default_route",
		a->default_route, "routes", attach_routes_json(a), "hairpin", a->hairpin,
		"data_dir", a->data_dir);
}

/*
 * A record is plumb's own writing: what is not as written is damage, said
 * once, so it is read with jansson's own getters, which say nothing.
 */
static int attach_str(const json_t *j, const char *key, char *out, size_t size)
{
	const char *s = json_string_value(json_object_get(j, key));

	if (!s || strlen(s) >= size)
		return log_errx(-EBADMSG, "record: bad \"%s\"", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/**
 * attach_ips_parse() - addresses in CNI's form: [{"address", "gateway"}]
 * @ips:	the array (of a record, or of an IPAM result)
 * @a:		its ip, gateway and n_ip are filled
 *
 * Return: 0, or -EBADMSG (not logged: the caller says whose they were).
 */
int attach_ips_parse(const json_t *ips, struct attachment *a)
{
	const char *addr, *gw;
	json_t *ip;
	size_t i;

	if (!json_is_array(ips) || json_array_size(ips) > BRIDGE_ADDRS_MAX)
		return -EBADMSG;
	json_array_foreach(ips, i, ip) {
		addr = json_string_value(json_member(ip, "address"));
		gw = json_string_value(json_member(ip, "gateway"));
		memset(&a->gateway[i], 0, sizeof(a->gateway[i]));
		if (!addr || inet_prefix_parse(addr, &a->ip[i]) < 0 ||
		    (gw && inet_addr_parse(gw, &a->gateway[i]) < 0))
			return -EBADMSG;
	}
	a->n_ip = json_array_size(ips);
	return 0;
}

/**
 * attach_routes_parse() - routes in CNI's form: [{"dst", "gw"}]
 * @routes:	the array, or NULL for none
 * @a:		its routes and n_routes are filled; a route without "gw" gets
 *		family 0 there
 *
 * Return: 0, or -EBADMSG (not logged).
 */
int attach_routes_parse(const json_t *routes, struct attachment *a)
{
	const char *dst, *gw;
	json_t *r;
	size_t i;

	a->n_routes = 0;
	if (!routes)
		return 0;
	if (!json_is_array(routes) || json_array_size(routes) > BRIDGE_ROUTES_MAX)
		return -EBADMSG;
	json_array_foreach(routes, i, r) {
		dst = json_string_value(json_member(r, "dst"));
		gw = json_string_value(json_member(r, "gw"));
		memset(&a->routes[i], 0, sizeof(a->routes[i]));
		if (!dst || inet_prefix_parse(dst, &a->routes[i].dst) < 0 ||
		    (gw && inet_addr_parse(gw, &a->routes[i].gateway) < 0))
			return -EBADMSG;
		inet_prefix_mask(&a->routes[i].dst);
	}
	a->n_routes = json_array_size(routes);
	return 0;
}

/**
 * attach_from_json() - read an attachment back from its record
 * @j:		the record
 * @a:		filled from it
 *
 * Return: 0, or -EBADMSG (logged) for a damaged record.
 */
int attach_from_json(const json_t *j, struct attachment *a)
{
	const char *mac = NULL, *host_mac = NULL;
	json_int_t mtu = 0;

	memset(a, 0, sizeof(*a));
	if (attach_str(j, "network", a->network, sizeof(a->network)) < 0 ||
	    attach_str(j, "id", a->id, sizeof(a->id)) < 0 ||
	    attach_str(j, "ifname", a->ifname, sizeof(a->ifname)) < 0 ||
	    attach_str(j, "netns", a->netns, sizeof(a->netns)) < 0 ||
	    attach_str(j, "host_netns", a->host_netns, sizeof(a->host_netns)) < 0 ||
	    attach_str(j, "bridge", a->bridge, sizeof(a->bridge)) < 0 ||
	    attach_str(j, "host_veth", a->host_veth, sizeof(a->host_veth)) < 0 ||
	    attach_str(j, "data_dir", a->data_dir, sizeof(a->data_dir)) < 0)
		return -EBADMSG;
	if (json_unpack((json_t *)j, "{s:s, s:s, s:I, s:b, s:b}", "mac", &mac, "host_mac",
			&host_mac, "mtu", &mtu, "default_route", &a->default_route,
			"hairpin", &a->hairpin) < 0 ||
	    nl_link_mac_parse_try(mac, a->mac, NULL) < 0 ||
	    nl_link_mac_parse_try(host_mac, a->host_mac, NULL) < 0 || mtu < 0 ||
	    mtu > 65535)
		return log_errx(-EBADMSG,
				"record %s:%s: bad mac, host_mac, mtu, "
				"default_route or hairpin",
				a->id, a->ifname);
	a->mtu = (unsigned int)mtu;
	if (attach_ips_parse(json_object_get(j, "ips"), a) < 0 ||
	    attach_routes_parse(json_object_get(j, "routes"), a) < 0 ||
	    !json_is_array(json_object_get(j, "routes")))
		return log_errx(-EBADMSG, "record %s:%s: bad \"ips\" or \"routes\"",
				a->id, a->ifname);
	return 0;
}

/**
 * attach_record_read() - read the record of an attachment
 * @state_dir:	where records live
 * @network:	its network
 * @id:		its container id
 * @ifname:	its interface
 * @a:		filled from the record
 *
 * Return: 0, -ENOENT (not logged) when there is none, or negative errno.
 */
int attach_record_read(const char *state_dir, const char *network, const char *id,
		       const char *ifname, struct attachment *a)
{
	char name[STATE_NAME_MAX + 1];
	json_t *rec;
	int err;

	if ((size_t)snprintf(name, sizeof(name), "%s:%s", id, ifname) >= sizeof(name))
		return -ENAMETOOLONG;
	rec = state_record_read(state_dir, ATTACH_KIND, network, name, &err);
	if (!rec)
		return err;
	err = attach_from_json(rec, a);
	json_decref(rec);
	return err;
}

/**
 * attach_record_write() - write the record of an attachment
 * @state_dir:	where records live
 * @a:		the attachment
 *
 * Return: 0 or negative errno (logged).
 */
int attach_record_write(const char *state_dir, const struct attachment *a)
{
	char name[STATE_NAME_MAX + 1];
	json_t *rec;
	int ret;

	if (attach_record_name(a, name, sizeof(name)) < 0)
		return log_errx(-ENAMETOOLONG, "attachment name too long");
	rec = attach_to_json(a);
	if (!rec)
		return log_err(-ENOMEM, "write record");
	ret = state_record_write(state_dir, ATTACH_KIND, a->network, name, rec);
	json_decref(rec);
	return ret;
}

/**
 * attach_record_del() - delete the record of an attachment
 * @state_dir:	where records live
 * @a:		the attachment
 *
 * Return: 0 (also when there was none) or negative errno (logged).
 */
int attach_record_del(const char *state_dir, const struct attachment *a)
{
	char name[STATE_NAME_MAX + 1];

	if (attach_record_name(a, name, sizeof(name)) < 0)
		return 0;
	return state_record_del(state_dir, ATTACH_KIND, a->network, name);
}

struct attach_walk {
	int (*fn)(const struct attachment *a, void *arg);
	void *arg;
};

static int attach_walk_one(const char *group, const char *name, json_t *rec, void *arg)
{
	const struct attach_walk *w = arg;
	struct attachment a;

	(void)group;
	(void)name;
	if (attach_from_json(rec, &a) < 0)
		return 0; /* damaged: said so; the others still count */
	return w->fn(&a, w->arg);
}

/**
 * attach_for_each() - call a function for every attachment recorded
 * @state_dir:	where records live
 * @network:	only this network's, or NULL for all
 * @fn:		called with each; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Return: 0, what @fn returned when negative, or negative errno.
 */
int attach_for_each(const char *state_dir, const char *network,
		    int (*fn)(const struct attachment *a, void *arg), void *arg)
{
	struct attach_walk w = { .fn = fn, .arg = arg };

	return state_record_for_each(state_dir, ATTACH_KIND, network, attach_walk_one,
				     &w);
}

#define ATTACH_SEEK_NAMES 4 /* networks named in a message */

struct attach_seek {
	const char *id;
	const char *ifname;
	struct attachment *a;
	size_t n;
	char networks[ATTACH_SEEK_NAMES][ATTACH_ID_MAX + 1];
};

static int attach_seek_one(const struct attachment *a, void *arg)
{
	struct attach_seek *s = arg;

	if (strcmp(a->id, s->id) || strcmp(a->ifname, s->ifname))
		return 0;
	if (!s->n)
		*s->a = *a;
	if (s->n < ATTACH_SEEK_NAMES)
		memcpy(s->networks[s->n], a->network, sizeof(s->networks[0]));
	s->n++;
	return 0;
}

static int attach_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "b1 and b2", "b1, b2 and b3", "b1, b2, b3, b4...", in order. */
static void attach_seek_names(struct attach_seek *s, char *buf, size_t size)
{
	size_t i, n = s->n < ATTACH_SEEK_NAMES ? s->n : ATTACH_SEEK_NAMES, len = 0;

	qsort(s->networks, n, sizeof(s->networks[0]), attach_name_cmp);
	for (i = 0; i < n && len < size; i++) {
		const char *sep = i + 1 == s->n ? " and " : ", ";

		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? sep : "",
					s->networks[i]);
	}
	if (s->n > n && len < size)
		snprintf(buf + len, size - len, "...");
}

/**
 * attach_find_try() - the attachment of a container's interface, whatever
 * its network
 * @state_dir:	where records live
 * @id:		the container id
 * @ifname:	its interface
 * @a:		filled from the record found
 * @m:		what is wrong, or NULL
 *
 * For teardown and checks given an id alone: the attachment may have been
 * made on any bridge. Every record is read.
 *
 * Return: 0, -ENOENT (in @m) when no network has it, -EEXIST (in @m,
 * naming the networks) when more than one has it, or another negative errno
 * (logged).
 */
int attach_find_try(const char *state_dir, const char *id, const char *ifname,
		    struct attachment *a, struct log_msg *m)
{
	struct attach_seek s = { .id = id, .ifname = ifname, .a = a };
	char names[ATTACH_SEEK_NAMES * (ATTACH_ID_MAX + 2) + 8];
	int ret;

	ret = attach_for_each(state_dir, NULL, attach_seek_one, &s);
	if (ret < 0)
		return ret;
	if (!s.n)
		return log_msg_errx(m, -ENOENT, "no attachment %s/%s in any network", id,
				    ifname);
	if (s.n == 1)
		return 0;
	attach_seek_names(&s, names, sizeof(names));
	return log_msg_errx(m, -EEXIST, "%s/%s is in %s networks, %s", id, ifname,
			    s.n == 2 ? "two" : "several", names);
}
