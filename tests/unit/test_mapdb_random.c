/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Randomized property test for kernel/mapdb.c: fixed seeds drive thousands
 * of root, map, grant, unmap and access-bit operations over the fake
 * spaces of mapdb_check.h, with allocations failing now and then.  After
 * every operation the harness checks the whole tree's invariants and
 * compares it with a reference model.  A failure names the seed and the
 * operation; MDB_TRACE=1 prints every operation before it is applied.
 */
#include <check.h>
#include "mapdb_check.h"

typedef struct profile {
	unsigned nspaces, npages;  /* where operations land */
	unsigned fail_one_in;      /* an operation with allocation failures */
	unsigned unmap_pct;        /* share of unmaps: few let the trees grow */
	unsigned ops;
} profile_t;

static uint32_t rng, seed_now;

void mdb_fail(const char *msg)
{
	ck_abort_msg("seed %#x: %s", seed_now, msg);
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

/* Mostly a page that is mapped (operations on nothing teach little);
 * now and then any page, rarely one outside the fake space. */
static void pick(const profile_t *pr, uint8_t *s, uint8_t *p, unsigned mapped_in_8)
{
	unsigned seen = 0;

	if (below(8) < mapped_in_8) {
		for (unsigned i = 0; i < pr->nspaces; i++)
			for (unsigned j = 0; j < pr->npages; j++)
				if (mdb_space[i].slot[j] && below(++seen) == 0) {
					*s = (uint8_t)i;
					*p = (uint8_t)j;
				}
		if (seen)
			return;
	}
	*s = (uint8_t)below(pr->nspaces);
	*p = (uint8_t)(below(64) ? below(pr->npages) : MDB_NPAGES);
}

static mdb_op_t random_op(const profile_t *pr)
{
	mdb_op_t op = { 0 };
	unsigned k = below(100);

	op.kind = k < 5 ? MDB_ROOT : k < 15 ? MDB_TOUCH : k < 27 ? MDB_GRANT :
		  k < 27 + pr->unmap_pct ? MDB_UNMAP : MDB_MAP;
	pick(pr, &op.s1, &op.p1, op.kind == MDB_ROOT ? 1 : 7);
	pick(pr, &op.s2, &op.p2, 2);
	op.rights = (uint8_t)(below(3) ? below(8) : RIGHTS_ALL);
	if (below(16) == 0)
		op.rights |= 0xF8;             /* junk above the rights bits */
	op.frame = (uint8_t)below(MDB_NFRAMES);
	op.flush_self = below(2);
	if (below(pr->fail_one_in) == 0)
		op.fail = (uint8_t)(1 + below(7));
	if (below(8) == 0)
		op.offset = (uint16_t)below(PAGE_SIZE);
	return op;
}

static void run(const profile_t *pr, uint32_t seed)
{
	seed_now = rng = seed;
	mdb_reset();
	for (unsigned i = 0; i < pr->ops; i++) {
		mdb_op_t op = random_op(pr);

		mdb_apply(&op);
	}
	mdb_clear_all();
	mdb_check();
}

static const uint32_t seeds[] = { 1, 42, 0xC0FFEE, 0xDEADBEEF, 0x1234567 };

/* All six spaces and 32 pages, one operation in ten with failures. */
START_TEST(random_ops)
{
	const profile_t pr = { MDB_NSPACES, MDB_NPAGES, 10, 15, 4000 };

	run(&pr, seeds[_i]);
}
END_TEST

/* Few places: deep trees, replacements, cycles and widening abound. */
START_TEST(random_ops_crowded)
{
	const profile_t pr = { 3, 4, 10, 15, 3000 };

	run(&pr, seeds[_i] * 2654435761u);
}
END_TEST

/* Rare unmaps: big, deep trees that then fall in one unmap. */
START_TEST(random_ops_bushy)
{
	const profile_t pr = { MDB_NSPACES, MDB_NPAGES, 20, 4, 3000 };

	run(&pr, seeds[_i] + 0x9E3779B9u);
}
END_TEST

/* Every other operation runs out of memory somewhere. */
START_TEST(random_ops_oom)
{
	const profile_t pr = { MDB_NSPACES, MDB_NPAGES, 2, 15, 3000 };

	run(&pr, seeds[_i] ^ 0x5A5A5A5Au);
}
END_TEST

static Suite *mapdb_random_suite(void)
{
	Suite *s = suite_create("mapdb_random");
	TCase *tc = tcase_create("properties");

	tcase_add_loop_test(tc, random_ops, 0, ARRAY_SIZE(seeds));
	tcase_add_loop_test(tc, random_ops_crowded, 0, ARRAY_SIZE(seeds));
	tcase_add_loop_test(tc, random_ops_bushy, 0, 3);
	tcase_add_loop_test(tc, random_ops_oom, 0, 2);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mapdb_random_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
