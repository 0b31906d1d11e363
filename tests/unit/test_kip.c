/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/kip.c.  The page is read back the way an X.2 user
 * library reads it: by byte offsets and bit fields as the X.2 manual and
 * Pistachio's user/include/l4/kip.h define them, not through kip.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/kip.h>

static uint32_t page[1024] __attribute__((aligned(4096)));
static mem_map_t mem;
static kip_config_t cfg;

static uint32_t w(uint32_t off) { return page[off / 4]; }
static const uint8_t *bytes(uint32_t off) { return (const uint8_t *)page + off; }

static void setup(void)
{
	memset(page, 0, sizeof(page));
	memmap_init(&mem);
	memmap_add(&mem, 0, 0x9F000, MEM_FREE);
	memmap_add(&mem, 0x9F000, 0x100000, MEM_RESERVED);
	memmap_add(&mem, 0x100000, 0x180000, MEM_KERNEL);
	memmap_add(&mem, 0x180000, 0x400000, MEM_FREE);
	memmap_add(&mem, 0x400000, 0x420000, MEM_ROOTTASK);
	memmap_add(&mem, 0x420000, 0x500000, MEM_BOOTLOADER);
	memmap_add(&mem, 0x500000, 0x7FE0000, MEM_FREE);

	memset(&cfg, 0, sizeof(cfg));
	cfg.kernel_id = (0x7Eu << 24) | (0x01u << 16);
	cfg.kernel_version = 0x00010002;
	cfg.kernel_name = "Lent L4 X.2 for IA-32";
	cfg.thread_user_base = 16;
	cfg.thread_system_base = 16;   /* the kernel's: 16 interrupt threads */
	cfg.thread_bits = 18;
	cfg.utcb_min_log2 = 12;
	cfg.utcb_align_log2 = 9;
	cfg.utcb_size = 512;
	cfg.kip_area_log2 = 12;
	cfg.page_sizes = 1u << 12;
	cfg.page_rwx = 6;
	cfg.clock_schedule_prec = 1000;
	cfg.clock_read_prec = 1;
	cfg.processor_khz = 1234567;
	cfg.boot_info = 0x0009500;
	cfg.sigma0 = (kip_server_t){ 0x11, 0x400010, 0x400000, 0x410000 };
	cfg.sigma1 = (kip_server_t){ 0x22, 0x33, 0x44, 0x55 };
	cfg.root = (kip_server_t){ 0x66, 0x600020, 0x600000, 0x620000 };
	for (int i = 0; i < KIP_SC_COUNT; i++)
		cfg.syscall_offset[i] = 0x800 + 0x20 * i;
	cfg.memory = &mem;
	cfg.virtual_start = 0;
	cfg.virtual_end = 0xC0000000u;
}

/* ---- decoders written from the X.2 manual ---- */

typedef struct memdesc {
	uint32_t type, sub, virt, low, high;
} memdesc_t;

static memdesc_t desc(unsigned i)
{
	uint32_t info = w(0x54), ptr = info >> 16;
	uint32_t lo = w(ptr + 8 * i), hi = w(ptr + 8 * i + 4);

	ck_assert_uint_lt(i, info & 0xFFFF);
	return (memdesc_t){ lo & 0xF, (lo >> 4) & 0xF, (lo >> 9) & 1, lo & ~0x3FFu,
			    (hi & ~0x3FFu) + 0x3FF };
}

static void expect_desc(unsigned i, uint32_t type, uint32_t sub, uint32_t virt,
			uint32_t low, uint32_t high)
{
	memdesc_t d = desc(i);

	ck_assert_msg(d.type == type && d.sub == sub && d.virt == virt && d.low == low &&
		      d.high == high,
		      "desc %u: type %x/%x v%u [%#x,%#x], expected %x/%x v%u [%#x,%#x]", i,
		      d.type, d.sub, d.virt, d.low, d.high, type, sub, virt, low, high);
}

