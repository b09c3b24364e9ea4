// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bridge: a host bridge carrying the gateway addresses of its networks, and
 * veth ports from it into network namespaces.
 *
 * The bridge is shared: it is created when missing, reused when it already
 * carries our gateway, and refused when the name belongs to another kind of
 * device or the bridge carries an address that overlaps ours. A port is one
 * veth pair: the host end enslaved to the bridge in hairpin mode, the other
 * end born inside the namespace under its final name, then given its
 * addresses and routes from a socket opened in that namespace.
 *
 * Only what plumb made is ever deleted, and plumb knows what it made by a
 * mark (bridge_marked()): the hardware address it gives the bridge, derived
 * from the device's name and its namespace (bridge_mark_mac()), and the host
 * end of a veth, derived the same way under the host's secret key
 * (bridge_mark_mac_keyed()), which the kernel sets in the very RTM_NEWLINK
 * that creates the device. The alias "plumb" (IFLA_IFALIAS) is also set, for
 * people and for devices made by earlier versions, but creation ignores it:
 * it comes in a second request, and a process killed in between leaves a
 * device that only its address marks.
 * The bridge and the host ends are in interface group BRIDGE_GROUP, which
 * the rules plumb adds to other firewalls match (lib/foreign.c).
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <plumb/addr.h>
#include <plumb/bridge.h>
#include <plumb/fault.h>
#include <plumb/log.h>
#include <plumb/route.h>
#include <plumb/siphash.h>
#include <plumb/sysctl.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

/* The namespace's cookie, so that devices of the same name in two differ; 0 before Linux 5.14. */
static uint64_t bridge_netns_cookie(struct nl_sock *nl)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	getsockopt(mnl_socket_get_fd(nl->mnl), SOL_SOCKET, SO_NETNS_COOKIE, &cookie,
		   &len);
	return cookie;
}

/**
 * bridge_mark_mac_of() - the hardware address an owner gives a device it creates
 * @nl:		rtnetlink socket of the device's namespace
 * @owner:	who makes it, for the marks of plumb's other makers to differ
 *		(plumb-lab's labs), or "" for plumb-bridge's
 * @name:	the device's name
 * @mac:	a locally administered unicast address: 0x02 and five bytes of
 *		a hash (FNV-1a) of @owner, @name and the namespace's cookie, so
 *		that devices of the same name in two namespaces differ
 *
 * For devices whose names the administrator chooses (bridges, a lab's); a
 * container's veth, whose name follows from its id, has a keyed mark
 * (bridge_mark_mac_keyed()).
 */
