/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fault: named points where tests kill or stop a setup halfway. */
#ifndef PLUMB_FAULT_H
#define PLUMB_FAULT_H

void fault_point(const char *step);

#endif
