/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/iofpage.h: the X.2 IA-32 I/O fpage format (as
 * Pistachio's user library builds it: port in bits 16..31, size in
 * 10..15, the marker 2 in 4..9), where ports live in the mapping
 * database and which CIDs their kernel memory has, the permission
 * bitmap, and which ports an I/O instruction touches.
 */
#include <check.h>
#include <string.h>
#include <kernel/iofpage.h>
#include <kernel/kmem_order.h>

START_TEST(format_as_pistachio_builds_it)
{
	/* L4_IoFpageLog2(0x3f8, 3) with rights 0, and COM1's scratch port. */
	ck_assert_uint_eq(iofpage_make(0x3f8, 3, 0), 0x03f80c20u);
	ck_assert_uint_eq(iofpage_make(0x3ff, 0, 0), 0x03ff0020u);
	ck_assert(iofpage_is(0x03f80c20u));
	ck_assert(iofpage_is(0x03f80c27u));          /* rights do not matter */
	ck_assert_uint_eq(iofpage_port(0x03f80c27u), 0x3f8);
	ck_assert_uint_eq(iofpage_log2(0x03f80c27u), 3);
	/* Memory fpages are never I/O fpages: their bits 4..9 hold a size
	 * of at least 12, the complete space 1, nil 0. */
	ck_assert(!iofpage_is(0));
	ck_assert(!iofpage_is(1u << 4));
	ck_assert(!iofpage_is((12u << 4) | 0x1000u));
	ck_assert(!iofpage_is(32u << 4));
}
END_TEST

START_TEST(bad_sizes_and_bases)
{
	uint32_t first, count;

	/* Above 2^16 ports: not usable, nothing spanned. */
	ck_assert(!iofpage_valid(iofpage_make(0, 17, 0)));
	ck_assert(!iofpage_span(iofpage_make(0, 17, 0), 0, &first, &count));
	ck_assert(!iofpage_span(iofpage_make(0xffff, 63, 0), 0, &first, &count));
	ck_assert(iofpage_valid(iofpage_make(0, 16, 0)));
	ck_assert(iofpage_span(iofpage_make(0, 16, 0), 0, &first, &count));
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(count, 65536);
	/* A base not aligned to the size is aligned down. */
	ck_assert(iofpage_span(iofpage_make(0x3fd, 2, 7), 0, &first, &count));
	ck_assert_uint_eq(first, 0x3fc);
	ck_assert_uint_eq(count, 4);
	ck_assert_uint_eq(iofpage_port(iofpage_make(0xffff, 16, 0)), 0);
	/* A window that is an I/O fpage limits the ports; disjoint: none. */
	ck_assert(iofpage_span(iofpage_make(0x3f8, 3, 0), iofpage_make(0x3fc, 1, 0), &first, &count));
	ck_assert_uint_eq(first, 0x3fc);
	ck_assert_uint_eq(count, 2);
	ck_assert(!iofpage_span(iofpage_make(0x3f8, 3, 0), iofpage_make(0x2f8, 3, 0), &first, &count));
	ck_assert(!iofpage_span(iofpage_make(0x3f8, 3, 0), iofpage_make(0, 20, 0), &first, &count));
	/* A memory window (the complete space) takes every port sent. */
	ck_assert(iofpage_span(iofpage_make(0x60, 4, 0), 1u << 4, &first, &count));
	ck_assert_uint_eq(first, 0x60);
	ck_assert_uint_eq(count, 16);
}
END_TEST

START_TEST(ports_as_pages_and_their_cids)
{
	ck_assert_uint_eq(io_va(0), 0xc0000000u);
	ck_assert_uint_eq(io_va(0xffff), 0xcffff000u);
	ck_assert(io_va_is(io_va(0x3f8)) && !io_va_is(0xbffff000u) && !io_va_is(0xd0000000u));
	ck_assert_uint_eq(io_va_port(io_va(0x1234)), 0x1234);
	/* Node tables: one per 1,024 ports, slots 768 .. 831. */
	ck_assert_uint_eq(io_va(0) >> 22, 768);
	ck_assert_uint_eq(io_va(0xffff) >> 22, 831);
	ck_assert_uint_eq(lent_cid_nt(io_va(0x3f8)), 0x00800000u + (768u << 12));
	/* The bitmap: page 0 for ports below 32,768, page 1 above, at the
	 * page-table CIDs of slots 768 and 769; user page tables unchanged. */
	ck_assert_uint_eq(kmem_cid_pt(io_va(0)), 0x00400000u + (768u << 12));
	ck_assert_uint_eq(kmem_cid_pt(io_va(0x7fff)), 0x00400000u + (768u << 12));
	ck_assert_uint_eq(kmem_cid_pt(io_va(0x8000)), 0x00400000u + (769u << 12));
	ck_assert_uint_eq(kmem_cid_pt(io_va(0xffff)), 0x00400000u + (769u << 12));
	ck_assert_uint_eq(kmem_cid_pt(0x40001000u), 0x00400000u + (256u << 12));
	ck_assert_int_eq(lent_cid_kind(kmem_cid_pt(io_va(0xffff))), LENT_KMEM_PT);
	/* An I/O fault kept as its page, with the fpage size beside it. */
	ck_assert_uint_eq(iofault_fpage(iofault_addr(0x3f8, 3)), 0x03f80c20u);
	ck_assert_uint_eq(iofault_fpage(iofault_addr(0xffff, 0)), 0xffff0020u);
	ck_assert_uint_eq(iofault_fpage(iofault_addr(0, 16)), 0x00004020u);
	ck_assert(io_va_is(iofault_addr(0xffff, 16)));
}
END_TEST

