/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of kernel/mapsplit*.c over the fake tasks of
 * mapsplit_check.h: each operation, export and import of node pages and
 * tables without cascading, revocation with parts absent, task death,
 * and one refusal per thing validation checks, with hand-made hostile
 * pages (forged frames, kernel pointers, other tasks' ids, stale
 * generations, cycles, duplicates, addresses outside the slot).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mapsplit_check.h"
#include <kernel/mapsplit_int.h>

void msk_fail(const char *msg)
{
	ck_abort_msg("%s", msg);
	abort();
}

#define F(p) (MSK_FRAME0 + (p) * PAGE_SIZE)

static void op(uint8_t kind, unsigned s1, unsigned p1, unsigned s2, unsigned p2, unsigned rights,
	       bool flush_self)
{
	msk_op_t o = { .kind = kind, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1, .s2 = (uint8_t)s2,
		       .p2 = (uint8_t)p2, .rights = (uint8_t)rights, .flush_self = flush_self };
	msk_apply(&o);
}

static void map(unsigned s1, unsigned p1, unsigned s2, unsigned p2, unsigned rights)
{
	op(MSK_MAP, s1, p1, s2, p2, rights, false);
}

static const msk_pte_t *pte(unsigned t, unsigned p)
{
	return &msk_task[t].pte[p];
}

static ms_ent_t *rec(unsigned t, unsigned p)
{
	return ms_lookup(msk_space(t), msk_va(p), NULL);
}

/* The part in task t for the edge to (ct, cva), found by scanning. */
static ms_ent_t *part(unsigned t, unsigned ct, unsigned cp)
{
	for (unsigned n = 0; n < MSK_MAXPAGES; n++)
		for (unsigned k = 1; msk_task[t].pg[n] && k < MS_ENTS; k++) {
			ms_ent_t *e = &msk_task[t].pg[n][k];

			if (e->kind == MS_PART && e->task == msk_task[ct].ms.id &&
			    e->pvaddr == msk_va(cp))
				return e;
		}
	return NULL;
}

static int resolve(unsigned t, unsigned p, uint32_t *phys, uint32_t *rights)
{
	return msk_resolve(t, p, phys, rights);
}

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
	for (unsigned k = 1; k < MS_ENTS; k++)
		ms_free(s, e[1][k]);
	ck_assert_uint_eq(msk_empty_calls, 2);       /* the one below it */
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

/* ---- export and import: no cascade ---- */

static void chain(void)
{
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, 6);
	map(2, 2, 3, 3, 4);
	map(2, 2, 4, 12, 6);
}

