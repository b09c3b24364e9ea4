// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_spec: what plumb-nat is asked, in the user's words and in the kernel's:
 * publish specifications ("[HOSTIP:]HOSTPORT[-END][/PROTO] ADDR:PORT[-END]"),
 * the set elements they become, and their records. Owners are nat_owner.c's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "sctp", IPPROTO_SCTP },
};

/**
 * nat_proto_name() - "tcp", "udp" or "sctp"
 * @proto:	the protocol number
 */
const char *nat_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (protos[i].proto == proto)
			return protos[i].name;
	}
	return "?";
}

static int nat_proto_parse_try(const char *s, uint8_t *proto, struct log_msg *m)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	return log_msg_errx(m, -EINVAL, "unknown protocol \"%s\": want tcp, udp or sctp",
			    s);
}

static int nat_port_parse_try(const char *s, const char *end, uint16_t *port,
			      struct log_msg *m)
{
	unsigned long v = 0;
	const char *c;

	if (s == end || end - s > 5)
		return log_msg_errx(m, -EINVAL, "invalid port \"%.*s\": want 1 to 65535",
				    (int)(end - s), s);
	for (c = s; c < end; c++) {
		if (*c < '0' || *c > '9')
			return log_msg_errx(m, -EINVAL,
					    "invalid port \"%.*s\": want 1 to 65535",
					    (int)(end - s), s);
		v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v < 1 || v > 65535)
		return log_msg_errx(m, -EINVAL, "invalid port %lu: want 1 to 65535", v);
	*port = (uint16_t)v;
	return 0;
}

/* "N" or "N-M" */
static int nat_range_parse_try(const char *s, uint16_t *first, uint16_t *last,
			       struct log_msg *m)
{
	const char *dash = strchr(s, '-'), *end = s + strlen(s);

	if (nat_port_parse_try(s, dash ? dash : end, first, m) < 0)
		return -EINVAL;
	*last = *first;
	if (dash && nat_port_parse_try(dash + 1, end, last, m) < 0)
		return -EINVAL;
	if (*last < *first)
		return log_msg_errx(m, -EINVAL,
				    "invalid port range \"%s\": it ends before it "
				    "starts",
				    s);
	return 0;
}

/*
 * "[ADDR:]PORTS" with IPv6 addresses in brackets. @ports points into @buf
 * afterwards; the address is empty when there is none.
 */
static int nat_split_addr_try(char *buf, char **addr, char **ports, struct log_msg *m)
{
	char *colon;

	*addr = buf;
	if (buf[0] == '[') {
		colon = strstr(buf, "]:");
		if (!colon)
			return log_msg_errx(m, -EINVAL, "invalid \"%s\": want [IPV6]:PORT",
					    buf);
		*colon = '\0';
		*addr = buf + 1;
		*ports = colon + 2;
		return 0;
	}
	colon = strrchr(buf, ':');
	if (colon && strchr(buf, ':') != colon)
		return log_msg_errx(m, -EINVAL,
				    "invalid \"%s\": put an IPv6 address in brackets, "
				    "[fd00::2]:80",
				    buf);
	if (!colon) {
		*addr = buf + strlen(buf); /* "" */
		*ports = buf;
		return 0;
	}
	*colon = '\0';
	*ports = colon + 1;
	return 0;
}

/**
 * nat_pub_parse_host_try() - parse the host side of a publish specification
 * alone, as unpublish takes it
 * @host:	"[HOSTIP:]HOSTPORT[-END][/tcp|udp|sctp]"; tcp when no protocol
 * @p:		the mapping: protocol, host address and ports; no container
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged).
 */
int nat_pub_parse_host_try(const char *host, struct nat_pub *p, struct log_msg *m)
{
	char buf[128], *addr, *ports, *slash;

	memset(p, 0, sizeof(*p));
	if ((size_t)snprintf(buf, sizeof(buf), "%s", host) >= sizeof(buf))
		return log_msg_errx(m, -EINVAL, "invalid host port \"%.32s...\": too long",
				    host);
	p->proto = IPPROTO_TCP;
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (nat_proto_parse_try(slash + 1, &p->proto, m) < 0)
			return -EINVAL;
	}
	if (nat_split_addr_try(buf, &addr, &ports, m) < 0)
		return -EINVAL;
	if (*addr && inet_addr_parse(addr, &p->host) < 0)
		return log_msg_errx(m, -EINVAL, "invalid host address \"%s\"", addr);
	if (nat_range_parse_try(ports, &p->port, &p->port_end, m) < 0)
		return -EINVAL;
	if (p->port_end - p->port + 1 > NAT_PORTS_MAX)
		return log_msg_errx(m, -EINVAL, "%u ports in one publish: at most %d",
				    p->port_end - p->port + 1, NAT_PORTS_MAX);
	return 0;
}

