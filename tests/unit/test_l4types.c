/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/l4types.h.  Expected raw words are worked out by
 * hand from the X.2 bit layouts (Pistachio user/include/l4/types.h,
 * message.h, ipc.h; kernel/src/api/v4/ipc.h), not from the helpers.
 */
#include <check.h>
#include <kernel/l4types.h>

START_TEST(thread_ids)
{
	/* sigma0 = thread 16 version 1, root task = thread 18 version 1 */
	ck_assert_uint_eq(tid_make(16, 1), 0x00040001u);
	ck_assert_uint_eq(tid_make(18, 1), 0x00048001u);
	ck_assert_uint_eq(tid_number(0x00048001u), 18);
	ck_assert_uint_eq(tid_version(0x00048001u), 1);
	ck_assert_uint_eq(tid_number(0xFFFFC000u), 0x3FFFF);
	ck_assert_uint_eq(tid_version(0x00003FFFu), 0x3FFF);
	/* the version is cut to 14 bits and does not spill into the number */
	ck_assert_uint_eq(tid_make(5, 0x4001), (5u << 14) | 1);

	ck_assert(tid_is_nil(0));
	ck_assert(!tid_is_nil(tid_make(16, 1)));
	ck_assert(tid_is_any(0xFFFFFFFFu));
	ck_assert(!tid_is_any(0xFFFFFFC0u));
	ck_assert(tid_is_anylocal(0xFFFFFFC0u));
	ck_assert(!tid_is_anylocal(0xFFFFFFFFu));

	/* local IDs: low six bits clear (a UTCB address) */
	ck_assert(tid_is_local(0xBF000000u));
	ck_assert(tid_is_local(0x40u));
	ck_assert(!tid_is_local(0));
	ck_assert(!tid_is_local(0xFFFFFFC0u));
	ck_assert(!tid_is_local(tid_make(16, 1)));
	ck_assert(tid_is_global(tid_make(16, 1)));
	ck_assert(!tid_is_global(0xFFFFFFFFu));
	ck_assert(!tid_is_global(0xBF000000u));
}
END_TEST

START_TEST(fpages)
{
	/* rwx 0..2, s 4..9, base 10..31 */
	ck_assert_uint_eq(fpage_make(0x12345000u, 12, 7), 0x123450C7u);
	ck_assert_uint_eq(fpage_make(0x12345678u, 16, 5), 0x12340105u);
	ck_assert_uint_eq(fpage_make(0x00400000u, 22, 6), 0x00400166u);
	ck_assert_uint_eq(fpage_make(0xFFFFFFFFu, 32, 4), 0x00000204u);
	ck_assert_uint_eq(fpage_make(0x1000, 12, 0xF), 0x10C7u);    /* rights cut */

	ck_assert_uint_eq(fpage_size_log2(0x12340105u), 16);
	ck_assert_uint_eq(fpage_rights(0x12340105u), 5);
	ck_assert_uint_eq(fpage_base(0x12340105u), 0x12340000u);
	/* base bits below the size are ignored */
	ck_assert_uint_eq(fpage_base(0x12345505u), 0x12340000u);
	ck_assert_uint_eq(fpage_base(0x123454C5u), 0x12345000u);
	ck_assert_uint_eq(fpage_size(0x123450C7u), 0x1000);
	ck_assert_uint_eq(fpage_size(0x00000204u), 0x100000000ull);

	/* nil and complete */
	ck_assert(fpage_is_nil(0));
	ck_assert(!fpage_is_nil(0x10));
	ck_assert(fpage_is_complete(0x10));
	ck_assert(fpage_is_complete(0x17));          /* with rights */
	ck_assert(!fpage_is_complete(0x1010));       /* s = 1 with a base */
	ck_assert(!fpage_is_complete(0x20));
	ck_assert_uint_eq(fpage_size_log2(0x17), 32);
	ck_assert_uint_eq(fpage_base(0x17), 0);
	ck_assert_uint_eq(fpage_rights(0x17), 7);
	ck_assert_uint_eq(fpage_size(0x10), 0x100000000ull);
	ck_assert_uint_eq(FPAGE_COMPLETE, 0x10);

	/* validity on IA-32 */
	ck_assert(fpage_is_valid(0));
	ck_assert(fpage_is_valid(0x10));
	ck_assert(fpage_is_valid(fpage_make(0x1000, 12, 7)));
	ck_assert(fpage_is_valid(fpage_make(0, 32, 7)));
	ck_assert(!fpage_is_valid(fpage_make(0x1000, 11, 7)));
	ck_assert(!fpage_is_valid(fpage_make(0x400, 10, 7)));
	ck_assert(!fpage_is_valid(0x1010));
	ck_assert(!fpage_is_valid(33u << 4));
	ck_assert(!fpage_is_valid(63u << 4));
}
END_TEST

