/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/bootinfo.c: the records are read back the way
 * Pistachio's user/include/l4/bootinfo.h reads them (header, then records
 * chained by offset_next, command lines at cmdline_offset from their
 * record), with 32-bit words as on IA-32.
 */
#include <check.h>
#include <string.h>
#include <stdint.h>
#include <kernel/bootinfo.h>

static uint8_t buf[4096] __attribute__((aligned(4)));

static uint32_t word(const uint8_t *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static const boot_module_t mods[] = {
	{ 0x18c000, 0x1a58e7, "sigma0" },
	{ 0x1a6000, 0x3f0b47, "root" },
	{ 0x400000, 0x400001, "/boot/data.bin a=1 b" },
};

/* Walk the chain; check every record against mods[0..n) and the MBI. */
static void check_records(const uint8_t *b, unsigned n, uint32_t mbi)
{
	uint32_t off = word(b, 12), i;

	ck_assert_uint_eq(word(b, 16), n + 1);
	for (i = 0; i < n; i++) {
		const uint8_t *r = b + off;
		const char *cmd = mods[i].name ? mods[i].name : "";

		ck_assert_uint_eq(word(r, 0), BOOTINFO_TYPE_MODULE);
		ck_assert_uint_eq(word(r, 4), 1);
		ck_assert_uint_eq(word(r, 12), mods[i].start);
		ck_assert_uint_eq(word(r, 16), mods[i].end - mods[i].start);
		ck_assert_uint_eq(word(r, 20), 24);
		ck_assert_str_eq((const char *)r + word(r, 20), cmd);
		/* the next record starts word-aligned after the NUL */
		ck_assert_uint_eq(word(r, 8) % 4, 0);
		ck_assert_uint_ge(word(r, 8), 24 + strlen(cmd) + 1);
		ck_assert_uint_lt(word(r, 8), 24 + strlen(cmd) + 1 + 4);
		off += word(r, 8);
	}
	ck_assert_uint_eq(word(b + off, 0), BOOTINFO_TYPE_MULTIBOOT);
	ck_assert_uint_eq(word(b + off, 4), 1);
	ck_assert_uint_eq(word(b + off, 8), 16);
	ck_assert_uint_eq(word(b + off, 12), mbi);
	/* the chain ends exactly at the size the header gives */
	ck_assert_uint_eq(off + 16, word(b, 8));
}

START_TEST(header)
{
	uint32_t size = bootinfo_size(mods, 3);

	memset(buf, 0xEE, sizeof(buf));
	ck_assert_uint_eq(bootinfo_build(buf, sizeof(buf), mods, 3, 0x9500), size);
	ck_assert_uint_eq(word(buf, 0), 0x14b0021d);
	ck_assert_uint_eq(word(buf, 4), 1);
	ck_assert_uint_eq(word(buf, 8), size);
	ck_assert_uint_eq(word(buf, 12), 32);
	ck_assert_uint_eq(word(buf, 16), 4);
	ck_assert_uint_eq(word(buf, 20), 0);
	ck_assert_uint_eq(word(buf, 24), 0);
	ck_assert_uint_eq(word(buf, 28), 0);
	/* 32 + (24 + 8) + (24 + 8) + (24 + 24) + 16 */
	ck_assert_uint_eq(size, 160);
	ck_assert_uint_eq(buf[size], 0xEE);          /* nothing written past it */
}
END_TEST

START_TEST(records)
{
	ck_assert_uint_ne(bootinfo_build(buf, sizeof(buf), mods, 3, 0x12345678), 0);
	check_records(buf, 3, 0x12345678);
}
END_TEST

START_TEST(no_modules)
{
	ck_assert_uint_eq(bootinfo_size(mods, 0), 48);
	ck_assert_uint_eq(bootinfo_build(buf, sizeof(buf), mods, 0, 0x9500), 48);
	check_records(buf, 0, 0x9500);
}
END_TEST

/* A module without a command line gets "" (kickstart always copies one),
 * never a zero cmdline_offset that a program would take as a NULL. */
START_TEST(module_without_cmdline)
{
	boot_module_t m[2] = { { 0x1000, 0x3000, NULL }, { 0x5000, 0x6000, "" } };
	uint8_t *r = buf + 32;

	ck_assert_uint_eq(bootinfo_build(buf, sizeof(buf), m, 2, 1), 32 + 28 + 28 + 16);
	ck_assert_uint_eq(word(r, 20), 24);
	ck_assert_uint_eq(r[24], 0);
	ck_assert_uint_eq(word(r, 8), 28);
	ck_assert_uint_eq(word(r + 28, 16), 0x1000);
	ck_assert_uint_eq(r[28 + 24], 0);
}
END_TEST

/* Too small a buffer: 0, and not a byte written. */
START_TEST(does_not_fit)
{
	uint32_t size = bootinfo_size(mods, 3);

	memset(buf, 0xEE, sizeof(buf));
	ck_assert_uint_eq(bootinfo_build(buf, size - 1, mods, 3, 1), 0);
	for (uint32_t i = 0; i < size; i++)
		ck_assert_uint_eq(buf[i], 0xEE);
	ck_assert_uint_eq(bootinfo_build(buf, size, mods, 3, 1), size);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bootinfo");
	TCase *tc = tcase_create("build");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, header);
	tcase_add_test(tc, records);
	tcase_add_test(tc, no_modules);
	tcase_add_test(tc, module_without_cmdline);
	tcase_add_test(tc, does_not_fit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