/**
 * nat_pub_parse_host() - nat_pub_parse_host_try(), saying what is wrong
 * @host:	as for nat_pub_parse_host_try()
 * @p:		the mapping
 *
 * Return: 0, or -EINVAL (logged).
 */
int nat_pub_parse_host(const char *host, struct nat_pub *p)
{
	struct log_msg m;

	return nat_pub_parse_host_try(host, p, &m) < 0 ? log_msg_report(&m) : 0;
}

/* The container side of @target, for the host side already in @p. */
static int nat_target_parse_try(const char *target, struct nat_pub *p, struct log_msg *m)
{
	char buf[128], a[INET_ADDR_STRLEN], b[INET_ADDR_STRLEN], *addr, *ports;
	uint16_t first, last;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", target) >= sizeof(buf))
		return log_msg_errx(m, -EINVAL, "invalid target \"%.32s...\": too long",
				    target);
	if (nat_split_addr_try(buf, &addr, &ports, m) < 0)
		return -EINVAL;
	if (!*addr)
		return log_msg_errx(m, -EINVAL, "invalid target \"%s\": want ADDRESS:PORT",
				    target);
	if (inet_addr_parse(addr, &p->addr) < 0)
		return log_msg_errx(m, -EINVAL, "invalid container address \"%s\"", addr);
	if (nat_range_parse_try(ports, &first, &last, m) < 0)
		return -EINVAL;
	if (last - first != p->port_end - p->port)
		return log_msg_errx(m, -EINVAL,
				    "host ports %u-%u and container ports %u-%u are "
				    "ranges of different sizes",
				    p->port, p->port_end, first, last);
	p->to_port = first;
	if (p->host.family && p->host.family != p->addr.family)
		return log_msg_errx(m, -EINVAL,
				    "host address %s and container address %s are "
				    "of different families",
				    inet_addr_str(&p->host, a, sizeof(a)),
				    inet_addr_str(&p->addr, b, sizeof(b)));
	if (p->addr.family == AF_INET ?
		    !p->addr.v4.s_addr || p->addr.b[0] >= 224 || p->addr.b[0] == 127 :
		    IN6_IS_ADDR_UNSPECIFIED(&p->addr.v6) ||
			    IN6_IS_ADDR_MULTICAST(&p->addr.v6) ||
			    IN6_IS_ADDR_LOOPBACK(&p->addr.v6))
		return log_msg_errx(m, -EINVAL,
				    "container address %s cannot receive a "
				    "published port",
				    inet_addr_str(&p->addr, a, sizeof(a)));
	return 0;
}

/**
 * nat_pub_parse_try() - parse a publish specification
 * @host:	"[HOSTIP:]HOSTPORT[-END][/tcp|udp|sctp]"; tcp when no protocol
 * @target:	"ADDR:PORT[-END]"; IPv6 addresses in brackets
 * @p:		the mapping; @p->localhost is left 0
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged).
 */
int nat_pub_parse_try(const char *host, const char *target, struct nat_pub *p,
		      struct log_msg *m)
{
	if (nat_pub_parse_host_try(host, p, m) < 0 || nat_target_parse_try(target, p, m) < 0)
		return -EINVAL;
	return 0;
}

/**
 * nat_pub_parse() - nat_pub_parse_try(), saying what is wrong
 * @host:	as for nat_pub_parse_try()
 * @target:	as for nat_pub_parse_try()
 * @p:		the mapping
 *
 * Return: 0, or -EINVAL (logged).
 */
int nat_pub_parse(const char *host, const char *target, struct nat_pub *p)
{
	struct log_msg m;

	return nat_pub_parse_try(host, target, p, &m) < 0 ? log_msg_report(&m) : 0;
}