START_TEST(message_tags)
{
	/* u 0..5, t 6..11, flags 12..15, label 16..31 */
	uint32_t pf = msgtag_make(LABEL_PAGEFAULT | 4 /* read */, 2, 0, 0);

	ck_assert_uint_eq(pf, 0xFFE40002u);
	ck_assert_uint_eq(msgtag_label(pf), 0xFFE4);
	ck_assert_uint_eq(msgtag_u(pf), 2);
	ck_assert_uint_eq(msgtag_t(pf), 0);
	ck_assert_uint_eq(msgtag_make(1, 63, 63, MSGTAG_PROPAGATED), 0x00011FFFu);
	ck_assert_uint_eq(msgtag_make(0x12345, 1, 2, 0), 0x23450081u);  /* label cut */
	ck_assert_uint_eq(msgtag_t(0x00000FC0u), 63);
	ck_assert_uint_eq(msgtag_u(0x00000FC0u), 0);
	ck_assert_uint_eq(msgtag_make(0, 64, 0, 0), 0);                  /* u cut */

	ck_assert_uint_eq(MSGTAG_PROPAGATED, 0x1000);
	ck_assert_uint_eq(MSGTAG_REDIRECTED, 0x2000);
	ck_assert_uint_eq(MSGTAG_XCPU, 0x4000);
	ck_assert_uint_eq(MSGTAG_ERROR, 0x8000);
	ck_assert_uint_eq(msgtag_flags(0xABCD8765u), 0x8000);
	ck_assert_uint_eq(msgtag_flags(msgtag_make(7, 0, 0, MSGTAG_ERROR | MSGTAG_XCPU | 0x3)),
			  0xC000);                                       /* non-flag bits dropped */
	ck_assert_uint_eq(msgtag_label(msgtag_make(7, 0, 0, MSGTAG_ERROR)), 7);

	/* protocol labels: -1, -2, -3, -6 shifted left by 4, in 16 bits */
	ck_assert_uint_eq(LABEL_INTERRUPT, (uint16_t)(-1 * 16));
	ck_assert_uint_eq(LABEL_PAGEFAULT, (uint16_t)(-2 * 16));
	ck_assert_uint_eq(LABEL_PREEMPTION, (uint16_t)(-3 * 16));
	ck_assert_uint_eq(LABEL_SIGMA0, (uint16_t)(-6 * 16));
}
END_TEST

START_TEST(typed_items)
{
	ck_assert_uint_eq(map_item_make(0x40000000u, false, false), 0x40000008u);
	ck_assert_uint_eq(map_item_make(0x40000000u, true, false), 0x4000000Au);
	ck_assert_uint_eq(map_item_make(0x40000123u, false, true), 0x40000009u);
	ck_assert(item_is_map(0x40000008u));
	ck_assert(!item_is_grant(0x40000008u));
	ck_assert(item_is_grant(0x4000000Bu));
	ck_assert(!item_is_map(0x4000000Bu));
	ck_assert(item_continue(0x4000000Bu));
	ck_assert(!item_continue(0x4000000Au));
	ck_assert_uint_eq(item_snd_base(0x4000040Bu), 0x40000400u);
	ck_assert_uint_eq(item_type(0x4000000Bu), ITEM_TYPE_GRANT);

	/* string items: type bit 3 clear; the low type bits are cache hints */
	for (uint32_t hh = 0; hh < 4; hh++) {
		ck_assert(item_is_string(hh << 1));
		ck_assert_uint_eq(string_item_cache_hints(hh << 1), hh);
	}
	ck_assert(!item_is_string(0x8));
	ck_assert(!item_is_string(0xC));           /* ctrlxfer, type 110b */
	ck_assert(!item_is_map(0xC) && !item_is_grant(0xC));

	ck_assert_uint_eq(string_item_make(100, 1, false, false), 100u << 10);
	ck_assert_uint_eq(string_item_make(100, 3, true, true), (100u << 10) | 0x221);
	ck_assert_uint_eq(string_item_length(0x00019221u), 100);
	ck_assert_uint_eq(string_item_substrings(0x00019221u), 3);
	ck_assert(string_item_compound(0x00019221u));
	ck_assert(item_continue(0x00019221u));
	ck_assert_uint_eq(string_item_substrings(0x1F0), 32);
	ck_assert_uint_eq(string_item_length(0xFFFFFC00u), 0x3FFFFF);
}
END_TEST

