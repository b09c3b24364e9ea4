/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: find a program on a search path; run it by absolute path, bounded. */
#ifndef PLUMB_EXEC_H
#define PLUMB_EXEC_H

#include <stddef.h>

#define EXEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int exec_find(const char *name, const char *search, char *out, size_t size);
#define EXEC_KILLED 256 /* exec_run()'s status: EXEC_KILLED + n for signal n */
#define EXEC_OUT_MAX (1 << 20) /* what a program may print: a CNI result is a few KiB */

int exec_run(const char *path, char *const envp[], const char *in, size_t in_len,
	     int timeout_ms, char **out, size_t *out_len);

#endif