static int month_of(const char *d)
{
	static const char *m[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	for (int i = 0; i < 12; i++)
		if (!strncmp(d, m[i], 3))
			return i + 1;
	return 0;
}

START_TEST(header_words)
{
	uint32_t end = 0;

	ck_assert_int_ge(kip_build(page, &cfg, &end), 0);
	ck_assert_mem_eq(bytes(0), "L4\xE6K", 4);
	ck_assert_uint_eq(w(0x04) >> 24, 0x84);             /* X.2 */
	ck_assert_uint_eq((w(0x04) >> 16) & 0xFF, 0x05);    /* as Pistachio */
	ck_assert_uint_eq(w(0x04) & 0xFFFF, 0);
	ck_assert_uint_eq(w(0x08), 0);                      /* LE, 32-bit */
	ck_assert_uint_eq(kip_offset_boot_info(), 0xB8);
	ck_assert_uint_eq(w(0xB8), 0x9500);
	ck_assert_uint_eq(kip_offset_clock(), 0);
	/* kdebug fields stay empty */
	for (uint32_t off = 0x10; off < 0x20; off += 4)
		ck_assert_uint_eq(w(off), 0);
}
END_TEST

START_TEST(kernel_descriptor)
{
	uint32_t kd, date;
	const char *today = __DATE__;

	ck_assert_int_ge(kip_build(page, &cfg, NULL), 0);
	kd = w(0x0C);
	ck_assert_uint_ge(kd, 0x120);
	ck_assert_uint_eq(kd % 4, 0);
	ck_assert_uint_eq(w(kd), cfg.kernel_id);
	date = w(kd + 4);
	ck_assert_uint_eq(date & 0x1F, (uint32_t)atoi(today + 4));
	ck_assert_uint_eq((date >> 5) & 0xF, (uint32_t)month_of(today));
	ck_assert_uint_eq(((date >> 9) & 0x7F) + 2000, (uint32_t)atoi(today + 7));
	ck_assert_uint_eq(date >> 16, 0);
	ck_assert_uint_eq(w(kd + 8), 0x00010002);
	ck_assert_mem_eq(bytes(kd + 12), "Lent", 4);
	ck_assert_str_eq((const char *)bytes(kd + 16), cfg.kernel_name);
	/* the feature list after the version string is empty */
	ck_assert_uint_eq(*bytes(kd + 16 + strlen(cfg.kernel_name) + 1), 0);
}
END_TEST

START_TEST(feature_strings)
{
	static const char *const feats[] = { "pagerexregs", "smallspaces", NULL };
	uint32_t kd, off;

	cfg.features = feats;
	ck_assert_int_ge(kip_build(page, &cfg, NULL), 0);
	kd = w(0x0C);
	off = kd + 16 + (uint32_t)strlen(cfg.kernel_name) + 1;
	ck_assert_str_eq((const char *)bytes(off), "pagerexregs");
	off += 12;
	ck_assert_str_eq((const char *)bytes(off), "smallspaces");
	off += 12;
	ck_assert_uint_eq(*bytes(off), 0);
	/* the memory descriptors start past the list */
	ck_assert_uint_gt(w(0x54) >> 16, off);
}
END_TEST

START_TEST(default_name)
{
	cfg.kernel_name = NULL;
	ck_assert_int_ge(kip_build(page, &cfg, NULL), 0);
	ck_assert_str_eq((const char *)bytes(w(0x0C) + 16), "Lent");
}
END_TEST

START_TEST(servers)
{
	ck_assert_int_ge(kip_build(page, &cfg, NULL), 0);
	ck_assert_uint_eq(w(0x20), 0x11);
	ck_assert_uint_eq(w(0x24), 0x400010);
	ck_assert_uint_eq(w(0x28), 0x400000);
	ck_assert_uint_eq(w(0x2C), 0x410000);
	ck_assert_uint_eq(w(0x30), 0x22);
	ck_assert_uint_eq(w(0x34), 0x33);
	ck_assert_uint_eq(w(0x38), 0x44);
	ck_assert_uint_eq(w(0x3C), 0x55);
	ck_assert_uint_eq(w(0x40), 0x66);
	ck_assert_uint_eq(w(0x44), 0x600020);
	ck_assert_uint_eq(w(0x48), 0x600000);
	ck_assert_uint_eq(w(0x4C), 0x620000);
}
END_TEST

START_TEST(info_fields)
{
	uint32_t u, pd;

	ck_assert_int_ge(kip_build(page, &cfg, NULL), 0);
	/* UtcbAreaInfo: m 0..9, a 10..15, s 16..21 */
	u = w(0xA8);
	ck_assert_uint_eq(u & 0x3FF, 1);
	ck_assert_uint_eq((u >> 10) & 0x3F, 9);
	ck_assert_uint_eq((u >> 16) & 0x3F, 12);
	ck_assert_uint_eq((1u << ((u >> 10) & 0x3F)) * (u & 0x3FF), 512);   /* UtcbSize */
	ck_assert_uint_eq(w(0xAC), 12);                     /* KipAreaInfo */
	/* ClockInfo: read precision low, schedule precision high */
	ck_assert_uint_eq(w(0xC0), 1 | (1000u << 16));
	/* ThreadInfo: t 0..7, SystemBase 8..19, UserBase 20..31 */
	ck_assert_uint_eq(w(0xC4) & 0xFF, 18);
	ck_assert_uint_eq((w(0xC4) >> 8) & 0xFFF, 16);
	ck_assert_uint_eq(w(0xC4) >> 20, 16);
	/* PageInfo: rwx 0..2, page size mask from bit 10 */
	ck_assert_uint_eq(w(0xC8) & 7, 6);
	ck_assert_uint_eq((w(0xC8) >> 10) << 10, 0x1000);
	/* ProcessorInfo: one processor, descriptors of 2^s bytes */
	ck_assert_uint_eq(w(0xCC) & 0xFFFF, 0);
	ck_assert_uint_eq(w(0xCC) >> 28, 4);
	pd = w(0xBC);
	ck_assert_uint_ge(pd, 0x120);
	ck_assert_uint_eq(w(pd + 4), 1234567);               /* InternalFreq */
}
END_TEST

START_TEST(syscall_offsets)
{
	static const struct { uint32_t off; int sc; } order[] = {
		{ 0xD0, KIP_SC_SPACE_CONTROL },  { 0xD4, KIP_SC_THREAD_CONTROL },
		{ 0xD8, KIP_SC_PROCESSOR_CONTROL }, { 0xDC, KIP_SC_MEMORY_CONTROL },
		{ 0xE0, KIP_SC_IPC },            { 0xE4, KIP_SC_LIPC },
		{ 0xE8, KIP_SC_UNMAP },          { 0xEC, KIP_SC_EXCHANGE_REGISTERS },
		{ 0xF0, KIP_SC_SYSTEM_CLOCK },   { 0xF4, KIP_SC_THREAD_SWITCH },
		{ 0xF8, KIP_SC_SCHEDULE },
		{ 0xFC, KIP_SC_KMEM_CONTROL },   /* Lent's extension, in a reserved word */
	};

	ck_assert_int_ge(kip_build(page, &cfg, NULL), 0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		ck_assert_uint_eq(w(order[i].off), 0x800 + 0x20 * (uint32_t)order[i].sc);
	/* the other reserved words and ArchSyscall0..3 after them stay zero */
	for (uint32_t off = 0x100; off < 0x120; off += 4)
		ck_assert_uint_eq(w(off), 0);
}
END_TEST

START_TEST(memory_descriptors)
{
	int n = kip_build(page, &cfg, NULL);
	uint32_t ptr = w(0x54) >> 16;

	ck_assert_int_eq(n, 1 + 7);
	ck_assert_uint_eq(w(0x54) & 0xFFFF, 8);
	ck_assert_uint_eq(ptr % 8, 0);
	ck_assert_uint_gt(ptr, w(0x0C) + 16 + strlen(cfg.kernel_name));
	expect_desc(0, 1, 0, 1, 0, 0xBFFFFFFF);                     /* user virtual */
	expect_desc(1, 1, 0, 0, 0, 0x9EFFF);                       /* free */
	expect_desc(2, 2, 0, 0, 0x9F000, 0xFFFFF);                 /* reserved */
	expect_desc(3, 2, 0, 0, 0x100000, 0x17FFFF);               /* kernel */
	expect_desc(4, 1, 0, 0, 0x180000, 0x3FFFFF);
	expect_desc(5, 0xE, 2, 0, 0x400000, 0x41FFFF);             /* init servers */
	expect_desc(6, 0xE, 3, 0, 0x420000, 0x4FFFFF);             /* boot modules */
	expect_desc(7, 1, 0, 0, 0x500000, 0x7FDFFFF);
}
END_TEST

START_TEST(memory_above_4g)
{
	memmap_add(&mem, 0xFFFC0000u, 0x100000000ull, MEM_RESERVED);
	memmap_add(&mem, 0x100000000ull, 0x200000000ull, MEM_FREE);
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 1 + 8);   /* 4 GB+ left out */
	expect_desc(8, 2, 0, 0, 0xFFFC0000u, 0xFFFFFFFFu);
	/* a region across 4 GB is clipped */
	memmap_init(&mem);
	memmap_add(&mem, 0xF0000000u, 0x180000000ull, MEM_FREE);
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 2);
	expect_desc(1, 1, 0, 0, 0xF0000000u, 0xFFFFFFFFu);
}
END_TEST

