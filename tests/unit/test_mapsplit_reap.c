/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Task death in steps (kernel/mapsplit_reap.c) over the fake tasks of
 * mapsplit_check.h: a task holding records with subtrees two tasks deep,
 * a record it mapped to itself, parts apart from their owners (its node
 * table taken back) and a record from a partner is deleted with a stop at
 * every preemption point, and ends in exactly the database an unstopped
 * deletion leaves: the same translations, records and free entries in
 * every other task, and the model's (msk_apply checks it).  The same
 * with the removal walk's kept place voided at every stop, and with the
 * dying task's node page and table taken back and given back at every
 * stop (each entry at a new address: a pointer kept across a stop is
 * caught by ASan).  The random test's stopping profiles
 * (test_mapsplit_random.c) kill tasks in steps too, at random stops.
 */
#include <check.h>
#include <string.h>
#include "mapsplit_check.h"
#include "unit_runner.h"
#include <kernel/mapsplit_int.h>

#define DYING 2

static void op(uint8_t kind, unsigned s1, unsigned p1, unsigned s2, unsigned p2)
{
	msk_op_t o = { .kind = kind, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1, .s2 = (uint8_t)s2,
		       .p2 = (uint8_t)p2, .rights = MS_RIGHTS };

	msk_apply(&o);
}

/* The scene: task 2 holds sigma0's pages 0-11; 0-5 go on to task 3 and
 * from there to task 4, 6-9 to task 1; it has task 1's page 8 at 12 and
 * maps its page 10 to itself at 13, and that on to task 4.  Then its
 * first node-table slot is taken back (records 0-7 cannot be found: their
 * parts in other pages are orphans after its node page comes back). */
static void scene(bool absent)
{
	msk_reset(false);
	for (unsigned p = 0; p < 12; p++)
		op(MSK_MAP, 0, p, DYING, p);
	for (unsigned p = 0; p < 6; p++) {
		op(MSK_MAP, DYING, p, 3, p);
		op(MSK_MAP, 3, p, 4, p);
	}
	for (unsigned p = 6; p < 10; p++)
		op(MSK_MAP, DYING, p, 1, p - 6);
	op(MSK_MAP, 0, 8, 1, 8);
	op(MSK_MAP, 1, 8, DYING, 12);
	op(MSK_MAP, DYING, 10, DYING, 13);
	op(MSK_MAP, DYING, 13, 4, 10);
	ck_assert(msk_task[4].pte[10].present);
	if (!absent)
		return;
	ck_assert(msk_export_table(DYING, 0));
	ck_assert(msk_export_page(DYING, 0));
	ck_assert_int_eq(msk_import_page(DYING, 0), MS_OK);
	ck_assert_uint_ne(msk_task[DYING].ms.orphans, 0);
}

/* What every task but the dying one holds. */
typedef struct snap {
	msk_pte_t pte[MSK_NTASKS][MSK_NPAGES];
	bool rec[MSK_NTASKS][MSK_NPAGES];
	uint8_t rights[MSK_NTASKS][MSK_NPAGES], flags[MSK_NTASKS][MSK_NPAGES];
	uint32_t nfree[MSK_NTASKS];
} snap_t;

static void take(snap_t *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned t = 0; t < MSK_NTASKS; t++) {
		if (t == DYING)
			continue;
		s->nfree[t] = msk_task[t].ms.nfree;
		for (unsigned p = 0; p < MSK_NPAGES; p++) {
			ms_ent_t *r = ms_lookup(msk_space(t), msk_va(p), NULL);

			s->pte[t][p] = msk_task[t].pte[p];
			s->rec[t][p] = r != NULL;
			s->rights[t][p] = r ? r->rights : 0;
			s->flags[t][p] = r ? r->flags : 0;
		}
	}
}