START_TEST(test_export_page_flushes_only_what_depends)
{
	uint32_t phys, rights;

	msk_reset(false);
	chain();
	map(0, 5, 2, 9, 1);                           /* another mapping of task 2 */
	ck_assert(msk_export_page(2, 0));
	ck_assert(pte(1, 1)->present);                /* above: untouched */
	ck_assert(!pte(2, 2)->present && !pte(3, 3)->present && !pte(4, 12)->present);
	ck_assert_ptr_nonnull(rec(3, 3));             /* no node below was destroyed */
	ck_assert_ptr_nonnull(rec(4, 12));
	ck_assert_ptr_nonnull(part(1, 2, 2));
	msk_check();
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_OK);  /* brings the page back */
	ck_assert_uint_eq(phys, F(1));
	ck_assert_uint_eq(rights, 4);
	ck_assert(pte(2, 2)->present);                /* the chain came back with it */
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_export_sender_page_keeps_receivers)
{
	uint32_t phys, rights;

	msk_reset(false);
	chain();
	/* Task 2's parts and records are in its page 0; task 3's record is
	 * in its own.  A part of task 1 goes: everything below flushes. */
	ck_assert(msk_export_page(1, 0));
	ck_assert(!pte(1, 1)->present && !pte(2, 2)->present && !pte(3, 3)->present);
	ck_assert_ptr_nonnull(rec(2, 2));
	ck_assert_int_eq(resolve(4, 12, &phys, &rights), MS_OK);
	ck_assert_uint_eq(rights, 6);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_export_table)
{
	msk_reset(false);
	chain();
	ck_assert(msk_export_table(2, 0));
	ck_assert(!pte(2, 2)->present && !pte(3, 3)->present);
	ck_assert(pte(1, 1)->present);
	msk_check();
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_export_external_form_is_clean)
{
	msk_reset(false);
	chain();
	ck_assert(msk_export_page(2, 0));
	const ms_ent_t *e = (const ms_ent_t *)msk_task[2].store[0];
	for (unsigned k = 1; k < MS_ENTS; k++) {
		ck_assert_uint_eq(e[k].flags, 0);
		if (e[k].kind == MS_PART) {
			/* Its seal in bytes 40-47, nothing else in-kernel. */
			ms_ent_t sealed = e[k];
			ms_part_seal(msk_space(2), &sealed);
			ck_assert_uint_eq(e[k].k.part.prev | e[k].k.part.next, 0);
			ck_assert_uint_eq(e[k].k.part.owner, sealed.k.part.owner);
			ck_assert_uint_eq(e[k].k.part.spare, sealed.k.part.spare);
		} else {
			ck_assert_uint_eq(e[k].k.rec.phys | e[k].k.rec.head | e[k].k.rec.hint |
					  e[k].k.rec.spare, 0);
		}
		if (e[k].kind == MS_FREE)
			continue;
		/* Only task 2's own addresses, its partners' ids and addresses. */
		ck_assert(e[k].vaddr == msk_va(2));
		ck_assert(e[k].task == msk_task[1].ms.id || e[k].task == msk_task[3].ms.id ||
			  e[k].task == msk_task[4].ms.id);
		ck_assert(e[k].vaddr != F(1) && e[k].pvaddr != F(1));
	}
	ck_assert_int_eq(ms_validate_page(msk_space(2), 0, msk_task[2].store[0]), MS_OK);
}
END_TEST

START_TEST(test_export_sigma0_denied)
{
	msk_reset(false);
	ck_assert_int_eq(ms_export_page(msk_space(0), 0), MS_DENIED);
	ck_assert_int_eq(ms_export_table(msk_space(0), 0), MS_DENIED);
	ck_assert_int_eq(ms_export_page(msk_space(1), 0), MS_DENIED);   /* has none */
}
END_TEST

/* ---- revocation with parts absent ---- */

START_TEST(test_unmap_with_receiver_absent)
{
	uint32_t phys, rights;

	msk_reset(false);
	chain();
	ck_assert(msk_export_page(3, 0));
	op(MSK_UNMAP, 2, 2, 0, 0, MS_RIGHTS, false);   /* takes 3:3 and 4:12 */
	ck_assert(!pte(4, 12)->present);
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);  /* stale: no partner */
	ck_assert_ptr_null(rec(3, 3));
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_unmap_with_middle_absent)
{
	uint32_t phys, rights;

	msk_reset(false);
	chain();
	ck_assert(msk_export_page(2, 0));
	op(MSK_UNMAP, 0, 1, 0, 0, MS_RIGHTS, false);   /* at the root: 1:1 goes */
	ck_assert(!pte(1, 1)->present);
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	ck_assert_int_eq(resolve(2, 2, &phys, &rights), MS_NONE);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_replayed_page_is_stale)
{
	uint32_t phys, rights;
	static uint8_t old[PAGE_SIZE];

	msk_reset(false);
	chain();
	ck_assert(msk_export_page(3, 0));
	memcpy(old, msk_task[3].store[0], PAGE_SIZE);
	msk_import_page(3, 0);
	op(MSK_UNMAP, 3, 3, 0, 0, MS_RIGHTS, true);    /* 3:3 goes ... */
	map(2, 2, 3, 3, 4);                            /* ... and comes again: new edge */
	ck_assert(msk_export_page(3, 0));
	memcpy(msk_task[3].store[0], old, PAGE_SIZE);  /* the kpager replays the old page */
	ck_assert_int_eq(msk_import_page(3, 0), MS_OK);
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	ck_assert_ptr_nonnull(part(2, 3, 3));          /* the new edge's part waits */
}
END_TEST

