/* SPDX-License-Identifier: BSD-2-Clause */
/* Host tests for the frame window's slot arithmetic
 * (arch/ia32/include/arch/frame_window.h). */
#include <check.h>
#include <arch/frame_window.h>
#include <arch/iobitmap.h>

START_TEST(slots_lie_in_the_window)
{
	ck_assert_uint_eq(frame_window_va(0), 0xFF800000u);
	ck_assert_uint_eq(frame_window_va(1), 0xFF801000u);
	ck_assert_uint_eq(frame_window_va(FRAME_WINDOW_SLOTS - 1),
			  0xFF800000u + (FRAME_WINDOW_SLOTS - 1) * 4096u);
	/* above the direct map (896 MB from 0xC0000000), below the top */
	ck_assert_uint_ge(frame_window_va(0), 0xC0000000u + 0x38000000u);
	ck_assert_uint_le((uint64_t)frame_window_va(FRAME_WINDOW_SLOTS - 1) + 4096u,
			  0x100000000ull);
	/* not in the page table of the TSS and I/O bitmap window, which
	 * fills that table's entries from 0 as this window does */
	ck_assert_uint_ne(frame_window_va(0) >> 22, IO_WINDOW >> 22);
	/* one page table holds them all */
	ck_assert_uint_eq(frame_window_va(0) >> 22, frame_window_va(FRAME_WINDOW_SLOTS - 1) >> 22);
}
END_TEST

START_TEST(slot_of_an_address)
{
	for (unsigned i = 0; i < FRAME_WINDOW_SLOTS; i++) {
		ck_assert_int_eq(frame_window_slot(frame_window_va(i)), (int)i);
		ck_assert_int_eq(frame_window_slot(frame_window_va(i) + 4095u), (int)i);
		ck_assert_int_eq(frame_window_slot(frame_window_va(i) + 0x123u), (int)i);
	}
	/* the direct map, the byte below the window, the byte after it */
	ck_assert_int_eq(frame_window_slot(0xC0100000u), -1);
	ck_assert_int_eq(frame_window_slot(0xF7FFF000u), -1);
	ck_assert_int_eq(frame_window_slot(FRAME_WINDOW_BASE - 1), -1);
	ck_assert_int_eq(frame_window_slot(FRAME_WINDOW_BASE + FRAME_WINDOW_SLOTS * 4096u), -1);
	ck_assert_int_eq(frame_window_slot(0xFFFFFFFFu), -1);
	ck_assert_int_eq(frame_window_slot(0), -1);
}
END_TEST

START_TEST(take_and_put)
{
	uint32_t used = 0;

	/* the lowest free slot first, until none is left */
	for (unsigned i = 0; i < FRAME_WINDOW_SLOTS; i++)
		ck_assert_int_eq(frame_window_take(&used), (int)i);
	ck_assert_uint_eq(used, (1u << FRAME_WINDOW_SLOTS) - 1);
	ck_assert_int_eq(frame_window_take(&used), -1);
	ck_assert_uint_eq(used, (1u << FRAME_WINDOW_SLOTS) - 1);
	/* a slot given back is the next one taken */
	frame_window_put(&used, 1);
	ck_assert_uint_eq(used, ((1u << FRAME_WINDOW_SLOTS) - 1) & ~2u);
	ck_assert_int_eq(frame_window_take(&used), 1);
	frame_window_put(&used, 0);
	frame_window_put(&used, 2);
	ck_assert_int_eq(frame_window_take(&used), 0);
	ck_assert_int_eq(frame_window_take(&used), 2);
	/* putting a free slot back changes nothing else */
	used = 0;
	frame_window_put(&used, 3);
	ck_assert_uint_eq(used, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frame_window");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, slots_lie_in_the_window);
	tcase_add_test(tc, slot_of_an_address);
	tcase_add_test(tc, take_and_put);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
