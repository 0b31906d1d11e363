/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/kmem_account.c/.h, the kernel-memory accounting:
 * a task's pages by kind and in all, counts that never go below zero,
 * the pool's limits (docs/architecture.md, "Kernel memory": the last
 * sixteenth, at least 32 pages, for privileged tasks and the kernel;
 * three quarters of the rest at most for one unprivileged task), the
 * lent build's boot reserve, and which kinds a kpager lends.  A random
 * run against a model is in test_kmem_account_random.c.
 */
#include <check.h>
#include <string.h>
#include <kernel/kmem_account.h>

/* A cheap assertion for loops (ck_assert marks every passing point). */
#define REQUIRE(c, ...) do { if (!(c)) ck_abort_msg(__VA_ARGS__); } while (0)

static const bool builds[] = { false, true };   /* pool_build */

static kmem_stats_t pool_of(uint32_t pages)
{
	kmem_stats_t p;

	memset(&p, 0, sizeof p);
	kmem_account_grow(&p, pages);
	return p;
}

static kmem_payer_t kernel_payer(void)
{
	return (kmem_payer_t){ .charge = NULL };
}

static kmem_payer_t task(const kmem_charge_t *c, bool privileged)
{
	return (kmem_payer_t){ .charge = c, .privileged = privileged };
}

/* sigma0, or a task while boot makes it: served without a kpager. */
static kmem_payer_t no_kpager(const kmem_charge_t *c)
{
	return (kmem_payer_t){ .charge = c, .privileged = true, .no_kpager = true };
}

/* ---- a task's pages by kind ---- */

START_TEST(charges_count_by_kind_and_in_all)
{
	/* kind, +1 or -1, the counts after it (TASK..KERNEL) */
	static const struct { enum kmem_kind kind; int step; uint32_t after[KMEM_KINDS]; } seq[] = {
		{ KMEM_TASK, +1, { 1, 0, 0, 0, 0, 0, 0, 0 } },
		{ KMEM_PDIR, +1, { 1, 1, 0, 0, 0, 0, 0, 0 } },
		{ KMEM_PT,   +1, { 1, 1, 1, 0, 0, 0, 0, 0 } },
		{ KMEM_PT,   +1, { 1, 1, 2, 0, 0, 0, 0, 0 } },
		{ KMEM_NT,   +1, { 1, 1, 2, 1, 0, 0, 0, 0 } },
		{ KMEM_MAP,  +1, { 1, 1, 2, 1, 1, 0, 0, 0 } },
		{ KMEM_TCB,  +1, { 1, 1, 2, 1, 1, 1, 0, 0 } },
		{ KMEM_UTCB, +1, { 1, 1, 2, 1, 1, 1, 1, 0 } },
		{ KMEM_PT,   -1, { 1, 1, 1, 1, 1, 1, 1, 0 } },
		{ KMEM_MAP,  +1, { 1, 1, 1, 1, 2, 1, 1, 0 } },
		{ KMEM_TCB,  -1, { 1, 1, 1, 1, 2, 0, 1, 0 } },
		{ KMEM_PDIR, -1, { 1, 0, 1, 1, 2, 0, 1, 0 } },
		{ KMEM_MAP,  -1, { 1, 0, 1, 1, 1, 0, 1, 0 } },
		{ KMEM_MAP,  -1, { 1, 0, 1, 1, 0, 0, 1, 0 } },
		{ KMEM_UTCB, -1, { 1, 0, 1, 1, 0, 0, 0, 0 } },
		{ KMEM_NT,   -1, { 1, 0, 1, 0, 0, 0, 0, 0 } },
		{ KMEM_PT,   -1, { 1, 0, 0, 0, 0, 0, 0, 0 } },
		{ KMEM_TASK, -1, { 0, 0, 0, 0, 0, 0, 0, 0 } },
	};
	kmem_charge_t c;

	memset(&c, 0, sizeof c);
	ck_assert_uint_eq(kmem_charge_total(&c), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(seq); i++) {
		uint32_t total = 0;

		if (seq[i].step > 0)
			kmem_charge_add(&c, seq[i].kind);
		else
			REQUIRE(kmem_charge_drop(&c, seq[i].kind), "step %u: drop refused", i);
		for (unsigned k = 0; k < KMEM_KINDS; k++) {
			REQUIRE(c.pages[k] == seq[i].after[k], "step %u: kind %u is %u, not %u", i, k,
				c.pages[k], seq[i].after[k]);
			total += seq[i].after[k];
		}
		REQUIRE(kmem_charge_total(&c) == total, "step %u: total %u, not %u", i,
			kmem_charge_total(&c), total);
	}
}
END_TEST

