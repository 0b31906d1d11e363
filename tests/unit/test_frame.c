/* SPDX-License-Identifier: BSD-2-Clause */
/* Host tests for kernel/frame.c, the resident frame table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/frame.h>
#include <arch/arch.h>

#define K 1024ull
#define M (1024ull * 1024)
#define G (1024ull * M)

/* A cheap assertion for loops (ck_assert marks every passing point). */
#define REQUIRE(c, ...) do { if (!(c)) ck_abort_msg(__VA_ARGS__); } while (0)

static mem_map_t map;
static void *table;

static void setup(void)
{
	memmap_init(&map);
	table = NULL;
}

static void teardown(void)
{
	free(table);
}

static void add(uint64_t start, uint64_t end, uint32_t type)
{
	ck_assert_int_eq(memmap_add(&map, start, end, type), 0);
}

/* Build the table for ram_top from map, in memory full of garbage (the
 * kernel hands it memory it has not cleared). */
static void build(uint64_t ram_top)
{
	uint32_t bytes = frame_table_bytes(ram_top);

	free(table);
	table = malloc(bytes);
	ck_assert_ptr_nonnull(table);
	memset(table, 0xA5, bytes);
	frame_table_init(table, ram_top, &map);
}

/* The shape of QEMU's 16 MB machine as the kernel's boot map has it. */
static void map_16m(void)
{
	add(0, 0x9f000, MEM_FREE);
	add(0x9f000, 0xa0000, MEM_RESERVED);        /* EBDA */
	add(0xf0000, 0x100000, MEM_RESERVED);       /* BIOS ROM */
	add(0x100000, 0xfe0000, MEM_FREE);
	add(0xfe0000, 0x1000000, MEM_RESERVED);     /* firmware tables */
	add(0xfffc0000, 4 * G, MEM_RESERVED);       /* BIOS flash */
	add(0, 0x1000, MEM_RESERVED);               /* page 0 */
	add(0x10000, 0x11000, MEM_BOOTLOADER);      /* Multiboot info */
	add(0x100000, 0x116000, MEM_KERNEL);        /* image */
	add(0x158000, 0x29d000, MEM_BOOTLOADER);    /* modules */
	add(0x400000, 0x429000, MEM_ROOTTASK);      /* sigma0 */
	add(0xe1a000, 0xfe0000, MEM_KERNEL);        /* pool */
}

START_TEST(types_from_map)
{
	map_16m();
	build(16 * M);
	ck_assert_uint_eq(frame_count(), 4096);

	/* user RAM: free, boot-loader and root-task memory */
	static const uint32_t ram[] = { 0x1000, 0x9e000, 0x10000, 0x200000, 0x29c000,
					0x400000, 0x428fff, 0xe19000, 0x116abc };
	for (unsigned i = 0; i < ARRAY_SIZE(ram); i++) {
		REQUIRE(frame_is_ram(ram[i]), "%#x should be RAM", ram[i]);
		REQUIRE(frame_check_lendable(ram[i]) == FRAME_OK, "%#x lendable: %d", ram[i],
			frame_check_lendable(ram[i]));
		REQUIRE(!frame_is_lent(ram[i]), "%#x lent", ram[i]);
	}
	/* not RAM: page 0, firmware, the ISA hole, past the top, far away */
	static const uint32_t not_ram[] = { 0, 0xfff, 0x9f000, 0xa0000, 0xb8000, 0xc0000,
					    0xf0000, 0xfe0000, 0xfff000, 0x1000000,
					    0x20000000, 0xfd000000, 0xfffff000 };
	for (unsigned i = 0; i < ARRAY_SIZE(not_ram); i++) {
		REQUIRE(!frame_is_ram(not_ram[i]), "%#x should not be RAM", not_ram[i]);
		REQUIRE(frame_check_lendable(not_ram[i]) == FRAME_NOT_RAM, "%#x: %d",
			not_ram[i], frame_check_lendable(not_ram[i]));
	}
	/* kernel-owned: image and pool */
	static const uint32_t kern[] = { 0x100000, 0x115fff, 0xe1a000, 0xfdf000 };
	for (unsigned i = 0; i < ARRAY_SIZE(kern); i++) {
		REQUIRE(!frame_is_ram(kern[i]), "%#x is the kernel's", kern[i]);
		REQUIRE(frame_check_lendable(kern[i]) == FRAME_KERNEL_OWNED, "%#x: %d",
			kern[i], frame_check_lendable(kern[i]));
	}
	/* until categories are marked, the kernel's memory is "other" */
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_OTHER), 0x16000 + 0x1c6000);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWNERS), 0x16000 + 0x1c6000);
	ck_assert_uint_eq(frame_lent_count(), 0);
}
END_TEST

