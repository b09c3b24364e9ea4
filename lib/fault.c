// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fault: the points where a setup or teardown can be cut short, named after
 * the step just done ("ipam-claimed", "veth-created"...).
 *
 * In the tools this does nothing. The crash tests link the tools with
 * tests/fault/fault.c, whose fault_point() takes precedence over this one
 * (the linker takes a symbol from an archive only when no object given
 * before it defines it) and kills or stops the process at the point named by
 * PLUMB_FAULT. So no binary that is installed can be made to misbehave from
 * its environment.
 */
#include <plumb/fault.h>

/**
 * fault_point() - a place where a test may kill or stop the process
 * @step:	what was just done
 */
void fault_point(const char *step)
{
	(void)step;
}
