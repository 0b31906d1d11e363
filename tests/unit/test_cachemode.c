/* SPDX-License-Identifier: BSD-2-Clause */
/* X.2 IA-32 memory attributes as PTE bits (arch/cachemode.h): which
 * attributes exist with and without a PAT, and that each selects the PAT
 * entry holding its memory type. */
#include <check.h>
#include <stdlib.h>
#include <arch/cachemode.h>

/* The memory-type code in PAT entry i of CACHE_PAT_VALUE. */
static unsigned pat_type(unsigned i)
{
	return (unsigned)(CACHE_PAT_VALUE >> (8 * i)) & 0xff;
}

/* The PAT entry PTE bits select: PAT*4 + PCD*2 + PWT. */
static unsigned pat_index(uint32_t mode)
{
	return ((mode & PTE_PAT) ? 4 : 0) | ((mode & PTE_PCD) ? 2 : 0) | ((mode & PTE_PWT) ? 1 : 0);
}

START_TEST(attributes_select_their_memory_types)
{
	/* attribute -> IA-32 memory type code (SDM vol. 3, table 11-10) */
	static const struct { uint32_t attr; unsigned type; } t[] = {
		{ 0, 6 }, { 1, 6 }, { 2, 4 }, { 3, 7 }, { 4, 0 }, { 5, 1 }, { 8, 5 },
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t mode = 0xdead;

		ck_assert_int_eq(cachemode_bits(t[i].attr, true, &mode), 0);
		ck_assert_uint_eq(mode & ~PTE_CACHE, 0);
		ck_assert_uint_eq(pat_type(pat_index(mode)), t[i].type);
	}
	/* Entries 0-3 as after reset (WB, WT, UC-, UC): the modes without
	 * a PAT mean the same on any IA-32 CPU. */
	ck_assert_uint_eq((uint32_t)CACHE_PAT_VALUE, 0x00070406u);
}
END_TEST

START_TEST(without_pat)
{
	uint32_t mode;

	for (uint32_t a = 0; a <= 4; a++) {
		ck_assert_int_eq(cachemode_bits(a, false, &mode), 0);
		ck_assert_uint_eq(mode & PTE_PAT, 0);
	}
	ck_assert_int_eq(cachemode_bits(5, false, &mode), -1);
	ck_assert_int_eq(cachemode_bits(8, false, &mode), -1);
}
END_TEST

START_TEST(no_such_attribute)
{
	static const uint32_t bad[] = { 6, 7, 9, 16, 0xfffffff0u, 0xffffffffu };
	uint32_t mode;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(cachemode_bits(bad[i], true, &mode), -1);
		ck_assert_int_eq(cachemode_bits(bad[i], false, &mode), -1);
	}
}
END_TEST

/* The memory-type number a split-database record keeps (3 bits): every
 * mode an attribute gives goes to a number and back unchanged, and the
 * numbers a CPU set-up accepts are exactly those of its attributes. */
START_TEST(type_numbers_round_trip)
{
	bool seen[2][8] = { { false } };
	uint32_t mode;

	for (uint32_t a = 0; a <= 8; a++)
		for (int pat = 0; pat < 2; pat++)
			if (cachemode_bits(a, pat, &mode) == 0) {
				uint32_t type = cachemode_type(mode);

				ck_assert_uint_lt(type, 8);
				ck_assert_uint_eq(cachemode_of_type(type), mode);
				seen[pat][type] = true;
			}
	for (uint32_t t = 0; t < 8; t++)
		for (int pat = 0; pat < 2; pat++)
			ck_assert_int_eq(cachemode_type_ok(t, pat), seen[pat][t]);
	ck_assert_uint_eq(cachemode_type(PTE_PAT | PTE_PCD | PTE_PWT), 7);
	ck_assert_uint_eq(cachemode_of_type(1), PTE_PWT);
	ck_assert_uint_eq(cachemode_of_type(4), PTE_PAT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cachemode");
	TCase *tc = tcase_create("attributes");
	tcase_add_test(tc, attributes_select_their_memory_types);
	tcase_add_test(tc, without_pat);
	tcase_add_test(tc, no_such_attribute);
	tcase_add_test(tc, type_numbers_round_trip);
	suite_add_tcase(s, tc);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
