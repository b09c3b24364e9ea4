/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat: a lab's masquerade, published ports and policy, owned by "lab@<name>". */
#ifndef PLUMB_LAB_NAT_H
#define PLUMB_LAB_NAT_H

#include <plumb/nat.h>

#include "run.h"

void lab_nat_owner(const char *lab, char *buf, size_t size);
void lab_nat_state_dir(const char *lab, const char *node, char *buf, size_t size);
int lab_pub_resolve_try(const struct lab *lab, const struct lab_pub *pub, struct nat_pub *p,
			struct log_msg *m);
int lab_nat_wanted(const struct lab *lab, int node);
int lab_nat(struct lab_run *run, int host_nat);

#endif
