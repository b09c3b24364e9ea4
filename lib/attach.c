// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach: an attachment is what plumb makes for one (network, container id,
 * interface): a lease, a veth pair into the container and a record of both.
 *
 * Theory of operation: attach_add() takes the addresses first (files only),
 * then makes sure of the bridge, which every attachment to it shares and
 * whose MTU the attachment takes unless told another; then it writes the
 * record of what it is about to make for this attachment, and only then
 * makes it: veth, addresses, routes. Any failure undoes what was done, in reverse. The
 * record is written before the attachment's own kernel objects exist so
 * that a setup killed halfway leaves a record naming all it may have made;
 * the host veth's name is derived from the attachment (under the host's
 * key, below), so even without a record a teardown finds it. attach_del() is therefore idempotent: each
 * step treats "already gone" as done.
 *
 * A failed attach_add() never touches what existed before it started: an
 * attachment that has a record already is refused before anything is done,
 * and each step undoes only what it made itself.
 *
 * Names no one can choose: the host veth's name is derived from the
 * attachment, and the attachment's id from its creator, who is less trusted
 * than the administrator (issue 11). An unkeyed hash (FNV-1a, before) let
 * anyone compute, offline and in minutes, an id whose name was another
 * container's, and then tear that veth down by deleting their own id. So
 * the name is SipHash-2-4 under the host's secret key (lib/state_key.c:
 * 16 random bytes made once under the state directory, 0600): without the
 * key, which ids give which names cannot be told, and a collision is a
 * 2^-48 guess per container started. The key lives as long as /run, as
 * every veth does.
 *
 * Which veth is ours: teardown finds the host end by its derived name, but
 * another device may hold that name (made by someone else, or by hand), and
 * it must never be deleted. So plumb marks its devices with something the
 * kernel sets in the very RTM_NEWLINK that creates them: their hardware
 * address. The host end's is derived from its name and its namespace under
 * the same key (bridge_mark_mac_keyed()) and is written to the record before
 * the veth is made. The alias "plumb" (IFLA_IFALIAS) marks it too, but the
 * kernel ignores an alias at creation: it follows in a second request, and
 * a process killed between the two (kill point "veth-born") leaves a veth
 * without it. Teardown therefore takes a veth with the alias or with the
 * address its record names (a veth of an earlier version has the address
 * that version recorded), or, without a record, the keyed mark derived
 * again. A device of the same name made by anyone else has neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plumb/attach.h>
#include <plumb/fault.h>
#include <plumb/firewalld.h>
#include <plumb/foreign.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/netns.h>
#include <plumb/siphash.h>
#include <plumb/state.h>


/**
 * attach_key_check() - check the three names that make an attachment
 * @network:	network name (a file name: CNI rules)
 * @id:		container id (CNI rules)
 * @ifname:	interface name (kernel rules)
 *
 * Return: 0 or -EINVAL (logged).
 */
int attach_key_check(const char *network, const char *id, const char *ifname)
{
	if (name_check("network name", network) < 0 ||
	    name_check("container id", id) < 0 || nl_link_name_check(ifname) < 0)
		return -EINVAL;
	return 0;
}

/* Copy a checked name; @src may be @dst itself. */
static void attach_name_set(char *dst, size_t size, const char *src)
{
	if (dst != src)
		snprintf(dst, size, "%s", src);
}

/**
 * attach_key_set() - give an attachment its key, checked: network,
 * container id, interface
 * @a:		the attachment; only its key changes
 * @network:	network name (CNI rules); may be @a->network itself
 * @id:		container id (CNI rules); may be @a->id itself
 * @ifname:	interface name (kernel rules); may be @a->ifname itself
 *
 * Return: 0, or -EINVAL (logged) when a name is refused; @a is then as it
 * was.
 */
int attach_key_set(struct attachment *a, const char *network, const char *id,
		   const char *ifname)
{
	if (attach_key_check(network, id, ifname) < 0)
		return -EINVAL;
	attach_name_set(a->network, sizeof(a->network), network);
	attach_name_set(a->id, sizeof(a->id), id);
	attach_name_set(a->ifname, sizeof(a->ifname), ifname);
	return 0;
}

/**
 * attach_host_veth_name() - the name of an attachment's host veth
 * @key:	the host's secret key (state_key_get())
 * @network:	network name
 * @id:		container id
 * @ifname:	interface name in the container
 * @name:	"pl" and 12 hex digits (48 bits) of SipHash-2-4 under @key of
 *		the three, each ended by its NUL: stable while the key is, 14
 *		bytes, within IFNAMSIZ, and unpredictable without the key, so
 *		that no id can be chosen to give another attachment's name
 */
