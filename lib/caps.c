// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * caps: least privilege through libcap. A tool checks at start that it holds
 * what the verb needs, says plainly which capability is missing if not, then
 * keeps only what it needs in its effective and permitted sets.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/caps.h>
#include <plumb/log.h>

static int caps_has(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
	return v == CAP_SET;
}

/* "cap_net_admin" from libcap, written as the kernel's headers spell it. */
static void caps_name(cap_value_t cap, char *buf, size_t size)
{
	char *name = cap_to_name(cap);
	size_t i;

	snprintf(buf, size, "%s", name ? name : "?");
	cap_free(name);
	for (i = 0; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

/**
 * caps_missing() - name the capabilities of a set that we do not hold
 * @need:	the set
 * @buf:	"CAP_SYS_ADMIN and CAP_NET_ADMIN", or "" when none is missing
 * @size:	room at @buf
 *
 * Return: how many are missing, or negative errno.
 */
int caps_missing(struct caps_set need, char *buf, size_t size)
{
	char name[32];
	cap_t caps;
	size_t i, len = 0;
	int missing = 0;

	buf[0] = '\0';
	caps = cap_get_proc();
	if (!caps)
		return -errno;
	for (i = 0; i < need.n; i++) {
		if (caps_has(caps, need.cap[i]))
			continue;
		caps_name(need.cap[i], name, sizeof(name));
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					missing ? " and " : "", name);
		missing++;
	}
	cap_free(caps);
	return missing;
}

/**
 * caps_require() - check and keep the capabilities a verb needs, drop the rest
 * @what:	the verb, for the message: "add"
 * @need:	capabilities without which it cannot work
 * @keep:	capabilities it uses when it has them, kept if present
 *
 * Capabilities are dropped from the effective and permitted sets of the
 * calling thread; threads started later inherit the smaller sets. The bounding
 * set is left alone: a program we exec (an IPAM plugin, "exec") runs with the
 * privileges its user expects of it.
 *
 * Return: 0, or -EPERM (logged: "add needs CAP_SYS_ADMIN, which this process
 * does not have; run it as root") or another negative errno.
 */
int caps_require(const char *what, struct caps_set need, struct caps_set keep)
{
	cap_value_t held[2 * CAPS_MAX];
	char names[128];
	cap_t caps;
	int n = 0, ret;
	size_t i;

	ret = caps_missing(need, names, sizeof(names));
	if (ret < 0)
		return log_err(ret, "read process capabilities");
	if (ret > 0)
		return log_errx(-EPERM,
				"%s needs %s, which this process does not have; "
				"run it as root",
				what, names);

	caps = cap_get_proc();
	if (!caps)
		return log_err(-errno, "read process capabilities");
	for (i = 0; i < need.n; i++)
		held[n++] = need.cap[i];
	for (i = 0; i < keep.n; i++) {
		if (caps_has(caps, keep.cap[i]))
			held[n++] = keep.cap[i];
	}
	cap_free(caps);

	caps = cap_init();
	if (!caps)
		return log_err(-errno, "drop capabilities");
	ret = 0;
	if ((n && (cap_set_flag(caps, CAP_EFFECTIVE, n, held, CAP_SET) < 0 ||
		   cap_set_flag(caps, CAP_PERMITTED, n, held, CAP_SET) < 0)) ||
	    cap_set_proc(caps) < 0)
		ret = log_err(-errno, "drop capabilities");
	cap_free(caps);
	return ret;
}
