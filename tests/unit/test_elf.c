/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/elf.c: tiny ELF32 images built in memory, one
 * valid and one corrupted per reject path.  Images are handed over in an
 * exactly sized heap copy, so that ASan catches any read past the end.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/elf.h>

#define EH 52
#define PH 32

typedef struct image {
	uint8_t b[4096];
	size_t size;
} image_t;

static void w16(uint8_t *p, uint16_t v) { p[0] = v & 0xFF; p[1] = v >> 8; }
static void w32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Program header i of img (laid out right after the ELF header). */
static uint8_t *ph(image_t *img, int i) { return img->b + EH + PH * i; }

static void set_ph(image_t *img, int i, uint32_t type, uint32_t off, uint32_t vaddr,
		   uint32_t filesz, uint32_t memsz, uint32_t flags)
{
	uint8_t *p = ph(img, i);

	w32(p + 0, type);
	w32(p + 4, off);
	w32(p + 8, vaddr);
	w32(p + 12, vaddr);        /* paddr == vaddr, as Lent's programs are linked */
	w32(p + 16, filesz);
	w32(p + 20, memsz);
	w32(p + 24, flags);
	w32(p + 28, 0x1000);
}

/*
 * A valid executable: text (R|X, 0x100 bytes at 0x400000), data (R|W,
 * 0x20 bytes of file + bss up to 0x1000 at 0x401000) and a PT_NOTE in
 * between that the loader must ignore.
 */
static void make_valid(image_t *img)
{
	uint8_t *e = img->b;

	memset(img, 0, sizeof(*img));
	e[0] = 0x7F; e[1] = 'E'; e[2] = 'L'; e[3] = 'F';
	e[4] = 1; e[5] = 1; e[6] = 1;
	w16(e + 16, 2);            /* ET_EXEC */
	w16(e + 18, 3);            /* EM_386 */
	w32(e + 20, 1);
	w32(e + 24, 0x400010);     /* entry */
	w32(e + 28, EH);           /* phoff */
	w16(e + 40, EH);
	w16(e + 42, PH);
	w16(e + 44, 3);            /* phnum */
	set_ph(img, 0, 1, 0x100, 0x400000, 0x100, 0x100, 5);
	set_ph(img, 1, 4, 0x200, 0, 0x10, 0x10, 4);           /* PT_NOTE */
	set_ph(img, 2, 1, 0x200, 0x401000, 0x20, 0x1000, 6);
	for (int i = 0; i < 0x100; i++)
		img->b[0x100 + i] = (uint8_t)i;
	memset(img->b + 0x200, 0xDD, 0x20);
	img->size = 0x220;
}

typedef struct record {
	int calls;
	elf_segment_t seg[4];
	int refuse_at;             /* 1-based call that returns non-zero */
} record_t;

static int record_fn(void *ctx, const elf_segment_t *seg)
{
	record_t *r = ctx;

	if (r->calls < 4)
		r->seg[r->calls] = *seg;
	r->calls++;
	return r->calls == r->refuse_at;
}

/* Load from an exactly sized copy of img. */
static int load(image_t *img, record_t *r, uint32_t *entry)
{
	uint8_t *copy = malloc(img->size ? img->size : 1);
	int rc;

	memcpy(copy, img->b, img->size);
	rc = elf_load(copy, img->size, record_fn, r, entry);
	/* the segment data must point into the copy: rebase for checks */
	for (int i = 0; i < r->calls && i < 4; i++)
		if (r->seg[i].data)
			r->seg[i].data = img->b + ((const uint8_t *)r->seg[i].data - copy);
	free(copy);
	return rc;
}

static int load_rc(image_t *img)
{
	record_t r = { 0 };
	uint32_t entry = 0xDEAD;
	int rc = load(img, &r, &entry);

	/* a rejected image is never half-loaded */
	if (rc != ELF_OK && rc != ELF_ECALLBACK) {
		ck_assert_int_eq(r.calls, 0);
		ck_assert_uint_eq(entry, 0xDEAD);
	}
	return rc;
}

