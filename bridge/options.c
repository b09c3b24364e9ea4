// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-bridge: the options of "add", shared with the OCI hook, checked whole
 * before anything is touched, and the printing of an attachment.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/netns.h>
#include <plumb/state.h>

#include "bridge.h"

const char add_options_help[] =
	"  --bridge NAME       the bridge (" BRIDGE_DEFAULT "), created when missing\n"
	"  --network NAME      network the leases belong to (the bridge's name)\n"
	"  --subnet CIDR       IPv4 subnet (" DEFAULT_SUBNET ")\n"
	"  --gateway ADDR      the bridge's IPv4 address (the subnet's first)\n"
	"  --subnet6 CIDR      also an IPv6 address, from this subnet\n"
	"  --gateway6 ADDR     the bridge's IPv6 address (the subnet's first)\n"
	"  --ifname NAME       interface inside the namespace (eth0)\n"
	"  --ip auto|ADDR      IPv4 address (auto: the next free one)\n"
	"  --ip6 auto|ADDR     IPv6 address\n"
	"  --mac MAC           hardware address of the interface (random)\n"
	"  --mtu N             MTU of both ends of the veth (the bridge's)\n"
	"  --id ID             container id (the namespace's name)\n"
	"  --no-default-route  no default route via the gateway\n"
	"  --data-dir DIR      lease store (" ATTACH_IPAM_DIR ")\n"
	"  --masquerade        masquerade traffic leaving the subnets (owned by the\n"
	"                      network)\n"
	"  --no-masquerade-to CIDR\n"
	"                      the network reaches CIDR without masquerade (its\n"
	"                      cluster's pod or service CIDR); repeatable\n"
	"  --foreign-bridge    use the bridge even if plumb did not create it\n"
	"  --isolate           nothing passes between the network and plumb's\n"
	"                      other networks but published ports (oci-hook: on)\n"
	"  --no-direct-access  nothing reaches its containers from other\n"
	"                      interfaces but published ports (oci-hook: on)\n"
	"  --no-isolate, --direct-access   the opposites\n";

enum {
	OPT_BRIDGE = 256,
	OPT_NETWORK,
	OPT_SUBNET,
	OPT_GATEWAY,
	OPT_SUBNET6,
	OPT_GATEWAY6,
	OPT_IFNAME,
	OPT_IP,
	OPT_IP6,
	OPT_MAC,
	OPT_MTU,
	OPT_ID,
	OPT_NO_DEFAULT_ROUTE,
	OPT_DATA_DIR,
	OPT_MASQUERADE,
	OPT_NO_MASQUERADE_TO,
	OPT_FOREIGN_BRIDGE,
	OPT_ISOLATE,
	OPT_NO_ISOLATE,
	OPT_DIRECT_ACCESS,
	OPT_NO_DIRECT_ACCESS,
};

static const struct option add_long_options[] = {
	{ "bridge", required_argument, NULL, OPT_BRIDGE },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "subnet6", required_argument, NULL, OPT_SUBNET6 },
	{ "gateway6", required_argument, NULL, OPT_GATEWAY6 },
	{ "ifname", required_argument, NULL, OPT_IFNAME },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "ip6", required_argument, NULL, OPT_IP6 },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "id", required_argument, NULL, OPT_ID },
	{ "no-default-route", no_argument, NULL, OPT_NO_DEFAULT_ROUTE },
	{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
	{ "masquerade", no_argument, NULL, OPT_MASQUERADE },
	{ "no-masquerade-to", required_argument, NULL, OPT_NO_MASQUERADE_TO },
	{ "foreign-bridge", no_argument, NULL, OPT_FOREIGN_BRIDGE },
	{ "isolate", no_argument, NULL, OPT_ISOLATE },
	{ "no-isolate", no_argument, NULL, OPT_NO_ISOLATE },
	{ "direct-access", no_argument, NULL, OPT_DIRECT_ACCESS },
	{ "no-direct-access", no_argument, NULL, OPT_NO_DIRECT_ACCESS },
	{ 0 },
};

/**
 * add_opts_init() - the defaults of "add"
 * @o:		the options
 */