START_TEST(page_zero_never_ram)
{
	add(0, 8 * M, MEM_FREE);
	build(8 * M);
	ck_assert(!frame_is_ram(0));
	ck_assert_int_eq(frame_check_lendable(0x123), FRAME_NOT_RAM);
	ck_assert(frame_is_ram(0x1000));
	/* and it cannot be marked the kernel's either */
	frame_mark_kernel(0, 0x2000, FRAME_OWN_IMAGE);
	ck_assert_int_eq(frame_check_lendable(0), FRAME_NOT_RAM);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_IMAGE), PAGE_SIZE);

	/* kernel memory at page 0 in the map is not counted as owned */
	memmap_init(&map);
	add(0, 0x3000, MEM_KERNEL);
	add(0x3000, 8 * M, MEM_FREE);
	build(8 * M);
	ck_assert_int_eq(frame_check_lendable(0), FRAME_NOT_RAM);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWNERS), 2 * PAGE_SIZE);
}
END_TEST

START_TEST(above_the_direct_map)
{
	/* 1 GB of RAM: its last 128 MB lie above the 896 MB direct map */
	add(0x1000, 0x9f000, MEM_FREE);
	add(0x100000, 0x3ffe0000, MEM_FREE);
	add(0x3ffe0000, 0x40000000, MEM_RESERVED);
	build(0x3ffe0000);
	ck_assert_uint_eq(frame_count(), 0x3ffe0000 / PAGE_SIZE);
	ck_assert(frame_is_ram(PHYSMAP_LIMIT - PAGE_SIZE));
	ck_assert_int_eq(frame_check_lendable(PHYSMAP_LIMIT - 1), FRAME_OK);
	/* RAM above the direct map is user level's like any other, but it
	 * is never lent to the kernel */
	ck_assert(frame_is_ram(PHYSMAP_LIMIT));
	ck_assert(frame_is_ram(0x3ffdf000));
	ck_assert_int_eq(frame_check_lendable(PHYSMAP_LIMIT), FRAME_NOT_ADDRESSABLE);
	ck_assert_int_eq(frame_check_lendable(0x3ffdf000), FRAME_NOT_ADDRESSABLE);
	/* firmware above the limit, and whatever lies past the table */
	ck_assert_int_eq(frame_check_lendable(0x3ffe0000), FRAME_NOT_RAM);
	ck_assert_int_eq(frame_check_lendable(0xe0000000), FRAME_NOT_RAM);
	/* high RAM can be neither marked the kernel's nor lent */
	frame_mark_kernel(PHYSMAP_LIMIT, PHYSMAP_LIMIT + 16 * PAGE_SIZE, FRAME_OWN_POOL);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWNERS), 0);
	frame_lend(PHYSMAP_LIMIT, 1, 0x1000, 1);
	ck_assert(!frame_is_lent(PHYSMAP_LIMIT));
	ck_assert_uint_eq(frame_lent_count(), 0);
}
END_TEST

START_TEST(refusals)
{
	map_16m();
	build(16 * M);
	frame_lend(0x200000, 7, 0x5000, 2);
	ck_assert_int_eq(frame_check_lendable(0xa0000), FRAME_NOT_RAM);       /* device */
	ck_assert_int_eq(frame_check_lendable(0x1234000), FRAME_NOT_RAM);     /* hole */
	ck_assert_int_eq(frame_check_lendable(0xf0000), FRAME_NOT_RAM);       /* firmware */
	ck_assert_int_eq(frame_check_lendable(0x100000), FRAME_KERNEL_OWNED);
	ck_assert_int_eq(frame_check_lendable(0x200fff), FRAME_LENT_ALREADY);
	/* lending a refused frame changes nothing */
	static const uint32_t refused[] = { 0xa0000, 0x1234000, 0xf0000, 0x100000, 0x200000, 0 };
	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++)
		frame_lend(refused[i], 9, 0x9000 + i * PAGE_SIZE, 3);
	ck_assert_uint_eq(frame_lent_count(), 1);
	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++)
		ck_assert_uint_eq(frame_find(9, 0x9000 + i * PAGE_SIZE), 0);
	uint32_t task, cid;
	unsigned kind;
	ck_assert(frame_lent_to(0x200000, &task, &cid, &kind));
	ck_assert_uint_eq(task, 7);
	ck_assert_uint_eq(cid, 0x5000);
	ck_assert_uint_eq(kind, 2);
	ck_assert_int_eq(frame_check_lendable(0x100000), FRAME_KERNEL_OWNED);
	/* unlending what is not lent changes nothing */
	frame_unlend(0x300000);
	frame_unlend(0x100000);
	frame_unlend(0xa0000);
	ck_assert_uint_eq(frame_lent_count(), 1);
	ck_assert_int_eq(frame_check_lendable(0x100000), FRAME_KERNEL_OWNED);
	ck_assert_int_eq(frame_check_lendable(0x300000), FRAME_OK);
}
END_TEST