START_TEST(acceptors)
{
	/* window = fpage with rights cleared; s = bit 0 */
	ck_assert_uint_eq(acceptor_window(0x10), FPAGE_COMPLETE);
	ck_assert(!acceptor_strings(0x10));
	ck_assert(acceptor_strings(0x11));
	ck_assert_uint_eq(acceptor_window(0x11), 0x10);
	ck_assert_uint_eq(acceptor_window(0x400000C7u), 0x400000C0u);
	ck_assert(fpage_is_nil(acceptor_window(0x1)));
	ck_assert_uint_eq(acceptor_window(fpage_make(0x40000000u, 22, 0) | ACCEPTOR_STRINGS),
			  fpage_make(0x40000000u, 22, 0));
	ck_assert_uint_eq(fpage_size_log2(acceptor_window(0x40000161u)), 22);
}
END_TEST

START_TEST(timeouts)
{
	ck_assert(timeout_is_never(0));
	ck_assert_uint_eq(timeout_relative_us(0), ~(uint64_t)0);
	ck_assert(timeout_is_zero(0x0400));
	ck_assert(!timeout_is_never(0x0400));
	ck_assert(timeout_is_period(0x0400));
	ck_assert_uint_eq(timeout_relative_us(0x0400), 0);
	/* other ways of writing 0 µs are not the ZeroTime encoding */
	ck_assert(!timeout_is_zero(0x0800));
	ck_assert_uint_eq(timeout_relative_us(0x0800), 0);

	/* period: e in 10..14, m in 0..9, 2^e * m µs */
	ck_assert_uint_eq(timeout_relative_us(0x03E8), 1000);           /* e 0, m 1000 */
	ck_assert_uint_eq(timeout_relative_us((10 << 10) | 1000), 1024000);
	ck_assert_uint_eq(timeout_relative_us((11 << 10) | 732), 732u << 11);
	ck_assert_uint_eq(timeout_relative_us(0x7FFF), 1023ull << 31);   /* largest */
	ck_assert_uint_eq(timeout_period_exp(0x7FFF), 31);
	ck_assert_uint_eq(timeout_mantissa(0x7FFF), 1023);

	/* point: bit 15, e in 11..14, c in 10, m in 0..9 */
	timeout_t p = 0x8000 | (3 << 11) | (1 << 10) | 5;

	ck_assert(timeout_is_point(p));
	ck_assert(!timeout_is_period(p));
	ck_assert(!timeout_is_zero(p) && !timeout_is_never(p));
	ck_assert_uint_eq(timeout_point_exp(p), 3);
	ck_assert_uint_eq(timeout_point_carry(p), 1);
	ck_assert_uint_eq(timeout_mantissa(p), 5);
	ck_assert_uint_eq(timeout_relative_us(p), 0);
	ck_assert(!timeout_is_point(0x7FFF));

	/* the IPC timeouts word: send in the high half */
	ck_assert_uint_eq(timeouts_snd(0x04000000u), TIMEOUT_ZERO);
	ck_assert_uint_eq(timeouts_rcv(0x04000000u), TIMEOUT_NEVER);
	ck_assert_uint_eq(timeouts_snd(0x000003E8u), 0);
	ck_assert_uint_eq(timeouts_rcv(0x000003E8u), 0x03E8);
}
END_TEST

START_TEST(ipc_errors)
{
	ck_assert_uint_eq(ipc_error(IPC_ERR_TIMEOUT, false, 0), 2);
	ck_assert_uint_eq(ipc_error(IPC_ERR_TIMEOUT, true, 0), 3);
	ck_assert_uint_eq(ipc_error(IPC_ERR_NOPARTNER, false, 0), 4);
	ck_assert_uint_eq(ipc_error(IPC_ERR_CANCELED, true, 0), 7);
	/* Pistachio: IPC_RCV_ERROR(ERR_IPC_MSG_OVERFLOW(5)) = ((4 + (5 << 3)) << 1) | 1 */
	ck_assert_uint_eq(ipc_error(IPC_ERR_OVERFLOW, true, 5), ((4u + (5u << 3)) << 1) | 1);
	ck_assert_uint_eq(ipc_error(IPC_ERR_ABORTED, false, 0x100), (7u << 1) | (0x100u << 4));
	ck_assert_uint_eq(ipc_error_code(0x59), IPC_ERR_OVERFLOW);
	ck_assert(ipc_error_is_receive(0x59));
	ck_assert(!ipc_error_is_receive(0x58));
	ck_assert_uint_eq(ipc_error_offset(0x59), 5);
	ck_assert_uint_eq(IPC_ERR_XFER_TIMEOUT_OWN, 5);
	ck_assert_uint_eq(IPC_ERR_XFER_TIMEOUT_PARTNER, 6);
}
END_TEST

static Suite *l4types_suite(void)
{
	Suite *s = suite_create("l4types");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, thread_ids);
	tcase_add_test(tc, fpages);
	tcase_add_test(tc, message_tags);
	tcase_add_test(tc, typed_items);
	tcase_add_test(tc, acceptors);
	tcase_add_test(tc, timeouts);
	tcase_add_test(tc, ipc_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(l4types_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
