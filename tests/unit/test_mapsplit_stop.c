/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Preemption points in the split mapping database's walks
 * (kernel/mapsplit_stop.c) over the fake tasks of mapsplit_check.h: an
 * unmap of a deep chain stops at every point and, called again, goes on
 * to exactly the end an unstopped one reaches; a kept place that is
 * voided at every stop (a node page taken back and given back, or given
 * back refused) still lets the walk end.  The random test
 * (test_mapsplit_random.c, its stopping profiles) does the same over
 * random trees against the model.
 */
#include <check.h>
#include <string.h>
#include "mapsplit_check.h"
#include "unit_runner.h"
#include <kernel/mapsplit_int.h>

#define HOPS 60                   /* a chain through tasks 1-4, 15 pages each */

/* Hop h of the chain: task 1 + h % 4, page h / 4. */
static unsigned hop_task(unsigned h) { return 1 + h % 4; }
static unsigned hop_page(unsigned h) { return h / 4; }

static void chain(uint8_t rights)
{
	msk_op_t o = { .kind = MSK_MAP, .s1 = 0, .p1 = 0, .s2 = 1, .p2 = 0, .rights = rights };

	msk_reset(false);
	msk_apply(&o);
	for (unsigned h = 1; h < HOPS; h++) {
		o.s1 = (uint8_t)hop_task(h - 1);
		o.p1 = (uint8_t)hop_page(h - 1);
		o.s2 = (uint8_t)hop_task(h);
		o.p2 = (uint8_t)hop_page(h);
		msk_apply(&o);
	}
	for (unsigned h = 0; h < HOPS; h++)
		ck_assert(msk_task[hop_task(h)].pte[hop_page(h)].present);
}

/* Unmap rights from what hangs below hop 0, stopping at every point;
 * between the steps call f (if any).  Returns the number of calls. */
static unsigned unmap_in_steps(uint32_t rights, void (*f)(unsigned step))
{
	ms_need_t need;
	unsigned calls = 0;
	int err;

	msk_stop_pct = 100;
	do {
		uint32_t access = 0;

		err = ms_unmap_part(msk_space(1), msk_va(0), rights, false, &access, true, calls > 0,
				    &need);
		if (err == MS_NEED)
			ck_assert(msk_supply(&need));
		if (err == MS_STOPPED && f)
			f(calls);
		calls++;
		ck_assert_uint_lt(calls, 100000);
	} while (err == MS_STOPPED || err == MS_NEED);
	msk_stop_pct = 0;
	ck_assert_int_eq(err, MS_OK);
	msk_selfcheck();
	return calls;
}

START_TEST(test_chain_removal_stops_and_ends)
{
	chain(MS_RIGHTS);
	/* Below hop 1: down 58 edges and 58 records gone, a stop after each. */
	ck_assert_uint_ge(unmap_in_steps(MS_RIGHTS, NULL), 2 * (HOPS - 2));
	ck_assert(msk_task[1].pte[0].present);
	ck_assert_uint_eq(msk_task[1].pte[0].rights, MS_RIGHTS);
	for (unsigned h = 1; h < HOPS; h++) {
		ck_assert(!msk_task[hop_task(h)].pte[hop_page(h)].present);
		ck_assert_ptr_null(ms_lookup(msk_space(hop_task(h)), msk_va(hop_page(h)), NULL));
	}
	/* hop 0 gave everything away: no part is left in it. */
	ck_assert_uint_eq(ms_lookup(msk_space(1), msk_va(0), NULL)->k.rec.head, 0);
}
END_TEST

START_TEST(test_chain_narrowing_stops_and_ends)
{
	chain(MS_RIGHT_R | MS_RIGHT_W);
	ck_assert_uint_ge(unmap_in_steps(MS_RIGHT_W, NULL), HOPS - 1);
	ck_assert_uint_eq(msk_task[1].pte[0].rights, MS_RIGHT_R | MS_RIGHT_W);
	for (unsigned h = 1; h < HOPS; h++) {
		const msk_pte_t *p = &msk_task[hop_task(h)].pte[hop_page(h)];

		ck_assert(p->present);
		ck_assert_uint_eq(p->rights, MS_RIGHT_R);
		ck_assert_uint_eq(ms_lookup(msk_space(hop_task(h)), msk_va(hop_page(h)), NULL)->rights,
				  MS_RIGHT_R);
	}
}
END_TEST

/* At every stop a kpager takes a node page back and gives it back as it
 * was: the kept place is void each time (the pages are at new addresses),
 * and the walk must still end, with the same result. */
static void page_round_trip(unsigned step)
{
	unsigned t = 1 + step % 4;

	if (msk_export_page(t, 0))
		msk_import_page(t, 0);
}

START_TEST(test_voided_place_still_ends)
{
	chain(MS_RIGHTS);
	unmap_in_steps(MS_RIGHTS, page_round_trip);
	for (unsigned h = 1; h < HOPS; h++)
		ck_assert_ptr_null(ms_lookup(msk_space(hop_task(h)), msk_va(hop_page(h)), NULL));

	chain(MS_RIGHT_R | MS_RIGHT_W);
	unmap_in_steps(MS_RIGHT_W, page_round_trip);
	/* The export flushed translations: resolve, then look. */
	for (unsigned h = 1; h < HOPS; h++) {
		uint32_t phys, rights;

		ck_assert_int_eq(msk_resolve(hop_task(h), hop_page(h), &phys, &rights), MS_OK);
		ck_assert_uint_eq(rights, MS_RIGHT_R);
	}
}
END_TEST

/* A hostile kpager gives the page that holds the walk's place back
 * spoilt: the kernel imports an empty page instead, and the walk goes on
 * over what is left, removing every translation below. */
static void page_spoilt(unsigned step)
{
	unsigned t = 2 + step % 3;              /* not hop 0's task */

	if (step % 7 || !msk_export_page(t, 0))
		return;
	msk_task[t].store[0][0] ^= 1;           /* the magic: refused */
	ck_assert_int_ne(msk_import_page(t, 0), MS_OK);
}

START_TEST(test_place_in_a_refused_page)
{
	chain(MS_RIGHTS);
	msk_hostile = true;
	unmap_in_steps(MS_RIGHTS, page_spoilt);
	for (unsigned h = 1; h < HOPS; h++)
		ck_assert(!msk_task[hop_task(h)].pte[hop_page(h)].present);
	ck_assert(msk_task[1].pte[0].present);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_chain_removal_stops_and_ends,
		test_chain_narrowing_stops_and_ends,
		test_voided_place_still_ends,
		test_place_in_a_refused_page,
		NULL
	};

	return unit_run("mapsplit_stop", "core", tests, NULL, NULL);
}
