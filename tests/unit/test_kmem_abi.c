/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the content-identifier arithmetic of <lent/kmem.h>,
 * the one definition the kernel, the kpagers and the tests share.  The
 * expected CIDs are worked out by hand from the table in
 * docs/kernel-memory.md, not from the helpers.
 */
#include <check.h>
#include <user/include/lent/kmem.h>

START_TEST(page_tables_and_node_tables)
{
	/* One per 4 MB slot: the slot number in bits 12..21. */
	ck_assert_uint_eq(lent_cid_pt(0x00000000u), 0x00400000u);
	ck_assert_uint_eq(lent_cid_pt(0x003FFFFFu), 0x00400000u);
	ck_assert_uint_eq(lent_cid_pt(0x00400000u), 0x00401000u);
	ck_assert_uint_eq(lent_cid_pt(0x40000000u), 0x00500000u);   /* slot 256 */
	ck_assert_uint_eq(lent_cid_pt(0xBFF00000u), 0x006FF000u);   /* slot 767 */
	ck_assert_uint_eq(lent_cid_nt(0x40000000u), 0x00900000u);
	ck_assert_uint_eq(lent_cid_nt(0xBFF00000u), 0x00AFF000u);
	ck_assert_int_eq(lent_cid_kind(lent_cid_pt(0xBFF00000u)), LENT_KMEM_PT);
	ck_assert_int_eq(lent_cid_kind(lent_cid_nt(0x00000000u)), LENT_KMEM_NT);
}
END_TEST

START_TEST(counted_kinds)
{
	ck_assert_uint_eq(lent_cid_nth(LENT_KMEM_MAP, 0), 0x01000000u);
	ck_assert_uint_eq(lent_cid_nth(LENT_KMEM_MAP, 4095), 0x01FFF000u);
	ck_assert_uint_eq(lent_cid_nth(LENT_KMEM_TCB, 3), 0x02003000u);
	ck_assert_uint_eq(lent_cid_nth(LENT_KMEM_UTCB, 1), 0x03001000u);
	ck_assert_int_eq(lent_cid_kind(0x01FFF000u), LENT_KMEM_MAP);
	ck_assert_int_eq(lent_cid_kind(0x02000000u), LENT_KMEM_TCB);
	ck_assert_int_eq(lent_cid_kind(0x03FFF000u), LENT_KMEM_UTCB);
}
END_TEST

START_TEST(every_page_of_the_window_has_one_kind_or_none)
{
	unsigned count[LENT_KMEM_KINDS] = { 0 };

	for (unsigned long cid = 0; cid < LENT_CID_WINDOW_END; cid += LENT_CID_PAGE) {
		int k = lent_cid_kind(cid);
		ck_assert_int_ge(k, -1);
		ck_assert_int_lt(k, LENT_KMEM_KINDS);
		if (k >= 0)
			count[k]++;
	}
	ck_assert_uint_eq(count[LENT_KMEM_TASK], 1);
	ck_assert_uint_eq(count[LENT_KMEM_PDIR], 1);
	ck_assert_uint_eq(count[LENT_KMEM_PT], 1024);
	ck_assert_uint_eq(count[LENT_KMEM_NT], 1024);
	ck_assert_uint_eq(count[LENT_KMEM_MAP], LENT_CID_RANGE_PAGES);
	ck_assert_uint_eq(count[LENT_KMEM_TCB], LENT_CID_RANGE_PAGES);
	ck_assert_uint_eq(count[LENT_KMEM_UTCB], LENT_CID_RANGE_PAGES);
}
END_TEST

START_TEST(not_content_identifiers)
{
	ck_assert_int_eq(lent_cid_kind(0x00002000u), -1);   /* between pdir and PTs */
	ck_assert_int_eq(lent_cid_kind(0x00C00000u), -1);   /* between NTs and MAP */
	ck_assert_int_eq(lent_cid_kind(0x00400800u), -1);   /* not page-aligned */
	ck_assert_int_eq(lent_cid_kind(LENT_CID_WINDOW_END), -1);
	ck_assert_int_eq(lent_cid_kind(0xC0000000u), -1);   /* a kernel address is no CID */
}
END_TEST

static Suite *kmem_abi_suite(void)
{
	Suite *s = suite_create("kmem_abi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, page_tables_and_node_tables);
	tcase_add_test(tc, counted_kinds);
	tcase_add_test(tc, every_page_of_the_window_has_one_kind_or_none);
	tcase_add_test(tc, not_content_identifiers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kmem_abi_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