/**
 * nat_pub_parse_short_try() - parse a publish specification in docker's form
 * @spec:	"[HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp|sctp]", the form of
 *		"docker run -p" and of the plumb.publish annotation
 * @ips:	the container's addresses (as an attachment keeps them); the
 *		ports go to the first of the host address's family, or to the
 *		first when @spec names no host address
 * @n_ips:	how many
 * @p:		the mapping
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged).
 */
int nat_pub_parse_short_try(const char *spec, const struct inet_prefix *ips, size_t n_ips,
			    struct nat_pub *p, struct log_msg *m)
{
	char buf[128], a[INET_ADDR_STRLEN], *colon, *slash;
	/* Room for any: the host and target parsers say too long. */
	char host[2 * sizeof(buf)], target[sizeof(buf) + sizeof(a) + 3];
	const struct inet_addr *addr;
	size_t k;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", spec) >= sizeof(buf))
		return log_msg_errx(m, -EINVAL, "invalid publish \"%.32s...\": too long",
				    spec);
	slash = strrchr(buf, '/');
	colon = strrchr(buf, ':');
	if (!colon || (slash && slash < colon))
		return log_msg_errx(m, -EINVAL,
				    "invalid publish \"%s\": want "
				    "[HOSTIP:]HOSTPORT:PORT[/PROTO]",
				    spec);
	if (!n_ips)
		return log_msg_errx(m, -EINVAL,
				    "publish \"%s\": the container has no address", spec);
	*colon = '\0';
	if (slash)
		*slash = '\0';
	/* The protocol moves to the host side. */
	snprintf(host, sizeof(host), "%s%s%s", buf, slash ? "/" : "",
		 slash ? slash + 1 : "");
	if (nat_pub_parse_host_try(host, p, m) < 0)
		return -EINVAL;
	for (k = 0; p->host.family && k < n_ips; k++) {
		if (ips[k].addr.family == p->host.family)
			break;
	}
	addr = &ips[k < n_ips ? k : 0].addr;
	inet_addr_str(addr, a, sizeof(a));
	snprintf(target, sizeof(target), addr->family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 a, colon + 1);
	return nat_target_parse_try(target, p, m);
}

/**
 * nat_pub_parse_short() - nat_pub_parse_short_try(), saying what is wrong
 * @spec:	as for nat_pub_parse_short_try()
 * @ips:	the container's addresses
 * @n_ips:	how many
 * @p:		the mapping
 *
 * Return: 0, or -EINVAL (logged).
 */
int nat_pub_parse_short(const char *spec, const struct inet_prefix *ips, size_t n_ips,
			struct nat_pub *p)
{
	struct log_msg m;

	return nat_pub_parse_short_try(spec, ips, n_ips, p, &m) < 0 ? log_msg_report(&m) :
								      0;
}

/* proto . port, each in a 4-byte register, port in network order */
static void nat_key_put(uint8_t *key, uint8_t proto, uint16_t port)
{
	uint16_t be = htons(port);

	key[0] = proto;
	memcpy(key + 4, &be, 2);
}

/**
 * nat_pub_elems() - the elements a mapping becomes: one per host port in
 * pub4/pub6 (or pubaddr4/6 for a host address), and one per port in
 * publocal4 when it is also published on 127.0.0.1
 * @p:		the mapping
 * @owner:	kept in each element's comment
 * @out:	room for 2 * NAT_PORTS_MAX elements
 *
 * Return: the number of elements.
 */
size_t nat_pub_elems(const struct nat_pub *p, const char *owner, struct nft_elem *out)
{
	int v6 = p->addr.family == AF_INET6, local;
	size_t alen = v6 ? 16 : 4, off, n = 0;
	unsigned int i, count = p->port_end - p->port + 1u;
	uint16_t be;

	for (local = 0; local <= (p->localhost && !v6); local++) {
		for (i = 0; i < count; i++, n++) {
			struct nft_elem *e = &out[n];

			memset(e, 0, sizeof(*e));
			off = 0;
			if (local)
				e->set = NFT_PUBLOCAL4;
			else if (p->host.family)
				e->set = v6 ? NFT_PUBADDR6 : NFT_PUBADDR4;
			else
				e->set = v6 ? NFT_PUB6 : NFT_PUB4;
			if (!local && p->host.family) {
				memcpy(e->key, p->host.b, alen);
				off = alen;
			}
			nat_key_put(e->key + off, p->proto, (uint16_t)(p->port + i));
			memcpy(e->data, p->addr.b, alen);
			be = htons((uint16_t)(p->to_port + i));
			memcpy(e->data + alen, &be, 2);
			snprintf(e->owner, sizeof(e->owner), "%s", owner);
		}
	}
	return n;
}

