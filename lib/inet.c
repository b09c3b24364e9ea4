// SPDX-License-Identifier: GPL-2.0-or-later
/* inet: IPv4 and IPv6 addresses and prefixes: parsing, printing, arithmetic. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/inet.h>
#include <plumb/log.h>

/**
 * inet_addr_parse() - parse an IPv4 or IPv6 address
 * @s:		"10.88.0.1" or "fd00::1"
 * @a:		the address
 *
 * Return: 0, or -EINVAL (not logged: the caller knows what the string was).
 */
int inet_addr_parse(const char *s, struct inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/**
 * inet_prefix_parse() - parse an address with its prefix length
 * @s:		"10.88.0.5/16"; the length is required
 * @p:		the prefix; host bits are kept
 *
 * Return: 0, or -EINVAL (not logged).
 */
int inet_prefix_parse(const char *s, struct inet_prefix *p)
{
	char addr[INET_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;

	memset(p, 0, sizeof(*p));
	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1])
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_addr_parse(addr, &p->addr) < 0)
		return -EINVAL;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end || len > inet_addr_bits(&p->addr))
		return -EINVAL;
	p->len = (unsigned int)len;
	return 0;
}

/**
 * inet_subnet_parse_try() - parse a subnet, which must not have host bits set
 * @s:		"10.88.0.0/16"
 * @p:		the subnet
 * @m:		what is wrong, or NULL
 *
 * Return: 0, or -EINVAL (in @m, not logged).
 */
int inet_subnet_parse_try(const char *s, struct inet_prefix *p, struct log_msg *m)
{
	if (inet_prefix_parse(s, p) < 0)
		return log_msg_errx(m, -EINVAL, "invalid subnet \"%s\": want ADDRESS/LENGTH",
				    s);
	if (inet_prefix_has_host_bits(p))
		return log_msg_errx(m, -EINVAL, "invalid subnet \"%s\": host bits set", s);
	return 0;
}

/**
 * inet_subnet_parse() - parse a subnet, which must not have host bits set
 * @s:		"10.88.0.0/16"
 * @p:		the subnet
 *
 * Return: 0, or -EINVAL (logged), as inet_subnet_parse_try().
 */
int inet_subnet_parse(const char *s, struct inet_prefix *p)
{
	struct log_msg m;

	return inet_subnet_parse_try(s, p, &m) < 0 ? log_msg_report(&m) : 0;
}

/**
 * inet_addr_str() - print an address
 * @a:		the address
 * @buf:	at least INET_ADDR_STRLEN bytes
 * @size:	size of @buf
 *
 * Return: @buf
 */
const char *inet_addr_str(const struct inet_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->b, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

/**
 * inet_prefix_str() - print a prefix: "10.88.0.5/16"
 * @p:		the prefix
 * @buf:	at least INET_PREFIX_STRLEN bytes
 * @size:	size of @buf
 *
 * Return: @buf
 */
const char *inet_prefix_str(const struct inet_prefix *p, char *buf, size_t size)
{
	size_t n;

	inet_addr_str(&p->addr, buf, size);
	n = strlen(buf);
	snprintf(buf + n, size - n, "/%u", p->len);
	return buf;
}

/**
 * inet_addr_bytes() - length of an address: 4 or 16
 * @a:		the address
 */
unsigned int inet_addr_bytes(const struct inet_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

/**
 * inet_addr_bits() - bits in an address: 32 or 128
 * @a:		the address
 */
unsigned int inet_addr_bits(const struct inet_addr *a)
{
	return inet_addr_bytes(a) * 8;
}

/**
 * inet_addr_eq() - tell whether two addresses are the same
 * @a:		one
 * @b:		the other
 */
int inet_addr_eq(const struct inet_addr *a, const struct inet_addr *b)
{
	return inet_addr_cmp(a, b) == 0;
}

/**
 * inet_addr_cmp() - order addresses: IPv4 before IPv6, then numerically
 * @a:		one
 * @b:		the other
 *
 * Return: negative, 0 or positive, as memcmp().
 */
int inet_addr_cmp(const struct inet_addr *a, const struct inet_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, inet_addr_bytes(a));
}

static uint8_t inet_mask_byte(unsigned int len, unsigned int i)
{
	if (len >= (i + 1) * 8)
		return 0xff;
	if (len <= i * 8)
		return 0;
	return (uint8_t)(0xff << (8 - (len - i * 8)));
}

/**
 * inet_prefix_contains() - tell whether an address is inside a prefix
 * @p:		the prefix
 * @a:		the address
 */
int inet_prefix_contains(const struct inet_prefix *p, const struct inet_addr *a)
{
	unsigned int i;

	if (p->addr.family != a->family)
		return 0;
	for (i = 0; i < inet_addr_bytes(a); i++) {
		uint8_t m = inet_mask_byte(p->len, i);

		if ((p->addr.b[i] & m) != (a->b[i] & m))
			return 0;
	}
	return 1;
}

/**
 * inet_prefix_mask() - clear the host bits: 10.88.0.5/16 becomes 10.88.0.0/16
 * @p:		the prefix
 */
void inet_prefix_mask(struct inet_prefix *p)
{
	unsigned int i;

	for (i = 0; i < inet_addr_bytes(&p->addr); i++)
		p->addr.b[i] &= inet_mask_byte(p->len, i);
}

/**
 * inet_prefix_has_host_bits() - tell whether bits past the prefix are set
 * @p:		the prefix
 */
int inet_prefix_has_host_bits(const struct inet_prefix *p)
{
	unsigned int i;

	for (i = 0; i < inet_addr_bytes(&p->addr); i++) {
		if (p->addr.b[i] & ~inet_mask_byte(p->len, i))
			return 1;
	}
	return 0;
}

/**
 * inet_addr_add() - add to an address, wrapping at the top of its family
 * @a:		the address
 * @n:		what to add
 */
void inet_addr_add(struct inet_addr *a, uint64_t n)
{
	int i;

	for (i = (int)inet_addr_bytes(a) - 1; i >= 0 && n; i--) {
		uint64_t sum = a->b[i] + (n & 0xff);

		a->b[i] = (uint8_t)sum;
		n = (n >> 8) + (sum >> 8);
	}
}

/**
 * inet_prefix_last() - the last address of a prefix (IPv4: its broadcast)
 * @p:		the prefix
 * @last:	the address
 */
void inet_prefix_last(const struct inet_prefix *p, struct inet_addr *last)
{
	unsigned int i;

	*last = p->addr;
	for (i = 0; i < inet_addr_bytes(last); i++)
		last->b[i] |= (uint8_t)~inet_mask_byte(p->len, i);
}