START_TEST(an_uncharged_kind_is_not_taken_below_zero)
{
	kmem_charge_t c;
	kmem_stats_t p = pool_of(64);

	memset(&c, 0, sizeof c);
	kmem_charge_add(&c, KMEM_PT);
	kmem_charge_add(&c, KMEM_MAP);
	/* Nothing of kind NT was charged: refused, and every count as it was. */
	ck_assert(!kmem_charge_drop(&c, KMEM_NT));
	ck_assert_uint_eq(c.pages[KMEM_NT], 0);
	ck_assert_uint_eq(c.pages[KMEM_PT], 1);
	ck_assert_uint_eq(c.pages[KMEM_MAP], 1);
	ck_assert_uint_eq(kmem_charge_total(&c), 2);
	/* Once charged, it goes once. */
	ck_assert(kmem_charge_drop(&c, KMEM_PT));
	ck_assert(!kmem_charge_drop(&c, KMEM_PT));
	ck_assert_uint_eq(c.pages[KMEM_PT], 0);
	ck_assert_uint_eq(kmem_charge_total(&c), 1);

	/* The pool's own counts: the kernel's pages, the boot tasks'. */
	ck_assert(!kmem_account_uncharge(&p, NULL, KMEM_KERNEL, false));
	ck_assert_uint_eq(p.kernel_pages, 0);
	/* A task's page said to be a boot task's, with none counted: refused
	 * whole, the task's count too. */
	ck_assert(!kmem_account_uncharge(&p, &c, KMEM_MAP, true));
	ck_assert_uint_eq(c.pages[KMEM_MAP], 1);
	ck_assert_uint_eq(p.boot_task_pages, 0);
	ck_assert(kmem_account_uncharge(&p, &c, KMEM_MAP, false));
	ck_assert(!kmem_account_uncharge(&p, &c, KMEM_MAP, false));
	ck_assert_uint_eq(c.pages[KMEM_MAP], 0);
	ck_assert_uint_eq(kmem_charge_total(&c), 0);
	/* A record back with no boot task page counted. */
	p.free_pages = 0;
	kmem_account_record_back(&p, true);
	ck_assert_uint_eq(p.boot_task_pages, 0);
	ck_assert_uint_eq(p.free_pages, 1);
}
END_TEST

/* ---- the pool's limits ---- */

