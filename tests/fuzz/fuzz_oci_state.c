// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_oci_state: the container state an OCI runtime writes on a hook's
 * stdin, read by oci_state_read() (lib/oci.c) at both stages.
 *
 * Input: the state, as the runtime would write it. At the create stage a
 * pid is checked with kill(pid, 0): signal 0 only asks whether the process
 * exists (kill(2)); nothing is ever sent to it. That is the only call lib/oci.c
 * makes to kill(), with a literal 0.
 */
#include <assert.h>
#include <string.h>
#include <unistd.h>

#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/oci.h>

#include "fuzz.h"

static void fz_read(const uint8_t *data, size_t size, enum oci_stage stage)
{
	struct oci_state s;
	int fd = fuzz_memfd(data, size), ret;

	ret = oci_state_read(fd, stage, &s);
	close(fd);
	if (ret < 0) {
		assert(!s.json);
		return;
	}
	/* What a hook goes on with: an id fit for file names, a live pid. */
	assert(json_is_object(s.json));
	assert(name_check("container id", s.id) == 0);
	assert(strlen(s.id) <= OCI_ID_MAX);
	assert(stage == OCI_DELETE || s.pid > 0);
	(void)oci_annotation(&s, "plumb.network");
	(void)oci_annotation(&s, "plumb.publish");
	(void)oci_annotation(&s, "plumb.masquerade");
	oci_state_free(&s);
	assert(!s.json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_read(data, size, OCI_DELETE);
	fz_read(data, size, OCI_CREATE);
	return 0;
}
