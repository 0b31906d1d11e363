/* SPDX-License-Identifier: BSD-2-Clause */
/* Host tests for kernel/memregion.c. */
#include <check.h>
#include <string.h>
#include <kernel/memregion.h>

#define K 1024ull
#define M (1024ull * 1024)
#define G (1024ull * M)

static mem_map_t map;

/* A cheap assertion for loops (ck_assert marks every passing point). */
#define REQUIRE(c, ...) do { if (!(c)) ck_abort_msg(__VA_ARGS__); } while (0)

static void setup(void)
{
	memset(&map, 0xEE, sizeof(map));   /* memmap_init must reset it */
	memmap_init(&map);
}

/* Sorted, page-aligned, non-empty, disjoint, adjacent regions differ. */
static void check_invariants(const mem_map_t *m)
{
	REQUIRE(m->n <= ARRAY_SIZE(m->r), "n = %u", m->n);
	for (unsigned i = 0; i < m->n; i++) {
		const mem_region_t *r = &m->r[i];

		REQUIRE(r->start % PAGE_SIZE == 0 && r->end % PAGE_SIZE == 0,
			"region %u not page aligned", i);
		REQUIRE(r->start < r->end, "region %u empty", i);
		REQUIRE(r->type >= MEM_FREE && r->type <= MEM_RESERVED,
			"region %u type %u", i, r->type);
		if (i > 0) {
			REQUIRE(m->r[i - 1].end <= r->start, "regions %u, %u overlap", i - 1, i);
			REQUIRE(m->r[i - 1].end != r->start || m->r[i - 1].type != r->type,
				"regions %u, %u not merged", i - 1, i);
		}
	}
}

static void expect(unsigned i, uint64_t start, uint64_t end, uint32_t type)
{
	ck_assert_uint_lt(i, map.n);
	ck_assert_msg(map.r[i].start == start && map.r[i].end == end &&
		      map.r[i].type == type,
		      "region %u is [%#llx,%#llx) type %u, expected [%#llx,%#llx) type %u",
		      i, (unsigned long long)map.r[i].start,
		      (unsigned long long)map.r[i].end, map.r[i].type,
		      (unsigned long long)start, (unsigned long long)end, type);
}

START_TEST(empty)
{
	ck_assert_uint_eq(map.n, 0);
	ck_assert_uint_eq(memmap_total(&map, MEM_FREE), 0);
	ck_assert_uint_eq(memmap_top(&map), 0);
	ck_assert_uint_eq(memmap_alloc(&map, PAGE_SIZE, 0, ~0ull, MEM_KERNEL), 0);
}
END_TEST

START_TEST(alignment)
{
	/* free memory shrinks inward */
	ck_assert_int_eq(memmap_add(&map, 0x1234, 0x5678, MEM_FREE), 0);
	ck_assert_uint_eq(map.n, 1);
	expect(0, 0x2000, 0x5000, MEM_FREE);
	/* anything else widens outward */
	ck_assert_int_eq(memmap_add(&map, 0x8001, 0x8002, MEM_RESERVED), 0);
	expect(1, 0x8000, 0x9000, MEM_RESERVED);
	/* a free range without a whole page in it vanishes */
	ck_assert_int_eq(memmap_add(&map, 0xA001, 0xAFFF, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 0xB000, 0xB000, MEM_KERNEL), 0);
	ck_assert_int_eq(memmap_add(&map, 0xC000, 0xB000, MEM_KERNEL), 0);
	ck_assert_uint_eq(map.n, 2);
	check_invariants(&map);
}
END_TEST

