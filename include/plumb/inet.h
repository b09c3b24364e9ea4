/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inet: IPv4 and IPv6 addresses and prefixes, parsed and printed. */
#ifndef PLUMB_INET_H
#define PLUMB_INET_H

#include <netinet/in.h>
#include <stdint.h>

struct log_msg;

#define INET_ADDR_STRLEN INET6_ADDRSTRLEN /* 46 */
#define INET_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4) /* "/128" */

/**
 * struct inet_addr - an IPv4 or IPv6 address
 * @family:	AF_INET or AF_INET6, 0 when unset
 * @b:		the address in network order; IPv4 uses the first 4 bytes
 */
struct inet_addr {
	int family;
	union {
		uint8_t b[16];
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/**
 * struct inet_prefix - an address with a prefix length: 10.88.0.5/16
 * @addr:	the address
 * @len:	the prefix length
 */
struct inet_prefix {
	struct inet_addr addr;
	unsigned int len;
};

int inet_addr_parse(const char *s, struct inet_addr *a);
int inet_prefix_parse(const char *s, struct inet_prefix *p);
int inet_subnet_parse_try(const char *s, struct inet_prefix *p, struct log_msg *m);
int inet_subnet_parse(const char *s, struct inet_prefix *p);
const char *inet_addr_str(const struct inet_addr *a, char *buf, size_t size);
const char *inet_prefix_str(const struct inet_prefix *p, char *buf, size_t size);

unsigned int inet_addr_bytes(const struct inet_addr *a);
unsigned int inet_addr_bits(const struct inet_addr *a);
int inet_addr_eq(const struct inet_addr *a, const struct inet_addr *b);
int inet_addr_cmp(const struct inet_addr *a, const struct inet_addr *b);
int inet_prefix_contains(const struct inet_prefix *p, const struct inet_addr *a);
void inet_prefix_mask(struct inet_prefix *p);
int inet_prefix_has_host_bits(const struct inet_prefix *p);
void inet_addr_add(struct inet_addr *a, uint64_t n);
void inet_prefix_last(const struct inet_prefix *p, struct inet_addr *last);

#endif
