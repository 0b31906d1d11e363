/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Node pages that go back empty from anywhere in a task's list, leaving
 * holes (kernel/mapsplit.c, "Holes"; docs/mapdb-split.md, "Fragmentation
 * and holes"), over the fake tasks of mapsplit_check.h, whose msk_trim()
 * gives back what ms_page_empty() names as the kernel's trim does with
 * pool pages.  A task fills three node pages, makes one record in a
 * fourth, and empties the three: they go back although the fourth stays,
 * the counts stay exact, a reference into a hole finds nothing (never
 * "fetch it"), the next node page takes the lowest hole's number, and
 * entries made there are found.  Before holes, only empty pages at the
 * end of a task's list went back: the three stayed for as long as the
 * record above them.
 */
#include <string.h>
#include "mapsplit_unit.h"

#define T 1                     /* the task whose pages empty */
#define USED (MS_ENTS - 1)      /* entries of a node page */

/* An entry of T's in use that is no record or part (as a root's room):
 * a new node page when none is free, as the kernel lends one. */
static ms_ent_t *filler(void)
{
	ms_space_t *s = msk_space(T);
	ms_ent_t *e = ms_alloc(s);

	if (!e) {
		ms_need_t need = { .task = s->id, .kind = MS_NEED_ENTRY, .index = 1 };

		ck_assert(msk_supply(&need));
		e = ms_alloc(s);
	}
	ck_assert_ptr_nonnull(e);
	e->kind = MS_RESERVED;
	return e;
}

static ms_ent_t *fill[3 * USED];

/* Pages 0-2 of T full of fillers, then T's page 0 mapped from sigma0:
 * its record is the one entry of page 3; then the fillers go. */
static void scene(void)
{
	ms_space_t *s = msk_space(T);

	msk_reset(false);
	for (unsigned i = 0; i < 3 * USED; i++)
		fill[i] = filler();
	ck_assert_uint_eq(s->pages, 3);
	ck_assert_uint_eq(s->nfree, 0);
	op(MSK_MAP, 0, 0, T, 0, MS_RIGHTS, false);
	ms_ent_t *r = ms_lookup(s, msk_va(0), NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(MS_REF_PAGE(ms_ref_of(r)), 3);
	ck_assert_uint_eq(s->pages, 4);
	for (unsigned i = 0; i < 3 * USED; i++)
		ms_free(s, fill[i]);
	ck_assert_uint_eq(msk_trim(), 3);
}

START_TEST(test_empty_pages_below_go_back)
{
	ms_space_t *s = msk_space(T);

	scene();
	ck_assert_uint_eq(s->pages, 4);
	ck_assert_uint_eq(s->holes, 3);
	for (unsigned n = 0; n < 3; n++) {
		ck_assert_ptr_null(msk_task[T].pg[n]);
		ck_assert(ms_page_hole(s, n));
	}
	ck_assert(!ms_page_hole(s, 3));
	/* Free entries: page 3's alone, less its record. */
	ck_assert_uint_eq(s->nfree, USED - 1);
	ck_assert_uint_eq(ms_free_count(s), USED - 1);
	ck_assert_uint_eq(ms_page_next(s), 0);
	msk_selfcheck();
	/* The record above the holes is still found, and still resolves. */
	ck_assert_ptr_nonnull(ms_lookup(s, msk_va(0), NULL));
	ck_assert(msk_task[T].pte[0].present);
}
END_TEST

/* A node-table entry naming a hole (stale, or a kpager's edit): a bad
 * reference, refused as "nothing there", never a page to fetch. */
START_TEST(test_reference_into_a_hole_finds_nothing)
{
	ms_space_t *s = msk_space(T);
	ms_need_t need = { 0 };
	ms_ent_t *r;

	scene();
	msk_task[T].nt[0][(msk_va(5) >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] = MS_REF(1, 7);
	ck_assert_int_eq(ms_find(s, msk_va(5), &r, &need), MS_NONE);
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(need.kind, 0);
	ck_assert_ptr_null(ms_ent(s, MS_REF(1, 7)));
	ck_assert_ptr_null(ms_lookup(s, msk_va(5), NULL));
	msk_task[T].nt[0][(msk_va(5) >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] = 0;
	msk_selfcheck();
}
END_TEST

/* The next node page takes the lowest hole's number: a record made
 * there is found, resolves, and its page is a page of T's again. */
START_TEST(test_hole_is_reused)
{
	ms_space_t *s = msk_space(T);

	scene();
	for (unsigned i = 0; i < USED; i++)
		fill[i] = filler();         /* page 3's room, then page 0 again */
	ck_assert_ptr_nonnull(msk_task[T].pg[0]);
	ck_assert_uint_eq(s->pages, 4);
	ck_assert_uint_eq(s->holes, 2);
	ck_assert_uint_eq(ms_page_next(s), 1);
	op(MSK_MAP, 0, 1, T, 1, MS_RIGHTS, false);
	ms_ent_t *r = ms_lookup(s, msk_va(1), NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(MS_REF_PAGE(ms_ref_of(r)), 0);
	ck_assert(msk_task[T].pte[1].present);
	/* On to another task: its part in page 0 too. */
	op(MSK_MAP, T, 1, 2, 1, MS_RIGHTS, false);
	ck_assert(msk_task[2].pte[1].present);
	msk_selfcheck();
	/* Page 3 empties: the list ends below it and below holes 1 and 2. */
	for (unsigned i = 0; i < USED; i++)
		ms_free(s, fill[i]);
	op(MSK_UNMAP, 0, 0, 0, 0, MS_RIGHTS, false);
	ck_assert_ptr_null(ms_lookup(s, msk_va(0), NULL));
	ck_assert_uint_eq(s->pages, 1);
	ck_assert_uint_eq(s->holes, 0);
	ck_assert_uint_eq(ms_page_next(s), 1);
	ck_assert_ptr_nonnull(ms_lookup(s, msk_va(1), NULL));
	msk_selfcheck();
}
END_TEST

/* A page taken back while T has holes: they count as away from then on
 * (its kpager holds them, empty), and come back empty when asked for. */
START_TEST(test_export_counts_holes_away)
{
	ms_space_t *s = msk_space(T);
	uint32_t phys, rights;

	scene();
	ck_assert(msk_export_page(T, 3));
	ck_assert_uint_eq(s->holes, 0);
	ck_assert_uint_eq(s->pages, 4);
	for (unsigned n = 0; n < 4; n++)
		ck_assert(msk_task[T].stored[n]);
	msk_selfcheck();
	ck_assert_int_eq(msk_resolve(T, 0, &phys, &rights), MS_OK);
	msk_import_all();
	msk_selfcheck();
	ck_assert_uint_eq(s->nfree, 4 * USED - 1);
	ck_assert_ptr_nonnull(ms_lookup(s, msk_va(0), NULL));
}
END_TEST

/* The task dies with holes: its death passes them by. */
START_TEST(test_death_with_holes)
{
	scene();
	op(MSK_KILL, T, 0, 0, 0, MS_RIGHTS, false);
	ck_assert_uint_eq(msk_space(T)->pages, 0);
	ck_assert_uint_eq(msk_space(T)->holes, 0);
	msk_selfcheck();
}
END_TEST

/* A trim between two steps of a walk (the kernel's runs at each of a
 * stopped Unmap's stops) keeps the empty page that is the room then;
 * once the walk frees lower down the room moves, and that page must be
 * looked at again: it goes back, and only the new room is kept.  Before,
 * the first stayed for good beside it (t_nodeback.c under
 * preempt=always: two empty lent pages, not one). */
START_TEST(test_page_kept_as_room_goes_once_room_moves)
{
	ms_space_t *s = msk_space(T);

	msk_reset(false);
	msk_trim_keeps_room = true;
	for (unsigned i = 0; i < 3 * USED; i++)
		fill[i] = filler();
	ck_assert_uint_eq(s->pages, 3);
	for (unsigned i = 2 * USED; i < 3 * USED; i++)
		ms_free(s, fill[i]);
	ck_assert_uint_eq(s->room, 2);
	ck_assert_uint_eq(msk_trim(), 0);          /* page 2: the room, kept */
	ck_assert_ptr_nonnull(msk_task[T].pg[2]);
	for (unsigned i = USED; i < 2 * USED; i++)
		ms_free(s, fill[i]);
	ck_assert_uint_eq(s->room, 1);
	ck_assert_uint_eq(msk_trim(), 1);          /* page 2 goes, page 1 kept */
	ck_assert_ptr_null(msk_task[T].pg[2]);
	ck_assert_ptr_nonnull(msk_task[T].pg[1]);
	ck_assert_uint_eq(s->pages, 2);
	ck_assert_uint_eq(s->nfree, USED);
	msk_selfcheck();
}
END_TEST

/* Pages that empty in order (a revoke down a task's records): the first
 * hole is the cursor, so the next page's number is found without a look
 * at the pages below it, and when the last page goes, the holes below it
 * go with it without a look at each.  Before, each was a walk over the
 * task's pages with no preemption point: 26,747 and 38,652 instructions
 * at 358 pages (make bench, wakeup_late_max_revoke). */
START_TEST(test_holes_found_without_walks)
{
	ms_space_t *s = msk_space(T);

	msk_reset(false);
	for (unsigned i = 0; i < 3 * USED; i++)
		fill[i] = filler();
	ck_assert_uint_eq(s->pages, 3);
	for (unsigned i = USED; i < 2 * USED; i++)
		ms_free(s, fill[i]);
	ck_assert_uint_eq(msk_trim(), 1);          /* page 1: a hole */
	msk_page_looks = 0;
	ck_assert_uint_eq(ms_page_next(s), 1);
	ck_assert_uint_le(msk_page_looks, 1);
	for (unsigned i = 2 * USED; i < 3 * USED; i++)
		ms_free(s, fill[i]);
	msk_page_looks = 0;
	ck_assert_uint_eq(msk_trim(), 1);          /* page 2, the last */
	ck_assert_uint_eq(s->pages, 1);            /* and the hole below it */
	ck_assert_uint_eq(s->holes, 0);
	ck_assert_uint_eq(msk_page_looks, 0);
	msk_selfcheck();
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_empty_pages_below_go_back,
		test_reference_into_a_hole_finds_nothing,
		test_hole_is_reused,
		test_export_counts_holes_away,
		test_death_with_holes,
		test_page_kept_as_room_goes_once_room_moves,
		test_holes_found_without_walks,
		NULL,
	};

	return unit_run("mapsplit_holes", "core", tests, NULL, NULL);
}
