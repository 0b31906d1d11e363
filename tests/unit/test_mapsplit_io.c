/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of kernel/mapsplit*.c over the fake tasks of
 * mapsplit_check.h: export and import of node pages and tables without
 * cascading, and revocation while parts are absent (an edge revoked
 * meanwhile stays revoked, a replayed page is stale).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mapsplit_unit.h"

/* ---- export and import: no cascade ---- */

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

/* Record 2:6 in task 2's node page 1, its part to 3:3 in page 0
 * (which 2:0 keeps from going back empty when 2:2 goes). */
static void part_apart(void)
{
	msk_reset(false);
	map(0, 0, 2, 0, MS_RIGHTS);
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

int main(void)
{
	const TTest *tests[] = {
		test_export_page_flushes_only_what_depends,
		test_export_sender_page_keeps_receivers,
		test_export_table,
		test_export_external_form_is_clean,
		test_export_sigma0_denied,
		test_unmap_with_receiver_absent,
		test_unmap_with_middle_absent,
		test_replayed_page_is_stale,
		test_export_part_apart_from_its_owner,
		test_revoked_while_part_absent_stays_revoked,
		test_revoked_while_part_absent_forged_epoch_refused,
		test_revoked_while_receiver_absent_replay_stays_revoked,
		test_revoked_edges_kept_then_floor,
		test_owner_absent_part_waits_as_orphan,
		NULL
	};

	return unit_run("mapsplit_io", "export and import", tests, NULL, NULL);
}
