/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Model-based random test for kernel/mapsplit*.c: fixed seeds drive map,
 * grant, unmap, export and import of node pages and tables, resolves,
 * task deaths and (hostile profiles) kpager edits over the fake tasks of
 * mapsplit_check.h.  After every operation the harness checks the
 * database's invariants and every translation against the model; every
 * few operations, and at the end, it resolves every page and requires
 * exactly the model's mappings (honest profiles).  The stopping profiles
 * drive every map and unmap in steps, stopping at random preemption
 * points, and between the steps do what other threads and kpagers may
 * do meanwhile (meanwhile()); the end result must still be the model's,
 * which is that of unstopped walks.  A failure names the seed and the
 * operation; MSK_TRACE=1 prints every operation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include "mapsplit_check.h"
#include "unit_runner.h"
#include <kernel/mapsplit_int.h>

typedef struct profile {
	bool hostile;
	unsigned ops;
	unsigned export_pct;       /* share of exports: many keep much absent */
	unsigned resolve_all_every;
	unsigned stop_pct;         /* chance that a preemption point stops */
} profile_t;

static uint32_t rng, seed_now;

void msk_fail(const char *msg)
{
	ck_abort_msg("seed %#x: %s", seed_now, msg);
	abort();
}

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static unsigned below(unsigned n)
{
	return rnd() % n;
}

static msk_op_t random_op(const profile_t *pr)
{
	msk_op_t op = { 0 };
	unsigned k = below(100), e = pr->export_pct;

	op.kind = k < 30 ? MSK_MAP : k < 37 ? MSK_GRANT : k < 50 ? MSK_UNMAP :
		  k < 50 + e ? MSK_EXPORT_PAGE : k < 55 + e ? MSK_EXPORT_TABLE :
		  k < 60 + e ? MSK_IMPORT : k < 68 + e ? MSK_RESOLVE :
		  k < 70 + e ? MSK_KILL : pr->hostile ? MSK_EDIT : MSK_RESOLVE;
	/* Sources mostly from sigma0 or a task near the front: chains grow. */
	op.s1 = (uint8_t)(below(3) == 0 ? 0 : below(MSK_NTASKS));
	op.p1 = (uint8_t)below(MSK_NPAGES);
	op.s2 = (uint8_t)(below(16) ? 1 + below(MSK_NTASKS - 1) : 0);   /* now and then sigma0 */
	op.p2 = (uint8_t)below(MSK_NPAGES);
	op.rights = (uint8_t)(below(3) ? 1 + below(7) : MS_RIGHTS);
	op.flush_self = below(2);
	if (op.kind == MSK_KILL && below(4))
		op.kind = MSK_RESOLVE;             /* deaths are rare */
	for (unsigned i = 0; i < sizeof(op.edit); i++)
		op.edit[i] = (uint8_t)rnd();
	return op;
}

/*
 * Between two steps of a stopped map or unmap, what other threads and
 * kpagers may do meanwhile, none of it changing what the model holds:
 * a node page or table taken back and given back at once (every entry
 * in it at a new address: a kept place that names one by pointer is
 * caught by ASan), a resolve (it writes its ways down into records), a
 * page mapped from sigma0 to an empty place and unmapped again (entries
 * made and freed: those the stopped walk freed come back as others;
 * never in a task being deleted, which takes no map).
 */
static void meanwhile(void)
{
	unsigned ti = 1 + below(MSK_NTASKS - 1), p = below(MSK_NPAGES);
	uint32_t n = below(MSK_MAXPAGES), slot = below(MSK_NSLOTS), phys, rights;
	ms_ent_t *r;
	ms_need_t need;
	int err;

	switch (below(8)) {
	case 0:
		if (msk_export_page(ti, n))
			msk_import_page(ti, n);
		break;
	case 1:
		if (msk_export_table(ti, slot))
			msk_import_table(ti, slot);
		break;
	case 2:
		(void)msk_resolve(ti, p, &phys, &rights);
		break;
	case 3:
		if ((int)ti == msk_dying || msk_mapped(ti, p) || ms_find(msk_space(ti), msk_va(p), &r, &need) != MS_NONE)
			break;
		while ((err = ms_map(msk_space(0), msk_va(below(MSK_NPAGES)), msk_space(ti),
				     msk_va(p), MS_RIGHTS, false, &need)) == MS_NEED || err == MS_NOMEM)
			if (!msk_supply(&need))
				break;
		while (ms_unmap(msk_space(ti), msk_va(p), MS_RIGHTS, true, &(uint32_t){ 0 },
				&need) == MS_NEED)
			if (!msk_supply(&need))
				break;
		break;
	default:                       /* mostly nothing: the place holds */
		break;
	}
}

