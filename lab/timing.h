/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timing: where a run's time goes, in a build made with LAB_TIMING=1. */
#ifndef PLUMB_LAB_TIMING_H
#define PLUMB_LAB_TIMING_H

#ifdef LAB_TIMING
#include <stdio.h>
#include <time.h>

/*
 * The wall time since the last mark, on stderr: "plumb-lab: timing:
 * namespaces: 123456 us". For bench/README's breakdown; compiled out of
 * every other build.
 */
static inline void lab_timing(const char *what)
{
	static struct timespec last;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last.tv_sec)
		fprintf(stderr, "plumb-lab: timing: %s: %lld us\n", what,
			(long long)(now.tv_sec - last.tv_sec) * 1000000 +
				(now.tv_nsec - last.tv_nsec) / 1000);
	last = now;
}
#else
static inline void lab_timing(const char *what)
{
	(void)what;
}
#endif

#endif
