/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the rights an Unmap leaves (kernel/mapsplit_stop.c) over
 * the fake tasks of mapsplit_check.h.  On IA-32 a translation that lets a
 * program write lets it read too, so a mapping left with w alone by a
 * revoke is removed (arch_rights_kept()).  A mapping made with w alone,
 * which an Unmap does not narrow, keeps what it had: an Unmap takes away
 * only the rights it names, whether the pages below are present or with
 * their kpager (the fuzz target found a w-only mapping removed by an
 * Unmap of no rights when its node pages were present, and kept when
 * they were away).
 */
#include <check.h>
#include "mapsplit_check.h"
#include "unit_runner.h"

static void op(uint8_t kind, unsigned s1, unsigned p1, unsigned s2, unsigned p2, unsigned rights,
	       bool flush_self)
{
	msk_op_t o = { .kind = kind, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1, .s2 = (uint8_t)s2,
		       .p2 = (uint8_t)p2, .rights = (uint8_t)rights, .flush_self = flush_self };
	msk_apply(&o);
}

static const msk_pte_t *pte(unsigned t, unsigned p)
{
	return &msk_task[t].pte[p];
}

/* sigma0's page 1 to 1:1 (rwx), 1:1 to 2:2 (rw), 2:2 to 3:3 (w alone). */
static void w_only_below(bool hostile)
{
	msk_reset(hostile);
	op(MSK_MAP, 0, 1, 1, 1, MS_RIGHTS, false);
	op(MSK_MAP, 1, 1, 2, 2, 6, false);
	op(MSK_MAP, 2, 2, 3, 3, 2, false);
	ck_assert(pte(3, 3)->present);
	ck_assert_uint_eq(pte(3, 3)->rights, 2);
}

START_TEST(test_unmap_of_no_rights_keeps_w_alone)
{
	w_only_below(false);
	op(MSK_UNMAP, 0, 1, 0, 0, 0, false);
	ck_assert(pte(3, 3)->present);
	ck_assert_uint_eq(pte(3, 3)->rights, 2);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_unmap_of_x_keeps_w_alone)
{
	w_only_below(false);
	op(MSK_UNMAP, 1, 1, 0, 0, 1, false);           /* x: not in 2:2's or 3:3's */
	ck_assert(pte(3, 3)->present);
	ck_assert_uint_eq(pte(3, 3)->rights, 2);
	ck_assert_uint_eq(pte(2, 2)->rights, 6);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_unmap_of_r_removes_what_keeps_w_alone)
{
	w_only_below(false);
	op(MSK_UNMAP, 1, 1, 0, 0, 4, false);           /* r: 2:2 left with w alone */
	ck_assert(!pte(2, 2)->present && !pte(3, 3)->present);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_own_w_alone_kept_without_flush)
{
	w_only_below(false);
	op(MSK_UNMAP, 3, 3, 0, 0, MS_RIGHTS, false);   /* nothing below; not itself */
	ck_assert(pte(3, 3)->present);
	op(MSK_UNMAP, 3, 3, 0, 0, 1, true);            /* x from itself: it has none */
	ck_assert(pte(3, 3)->present);
	op(MSK_UNMAP, 3, 3, 0, 0, 2, true);            /* w from itself: gone */
	ck_assert(!pte(3, 3)->present);
	msk_check_resolve_all();
}
END_TEST

/* The fuzz target's finding, cut down: the same Unmap with 2:2's node
 * page and table away, then back: the same mappings as with them present. */
START_TEST(test_w_alone_the_same_with_pages_away)
{
	w_only_below(true);
	op(MSK_EXPORT_PAGE, 2, 0, 0, 0, 0, false);
	op(MSK_EXPORT_TABLE, 2, 0, 0, 0, 0, false);
	op(MSK_UNMAP, 0, 1, 0, 0, 0, false);
	msk_import_all();
	msk_check_resolve_all();
	uint32_t phys = 0, rights = 0;
	ck_assert_int_eq(msk_resolve(3, 3, &phys, &rights), MS_OK);
	ck_assert_uint_eq(rights, 2);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_unmap_of_no_rights_keeps_w_alone,
		test_unmap_of_x_keeps_w_alone,
		test_unmap_of_r_removes_what_keeps_w_alone,
		test_own_w_alone_kept_without_flush,
		test_w_alone_the_same_with_pages_away,
		NULL
	};

	return unit_run("mapsplit_rights", "rights", tests, NULL, NULL);
}
