// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge as a CNI plugin, in the manner of the reference "bridge"
 * plugin: the keys "bridge" (cni0), "isGateway", "isDefaultGateway",
 * "ipMasq", "mtu", "hairpinMode", "promiscMode" and "ipam", the capabilities
 * "ips" and "mac", CNI_ARGS IP= and MAC=. Addresses come from the IPAM
 * plugin the configuration names (plumb's own runs in this process).
 * "nonMasqueradeCIDRs" (ip-masq-agent's name) lists the destinations the
 * network reaches without masquerade: a Kubernetes cluster's pod and
 * service CIDRs.
 * plumb's own keys "isolate" and "directAccess" give the network its
 * forwarding policy (lib/nat_net.c): on a container host, by default,
 * nothing passes between it and plumb's other networks, and nothing
 * reaches its containers from another interface, but published ports.
 *
 * Unlike the reference plugin, the host veth is named from the attachment
 * and everything is recorded, so DEL and GC work without the container's
 * namespace and without prevResult, and a failed ADD leaves nothing.
 *
 * Invoked as "plumb-ipam" (a link to this binary), it is the IPAM plugin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plumb/attach.h>
#include <plumb/cni.h>
#include <plumb/cni_ipam.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "bridge.h"

#define CNI_BRIDGE_DEFAULT "cni0"

/**
 * struct br_conf - what the network configuration asks of plumb-bridge
 * @bridge:	"bridge"
 * @is_gw:	"isGateway" (or "isDefaultGateway")
 * @default_gw:	"isDefaultGateway"
 * @ip_masq:	"ipMasq"
 * @hairpin:	"hairpinMode"
 * @promisc:	"promiscMode"
 * @foreign:	"foreignBridge", plumb's own key: the bridge may be one plumb
 *		did not create (one the reference plugin made, say)
 * @policy:	"isolate" (true), "directAccess" (false)
 * @mtu:	"mtu", 0 for the bridge's
 * @mac:	the container's address, from runtimeConfig.mac, args.cni.mac
 *		or CNI_ARGS MAC=, or NULL
 * @has_no_masq: "nonMasqueradeCIDRs" is given (an empty list clears it)
 * @no_masq:	its destinations
 * @n_no_masq:	how many
 */
struct br_conf {
	const char *bridge;
	int is_gw;
	int default_gw;
	int ip_masq;
	int hairpin;
	int promisc;
	int foreign;
	struct nat_net policy;
	long long mtu;
	const char *mac;
	char mac_arg[32];
	int has_no_masq;
	struct inet_prefix no_masq[NAT_NOMASQ_MAX];
	size_t n_no_masq;
};

static const char *const br_args[] = { "IP", "MAC", NULL };

/* Keys of the reference plugin plumb does not do: refused, naming the key. */
static int br_conf_unsupported(struct cni_req *req)
{
	static const char *const keys[] = { "vlan", "vlanTrunk", "macspoofchk",
					    "disableContainerInterface",
					    "portIsolation" };
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_member(req->conf, keys[i]);
		if (v && !json_is_false(v) && !json_is_null(v) &&
		    !(json_is_integer(v) && !json_integer_value(v)))
			return cni_fail(req, CNI_ERR_FIELD, 0,
					"\"%s\" is not supported by "
					"plumb-bridge",
					keys[i]);
	}
	return 0;
}

static int br_conf_parse(struct cni_req *req, struct br_conf *c)
{
	json_t *args_mac =
		json_member(json_member(json_member(req->conf, "args"), "cni"), "mac");
	json_t *no_masq = json_member(req->conf, "nonMasqueradeCIDRs");
	int ret, direct = 0;

	*c = (struct br_conf){ .bridge = CNI_BRIDGE_DEFAULT,
			       .has_no_masq = no_masq && !json_is_null(no_masq),
			       .policy = { .made_by = "cni", .isolate = 1 } };
	req->code = CNI_ERR_CONFIG;
	if (c->has_no_masq && nat_nomasq_parse_json(no_masq, "nonMasqueradeCIDRs",
						    c->no_masq, &c->n_no_masq) < 0)
		return -EINVAL;
	if (json_get_string(req->conf, "bridge", &c->bridge) < 0 ||
	    json_get_bool(req->conf, "isGateway", &c->is_gw) < 0 ||
	    json_get_bool(req->conf, "isDefaultGateway", &c->default_gw) < 0 ||
	    json_get_bool(req->conf, "ipMasq", &c->ip_masq) < 0 ||
	    json_get_bool(req->conf, "hairpinMode", &c->hairpin) < 0 ||
	    json_get_bool(req->conf, "promiscMode", &c->promisc) < 0 ||
	    json_get_bool(req->conf, "foreignBridge", &c->foreign) < 0 ||
	    json_get_bool(req->conf, "isolate", &c->policy.isolate) < 0 ||
	    json_get_bool(req->conf, "directAccess", &direct) < 0 ||
	    json_get_int(req->conf, "mtu", 0, 65535, &c->mtu) < 0 ||
	    nl_link_name_check(c->bridge) < 0)
		return -EINVAL;
	if (c->mtu && c->mtu < 68)
		return log_errx(-EINVAL, "invalid \"mtu\": want 68 to 65535");
	if (c->hairpin && c->promisc)
		return log_errx(-EINVAL,
				"\"hairpinMode\" and \"promiscMode\" cannot both be "
				"set");
	req->code = 0;
	c->is_gw |= c->default_gw;
	c->policy.guard = !direct;
	snprintf(c->policy.bridge, sizeof(c->policy.bridge), "%s", c->bridge);
	ret = br_conf_unsupported(req);
	if (ret == 0)
		ret = cni_args_check(req, br_args);
	if (ret == 0 && cni_args_get(req, "MAC", c->mac_arg, sizeof(c->mac_arg)) > 0)
		c->mac = c->mac_arg;
	if (json_is_string(args_mac))
		c->mac = json_string_value(args_mac);
	if (json_is_string(cni_runtime_config(req, "mac")))
		c->mac = json_string_value(cni_runtime_config(req, "mac"));
	return ret;
}

/* The IPAM result's addresses; with isGateway, a missing gateway is the subnet's first. */
static int br_addrs(struct cni_req *req, const struct br_conf *c, json_t *ipam,
		    struct attachment *a)
{
	json_t *ips = json_member(ipam, "ips");
	struct inet_prefix net;
	size_t i;

	if (ips && attach_ips_parse(ips, a) < 0)
		return cni_fail(req, CNI_ERR_DECODE, 0,
				"IPAM result: bad \"ips\" (at most "
				"%d addresses)",
				BRIDGE_ADDRS_MAX);
	for (i = 0; c->is_gw && i < a->n_ip; i++) {
		if (a->gateway[i].family)
			continue;
		net = a->ip[i];
		inet_prefix_mask(&net);
		a->gateway[i] = net.addr;
		inet_addr_add(&a->gateway[i], 1);
	}
	return 0;
}

/*
 * The IPAM result's routes (a route without "gw" goes through the gateway of
 * its family, as the reference plugin does), and with isDefaultGateway a
 * default route per family unless one with a gateway is there already.
 */
static int br_routes(struct cni_req *req, const struct br_conf *c, json_t *ipam,
		     struct attachment *a)
{
	struct nl_route *r;
	size_t i, k;

	if (attach_routes_parse(json_member(ipam, "routes"), a) < 0)
		return cni_fail(req, CNI_ERR_DECODE, 0,
				"IPAM result: bad \"routes\" (at most "
				"%d)",
				BRIDGE_ROUTES_MAX);
	for (i = 0; i < a->n_routes; i++) {
		r = &a->routes[i];
		for (k = 0; !r->gateway.family && k < a->n_ip; k++) {
			if (a->gateway[k].family == r->dst.addr.family)
				r->gateway = a->gateway[k];
		}
	}
	for (k = 0; c->default_gw && k < a->n_ip; k++) {
		for (i = 0; i < a->n_routes; i++) {
			if (!a->routes[i].dst.len &&
			    a->routes[i].gateway.family == a->ip[k].addr.family)
				break;
		}
		if (i < a->n_routes || !a->gateway[k].family ||
		    a->n_routes == BRIDGE_ROUTES_MAX)
			continue;
		a->routes[a->n_routes] = (struct nl_route){ .gateway = a->gateway[k] };
		a->routes[a->n_routes++].dst.addr.family = a->gateway[k].family;
	}
	return 0;
}

static json_t *br_result(const struct attach_req *r, json_t *ipam, json_t *dns)
{
	const struct attachment *a = &r->a;
	char buf[INET_PREFIX_STRLEN], gw[INET_ADDR_STRLEN], mac[18], hmac[18], bmac[18];
	json_t *res, *ips = json_array(), *routes = json_array(), *o;
	size_t i;

	for (i = 0; i < a->n_ip; i++) {
		o = json_pack("{s:i, s:s}", "interface", 2, "address",
			      inet_prefix_str(&a->ip[i], buf, sizeof(buf)));
		if (o && a->gateway[i].family)
			json_object_set_new(o, "gateway",
					    json_string(inet_addr_str(&a->gateway[i], gw,
								      sizeof(gw))));
		json_array_append_new(ips, o);
	}
	for (i = 0; i < a->n_routes; i++) {
		o = json_pack("{s:s}", "dst",
			      inet_prefix_str(&a->routes[i].dst, buf, sizeof(buf)));
		if (o && a->routes[i].gateway.family)
			json_object_set_new(
				o, "gw",
				json_string(inet_addr_str(&a->routes[i].gateway, gw,
							  sizeof(gw))));
		json_array_append_new(routes, o);
	}
	res = json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}]}", "interfaces",
			"name", a->bridge, "mac",
			nl_link_mac_str(r->bridge_mac, bmac, sizeof(bmac)), "name",
			a->host_veth, "mac",
			nl_link_mac_str(a->host_mac, hmac, sizeof(hmac)), "name",
			a->ifname, "mac", nl_link_mac_str(a->mac, mac, sizeof(mac)),
			"sandbox", a->netns);
	if (res && json_array_size(ips))
		json_object_set(res, "ips", ips);
	if (res && json_array_size(routes))
		json_object_set(res, "routes", routes);
	if (res && (dns || json_member(ipam, "dns")))
		json_object_set(res, "dns", dns ? dns : json_member(ipam, "dns"));
	json_decref(ips);
	json_decref(routes);
	return res;
}

