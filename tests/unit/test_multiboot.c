/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for arch/ia32/multiboot.c.  Memory maps are built byte by
 * byte and handed over in exactly sized heap buffers (ASan sees overreads).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arch/multiboot.h>

#define K 1024ull
#define M (1024ull * 1024)
#define G (1024ull * M)

typedef struct mmap_buf {
	uint8_t b[1024];
	uint32_t len;
} mmap_buf_t;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Append one entry whose size field is `size` (20 normally). */
static void entry(mmap_buf_t *m, uint32_t size, uint64_t addr, uint64_t len, uint32_t type)
{
	uint8_t *p = m->b + m->len;

	memset(p, 0, 4 + size);
	put32(p, size);
	if (size >= 8)
		put64(p + 4, addr);
	if (size >= 16)
		put64(p + 12, len);
	if (size >= 20)
		put32(p + 20, type);
	m->len += 4 + size;
}

static mem_map_t map;

static int parse(mmap_buf_t *m, uint32_t flags, int misalign)
{
	multiboot_info_t mbi;
	uint8_t *copy = malloc(m->len + misalign + 1);
	int rc;

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = flags;
	mbi.mmap_length = m->len;
	memcpy(copy + misalign, m->b, m->len);
	memmap_init(&map);
	rc = multiboot_parse_mmap(&mbi, copy + misalign, &map);
	free(copy);
	return rc;
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

/* What QEMU's BIOS reports for 128 MB. */
static void qemu_map(mmap_buf_t *m)
{
	memset(m, 0, sizeof(*m));
	entry(m, 20, 0, 0x9FC00, 1);
	entry(m, 20, 0x9FC00, 0x400, 2);
	entry(m, 20, 0xF0000, 0x10000, 2);
	entry(m, 20, 0x100000, 0x7EE0000, 1);
	entry(m, 20, 0x7FE0000, 0x20000, 2);
	entry(m, 20, 0xFFFC0000, 0x40000, 2);
}

static void check_qemu_result(void)
{
	ck_assert_uint_eq(map.n, 6);
	expect(0, 0, 0x9F000, MEM_FREE);              /* shrunk to whole pages */
	expect(1, 0x9F000, 0xA0000, MEM_RESERVED);    /* widened */
	expect(2, 0xF0000, 0x100000, MEM_RESERVED);
	expect(3, 0x100000, 0x7FE0000, MEM_FREE);
	expect(4, 0x7FE0000, 0x8000000, MEM_RESERVED);
	expect(5, 0xFFFC0000, 4 * G, MEM_RESERVED);
	ck_assert_uint_eq(memmap_top(&map), 0x7FE0000);
}

START_TEST(qemu_memory_map)
{
	mmap_buf_t m;

	qemu_map(&m);
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP | MBI_FLAG_MEM, 0), 6);
	check_qemu_result();
}
END_TEST

START_TEST(unaligned_map)
{
	mmap_buf_t m;

	qemu_map(&m);
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 1), 6);
	check_qemu_result();
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 3), 6);
	check_qemu_result();
}
END_TEST

START_TEST(larger_entries)
{
	mmap_buf_t m = { .len = 0 };

	/* ACPI 3.0 maps carry 24-byte entries (extended attributes) */
	entry(&m, 24, 0, 0x9F000, 1);
	entry(&m, 24, 0x100000, 0x700000, 1);
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 0), 2);
	ck_assert_uint_eq(map.n, 2);
	expect(1, 0x100000, 0x800000, MEM_FREE);
}
END_TEST

START_TEST(bogus_entries_skipped)
{
	mmap_buf_t m = { .len = 0 };

	entry(&m, 20, 0x100000, 0x100000, 1);
	entry(&m, 16, 0x300000, 0x100000, 1);            /* no type: skipped */
	entry(&m, 12, 0x300000, 0x100000, 1);            /* too short: skipped */
	entry(&m, 0, 0, 0, 0);                           /* empty: skipped */
	entry(&m, 20, 0x400000, 0, 1);                   /* zero length */
	entry(&m, 20, 0xFFFFFFFFFFFFF000ull, 0x2000, 1); /* wraps */
	entry(&m, 20, 0x500000, 0x100000, 1);            /* still found */
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 0), 2);
	ck_assert_uint_eq(map.n, 2);
	expect(0, 0x100000, 0x200000, MEM_FREE);
	expect(1, 0x500000, 0x600000, MEM_FREE);
	/* a short entry at the very end: its missing type is not read */
	memset(&m, 0, sizeof(m));
	entry(&m, 20, 0x100000, 0x100000, 1);
	entry(&m, 16, 0x300000, 0x100000, 1);
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 0), 1);
	ck_assert_uint_eq(map.n, 1);
}
END_TEST

