/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/xfer_offset.c: reading strings and receive
 * buffers (substrings, compound items, the C bit that says another buffer
 * follows), where a string is cut, the pieces of a copy (split at pieces
 * and pages), and the ErrorCode offset (X.2: bytes transferred before the
 * error, for codes 4..7 only, in bits 4..31).
 */
#include <check.h>
#include <string.h>
#include <kernel/xfer_offset.h>

#define PG 4096u

/* A string item's first word: length, substrings, c, C. */
static word_t item(uint32_t len, unsigned subs, int compound, int more)
{
	return string_item_make(len, subs, compound, more);
}

START_TEST(simple_and_substrings)
{
	word_t w[8] = { item(100, 1, 0, 0), 0x1000, item(30, 3, 0, 0), 0x2000, 0x3000, 0x4000 };
	xfer_seg_t s[XFER_MAX_SEGS];
	unsigned n;

	ck_assert_uint_eq(xfer_parse_string(w, 0, 6, s, &n), 2);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s[0].addr, 0x1000);
	ck_assert_uint_eq(s[0].len, 100);
	ck_assert_uint_eq(xfer_parse_string(w, 2, 6, s, &n), 6);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s[2].addr, 0x4000);
	ck_assert_uint_eq(xfer_total(s, n), 90);
	/* Its substring addresses run past the end: malformed. */
	ck_assert_uint_eq(xfer_parse_string(w, 2, 5, s, &n), 0);
}
END_TEST

START_TEST(compound_and_malformed)
{
	word_t w[8] = { item(30, 1, 1, 0), 0x1000, item(20, 2, 0, 0), 0x2000, 0x3000,
			map_item_make(0, false, false), 0 };
	xfer_seg_t s[XFER_MAX_SEGS];
	unsigned n;

	ck_assert_uint_eq(xfer_parse_string(w, 0, 7, s, &n), 5);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(xfer_total(s, n), 70);
	/* A compound string continued by a map item, or by nothing. */
	w[2] = item(20, 2, 1, 0);
	ck_assert_uint_eq(xfer_parse_string(w, 0, 7, s, &n), 0);
	ck_assert_uint_eq(xfer_parse_string(w, 0, 5, s, &n), 0);
	ck_assert_uint_eq(xfer_parse_string(w, 5, 7, s, &n), 0);
}
END_TEST

START_TEST(too_many_pieces)
{
	word_t w[40];
	xfer_seg_t s[XFER_MAX_SEGS];
	unsigned n;

	memset(w, 0, sizeof w);
	w[0] = item(1, 32, 0, 0);
	ck_assert_uint_eq(xfer_parse_string(w, 0, 40, s, &n), 33);
	ck_assert_uint_eq(n, 32);
	/* 32 pieces, then one more in a compound item: 33. */
	w[0] = item(1, 32, 1, 0);
	w[33] = item(1, 1, 0, 0);
	ck_assert_uint_eq(xfer_parse_string(w, 0, 40, s, &n), 0);
}
END_TEST

START_TEST(buffers_follow_the_c_bit)
{
	word_t br[XFER_MAX_BRS];
	xfer_seg_t s[XFER_MAX_SEGS];
	unsigned n, next;

	memset(br, 0, sizeof br);
	br[0] = ACCEPTOR_STRINGS;
	br[1] = item(64, 1, 0, 1);
	br[2] = 0x1000;
	br[3] = item(16, 1, 1, 0);     /* compound: the C bit of its first item */
	br[4] = 0x2000;
	br[5] = item(16, 1, 0, 1);     /* a C bit on the continuation: not read */
	br[6] = 0x3000;
	br[7] = item(8, 1, 0, 0);      /* stale */
	br[8] = 0x4000;
	ck_assert(xfer_buffer_at(br, 1, s, &n, &next));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(next, 3);
	ck_assert(xfer_buffer_at(br, 3, s, &n, &next));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(xfer_total(s, n), 32);
	ck_assert_uint_eq(next, XFER_BR_NONE);
	/* BR0 is the acceptor, never a buffer; nothing lies past BR32. */
	ck_assert(!xfer_buffer_at(br, 0, s, &n, &next));
	ck_assert(!xfer_buffer_at(br, XFER_MAX_BRS, s, &n, &next));
	ck_assert(!xfer_buffer_at(br, XFER_BR_NONE, s, &n, &next));
}
END_TEST

START_TEST(c_bit_at_the_last_br)
{
	word_t br[XFER_MAX_BRS];
	xfer_seg_t s[XFER_MAX_SEGS];
	unsigned n, next;

	memset(br, 0, sizeof br);
	br[1] = item(8, 31, 0, 1);     /* BR2..BR32 hold its addresses */
	ck_assert(xfer_buffer_at(br, 1, s, &n, &next));
	ck_assert_uint_eq(n, 31);
	ck_assert_uint_eq(next, XFER_BR_NONE);
	/* A buffer whose addresses would run past BR32 is malformed. */
	br[1] = item(8, 32, 0, 1);
	ck_assert(!xfer_buffer_at(br, 1, s, &n, &next));
	/* A map item where a buffer should be. */
	br[1] = map_item_make(0, false, true);
	ck_assert(!xfer_buffer_at(br, 1, s, &n, &next));
}
END_TEST