START_TEST(limits_around_the_minimum_reserve)
{
	/* Worked out by hand from the rule: reserve = max(pool / 16, 32);
	 * the limit is three quarter-shares of what is left, 0 if nothing. */
	static const struct { uint32_t pool, reserve, limit; } edge[] = {
		{ 0, 32, 0 },   { 1, 32, 0 },   { 31, 32, 0 },  { 32, 32, 0 },
		{ 33, 32, 0 },  { 35, 32, 0 },  { 36, 32, 3 },  { 39, 32, 3 },
		{ 40, 32, 6 },  { 100, 32, 51 }, { 511, 32, 357 }, { 512, 32, 360 },
		{ 527, 32, 369 }, { 528, 33, 369 }, { 544, 34, 381 }, { 4096, 256, 2880 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(edge); i++) {
		kmem_stats_t p = pool_of(edge[i].pool);

		REQUIRE(p.pool_pages == edge[i].pool && p.free_pages == edge[i].pool,
			"pool %u: size %u, free %u", edge[i].pool, p.pool_pages, p.free_pages);
		REQUIRE(p.reserve_pages == edge[i].reserve, "pool %u: reserve %u, not %u",
			edge[i].pool, p.reserve_pages, edge[i].reserve);
		REQUIRE(p.task_limit == edge[i].limit, "pool %u: task limit %u, not %u",
			edge[i].pool, p.task_limit, edge[i].limit);
	}
}
END_TEST

START_TEST(limits_hold_for_every_pool_size)
{
	for (uint32_t n = 0; n <= 70000; n++) {
		kmem_stats_t p = pool_of(n);
		uint32_t rest = n > p.reserve_pages ? n - p.reserve_pages : 0;

		REQUIRE(p.reserve_pages >= KMEM_MIN_PRIVILEGED_RESERVE, "pool %u: reserve %u", n,
			p.reserve_pages);
		REQUIRE(p.reserve_pages >= n / 16 && p.reserve_pages <= n / 16 + 32,
			"pool %u: reserve %u is not a sixteenth", n, p.reserve_pages);
		/* One task holds at most three quarters, and leaves a quarter. */
		REQUIRE((uint64_t)p.task_limit * 4 <= (uint64_t)rest * 3, "pool %u: limit %u > 3/4 of %u",
			n, p.task_limit, rest);
		REQUIRE((rest - p.task_limit) * 4 >= rest, "pool %u: limit %u leaves < 1/4 of %u", n,
			p.task_limit, rest);
		REQUIRE(p.task_limit + 3 > rest / 4 * 3, "pool %u: limit %u is short of 3/4 of %u", n,
			p.task_limit, rest);
	}
}
END_TEST

START_TEST(pages_that_join_later_count_as_from_the_start)
{
	/* The boot reserve's unused rest joins the pool after it was made
	 * (kmem_boot_reserve_close): the limits are those of the whole. */
	kmem_stats_t p = pool_of(500), whole = pool_of(528);

	kmem_account_take(&p);
	kmem_account_grow(&p, 28);
	ck_assert_uint_eq(p.pool_pages, 528);
	ck_assert_uint_eq(p.free_pages, 527);
	ck_assert_uint_eq(p.reserve_pages, whole.reserve_pages);
	ck_assert_uint_eq(p.task_limit, whole.task_limit);
}
END_TEST

START_TEST(a_task_exactly_at_its_limit)
{
	kmem_stats_t p = pool_of(100);   /* reserve 32, limit 51 */
	kmem_charge_t c;

	memset(&c, 0, sizeof c);
	/* Every kind counts toward the limit. */
	for (uint32_t i = 0; i < 50; i++)
		kmem_charge_add(&c, (enum kmem_kind)(i % KMEM_KINDS));
	ck_assert_uint_eq(kmem_charge_total(&c), 50);
	ck_assert(kmem_account_may_take(&p, task(&c, false), true));
	kmem_charge_add(&c, KMEM_MAP);                        /* 51: at the limit */
	ck_assert(!kmem_account_may_take(&p, task(&c, false), true));
	/* Below it again after one page goes back. */
	ck_assert(kmem_charge_drop(&c, KMEM_TASK));
	ck_assert(kmem_account_may_take(&p, task(&c, false), true));
	/* A privileged task with the same charge has no limit. */
	kmem_charge_add(&c, KMEM_TASK);
	for (uint32_t i = 0; i < 40; i++)
		kmem_charge_add(&c, KMEM_PT);
	ck_assert(kmem_account_may_take(&p, task(&c, true), true));
}
END_TEST

/* Take pages of the pool for who as kmem_alloc does, while the rule lets
 * it and the pool has one; how many. */
static uint32_t take_all(kmem_stats_t *p, kmem_charge_t *c, kmem_payer_t who, bool pool_build)
{
	uint32_t n = 0;

	while (p->free_pages && kmem_account_may_take(p, who, pool_build)) {
		kmem_account_take(p);
		kmem_account_charge(p, c, KMEM_PT, kmem_account_boot_task(who, pool_build));
		n++;
	}
	return n;
}

START_TEST(unprivileged_tasks_stop_at_the_reserve_privileged_go_into_it)
{
	kmem_stats_t p = pool_of(100);   /* reserve 32, limit 51 */
	kmem_charge_t a, b, root;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&root, 0, sizeof root);
	/* One task: its limit. */
	ck_assert_uint_eq(take_all(&p, &a, task(&a, false), true), 51);
	ck_assert_uint_eq(p.free_pages, 49);
	/* The next: down to the reserve, not into it. */
	ck_assert_uint_eq(take_all(&p, &b, task(&b, false), true), 17);
	ck_assert_uint_eq(p.free_pages, 32);
	ck_assert_uint_lt(kmem_charge_total(&b), p.task_limit);
	/* One page back: one more for an unprivileged task. */
	ck_assert(kmem_account_uncharge(&p, &a, KMEM_PT, false));
	kmem_account_back(&p);
	ck_assert_uint_eq(take_all(&p, &b, task(&b, false), true), 1);
	ck_assert_uint_eq(p.free_pages, 32);
	/* The kernel's own may still have a page (the KIP, at boot). */
	ck_assert(kmem_account_may_take(&p, kernel_payer(), true));
	kmem_account_take(&p);
	kmem_account_charge(&p, NULL, KMEM_KERNEL, false);
	ck_assert_uint_eq(p.kernel_pages, 1);
	/* A privileged task takes the rest of the reserve, all of it. */
	ck_assert_uint_eq(take_all(&p, &root, task(&root, true), true), 31);
	ck_assert_uint_eq(p.free_pages, 0);
	/* The pool build counts no boot-task pages. */
	ck_assert_uint_eq(p.boot_task_pages, 0);
	/* Every page is somebody's. */
	ck_assert_uint_eq(kmem_charge_total(&a) + kmem_charge_total(&b) + kmem_charge_total(&root) +
			  p.kernel_pages + p.free_pages, p.pool_pages);
}
END_TEST

