/* SPDX-License-Identifier: BSD-2-Clause */
/* Which thread IDs name X.2 interrupt threads (kernel/irq.h): thread
 * numbers below SystemBase (16, the 8259 pair's lines) with version 1. */
#include <check.h>
#include <stdlib.h>
#include <kernel/irq.h>

START_TEST(interrupt_thread_ids)
{
	for (uint32_t n = 0; n < ARCH_IRQ_LINES; n++) {
		ck_assert(irq_is_thread(tid_make(n, 1)));
		ck_assert(!irq_is_thread(tid_make(n, 2)));
		ck_assert(!irq_is_thread(tid_make(n, 0x41)));
	}
	ck_assert_uint_eq(tid_make(8, 1), 0x00020001u);
	ck_assert(!irq_is_thread(tid_make(ARCH_IRQ_LINES, 1)));      /* sigma0 */
	ck_assert(!irq_is_thread(tid_make(ARCH_IRQ_LINES + 2, 1)));  /* the root task */
	ck_assert(!irq_is_thread(TID_NIL));
	ck_assert(!irq_is_thread(TID_ANY));
	ck_assert(!irq_is_thread(TID_ANYLOCAL));
	ck_assert(!irq_is_thread(0xBF000100u));                      /* a local ID */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("irq");
	TCase *tc = tcase_create("ids");
	tcase_add_test(tc, interrupt_thread_ids);
	suite_add_tcase(s, tc);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
