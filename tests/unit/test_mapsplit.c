/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of kernel/mapsplit*.c over the fake tasks of
 * mapsplit_check.h: each operation (map, widen, grant, unmap, cycles,
 * a source to resolve first), where entries go in node pages, and task
 * death.  Export and import of node pages and tables are
 * test_mapsplit_io.c; hostile pages, test_mapsplit_hostile.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mapsplit_unit.h"

/* ---- operations ---- */

START_TEST(test_map_parts_live_with_their_tasks)
{
	msk_reset(false);
	map(0, 3, 1, 5, MS_RIGHTS);
	ms_ent_t *r = rec(1, 5), *p = part(0, 1, 5);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(p);
	/* The receiver part in task 1's node page, the sender part in sigma0's. */
	ck_assert_uint_eq(((ms_hdr_t *)ms_hdr_of(r))->task, msk_task[1].ms.id);
	ck_assert_uint_eq(((ms_hdr_t *)ms_hdr_of(p))->task, msk_task[0].ms.id);
	ck_assert_uint_eq(r->task, msk_task[0].ms.id);
	ck_assert_uint_eq(r->pvaddr, msk_va(3));
	ck_assert_uint_eq(p->vaddr, msk_va(3));
	ck_assert_uint_eq(r->gen, p->gen);
	ck_assert(pte(1, 5)->present);
	ck_assert_uint_eq(pte(1, 5)->phys, F(3));
	ck_assert_uint_eq(pte(1, 5)->rights, MS_RIGHTS);
}
END_TEST

/* Entries come from the lowest node page with room, so that the last
 * pages empty out and can go back (space_split_trim.c): a task whose
 * parts once filled three pages, and whose first page then has room
 * again, puts its next entry there, not in the page it freed last. */
START_TEST(test_entries_fill_the_lowest_page_first)
{
	ms_space_t *s = msk_space(4);
	ms_ent_t *e[3][MS_ENTS];

	msk_reset(false);
	ms_need_t need = { .task = s->id, .kind = MS_NEED_ENTRY };
	ck_assert_uint_eq(s->pages, 0);
	for (unsigned n = 0; n < 3; n++) {
		ck_assert(msk_supply(&need));
		for (unsigned k = 1; k < MS_ENTS; k++) {
			e[n][k] = ms_alloc(s);
			ck_assert_ptr_nonnull(e[n][k]);
			ck_assert_uint_eq(((ms_hdr_t *)ms_hdr_of(e[n][k]))->page, n);
			e[n][k]->kind = MS_PART;
		}
	}
	ck_assert_uint_eq(ms_free_count(s), 0);
	ms_free(s, e[0][5]);
	ms_free(s, e[2][7]);
	ms_ent_t *again = ms_alloc(s);
	ck_assert_ptr_eq(again, e[0][5]);            /* page 0, not page 2 */
	msk_empty_calls = 0;
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (k != 7)
			ms_free(s, e[2][k]);
	ck_assert_uint_eq(msk_empty_calls, 1);       /* the last page is empty */
	ck_assert_uint_eq(msk_empty_task, s->id);
	ck_assert_uint_eq(msk_empty_page, 2);
}
END_TEST

/* The kernel keeps one empty lent node page at the end
 * (space_split_trim.c): when the last page empties first, the page below it emptying
 * later must be reported too, or nothing ever says the pages at the end
 * are free and the task keeps both (and every page below that empties
 * after them) until it dies. */
START_TEST(test_page_below_the_last_reported_empty)
{
	ms_space_t *s = msk_space(4);
	ms_ent_t *e[3][MS_ENTS];

	msk_reset(false);
	ms_need_t need = { .task = s->id, .kind = MS_NEED_ENTRY };
	for (unsigned n = 0; n < 3; n++) {
		ck_assert(msk_supply(&need));
		for (unsigned k = 1; k < MS_ENTS; k++) {
			e[n][k] = ms_alloc(s);
			ck_assert_ptr_nonnull(e[n][k]);
			e[n][k]->kind = MS_PART;
		}
	}
	msk_empty_calls = 0;
	for (unsigned k = 1; k < MS_ENTS; k++)
		ms_free(s, e[2][k]);
	ck_assert_uint_eq(msk_empty_calls, 1);       /* the last page */
	ck_assert_uint_eq(msk_empty_page, 2);
	ms_free(s, e[1][1]);
	ck_assert_uint_eq(msk_empty_calls, 2);       /* the last again: no longer the room */
	ck_assert_uint_eq(msk_empty_page, 2);
	for (unsigned k = 2; k < MS_ENTS; k++)
		ms_free(s, e[1][k]);
	ck_assert_uint_eq(msk_empty_calls, 3);       /* the one below it */
	ck_assert_uint_eq(msk_empty_task, s->id);
	ck_assert_uint_eq(msk_empty_page, 1);
}
END_TEST