/**
 * nat_masq_elem() - the element a masqueraded subnet becomes: an interval
 * @subnet:	the subnet, no host bits
 * @owner:	kept in the element's comment
 * @e:		the element
 */
void nat_masq_elem(const struct inet_prefix *subnet, const char *owner,
		   struct nft_elem *e)
{
	struct inet_addr end;
	size_t len = inet_addr_bytes(&subnet->addr), i;

	memset(e, 0, sizeof(*e));
	e->set = subnet->addr.family == AF_INET6 ? NFT_MASQ6 : NFT_MASQ4;
	memcpy(e->key, subnet->addr.b, len);
	inet_prefix_last(subnet, &end);
	for (i = 0; i < len && end.b[i] == 0xff; i++)
		;
	e->has_end = i < len; /* past the last address there is no more */
	inet_addr_add(&end, 1);
	memcpy(e->key_end, end.b, len);
	snprintf(e->owner, sizeof(e->owner), "%s", owner);
}

static void nat_key_get(const uint8_t *key, uint8_t *proto, uint16_t *port)
{
	uint16_t be;

	*proto = key[0];
	memcpy(&be, key + 4, 2);
	*port = ntohs(be);
}

/**
 * nat_elem_describe() - a published port's element as JSON, for "list"
 * @e:		an element of pub4, pub6, pubaddr4, pubaddr6 or publocal4
 * @out:	{proto, host_ip, host_port, addr, port, owner, localhost}
 *
 * Return: 0, or -ENOMEM.
 */
int nat_elem_describe(const struct nft_elem *e, json_t **out)
{
	int v6 = e->set == NFT_PUB6 || e->set == NFT_PUBADDR6;
	int with_host = e->set == NFT_PUBADDR4 || e->set == NFT_PUBADDR6;
	struct inet_addr host = { .family = v6 ? AF_INET6 : AF_INET }, addr = host;
	char hbuf[INET_ADDR_STRLEN], abuf[INET_ADDR_STRLEN];
	size_t alen = v6 ? 16 : 4;
	uint16_t port, to_port, be;
	uint8_t proto;

	if (with_host)
		memcpy(host.b, e->key, alen);
	nat_key_get(e->key + (with_host ? alen : 0), &proto, &port);
	memcpy(addr.b, e->data, alen);
	memcpy(&be, e->data + alen, 2);
	to_port = ntohs(be);
	/* The owner is a comment anyone may have written: not always UTF-8. */
	*out = json_pack("{s:s, s:s?, s:i, s:s, s:i, s:o, s:b}", "proto",
			 nat_proto_name(proto), "host_ip",
			 with_host ? inet_addr_str(&host, hbuf, sizeof(hbuf)) : NULL,
			 "host_port", port, "addr",
			 inet_addr_str(&addr, abuf, sizeof(abuf)), "port", to_port,
			 "owner", json_string_lossy(e->owner), "localhost",
			 e->set == NFT_PUBLOCAL4);
	return *out ? 0 : -ENOMEM;
}

/* The prefix from its first and last address: the bits they share. */
static void nat_range_prefix(const uint8_t *first, const uint8_t *last, size_t alen,
			     struct inet_prefix *p)
{
	unsigned int len = 0;
	size_t i;
	int bit;

	memset(p, 0, sizeof(*p));
	p->addr.family = alen == 16 ? AF_INET6 : AF_INET;
	memcpy(p->addr.b, first, alen);
	for (i = 0; i < alen && first[i] == last[i]; i++)
		len += 8;
	for (bit = 7; i < alen && bit >= 0 && !((first[i] ^ last[i]) >> bit & 1); bit--)
		len++;
	p->len = len;
}

/**
 * nat_nomasq_describe() - an element of nomasq4 or nomasq6 as JSON
 * @e:		the element
 * @out:	{subnet, to, owner}
 *
 * Return: 0, or -ENOMEM.
 */