/* Record 2:6 in task 2's node page 1, its part to 3:3 in page 0. */
static void part_apart(void)
{
	msk_reset(false);
	map(0, 1, 2, 2, MS_RIGHTS);
	op(MSK_EXPORT_PAGE, 2, 0, 0, 0, 0, false);
	map(0, 5, 2, 6, MS_RIGHTS);                    /* page 0 is away: into page 1 */
	msk_import_all();
	op(MSK_UNMAP, 2, 2, 0, 0, MS_RIGHTS, true);    /* frees an entry of page 0 */
	map(2, 6, 3, 3, MS_RIGHTS);                    /* which is taken next */
	ck_assert_uint_eq(((ms_hdr_t *)ms_hdr_of(rec(2, 6)))->page, 1);
	ck_assert_uint_eq(((ms_hdr_t *)ms_hdr_of(part(2, 3, 3)))->page, 0);
}

START_TEST(test_export_part_apart_from_its_owner)
{
	msk_reset(false);
	part_apart();
	op(MSK_EXPORT_PAGE, 2, 0, 0, 0, 0, false);     /* the live part goes */
	ck_assert(pte(2, 6)->present);
	ck_assert(!pte(3, 3)->present);
	msk_check_resolve_all();
}
END_TEST

START_TEST(test_revoked_while_part_absent_stays_revoked)
{
	uint32_t phys, rights;

	part_apart();
	op(MSK_EXPORT_PAGE, 2, 0, 0, 0, 0, false);
	/* Everything below 2:6 is revoked while its part is away: 2:6 takes
	 * a new epoch, so the part is stale when page 0 comes back. */
	ms_need_t need;
	ck_assert_int_eq(ms_unmap(msk_space(2), msk_va(6), MS_RIGHTS, false, &(uint32_t){0}, &need),
			 MS_OK);
	ck_assert(pte(2, 6)->present);
	msk_import_page(2, 0);
	ck_assert_ptr_null(part(2, 3, 3));
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	msk_selfcheck();
}
END_TEST

/*
 * The same, but task 2's kpager then writes 2:6's new epoch (which it
 * reads in 2:6's exported record) into the stale part before it gives
 * page 0 back: the part's seal (bytes 40-47 of its external form) no
 * longer matches, the page is refused (an empty one in its place), and
 * 3:3 stays revoked.  Before the seal the part attached and 3:3 resolved
 * again (docs/mapdb-split.md, "A part remade under its owner's new
 * epoch").
 */
START_TEST(test_revoked_while_part_absent_forged_epoch_refused)
{
	uint32_t phys, rights;
	ms_need_t need;

	part_apart();
	op(MSK_EXPORT_PAGE, 2, 0, 0, 0, 0, false);
	ck_assert_int_eq(ms_unmap(msk_space(2), msk_va(6), MS_RIGHTS, false, &(uint32_t){0}, &need),
			 MS_OK);
	ck_assert(msk_export_page(2, 1));              /* 2:6's record: its epoch read */
	uint64_t epoch = 0;
	ms_ent_t *e1 = (ms_ent_t *)msk_task[2].store[1];
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e1[k].kind == MS_REC && e1[k].vaddr == msk_va(6))
			epoch = e1[k].egen;
	ck_assert_uint_ne(epoch, 0);
	ms_ent_t *e0 = (ms_ent_t *)msk_task[2].store[0];
	unsigned forged = 0;
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e0[k].kind == MS_PART && e0[k].task == msk_task[3].ms.id &&
		    e0[k].pvaddr == msk_va(3)) {
			ck_assert_uint_ne(e0[k].egen, epoch);
			e0[k].egen = epoch;
			forged++;
		}
	ck_assert_uint_eq(forged, 1);
	msk_import_page(2, 1);
	msk_hostile = true;                            /* a refusal is allowed */
	ck_assert_int_eq(msk_import_page(2, 0), MS_REFUSED);
	msk_hostile = false;
	ck_assert_ptr_null(part(2, 3, 3));
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	msk_selfcheck();
}
END_TEST

