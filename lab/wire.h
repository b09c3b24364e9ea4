/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire: bridges, veth pairs, addresses and routes of a lab, made or repaired. */
#ifndef PLUMB_LAB_WIRE_H
#define PLUMB_LAB_WIRE_H

#include "run.h"

int wire_bridges(struct lab_run *run);
int wire_veths(struct lab_run *run);
int wire_ns(struct lab_run *run, int node);

#endif
