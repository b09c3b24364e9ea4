// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * name: container ids and network names, checked by the rules of libcni, as
 * every part of plumb that keeps them (leases, records, the CNI, OCI and
 * command line front ends) takes them, and as they become file names.
 */
#include <errno.h>
#include <string.h>

#include <plumb/log.h>
#include <plumb/name.h>

#define NAME_LEN_MAX 200 /* ids and names become file names: keep room */

/**
 * name_check_try() - check a container id or network name as libcni does
 * @what:	"container id" or "network name", for the message
 * @s:		the string
 * @m:		what is wrong, or NULL
 *
 * Both must start with a letter or digit and hold only letters, digits, '_',
 * '.' and '-'; plumb also bounds their length, as they become file names.
 *
 * Return: 0 or -EINVAL (in @m, not logged).
 */
int name_check_try(const char *what, const char *s, struct log_msg *m)
{
	const char *c;

	if (!*s)
		return log_msg_errx(m, -EINVAL, "missing %s", what);
	if (strlen(s) > NAME_LEN_MAX)
		return log_msg_errx(m, -EINVAL, "invalid %s: longer than %d bytes", what,
				    NAME_LEN_MAX);
	for (c = s; *c; c++) {
		int alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9');

		if (alnum || (c != s && (*c == '_' || *c == '.' || *c == '-')))
			continue;
		return log_msg_errx(m, -EINVAL,
				    "invalid %s \"%s\": only letters, digits, "
				    "'_', '.' and '-' (not first) are allowed",
				    what, s);
	}
	return 0;
}

/**
 * name_check() - check a container id or network name as libcni does
 * @what:	"container id" or "network name", for the message
 * @s:		the string
 *
 * Return: 0 or -EINVAL (logged), as name_check_try().
 */
int name_check(const char *what, const char *s)
{
	struct log_msg m;

	return name_check_try(what, s, &m) < 0 ? log_msg_report(&m) : 0;
}
