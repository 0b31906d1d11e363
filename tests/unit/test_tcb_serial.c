/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the serials of thread bodies' exports
 * (kernel/tcb_serial.c): the count runs into the next epoch instead of
 * wrapping, no serial is left after the last, and a form whose count
 * comes round again in a later epoch is refused for its seal, as the
 * kernel checks it (kernel/tcb_away.c seals with the epoch's key).
 */
#include "tcbx_fixture.h"
#include <kernel/tcb_serial.h>

START_TEST(count_runs_into_next_epoch)
{
	tcb_serial_t s = { .count = 0, .epoch = 0 };

	tcb_serial_next(&s);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_uint_eq(s.epoch, 0);
	s.count = 0xFFFFFFFEu;
	tcb_serial_next(&s);
	ck_assert_uint_eq(s.count, 0xFFFFFFFFu);
	ck_assert_uint_eq(s.epoch, 0);
	tcb_serial_next(&s);
	ck_assert_uint_eq(s.count, 1);        /* never 0, never a count given again */
	ck_assert_uint_eq(s.epoch, 1);
}
END_TEST

START_TEST(none_left_after_the_last)
{
	tcb_serial_t s = { .count = 0, .epoch = 0 };

	ck_assert(tcb_serial_room(&s, 0xFFFFFFFFu));
	s.epoch = TCB_SERIAL_EPOCHS - 1;
	s.count = 0xFFFFFFFFu - 4;
	ck_assert(tcb_serial_room(&s, 4));
	ck_assert(!tcb_serial_room(&s, 5));
	s.count = 0xFFFFFFFFu;
	ck_assert(!tcb_serial_room(&s, 1));
	ck_assert(tcb_serial_room(&s, 0));
	/* One epoch before the last: its rest and all of the last. */
	s.epoch = TCB_SERIAL_EPOCHS - 2;
	s.count = 0xFFFFFFFFu;
	ck_assert(tcb_serial_room(&s, 0xFFFFFFFFu));
}
END_TEST

START_TEST(keys_of_epochs_differ)
{
	siphash_key_t a = tcb_serial_key(&KEY, 0), b = tcb_serial_key(&KEY, 1);
	siphash_key_t a2 = tcb_serial_key(&KEY, 0);

	ck_assert(a.k0 == a2.k0 && a.k1 == a2.k1);
	ck_assert(a.k0 != b.k0 || a.k1 != b.k1);
	ck_assert(a.k0 != KEY.k0 || a.k1 != KEY.k1);
}
END_TEST

/* A form exported in epoch 0 with count SERIAL, brought back when the
 * thread's resident part says epoch 1 with the same count: refused. */
START_TEST(count_come_round_is_refused)
{
	body_init(TS_READY);
	xctx.key = tcb_serial_key(&KEY, 0);
	tcb_export(&body, &core_a, &xctx, form);
	ctx_init();
	ictx.key = tcb_serial_key(&KEY, 0);
	ck_assert_int_eq(import_check(), TCBX_OK);
	ictx.key = tcb_serial_key(&KEY, 1);
	ck_assert_int_eq(import_check(), TCBX_BAD_SEAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tcb_serial");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, count_runs_into_next_epoch);
	tcase_add_test(tc, none_left_after_the_last);
	tcase_add_test(tc, keys_of_epochs_differ);
	tcase_add_test(tc, count_come_round_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tcbx_run(suite());
}