void attach_host_veth_name(const uint8_t key[STATE_KEY_LEN], const char *network,
			   const char *id, const char *ifname, char name[IF_NAMESIZE])
{
	const char *parts[] = { network, id, ifname };
	char in[2 * (ATTACH_ID_MAX + 1) + IF_NAMESIZE];
	size_t i, n, len = 0;

	for (i = 0; i < 3; i++) {
		/* Checked names fit; a longer one is cut, never overrun. */
		n = strnlen(parts[i], sizeof(in) - len - (3 - i));
		memcpy(in + len, parts[i], n);
		len += n;
		in[len++] = '\0';
	}
	snprintf(name, IF_NAMESIZE, "pl%012llx",
		 (unsigned long long)(siphash_2_4(key, in, len) & 0xffffffffffffULL));
}

/**
 * attach_record_name() - the name of an attachment's record in its network
 * @a:		the attachment
 * @buf:	"<id>:<ifname>" (':' is in neither)
 * @size:	room at @buf
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int attach_record_name(const struct attachment *a, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s:%s", a->id, a->ifname) >= size)
		return -ENAMETOOLONG;
	return 0;
}

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

static int attach_ipam_claim(struct attach_req *req)
{
	struct ipam_lease leases[BRIDGE_ADDRS_MAX];
	struct attachment *a = &req->a;
	struct ipam ipam;
	size_t i;
	int ret;

	ret = ipam_open(&ipam, a->data_dir, a->network);
	if (ret < 0)
		return ret;
	ret = ipam_lease_claim(&ipam, req->sets, req->n_sets, a->id, a->ifname, req->want,
			       leases);
	ipam_close(&ipam);
	if (ret < 0)
		return ret;
	fault_point("ipam-claimed");
	for (i = 0; i < req->n_sets; i++) {
		a->ip[i] = leases[i].addr;
		a->gateway[i] = leases[i].gateway;
	}
	a->n_ip = req->n_sets;
	return 0;
}

/* Return: 0 (also when there is no store), or negative errno (logged). */
static int attach_ipam_release(const struct attachment *a)
{
	char dir[PATH_MAX];
	struct ipam ipam;
	int ret;

	/* No store for the network: nothing to release, and none to create. */
	if (!*a->data_dir ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/%s", a->data_dir, a->network) >=
		    sizeof(dir) ||
	    access(dir, F_OK) < 0)
		return 0;
	ret = ipam_open(&ipam, a->data_dir, a->network);
	if (ret < 0)
		return ret;
	ret = ipam_lease_release(&ipam, a->id, a->ifname);
	ipam_close(&ipam);
	return ret < 0 ? ret : 0;
}

/*
 * Refuse the bridge before any lease is claimed, as bridge_ensure() would
 * refuse it after: a bad --bridge must leave the lease store as it was.
 */