/* A 3 GB machine's map as kernel_main makes it: every byte of RAM
 * below 4 GB that sigma0 can map (below 0xC0000000), above the 896 MB
 * direct map too, is one conventional descriptor; RAM from 3 GB up is
 * reserved. */
START_TEST(memory_3g_all_conventional)
{
	memmap_init(&mem);
	memmap_add(&mem, 0, 0x9F000, MEM_FREE);
	memmap_add(&mem, 0x9F000, 0x100000, MEM_RESERVED);
	memmap_add(&mem, 0x100000, 0xBFFE0000u, MEM_FREE);
	memmap_add(&mem, 0xBFFE0000u, 0xC0000000u, MEM_RESERVED);
	memmap_add(&mem, 0x100000, 0x180000, MEM_KERNEL);
	memmap_add(&mem, 0x37000000, 0x38000000, MEM_KERNEL);  /* kernel memory at the top of the direct map */
	memmap_add(&mem, 0xFFFC0000u, 0x100000000ull, MEM_RESERVED);
	ck_assert_int_eq(memmap_reserve_from(&mem, 0xC0000000u), 0);
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 1 + 8);
	expect_desc(1, 1, 0, 0, 0, 0x9EFFF);
	expect_desc(2, 2, 0, 0, 0x9F000, 0xFFFFF);
	expect_desc(3, 2, 0, 0, 0x100000, 0x17FFFF);
	expect_desc(4, 1, 0, 0, 0x180000, 0x36FFFFFF);
	expect_desc(5, 2, 0, 0, 0x37000000, 0x37FFFFFF);
	expect_desc(6, 1, 0, 0, 0x38000000, 0xBFFDFFFFu);           /* above 896 MB */
	expect_desc(7, 2, 0, 0, 0xBFFE0000u, 0xBFFFFFFFu);
	expect_desc(8, 2, 0, 0, 0xFFFC0000u, 0xFFFFFFFFu);
	/* 3.5 GB: the RAM from 3 GB (0xC0000000) up is reserved */
	memmap_init(&mem);
	memmap_add(&mem, 0x100000, 0xE0000000u, MEM_FREE);
	ck_assert_int_eq(memmap_reserve_from(&mem, 0xC0000000u), 0);
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 1 + 2);
	expect_desc(1, 1, 0, 0, 0x100000, 0xBFFFFFFFu);
	expect_desc(2, 2, 0, 0, 0xC0000000u, 0xDFFFFFFFu);
}
END_TEST