/*
 * The replay limit, closed: 2:2's edge to 3:3 is revoked while 3:3's
 * record is away, so only its sender part goes.  Task 2's kpager then
 * gives back an older copy of task 2's page, holding that part and its
 * owner as they were (one epoch).  The part's generation is below task
 * 2's resident floor, which the revocation raised: it goes at import,
 * and 3:3 does not come back.  Parts above the floor still attach.
 */
START_TEST(test_revoked_while_receiver_absent_replay_stays_revoked)
{
	uint32_t phys, rights;
	static uint8_t old[PAGE_SIZE];

	msk_reset(false);
	chain();
	ck_assert(msk_export_page(2, 0));
	memcpy(old, msk_task[2].store[0], PAGE_SIZE);   /* 2:2 with its parts */
	msk_import_page(2, 0);
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_OK);
	ck_assert(msk_export_page(3, 0));                /* 3:3's record away */
	/* 2 revokes what it gave (the model's unmap would bring 3's page
	 * back first). */
	ms_need_t need;
	ck_assert_int_eq(ms_unmap(msk_space(2), msk_va(2), MS_RIGHTS, false, &(uint32_t){0}, &need),
			 MS_OK);
	ck_assert_ptr_null(part(2, 3, 3));
	ck_assert(!pte(4, 12)->present);
	ck_assert(msk_export_page(2, 0));
	memcpy(msk_task[2].store[0], old, PAGE_SIZE);   /* its kpager replays */
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_ptr_null(part(2, 3, 3));
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	ck_assert(!pte(3, 3)->present);
	/* A new edge from 2:2 is above the floor: it holds, and its part
	 * attaches again after a take-back. */
	map(2, 2, 3, 7, 4);
	ck_assert(msk_export_page(2, 0));
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	ck_assert_int_eq(resolve(3, 7, &phys, &rights), MS_OK);
	ck_assert_uint_eq(phys, F(1));
	msk_selfcheck();
}
END_TEST

static uint32_t page_of(const ms_ent_t *e)
{
	return ((const ms_hdr_t *)ms_hdr_of(e))->page;
}

/*
 * Task 2 keeps MS_DEAD such edges resident; one more while those are
 * still needed (their receivers' records away) raises its floor past
 * all of them instead.  A kept edge is let go once its receiver's record
 * is back and found dead, so that the next one is kept, not floored.
 */
START_TEST(test_revoked_edges_kept_then_floor)
{
	uint32_t phys, rights;
	ms_need_t need;

	msk_reset(false);
	map(0, 1, 2, 2, MS_RIGHTS);
	map(2, 2, 3, 3, 4);
	map(2, 2, 3, 4, 4);
	uint64_t g3 = rec(3, 3)->gen, g4 = rec(3, 4)->gen;
	ms_space_t *s2 = msk_space(2);
	ck_assert(msk_export_page(3, 0));
	ck_assert_int_eq(ms_unmap(s2, msk_va(2), MS_RIGHTS, false, &(uint32_t){0}, &need), MS_OK);
	ck_assert_uint_eq(s2->floor, 0);
	ck_assert(s2->dead[0].gen == (uint32_t)g3 || s2->dead[1].gen == (uint32_t)g3);
	ck_assert(s2->dead[0].gen == (uint32_t)g4 || s2->dead[1].gen == (uint32_t)g4);
	/* 3:3 back and found dead: its kept edge may go. */
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_NONE);
	map(2, 2, 3, 5, 4);
	uint64_t g5 = rec(3, 5)->gen;
	ck_assert(msk_export_page(3, page_of(rec(3, 5))));
	ck_assert_int_eq(ms_unmap(s2, msk_va(2), MS_RIGHTS, false, &(uint32_t){0}, &need), MS_OK);
	ck_assert_uint_eq(s2->floor, 0);
	ck_assert(s2->dead[0].gen == (uint32_t)g5 || s2->dead[1].gen == (uint32_t)g5);
	/* With both kept edges still needed, a third raises the floor. */
	map(2, 2, 3, 6, 4);
	uint64_t g6 = rec(3, 6)->gen;
	ck_assert(msk_export_page(3, page_of(rec(3, 6))));
	uint64_t next = ms_gen_next;
	ck_assert_int_eq(ms_unmap(s2, msk_va(2), MS_RIGHTS, false, &(uint32_t){0}, &need), MS_OK);
	ck_assert_uint_gt(s2->floor, g6);
	ck_assert_uint_ge(s2->floor, next);
	ck_assert_uint_le(s2->floor, ms_gen_next);
	ck_assert_uint_eq(s2->dead[0].gen, 0);
	ck_assert_uint_eq(s2->dead[1].gen, 0);
	ck_assert_int_eq(resolve(3, 4, &phys, &rights), MS_NONE);
	ck_assert_int_eq(resolve(3, 5, &phys, &rights), MS_NONE);
	ck_assert_int_eq(resolve(3, 6, &phys, &rights), MS_NONE);
	msk_selfcheck();
}
END_TEST