START_TEST(test_sigma0_first_part_needs_no_memory)
{
	ms_space_t *s0 = msk_space(0);

	msk_reset(false);
	uint32_t before = ms_free_count(s0);
	map(0, 3, 1, 5, MS_RIGHTS);                    /* the root's room */
	ck_assert_uint_eq(ms_free_count(s0), before);
	ck_assert_uint_eq(rec(0, 3)->k.rec.spare, 0);
	map(0, 3, 2, 5, MS_RIGHTS);                    /* a second part: an entry */
	ck_assert_uint_eq(ms_free_count(s0), before - 1);
	op(MSK_UNMAP, 0, 3, 0, 0, MS_RIGHTS, false);   /* one refills the room */
	ck_assert_uint_eq(ms_free_count(s0), before);
	ck_assert_uint_ne(rec(0, 3)->k.rec.spare, 0);
	map(0, 3, 1, 5, MS_RIGHTS);
	ck_assert_uint_eq(ms_free_count(s0), before);
}
END_TEST

START_TEST(test_lender_told_before_its_page_goes)
{
	msk_reset(false);
	map(0, 3, 1, 5, MS_RIGHTS);                    /* task 1 holds frame 3 below the root */
	map(1, 5, 2, 6, MS_RIGHTS);
	msk_nrevoked = 0;
	op(MSK_UNMAP, 2, 6, 0, 0, MS_RIGHTS, true);    /* two levels down: not a lender */
	op(MSK_UNMAP, 1, 5, 0, 0, 1, true);            /* X only */
	ck_assert_uint_eq(msk_nrevoked, 0);
	op(MSK_UNMAP, 1, 5, 0, 0, 2, false);           /* W from what is below it */
	ck_assert_uint_eq(msk_nrevoked, 1);
	ck_assert_uint_eq(msk_revoked[0], F(3));
	op(MSK_UNMAP, 0, 3, 0, 0, MS_RIGHTS, false);   /* sigma0's root */
	ck_assert_uint_eq(msk_nrevoked, 2);
	ck_assert_uint_eq(msk_revoked[1], F(3));
	map(0, 4, 1, 4, MS_RIGHTS);
	map(0, 7, 1, 4, MS_RIGHTS);                    /* replaced */
	ck_assert_uint_eq(msk_nrevoked, 3);
	ck_assert_uint_eq(msk_revoked[2], F(4));
	op(MSK_GRANT, 1, 4, 2, 4, 4, false);           /* a grant that takes W */
	ck_assert_uint_eq(msk_nrevoked, 4);
	ck_assert_uint_eq(msk_revoked[3], F(7));
	op(MSK_KILL, 2, 0, 0, 0, 0, false);            /* the holder dies */
	ck_assert_uint_eq(msk_nrevoked, 5);
	ck_assert_uint_eq(msk_revoked[4], F(7));
}
END_TEST

START_TEST(test_unmap_reaches_every_translation)
{
	msk_reset(false);
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, MS_RIGHTS);
	map(2, 2, 3, 3, 6);
	map(1, 1, 4, 4, 4);
	op(MSK_UNMAP, 0, 1, 0, 0, 2, false);           /* W from all below sigma0's page */
	ck_assert_uint_eq(pte(1, 1)->rights, 5);
	ck_assert_uint_eq(pte(2, 2)->rights, 5);
	ck_assert_uint_eq(pte(3, 3)->rights, 4);
	ck_assert_uint_eq(pte(4, 4)->rights, 4);
	op(MSK_UNMAP, 1, 1, 0, 0, MS_RIGHTS, false);   /* all below 1:1 */
	ck_assert(pte(1, 1)->present);
	ck_assert(!pte(2, 2)->present && !pte(3, 3)->present && !pte(4, 4)->present);
	ck_assert_ptr_null(rec(2, 2));
	ck_assert_ptr_null(part(1, 2, 2));
	op(MSK_UNMAP, 1, 1, 0, 0, MS_RIGHTS, true);
	ck_assert(!pte(1, 1)->present);
	ck_assert_ptr_null(part(0, 1, 1));
}
END_TEST

START_TEST(test_unmap_collects_access_bits)
{
	ms_need_t need;
	uint32_t access = 0;

	msk_reset(false);
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, MS_RIGHTS);
	map(2, 2, 3, 3, MS_RIGHTS);
	msk_task[3].pte[3].access = 6;                 /* written below */
	msk_task[1].pte[1].access = 4;                 /* read at the top */
	/* Only W from below 1:1: 3:3's bits and 1:1's own, all cleared. */
	ck_assert_int_eq(ms_unmap(msk_space(1), msk_va(1), 2, false, &access, &need), MS_OK);
	ck_assert_uint_eq(access, 6);
	ck_assert_uint_eq(msk_task[3].pte[3].access | msk_task[1].pte[1].access, 0);
	access = 0;
	msk_task[2].pte[2].access = 2;                 /* no rights: only reads the bits */
	ck_assert_int_eq(ms_unmap(msk_space(1), msk_va(1), 0, false, &access, &need), MS_OK);
	ck_assert_uint_eq(access, 2);
	ck_assert_uint_eq(pte(2, 2)->rights, 5);
	access = 0;
	ck_assert_int_eq(ms_unmap(msk_space(1), msk_va(1), 0, false, &access, &need), MS_OK);
	ck_assert_uint_eq(access, 0);
	msk_task[2].pte[2].access = 4;                 /* removed: its bits come out */
	ck_assert_int_eq(ms_unmap(msk_space(1), msk_va(1), MS_RIGHTS, false, &access, &need),
			 MS_OK);
	ck_assert_uint_eq(access, 4);
	ck_assert(!pte(2, 2)->present);
}
END_TEST

