/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/sigma0_roots_size.c, the size of sigma0's boot
 * reserve: the smallest that holds the roots of the RAM it leaves,
 * wherever in that RAM the run of its pages lies.
 */
#include <check.h>
#include <kernel/sigma0_roots_size.h>

#define SPLIT_PER_PAGE 42u      /* (MS_ENTS - 1) / 2: two entries a root */
#define TREE_PER_PAGE  127u     /* 4096 / 32 - 1 */

/* The pages the roots of frames 1 .. n - 1 take when the run
 * [b, b + p) of them is the reserve, counted frame by frame. */
static uint32_t exact_need(uint32_t n, uint32_t b, uint32_t p, uint32_t per_page, bool indexed)
{
	uint32_t frames = 0, regions = 0, last = ~0u;

	for (uint32_t f = 1; f < n; f++) {
		if (f >= b && f < b + p)
			continue;
		frames++;
		if (f >> 10 != last) {
			regions++;
			last = f >> 10;
		}
	}
	uint32_t node_pages = (frames + per_page - 1) / per_page;
	return 2 * regions + node_pages + (indexed ? 1 + (node_pages + 1023) / 1024 : 0) + 1;
}

static uint32_t regions_of(uint32_t n)
{
	return (n - 1) / 1024 + 1;     /* frames 1 .. n - 1 */
}

/* The size found holds what it leaves, and one page less does not. */
START_TEST(smallest_that_holds_what_it_leaves)
{
	static const uint32_t frames[] = { 1, 2, 100, 1023, 1024, 1800, 4096, 20000, 131072,
					   229375, 783111, 786431 };
	for (unsigned i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		for (unsigned b = 0; b < 2; b++) {
			uint32_t per = b ? SPLIT_PER_PAGE : TREE_PER_PAGE;
			uint32_t r = regions_of(frames[i] + 1);
			uint32_t p = sigma0_roots_pages(frames[i], r, 0, per, b);

			ck_assert_uint_le(sigma0_roots_need(frames[i], r, 0, p, per, b), p);
			ck_assert_uint_ge(p, 1);
			ck_assert_uint_gt(sigma0_roots_need(frames[i], r, 0, p - 1, per, b), p - 1);
		}
}
END_TEST

/* Wherever the run lies in the RAM (every start, one RAM per 4 MB
 * boundary case), the roots of the rest fit it. */
START_TEST(holds_wherever_the_run_lies)
{
	static const uint32_t sizes[] = { 60, 1025, 2049, 5000, 9000 };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (unsigned b = 0; b < 2; b++) {
			uint32_t n = sizes[i], per = b ? SPLIT_PER_PAGE : TREE_PER_PAGE;
			uint32_t p = sigma0_roots_pages(n - 1, regions_of(n), 0, per, b);

			for (uint32_t at = 1; at + p <= n; at++)
				ck_assert_uint_le(exact_need(n, at, p, per, b), p);
		}
}
END_TEST

/* A run of a few 4 MB regions: those wholly inside it need no tables. */
START_TEST(regions_inside_the_run_need_no_tables)
{
	/* 40 MB of RAM, a reserve far larger than a region's roots. */
	uint32_t need0 = sigma0_roots_need(10239, 10, 0, 0, 1, false);
	uint32_t need = sigma0_roots_need(10239, 10, 0, 4095, 1, false);

	ck_assert_uint_eq(need0, 2 * 10 + 10239 + 1);
	/* 4095 pages hold at least 3 whole regions wherever they lie. */
	ck_assert_uint_eq(need, 2 * 7 + (10239 - 4095) + 1);
	ck_assert_uint_eq(sigma0_roots_need(10239, 10, 0, 2046, 1, false), 2 * 10 + 10239 - 2046 + 1);
	ck_assert_uint_eq(sigma0_roots_need(10239, 10, 0, 2047, 1, false), 2 * 9 + 10239 - 2047 + 1);
	/* More pages than frames: nothing but the tables of the rest. */
	ck_assert_uint_eq(sigma0_roots_need(10, 1, 0, 20, 1, true), 2 + 0 + 1 + 0 + 1);
}
END_TEST

/* Regions of RAM from 3 GB up are keys: a node table each, no page
 * table; the smallest reserve shrinks by as much. */
START_TEST(keyed_regions_need_no_page_table)
{
	uint32_t plain = sigma0_roots_need(20480, 20, 0, 1000, 42, true);

	ck_assert_uint_eq(sigma0_roots_need(20480, 20, 5, 1000, 42, true), plain - 5);
	ck_assert_uint_eq(sigma0_roots_pages(20480, 20, 5, 42, true),
			  sigma0_roots_pages(20480, 20, 0, 42, true) - 5);
}
END_TEST

/* The 3 GB machine of the suite (the split build's boot log): 783,111
 * frames in 766 regions.  The bound that counted the reserve's own
 * frames asked for 20,199 pages, of which 543 stayed unused; the size
 * now leaves the roots of what it does not take. */
START_TEST(three_gb_figures)
{
	uint32_t old = sigma0_roots_need(783111, 766, 0, 0, SPLIT_PER_PAGE, true);
	uint32_t now = sigma0_roots_pages(783111, 766, 0, SPLIT_PER_PAGE, true);

	ck_assert_uint_eq(old, 20199);
	ck_assert_uint_lt(now, old - 480);
	/* 762,102 roots were built from 19,656 pages at that boot. */
	ck_assert_uint_ge(now, 19656);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sigma0_roots_size");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, smallest_that_holds_what_it_leaves);
	tcase_add_test(tc, holds_wherever_the_run_lies);
	tcase_add_test(tc, regions_inside_the_run_need_no_tables);
	tcase_add_test(tc, keyed_regions_need_no_page_table);
	tcase_add_test(tc, three_gb_figures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