START_TEST(cut)
{
	ck_assert_uint_eq(xfer_fits(200, 100), 100);
	ck_assert_uint_eq(xfer_fits(100, 100), 100);
	ck_assert_uint_eq(xfer_fits(10, 100), 10);
	ck_assert_uint_eq(xfer_fits(10, 0), 0);
}
END_TEST

/* Walk a whole copy piece by piece; return the pieces seen. */
static unsigned walk(const xfer_seg_t *src, unsigned ns, const xfer_seg_t *dst, unsigned nd,
		     uint32_t limit, uint32_t *lens, uint32_t *svas, uint32_t *dvas)
{
	uint32_t done = 0, sva, dva, len;
	unsigned k = 0;

	while ((len = xfer_piece(src, ns, dst, nd, done, limit, PG, &sva, &dva))) {
		lens[k] = len;
		svas[k] = sva;
		dvas[k++] = dva;
		done += len;
	}
	return k;
}

START_TEST(pieces_split_at_pieces_and_pages)
{
	xfer_seg_t src[2] = { { 0x1F80, 0x100 }, { 0x5000, 0x100 } };
	xfer_seg_t dst[1] = { { 0x8FC0, 0x1000 } };
	uint32_t len[8], sva[8], dva[8];
	unsigned k = walk(src, 2, dst, 1, 0x200, len, sva, dva);

	ck_assert_uint_eq(k, 4);
	/* The source's page ends after 0x80, the buffer's after 0x40. */
	ck_assert_uint_eq(len[0], 0x40);
	ck_assert_uint_eq(sva[0], 0x1F80);
	ck_assert_uint_eq(dva[0], 0x8FC0);
	ck_assert_uint_eq(len[1], 0x40);
	ck_assert_uint_eq(sva[1], 0x1FC0);
	ck_assert_uint_eq(dva[1], 0x9000);
	ck_assert_uint_eq(len[2], 0x80);
	ck_assert_uint_eq(sva[2], 0x2000);
	ck_assert_uint_eq(len[3], 0x100);
	ck_assert_uint_eq(sva[3], 0x5000);
	ck_assert_uint_eq(dva[2], 0x9040);
	ck_assert_uint_eq(dva[3], 0x90C0);
}
END_TEST

START_TEST(pieces_stop_at_the_cut)
{
	xfer_seg_t src[1] = { { 0x1000, 200 } };
	xfer_seg_t dst[2] = { { 0x7000, 40 }, { 0x6000, 40 } };
	uint32_t len[8], sva[8], dva[8], s, d;
	unsigned k = walk(src, 1, dst, 2, xfer_fits(200, 80), len, sva, dva);

	ck_assert_uint_eq(k, 2);
	ck_assert_uint_eq(len[0] + len[1], 80);
	ck_assert_uint_eq(dva[1], 0x6000);
	ck_assert_uint_eq(sva[1], 0x1000 + 40);
	/* From a resumed point: the cursor's done picks the place. */
	ck_assert_uint_eq(xfer_piece(src, 1, dst, 2, 50, 80, PG, &s, &d), 30);
	ck_assert_uint_eq(s, 0x1000 + 50);
	ck_assert_uint_eq(d, 0x6000 + 10);
	ck_assert_uint_eq(xfer_piece(src, 1, dst, 2, 80, 80, PG, &s, &d), 0);
	/* Empty pieces are passed over. */
	xfer_seg_t empty[3] = { { 0x9000, 0 }, { 0xA000, 0 }, { 0xB000, 4 } };
	ck_assert_uint_eq(xfer_piece(src, 1, empty, 3, 0, 4, PG, &s, &d), 4);
	ck_assert_uint_eq(d, 0xB000);
}
END_TEST

START_TEST(error_offsets)
{
	/* Overflow at 100 bytes, send phase: 100 << 4 | 4 << 1. */
	ck_assert_uint_eq(xfer_error(IPC_ERR_OVERFLOW, false, 100), 0x648);
	ck_assert_uint_eq(xfer_error(IPC_ERR_XFER_TIMEOUT_OWN, true, 100), 0x64b);
	ck_assert_uint_eq(xfer_error(IPC_ERR_XFER_TIMEOUT_PARTNER, false, 1), 0x1c);
	ck_assert_uint_eq(xfer_error(IPC_ERR_ABORTED, true, 0), 0xf);
	/* Codes 1..3 carry no offset. */
	ck_assert_uint_eq(xfer_error(IPC_ERR_TIMEOUT, true, 100), 0x3);
	ck_assert_uint_eq(xfer_error(IPC_ERR_CANCELED, false, 100), 0x6);
	/* The offset field has 28 bits. */
	ck_assert_uint_eq(ipc_error_offset(xfer_error(IPC_ERR_OVERFLOW, false, 0x1FFFFFFFu)),
			  0x0FFFFFFFu);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xfer_offset");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, simple_and_substrings);
	tcase_add_test(tc, compound_and_malformed);
	tcase_add_test(tc, too_many_pieces);
	tcase_add_test(tc, buffers_follow_the_c_bit);
	tcase_add_test(tc, c_bit_at_the_last_br);
	tcase_add_test(tc, cut);
	tcase_add_test(tc, pieces_split_at_pieces_and_pages);
	tcase_add_test(tc, pieces_stop_at_the_cut);
	tcase_add_test(tc, error_offsets);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