START_TEST(the_smallest_pools_are_all_reserve)
{
	kmem_charge_t c;

	memset(&c, 0, sizeof c);
	for (uint32_t n = 0; n <= 36; n++) {
		kmem_stats_t p = pool_of(n);
		bool may = kmem_account_may_take(&p, task(&c, false), true);

		/* At or below 32 pages the pool is all reserve; an
		 * unprivileged task has nothing until there are 36. */
		REQUIRE(may == (n >= 36), "pool %u: unprivileged may take: %d", n, may);
		REQUIRE(kmem_account_may_take(&p, task(&c, true), true), "pool %u: privileged", n);
		REQUIRE(kmem_account_may_take(&p, kernel_payer(), true), "pool %u: kernel", n);
	}
}
END_TEST

/* ---- the lent build ---- */

START_TEST(the_boot_reserve_serves_only_the_kernel_sigma0_and_boot)
{
	kmem_stats_t p = pool_of(65);
	kmem_charge_t c;

	memset(&c, 0, sizeof c);
	ck_assert(kmem_account_may_take(&p, kernel_payer(), false));
	ck_assert(kmem_account_may_take(&p, no_kpager(&c), false));
	/* The root task once boot is done, and every other task: never,
	 * however empty its charge and full the reserve. */
	ck_assert(!kmem_account_may_take(&p, task(&c, true), false));
	ck_assert(!kmem_account_may_take(&p, task(&c, false), false));
	/* No limit on sigma0 there: its share is the reserve's size. */
	for (uint32_t i = 0; i < 1000; i++)
		kmem_charge_add(&c, KMEM_MAP);
	p.free_pages = 0;
	ck_assert(kmem_account_may_take(&p, no_kpager(&c), false));
}
END_TEST