START_TEST(kernel_categories)
{
	map_16m();
	build(16 * M);
	frame_mark_kernel(0x100000, 0x116000, FRAME_OWN_IMAGE);
	frame_mark_kernel(0xe1a000, 0xfe0000, FRAME_OWN_POOL);
	/* carved from free RAM: the table, and a reserve of which the
	 * unused rest joins the pool later */
	frame_mark_kernel(0xdf0000, 0xe01000, FRAME_OWN_TABLE);
	frame_mark_kernel(0xe01000, 0xe1a000, FRAME_OWN_SIGMA0_RESERVE);
	frame_mark_kernel(0xe10000, 0xe1a000, FRAME_OWN_POOL);
	/* marks over firmware, holes and past the table change nothing */
	frame_mark_kernel(0xa0000, 0x100000, FRAME_OWN_IMAGE);
	frame_mark_kernel(0xfe0000, 0x2000000, FRAME_OWN_POOL);
	frame_mark_kernel(0xe1a000, 0xe1a000, FRAME_OWN_TABLE);

	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_OTHER), 0);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_IMAGE), 0x16000);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_TABLE), 0x11000);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_SIGMA0_RESERVE), 0xf000);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWN_POOL), 0x1c6000 + 0xa000);
	ck_assert_uint_eq(frame_kernel_bytes(FRAME_OWNERS),
			  0x16000 + 0x11000 + 0xf000 + 0x1c6000 + 0xa000);
	ck_assert_int_eq(frame_check_lendable(0xdf0000), FRAME_KERNEL_OWNED);
	ck_assert_int_eq(frame_check_lendable(0xdef000), FRAME_OK);
	ck_assert_int_eq(frame_check_lendable(0xa0000), FRAME_NOT_RAM);
	ck_assert(!frame_is_ram(0xe10000));
	/* the count agrees with the entries */
	uint32_t owned = 0;
	for (uint32_t pa = 0; pa < 16 * M; pa += PAGE_SIZE)
		owned += frame_check_lendable(pa) == FRAME_KERNEL_OWNED;
	ck_assert_uint_eq(owned * PAGE_SIZE, frame_kernel_bytes(FRAME_OWNERS));
	ck_assert_str_eq(frame_owner_name(FRAME_OWN_TABLE), "frame-table");
	ck_assert_str_eq(frame_owner_name(FRAME_OWN_SIGMA0_RESERVE), "sigma0-reserve");
	ck_assert_str_eq(frame_owner_name(FRAME_OWNERS), "?");
}
END_TEST

START_TEST(lend_unlend_find)
{
	map_16m();
	build(16 * M);
	ck_assert_uint_eq(frame_find(1, 0x1000), 0);
	frame_lend(0x300000, 1, 0x1000, 4);
	frame_lend(0x301000, 1, 0x2000, 5);
	frame_lend(0x302000, 2, 0x1000, 4);
	ck_assert_uint_eq(frame_lent_count(), 3);
	ck_assert_uint_eq(frame_find(1, 0x1000), 0x300000);
	ck_assert_uint_eq(frame_find(1, 0x2000), 0x301000);
	ck_assert_uint_eq(frame_find(2, 0x1000), 0x302000);
	ck_assert_uint_eq(frame_find(2, 0x2000), 0);
	ck_assert_uint_eq(frame_find(3, 0x1000), 0);
	ck_assert(frame_is_lent(0x301abc));
	ck_assert(frame_is_ram(0x301000));   /* lent RAM is still RAM */
	ck_assert(frame_lent_to(0x301000, NULL, NULL, NULL));
	ck_assert(!frame_lent_to(0x303000, NULL, NULL, NULL));

	frame_unlend(0x301000);
	ck_assert_uint_eq(frame_lent_count(), 2);
	ck_assert_uint_eq(frame_find(1, 0x2000), 0);
	ck_assert(!frame_is_lent(0x301000));
	ck_assert_int_eq(frame_check_lendable(0x301000), FRAME_OK);
	ck_assert_uint_eq(frame_find(1, 0x1000), 0x300000);
	/* the same content identifier again, in another frame */
	frame_lend(0x380000, 1, 0x2000, 6);
	ck_assert_uint_eq(frame_find(1, 0x2000), 0x380000);
	frame_unlend(0x300000);
	frame_unlend(0x302000);
	frame_unlend(0x380000);
	ck_assert_uint_eq(frame_lent_count(), 0);
	ck_assert_uint_eq(frame_find(1, 0x1000), 0);
}
END_TEST