void add_opts_init(struct add_opts *o)
{
	*o = (struct add_opts){
		.req = { .netns_fd = -1, .host_netns_fd = -1, .state_dir = STATE_DIR },
		.bridge = BRIDGE_DEFAULT,
		.ifname = "eth0"
	};
	snprintf(o->req.a.data_dir, sizeof(o->req.a.data_dir), "%s", ATTACH_IPAM_DIR);
	o->req.a.hairpin = 1;
	o->req.a.default_route = 1;
	/* By hand, a router is expected to route between bridges, as with ip. */
	snprintf(o->policy.made_by, sizeof(o->policy.made_by), "cli");
}

static int opt_copy(const char *what, const char *s, char *out, size_t size)
{
	if (strlen(s) >= size)
		return log_errx(-EINVAL, "%s \"%.32s...\" is too long", what, s);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int add_opt_one(struct add_opts *o, int c, const char *arg)
{
	struct attachment *a = &o->req.a;
	unsigned long mtu;

	switch (c) {
	case OPT_BRIDGE:
		o->bridge = arg;
		o->bridge_given = 1;
		return 0;
	case OPT_NETWORK:
		/* Checked here: "" would pass for "not given" later. */
		if (name_check("network name", arg) < 0)
			return -EINVAL;
		return opt_copy("network name", arg, a->network, sizeof(a->network));
	case OPT_SUBNET:
		o->subnet = arg;
		return 0;
	case OPT_GATEWAY:
		o->gateway = arg;
		return 0;
	case OPT_SUBNET6:
		o->subnet6 = arg;
		return 0;
	case OPT_GATEWAY6:
		o->gateway6 = arg;
		return 0;
	case OPT_IFNAME:
		o->ifname = arg;
		return 0;
	case OPT_IP:
		o->ip = strcmp(arg, "auto") ? arg : NULL;
		return 0;
	case OPT_IP6:
		o->ip6 = strcmp(arg, "auto") ? arg : NULL;
		return 0;
	case OPT_MAC:
		o->req.has_mac = 1;
		return nl_link_mac_parse(arg, a->mac);
	case OPT_MTU:
		if (cmd_parse_uint("MTU", arg, 68, 65535, &mtu) < 0)
			return -EINVAL;
		a->mtu = (unsigned int)mtu;
		return 0;
	case OPT_ID:
		if (name_check("container id", arg) < 0)
			return -EINVAL;
		return opt_copy("container id", arg, a->id, sizeof(a->id));
	case OPT_NO_DEFAULT_ROUTE:
		a->default_route = 0;
		return 0;
	case OPT_DATA_DIR:
		return opt_copy("data directory", arg, a->data_dir, sizeof(a->data_dir));
	case OPT_MASQUERADE:
		o->masquerade = 1;
		return 0;
	case OPT_NO_MASQUERADE_TO:
		o->has_no_masq = 1;
		return nat_nomasq_parse(arg, o->no_masq, &o->n_no_masq);
	case OPT_FOREIGN_BRIDGE:
		o->req.foreign_bridge = 1;
		return 0;
	case OPT_ISOLATE:
	case OPT_NO_ISOLATE:
		o->policy.isolate = c == OPT_ISOLATE;
		o->policy_set = 1;
		return 0;
	case OPT_DIRECT_ACCESS:
	case OPT_NO_DIRECT_ACCESS:
		o->policy.guard = c == OPT_NO_DIRECT_ACCESS;
		o->policy_set = 1;
		return 0;
	}
	return -EINVAL;
}

/**
 * add_opts_parse() - read the options and the NETNS argument of "add"
 * @o:		filled; see add_opts_init()
 * @argc:	arguments, argv[0] being the verb
 * @argv:	the arguments
 *
 * Return: 0, -E2BIG for a usage mistake (unknown option, stray argument),
 * -EINVAL (logged) for a bad value.
 */
int add_opts_parse(struct add_opts *o, int argc, char **argv)
{
	int c, ret;

	optind = 1;
	opterr = 0;
	while (optind < argc) {
		if (argv[optind][0] != '-' || !argv[optind][1]) {
			if (o->netns) {
				log_errx(-EINVAL, "%s: unexpected argument \"%s\"",
					 argv[0], argv[optind]);
				return -E2BIG;
			}
			o->netns = argv[optind++];
			continue;
		}
		c = getopt_long(argc, argv, "+", add_long_options, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			log_errx(-EINVAL, "%s: unknown option or missing value \"%s\"",
				 argv[0], argv[optind - 1]);
			return -E2BIG;
		}
		ret = add_opt_one(o, c, optarg);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* One range set from --subnet, --gateway and --ip (or their IPv6 twins). */
static int add_set(struct add_opts *o, int family, const char *subnet,
		   const char *gateway, const char *ip)
{
	struct attach_req *req = &o->req;
	struct ipam_range *r = &req->sets[req->n_sets].range[0];
	struct inet_addr *want = &req->want[req->n_sets];
	const char *v = family == AF_INET ? "" : "6";

	memset(r, 0, sizeof(*r));
	memset(want, 0, sizeof(*want));
	if (inet_subnet_parse(subnet, &r->subnet) < 0)
		return -EINVAL;
	if (r->subnet.addr.family != family)
		return log_errx(-EINVAL,
				"invalid --subnet%s \"%s\": want an IPv%s subnet", v,
				subnet, family == AF_INET ? "4" : "6");
	if (gateway && (inet_addr_parse(gateway, &r->gateway) < 0 ||
			!inet_prefix_contains(&r->subnet, &r->gateway)))
		return log_errx(-EINVAL,
				"invalid --gateway%s \"%s\": want an address "
				"in %s",
				v, gateway, subnet);
	if (ip &&
	    (inet_addr_parse(ip, want) < 0 || !inet_prefix_contains(&r->subnet, want)))
		return log_errx(-EINVAL,
				"invalid --ip%s \"%s\": want auto or an address "
				"in %s",
				v, ip, subnet);
	if (ipam_range_fill(r) < 0)
		return -EINVAL;
	req->sets[req->n_sets++].n = 1;
	return 0;
}

/**
 * opt_network_of() - the network of a container's interface that no option
 * named: the one whose records have it
 * @id:		the container id
 * @ifname:	its interface
 * @network:	the network; BRIDGE_DEFAULT when none has it and @any
 * @size:	room at @network
 * @any:	no network having it is no error (teardown is idempotent)
 *
 * Return: 0, or negative errno (logged): -EEXIST when several networks have
 * it, -ENOENT when none does and not @any.
 */
int opt_network_of(const char *id, const char *ifname, char *network, size_t size,
		   int any)
{
	struct attachment a;
	struct log_msg m;
	int ret = attach_find_try(STATE_DIR, id, ifname, &a, &m);

	if (ret == -ENOENT && any)
		snprintf(a.network, sizeof(a.network), "%s", BRIDGE_DEFAULT);
	else if (ret == -EEXIST)
		return log_errx(ret, "%s: say which with --network", m.text);
	else if (ret == -ENOENT)
		return log_msg_report(&m);
	else if (ret < 0)
		return ret;
	snprintf(network, size, "%s", a.network);
	return 0;
}

/**
 * opt_default_id() - the container id a namespace gives when none is given
 * @spec:	NETNS as the user wrote it
 * @id:		its name: "c1" for "c1" or "/run/netns/c1"
 * @size:	room at @id
 *
 * Return: 0, or -EINVAL (logged) when the namespace has no name.
 */
int opt_default_id(const char *spec, char *id, size_t size)
{
	const char *name = spec;

	if (!strncmp(spec, NETNS_RUN_DIR "/", strlen(NETNS_RUN_DIR) + 1))
		name = spec + strlen(NETNS_RUN_DIR) + 1;
	else if (!strncmp(spec, "/var" NETNS_RUN_DIR "/", strlen(NETNS_RUN_DIR) + 5))
		name = spec + strlen(NETNS_RUN_DIR) + 5;
	if (strchr(name, '/') || !strncmp(name, "pid:", 4))
		return log_errx(-EINVAL,
				"%s has no name to use as container id; give --id", spec);
	return opt_copy("container id", name, id, size);
}

/**
 * add_opts_finish() - check the options as a whole and complete the request
 * @o:		the options
 *
 * Return: 0 or -EINVAL (logged).
 */
int add_opts_finish(struct add_opts *o)
{
	struct attachment *a = &o->req.a;

	if (nl_link_name_check(o->bridge) < 0 || nl_link_name_check(o->ifname) < 0)
		return -EINVAL;
	snprintf(a->bridge, sizeof(a->bridge), "%s", o->bridge);
	snprintf(o->policy.bridge, sizeof(o->policy.bridge), "%s", o->bridge);
	o->req.policy = o->policy_set ? &o->policy : NULL;
	if (!*a->network)
		snprintf(a->network, sizeof(a->network), "%s", a->bridge);
	if (!o->subnet)
		o->subnet = DEFAULT_SUBNET;
	if (add_set(o, AF_INET, o->subnet, o->gateway, o->ip) < 0)
		return -EINVAL;
	if ((o->gateway6 || o->ip6) && !o->subnet6)
		return log_errx(-EINVAL, "--gateway6 and --ip6 need --subnet6");
	if (o->subnet6 && add_set(o, AF_INET6, o->subnet6, o->gateway6, o->ip6) < 0)
		return -EINVAL;
	if (o->subnet6 && a->mtu && a->mtu < 1280)
		return log_errx(-EINVAL, "invalid MTU %u: IPv6 needs 1280 or more",
				a->mtu);
	if (o->netns && !*a->id && opt_default_id(o->netns, a->id, sizeof(a->id)) < 0)
		return -EINVAL;
	if (o->netns && netns_spec_path(o->netns, a->netns, sizeof(a->netns)) < 0)
		return -EINVAL;
	if (a->data_dir[0] != '/')
		return log_errx(-EINVAL,
				"invalid --data-dir \"%s\": want an absolute path",
				a->data_dir);
	if (o->netns)
		return attach_key_set(a, a->network, a->id, o->ifname);
	return name_check("network name", a->network);
}

/**
 * opt_netns_open() - open the namespace of -n, the host side's
 * @ctx:	the options before the verb
 * @fd:		the namespace, or -1 without -n
 *
 * Return: 0 or negative errno (logged).
 */
int opt_netns_open(const struct cmd_ctx *ctx, int *fd)
{
	*fd = -1;
	if (!ctx->netns)
		return 0;
	*fd = netns_open(ctx->netns);
	return *fd < 0 ? *fd : 0;
}

/**
 * opt_netns_req() - the namespace of -n for an attachment: open, and named
 * in its record so that teardown finds it without -n
 * @ctx:	the options before the verb
 * @req:	the request
 *
 * Return: 0 or negative errno (logged).
 */
int opt_netns_req(const struct cmd_ctx *ctx, struct attach_req *req)
{
	int ret = opt_netns_open(ctx, &req->host_netns_fd);

	if (ret == 0 && ctx->netns)
		ret = netns_spec_path(ctx->netns, req->a.host_netns,
				      sizeof(req->a.host_netns));
	return ret;
}

/**
 * attachment_print() - print an attachment on stdout
 * @a:		the attachment
 * @json:	as JSON (its record), or one line of text
 */
void attachment_print(const struct attachment *a, int json)
{
	char ip[INET_PREFIX_STRLEN], gw[INET_ADDR_STRLEN], mac[18];
	json_t *j;
	size_t i;

	if (json) {
		j = attach_to_json(a);
		if (j)
			json_write(stdout, j);
		json_decref(j);
		return;
	}
	printf("%s %s %s", a->network, a->id, a->ifname);
	for (i = 0; i < a->n_ip; i++) {
		printf(" %s", inet_prefix_str(&a->ip[i], ip, sizeof(ip)));
		if (a->gateway[i].family)
			printf(" gw %s", inet_addr_str(&a->gateway[i], gw, sizeof(gw)));
	}
	printf(" mac %s mtu %u bridge %s veth %s netns %s\n",
	       nl_link_mac_str(a->mac, mac, sizeof(mac)), a->mtu, a->bridge, a->host_veth,
	       a->netns);
}