void bridge_mark_mac_of(struct nl_sock *nl, const char *owner, const char *name,
			uint8_t mac[6])
{
	uint64_t cookie = bridge_netns_cookie(nl), h = 0xcbf29ce484222325ULL;
	const char *c;
	size_t i;

	for (c = owner; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
	for (c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
	for (i = 0; i < sizeof(cookie); i++)
		h = (h ^ (uint8_t)(cookie >> (8 * i))) * 0x100000001b3ULL;
	mac[0] = 0x02;
	for (i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

/**
 * bridge_mark_mac_keyed() - the hardware address of a container's host veth
 * @nl:		rtnetlink socket of the device's namespace
 * @key:	the host's secret key (state_key_get())
 * @name:	the device's name
 * @mac:	0x02 and five bytes of SipHash-2-4 under @key of "mark", @name
 *		and the namespace's cookie: no one without the key can give
 *		another device plumb's mark
 */
void bridge_mark_mac_keyed(struct nl_sock *nl, const uint8_t key[SIPHASH_KEY_LEN],
			   const char *name, uint8_t mac[6])
{
	uint8_t in[sizeof("mark") + IF_NAMESIZE + 8] = "mark";
	uint64_t cookie = bridge_netns_cookie(nl), h;
	size_t len = sizeof("mark"), i;

	i = strnlen(name, IF_NAMESIZE - 1);
	memcpy(in + len, name, i);
	len += i + 1; /* the NUL separates the name from the cookie */
	for (i = 0; i < 8; i++)
		in[len++] = (uint8_t)(cookie >> (8 * i));
	h = siphash_2_4(key, in, len);
	mac[0] = 0x02;
	for (i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

/**
 * bridge_mark_mac() - the hardware address plumb gives a device it creates
 * @nl:		rtnetlink socket of the device's namespace
 * @name:	the device's name
 * @mac:	as bridge_mark_mac_of() makes it for plumb-bridge ("")
 */
void bridge_mark_mac(struct nl_sock *nl, const char *name, uint8_t mac[6])
{
	bridge_mark_mac_of(nl, "", name, mac);
}

/**
 * bridge_marked() - is a device one that plumb made?
 * @nl:		rtnetlink socket of its namespace
 * @link:	the device
 *
 * Yes when it has plumb's alias or the address of bridge_mark_mac().
 *
 * Return: 1 or 0.
 */
int bridge_marked(struct nl_sock *nl, const struct nl_link *link)
{
	uint8_t mark[6];

	if (!strcmp(link->alias, BRIDGE_ALIAS))
		return 1;
	bridge_mark_mac(nl, link->name, mark);
	return !memcmp(link->mac, mark, 6);
}

/* Return: 0 when @br is a bridge, else -EEXIST (logged). */
static int bridge_kind_check(const struct nl_link *br)
{
	if (strcmp(br->kind, "bridge"))
		return log_errx(-EEXIST, "%s exists and is %s%s, not a bridge", br->name,
				*br->kind ? "a " : "a device without a kind", br->kind);
	return 0;
}

/*
 * A bridge plumb did not create is someone else's (br0 with the uplink, a
 * CNI network's cni0...): joining it, or putting a gateway on it, takes the
 * administrator's explicit leave. Return: 0 or -EPERM (logged).
 */
static int bridge_foreign_check(struct nl_sock *nl, const struct nl_link *br, int flags)
{
	if ((flags & BRIDGE_FOREIGN_OK) || bridge_marked(nl, br))
		return 0;
	return log_errx(-EPERM,
			"bridge %s was not created by plumb, and using it takes the "
			"administrator's leave (--foreign-bridge, or \"foreignBridge\": "
			"true in a CNI configuration or a policy's network)",
			br->name);
}

/* Return: 1 when the bridge was created here, 0 when it existed, -errno. */
static int bridge_get_or_create(struct nl_sock *nl, const char *name, int flags,
				struct nl_link *br)
{
	uint8_t mac[6];
	int created = 0, ret;

	ret = nl_link_get(nl, name, br);
	if (ret == -ENODEV) {
		/* A fixed address: left alone, a bridge takes the lowest of its ports'. */
		bridge_mark_mac(nl, name, mac);
		ret = nl_link_add_bridge(nl, name, mac, BRIDGE_ALIAS);
		if (ret < 0 && ret != -EEXIST) /* EEXIST: made meanwhile */
			return ret;
		created = ret == 0;
		ret = nl_link_get(nl, name, br);
	}
	if (ret < 0)
		return nl_err(nl, ret, "look up bridge %s", name);
	ret = bridge_kind_check(br);
	if (ret == 0 && !created)
		ret = bridge_foreign_check(nl, br, flags);
	if (ret < 0)
		return ret;
	/* Ours, made by a process killed before it set the alias: set it now. */
	if (strcmp(br->alias, BRIDGE_ALIAS) && bridge_marked(nl, br) &&
	    nl_link_set_alias(nl, name, BRIDGE_ALIAS) == 0)
		snprintf(br->alias, sizeof(br->alias), "%s", BRIDGE_ALIAS);
	/* Ours, and still in the default group (made by an older plumb too). */
	if (!br->group && !strcmp(br->alias, BRIDGE_ALIAS)) {
		ret = nl_link_set_group(nl, name, BRIDGE_GROUP);
		if (ret < 0) {
			if (created)
				nl_link_del(nl, name);
			return ret;
		}
		br->group = BRIDGE_GROUP;
	}
	return created;
}

struct bridge_addr_scan {
	const char *bridge;
	const struct inet_prefix *gw;
	size_t n_gw;
	int have[BRIDGE_ADDRS_MAX];
};

static int bridge_addr_scan_one(const struct inet_prefix *p, void *arg)
{
	struct bridge_addr_scan *s = arg;
	char have[INET_PREFIX_STRLEN], want[INET_PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < s->n_gw; i++) {
		const struct inet_prefix *gw = &s->gw[i];

		if (gw->addr.family != p->addr.family)
			continue;
		if (inet_addr_eq(&gw->addr, &p->addr) && gw->len == p->len) {
			s->have[i] = 1;
			continue;
		}
		if (inet_prefix_contains(gw, &p->addr) ||
		    inet_prefix_contains(p, &gw->addr))
			return log_errx(-EEXIST,
					"bridge %s has address %s, which "
					"conflicts with gateway %s",
					s->bridge, inet_prefix_str(p, have, sizeof(have)),
					inet_prefix_str(gw, want, sizeof(want)));
	}
	return 0;
}

/* Note which gateways the bridge has; -EEXIST (logged) when one clashes. */
static int bridge_addrs_scan(struct nl_sock *nl, const struct nl_link *br,
			     struct bridge_addr_scan *scan)
{
	int ret;

	ret = nl_addr_for_each(nl, AF_UNSPEC, br->index, bridge_addr_scan_one, scan);
	if (ret == -ECANCELED)
		return log_last_errno();
	if (ret < 0)
		return nl_err(nl, ret, "list addresses of %s", br->name);
	return 0;
}

struct bridge_overlap {
	int index;			/* the bridge's own, 0 when it is not made yet */
	const struct inet_prefix *gw;	/* the subnet new on the host */
	struct inet_prefix seen;	/* what it overlaps */
	int oif;			/* where that is */
	int route;			/* a route, not an address */
};

static int bridge_prefixes_meet(const struct inet_prefix *a, const struct inet_prefix *b)
{
	struct inet_prefix x = *a, y = *b;

	if (a->addr.family != b->addr.family)
		return 0;
	inet_prefix_mask(&x);
	inet_prefix_mask(&y);
	return inet_prefix_contains(&x, &y.addr) || inet_prefix_contains(&y, &x.addr);
}

static int bridge_overlap_addr(const struct nl_addr *a, void *arg)
{
	struct bridge_overlap *o = arg;

	if (a->ifindex == o->index || !bridge_prefixes_meet(&a->p, o->gw))
		return 0;
	*o = (struct bridge_overlap){ .index = o->index, .gw = o->gw, .seen = a->p,
				      .oif = a->ifindex };
	return -EADDRINUSE;
}

/* The default route meets every subnet, and tells nothing: not it. */
static int bridge_overlap_route(const struct nl_route *r, void *arg)
{
	struct bridge_overlap *o = arg;

	if (!r->dst.len || r->oif == o->index || !bridge_prefixes_meet(&r->dst, o->gw))
		return 0;
	*o = (struct bridge_overlap){ .index = o->index, .gw = o->gw, .seen = r->dst,
				      .oif = r->oif, .route = 1 };
	return -EADDRINUSE;
}

/* Walk the host's addresses and routes for what @o's subnet overlaps. */
static int bridge_overlap_find(struct nl_sock *nl, struct bridge_overlap *o)
{
	int ret;

	ret = nl_addr_list(nl, o->gw->addr.family, bridge_overlap_addr, o);
	if (ret == 0)
		ret = nl_route_for_each(nl, o->gw->addr.family, bridge_overlap_route, o);
	return ret;
}

/*
 * A subnet new on the host (podman refuses the same when a network is
 * created) may not overlap an address of another interface, nor a route of
 * the main table but the default one and the bridge's own: the host's LAN,
 * a VPN's routes, another network's bridge. -EADDRINUSE (logged, naming
 * what it overlaps, and where).
 */
static int bridge_overlap_check(struct nl_sock *nl, const char *bridge, int index,
				const struct inet_prefix *gw)
{
	struct bridge_overlap o = { .index = index, .gw = gw };
	char sub[INET_PREFIX_STRLEN], seen[INET_PREFIX_STRLEN], dev[IF_NAMESIZE] = "?";
	struct inet_prefix subnet = *gw;
	struct nl_link link;
	int ret;

	ret = bridge_overlap_find(nl, &o);
	/*
	 * A bridge missing when bridge_check() looked (@index 0) may have been
	 * made since by another plumb, with this very gateway: what is on it is
	 * its own, not in the way (bridge_ensure() checks it again).
	 */
	if (ret != 0 && !index && o.oif && nl_link_get(nl, bridge, &link) == 0 &&
	    link.index == o.oif) {
		o = (struct bridge_overlap){ .index = link.index, .gw = gw };
		ret = bridge_overlap_find(nl, &o);
	}
	if (ret == 0)
		return 0;
	if (!o.seen.addr.family)
		return nl_err(nl, ret, "list the addresses and routes of the host");
	if (o.oif && nl_link_get_index(nl, o.oif, &link) == 0)
		snprintf(dev, sizeof(dev), "%s", link.name);
	inet_prefix_mask(&subnet);
	inet_prefix_str(&subnet, sub, sizeof(sub));
	inet_prefix_str(&o.seen, seen, sizeof(seen));
	if (o.route)
		return log_errx(-EADDRINUSE,
				"subnet %s of bridge %s overlaps the host's route to %s "
				"(dev %s)",
				sub, bridge, seen, dev);
	return log_errx(-EADDRINUSE,
			"subnet %s of bridge %s overlaps the host's address %s on %s", sub,
			bridge, seen, dev);
}

/*
 * Put the gateways on the bridge, unless they are there or something clashes;
 * bit i of @added says that @gw[i] was put there by this call.
 */
static int bridge_addrs_ensure(struct nl_sock *nl, const struct nl_link *br,
			       const struct inet_prefix *gw, size_t n_gw,
			       unsigned int *added)
{
	struct bridge_addr_scan scan = { .bridge = br->name, .gw = gw, .n_gw = n_gw };
	char buf[INET_PREFIX_STRLEN];
	struct nl_batch b;
	size_t i;
	int ret;

	ret = bridge_addrs_scan(nl, br, &scan);
	if (ret < 0)
		return ret;
	for (i = 0; i < n_gw; i++) {
		if (scan.have[i])
			continue;
		ret = bridge_overlap_check(nl, br->name, br->index, &gw[i]);
		if (ret < 0)
			return ret;
		nl_batch_init(&b);
		/* No duplicate address detection: the gateway works at once. */
		nl_addr_build(nl, &b, RTM_NEWADDR, br->index, &gw[i], NL_ADDR_NODAD);
		ret = nl_batch_talk(nl, &b, NULL, NULL);
		if (ret == 0)
			*added |= 1u << i;
		else if (ret != -EEXIST) /* EEXIST: added meanwhile, not ours */
			return nl_err(nl, ret, "add gateway %s to %s",
				      inet_prefix_str(&gw[i], buf, sizeof(buf)),
				      br->name);
	}
	return 0;
}

/**
 * bridge_gateways_del() - take gateways a failed setup added off the bridge
 * @nl:		rtnetlink socket of the host namespace
 * @br:		the bridge
 * @gw:		the gateways, as given to bridge_ensure()
 * @n_gw:	how many
 * @added:	which to take off: bit i for @gw[i] (bridge_ensure()'s @added)
 *
 * Only what the setup added goes: a gateway the bridge had before stays.
 * One that is gone already (or the bridge with it) counts as taken off.
 *
 * Return: 0 or negative errno (logged); each of them is tried.
 */
int bridge_gateways_del(struct nl_sock *nl, const struct nl_link *br,
			const struct inet_prefix *gw, size_t n_gw, unsigned int added)
{
	char buf[INET_PREFIX_STRLEN];
	struct nl_batch b;
	int ret, err = 0;
	size_t i;

	for (i = 0; i < n_gw; i++) {
		if (!(added & 1u << i))
			continue;
		nl_batch_init(&b);
		nl_addr_build(nl, &b, RTM_DELADDR, br->index, &gw[i], 0);
		ret = nl_batch_talk(nl, &b, NULL, NULL);
		if (ret < 0 && ret != -EADDRNOTAVAIL && ret != -ENODEV && !err)
			err = nl_err(nl, ret, "take gateway %s off %s",
				     inet_prefix_str(&gw[i], buf, sizeof(buf)), br->name);
	}
	return err;
}

static int bridge_forwarding_on(int netns_fd, const struct inet_prefix *gw, size_t n_gw)
{
	int v4 = 0, v6 = 0, ret = 0;
	size_t i;

	for (i = 0; i < n_gw; i++) {
		v4 |= gw[i].addr.family == AF_INET;
		v6 |= gw[i].addr.family == AF_INET6;
	}
	if (v4)
		ret = sysctl_set(netns_fd, "net/ipv4/ip_forward", "1");
	if (v6 && ret == 0)
		ret = sysctl_set(netns_fd, "net/ipv6/conf/all/forwarding", "1");
	return ret;
}

/**
 * bridge_ensure() - make sure a bridge exists, up, with its gateways
 * @nl:		rtnetlink socket of the host namespace
 * @netns_fd:	the host namespace (for its forwarding settings), -1 for ours
 * @name:	the bridge
 * @gw:		gateway addresses with their subnet's length: 10.88.0.1/16
 * @n_gw:	how many (at most BRIDGE_ADDRS_MAX)
 * @flags:	BRIDGE_FOREIGN_OK to use a bridge plumb did not create
 * @br:		filled with the bridge
 * @added:	set to which gateways this call put on the bridge, bit i for
 *		@gw[i], so that a caller failing later can take them off again
 *		(bridge_gateways_del()); 0 on failure. May be NULL.
 *
 * Creates the bridge when missing, adds missing gateways, brings it up and
 * turns forwarding on in the host namespace (IPv4, and IPv6 when a gateway
 * is IPv6). Safe against another plumb doing the same at the same time.
 *
 * Return: 1 when the bridge was created by this call, 0 when it existed, or
 * negative errno (logged): -EEXIST when the name is another kind of device or
 * the bridge has an address overlapping a gateway's subnet, -EPERM when
 * plumb did not create it and @flags do not allow that. A bridge created by
 * a call that fails is deleted again; on one that existed, the gateways the
 * call added are taken off again.
 */
int bridge_ensure(struct nl_sock *nl, int netns_fd, const char *name,
		  const struct inet_prefix *gw, size_t n_gw, int flags,
		  struct nl_link *br, unsigned int *added)
{
	unsigned int mine = 0;
	int created, ret;

	if (added)
		*added = 0;
	if (n_gw > BRIDGE_ADDRS_MAX)
		return log_errx(-EINVAL, "too many gateways for bridge %s", name);
	created = bridge_get_or_create(nl, name, flags, br);
	if (created < 0)
		return created;
	ret = bridge_addrs_ensure(nl, br, gw, n_gw, &mine);
	if (ret == 0 && !(br->flags & IFF_UP))
		ret = nl_link_set_up(nl, name);
	if (ret == 0)
		ret = bridge_forwarding_on(netns_fd, gw, n_gw);
	if (ret < 0 && created)
		nl_link_del(nl, name);
	else if (ret < 0)
		bridge_gateways_del(nl, br, gw, n_gw, mine);
	if (ret < 0)
		return ret;
	if (added)
		*added = mine;
	return created;
}

/**
 * bridge_check() - refuse a bridge as bridge_ensure() would, changing nothing
 * @nl:		rtnetlink socket of the host namespace
 * @name:	the bridge
 * @gw:		gateway addresses with their subnet's length: 10.88.0.1/16
 * @n_gw:	how many (at most BRIDGE_ADDRS_MAX)
 * @flags:	as bridge_ensure()'s
 *
 * Lets a caller refuse a bad bridge before it claims anything else (leases).
 * A missing bridge passes: bridge_ensure() creates it.
 *
 * Return: 0 or negative errno (logged), as bridge_ensure().
 */
int bridge_check(struct nl_sock *nl, const char *name, const struct inet_prefix *gw,
		 size_t n_gw, int flags)
{
	struct bridge_addr_scan scan = { .bridge = name, .gw = gw, .n_gw = n_gw };
	struct nl_link br;
	size_t i;
	int ret;

	if (n_gw > BRIDGE_ADDRS_MAX)
		return log_errx(-EINVAL, "too many gateways for bridge %s", name);
	ret = nl_link_get(nl, name, &br);
	if (ret == -ENODEV) {
		br = (struct nl_link){ .index = 0 }; /* all its gateways are new */
		ret = 0;
	} else if (ret < 0)
		return nl_err(nl, ret, "look up bridge %s", name);
	else if ((ret = bridge_kind_check(&br)) == 0 &&
		 (ret = bridge_foreign_check(nl, &br, flags)) == 0)
		ret = bridge_addrs_scan(nl, &br, &scan);
	for (i = 0; ret == 0 && i < n_gw; i++) {
		if (!scan.have[i])
			ret = bridge_overlap_check(nl, name, br.index, &gw[i]);
	}
	return ret;
}

struct bridge_ports {
	int index;
	char names[256];
	size_t len;
};

static int bridge_port_collect(const struct nl_link *link, void *arg)
{
	struct bridge_ports *p = arg;

	if (link->master == p->index && p->len < sizeof(p->names))
		p->len += (size_t)snprintf(p->names + p->len, sizeof(p->names) - p->len,
					   "%s%s", p->len ? ", " : "", link->name);
	return 0;
}

/**
 * bridge_del() - delete a bridge plumb created, when nothing uses it any more
 * @nl:		rtnetlink socket of its namespace
 * @name:	the bridge
 *
 * Return: 0 or negative errno (logged): -ENODEV when there is no such bridge,
 * -EPERM when plumb did not create it, -EBUSY when it still has ports.
 */
int bridge_del(struct nl_sock *nl, const char *name)
{
	struct bridge_ports ports = { 0 };
	struct nl_link br;
	int ret;

	ret = nl_link_get(nl, name, &br);
	if (ret == -ENODEV)
		return log_errx(ret, "no bridge %s", name);
	if (ret < 0)
		return nl_err(nl, ret, "look up bridge %s", name);
	if (strcmp(br.kind, "bridge"))
		return log_errx(-EINVAL, "%s is not a bridge; not deleting it", name);
	if (!bridge_marked(nl, &br))
		return log_errx(-EPERM,
				"bridge %s was not created by plumb; "
				"not deleting it",
				name);
	ports.index = br.index;
	ret = nl_link_for_each(nl, bridge_port_collect, &ports);
	if (ret < 0)
		return nl_err(nl, ret, "list ports of %s", name);
	if (ports.len)
		return log_errx(-EBUSY, "bridge %s still has ports: %s", name,
				ports.names);
	ret = nl_link_del(nl, name);
	return ret == -ENODEV ? 0 : ret;
}

/* Addresses and routes of the namespace's end, on a socket inside it. */
static int bridge_netns_fill(struct nl_sock *nl, const struct bridge_port *p)
{
	struct nl_link link;
	struct nl_route r;
	struct nl_batch b;
	size_t i;
	int ret;

	if (p->n_ip > BRIDGE_ADDRS_MAX || p->n_routes > BRIDGE_ROUTES_MAX)
		return log_errx(-EINVAL, "too many addresses or routes for %s",
				p->ifname);
	ret = nl_link_get(nl, p->ifname, &link);
	if (ret < 0)
		return nl_err(nl, ret, "look up %s in the container's namespace",
			      p->ifname);
	nl_batch_init(&b);
	nl_link_build_up(nl, &b, "lo");
	nl_link_build_up(nl, &b, p->ifname);
	for (i = 0; i < p->n_ip; i++)
		nl_addr_build(nl, &b, RTM_NEWADDR, link.index, &p->ip[i],
			      p->ip[i].addr.family == AF_INET6 ? NL_ADDR_NODAD : 0);
	for (i = 0; p->default_route && i < p->n_ip; i++) {
		if (!p->gateway[i].family)
			continue;
		r = (struct nl_route){ .gateway = p->gateway[i], .oif = link.index };
		r.dst.addr.family = p->gateway[i].family;
		nl_route_build(nl, &b, RTM_NEWROUTE, &r);
	}
	for (i = 0; i < p->n_routes; i++) {
		r = p->routes[i];
		r.oif = link.index;
		nl_route_build(nl, &b, RTM_NEWROUTE, &r);
	}
	ret = nl_batch_talk(nl, &b, NULL, NULL);
	if (ret < 0)
		return nl_err(nl, ret, "add addresses and routes to %s", p->ifname);
	return 0;
}

/**
 * bridge_netns_configure() - give the namespace's end of a port its addresses
 * @p:		the port: its namespace, interface (already there; it is brought
 *		up), addresses, gateways and routes
 *
 * Also brings "lo" up. Everything is sent in one batch from a socket opened
 * inside the namespace; IPv6 addresses skip duplicate address detection so
 * they, and routes through them, work at once.
 *
 * Return: 0 or negative errno (logged).
 */
int bridge_netns_configure(const struct bridge_port *p)
{
	struct nl_sock nl;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, p->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in the container's namespace");
	ret = bridge_netns_fill(&nl, p);
	nl_close(&nl);
	return ret;
}

/**
 * bridge_port_add() - wire a namespace to a bridge
 * @nl:		rtnetlink socket of the host namespace
 * @br:		the bridge
 * @p:		the port
 *
 * The namespace's side is looked at first, so that an interface already
 * there under the name is named in the error instead of a bare "File
 * exists". All or nothing: if the namespace's side cannot be configured, the
 * veth pair is deleted again.
 *
 * Return: 0 or negative errno (logged).
 */
int bridge_port_add(struct nl_sock *nl, const struct nl_link *br,
		    const struct bridge_port *p)
{
	struct nl_veth v = {
		.name = p->host_veth,
		.netns_fd = -1,
		.peer = p->ifname,
		.peer_netns_fd = p->netns_fd,
		.mtu = p->mtu,
		.mac = p->host_mac,
		.peer_mac = p->mac,
		.master = br->index,
		.hairpin = p->hairpin,
		.alias = BRIDGE_ALIAS,
		.group = BRIDGE_GROUP,
	};
	struct nl_link there;
	struct nl_sock inside;
	int ret;

	ret = nl_open_netns(&inside, NETLINK_ROUTE, p->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in the container's namespace");
	ret = nl_link_get(&inside, p->ifname, &there);
	if (ret == 0)
		ret = log_errx(-EEXIST,
			       "the container's namespace has an interface %s already",
			       p->ifname);
	else if (ret == -ENODEV)
		ret = nl_link_add_veth(nl, &v);
	else
		nl_err(&inside, ret, "look up %s in the container's namespace",
		       p->ifname);
	if (ret == 0) {
		fault_point("veth-created");
		ret = bridge_netns_fill(&inside, p);
		if (ret < 0)
			nl_link_del(nl, p->host_veth);
	}
	nl_close(&inside);
	return ret;
}

/**
 * bridge_port_del() - delete the veth pair of a port
 * @nl:		rtnetlink socket of the host namespace
 * @host_veth:	the host end
 * @mark:	the host end's hardware address: its record's, or, without a
 *		record, its keyed mark derived again (bridge_mark_mac_keyed())
 *
 * Only a veth plumb made is deleted: one with plumb's alias, or with @mark,
 * which the kernel set when it created it (a veth killed before its alias).
 * Another device under that name, a veth included, is not ours.
 *
 * Return: 0 (also when it is gone already) or negative errno (logged).
 */
int bridge_port_del(struct nl_sock *nl, const char *host_veth, const uint8_t mark[6])
{
	struct nl_link link;
	int ret;

	ret = nl_link_get(nl, host_veth, &link);
	if (ret == -ENODEV)
		return 0;
	if (ret < 0)
		return nl_err(nl, ret, "look up %s", host_veth);
	if (strcmp(link.kind, "veth"))
		return log_errx(-EPERM, "%s is a %s, not plumb's veth; not deleting it",
				host_veth, *link.kind ? link.kind : "device");
	if (strcmp(link.alias, BRIDGE_ALIAS) && memcmp(link.mac, mark, 6))
		return log_errx(-EPERM,
				"%s is a veth that plumb did not create; not deleting "
				"it",
				host_veth);
	ret = nl_link_del(nl, host_veth);
	return ret == -ENODEV ? 0 : ret;
}