START_TEST(boot_task_pages_are_those_of_privileged_tasks_in_the_lent_build)
{
	kmem_stats_t p = pool_of(65);
	kmem_charge_t s0, root, other;

	memset(&s0, 0, sizeof s0);
	memset(&root, 0, sizeof root);
	memset(&other, 0, sizeof other);
	ck_assert(kmem_account_boot_task(no_kpager(&s0), false));
	ck_assert(kmem_account_boot_task(no_kpager(&root), false));
	ck_assert(!kmem_account_boot_task(task(&other, false), false));
	ck_assert(!kmem_account_boot_task(kernel_payer(), false));
	ck_assert(!kmem_account_boot_task(no_kpager(&s0), true));
	ck_assert(!kmem_account_boot_task(no_kpager(&root), true));

	/* The KIP, then the root task's record made as the kernel's and
	 * adopted, then its page directory; sigma0's page table. */
	kmem_account_take(&p);
	kmem_account_charge(&p, NULL, KMEM_KERNEL, false);
	kmem_account_take(&p);
	kmem_account_charge(&p, NULL, KMEM_TASK, false);
	ck_assert_uint_eq(p.kernel_pages, 2);
	kmem_account_adopt(&p, &root, KMEM_TASK, true);
	ck_assert_uint_eq(p.kernel_pages, 1);
	ck_assert_uint_eq(root.pages[KMEM_TASK], 1);
	kmem_account_take(&p);
	kmem_account_charge(&p, &root, KMEM_PDIR, kmem_account_boot_task(no_kpager(&root), false));
	kmem_account_take(&p);
	kmem_account_charge(&p, &s0, KMEM_PT, kmem_account_boot_task(no_kpager(&s0), false));
	ck_assert_uint_eq(p.boot_task_pages, 3);
	ck_assert_uint_eq(p.free_pages, 61);
	ck_assert_uint_eq(p.kernel_pages + p.boot_task_pages + p.free_pages, p.pool_pages);
	/* sigma0's page table back, then the root's record (the task gone). */
	ck_assert(kmem_account_uncharge(&p, &s0, KMEM_PT, true));
	kmem_account_back(&p);
	ck_assert_uint_eq(s0.pages[KMEM_PT], 0);
	ck_assert(kmem_account_uncharge(&p, &root, KMEM_PDIR, true));
	kmem_account_back(&p);
	kmem_account_record_back(&p, true);
	ck_assert_uint_eq(p.boot_task_pages, 0);
	ck_assert_uint_eq(p.kernel_pages, 1);
	ck_assert_uint_eq(p.free_pages, 64);
}
END_TEST

START_TEST(which_kinds_a_kpager_lends)
{
	kmem_charge_t c;

	memset(&c, 0, sizeof c);
	for (unsigned b = 0; b < ARRAY_SIZE(builds); b++)
		for (unsigned k = 0; k <= KMEM_KINDS; k++) {
			enum kmem_kind kind = (enum kmem_kind)k;
			/* Written out: in the lent build every kind of a task's
			 * own (record, directory, tables, nodes, TCBs, UTCBs). */
			bool own = kind == KMEM_TASK || kind == KMEM_PDIR || kind == KMEM_PT ||
				   kind == KMEM_NT || kind == KMEM_MAP || kind == KMEM_TCB ||
				   kind == KMEM_UTCB;
			bool lent_build = !builds[b];

			REQUIRE(kmem_account_kind_is_lent(task(&c, false), kind, builds[b]) ==
				(lent_build && own), "build %u kind %u: unprivileged task", b, k);
			/* The root task, once made: its kpager lends as any. */
			REQUIRE(kmem_account_kind_is_lent(task(&c, true), kind, builds[b]) ==
				(lent_build && own), "build %u kind %u: root task", b, k);
			REQUIRE(!kmem_account_kind_is_lent(no_kpager(&c), kind, builds[b]),
				"build %u kind %u: sigma0's or a task boot makes are lent", b, k);
			REQUIRE(!kmem_account_kind_is_lent(kernel_payer(), kind, builds[b]),
				"build %u kind %u: the kernel's", b, k);
		}
	/* Lent kinds are exactly those of the kpager protocol. */
	ck_assert_uint_eq(KMEM_KERNEL, LENT_KMEM_KINDS);
}
END_TEST

