/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oci: the state an OCI runtime gives its hooks on stdin. */
#ifndef PLUMB_OCI_H
#define PLUMB_OCI_H

#include <sys/types.h>

#include <jansson.h>

#include <plumb/log.h>

#define OCI_ID_MAX 200

enum oci_stage {
	OCI_CREATE, /* createRuntime or prestart: set up */
	OCI_DELETE, /* poststop: tear down */
};

/**
 * struct oci_state - the container state of the OCI runtime spec
 * @id:		the container id
 * @pid:	its process, 0 when the runtime gave none (poststop)
 * @status:	"creating", "created", "running", "stopped"
 * @json:	the whole state, for its annotations
 */
struct oci_state {
	char id[OCI_ID_MAX + 1];
	pid_t pid;
	char status[32];
	json_t *json;
};

int oci_stage_parse(const char *arg, enum oci_stage *stage);
int oci_state_read(int fd, enum oci_stage stage, struct oci_state *s);
const char *oci_annotation(const struct oci_state *s, const char *key);
int oci_annotation_errx(int err, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int oci_annotation_report(const char *key, const struct log_msg *m);
void oci_state_free(struct oci_state *s);

#endif