START_TEST(sorting_and_merging)
{
	ck_assert_int_eq(memmap_add(&map, 8 * M, 9 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 0, 1 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 4 * M, 5 * M, MEM_FREE), 0);
	ck_assert_uint_eq(map.n, 3);
	expect(0, 0, 1 * M, MEM_FREE);
	expect(1, 4 * M, 5 * M, MEM_FREE);
	expect(2, 8 * M, 9 * M, MEM_FREE);
	/* touching and overlapping ranges of one type merge */
	ck_assert_int_eq(memmap_add(&map, 1 * M, 2 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 3 * M, 4 * M + 4 * K, MEM_FREE), 0);
	ck_assert_uint_eq(map.n, 3);
	expect(0, 0, 2 * M, MEM_FREE);
	expect(1, 3 * M, 5 * M, MEM_FREE);
	/* one range bridging everything */
	ck_assert_int_eq(memmap_add(&map, 1 * M, 8 * M, MEM_FREE), 0);
	ck_assert_uint_eq(map.n, 1);
	expect(0, 0, 9 * M, MEM_FREE);
}
END_TEST

START_TEST(precedence)
{
	ck_assert_int_eq(memmap_add(&map, 0, 16 * M, MEM_FREE), 0);
	/* the kernel image takes over free memory */
	ck_assert_int_eq(memmap_add(&map, 1 * M, 2 * M, MEM_KERNEL), 0);
	ck_assert_uint_eq(map.n, 3);
	expect(0, 0, 1 * M, MEM_FREE);
	expect(1, 1 * M, 2 * M, MEM_KERNEL);
	expect(2, 2 * M, 16 * M, MEM_FREE);
	/* free memory reported again later yields to it */
	ck_assert_int_eq(memmap_add(&map, 0, 16 * M, MEM_FREE), 0);
	ck_assert_uint_eq(map.n, 3);
	expect(1, 1 * M, 2 * M, MEM_KERNEL);
	/* reserved beats kernel, across a boundary */
	ck_assert_int_eq(memmap_add(&map, 1536 * K, 3 * M, MEM_RESERVED), 0);
	ck_assert_uint_eq(map.n, 4);
	expect(0, 0, 1 * M, MEM_FREE);
	expect(1, 1 * M, 1536 * K, MEM_KERNEL);
	expect(2, 1536 * K, 3 * M, MEM_RESERVED);
	expect(3, 3 * M, 16 * M, MEM_FREE);
	/* boot modules over kernel and reserved: only the free part changes */
	ck_assert_int_eq(memmap_add(&map, 1 * M, 4 * M, MEM_BOOTLOADER), 0);
	ck_assert_uint_eq(map.n, 5);
	expect(3, 3 * M, 4 * M, MEM_BOOTLOADER);
	expect(4, 4 * M, 16 * M, MEM_FREE);
	check_invariants(&map);
	ck_assert_uint_eq(memmap_total(&map, MEM_FREE), 13 * M);
	ck_assert_uint_eq(memmap_total(&map, MEM_KERNEL), 512 * K);
	ck_assert_uint_eq(memmap_total(&map, MEM_RESERVED), 1536 * K);
	ck_assert_uint_eq(memmap_total(&map, MEM_ROOTTASK), 0);
}
END_TEST

START_TEST(yield_around_holes)
{
	/* BIOS hole reported before the RAM around it */
	ck_assert_int_eq(memmap_add(&map, 0x9F000, 0x100000, MEM_RESERVED), 0);
	ck_assert_int_eq(memmap_add(&map, 3 * M, 4 * M, MEM_RESERVED), 0);
	ck_assert_int_eq(memmap_add(&map, 0, 8 * M, MEM_FREE), 0);
	ck_assert_uint_eq(map.n, 5);
	expect(0, 0, 0x9F000, MEM_FREE);
	expect(1, 0x9F000, 0x100000, MEM_RESERVED);
	expect(2, 0x100000, 3 * M, MEM_FREE);
	expect(3, 3 * M, 4 * M, MEM_RESERVED);
	expect(4, 4 * M, 8 * M, MEM_FREE);
	/* a higher type over several regions and a hole in the map */
	memmap_init(&map);
	ck_assert_int_eq(memmap_add(&map, 0, 1 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 2 * M, 3 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 512 * K, 2560 * K, MEM_ROOTTASK), 0);
	ck_assert_uint_eq(map.n, 3);
	expect(0, 0, 512 * K, MEM_FREE);
	expect(1, 512 * K, 2560 * K, MEM_ROOTTASK);
	expect(2, 2560 * K, 3 * M, MEM_FREE);
}
END_TEST

