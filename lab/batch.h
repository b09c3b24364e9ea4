/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch: a namespace's netlink requests, each with what it does, for messages. */
#ifndef PLUMB_LAB_BATCH_H
#define PLUMB_LAB_BATCH_H

#include <plumb/nl.h>

#define LAB_WHAT_MAX 96

/**
 * struct lab_batch - requests for one socket, and what each does
 * @b:		the requests
 * @nl:		the socket
 * @where:	its namespace, "" for the host
 * @n_what:	requests described
 * @what:	one description per request
 * @err:	-ENOMEM when a description could not be kept
 */
struct lab_batch {
	struct nl_batch b;
	struct nl_sock *nl;
	const char *where;
	unsigned int n_what;
	char (*what)[LAB_WHAT_MAX];
	int err;
};

void lab_batch_init(struct lab_batch *lb, struct nl_sock *nl, const char *where);
void lab_batch_what(struct lab_batch *lb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lab_batch_send(struct lab_batch *lb);
void lab_batch_drop(struct lab_batch *lb);

#endif