START_TEST(bitmap_bits)
{
	static uint8_t page[4096];

	memset(page, 0xff, sizeof(page));
	ck_assert(!iobm_allowed(page, 0x3f8));
	ck_assert(!iobm_allowed(NULL, 0x3f8));
	iobm_allow(page, 0x3f8);
	ck_assert(iobm_allowed(page, 0x3f8));
	ck_assert(!iobm_allowed(page, 0x3f9) && !iobm_allowed(page, 0x3f7));
	ck_assert_uint_eq(page[0x3f8 / 8], 0xfe);
	/* Ports of the upper half use the second page at the same bit. */
	iobm_allow(page, 0x8000 + 0x3ff);
	ck_assert_uint_eq(page[0x3ff / 8], 0x7e);   /* 0x3f8 and 0x3ff */
	iobm_deny(page, 0x3f8);
	iobm_deny(page, 0x3ff);
	for (unsigned i = 0; i < sizeof(page); i++)
		ck_assert_uint_eq(page[i], 0xff);
}
END_TEST

START_TEST(cover_of_an_access)
{
	ck_assert_uint_eq(io_cover_log2(0x3ff, 0x3ff), 0);
	ck_assert_uint_eq(io_cover_log2(0x3f8, 0x3f9), 1);
	ck_assert_uint_eq(io_cover_log2(0x3f9, 0x3fa), 2);    /* 0x3f8 .. 0x3fb */
	ck_assert_uint_eq(io_cover_log2(0x3fa, 0x3fd), 3);    /* 0x3f8 .. 0x3ff */
	ck_assert_uint_eq(io_cover_log2(0x3ff, 0x400), 11);   /* 0 .. 0x7ff */
	ck_assert_uint_eq(io_cover_log2(0x7fff, 0x8000), 16);
}
END_TEST

static uint32_t decode(const uint8_t *b, uint32_t n, uint32_t edx, uint32_t *port)
{
	*port = 0xdead;
	return io_insn_decode(b, n, edx, port);
}

START_TEST(instructions)
{
	uint32_t port;

	ck_assert_uint_eq(decode((const uint8_t[]){ 0xe4, 0x80 }, 2, 0, &port), 1);   /* in $0x80, %al */
	ck_assert_uint_eq(port, 0x80);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xe7, 0x71 }, 2, 0, &port), 4);   /* out %eax, $0x71 */
	ck_assert_uint_eq(port, 0x71);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0x66, 0xe5, 0x10 }, 3, 0, &port), 2);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xec }, 1, 0x123403f8u, &port), 1);  /* DX only */
	ck_assert_uint_eq(port, 0x3f8);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xef }, 1, 0x3fa, &port), 4);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0x66, 0xed }, 2, 0x3f9, &port), 2);
	/* ins/outs, with rep and a segment override. */
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xf3, 0x6c }, 2, 0x60, &port), 1);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xf3, 0x66, 0x6f }, 3, 0x60, &port), 2);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0x2e, 0xf3, 0x6e }, 3, 0x61, &port), 1);
	ck_assert_uint_eq(port, 0x61);
	/* Not I/O, or cut short by an unreadable byte. */
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xfa }, 1, 0, &port), 0);          /* cli */
	ck_assert_uint_eq(decode((const uint8_t[]){ 0xe4 }, 1, 0, &port), 0);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0x66, 0x66 }, 2, 0, &port), 0);
	ck_assert_uint_eq(decode((const uint8_t[]){ 0 }, 0, 0, &port), 0);
	uint8_t many[16];
	memset(many, 0x66, sizeof(many));
	many[15] = 0xec;                      /* beyond an instruction's 15 bytes */
	ck_assert_uint_eq(decode(many, 16, 0x60, &port), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("iofpage");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, format_as_pistachio_builds_it);
	tcase_add_test(tc, bad_sizes_and_bases);
	tcase_add_test(tc, ports_as_pages_and_their_cids);
	tcase_add_test(tc, bitmap_bits);
	tcase_add_test(tc, cover_of_an_access);
	tcase_add_test(tc, instructions);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