START_TEST(test_owner_absent_part_waits_as_orphan)
{
	uint32_t phys, rights;

	part_apart();
	op(MSK_EXPORT_PAGE, 2, 1, 0, 0, 0, false);     /* the owner goes, the part stays */
	ck_assert(!pte(3, 3)->present);
	ck_assert_uint_eq(msk_task[2].ms.orphans, ms_ref_of(part(2, 3, 3)));
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_OK);   /* brings page 1 back */
	ck_assert_uint_eq(msk_task[2].ms.orphans, 0);
	ck_assert_uint_eq(phys, F(5));
	msk_check_resolve_all();
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

/* ---- import refusals, each thing validation checks ---- */

static uint8_t page[PAGE_SIZE];

/* A real external page of task 2: records and parts in it. */
static ms_ent_t *good_page(void)
{
	msk_reset(false);
	chain();
	map(0, 6, 2, 10, 4);
	ck_assert(msk_export_page(2, 0));
	memcpy(page, msk_task[2].store[0], PAGE_SIZE);
	ck_assert_int_eq(ms_validate_page(msk_space(2), 0, page), MS_OK);
	return (ms_ent_t *)page;
}

/* Seal every part of page e again, as the kernel would: a kpager that
 * could (it cannot: the key is the kernel's) still gains nothing. */
static void reseal(ms_ent_t *e)
{
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind == MS_PART)
			ms_part_seal(msk_space(2), &e[k]);
}

static unsigned find_kind(const ms_ent_t *e, uint8_t kind, unsigned nth)
{
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind == kind && nth-- == 0)
			return k;
	ck_abort_msg("no entry of kind %u", kind);
	return 0;
}

#define REFUSED() ck_assert_int_eq(ms_validate_page(msk_space(2), 0, page), MS_REFUSED)

START_TEST(test_refuse_header)
{
	ms_hdr_t *h = (ms_hdr_t *)good_page();

	h->magic ^= 1;
	REFUSED();
	good_page();
	h->page = 1;                                   /* another page's */
	REFUSED();
	good_page();
	h->task = msk_task[3].ms.id;                   /* another task's page */
	REFUSED();
	good_page();
	h->ent_size = 32;
	REFUSED();
	good_page();
	h->zero[2] = 1;
	REFUSED();
	good_page();
	page[PAGE_SIZE - 1] = 1;                       /* the tail */
	REFUSED();
	good_page();
	((ms_ent_t *)page)[0].k.hdr.nfree = 3;         /* in-kernel header bytes */
	REFUSED();
}
END_TEST

