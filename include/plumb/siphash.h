/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siphash: SipHash-2-4, a keyed hash of short inputs (Aumasson, Bernstein 2012). */
#ifndef PLUMB_SIPHASH_H
#define PLUMB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash_2_4(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len);

#endif
