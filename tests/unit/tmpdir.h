/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmpdir: what the unit tests that work in a temporary directory share. */
#ifndef PLUMB_TEST_TMPDIR_H
#define PLUMB_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static inline int tmpdir_rm_one(const char *path, const struct stat *st, int flag,
				struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove @dir and everything in it, symlinks not followed. Return: 0 or -1. */
static inline int tmpdir_remove(const char *dir)
{
	return nftw(dir, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
