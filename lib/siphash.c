// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * siphash: SipHash-2-4 (Jean-Philippe Aumasson and Daniel J. Bernstein,
 * "SipHash: a fast short-input PRF", 2012), written from the paper.
 *
 * plumb derives names from what the container's creator chooses (its id):
 * with an unkeyed hash (FNV-1a) anyone can compute, offline, a second id
 * that gives another container's name. Under a secret key, SipHash is a
 * pseudorandom function: without the key no one can tell which input gives
 * which output, so a collision is a 2^-64 (or, for 48 bits, 2^-48) guess
 * per attempt, each attempt a container run on the host.
 */
#include <plumb/siphash.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* Little-endian, whatever the host's order (section 2 of the paper). */
static uint64_t siphash_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void siphash_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* Two rounds per message word (the "2" of 2-4). */
static void siphash_word(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	siphash_round(v);
	siphash_round(v);
	v[0] ^= m;
}

/**
 * siphash_2_4() - SipHash-2-4 of a byte string
 * @key:	the 128-bit key, as 16 bytes (k0 is the first 8, little-endian)
 * @in:		the input
 * @len:	its length
 *
 * Return: the 64-bit hash; as a byte string the reference implementation's
 * output is this value little-endian.
 */
uint64_t siphash_2_4(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len)
{
	const uint8_t *p = in;
	uint64_t k0 = siphash_le64(key), k1 = siphash_le64(key + 8);
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ULL, /* "somepseudorandomlygeneratedbytes" */
		k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL,
		k1 ^ 0x7465646279746573ULL,
	};
	uint64_t last = (uint64_t)len << 56;
	size_t i, tail = len % 8;

	for (i = 0; i + 8 <= len; i += 8)
		siphash_word(v, siphash_le64(p + i));
	/* The last word: the tail's bytes, and the length's low byte on top. */
	for (i = 0; i < tail; i++)
		last |= (uint64_t)p[len - tail + i] << (8 * i);
	siphash_word(v, last);
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		siphash_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
