/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * String and map items where X.2 leaves Lent a choice, or where it was
 * made to follow X.2 (docs/abi.md, section 6 and "Implementation
 * choices"), with the exact words each side sees:
 * - a string received whole: the receiver's MR copy of its item holds
 *   the length received and the first buffer's address, one substring;
 *   a string cut by overflow keeps the words as sent;
 * - a receive buffer in the KIP or UTCB area, a source or buffer outside
 *   user space: message overflow (4) before any byte of that string, the
 *   offset counting the strings before it;
 * - a map item whose mapping the kernel has no memory for: message
 *   overflow on both sides (X.2 ErrorCode 4, case 3), the offset as for
 *   strings, and the same item maps once memory is there.
 */
#include "t_xstring.h"
#include "t_kpre_kp.h"
#include <lent/kmem.h>

#define X2_LABEL	0x66
#define X2_WINDOW	0x28000000UL	/* 4 MB aligned, never used by an agent */

static L4_Word_t x2_sec, x2_rtag, x2_rec, x2_mr[8];

static void x2_fill(void)
{
	for (int i = 0; i < XS_SMALL; i++) {
		xs_src[i] = (unsigned char)(i * 5 + 1);
		xs_dst[i] = 0x5a;
	}
}

static const char *x2_bytes(const unsigned char *got, const unsigned char *want, int n)
{
	for (int i = 0; i < n; i++)
		CHECK_EQ(got[i], want[i]);
	return 0;
}

static const char *x2_untouched(int from, int n)
{
	for (int i = from; i < from + n; i++)
		CHECK_EQ(xs_dst[i], 0x5a);
	return 0;
}

static const char *x2_send(const L4_Word_t *br, int nbr, const L4_Word_t *it, int t)
{
	x2_fill();
	return xs_exchange(1, br, nbr, it, t, &x2_sec, &x2_rtag, &x2_rec, x2_mr);
}

/* Both sides: message overflow at offset off. */
static const char *x2_overflow_at(L4_Word_t off)
{
	CHECK_EQ(x2_sec, xs_ec(L4_ErrMsgOverflow, 0, off));
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = x2_rtag }));
	CHECK_EQ(x2_rec, xs_ec(L4_ErrMsgOverflow, 1, off));
	return 0;
}

/* 10 bytes into a buffer of 64 at xs_dst + 16: MR2 holds a string item
 * of 10 bytes, MR3 the buffer's address (MR1 is the untyped word). */
static const char *t_x2strings_mr_simple(void)
{
	L4_Word_t br[2] = { xs_item(64, 1, 0, 0), (L4_Word_t)xs_dst + 16 };
	L4_Word_t it[2] = { xs_item(10, 1, 0, 0), (L4_Word_t)xs_src + 3 };

	RUN(x2_send(br, 2, it, 2));
	CHECK_EQ(x2_sec, 0);
	CHECK_EQ(x2_rec, 0);
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = x2_rtag }), 2);
	CHECK_EQ(x2_mr[0], 0x33);
	CHECK_EQ(x2_mr[1], xs_item(10, 1, 0, 0));
	CHECK_EQ(x2_mr[2], (L4_Word_t)xs_dst + 16);
	RUN(x2_bytes(xs_dst + 16, xs_src + 3, 10));
	RUN(x2_untouched(0, 16));
	return x2_untouched(26, XS_SMALL - 26);
}

/* A string of two substrings of 6 bytes (three words) arrives as one
 * item of 12 bytes at the buffer; its third word reads 0. */
