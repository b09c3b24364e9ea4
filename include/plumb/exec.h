/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: find a program on a search path, so that it is run by absolute path. */
#ifndef PLUMB_EXEC_H
#define PLUMB_EXEC_H

#include <stddef.h>

#define EXEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int exec_find(const char *name, const char *search, char *out, size_t size);
int exec_run(const char *path, char *const envp[], const char *in, size_t in_len,
	     char **out, size_t *out_len);

#endif
