/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz: what the libFuzzer harnesses share: input as a file, quiet logs. */
#ifndef PLUMB_FUZZ_H
#define PLUMB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <plumb/log.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Every harness is quiet: a message per input would drown the fuzzer. lib
 * never touches the switch, so setting it once holds for every input.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_test_mute(1);
	return 0;
}

/*
 * A memfd holding @data, positioned at its start, as a runtime's pipe on
 * stdin would be read. Aborts when the kernel refuses one: that is no
 * finding, and the harness cannot go on without it.
 */
static inline int fuzz_memfd(const void *data, size_t size)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	const char *p = data;
	ssize_t n;

	if (fd < 0)
		abort();
	while (size) {
		n = write(fd, p, size);
		if (n <= 0)
			abort();
		p += n;
		size -= (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

#endif
