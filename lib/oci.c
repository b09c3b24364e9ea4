// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * oci: the container state an OCI runtime writes on a hook's stdin (runtime
 * spec, "State"): {"ociVersion", "id", "status", "pid", "bundle",
 * "annotations"}. Setup needs a live pid; teardown needs only the id: crun
 * sends "pid": 0 at poststop and runc sends no pid at all.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/oci.h>

/**
 * oci_stage_parse() - the stage a hook runs at, from its argument
 * @arg:	"create" (createRuntime, prestart) or "delete" (poststop)
 * @stage:	the stage
 *
 * Return: 0 or -EINVAL (logged).
 */
int oci_stage_parse(const char *arg, enum oci_stage *stage)
{
	if (!strcmp(arg, "create"))
		*stage = OCI_CREATE;
	else if (!strcmp(arg, "delete"))
		*stage = OCI_DELETE;
	else
		return log_errx(-EINVAL,
				"unknown hook stage \"%s\": want create or delete", arg);
	return 0;
}

static int oci_pid_read(struct oci_state *s, enum oci_stage stage)
{
	long long pid = 0;

	if (json_get_int(s->json, "pid", 0, 4194304, &pid) < 0)
		return -EINVAL;
	s->pid = (pid_t)pid;
	if (stage == OCI_DELETE)
		return 0;
	if (!s->pid)
		return log_errx(-EINVAL,
				"OCI state of %s has no \"pid\": the hook must run "
				"at createRuntime or prestart",
				s->id);
	if (kill(s->pid, 0) < 0 && errno == ESRCH)
		return log_errx(-ESRCH, "process %d of container %s is not alive",
				(int)s->pid, s->id);
	return 0;
}

/**
 * oci_state_read() - read and check the state a runtime gives a hook
 * @fd:		where it comes from (stdin)
 * @stage:	the hook's stage: setup needs a live process
 * @s:		the state; free with oci_state_free()
 *
 * Return: 0, or -EINVAL (logged: empty input, not JSON (with line and
 * column), no or a bad id, a bad or missing pid), or -ESRCH (the pid is not
 * alive).
 */
int oci_state_read(int fd, enum oci_stage stage, struct oci_state *s)
{
	const char *id = NULL, *status = "";
	json_error_t jerr;
	int ret;

	memset(s, 0, sizeof(*s));
	s->json = json_read_fd(fd, &jerr);
	if (!s->json && jerr.position == 0)
		return log_errx(-EINVAL, "read OCI state from stdin: it is empty");
	if (!s->json)
		return log_errx(-EINVAL,
				"read OCI state from stdin: %s at line %d column %d",
				jerr.text, jerr.line, jerr.column);
	if (!json_is_object(s->json))
		ret = log_errx(-EINVAL, "read OCI state from stdin: want a JSON object");
	else if (json_get_string(s->json, "id", &id) < 0 ||
		 json_get_string(s->json, "status", &status) < 0)
		ret = -EINVAL;
	else if (!id)
		ret = log_errx(-EINVAL, "OCI state has no \"id\"");
	else
		ret = name_check("container id", id);
	if (ret == 0) {
		snprintf(s->id, sizeof(s->id), "%s", id);
		snprintf(s->status, sizeof(s->status), "%s", status);
		ret = oci_pid_read(s, stage);
	}
	if (ret < 0)
		oci_state_free(s);
	return ret;
}

/**
 * oci_annotation() - an annotation of the container
 * @s:		the state
 * @key:	"plumb.network"
 *
 * Return: its value, or NULL when absent or not a string.
 */
const char *oci_annotation(const struct oci_state *s, const char *key)
{
	json_t *a = json_member(s->json, "annotations");

	return json_string_value(json_object_get(a, key));
}

/**
 * oci_annotation_errx() - refuse an annotation, in its author's terms
 * @err:	negative errno to return
 * @key:	the annotation: "plumb.ip"
 * @fmt:	what is wrong with its value, or the rule it breaks
 *
 * The container's creator wrote an annotation, not the option a hook maps it
 * to: the message names it, "annotation plumb.ip: invalid address ...".
 *
 * Return: @err
 */
int oci_annotation_errx(int err, const char *key, const char *fmt, ...)
{
	char why[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return log_errx(err, "annotation %s: %s", key, why);
}

/**
 * oci_annotation_report() - log what a *_try() found wrong in an annotation
 * @key:	the annotation
 * @m:		what the try said
 *
 * Return: @m->err
 */
int oci_annotation_report(const char *key, const struct log_msg *m)
{
	return oci_annotation_errx(m->err, key, "%s", m->text);
}

/**
 * oci_state_free() - release a state
 * @s:		the state
 */
void oci_state_free(struct oci_state *s)
{
	json_decref(s->json);
	s->json = NULL;
}