START_TEST(truncated_map)
{
	mmap_buf_t m = { .len = 0 };

	entry(&m, 20, 0x100000, 0x100000, 1);
	entry(&m, 20, 0x300000, 0x100000, 1);
	/* the last entry runs past mmap_length: ignored, nothing read past */
	for (uint32_t cut = 1; cut < 24; cut++) {
		mmap_buf_t t = m;

		t.len -= cut;
		ck_assert_int_eq(parse(&t, MBI_FLAG_MMAP, 0), 1);
		ck_assert_uint_eq(map.n, 1);
		expect(0, 0x100000, 0x200000, MEM_FREE);
	}
	/* a size field claiming more than the whole map */
	memset(&m, 0, sizeof(m));
	entry(&m, 20, 0x100000, 0x100000, 1);
	put32(m.b, 0xFFFFFFF0u);
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 0), -1);
}
END_TEST

START_TEST(types_and_overlaps)
{
	mmap_buf_t m = { .len = 0 };

	entry(&m, 20, 0, 16 * M, 1);
	entry(&m, 20, 15 * M, 1 * M, 3);    /* ACPI reclaimable: not free */
	entry(&m, 20, 14 * M, 1 * M, 4);    /* ACPI NVS */
	entry(&m, 20, 13 * M, 1 * M, 5);    /* bad RAM */
	entry(&m, 20, 12 * M, 1 * M, 77);   /* unknown */
	entry(&m, 20, 12 * M, 4 * M, 1);    /* RAM again: yields */
	entry(&m, 20, 4 * G, 4 * G, 1);     /* above 4 GB */
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 0), 7);
	ck_assert_uint_eq(map.n, 3);
	expect(0, 0, 12 * M, MEM_FREE);
	expect(1, 12 * M, 16 * M, MEM_RESERVED);
	expect(2, 4 * G, 8 * G, MEM_FREE);
	ck_assert_uint_eq(memmap_total(&map, MEM_FREE), 12 * M + 4 * G);
}
END_TEST

START_TEST(fallback_mem_lower_upper)
{
	multiboot_info_t mbi;
	mmap_buf_t m = { .len = 0 };

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MBI_FLAG_MEM;
	mbi.mem_lower = 639;
	mbi.mem_upper = 127 * 1024;
	memmap_init(&map);
	ck_assert_int_eq(multiboot_parse_mmap(&mbi, NULL, &map), 2);
	ck_assert_uint_eq(map.n, 2);
	expect(0, 0, 0x9F000, MEM_FREE);
	expect(1, 1 * M, 128 * M, MEM_FREE);

	/* a map flag with an empty map falls back as well */
	mbi.flags = MBI_FLAG_MEM | MBI_FLAG_MMAP;
	mbi.mmap_length = 0;
	memmap_init(&map);
	ck_assert_int_eq(multiboot_parse_mmap(&mbi, m.b, &map), 2);
	ck_assert_uint_eq(memmap_top(&map), 128 * M);
}
END_TEST

START_TEST(nothing_usable)
{
	multiboot_info_t mbi;
	mmap_buf_t m = { .len = 0 };

	memset(&mbi, 0, sizeof(mbi));
	memmap_init(&map);
	ck_assert_int_eq(multiboot_parse_mmap(&mbi, NULL, &map), -1);
	ck_assert_int_eq(multiboot_parse_mmap(NULL, NULL, &map), -1);
	mbi.flags = MBI_FLAG_MEM;   /* both sizes zero */
	ck_assert_int_eq(multiboot_parse_mmap(&mbi, NULL, &map), -1);
	entry(&m, 20, 0x100000, 0, 1);
	ck_assert_int_eq(parse(&m, MBI_FLAG_MMAP, 0), -1);
	ck_assert_uint_eq(map.n, 0);
}
END_TEST

static Suite *multiboot_suite(void)
{
	Suite *s = suite_create("multiboot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, qemu_memory_map);
	tcase_add_test(tc, unaligned_map);
	tcase_add_test(tc, larger_entries);
	tcase_add_test(tc, bogus_entries_skipped);
	tcase_add_test(tc, truncated_map);
	tcase_add_test(tc, types_and_overlaps);
	tcase_add_test(tc, fallback_mem_lower_upper);
	tcase_add_test(tc, nothing_usable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(multiboot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