/*
 * Masquerade what leaves the container's subnets, but for the destinations
 * spared (set first, so that the masquerade never runs without them); the
 * network owns both. With @check, only tell whether they are in place, as
 * plumb-nat's CHECK does, naming the first element that is not.
 */
static int br_masq(struct cni_req *req, const struct br_conf *c,
		   const struct attachment *a, int check)
{
	const struct inet_prefix *to = c->has_no_masq ? c->no_masq : NULL;
	char owner[NFT_OWNER_MAX + 1];
	struct nat nat = { 0 };
	int ret;

	nat_owner_network(req->name, owner);
	ret = nat_open(&nat, -1, STATE_DIR);
	if (ret == 0 && check)
		ret = nat_masq_check_each(&nat, a->ip, a->n_ip, c->ip_masq, to,
					  c->n_no_masq, owner);
	else if (ret == 0)
		ret = nat_masq_add_each(&nat, a->ip, a->n_ip, c->ip_masq, to,
					c->n_no_masq, owner);
	nat_close(&nat);
	return ret;
}

static int br_add(struct cni_req *req, json_t **result)
{
	struct attach_req r = { .netns_fd = req->netns_fd,
				.host_netns_fd = -1,
				.state_dir = STATE_DIR };
	struct attachment *a = &r.a;
	json_t *ipam = NULL;
	struct log_msg m;
	struct br_conf c;
	int attached = 0, ret;

	ret = br_conf_parse(req, &c);
	if (ret == 0 && c.mac) {
		r.has_mac = 1;
		if (nl_link_mac_parse_try(c.mac, a->mac, &m) < 0)
			ret = cni_fail(req, CNI_ERR_CONFIG, 0, "%s", m.text);
	}
	if (ret == 0)
		ret = attach_key_set(a, req->name, req->container_id, req->ifname);
	if (ret < 0)
		return ret;
	snprintf(a->netns, sizeof(a->netns), "%s", req->netns);
	snprintf(a->bridge, sizeof(a->bridge), "%s", c.bridge);
	a->mtu = (unsigned int)c.mtu;
	a->hairpin = c.hairpin;
	r.no_gateway = !c.is_gw;
	r.promisc = c.promisc;
	r.foreign_bridge = c.foreign;
	r.policy = &c.policy;

	/*
	 * A second ADD of a live attachment is refused before anything runs:
	 * undoing a failed ADD must never undo the first one.
	 */
	ret = attach_exists(STATE_DIR, a);
	if (ret < 0)
		return ret;
	ret = cni_ipam_add(req, &ipam);
	if (ret < 0)
		return ret;
	ret = br_addrs(req, &c, ipam, a);
	if (ret == 0)
		ret = br_routes(req, &c, ipam, a);
	if (ret == 0)
		ret = attach_add(&r); /* undoes itself when it fails */
	if (ret == 0) {
		attached = 1;
		if (c.ip_masq || c.has_no_masq)
			ret = br_masq(req, &c, a, 0);
	}
	if (ret == 0)
		*result = br_result(&r, ipam, json_member(req->conf, "dns"));
	if (ret == 0 && !*result)
		ret = log_err(-ENOMEM, "build result");
	if (ret < 0) {
		/* All or nothing: the veth and record, then the addresses. */
		if (attached)
			attach_del(STATE_DIR, a, -1);
		cni_ipam_del(req, NULL, NULL);
	}
	json_decref(ipam);
	return ret;
}

