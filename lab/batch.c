// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * batch: a namespace's requests for one run, each with a few words saying
 * what it does, so that when the kernel refuses one the message names the
 * object, not only the errno.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/log.h>

#include "batch.h"

/**
 * lab_batch_init() - start a batch for a namespace
 * @lb:		the batch
 * @nl:		the socket that will send it
 * @where:	the namespace, for messages ("" for the host)
 */
void lab_batch_init(struct lab_batch *lb, struct nl_sock *nl, const char *where)
{
	lb->nl = nl;
	lb->where = where;
	lb->n_what = 0;
	lb->what = NULL;
	lb->err = 0;
	nl_batch_init(&lb->b);
}

/**
 * lab_batch_what() - say what the requests added since the last call do
 * @lb:		the batch
 * @fmt:	"create veth eth0 in lab1-h1"
 */
void lab_batch_what(struct lab_batch *lb, const char *fmt, ...)
{
	char (*what)[LAB_WHAT_MAX];
	va_list ap;

	if (lb->b.count <= lb->n_what)
		return;
	what = realloc(lb->what, lb->b.count * sizeof(*what));
	if (!what) {
		lb->err = -ENOMEM;
		return;
	}
	lb->what = what;
	va_start(ap, fmt);
	vsnprintf(what[lb->n_what], LAB_WHAT_MAX, fmt, ap);
	va_end(ap);
	while (++lb->n_what < lb->b.count)
		memcpy(what[lb->n_what], what[lb->n_what - 1], LAB_WHAT_MAX);
}

/**
 * lab_batch_send() - send a batch, naming the request the kernel refused
 * @lb:		the batch; emptied
 *
 * Return: 0, or negative errno (logged).
 */
int lab_batch_send(struct lab_batch *lb)
{
	int ret = lb->err;

	if (ret == 0 && lb->b.count)
		ret = nl_batch_talk(lb->nl, &lb->b, NULL, NULL);
	else
		nl_batch_free(&lb->b);
	if (ret == -ENOMEM && lb->b.failed < 0)
		log_err(ret, "build requests for %s", *lb->where ? lb->where : "the host");
	else if (ret < 0 && lb->b.failed >= 0 && (size_t)lb->b.failed < lb->n_what)
		nl_err(lb->nl, ret, "%s", lb->what[lb->b.failed]);
	else if (ret < 0)
		nl_err(lb->nl, ret, "configure %s", *lb->where ? lb->where : "the host");
	lab_batch_drop(lb);
	return ret;
}

/**
 * lab_batch_drop() - forget a batch unsent
 * @lb:		the batch
 */
void lab_batch_drop(struct lab_batch *lb)
{
	nl_batch_free(&lb->b);
	free(lb->what);
	lb->what = NULL;
	lb->n_what = 0;
	lb->err = 0;
}