START_TEST(test_map_over_a_mapping_and_widen)
{
	msk_reset(false);
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, 4);
	map(2, 2, 3, 3, 4);
	map(1, 1, 2, 2, 2);                            /* widens 2:2, not 3:3 */
	ck_assert_uint_eq(pte(2, 2)->rights, 6);
	ck_assert_uint_eq(pte(3, 3)->rights, 4);
	map(0, 7, 2, 2, MS_RIGHTS);                    /* replaces 2:2 and what came from it */
	ck_assert_uint_eq(pte(2, 2)->phys, F(7));
	ck_assert(!pte(3, 3)->present);
	ck_assert_ptr_null(part(1, 2, 2));
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_grant_moves_the_place)
{
	msk_reset(false);
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, MS_RIGHTS);
	map(2, 2, 3, 3, MS_RIGHTS);
	map(2, 2, 4, 4, 6);
	op(MSK_GRANT, 2, 2, 4, 9, 6, false);
	ck_assert_ptr_null(rec(2, 2));
	ck_assert(!pte(2, 2)->present);
	ms_ent_t *g = rec(4, 9);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->task, msk_task[1].ms.id);     /* under the granter's parent */
	ck_assert_ptr_nonnull(part(1, 4, 9));
	ck_assert_ptr_nonnull(part(4, 3, 3));              /* the children moved along */
	ck_assert_uint_eq(rec(3, 3)->task, msk_task[4].ms.id);
	ck_assert_uint_eq(pte(3, 3)->rights, 6);           /* and lost what was not granted */
	ck_assert(g->gen < rec(3, 3)->gen);                /* generations grow downwards */
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_grant_of_a_root_maps)
{
	msk_reset(false);
	op(MSK_GRANT, 0, 4, 1, 4, MS_RIGHTS, false);
	ck_assert(pte(0, 4)->present);
	ck_assert_ptr_nonnull(rec(1, 4));
	ck_assert_uint_eq(rec(1, 4)->task, msk_task[0].ms.id);
}
END_TEST

START_TEST(test_cycles_refused)
{
	ms_need_t need;

	msk_reset(false);
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, MS_RIGHTS);
	ck_assert_int_eq(ms_map(msk_space(2), msk_va(2), msk_space(1), msk_va(1), 7, false, &need),
			 MS_CYCLE);
	ck_assert_int_eq(ms_map(msk_space(2), msk_va(2), msk_space(2), msk_va(2), 7, false, &need),
			 MS_CYCLE);
}
END_TEST

START_TEST(test_map_needs_a_resolved_source)
{
	ms_need_t need;

	msk_reset(false);
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, MS_RIGHTS);
	ck_assert(msk_export_page(1, 0));
	ck_assert_int_eq(ms_map(msk_space(2), msk_va(2), msk_space(3), msk_va(3), 7, false, &need),
			 MS_UNRESOLVED);
	ck_assert_int_eq(ms_resolve(msk_space(2), msk_va(2), &need, &(uint32_t){0},
				    &(uint32_t){0}), MS_NEED);
	ck_assert_uint_eq(need.task, msk_task[1].ms.id);  /* what, from whose kpager */
	ck_assert_uint_eq(need.kind, MS_NEED_PAGE);
	ck_assert_uint_eq(need.index, 0);
}
END_TEST

START_TEST(test_task_death)
{
	uint32_t phys, rights;

	msk_reset(false);
	chain();
	ck_assert(msk_export_page(3, 0));
	op(MSK_KILL, 2, 0, 0, 0, 0, false);
	ck_assert(!pte(4, 12)->present);
	ck_assert_ptr_null(part(1, 2, 2));
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	ck_assert(pte(1, 1)->present);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_task_death_with_its_page_absent)
{
	uint32_t phys, rights;

	msk_reset(false);
	chain();
	ck_assert(msk_export_page(2, 0));
	op(MSK_KILL, 2, 0, 0, 0, 0, false);
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	ck_assert_int_eq(resolve(4, 12, &phys, &rights), MS_NONE);
	msk_check_resolve_all();
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_map_parts_live_with_their_tasks,
		test_sigma0_first_part_needs_no_memory,
		test_page_below_the_last_reported_empty,
		test_lender_told_before_its_page_goes,
		test_unmap_reaches_every_translation,
		test_unmap_collects_access_bits,
		test_map_over_a_mapping_and_widen,
		test_grant_moves_the_place,
		test_grant_of_a_root_maps,
		test_cycles_refused,
		test_map_needs_a_resolved_source,
		test_task_death,
		test_task_death_with_its_page_absent,
		test_entries_fill_the_lowest_page_first,
		NULL
	};

	return unit_run("mapsplit", "operations", tests, NULL, NULL);
}