static int br_del(struct cni_req *req)
{
	struct attachment a = { 0 };
	struct br_conf c;
	int ret;

	ret = br_conf_parse(req, &c);
	if (ret == 0)
		ret = attach_key_set(&a, req->name, req->container_id, req->ifname);
	if (ret < 0)
		return ret;
	ret = attach_del(STATE_DIR, &a, -1);
	if (ret == 0)
		ret = cni_ipam_del(req, NULL, NULL);
	return ret;
}

static int br_check(struct cni_req *req)
{
	struct attachment a;
	struct br_conf c;
	json_t *diffs;
	int ret;

	ret = br_conf_parse(req, &c);
	if (ret < 0)
		return ret;
	ret = attach_record_read(STATE_DIR, req->name, req->container_id, req->ifname,
				 &a);
	if (ret == -ENOENT)
		return cni_fail(req, CNI_ERR_CONTAINER, 0,
				"no attachment of container %s (%s) "
				"in network %s",
				req->container_id, req->ifname, req->name);
	if (ret < 0)
		return ret;
	diffs = json_array();
	if (!diffs)
		return -ENOMEM;
	if (attach_check(&a, -1, diffs) > 0)
		ret = log_errx(-EINVAL, "container %s: %s%s", req->container_id,
			       json_string_value(json_array_get(diffs, 0)),
			       json_array_size(diffs) > 1 ? ", and more" : "");
	json_decref(diffs);
	/* The network's masquerade and the destinations it spares, as ADD made them. */
	if (ret == 0 && (c.ip_masq || c.has_no_masq))
		ret = br_masq(req, &c, &a, 1);
	return ret < 0 ? ret : cni_ipam_check(req);
}

