/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A record's byte 3 in the split mapping database (kernel/mapsplit.h,
 * MS_ATTR_*; docs/mapdb-split.md "Access bits and memory type"), over
 * the fake tasks of mapsplit_check.h: the access bits of translations a
 * take-back flushes are kept in their records, carried in the external
 * form for the record's own Unmap, and go up to the record above that
 * stays when a record's page or table goes, so that an Unmap from above
 * reports (then resets) them exactly while it is away, whatever its
 * kpager writes; a grant moves them; the
 * memory type goes to derived mappings and into every translation;
 * import refuses a byte 3 the kernel never writes, and an imported type
 * its task could not have set (not its parent's, not privileged) is
 * dropped when the record is resolved.
 */
#include <check.h>
#include <string.h>
#include "mapsplit_check.h"
#include "unit_runner.h"
#include <kernel/mapsplit_int.h>

#define R MS_RIGHT_R
#define W MS_RIGHT_W

static void map(unsigned s1, unsigned p1, unsigned s2, unsigned p2, bool grant)
{
	msk_op_t o = { .kind = grant ? MSK_GRANT : MSK_MAP, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1,
		       .s2 = (uint8_t)s2, .p2 = (uint8_t)p2, .rights = MS_RIGHTS };
	msk_apply(&o);
}

static ms_ent_t *rec(unsigned t, unsigned p)
{
	return ms_lookup(msk_space(t), msk_va(p), NULL);
}

/* The status of t:p (Unmap, no rights): the bits reported. */
static uint32_t status(unsigned t, unsigned p)
{
	ms_need_t need;
	uint32_t access = 0;

	ck_assert_int_eq(ms_unmap(msk_space(t), msk_va(p), 0, false, &access, &need), MS_OK);
	return access;
}

/* The record of va in task t's stored (external) node page 0. */
static ms_ent_t *stored_rec(unsigned t, unsigned p)
{
	ms_ent_t *e = (ms_ent_t *)msk_task[t].store[0];

	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind == MS_REC && e[k].vaddr == msk_va(p))
			return &e[k];
	ck_abort_msg("no stored record");
	return NULL;
}

/* 0:1 -> 1:1 -> 2:2, task 2's translation read (and written if w). */
static void chain(bool w)
{
	msk_reset(false);
	map(0, 1, 1, 1, false);
	map(1, 1, 2, 2, false);
	msk_task[2].pte[2].access = R | (w ? W : 0);
}

/* Task 2's record away (its node page): task 1's Unmap reports exactly
 * what task 2 did (read: referenced alone), once; the bits went up to
 * task 1's record when the page went, and come back for task 2's own
 * Unmap only. */
START_TEST(test_export_page_bits_go_up)
{
	chain(false);
	ck_assert(msk_export_page(2, 0));
	ck_assert_uint_eq(stored_rec(2, 2)->attr, MS_ATTR_R);   /* its own, in the external form */
	ck_assert_uint_eq(status(1, 1), R);
	ck_assert_uint_eq(status(1, 1), 0);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(1, 1), 0);                     /* reported already */
	msk_check();
}
END_TEST

/* Written: both; untouched: none; and a record away below one that is
 * away too: its bits went up with its parent's. */
START_TEST(test_export_page_bits_exact)
{
	chain(true);
	ck_assert(msk_export_page(2, 0));
	ck_assert_uint_eq(status(1, 1), R | W);
	ck_assert_uint_eq(status(1, 1), 0);
	chain(false);
	msk_task[2].pte[2].access = 0;
	ck_assert(msk_export_page(2, 0));
	ck_assert_uint_eq(status(1, 1), 0);
	ck_assert_uint_eq(status(0, 1), 0);
	/* 0:1 -> 1:1 -> 2:2 -> 3:3, 3:3 written; task 2's page, then task
	 * 1's go: sigma0's Unmap still reads task 3's write. */
	chain(false);
	msk_task[2].pte[2].access = 0;
	map(2, 2, 3, 3, false);
	msk_task[3].pte[3].access = R | W;
	ck_assert(msk_export_page(2, 0));
	ck_assert(msk_export_page(1, 0));
	ck_assert_uint_eq(status(0, 1), R | W);
	ck_assert_uint_eq(status(0, 1), 0);
	ck_assert_uint_eq(status(3, 3), R | W);                 /* its own record kept them */
	msk_check();
}
END_TEST

/*
 * The price of a record away (docs/mapdb-split.md, "Access bits and
 * memory type"): 0:1 -> 1:1 -> 2:2 -> 3:3, task 3 wrote, task 2's page
 * goes. The write went up to 1:1 and stays in 3:3, the only two places
 * an Unmap can reach while 2:2 is away; neither can tell the other it
 * reported it. So, in every order, whichever of the two Unmaps comes
 * first reports the write (never less), the other may report it once
 * more, and then nobody does: at most once more for one take-back.
 */
static void cut_below(void)
{
	chain(false);
	msk_task[2].pte[2].access = 0;
	map(2, 2, 3, 3, false);
	msk_task[3].pte[3].access = R | W;
	ck_assert(msk_export_page(2, 0));
}