START_TEST(above_4g)
{
	ck_assert_int_eq(memmap_add(&map, 0, 512 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 4 * G, 8 * G, MEM_FREE), 0);
	ck_assert_uint_eq(memmap_top(&map), 8 * G);
	ck_assert_uint_eq(memmap_total(&map, MEM_FREE), 512 * M + 4 * G);
	/* the very top of the 64-bit space neither wraps nor crashes */
	ck_assert_int_eq(memmap_add(&map, ~0ull - 0x2000, ~0ull, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, ~0ull - 10, ~0ull, MEM_RESERVED), 0);
	ck_assert_int_eq(memmap_add(&map, ~0ull - 10, ~0ull, MEM_FREE), 0);
	check_invariants(&map);
	for (unsigned i = 0; i < map.n; i++)
		ck_assert_uint_gt(map.r[i].end, map.r[i].start);
}
END_TEST

/* RAM at or above a limit becomes reserved; kernel memory, firmware and
 * holes stay as they were, and RAM below is untouched. */
START_TEST(reserve_from)
{
	/* QEMU at 3.5 GB: RAM to 0xE0000000, the rest above 4 GB */
	ck_assert_int_eq(memmap_add(&map, 0, 0x9F000, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 0x100000, 0xE0000000ull, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 0xBFF00000ull, 0xC0100000ull, MEM_BOOTLOADER), 0);
	ck_assert_int_eq(memmap_add(&map, 0xD0000000ull, 0xD0010000ull, MEM_KERNEL), 0);
	ck_assert_int_eq(memmap_add(&map, 0xFFFC0000ull, 4 * G, MEM_RESERVED), 0);
	ck_assert_int_eq(memmap_add(&map, 4 * G, 5 * G, MEM_FREE), 0);
	ck_assert_int_eq(memmap_reserve_from(&map, 0xC0000000ull), 0);
	check_invariants(&map);
	expect(0, 0, 0x9F000, MEM_FREE);
	expect(1, 0x100000, 0xBFF00000ull, MEM_FREE);
	expect(2, 0xBFF00000ull, 0xC0000000ull, MEM_BOOTLOADER);
	expect(3, 0xC0000000ull, 0xD0000000ull, MEM_RESERVED);
	expect(4, 0xD0000000ull, 0xD0010000ull, MEM_KERNEL);
	expect(5, 0xD0010000ull, 0xE0000000ull, MEM_RESERVED);
	expect(6, 0xFFFC0000ull, 5 * G, MEM_RESERVED);
	ck_assert_uint_eq(map.n, 7);
	/* nothing at or above the limit: nothing changes */
	mem_map_t before = map;
	ck_assert_int_eq(memmap_reserve_from(&map, 0xC0000000ull), 0);
	ck_assert_int_eq(memcmp(&before, &map, sizeof(map)), 0);
	/* 3 GB: RAM ends just below the limit, and all of it stays free */
	memmap_init(&map);
	ck_assert_int_eq(memmap_add(&map, 0x100000, 0xBFFE0000ull, MEM_FREE), 0);
	ck_assert_int_eq(memmap_reserve_from(&map, 0xC0000000ull), 0);
	ck_assert_uint_eq(map.n, 1);
	expect(0, 0x100000, 0xBFFE0000ull, MEM_FREE);
}
END_TEST

START_TEST(bad_type)
{
	ck_assert_int_eq(memmap_add(&map, 0, 1 * M, 0), -1);
	ck_assert_int_eq(memmap_add(&map, 0, 1 * M, MEM_RESERVED + 1), -1);
	ck_assert_uint_eq(map.n, 0);
}
END_TEST