struct br_gc {
	struct cni_req *req;
	int err;
};

static int br_gc_one(const struct attachment *rec, void *arg)
{
	struct br_gc *g = arg;
	struct attachment a = *rec;
	int ret;

	ret = cni_attachment_valid(g->req, a.id, a.ifname);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = attach_del(STATE_DIR, &a, -1);
	if (ret == 0)
		ret = cni_ipam_del(g->req, rec->id, rec->ifname);
	if (ret < 0 && !g->err)
		g->err = ret; /* go on with the others, report the first */
	return 0;
}

static int br_gc(struct cni_req *req)
{
	struct br_gc g = { .req = req };
	struct br_conf c;
	int ret;

	ret = br_conf_parse(req, &c);
	/* Which version the IPAM plugin speaks decides that of its DELs here. */
	if (ret == 0)
		ret = cni_ipam_version_ask(req);
	if (ret == 0)
		ret = attach_for_each(STATE_DIR, req->name, br_gc_one, &g);
	if (ret == 0)
		ret = g.err;
	if (ret == 0)
		ret = cni_ipam_gc(req);
	return ret;
}

static int br_status(struct cni_req *req)
{
	struct br_conf c;
	struct nat nat = { 0 };
	uint32_t genid;
	int ret;

	ret = br_conf_parse(req, &c);
	if (ret == 0 && (c.ip_masq || c.has_no_masq || c.policy.isolate || c.policy.guard)) {
		ret = nat_open(&nat, -1, STATE_DIR);
		if (ret == 0)
			ret = nft_gen_get(&nat.nl, &genid);
		nat_close(&nat);
		if (ret < 0)
			return cni_fail(req, CNI_ERR_UNAVAILABLE, 0,
					"nftables is not usable for ipMasq, "
					"isolate or directAccess");
	}
	return ret < 0 ? ret : cni_ipam_status(req);
}

static const struct cni_plugin plumb_bridge = {
	.name = "the CNI plugin plumb-bridge",
	.need = CAPS(CAP_NET_ADMIN, CAP_SYS_ADMIN),
	.keep = CAPS(CAP_SYS_PTRACE),
	.add = br_add,
	.del = br_del,
	.check = br_check,
	.gc = br_gc,
	.status = br_status,
};

/* plumb-ipam: host-local's configuration and store, in plumb. */

static int ipam_plugin_add(struct cni_req *req, json_t **result)
{
	static const char *const known[] = { "IP", NULL };
	int ret = cni_args_check(req, known);

	return ret < 0 ? ret : cni_ipam_add(req, result);
}

static int ipam_plugin_del(struct cni_req *req)
{
	return cni_ipam_del(req, NULL, NULL);
}

static const struct cni_plugin plumb_ipam = {
	.name = "the CNI plugin plumb-ipam",
	.netns_unused = 1,
	.ipam = 1, /* the "ipam" section is its own, as host-local's */
	.add = ipam_plugin_add,
	.del = ipam_plugin_del,
	.check = cni_ipam_check,
	.gc = cni_ipam_gc,
	.status = cni_ipam_status,
};

/**
 * bridge_cni_main() - serve a CNI invocation
 * @argv0:	how we were invoked: as plumb-ipam, the IPAM plugin
 *
 * Return: the exit status.
 */
int bridge_cni_main(const char *argv0)
{
	const char *name = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	int ipam = !strcmp(name, "plumb-ipam");

	return cni_serve(ipam ? &plumb_ipam : &plumb_bridge,
			 ipam ? "plumb-ipam" : "plumb-bridge", environ, STDIN_FILENO,
			 stdout);
}