static void none_left(void)
{
	ck_assert_uint_eq(status(0, 1), 0);
	ck_assert_uint_eq(status(1, 1), 0);
	ck_assert_uint_eq(status(2, 2), 0);
	ck_assert_uint_eq(status(3, 3), 0);
	msk_check();
}

START_TEST(test_away_bits_at_most_once_more)
{
	cut_below();                                            /* above, below, back */
	ck_assert_uint_eq(status(1, 1), R | W);
	ck_assert_uint_eq(status(3, 3), R | W);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	none_left();
	cut_below();                                            /* below, above, back */
	ck_assert_uint_eq(status(3, 3), R | W);
	ck_assert_uint_eq(status(1, 1), R | W);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	none_left();
	cut_below();                                            /* above, back, above */
	ck_assert_uint_eq(status(1, 1), R | W);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(1, 1), R | W);
	none_left();
	cut_below();                                            /* back, then exact */
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(1, 1), R | W);
	none_left();
	cut_below();                                            /* from the top too */
	ck_assert_uint_eq(status(0, 1), R | W);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(0, 1), R | W);
	none_left();
}
END_TEST

START_TEST(test_export_table_bits_go_up)
{
	chain(true);
	ck_assert(msk_export_table(2, msk_va(2) >> 22));
	ck_assert_uint_eq(rec(1, 1) ? 1 : 0, 1);
	ck_assert_uint_eq(status(1, 1), R | W);
	ck_assert_uint_eq(status(1, 1), 0);
	ck_assert_int_eq(msk_import_table(2, msk_va(2) >> 22), MS_OK);
	ck_assert_uint_eq(status(1, 1), 0);
	msk_check();
	/* Read only, through a table away: referenced alone. */
	chain(false);
	ck_assert(msk_export_table(2, msk_va(2) >> 22));
	ck_assert_uint_eq(status(1, 1), R);
	ck_assert_uint_eq(status(1, 1), 0);
}
END_TEST

/* A kpager that edits the bits of its task's record in the exported
 * page changes nothing task 1 sees, before or after task 1's Unmap; the
 * edit reaches only its own task's Unmap of that very page. */
START_TEST(test_edited_bits_reach_only_their_task)
{
	chain(false);
	ck_assert(msk_export_page(2, 0));
	stored_rec(2, 2)->attr = MS_ATTR_BITS;
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(1, 1), R);
	ck_assert_uint_eq(status(1, 1), 0);
	chain(false);
	ck_assert(msk_export_page(2, 0));
	ck_assert_uint_eq(status(1, 1), R);
	stored_rec(2, 2)->attr = MS_ATTR_BITS;
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(1, 1), 0);
	chain(false);
	ck_assert(msk_export_page(2, 0));
	stored_rec(2, 2)->attr = MS_ATTR_BITS;
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_uint_eq(status(2, 2), R | W);                 /* its own kpager's word */
	ck_assert_uint_eq(status(2, 2), 0);
	ck_assert_uint_eq(status(1, 1), R);
	msk_check();
}
END_TEST

/* The record's own Unmap reads its kept bits too; a removal as well. */
START_TEST(test_own_and_removal_report_kept_bits)
{
	uint32_t phys, rights, access = 0;
	ms_need_t need;

	chain(false);
	ck_assert(msk_export_page(2, 0));
	ck_assert_int_eq(msk_resolve(2, 2, &phys, &rights), MS_OK);  /* brings it back */
	ck_assert_uint_eq(status(2, 2), R);
	ck_assert_uint_eq(status(2, 2), 0);
	msk_task[2].pte[2].access = R | W;
	ck_assert(msk_export_page(2, 0));
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_int_eq(ms_unmap(msk_space(1), msk_va(1), MS_RIGHTS, false, &access, &need),
			 MS_OK);
	ck_assert_uint_eq(access, R | W);
	ck_assert_ptr_null(rec(2, 2));
}
END_TEST

START_TEST(test_grant_moves_the_bits)
{
	chain(false);
	msk_task[1].pte[1].access = R | W;
	map(1, 1, 3, 4, true);
	ck_assert_ptr_null(rec(1, 1));
	ck_assert_uint_eq(status(3, 4), R | W);
	ck_assert_uint_eq(status(3, 4), 0);
}
END_TEST

static void map_rights(unsigned s1, unsigned p1, unsigned s2, unsigned p2, uint32_t rights,
		       bool grant)
{
	msk_op_t o = { .kind = grant ? MSK_GRANT : MSK_MAP, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1,
		       .s2 = (uint8_t)s2, .p2 = (uint8_t)p2, .rights = (uint8_t)rights };
	msk_apply(&o);
}

/* A mapping widened (mapped again from its source) gets a translation
 * made anew: the bits of the one before are kept, not lost. */
