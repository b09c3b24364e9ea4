// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec: find a program on a search path (PATH, CNI_PATH). plumb runs other
 * programs only by absolute path with execv(), never through a shell; this is
 * also why execvp() is not used: it falls back to /bin/sh for a file that is
 * not a valid executable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/exec.h>

static int exec_usable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

/**
 * exec_find() - find an executable file
 * @name:	a program name, or a path (anything with a '/') used as it is
 * @search:	directories separated by ':', or NULL for EXEC_DEFAULT_PATH;
 *		empty and relative entries are skipped: they would make what
 *		runs depend on the current directory
 * @out:	the path found
 * @size:	room at @out
 *
 * Return: 0, -ENOENT when no directory holds it, -EACCES when the only
 * candidates are not executable regular files, -ENAMETOOLONG.
 * Nothing is logged.
 */
int exec_find(const char *name, const char *search, char *out, size_t size)
{
	const char *dir, *end;
	int ret = -ENOENT, r;
	size_t len;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if ((size_t)snprintf(out, size, "%s", name) >= size)
			return -ENAMETOOLONG;
		return exec_usable(out);
	}
	for (dir = search ? search : EXEC_DEFAULT_PATH; *dir;
	     dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		len = (size_t)(end - dir);
		if (!len || *dir != '/')
			continue; /* relative: the current directory's whim */
		if ((size_t)snprintf(out, size, "%.*s/%s", (int)len, dir, name) >= size)
			continue;
		r = exec_usable(out);
		if (!r)
			return 0;
		if (r == -EACCES)
			ret = r;
	}
	return ret;
}