START_TEST(table_full)
{
	mem_map_t before;
	const unsigned max = ARRAY_SIZE(map.r);

	/* 64 regions of two pages with one-page holes, types alternating */
	for (unsigned i = 0; i < max; i++)
		ck_assert_int_eq(memmap_add(&map, (3 * i + 1) * 4 * K, (3 * i + 3) * 4 * K,
					    i % 2 ? MEM_RESERVED : MEM_FREE), 0);
	ck_assert_uint_eq(map.n, max);
	memcpy(&before, &map, sizeof(map));
	/* a new separate region does not fit: unchanged */
	ck_assert_int_eq(memmap_add(&map, 1 * G, 1 * G + 4 * K, MEM_FREE), -1);
	ck_assert_mem_eq(&map, &before, sizeof(map));
	/* splitting a region does not fit either: unchanged */
	ck_assert_int_eq(memmap_add(&map, 4 * K, 8 * K, MEM_KERNEL), -1);
	ck_assert_mem_eq(&map, &before, sizeof(map));
	/* retyping one whole region keeps the count: that fits */
	ck_assert_int_eq(memmap_add(&map, 4 * K, 12 * K, MEM_KERNEL), 0);
	ck_assert_uint_eq(map.n, max);
	expect(0, 4 * K, 12 * K, MEM_KERNEL);
	/* so does growing the last region into the space after it */
	ck_assert_int_eq(memmap_add(&map, map.r[max - 1].end, map.r[max - 1].end + 4 * K,
				    map.r[max - 1].type), 0);
	ck_assert_uint_eq(map.n, max);
	/* and a change that needs fewer regions */
	ck_assert_int_eq(memmap_add(&map, 0, 1 * M, MEM_RESERVED), 0);
	ck_assert_uint_eq(map.n, 1);
	check_invariants(&map);
}
END_TEST

START_TEST(alloc_top_down)
{
	uint64_t a, b, c;

	ck_assert_int_eq(memmap_add(&map, 0, 640 * K, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 1 * M, 16 * M, MEM_FREE), 0);
	ck_assert_int_eq(memmap_add(&map, 15 * M, 16 * M, MEM_RESERVED), 0);

	a = memmap_alloc(&map, 3 * PAGE_SIZE, 0, ~0ull, MEM_KERNEL);
	ck_assert_uint_eq(a, 15 * M - 3 * PAGE_SIZE);
	b = memmap_alloc(&map, 1 * M, 1 * M, 8 * M, MEM_ROOTTASK);
	ck_assert_uint_eq(b, 7 * M);
	/* below a limit that cuts a region */
	c = memmap_alloc(&map, PAGE_SIZE, PAGE_SIZE, 2 * M + 100, MEM_BOOTLOADER);
	ck_assert_uint_eq(c, 2 * M - PAGE_SIZE);
	check_invariants(&map);
	ck_assert_uint_eq(memmap_total(&map, MEM_KERNEL), 3 * PAGE_SIZE);
	ck_assert_uint_eq(memmap_total(&map, MEM_ROOTTASK), 1 * M);
	ck_assert_uint_eq(memmap_total(&map, MEM_FREE),
			  640 * K + 14 * M - 3 * PAGE_SIZE - 1 * M - PAGE_SIZE);
	ck_assert_uint_eq(memmap_top(&map), 15 * M - 3 * PAGE_SIZE);
	/* falls back to the low region when the limit excludes the rest */
	ck_assert_uint_eq(memmap_alloc(&map, 64 * K, 0, 1 * M, MEM_KERNEL), 576 * K);
	/* cannot fit */
	ck_assert_uint_eq(memmap_alloc(&map, 64 * M, 0, ~0ull, MEM_KERNEL), 0);
	ck_assert_uint_eq(memmap_alloc(&map, 8 * M, 8 * M, 4 * M, MEM_KERNEL), 0);
	/* bad arguments */
	ck_assert_uint_eq(memmap_alloc(&map, 100, 0, ~0ull, MEM_KERNEL), 0);
	ck_assert_uint_eq(memmap_alloc(&map, 0, 0, ~0ull, MEM_KERNEL), 0);
	ck_assert_uint_eq(memmap_alloc(&map, PAGE_SIZE, 3 * PAGE_SIZE, ~0ull, MEM_KERNEL), 0);
	ck_assert_uint_eq(memmap_alloc(&map, PAGE_SIZE, 0, ~0ull, MEM_FREE), 0);
}
END_TEST