START_TEST(test_refuse_kernel_bytes_and_flags)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0);

	e[r].k.rec.phys = 0xC0100000u;                 /* a kernel pointer */
	REFUSED();
	e = good_page();
	e[r].k.rec.hint = MS_REF(0, 3);
	REFUSED();
	e = good_page();
	e[r].flags = MS_F_RESOLVED;                    /* forged in-kernel state */
	REFUSED();
	e = good_page();
	e[r].flags = MS_F_ROOT;                        /* forged root */
	REFUSED();
	e = good_page();
	e[r].attr = 0x80;                              /* byte 3: no such bit */
	REFUSED();
	e = good_page();
	e[find_kind(e, MS_PART, 0)].attr = 1;          /* a part's byte 3 is 0 */
	REFUSED();
	e = good_page();
	e[find_kind(e, MS_FREE, 0)].vaddr = 5;         /* junk in a free entry */
	REFUSED();
	e = good_page();
	e[r].kind = 9;
	REFUSED();
}
END_TEST

START_TEST(test_refuse_rights_addresses_generations)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0), p = find_kind(e, MS_PART, 0);

	e[r].rights = 0x0F;
	REFUSED();
	e = good_page();
	e[p].rights = 0;
	REFUSED();
	e = good_page();
	e[r].vaddr = msk_va(2) + 4;                    /* unaligned */
	REFUSED();
	e = good_page();
	e[r].vaddr = 0xC0001000u;                      /* outside the task's window */
	REFUSED();
	e = good_page();
	e[p].vaddr = 5u << 22 | PAGE_SIZE;             /* in no slot of the task */
	REFUSED();
	e = good_page();
	e[p].pvaddr = msk_va(3) + 1;
	REFUSED();
	e = good_page();
	e[r].gen = ms_gen_next;                        /* from the future */
	REFUSED();
	e = good_page();
	e[p].egen = 0;
	REFUSED();
	e = good_page();
	e[r].task = 0;                                 /* no partner */
	REFUSED();
	e = good_page();
	e[r].task = msk_task[2].ms.id;                 /* its own parent */
	e[r].pvaddr = e[r].vaddr;
	REFUSED();
}
END_TEST

START_TEST(test_refuse_duplicates)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0), p = find_kind(e, MS_PART, 0);
	unsigned f = find_kind(e, MS_FREE, 0);

	e[f] = e[r];                                   /* one address's record twice */
	e[f].gen = 1;
	REFUSED();
	e = good_page();
	e[f] = e[p];                                   /* one edge's part twice */
	REFUSED();
	e = good_page();
	e[f] = e[p];                                   /* an older edge to that page: */
	e[f].gen = 1;                                  /* can be (its part waits to go) */
	REFUSED();                                     /* but not with the old seal */
	reseal(e);
	ck_assert_int_eq(ms_validate_page(msk_space(2), 0, page), MS_OK);
}
END_TEST

START_TEST(test_refuse_table)
{
	static uint32_t t[MS_NT_ENTS];

	msk_reset(false);
	chain();
	ck_assert(msk_export_table(2, 0));
	memcpy(t, msk_task[2].nt_store[0], sizeof(t));
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_OK);
	t[2] = MS_REF(7, 1);                           /* a page the task has not */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
	t[2] = MS_REF(0, 0);
	t[3] = MS_REF(0, MS_ENTS);                     /* an entry past the page */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
	t[3] = 0;
	t[100] = MS_REF(0, 1);                         /* an address outside the window */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
	t[100] = 0;
	t[5] = 0xC0100000u;                            /* a kernel pointer */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
}
END_TEST

/* ---- accepted hostile pages give nothing beyond the chain ---- */

/* Import page 0 of task 2 as `page` says, then resolve t:p. */
static int import_and_resolve(unsigned t, unsigned p, uint32_t *phys, uint32_t *rights)
{
	memcpy(msk_task[2].store[0], page, PAGE_SIZE);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	msk_check();
	return resolve(t, p, phys, rights);
}

START_TEST(test_forged_rights_narrowed_by_the_chain)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();

	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind != MS_FREE)
			e[k].rights = MS_RIGHTS;               /* every right everywhere */
	REFUSED();                                     /* a part no longer sealed */
	reseal(e);
	ck_assert_int_eq(import_and_resolve(2, 2, &phys, &rights), MS_OK);
	ck_assert_uint_eq(rights, 6);                  /* what task 1's part gives */
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_OK);
	ck_assert_uint_eq(rights, 4);                  /* task 3's own part says R */
	ck_assert_uint_eq(phys, F(1));
}
END_TEST

