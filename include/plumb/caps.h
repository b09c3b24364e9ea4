/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps: check the capabilities a verb needs, drop all others. */
#ifndef PLUMB_CAPS_H
#define PLUMB_CAPS_H

#include <stddef.h>
#include <sys/capability.h>

/**
 * struct caps_set - capabilities, at most CAPS_MAX
 * @n:		how many
 * @cap:	CAP_NET_ADMIN...
 */
#define CAPS_MAX 8
struct caps_set {
	size_t n;
	cap_value_t cap[CAPS_MAX];
};

#define CAPS(...)                                                         \
	((struct caps_set){ .n = sizeof((cap_value_t[]){ __VA_ARGS__ }) / \
				 sizeof(cap_value_t),                     \
			    .cap = { __VA_ARGS__ } })

int caps_require(const char *what, struct caps_set need, struct caps_set keep);
int caps_missing(struct caps_set need, char *buf, size_t size);

#endif