#define CHAIN 12

/* CHAIN content identifiers of task that share one bucket. */
static void same_bucket(uint32_t task, uint32_t *cids)
{
	uint32_t want = frame_bucket(task, 0x40000000), n = 0;

	cids[n++] = 0x40000000;
	for (uint32_t c = 0x40001000; n < CHAIN; c += PAGE_SIZE) {
		REQUIRE(c != 0, "not enough colliding identifiers");
		if (frame_bucket(task, c) == want)
			cids[n++] = c;
	}
}

/* Every one of the CHAIN is found where it should be (0: not lent). */
static void expect_chain(uint32_t task, const uint32_t *cids, const uint32_t *pas)
{
	for (unsigned i = 0; i < CHAIN; i++)
		REQUIRE(frame_find(task, cids[i]) == pas[i], "cid %#x: found %#x, want %#x",
			cids[i], frame_find(task, cids[i]), pas[i]);
}

START_TEST(one_bucket_chain)
{
	uint32_t cids[CHAIN], pas[CHAIN];

	map_16m();
	build(16 * M);
	same_bucket(5, cids);
	for (unsigned i = 0; i < CHAIN; i++) {
		pas[i] = 0x500000 + i * 0x3000;
		frame_lend(pas[i], 5, cids[i], 1);
	}
	ck_assert_uint_eq(frame_lent_count(), CHAIN);
	expect_chain(5, cids, pas);
	/* another task's identifiers in the same bucket do not match */
	ck_assert_uint_eq(frame_find(6, cids[3]), 0);

	/* remove from the middle of the chain (the chain is in reverse order
	 * of lending), then its head (the last lent) and its tail (the first) */
	frame_unlend(pas[CHAIN / 2]);
	pas[CHAIN / 2] = 0;
	expect_chain(5, cids, pas);
	frame_unlend(pas[CHAIN - 1]);
	pas[CHAIN - 1] = 0;
	expect_chain(5, cids, pas);
	frame_unlend(pas[0]);
	pas[0] = 0;
	expect_chain(5, cids, pas);
	ck_assert_uint_eq(frame_lent_count(), CHAIN - 3);
	/* lend the removed ones again, elsewhere */
	pas[0] = 0x700000;
	pas[CHAIN / 2] = 0x701000;
	frame_lend(pas[0], 5, cids[0], 1);
	frame_lend(pas[CHAIN / 2], 5, cids[CHAIN / 2], 1);
	expect_chain(5, cids, pas);
	/* empty the chain in an interleaved order */
	for (unsigned i = 1; i < CHAIN; i += 2)
		if (pas[i]) {
			frame_unlend(pas[i]);
			pas[i] = 0;
			expect_chain(5, cids, pas);
		}
	for (unsigned i = 0; i < CHAIN; i += 2) {
		frame_unlend(pas[i]);
		pas[i] = 0;
		expect_chain(5, cids, pas);
	}
	ck_assert_uint_eq(frame_lent_count(), 0);
}
END_TEST

/* A deterministic generator (xorshift32). */
static uint32_t rng = 2463534242u;
static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

#define MODEL_FRAMES 4096u