START_TEST(test_forged_frame_and_parent)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0);

	/* "My page came from sigma0's page 9" (its frame F(9)): sigma0 never
	 * mapped it so, so there is no partner part. */
	e[r].task = msk_task[0].ms.id;
	e[r].pvaddr = msk_va(9);
	ck_assert_int_eq(import_and_resolve(2, e[r].vaddr == msk_va(2) ? 2 : 10, &phys, &rights),
			 MS_NONE);
	ck_assert(!pte(2, 2)->present || pte(2, 2)->phys != F(9));
	ck_assert(!pte(2, 10)->present || pte(2, 10)->phys != F(9));
}
END_TEST

START_TEST(test_forged_lender_not_told)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0), p = e[r].vaddr == msk_va(2) ? 2 : 10;
	ms_need_t need;

	/* Task 2's record claims to sit below sigma0's root of frame 9 (a
	 * frame another task may have lent the kernel): unmapping it must
	 * not make the kernel give that frame back. */
	e[r].task = msk_task[0].ms.id;
	e[r].pvaddr = msk_va(9);
	e[r].gen = 1000 < ms_gen_next ? 1000 : ms_gen_next - 1;
	memcpy(msk_task[2].store[0], page, PAGE_SIZE);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	msk_nrevoked = 0;
	ck_assert_int_eq(ms_unmap(msk_space(2), msk_va(p), MS_RIGHTS, true, &(uint32_t){0}, &need),
			 MS_OK);
	ck_assert_uint_eq(msk_nrevoked, 0);
}
END_TEST

START_TEST(test_forged_other_task_and_stale_generation)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0);
	unsigned p = e[r].vaddr == msk_va(2) ? 2 : 10;

	e[r].task = msk_task[4].ms.id;                 /* another task, same address */
	ck_assert_int_eq(import_and_resolve(2, p, &phys, &rights), MS_NONE);
	e = good_page();
	e[r].gen -= 1;                                 /* an older generation */
	ck_assert_int_eq(import_and_resolve(2, p, &phys, &rights), MS_NONE);
}
END_TEST

START_TEST(test_forged_part_to_another_task)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned p = find_kind(e, MS_PART, 0), f = find_kind(e, MS_FREE, 0);

	/* A part that says task 2 mapped page 2 to task 1's page 1 (which
	 * came from sigma0): task 1 does not take it. */
	e[f] = e[p];
	e[f].task = msk_task[1].ms.id;
	e[f].pvaddr = msk_va(1);
	e[f].gen = rec(1, 1)->gen;
	REFUSED();
	reseal(e);
	ck_assert_int_eq(import_and_resolve(1, 1, &phys, &rights), MS_OK);
	ck_assert_uint_eq(phys, F(1));
	ck_assert_uint_eq(rec(1, 1)->task, msk_task[0].ms.id);
}
END_TEST

