// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash tests' fault_point(): linked into the tools built under
 * tests/fault/ (and only there), it replaces lib/fault.c's empty one.
 *
 *	PLUMB_FAULT=veth-created		SIGKILL right after that step
 *	PLUMB_FAULT=veth-created:stop		SIGSTOP there (to look at the
 *						process), then go on when continued
 *	PLUMB_FAULT_LOG=/path			append each step passed, one a line
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plumb/fault.h>

void fault_point(const char *step)
{
	const char *spec = getenv("PLUMB_FAULT"), *log = getenv("PLUMB_FAULT_LOG");
	size_t len = strlen(step);
	int fd;

	if (log &&
	    (fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		if (write(fd, step, len) < 0 || write(fd, "\n", 1) < 0) {
			/* a test log; nothing to do about it */
		}
		close(fd);
	}
	if (!spec || strncmp(spec, step, len) || (spec[len] && spec[len] != ':'))
		return;
	raise(strcmp(spec + len, ":stop") ? SIGKILL : SIGSTOP);
}