START_TEST(test_widen_keeps_the_bits)
{
	msk_reset(false);
	map(0, 1, 1, 1, false);
	map_rights(1, 1, 2, 2, R, false);
	msk_task[2].pte[2].access = R;
	map_rights(1, 1, 2, 2, R | W, false);
	ck_assert_uint_eq(msk_task[2].pte[2].rights & W, W);
	ck_assert_uint_eq(status(1, 1), R);
	ck_assert_uint_eq(status(1, 1), 0);
}
END_TEST

/* A grant that passes on fewer rights narrows what hangs below its
 * source; the bits of the translations it narrows wait for an Unmap. */
START_TEST(test_grant_narrowing_keeps_the_bits_below)
{
	chain(true);
	map_rights(1, 1, 3, 4, R | 1u, true);    /* r and x: no w */
	ck_assert_uint_eq(msk_task[2].pte[2].rights & W, 0);
	ck_assert_uint_eq(status(3, 4), R | W);
	ck_assert_uint_eq(status(3, 4), 0);
}
END_TEST

/* A type (as MemoryControl gives one) goes to what is derived after,
 * and into every translation, also one put back after a take-back. */
START_TEST(test_type_inherited_and_kept)
{
	uint32_t phys, rights;

	msk_reset(false);
	map(0, 1, 1, 1, false);
	rec(1, 1)->attr = 2;
	map(1, 1, 2, 2, false);
	ck_assert_uint_eq(ms_type(rec(2, 2)), 2);
	ck_assert_uint_eq(msk_task[2].pte[2].type, 2);
	ck_assert(msk_export_page(2, 0));
	ck_assert_uint_eq(stored_rec(2, 2)->attr, 2);
	ck_assert_int_eq(msk_resolve(2, 2, &phys, &rights), MS_OK);
	ck_assert_uint_eq(msk_task[2].pte[2].type, 2);
	/* Widened (the same edge mapped again), it keeps its own type. */
	rec(1, 1)->attr = 0;
	map(1, 1, 2, 2, false);
	ck_assert_uint_eq(msk_task[2].pte[2].type, 2);
}
END_TEST

/* Byte 3 on import: only the type bits and the two access bits, a type
 * the machine has; a part's is 0. */
START_TEST(test_byte3_validated)
{
	static const struct { uint8_t attr; int ok; } cases[] = {
		{ 0x00, 1 }, { 0x01, 1 }, { 0x03, 1 }, { 0x04, 1 }, { 0x07, 1 },
		{ MS_ATTR_BITS, 1 }, { MS_ATTR_BITS | 3, 1 },
		{ 0x05, 0 }, { 0x06, 0 }, { 0x20, 0 }, { 0x40, 0 }, { 0x80, 0 },
	};
	static uint8_t bytes[PAGE_SIZE];

	chain(false);
	ck_assert(msk_export_page(2, 0));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bytes, msk_task[2].store[0], PAGE_SIZE);
		ms_ent_t *e = (ms_ent_t *)bytes + (stored_rec(2, 2) - (ms_ent_t *)msk_task[2].store[0]);
		e->attr = cases[i].attr;
		ck_assert_msg((ms_validate_page(msk_space(2), 0, bytes) == MS_OK) == cases[i].ok,
			      "byte 3 %#x", cases[i].attr);
	}
}
END_TEST

/* An imported type is the one the record's task could have: its
 * parent's (taken with the mapping), or any for a privileged task
 * (MemoryControl); else the record resolves with the default. */
START_TEST(test_imported_type_checked_against_the_parent)
{
	uint32_t phys, rights;

	chain(false);
	rec(1, 1)->attr = 2;
	ck_assert(msk_export_page(2, 0));
	stored_rec(2, 2)->attr = 3;                   /* not the parent's */
	ck_assert_int_eq(msk_resolve(2, 2, &phys, &rights), MS_OK);
	ck_assert_uint_eq(ms_type(rec(2, 2)), 0);
	ck_assert_uint_eq(msk_task[2].pte[2].type, 0);
	ck_assert(msk_export_page(2, 0));
	stored_rec(2, 2)->attr = 2;                   /* the parent's */
	ck_assert_int_eq(msk_resolve(2, 2, &phys, &rights), MS_OK);
	ck_assert_uint_eq(msk_task[2].pte[2].type, 2);
	msk_task[2].privileged = true;
	ck_assert(msk_export_page(2, 0));
	stored_rec(2, 2)->attr = 3;                   /* its own to set */
	ck_assert_int_eq(msk_resolve(2, 2, &phys, &rights), MS_OK);
	ck_assert_uint_eq(msk_task[2].pte[2].type, 3);
	msk_check();
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_export_page_bits_go_up,
		test_export_page_bits_exact,
		test_away_bits_at_most_once_more,
		test_export_table_bits_go_up,
		test_edited_bits_reach_only_their_task,
		test_own_and_removal_report_kept_bits,
		test_grant_moves_the_bits,
		test_widen_keeps_the_bits,
		test_grant_narrowing_keeps_the_bits_below,
		test_type_inherited_and_kept,
		test_byte3_validated,
		test_imported_type_checked_against_the_parent,
		NULL
	};

	return unit_run("mapsplit_attr", "core", tests, NULL, NULL);
}