START_TEST(test_forged_cycle)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned a = find_kind(e, MS_FREE, 0), b = find_kind(e, MS_FREE, 1);
	unsigned pa = find_kind(e, MS_FREE, 2), pb = find_kind(e, MS_FREE, 3);
	uint32_t id = msk_task[2].ms.id;

	/* Pages 5 and 6 of task 2 each derived from the other, with both
	 * parts: only generations that grow downwards count, so no walk
	 * can go round. */
	e[a] = (ms_ent_t){ .kind = MS_REC, .rights = 7, .vaddr = msk_va(5), .task = id,
			   .pvaddr = msk_va(6), .gen = 3, .egen = 3 };
	e[b] = (ms_ent_t){ .kind = MS_REC, .rights = 7, .vaddr = msk_va(6), .task = id,
			   .pvaddr = msk_va(5), .gen = 4, .egen = 4 };
	e[pa] = (ms_ent_t){ .kind = MS_PART, .rights = 7, .vaddr = msk_va(6), .task = id,
			    .pvaddr = msk_va(5), .gen = 3, .egen = 4 };
	e[pb] = (ms_ent_t){ .kind = MS_PART, .rights = 7, .vaddr = msk_va(5), .task = id,
			    .pvaddr = msk_va(6), .gen = 4, .egen = 3 };
	/* The table must name them: write it as the task's kpager would. */
	msk_task[2].nt[0][(msk_va(5) >> PAGE_SHIFT) & 1023] = MS_REF(0, a);
	msk_task[2].nt[0][(msk_va(6) >> PAGE_SHIFT) & 1023] = MS_REF(0, b);
	REFUSED();                                     /* parts the kernel never sealed */
	reseal(e);                                     /* as if the kpager could */
	ck_assert_int_eq(import_and_resolve(2, 5, &phys, &rights), MS_NONE);
	ck_assert_int_eq(resolve(2, 6, &phys, &rights), MS_NONE);
	op(MSK_UNMAP, 2, 5, 0, 0, MS_RIGHTS, true);
	msk_check_resolve_all();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mapsplit");
	TCase *ops = tcase_create("operations");
	TCase *io = tcase_create("export and import");
	TCase *bad = tcase_create("hostile pages");

	tcase_add_test(ops, test_map_parts_live_with_their_tasks);
	tcase_add_test(ops, test_sigma0_first_part_needs_no_memory);
	tcase_add_test(ops, test_page_below_the_last_reported_empty);
	tcase_add_test(ops, test_lender_told_before_its_page_goes);
	tcase_add_test(ops, test_unmap_reaches_every_translation);
	tcase_add_test(ops, test_unmap_collects_access_bits);
	tcase_add_test(ops, test_map_over_a_mapping_and_widen);
	tcase_add_test(ops, test_grant_moves_the_place);
	tcase_add_test(ops, test_grant_of_a_root_maps);
	tcase_add_test(ops, test_cycles_refused);
	tcase_add_test(ops, test_map_needs_a_resolved_source);
	tcase_add_test(ops, test_task_death);
	tcase_add_test(ops, test_task_death_with_its_page_absent);
	tcase_add_test(ops, test_entries_fill_the_lowest_page_first);
	tcase_add_test(io, test_export_page_flushes_only_what_depends);
	tcase_add_test(io, test_export_sender_page_keeps_receivers);
	tcase_add_test(io, test_export_table);
	tcase_add_test(io, test_export_external_form_is_clean);
	tcase_add_test(io, test_export_sigma0_denied);
	tcase_add_test(io, test_unmap_with_receiver_absent);
	tcase_add_test(io, test_unmap_with_middle_absent);
	tcase_add_test(io, test_replayed_page_is_stale);
	tcase_add_test(io, test_export_part_apart_from_its_owner);
	tcase_add_test(io, test_revoked_while_part_absent_stays_revoked);
	tcase_add_test(io, test_revoked_while_part_absent_forged_epoch_refused);
	tcase_add_test(io, test_revoked_while_receiver_absent_replay_stays_revoked);
	tcase_add_test(io, test_revoked_edges_kept_then_floor);
	tcase_add_test(io, test_owner_absent_part_waits_as_orphan);
	tcase_add_test(bad, test_refuse_header);
	tcase_add_test(bad, test_refuse_kernel_bytes_and_flags);
	tcase_add_test(bad, test_refuse_rights_addresses_generations);
	tcase_add_test(bad, test_refuse_duplicates);
	tcase_add_test(bad, test_refuse_table);
	tcase_add_test(bad, test_forged_rights_narrowed_by_the_chain);
	tcase_add_test(bad, test_forged_frame_and_parent);
	tcase_add_test(bad, test_forged_other_task_and_stale_generation);
	tcase_add_test(bad, test_forged_lender_not_told);
	tcase_add_test(bad, test_forged_part_to_another_task);
	tcase_add_test(bad, test_forged_cycle);
	suite_add_tcase(s, ops);
	suite_add_tcase(s, io);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