static void run(const profile_t *pr, uint32_t seed)
{
	bool trace = getenv("MSK_TRACE") != NULL;
	char buf[160];

	seed_now = seed;
	rng = seed ? seed : 1;
	msk_stop_pct = pr->stop_pct;
	msk_stop_seed(seed ^ 0x5bd1e995u);
	msk_on_stop = pr->stop_pct ? meanwhile : NULL;
	msk_reset(pr->hostile);
	for (unsigned i = 0; i < pr->ops; i++) {
		msk_op_t op = random_op(pr);

		if (trace) {
			msk_describe(&op, buf, sizeof(buf));
			fprintf(stderr, "%u: %s\n", i + 1, buf);
		}
		msk_apply(&op);
		if (pr->resolve_all_every && i % pr->resolve_all_every == 0)
			msk_check_resolve_all();
	}
	msk_check_resolve_all();
	msk_import_all();
	msk_check_resolve_all();
	msk_stop_pct = 0;
	msk_on_stop = NULL;
}

static const profile_t honest = { false, 4000, 15, 16, 0 };
static const profile_t honest_absent = { false, 4000, 35, 64, 0 };
static const profile_t hostile = { true, 4000, 15, 32, 0 };
/* Every map and unmap stopped at random points, often (a third of the
 * points) or now and then. */
static const profile_t honest_stopping = { false, 4000, 15, 16, 33 };
static const profile_t absent_stopping = { false, 4000, 35, 64, 5 };
static const profile_t hostile_stopping = { true, 4000, 15, 32, 20 };

START_TEST(test_honest)
{
	for (uint32_t seed = 1; seed <= 40; seed++)
		run(&honest, seed * 0x9E3779B9u);
}
END_TEST

START_TEST(test_honest_much_absent)
{
	for (uint32_t seed = 1; seed <= 40; seed++)
		run(&honest_absent, seed * 0x85EBCA6Bu);
}
END_TEST

START_TEST(test_hostile)
{
	msk_edits_accepted = msk_edits_refused = msk_unbacked = 0;
	for (uint32_t seed = 1; seed <= 64; seed++)
		run(&hostile, seed * 0xC2B2AE35u);
	/* Both kinds of outcome were exercised, many times. */
	ck_assert_uint_gt(msk_edits_accepted, 500);
	ck_assert_uint_gt(msk_edits_refused, 500);
	printf("hostile edits of node pages: %u accepted, %u refused; %u checks of a "
	       "translation the model has not (allowed by the chain rules)\n", msk_edits_accepted,
	       msk_edits_refused, msk_unbacked);
}
END_TEST

START_TEST(test_honest_stopping)
{
	msk_stops = 0;
	for (uint32_t seed = 1; seed <= 40; seed++)
		run(&honest_stopping, seed * 0x27D4EB2Fu);
	for (uint32_t seed = 1; seed <= 40; seed++)
		run(&absent_stopping, seed * 0x165667B1u);
	ck_assert_uint_gt(msk_stops, 2000);
	printf("walks stopped at preemption points (honest): %lu times\n", msk_stops);
}
END_TEST

START_TEST(test_hostile_stopping)
{
	msk_stops = 0;
	for (uint32_t seed = 1; seed <= 40; seed++)
		run(&hostile_stopping, seed * 0xD3A2646Cu);
	ck_assert_uint_gt(msk_stops, 500);
}
END_TEST

/* No limit on Check's clock: the Makefile's run names a hang (a test's
 * outcome must not depend on the host's speed). */
int main(void)
{
	const TTest *tests[] = {
		test_honest, test_honest_much_absent, test_hostile, test_honest_stopping,
		test_hostile_stopping, NULL,
	};

	return unit_run("mapsplit_random", "core", tests, NULL, NULL);
}