static void same(const snap_t *a, const snap_t *b, bool free_too)
{
	for (unsigned t = 0; t < MSK_NTASKS; t++) {
		if (free_too)
			ck_assert_uint_eq(a->nfree[t], b->nfree[t]);
		for (unsigned p = 0; p < MSK_NPAGES; p++) {
			ck_assert_int_eq(a->pte[t][p].present, b->pte[t][p].present);
			ck_assert_uint_eq(a->pte[t][p].phys, b->pte[t][p].phys);
			ck_assert_uint_eq(a->pte[t][p].rights, b->pte[t][p].rights);
			ck_assert_int_eq(a->rec[t][p], b->rec[t][p]);
			ck_assert_uint_eq(a->rights[t][p], b->rights[t][p]);
			ck_assert_uint_eq(a->flags[t][p], b->flags[t][p]);
		}
	}
}

/* The dying task's death, unstopped (the reference), or with a stop at
 * every point and f between the steps; the number of stops. */
static unsigned used;               /* entries the dying task held */

static unsigned long die(snap_t *out, bool absent, void (*f)(void))
{
	unsigned long stops = msk_stops;

	scene(absent);
	used = 0;
	for (uint32_t n = 0; n < msk_task[DYING].ms.pages; n++)
		for (unsigned k = 1; msk_task[DYING].pg[n] && k < MS_ENTS; k++)
			used += msk_task[DYING].pg[n][k].kind != 0;
	msk_stop_pct = f ? 100 : 0;
	msk_on_stop = f;
	op(MSK_KILL, DYING, 0, 0, 0);       /* msk_apply checks the model */
	msk_stop_pct = 0;
	msk_on_stop = NULL;
	msk_selfcheck();
	take(out);
	/* What the dead task held is gone; what others hold of their own
	 * stays: task 1's page 8 (mapped to it) and sigma0's roots. */
	for (unsigned p = 0; p < 6; p++) {
		ck_assert(!out->rec[3][p] && !out->rec[4][p]);
		ck_assert(!out->pte[3][p].present && !out->pte[4][p].present);
	}
	for (unsigned p = 0; p < 4; p++)
		ck_assert(!out->rec[1][p]);
	ck_assert(!out->rec[4][10] && !out->pte[4][10].present);
	ck_assert(out->rec[1][8] && out->pte[1][8].present);
	for (unsigned p = 0; p < MSK_NPAGES; p++)
		ck_assert(out->rec[0][p]);
	return msk_stops - stops;
}

static void nothing(void)
{
}

/* Another operation changed the database: every kept place is void. */
static void void_place(void)
{
	ms_changes++;
}

/* A kpager takes the dying task's node page 0 and its table slot 1 back
 * and gives them back at once. */
static void dying_round_trip(void)
{
	if (msk_export_page(DYING, 0))
		ck_assert_int_eq(msk_import_page(DYING, 0), MS_OK);
	if (msk_export_table(DYING, 1))
		ck_assert_int_eq(msk_import_table(DYING, 1), MS_OK);
}

static void stops_and_ends(bool absent)
{
	snap_t ref, got;

	ck_assert_uint_eq(die(&ref, absent, NULL), 0);
	ck_assert_uint_ge(used, 20);
	/* A stop after every entry removed, at least. */
	ck_assert_uint_ge(die(&got, absent, nothing), used);
	same(&ref, &got, true);
	ck_assert_uint_ge(die(&got, absent, void_place), used);
	same(&ref, &got, true);
}

START_TEST(test_death_stops_and_ends)
{
	stops_and_ends(false);
}
END_TEST

START_TEST(test_death_with_orphans_stops_and_ends)
{
	stops_and_ends(true);
}
END_TEST

/* The dying task's pages move at every stop: translations the exports
 * flushed are the dead task's subtrees' only, so the end is the same but
 * for the free entries' count (a page that comes back is counted anew). */
START_TEST(test_death_with_pages_moving)
{
	snap_t ref, got;

	die(&ref, true, NULL);
	die(&got, true, dying_round_trip);
	same(&ref, &got, false);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_death_stops_and_ends,
		test_death_with_orphans_stops_and_ends,
		test_death_with_pages_moving,
		NULL
	};

	return unit_run("mapsplit_reap", "core", tests, NULL, NULL);
}