int nat_nomasq_describe(const struct nft_elem *e, json_t **out)
{
	size_t alen = e->set == NFT_NOMASQ6 ? 16 : 4;
	char s[INET_PREFIX_STRLEN], t[INET_PREFIX_STRLEN];
	struct inet_prefix subnet, to;

	nat_range_prefix(e->key, e->key_end, alen, &subnet);
	nat_range_prefix(e->key + alen, e->key_end + alen, alen, &to);
	*out = json_pack("{s:s, s:s, s:o}", "subnet",
			 inet_prefix_str(&subnet, s, sizeof(s)), "to",
			 inet_prefix_str(&to, t, sizeof(t)), "owner",
			 json_string_lossy(e->owner));
	return *out ? 0 : -ENOMEM;
}

/**
 * nat_pub_record_name() - the name of a mapping's record in its owner's group
 * @p:		the mapping
 * @buf:	"pub-tcp-any-8080", "pub-tcp-any6-8080", "pub-udp-192.0.2.1-53"
 * @size:	room at @buf
 */
void nat_pub_record_name(const struct nat_pub *p, char *buf, size_t size)
{
	char host[INET_ADDR_STRLEN] = "any";

	/* On every address, IPv6's is not IPv4's: one owner may have both. */
	if (p->host.family)
		inet_addr_str(&p->host, host, sizeof(host));
	else if (p->addr.family == AF_INET6)
		snprintf(host, sizeof(host), "any6");
	snprintf(buf, size, "pub-%s-%s-%u", nat_proto_name(p->proto), host, p->port);
}

/**
 * nat_masq_record_name() - the name of a masqueraded subnet's record
 * @subnet:	the subnet
 * @buf:	"masq-10.88.0.0_16"
 * @size:	room at @buf
 */
void nat_masq_record_name(const struct inet_prefix *subnet, char *buf, size_t size)
{
	char addr[INET_ADDR_STRLEN];

	snprintf(buf, size, "masq-%s_%u",
		 inet_addr_str(&subnet->addr, addr, sizeof(addr)), subnet->len);
}

/**
 * nat_pub_to_json() - a mapping as its record
 * @p:		the mapping
 *
 * Return: a new JSON object, or NULL.
 */
json_t *nat_pub_to_json(const struct nat_pub *p)
{
	char host[INET_ADDR_STRLEN] = "", addr[INET_ADDR_STRLEN];

	if (p->host.family)
		inet_addr_str(&p->host, host, sizeof(host));
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:b}", "type", "publish",
			 "proto", nat_proto_name(p->proto), "host_ip", host, "port",
			 p->port, "port_end", p->port_end, "addr",
			 inet_addr_str(&p->addr, addr, sizeof(addr)), "to_port",
			 p->to_port, "localhost", p->localhost);
}

/**
 * nat_pub_from_json() - a mapping back from its record
 * @j:		the record
 * @p:		the mapping
 *
 * Return: 0, or -EBADMSG (logged) for a damaged record.
 */
int nat_pub_from_json(const json_t *j, struct nat_pub *p)
{
	const char *proto = NULL, *host = NULL, *addr = NULL;
	json_int_t port = 0, port_end = 0, to_port = 0;
	int localhost = 0;

	memset(p, 0, sizeof(*p));
	/* The record is ours: what is not as written is damage, said once. */
	if (json_unpack((json_t *)j, "{s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "proto",
			&proto, "host_ip", &host, "addr", &addr, "port", &port,
			"port_end", &port_end, "to_port", &to_port, "localhost",
			&localhost) < 0 ||
	    nat_proto_parse_try(proto, &p->proto, NULL) < 0 ||
	    (*host && inet_addr_parse(host, &p->host) < 0) ||
	    inet_addr_parse(addr, &p->addr) < 0 || port < 1 || port_end < port ||
	    port_end > 65535 || to_port < 1 || to_port > 65535 - (port_end - port))
		return log_errx(-EBADMSG, "damaged publish record");
	p->port = (uint16_t)port;
	p->port_end = (uint16_t)port_end;
	p->to_port = (uint16_t)to_port;
	p->localhost = localhost;
	return 0;
}