START_TEST(no_memory_no_virtual)
{
	cfg.memory = NULL;
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 1);
	expect_desc(0, 1, 0, 1, 0, 0xBFFFFFFF);
	cfg.virtual_end = cfg.virtual_start;
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 0);
	ck_assert_uint_eq(w(0x54) & 0xFFFF, 0);
}
END_TEST

START_TEST(stays_below_stubs)
{
	uint32_t end = 0, lowest = 0x800;

	/* everything after the area kip_build reports is left alone */
	memset(page, 0xCC, sizeof(page));
	ck_assert_int_ge(kip_build(page, &cfg, &end), 0);
	ck_assert_uint_le(end, lowest);
	ck_assert_uint_eq(end, (w(0x54) >> 16) + 8 * (w(0x54) & 0xFFFF));
	for (uint32_t off = end; off < sizeof(page); off++)
		if (bytes(off)[0] != 0xCC)
			ck_abort_msg("byte %#x written past used_end %#x", off, end);
	/* unused gaps inside the used area are zero */
	ck_assert_uint_eq(w(0x50), 0);
	ck_assert_uint_eq(w(0xB0), 0);
}
END_TEST

START_TEST(does_not_fit)
{
	static char name[3000];
	uint8_t before[4096];

	/* stubs placed too low for the descriptors */
	for (int i = 0; i < KIP_SC_COUNT; i++)
		cfg.syscall_offset[i] = 0x180 + 0x10 * i;
	memset(page, 0xCC, sizeof(page));
	memcpy(before, page, sizeof(before));
	ck_assert_int_eq(kip_build(page, &cfg, NULL), -1);
	ck_assert_mem_eq(page, before, sizeof(before));
	/* one stub low is enough to refuse */
	setup();
	cfg.syscall_offset[KIP_SC_SCHEDULE] = 0x150;
	ck_assert_int_eq(kip_build(page, &cfg, NULL), -1);
	/* an offset outside the page */
	setup();
	cfg.syscall_offset[KIP_SC_IPC] = 4096;
	ck_assert_int_eq(kip_build(page, &cfg, NULL), -1);
	/* a version string too long */
	setup();
	memset(name, 'x', sizeof(name) - 1);
	cfg.kernel_name = name;
	ck_assert_int_eq(kip_build(page, &cfg, NULL), -1);
	/* but it fits when the stubs sit at the end of the page */
	for (int i = 0; i < KIP_SC_COUNT; i++)
		cfg.syscall_offset[i] = 0xF00 + 0x10 * i;
	ck_assert_int_eq(kip_build(page, &cfg, NULL), 8);
	ck_assert_str_eq((const char *)bytes(w(0x0C) + 16), name);
}
END_TEST

static Suite *kip_suite(void)
{
	Suite *s = suite_create("kip");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, header_words);
	tcase_add_test(tc, kernel_descriptor);
	tcase_add_test(tc, feature_strings);
	tcase_add_test(tc, default_name);
	tcase_add_test(tc, servers);
	tcase_add_test(tc, info_fields);
	tcase_add_test(tc, syscall_offsets);
	tcase_add_test(tc, memory_descriptors);
	tcase_add_test(tc, memory_above_4g);
	tcase_add_test(tc, memory_3g_all_conventional);
	tcase_add_test(tc, no_memory_no_virtual);
	tcase_add_test(tc, stays_below_stubs);
	tcase_add_test(tc, does_not_fit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kip_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