START_TEST(kinds_have_names)
{
	for (unsigned k = 0; k < KMEM_KINDS; k++) {
		const char *name = kmem_kind_name((enum kmem_kind)k);

		REQUIRE(name && strcmp(name, "?") != 0, "kind %u has no name", k);
		for (unsigned j = 0; j < k; j++)
			REQUIRE(strcmp(name, kmem_kind_name((enum kmem_kind)j)) != 0,
				"kinds %u and %u share a name", j, k);
	}
	ck_assert_str_eq(kmem_kind_name(KMEM_KINDS), "?");
	ck_assert_str_eq(kmem_kind_name((enum kmem_kind)1000), "?");
}
END_TEST

/* ---- the boot reserve for sigma0's roots ---- */

START_TEST(boot_reserve_gives_its_whole_pages_then_the_rest)
{
	kmem_boot_t b;
	uint32_t pa, rest, bytes;

	/* Three whole pages and a part: three. */
	kmem_boot_open(&b, 0x00200000u, 3 * 4096 + 100);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert(kmem_boot_has(&b));
		ck_assert(kmem_boot_take(&b, &pa));
		ck_assert_uint_eq(pa, 0x00200000u + i * 4096);
	}
	ck_assert(!kmem_boot_has(&b));
	pa = 0x1234;
	ck_assert(!kmem_boot_take(&b, &pa));
	ck_assert_uint_eq(pa, 0x1234);
	ck_assert_uint_eq(kmem_boot_close(&b, &rest, &bytes), 3);
	ck_assert_uint_eq(bytes, 0);
	ck_assert(!kmem_boot_has(&b));

	/* Five, two used: the other three for the pool. */
	kmem_boot_open(&b, 0x00300000u, 5 * 4096);
	ck_assert(kmem_boot_take(&b, &pa));
	ck_assert(kmem_boot_take(&b, &pa));
	ck_assert_uint_eq(kmem_boot_close(&b, &rest, &bytes), 2);
	ck_assert_uint_eq(rest, 0x00302000u);
	ck_assert_uint_eq(bytes, 3 * 4096);
	/* Closed: nothing more, and none left over twice. */
	ck_assert(!kmem_boot_take(&b, &pa));
	ck_assert_uint_eq(kmem_boot_close(&b, &rest, &bytes), 0);
	ck_assert_uint_eq(bytes, 0);

	/* Less than a page: nothing at all. */
	kmem_boot_open(&b, 0x00400000u, 4095);
	ck_assert(!kmem_boot_has(&b));
	ck_assert_uint_eq(kmem_boot_close(&b, &rest, &bytes), 0);
	ck_assert_uint_eq(bytes, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kmem_account");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, charges_count_by_kind_and_in_all);
	tcase_add_test(tc, an_uncharged_kind_is_not_taken_below_zero);
	tcase_add_test(tc, limits_around_the_minimum_reserve);
	tcase_add_test(tc, limits_hold_for_every_pool_size);
	tcase_add_test(tc, pages_that_join_later_count_as_from_the_start);
	tcase_add_test(tc, a_task_exactly_at_its_limit);
	tcase_add_test(tc, unprivileged_tasks_stop_at_the_reserve_privileged_go_into_it);
	tcase_add_test(tc, the_smallest_pools_are_all_reserve);
	tcase_add_test(tc, the_boot_reserve_serves_only_the_kernel_sigma0_and_boot);
	tcase_add_test(tc, boot_task_pages_are_those_of_privileged_tasks_in_the_lent_build);
	tcase_add_test(tc, which_kinds_a_kpager_lends);
	tcase_add_test(tc, kinds_have_names);
	tcase_add_test(tc, boot_reserve_gives_its_whole_pages_then_the_rest);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
