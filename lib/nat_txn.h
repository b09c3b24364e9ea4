/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat_txn: what lib/nat.c and lib/nat_pub.c share; private to lib/. */
#ifndef PLUMB_NAT_TXN_H
#define PLUMB_NAT_TXN_H

#include <stddef.h>

#include <plumb/json.h>
#include <plumb/nat.h>
#include <plumb/nft.h>

#define NAT_KIND "nat" /* records under <state>/nat/<owner>/ */
#define NAT_NAME_MAX 96 /* the longest record name */

void nat_elem_what(const struct nft_elem *e, char *buf, size_t size);
int nat_apply_add(struct nat *nat, struct nft_elem *e, size_t n, int cross);
int nat_apply_del(struct nat *nat, struct nft_elem *e, size_t n, const char *owner);
int nat_record_intent(struct nat *nat, const char *owner, const char *name, json_t *rec);
void nat_record_del(struct nat *nat, const char *owner, const char *name);
int nat_pub_del(struct nat *nat, const struct nat_pub *p, const char *owner);

#endif