START_TEST(alloc_never_page_zero)
{
	ck_assert_int_eq(memmap_add(&map, 0, PAGE_SIZE, MEM_FREE), 0);
	ck_assert_uint_eq(memmap_alloc(&map, PAGE_SIZE, 0, ~0ull, MEM_KERNEL), 0);
	ck_assert_uint_eq(map.n, 1);
	expect(0, 0, PAGE_SIZE, MEM_FREE);
	ck_assert_int_eq(memmap_add(&map, PAGE_SIZE, 2 * PAGE_SIZE, MEM_FREE), 0);
	ck_assert_uint_eq(memmap_alloc(&map, PAGE_SIZE, 0, ~0ull, MEM_KERNEL), PAGE_SIZE);
	ck_assert_uint_eq(memmap_alloc(&map, PAGE_SIZE, 0, ~0ull, MEM_KERNEL), 0);
}
END_TEST

/* Compare against a page-by-page model over 1024 pages: each page's type
 * is the highest type ever recorded over it (0 = not in the map). */
#define MODEL_PAGES 1024
static uint32_t model[MODEL_PAGES];

static void check_model(void)
{
	uint32_t seen[MODEL_PAGES] = { 0 };

	check_invariants(&map);
	for (unsigned i = 0; i < map.n; i++)
		for (uint64_t a = map.r[i].start; a < map.r[i].end; a += PAGE_SIZE) {
			REQUIRE(a / PAGE_SIZE < MODEL_PAGES, "region beyond the model");
			seen[a / PAGE_SIZE] = map.r[i].type;
		}
	for (unsigned p = 0; p < MODEL_PAGES; p++)
		REQUIRE(seen[p] == model[p], "page %u: map %u model %u", p, seen[p], model[p]);
}

START_TEST(random_against_model)
{
	uint32_t seed = 12345;
	int failures = 0;

	memset(model, 0, sizeof(model));
	for (int step = 0; step < 3000; step++) {
		uint64_t s, e, ps, pe;
		uint32_t type;
		mem_map_t before;
		int rc;

		seed = seed * 1103515245u + 12345u;
		s = (seed >> 8) % (MODEL_PAGES * PAGE_SIZE);
		seed = seed * 1103515245u + 12345u;
		e = s + (seed >> 8) % ((step % 2 ? 24 : 3) * PAGE_SIZE);
		if (e > MODEL_PAGES * PAGE_SIZE)
			e = MODEL_PAGES * PAGE_SIZE;
		seed = seed * 1103515245u + 12345u;
		type = MEM_FREE + (seed >> 16) % 5;
		if (step % 1000 == 0) {
			memmap_init(&map);
			memset(model, 0, sizeof(model));
		}
		memcpy(&before, &map, sizeof(map));
		rc = memmap_add(&map, s, e, type);
		if (rc != 0) {
			REQUIRE(memcmp(&map, &before, sizeof(map)) == 0, "failed add changed the map");
			failures++;
			continue;
		}
		if (type == MEM_FREE) {
			ps = (s + PAGE_SIZE - 1) / PAGE_SIZE;
			pe = e / PAGE_SIZE;
		} else {
			ps = s / PAGE_SIZE;
			pe = (e + PAGE_SIZE - 1) / PAGE_SIZE;
		}
		for (uint64_t p = ps; p < pe; p++)
			if (model[p] < type)
				model[p] = type;
		check_model();
	}
	/* the sequence is fixed: some adds must have hit a full table */
	ck_assert_int_gt(failures, 0);
}
END_TEST

static Suite *memregion_suite(void)
{
	Suite *s = suite_create("memregion");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, alignment);
	tcase_add_test(tc, sorting_and_merging);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, yield_around_holes);
	tcase_add_test(tc, above_4g);
	tcase_add_test(tc, reserve_from);
	tcase_add_test(tc, bad_type);
	tcase_add_test(tc, table_full);
	tcase_add_test(tc, alloc_top_down);
	tcase_add_test(tc, alloc_never_page_zero);
	tcase_add_test(tc, random_against_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(memregion_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