static const char *t_x2strings_mr_substrings(void)
{
	L4_Word_t br[2] = { xs_item(100, 1, 0, 0), (L4_Word_t)xs_dst + 40 };
	L4_Word_t it[3] = { xs_item(6, 2, 0, 0), (L4_Word_t)xs_src + 100,
			    (L4_Word_t)xs_src + 200 };

	RUN(x2_send(br, 2, it, 3));
	CHECK_EQ(x2_sec, 0);
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = x2_rtag }), 3);
	CHECK_EQ(x2_mr[1], xs_item(12, 1, 0, 0));
	CHECK_EQ(x2_mr[2], (L4_Word_t)xs_dst + 40);
	CHECK_EQ(x2_mr[3], 0);
	RUN(x2_bytes(xs_dst + 40, xs_src + 100, 6));
	RUN(x2_bytes(xs_dst + 46, xs_src + 200, 6));
	return x2_untouched(52, XS_SMALL - 52);
}

/* 20 bytes into 8: cut at 8 (offset 8 on both sides); the receiver's MR
 * copy of the cut string keeps the words as sent. */
static const char *t_x2strings_mr_cut_as_sent(void)
{
	L4_Word_t br[2] = { xs_item(8, 1, 0, 0), (L4_Word_t)xs_dst };
	L4_Word_t it[2] = { xs_item(20, 1, 0, 0), (L4_Word_t)xs_src };

	RUN(x2_send(br, 2, it, 2));
	RUN(x2_overflow_at(8));
	/* (MR1 and MR2 of a failed receive are registers: not reported) */
	CHECK_EQ(x2_mr[2], (L4_Word_t)xs_src);
	RUN(x2_bytes(xs_dst, xs_src, 8));
	return x2_untouched(8, XS_SMALL - 8);
}

/* Two strings, the second one's buffer in the area at area: the first
 * (8 bytes) arrives and is reported, the second is refused before a byte
 * of it moves: overflow at offset 8. */
static const char *x2_second_buffer_in(L4_Word_t area)
{
	L4_Word_t br[4] = { xs_item(8, 1, 0, 1), (L4_Word_t)xs_dst, xs_item(16, 1, 0, 0), area };
	L4_Word_t it[4] = { xs_item(8, 1, 0, 0), (L4_Word_t)xs_src, xs_item(16, 1, 0, 0),
			    (L4_Word_t)xs_src + 64 };

	RUN(x2_send(br, 4, it, 4));
	RUN(x2_overflow_at(8));
	CHECK_EQ(x2_mr[2], (L4_Word_t)xs_dst);
	CHECK_EQ(x2_mr[3], xs_item(16, 1, 0, 0));
	CHECK_EQ(x2_mr[4], (L4_Word_t)xs_src + 64);
	RUN(x2_bytes(xs_dst, xs_src, 8));
	return x2_untouched(8, XS_SMALL - 8);
}

static const char *t_x2strings_buffer_in_utcb_area(void)
{
	/* The main thread's own UTCB page: nothing may be written there. */
	L4_Word_t page = L4_MyLocalId().raw & ~(RT_PAGE_SIZE - 1);
	volatile L4_Word_t *at = (volatile L4_Word_t *)(page + RT_PAGE_SIZE - 16);
	L4_Word_t before[4] = { at[0], at[1], at[2], at[3] };

	RUN(x2_second_buffer_in((L4_Word_t)at));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(at[i], before[i]);
	return 0;
}

static const char *t_x2strings_buffer_in_kip_area(void)
{
	return x2_second_buffer_in((L4_Word_t)L4_GetKernelInterface() + 0x100);
}

/* A source that starts in user space (a page nobody mapped) and runs
 * past 0xBFFFFFFF: refused whole, before the fault its first byte would
 * raise, with the buffer untouched. */
static const char *t_x2strings_source_refused_whole(void)
{
	L4_Word_t br[2] = { xs_item(0x3000, 1, 0, 0), (L4_Word_t)xs_dst };
	L4_Word_t it[2] = { xs_item(0x2000, 1, 0, 0), 0xBFFFF000UL };

	RUN(x2_send(br, 2, it, 2));
	RUN(x2_overflow_at(0));
	return x2_untouched(0, XS_SMALL);
}