START_TEST(valid_image)
{
	image_t img;
	record_t r = { 0 };
	uint32_t entry = 0, lo = 0, hi = 0;

	make_valid(&img);
	ck_assert_int_eq(load(&img, &r, &entry), ELF_OK);
	ck_assert_uint_eq(entry, 0x400010);
	ck_assert_int_eq(r.calls, 2);
	ck_assert_uint_eq(r.seg[0].vaddr, 0x400000);
	ck_assert_uint_eq(r.seg[0].paddr, 0x400000);
	ck_assert_uint_eq(r.seg[0].filesz, 0x100);
	ck_assert_uint_eq(r.seg[0].memsz, 0x100);
	ck_assert_uint_eq(r.seg[0].flags, ELF_SEG_R | ELF_SEG_X);
	ck_assert_ptr_eq(r.seg[0].data, img.b + 0x100);
	ck_assert_int_eq(((const uint8_t *)r.seg[0].data)[0x42], 0x42);
	ck_assert_uint_eq(r.seg[1].vaddr, 0x401000);
	ck_assert_uint_eq(r.seg[1].filesz, 0x20);
	ck_assert_uint_eq(r.seg[1].memsz, 0x1000);
	ck_assert_uint_eq(r.seg[1].flags, ELF_SEG_R | ELF_SEG_W);

	ck_assert_int_eq(elf_extent(img.b, img.size, &lo, &hi), ELF_OK);
	ck_assert_uint_eq(lo, 0x400000);
	ck_assert_uint_eq(hi, 0x402000);
}
END_TEST

START_TEST(null_callback_and_entry)
{
	image_t img;

	make_valid(&img);
	ck_assert_int_eq(elf_load(img.b, img.size, NULL, NULL, NULL), ELF_OK);
}
END_TEST

START_TEST(callback_refuses)
{
	image_t img;
	record_t r = { .refuse_at = 1 };
	uint32_t entry = 0xDEAD;

	make_valid(&img);
	ck_assert_int_eq(load(&img, &r, &entry), ELF_ECALLBACK);
	ck_assert_int_eq(r.calls, 1);      /* stopped at once */
	ck_assert_uint_eq(entry, 0xDEAD);
}
END_TEST

START_TEST(truncated_headers)
{
	image_t img;

	make_valid(&img);
	for (size_t n = 0; n < EH; n++) {
		img.size = n;
		ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	}
	ck_assert_int_eq(elf_load(NULL, 100, record_fn, NULL, NULL), ELF_ETRUNC);
	/* program headers cut off */
	make_valid(&img);
	img.size = EH + 3 * PH - 1;
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	/* phoff past the end */
	make_valid(&img);
	w32(img.b + 28, 0x10000);
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	/* phoff near 4 GB: the sum must not wrap to a small number */
	make_valid(&img);
	w32(img.b + 28, 0xFFFFFFF0u);
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
}
END_TEST

START_TEST(phnum_times_phentsize)
{
	image_t img;

	/* a huge phentsize with many headers: the product overflows 32 bits
	 * in naive code; it must be rejected as past the end */
	make_valid(&img);
	w16(img.b + 42, 0xFFFF);
	w16(img.b + 44, 0xFFFF);
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	/* larger-than-usual phentsize that still fits is fine */
	make_valid(&img);
	w16(img.b + 42, 48);
	w16(img.b + 44, 1);
	ck_assert_int_eq(load_rc(&img), ELF_OK);
	/* phentsize smaller than an Elf32_Phdr */
	make_valid(&img);
	w16(img.b + 42, PH - 1);
	ck_assert_int_eq(load_rc(&img), ELF_ECLASS);
}
END_TEST

START_TEST(bad_magic)
{
	image_t img;

	for (int i = 0; i < 4; i++) {
		make_valid(&img);
		img.b[i] ^= 0x20;
		ck_assert_int_eq(load_rc(&img), ELF_EMAGIC);
	}
}
END_TEST

START_TEST(bad_class)
{
	/* byte offset, bad value, field width */
	static const struct { int off, val, width; } bad[] = {
		{ 4, 2, 1 },            /* ELFCLASS64 */
		{ 5, 2, 1 },            /* big endian */
		{ 6, 0, 1 },            /* ident version */
		{ 16, 3, 2 },           /* ET_DYN */
		{ 16, 1, 2 },           /* ET_REL */
		{ 18, 62, 2 },          /* EM_X86_64 */
		{ 20, 0, 4 },           /* e_version */
		{ 40, 40, 2 },          /* e_ehsize too small */
	};
	image_t img;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_valid(&img);
		if (bad[i].width == 1)
			img.b[bad[i].off] = (uint8_t)bad[i].val;
		else if (bad[i].width == 2)
			w16(img.b + bad[i].off, (uint16_t)bad[i].val);
		else
			w32(img.b + bad[i].off, (uint32_t)bad[i].val);
		ck_assert_msg(load_rc(&img) == ELF_ECLASS, "case %zu", i);
	}
}
END_TEST

