/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Model-based random test for kernel/mapsplit*.c: fixed seeds drive map,
 * grant, unmap, export and import of node pages and tables, resolves,
 * task deaths and (hostile profiles) kpager edits over the fake tasks of
 * mapsplit_check.h.  After every operation the harness checks the
 * database's invariants and every translation against the model; every
 * few operations, and at the end, it resolves every page and requires
 * exactly the model's mappings (honest profiles).  A failure names the
 * seed and the operation; MSK_TRACE=1 prints every operation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include "mapsplit_check.h"

typedef struct profile {
	bool hostile;
	unsigned ops;
	unsigned export_pct;       /* share of exports: many keep much absent */
	unsigned resolve_all_every;
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

static void run(const profile_t *pr, uint32_t seed)
{
	bool trace = getenv("MSK_TRACE") != NULL;
	char buf[160];

	seed_now = seed;
	rng = seed ? seed : 1;
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
}

static const profile_t honest = { false, 4000, 15, 16 };
static const profile_t honest_absent = { false, 4000, 35, 64 };
static const profile_t hostile = { true, 4000, 15, 32 };

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

static Suite *suite(void)
{
	Suite *s = suite_create("mapsplit_random");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_honest);
	tcase_add_test(tc, test_honest_much_absent);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
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