START_TEST(random_against_model)
{
	/* model[i]: 0 if frame i is not lent, else 1 + its (task, cid) slot */
	static uint32_t model_task[MODEL_FRAMES], model_cid[MODEL_FRAMES];
	static bool model_lent[MODEL_FRAMES];
	uint32_t lent = 0;

	map_16m();
	build(16 * M);
	memset(model_lent, 0, sizeof(model_lent));
	for (unsigned step = 0; step < 40000; step++) {
		uint32_t i = next_random() % MODEL_FRAMES, pa = i * PAGE_SIZE;
		/* few tasks, few identifiers: many collide in (task, cid) */
		uint32_t task = 1 + next_random() % 4, cid = (next_random() % 2048) * PAGE_SIZE;

		if (model_lent[i]) {
			frame_unlend(pa);
			model_lent[i] = false;
			lent--;
		} else if (frame_check_lendable(pa) == FRAME_OK && frame_find(task, cid) == 0) {
			frame_lend(pa, task, cid, step & 0xff);
			model_lent[i] = true;
			model_task[i] = task;
			model_cid[i] = cid;
			lent++;
		}
		REQUIRE(frame_lent_count() == lent, "step %u: %u lent, model %u", step,
			frame_lent_count(), lent);
		if (step % 997 != 0)
			continue;
		for (uint32_t f = 0; f < MODEL_FRAMES; f++) {
			REQUIRE(frame_is_lent(f * PAGE_SIZE) == model_lent[f], "frame %u", f);
			if (model_lent[f])
				REQUIRE(frame_find(model_task[f], model_cid[f]) == f * PAGE_SIZE,
					"step %u: frame %u not found", step, f);
		}
	}
	ck_assert_uint_gt(lent, 100);
}
END_TEST

START_TEST(size_against_ram)
{
	/* 16 bytes a frame and a bucket for every four frames the kernel can
	 * address, page-rounded: under half a percent of RAM, from 8 MB up */
	static const uint64_t tops[] = { 8 * M, 16 * M, 512 * M, PHYSMAP_LIMIT, 1 * G,
					 3 * G + 512 * M, 4 * G };
	for (unsigned i = 0; i < ARRAY_SIZE(tops); i++) {
		uint64_t frames = tops[i] / PAGE_SIZE;
		uint64_t bytes = frame_table_bytes(tops[i]);

		REQUIRE(bytes % PAGE_SIZE == 0, "%#llx: %llu bytes", (unsigned long long)tops[i],
			(unsigned long long)bytes);
		REQUIRE(bytes >= frames * sizeof(frame_t) + frames / 4 * 4 ||
			tops[i] > PHYSMAP_LIMIT, "too small for %llu frames",
			(unsigned long long)frames);
		REQUIRE(bytes * 1000 <= tops[i] * 5, "%llu bytes for %llu MB",
			(unsigned long long)bytes, (unsigned long long)(tops[i] / M));
	}
	ck_assert_uint_eq(frame_table_bytes(16 * M), 64 * K + 4 * K);
	ck_assert_uint_eq(frame_table_bytes(512 * M), 2 * M + 128 * K);
	/* above the direct map the entries grow, the buckets do not */
	ck_assert_uint_eq(frame_table_bytes(4 * G), 16 * M + 256 * K);
	ck_assert_uint_eq(frame_table_bytes(8 * G), frame_table_bytes(4 * G));
	ck_assert_uint_eq(frame_table_bytes(0), PAGE_SIZE);

	/* the table built fills exactly what was reserved */
	add(0x1000, 512 * M, MEM_FREE);
	build(512 * M);
	ck_assert_uint_eq(frame_count(), 512 * M / PAGE_SIZE);
	ck_assert_uint_eq(frame_bucket_count(), 32768);
	ck_assert_uint_le(frame_count() * sizeof(frame_t) + frame_bucket_count() * 4,
			  frame_table_bytes(512 * M));
	/* every bucket is reachable, and only those */
	for (uint32_t c = 0; c < 100000; c++)
		REQUIRE(frame_bucket(c % 7, c * PAGE_SIZE) < frame_bucket_count(), "cid %u", c);
}
END_TEST

START_TEST(size_at_8m)
{
	add(0x1000, 0x9f000, MEM_FREE);
	add(0x100000, 0x7e0000, MEM_FREE);
	build(0x7e0000);
	ck_assert_uint_eq(frame_count(), 0x7e0);
	ck_assert_uint_eq(frame_bucket_count(), 512);
	ck_assert_uint_eq(frame_table_bytes(0x7e0000), ALIGN_UP(0x7e0 * 16 + 512 * 4, PAGE_SIZE));
	/* the last entry and the buckets do not overlap: lend at the top */
	frame_lend(0x7df000, 3, 0x1000, 1);
	ck_assert_uint_eq(frame_find(3, 0x1000), 0x7df000);
	ck_assert_int_eq(frame_check_lendable(0x7e0000), FRAME_NOT_RAM);
}
END_TEST

static Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, types_from_map);
	tcase_add_test(tc, page_zero_never_ram);
	tcase_add_test(tc, above_the_direct_map);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, kernel_categories);
	tcase_add_test(tc, lend_unlend_find);
	tcase_add_test(tc, one_bucket_chain);
	tcase_add_test(tc, random_against_model);
	tcase_add_test(tc, size_against_ram);
	tcase_add_test(tc, size_at_8m);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