START_TEST(bad_segments)
{
	image_t img;
	uint32_t lo, hi;

	/* no program headers */
	make_valid(&img);
	w16(img.b + 44, 0);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* no PT_LOAD among them */
	make_valid(&img);
	w32(ph(&img, 0), 4);
	w32(ph(&img, 2), 6);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	ck_assert_int_eq(elf_extent(img.b, img.size, &lo, &hi), ELF_ESEGMENT);
	/* only empty PT_LOADs */
	make_valid(&img);
	set_ph(&img, 0, 1, 0x100, 0x400000, 0, 0, 5);
	set_ph(&img, 2, 1, 0x100, 0x401000, 0, 0, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* filesz > memsz */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x200, 0x401000, 0x20, 0x10, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* vaddr + memsz wraps */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x200, 0xFFFFF000u, 0x20, 0x2000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* vaddr + memsz wraps while paddr does not */
	make_valid(&img);
	w32(ph(&img, 2) + 8, 0xFFFFFF00u);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* paddr + memsz wraps while vaddr does not */
	make_valid(&img);
	w32(ph(&img, 2) + 12, 0xFFFFFF00u);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* ending exactly at the top of the address space also cannot be
	 * described by an exclusive 32-bit end */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x200, 0xFFFFF000u, 0x20, 0x1000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ESEGMENT);
	/* just below the top is fine */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x200, 0xFFFFE000u, 0x20, 0x1000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_OK);
	ck_assert_int_eq(elf_extent(img.b, img.size, &lo, &hi), ELF_OK);
	ck_assert_uint_eq(hi, 0xFFFFF000u);
}
END_TEST

START_TEST(segment_data_past_end)
{
	image_t img;

	/* p_offset + p_filesz one past the end */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x200, 0x401000, 0x21, 0x1000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	/* p_offset alone past the end */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x1000, 0x401000, 0x1, 0x1000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	/* p_offset + p_filesz wraps 32 bits */
	make_valid(&img);
	set_ph(&img, 2, 1, 0xFFFFFF00u, 0x401000, 0x200, 0x1000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_ETRUNC);
	/* exactly at the end is fine, also with filesz 0 (pure bss) */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x220, 0x401000, 0, 0x1000, 6);
	ck_assert_int_eq(load_rc(&img), ELF_OK);
	/* a broken non-LOAD header is not the loader's business */
	make_valid(&img);
	set_ph(&img, 1, 4, 0xFFFFFF00u, 0, 0x200, 0x10, 4);
	ck_assert_int_eq(load_rc(&img), ELF_OK);
}
END_TEST

START_TEST(later_bad_segment_stops_all)
{
	image_t img;
	record_t r = { 0 };

	/* the first segment is fine, the second bad: nothing is called back */
	make_valid(&img);
	set_ph(&img, 2, 1, 0x200, 0x401000, 0x20, 0x10, 6);
	ck_assert_int_eq(load(&img, &r, NULL), ELF_ESEGMENT);
	ck_assert_int_eq(r.calls, 0);
}
END_TEST

START_TEST(unaligned_image)
{
	image_t img;
	uint8_t *buf;
	record_t r = { 0 };
	uint32_t entry = 0;

	make_valid(&img);
	buf = malloc(img.size + 1);
	memcpy(buf + 1, img.b, img.size);
	ck_assert_int_eq(elf_load(buf + 1, img.size, record_fn, &r, &entry), ELF_OK);
	ck_assert_uint_eq(entry, 0x400010);
	ck_assert_int_eq(r.calls, 2);
	ck_assert_ptr_eq(r.seg[0].data, buf + 1 + 0x100);
	free(buf);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, valid_image);
	tcase_add_test(tc, null_callback_and_entry);
	tcase_add_test(tc, callback_refuses);
	tcase_add_test(tc, truncated_headers);
	tcase_add_test(tc, phnum_times_phentsize);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_class);
	tcase_add_test(tc, bad_segments);
	tcase_add_test(tc, segment_data_past_end);
	tcase_add_test(tc, later_bad_segment_stops_all);
	tcase_add_test(tc, unaligned_image);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(elf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