static int attach_bridge_check(struct attach_req *req, struct nl_sock *nl)
{
	struct ipam_range r;
	struct inet_prefix gw;
	size_t i, k;
	int ret;

	for (i = 0; i < req->n_sets; i++) {
		for (k = 0; k < req->sets[i].n; k++) {
			r = req->sets[i].range[k];
			ret = ipam_range_fill(&r);
			if (ret < 0)
				return ret;
			gw = (struct inet_prefix){ .addr = r.gateway,
						   .len = r.subnet.len };
			ret = bridge_check(nl, req->a.bridge, &gw, 1,
					   req->foreign_bridge ? BRIDGE_FOREIGN_OK : 0);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * Let the network through the foreign firewalls that filter forwarding, so
 * that a container made while one runs works at once (lib/foreign.c). What
 * the nftables and iptables adapters add is host-wide: rules matching the
 * interface group of every plumb bridge, the same whatever networks exist,
 * which "plumb-nat reconcile" restores and only "plumb-nat flush" takes
 * back. A failed attachment leaves them, as a deleted network does: taking
 * them back would cut the other networks off. firewalld's, by bridge, go
 * with a bridge this call made (firewalld_forget()).
 */
static int attach_foreign_admit(const struct attach_req *req)
{
	const struct attachment *a = &req->a;
	struct inet_prefix subnets[BRIDGE_ADDRS_MAX];
	struct foreign_net net = { .network = a->network, .bridge = a->bridge,
				   .n_subnets = a->n_ip, .subnets = subnets };
	size_t i;

	for (i = 0; i < a->n_ip; i++) {
		subnets[i] = a->ip[i];
		inet_prefix_mask(&subnets[i]);
	}
	return foreign_admit(req->host_netns_fd, &net, 1);
}

/*
 * One attachment never lowers the MTU of a shared bridge: the kernel gives a
 * bridge the smallest MTU of its ports, so one port of 68 took every other
 * container's large packets, and, below 1280, the bridge's IPv6 gateway. A
 * bridge made for this attachment takes its MTU and keeps it (an MTU set on
 * a bridge no longer follows its ports); an existing one refuses a smaller.
 */
static int attach_mtu(struct nl_sock *nl, struct attach_req *req, struct nl_link *br,
		      int created)
{
	struct attachment *a = &req->a;
	int ret;

	if (!a->mtu) {
		a->mtu = br->mtu;
		return 0;
	}
	if (created && a->mtu != br->mtu) {
		ret = nl_link_set_mtu(nl, a->bridge, a->mtu);
		if (ret < 0)
			return ret;
		br->mtu = a->mtu;
	}
	if (a->mtu < br->mtu)
		return log_errx(
			-EINVAL,
			"%s%sMTU %u is below bridge %s's %u, which it would lower "
			"for every container on it",
			req->mtu_from ? req->mtu_from : "", req->mtu_from ? ": " : "",
			a->mtu, a->bridge, br->mtu);
	return 0;
}

/**
 * attach_policy_apply() - give the network's bridge its forwarding policy
 * @req:	the request: its policy (nothing to do when NULL), network,
 *		host namespace and state directory
 *
 * Called before any container is wired to the bridge: there is no moment
 * when a container is reachable as the policy forbids.
 *
 * Return: 0 or negative errno (logged).
 */
int attach_policy_apply(const struct attach_req *req)
{
	char dir[NAT_STATE_DIR_MAX];
	struct nat nat = { 0 };
	int ret;

	if (!req->policy)
		return 0;
	ret = nat_state_dir(req->host_netns_fd, dir, sizeof(dir));
	if (ret == 0)
		ret = nat_open(&nat, req->host_netns_fd, dir);
	if (ret == 0)
		ret = nat_net_add(&nat, req->policy, req->a.network);
	nat_close(&nat);
	return ret;
}

struct attach_use {
	const char *state_dir;
	const char *network;
};

/* Has the network a container left, plumb-bridge's or plumb-nat's? */
static int attach_network_in_use(void *arg)
{
	static const char *const kinds[] = { ATTACH_KIND, NAT_CNI_KIND, NULL };
	const struct attach_use *u = arg;

	return nat_net_in_use(u->state_dir, u->network, kinds);
}

/*
 * After a network's last attachment went, the policy it had as a container
 * host's network goes too (nat_net_release()).
 */
static int attach_policy_release(const char *state_dir, const char *network,
				 const char *bridge, int host_netns_fd)
{
	struct attach_use u = { .state_dir = state_dir, .network = network };
	char dir[NAT_STATE_DIR_MAX];
	struct nat nat = { 0 };
	int ret;

	ret = nat_state_dir(host_netns_fd, dir, sizeof(dir));
	if (ret == 0)
		ret = nat_open(&nat, host_netns_fd, dir);
	if (ret == 0)
		ret = nat_net_release(&nat, network, bridge, attach_network_in_use, &u);
	nat_close(&nat);
	return ret;
}

/*
 * The host veth's name and mark, under the host's key, made now if it is
 * missing: when something is about to be made, and not before, so that
 * input refused earlier leaves the state directory as it was.
 */
static int attach_host_veth_names(struct attach_req *req, struct nl_sock *nl)
{
	struct attachment *a = &req->a;
	uint8_t key[STATE_KEY_LEN];
	int ret;

	ret = state_key_get(req->state_dir, 1, key);
	if (ret < 0)
		return ret;
	attach_host_veth_name(key, a->network, a->id, a->ifname, a->host_veth);
	bridge_mark_mac_keyed(nl, key, a->host_veth, a->host_mac);
	return 0;
}

/* Wire the claimed addresses: bridge, veth, container side. */
static int attach_wire(struct attach_req *req, struct nl_sock *nl)
{
	struct attachment *a = &req->a;
	struct inet_prefix gw[BRIDGE_ADDRS_MAX];
	struct bridge_port port;
	struct nl_link br;
	size_t i, n_gw;
	int created, promisc = 0, ret;

	for (i = 0, n_gw = 0; !req->no_gateway && i < a->n_ip; i++) {
		if (a->gateway[i].family)
			gw[n_gw++] = (struct inet_prefix){ .addr = a->gateway[i],
							   .len = a->ip[i].len };
	}
	created = bridge_ensure(nl, req->host_netns_fd, a->bridge, gw, n_gw,
				req->foreign_bridge ? BRIDGE_FOREIGN_OK : 0, &br);
	if (created < 0)
		return created;
	memcpy(req->bridge_mac, br.mac, sizeof(req->bridge_mac));
	ret = attach_mtu(nl, req, &br, created);
	if (ret == 0 && req->promisc && !(br.flags & IFF_PROMISC)) {
		ret = nl_link_set_flag(nl, a->bridge, IFF_PROMISC, 1);
		promisc = ret == 0;
	}
	if (ret == 0)
		ret = attach_foreign_admit(req);
	if (ret == 0)
		ret = attach_host_veth_names(req, nl);
	if (ret == 0)
		ret = attach_record_write(req->state_dir, a);
	fault_point("record-written");
	if (ret < 0)
		goto out_bridge;
	/* After the record, so that a last teardown of the network sees it. */
	ret = attach_policy_apply(req);
	if (ret < 0)
		goto out_record;
	port = (struct bridge_port){
		.host_veth = a->host_veth,
		.host_mac = a->host_mac,
		.ifname = a->ifname,
		.netns_fd = req->netns_fd,
		.mac = a->mac,
		.mtu = a->mtu,
		.n_ip = a->n_ip,
		.ip = a->ip,
		.gateway = a->gateway,
		.default_route = a->default_route,
		.n_routes = a->n_routes,
		.routes = a->routes,
		.hairpin = a->hairpin,
	};
	ret = bridge_port_add(nl, &br, &port);
	if (ret == 0) {
		fault_point("attached");
		return 0;
	}
out_record:
	attach_record_del(req->state_dir, a);
	attach_policy_release(req->state_dir, a->network, a->bridge, req->host_netns_fd);
out_bridge:
	if (created && bridge_del(nl, a->bridge) == 0)
		firewalld_forget(req->host_netns_fd, a->bridge);
	else if (promisc) /* a bridge that stays is as it was */
		nl_link_set_flag(nl, a->bridge, IFF_PROMISC, 0);
	return ret;
}

/*
 * The container's namespace cannot be the host side's (ours, or -n's): the
 * veth would have both ends there, and the container's address and default
 * route would land on the host. CNI refuses its own namespace up front; this
 * refuses it for the command line and the OCI hook too (a pid of the host's).
 */
static int attach_netns_check(const struct attach_req *req)
{
	int self = -1, same;

	if (req->netns_fd < 0)
		return 0;
	if (req->host_netns_fd < 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return log_err(-errno, "open /proc/self/ns/net");
	}
	same = netns_same(req->netns_fd, self >= 0 ? self : req->host_netns_fd);
	if (self >= 0)
		close(self);
	if (same < 0)
		return log_err(same, "compare %s with the host side's namespace",
			       req->a.netns);
	if (same)
		return log_errx(-EINVAL,
				"%s is the host side's network namespace, not a "
				"container's",
				req->a.netns);
	return 0;
}

/**
 * attach_exists() - refuse an attachment that exists already
 * @state_dir:	where records live
 * @a:		its network, id and ifname
 *
 * Return: 0 when it has no record, -EEXIST (logged) when it has one, or the
 * error of reading a record that is damaged or planted (not ours to write
 * over).
 */
int attach_exists(const char *state_dir, const struct attachment *a)
{
	struct attachment old;
	int ret;

	ret = attach_record_read(state_dir, a->network, a->id, a->ifname, &old);
	if (ret == 0)
		return log_errx(-EEXIST,
				"container %s has %s in network %s already (bridge %s, "
				"veth %s); delete it first",
				a->id, a->ifname, a->network, old.bridge, old.host_veth);
	return ret == -ENOENT ? 0 : ret;
}

/**
 * attach_add() - attach a namespace to a bridge
 * @req:	what to make; @req->a is completed with what was made. The
 *		addresses come from plumb's IPAM (@req->sets), or are given in
 *		@req->a.ip when @req->n_sets is 0
 *
 * Return: 0, -EEXIST (logged) when the attachment exists already, -EINVAL
 * (logged) when the container's namespace is the host side's, or another
 * negative errno (logged); on failure nothing is left of this call's work
 * but what is the host's rather than the attachment's: the host's key
 * (lib/state_key.c), made once, and the rules that let plumb's bridges
 * through other firewalls, made once for all of them (attach_foreign_admit()).
 */
int attach_add(struct attach_req *req)
{
	struct attachment *a = &req->a;
	uint8_t key[STATE_KEY_LEN];
	struct nl_sock nl;
	int ret;

	ret = attach_netns_check(req);
	if (ret < 0)
		return ret;
	ret = attach_exists(req->state_dir, a);
	if (ret < 0)
		return ret;
	/* A key planted or damaged is refused before anything is done. */
	ret = state_key_get(req->state_dir, 0, key);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (!req->has_mac)
		nl_link_mac_random(a->mac);

	ret = nl_open_netns(&nl, NETLINK_ROUTE, req->host_netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	if (req->n_sets) {
		ret = attach_bridge_check(req, &nl);
		if (ret == 0)
			ret = attach_ipam_claim(req);
	}
	if (ret == 0) {
		ret = attach_wire(req, &nl);
		if (ret < 0 && req->n_sets)
			attach_ipam_release(a);
	}
	nl_close(&nl);
	return ret;
}

/*
 * The namespace the host veth is in: the one given, the record's, or ours
 * (*fd = -1). Return: 0, 1 when the record's namespace is gone (and the veth
 * with it), or negative errno.
 */
static int attach_host_netns_open(const struct attachment *a, int host_netns_fd, int *fd)
{
	*fd = -1;
	if (host_netns_fd < 0 && !*a->host_netns)
		return 0;
	if (host_netns_fd < 0 && access(a->host_netns, F_OK) < 0)
		return 1;
	if (host_netns_fd < 0) {
		*fd = netns_open_path(a->host_netns);
		return *fd < 0 ? *fd : 0;
	}
	/* Close-on-exec: the CNI front end runs a delegated IPAM plugin. */
	*fd = fcntl(host_netns_fd, F_DUPFD_CLOEXEC, 3);
	return *fd < 0 ? log_err(-errno, "duplicate the host namespace's descriptor") : 0;
}

/*
 * Delete the host veth: the record's, marked as the record says; or, with
 * @key and no record, the one whose name and mark derive from the
 * attachment under @key. Return: 0 or negative errno (logged).
 */
static int attach_veth_del(struct attachment *a, const uint8_t *key, int host_netns_fd)
{
	struct nl_sock nl;
	int fd, ret;

	ret = attach_host_netns_open(a, host_netns_fd, &fd);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	if (ret == 0) {
		if (key)
			bridge_mark_mac_keyed(&nl, key, a->host_veth, a->host_mac);
		ret = bridge_port_del(&nl, a->host_veth, a->host_mac);
		nl_close(&nl);
	} else {
		log_err(ret, "open rtnetlink socket");
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * attach_del() - undo an attachment: veth, lease, record
 * @state_dir:	where records live
 * @a:		network, id and ifname; data_dir and host_netns serve when no
 *		record is found; completed from the record when there is one
 * @host_netns_fd: the bridge's namespace, or -1 for the record's (or ours)
 *
 * Idempotent: a second call, or one after the container's namespace is
 * gone, succeeds and still releases the lease. When the lease cannot be
 * released (the store is refused), the record stays for a later call.
 * Without a record, the veth is found by the name the host's key derives;
 * without a key, no veth was ever named, and there is none to delete.
 *
 * Return: 0 or negative errno (logged).
 */
int attach_del(const char *state_dir, struct attachment *a, int host_netns_fd)
{
	uint8_t key[STATE_KEY_LEN];
	struct attachment rec;
	int fd, ret, have_record;

	ret = attach_record_read(state_dir, a->network, a->id, a->ifname, &rec);
	have_record = ret == 0;
	if (ret == 0) {
		*a = rec;
		ret = attach_veth_del(a, NULL, host_netns_fd);
	} else if (ret == -ENOENT) {
		ret = state_key_get(state_dir, 0, key);
		if (ret == 0) {
			attach_host_veth_name(key, a->network, a->id, a->ifname,
					      a->host_veth);
			ret = attach_veth_del(a, key, host_netns_fd);
		} else if (ret == -ENOENT) {
			ret = 0;
		}
	}
	if (ret < 0)
		return ret;
	fault_point("veth-deleted");
	/* A lease that stays keeps its record, so that a later del finds it. */
	ret = attach_ipam_release(a);
	if (ret < 0)
		return ret;
	fault_point("ipam-released");
	ret = attach_record_del(state_dir, a);
	if (ret == 0 && attach_host_netns_open(a, host_netns_fd, &fd) == 0) {
		ret = attach_policy_release(state_dir, a->network,
					    have_record ? a->bridge : NULL, fd);
		if (fd >= 0)
			close(fd);
	}
	return ret;
}
