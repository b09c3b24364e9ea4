// SPDX-License-Identifier: GPL-2.0-or-later
/* test_siphash: SipHash-2-4 against the vectors of its paper and reference code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <plumb/siphash.h>

/*
 * The reference's vectors: key 00 01 .. 0f, input 00 01 .. (n - 1). n = 15
 * is the paper's worked example (its appendix A); 0, 7, 8, 15 and 16 cover
 * an empty input, a tail alone, a word alone, a word and a tail, two words.
 */
static void test_siphash_2_4_gives_the_reference_vectors(void **state)
{
	static const struct {
		size_t len;
		uint64_t want;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },  { 1, 0x74f839c593dc67fdULL },
		{ 2, 0x0d6c8009d9a94f5aULL },  { 7, 0xab0200f58b01d137ULL },
		{ 8, 0x93f5f5799a932462ULL },  { 15, 0xa129ca6149be45e5ULL },
		{ 16, 0x3f2acc7f57c29bdbULL },
	};
	uint8_t key[SIPHASH_KEY_LEN], in[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t got = siphash_2_4(key, in, v[i].len);

		if (got != v[i].want)
			fail_msg("length %zu: %016llx, want %016llx", v[i].len,
				 (unsigned long long)got, (unsigned long long)v[i].want);
	}
}

/* Another key, another hash: the key is what makes it unpredictable. */
static void test_siphash_2_4_depends_on_every_key_byte(void **state)
{
	uint8_t key[SIPHASH_KEY_LEN] = { 0 };
	uint64_t base = siphash_2_4(key, "plumb0", 6);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++) {
		key[i] = 1;
		assert_true(siphash_2_4(key, "plumb0", 6) != base);
		key[i] = 0;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_2_4_gives_the_reference_vectors),
		cmocka_unit_test(test_siphash_2_4_depends_on_every_key_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