/* A buffer that runs past 0xBFFFFFFF after the string's first page of
 * room: the string is refused whole, nothing reaches the buffer. */
static const char *t_x2strings_buffer_refused_whole(void)
{
	L4_Word_t br[4] = { xs_item(8, 1, 0, 1), (L4_Word_t)xs_dst, xs_item(0x2000, 1, 0, 0),
			    0xBFFFF000UL };
	L4_Word_t it[4] = { xs_item(8, 1, 0, 0), (L4_Word_t)xs_src + 8, xs_item(16, 1, 0, 0),
			    (L4_Word_t)xs_src };

	RUN(x2_send(br, 4, it, 4));
	RUN(x2_overflow_at(8));
	RUN(x2_bytes(xs_dst, xs_src + 8, 8));
	return x2_untouched(8, XS_SMALL - 8);
}

/* Send one map item of our page of xs_src, read-only, to agent t (which
 * receives with window X2_WINDOW): the send's ErrorCode in *sec and the
 * agent's result (tag, ErrorCode, ...) in MR1.. of the result. */
static const char *x2_map_to(L4_ThreadId_t t, L4_Word_t *sec)
{
	L4_Word_t acc = L4_FpageLog2(X2_WINDOW, 12).raw;
	L4_Word_t page = (L4_Word_t)xs_src & ~(RT_PAGE_SIZE - 1);
	L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_Readable), 0);

	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_ACCEPT, 1, &acc)));
	CHECK(rt_agent_post(t, RT_AG_RECV, 0, 0));
	t_load(X2_LABEL, 0, 0, 2, m.raw);
	L4_MsgTag_t tag = L4_Send(t);
	*sec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	CHECK(t_ag_ok(rt_agent_result(t, 0)));
	return 0;
}

/*
 * The agent's kpager refuses page tables; a map into a 4 MB region of the
 * agent's with no page table yet cannot be made: message overflow at
 * offset 0 on both sides (X.2 ErrorCode 4: "a map or grant of an fpage
 * fails because the system has not enough page-table space"), and the
 * agent has no such page.  With page tables lent, the same map goes
 * through and the agent reads the page.  A pool kernel asks no kpager:
 * the map goes through at once.
 */
static const char *t_x2strings_map_without_kernel_memory(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, sec, addr = X2_WINDOW + ((L4_Word_t)xs_src & (RT_PAGE_SIZE - 1));
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	xs_src[0] = 0x77;
	if (!skip) {
		L4_Word_t n = kpre.n, pts = t_kplog_count(t, LENT_KMEM_PT);
		kpre.kind = LENT_KMEM_PT;
		kpre.mode = T_KPLOG_REFUSE_KIND;
		RUN(x2_map_to(t, &sec));
		CHECK_EQ(sec, xs_ec(L4_ErrMsgOverflow, 0, 0));
		CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) }));
		CHECK_EQ(rt_mr(2), xs_ec(L4_ErrMsgOverflow, 1, 0));
		CHECK(kpre.n > n);
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_PT), pts);
		kpre.mode = T_KPLOG_SERVE;
	}
	RUN(x2_map_to(t, &sec));
	CHECK_EQ(sec, 0);
	CHECK_EQ(rt_mr(2), 0);
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = rt_mr(1) }), 2);
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_READ, 1, &addr)));
	CHECK_EQ(rt_mr(1) & 0xFF, 0x77);
	return kpre_end(t);
}

const struct test x2strings_tests[] = {
	TEST(x2strings_mr_simple),
	TEST(x2strings_mr_substrings),
	TEST(x2strings_mr_cut_as_sent),
	TEST(x2strings_buffer_in_utcb_area),
	TEST(x2strings_buffer_in_kip_area),
	TEST(x2strings_source_refused_whole),
	TEST(x2strings_buffer_refused_whole),
	TEST(x2strings_map_without_kernel_memory),
	{ 0, 0 },
};
