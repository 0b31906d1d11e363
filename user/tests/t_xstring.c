/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * String items as X.2 has them: a string longer than its receive buffer
 * fills the buffer and is cut there (message overflow, error 4); the
 * ErrorCode's offset (bits 4..31) is the number of bytes transferred
 * before the error, over all the strings of the message; the acceptor's s
 * bit and each receive buffer's C bit say which buffer registers are
 * buffers (stale BRs behind a clear C bit are not); a compound string,
 * sent or received, is one string across its substrings and items.
 */
#include "t_xstring.h"
#include "t_sync.h"

#define XP_LEN	XS_SMALL


/* The receiving thread: BR0 and BR1.. as given, and what it got. */
static struct {
	L4_Word_t acc, br[32];
	int nbr;
	L4_ThreadId_t from;
	volatile L4_Word_t tag, ec, mr[8], ready, done;
} xr;

static void xp_fill(void)
{
	int i;

	for (i = 0; i < XP_LEN; i++) {
		xs_src[i] = (unsigned char)(i * 7 + 3);
		xs_dst[i] = 0x5a;
	}
}

L4_Word_t xs_item(L4_Word_t len, int subs, int compound, int more)
{
	return (len << 10) | ((L4_Word_t)(subs - 1) << 4) | (compound ? 1UL << 9 : 0) |
	       (more ? 1UL : 0);
}

L4_Word_t xs_ec(L4_Word_t code, int recv, L4_Word_t offset)
{
	return (offset << 4) | (code << 1) | (recv ? 1 : 0);
}

static void xp_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	int i;

	(void)arg;
	L4_LoadBR(0, xr.acc);
	for (i = 0; i < xr.nbr; i++)
		L4_LoadBR(i + 1, xr.br[i]);
	xr.ready = 1;
	tag = L4_Ipc(L4_nilthread, xr.from, L4_Timeouts(L4_Never, L4_Never), &from);
	xr.tag = tag.raw;
	xr.ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	for (i = 0; i < 8; i++)
		xr.mr[i] = rt_mr(i + 1);
	xr.done = 1;
}

/* Start the receiver with BR0 = acc and nbr buffer registers, send it the
 * t typed words in items, and collect both sides' outcomes: the send's
 * ErrorCode in *sec (0 on success). */
static const char *xp_exchange(L4_Word_t acc, const L4_Word_t *br, int nbr,
			       const L4_Word_t *items, int t, L4_Word_t *sec)
{
	L4_ThreadId_t r;
	L4_MsgTag_t tag;
	L4_Word_t w = 0x33;
	int i;

	xr.acc = acc;
	xr.from = rt_main_thread();
	xr.nbr = nbr;
	for (i = 0; i < nbr; i++)
		xr.br[i] = br[i];
	xr.ready = xr.done = 0;
	r = rt_thread_create(xp_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	t_until(&xr.ready, 1);
	t_load(0x66, 1, &w, t, items);
	tag = L4_Send(r);
	*sec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	t_until(&xr.done, 1);
	return 0;
}

/* xp_exchange for t_x2strings.c, with what the receiver got: its tag,
 * ErrorCode and MR1..MR8. */
const char *xs_exchange(L4_Word_t acc, const L4_Word_t *br, int nbr, const L4_Word_t *items,
			int t, L4_Word_t *sec, L4_Word_t *rtag, L4_Word_t *rec, L4_Word_t *rmr)
{
	RUN(xp_exchange(acc, br, nbr, items, t, sec));
	*rtag = xr.tag;
	*rec = xr.ec;
	for (int i = 0; i < 8; i++)
		rmr[i] = xr.mr[i];
	return 0;
}

/* Both sides saw message overflow at offset off; the receive failed. */
static const char *xp_cut_at(L4_Word_t sec, L4_Word_t off)
{
	CHECK_EQ(sec, xs_ec(L4_ErrMsgOverflow, 0, off));
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = xr.tag }));
	CHECK_EQ(xr.ec, xs_ec(L4_ErrMsgOverflow, 1, off));
	return 0;
}

static const char *xp_range(const unsigned char *got, const unsigned char *want, int n)
{
	int i;

	for (i = 0; i < n; i++)
		CHECK_EQ(got[i], want[i]);
	return 0;
}

static const char *xp_untouched(const unsigned char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		CHECK_EQ(p[i], 0x5a);
	return 0;
}

/* 200 bytes into a buffer of 100: the first 100 arrive, then overflow at
 * offset 100 on both sides; the byte after the buffer stays. */
static const char *t_xstring_cut_simple(void)
{
	L4_Word_t br[2] = { xs_item(100, 1, 0, 0), (L4_Word_t)xs_dst + 8 };
	L4_Word_t it[2] = { xs_item(200, 1, 0, 0), (L4_Word_t)xs_src }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 2, it, 2, &sec));
	RUN(xp_cut_at(sec, 100));
	RUN(xp_range(xs_dst + 8, xs_src, 100));
	RUN(xp_untouched(xs_dst, 8));
	return xp_untouched(xs_dst + 108, XP_LEN - 108);
}

/* A buffer of two substrings of 40 bytes each: 100 bytes fill both and
 * are cut at 80. */
static const char *t_xstring_cut_buffer_substrings(void)
{
	L4_Word_t br[3] = { xs_item(40, 2, 0, 0), (L4_Word_t)xs_dst + 100, (L4_Word_t)xs_dst + 10 };
	L4_Word_t it[2] = { xs_item(100, 1, 0, 0), (L4_Word_t)xs_src }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 3, it, 2, &sec));
	RUN(xp_cut_at(sec, 80));
	RUN(xp_range(xs_dst + 100, xs_src, 40));
	RUN(xp_range(xs_dst + 10, xs_src + 40, 40));
	RUN(xp_untouched(xs_dst, 10));
	RUN(xp_untouched(xs_dst + 50, 50));
	return xp_untouched(xs_dst + 140, XP_LEN - 140);
}

/* A sent string of three substrings of 30 bytes (90) into 70 bytes: the
 * cut falls in the third substring. */
static const char *t_xstring_cut_send_substrings(void)
{
	L4_Word_t br[2] = { xs_item(70, 1, 0, 0), (L4_Word_t)xs_dst };
	L4_Word_t it[4] = { xs_item(30, 3, 0, 0), (L4_Word_t)xs_src, (L4_Word_t)xs_src + 100,
			    (L4_Word_t)xs_src + 200 }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 2, it, 4, &sec));
	RUN(xp_cut_at(sec, 70));
	RUN(xp_range(xs_dst, xs_src, 30));
	RUN(xp_range(xs_dst + 30, xs_src + 100, 30));
	RUN(xp_range(xs_dst + 60, xs_src + 200, 10));
	return xp_untouched(xs_dst + 70, XP_LEN - 70);
}

/* A compound string (two items chained by c: 30 then 20 bytes) into a
 * compound buffer (two items: 25 then 15 bytes): one string of 50 into
 * 40, cut at 40. */
static const char *t_xstring_cut_compound(void)
{
	L4_Word_t br[4] = { xs_item(25, 1, 1, 0), (L4_Word_t)xs_dst, xs_item(15, 1, 0, 0),
			    (L4_Word_t)xs_dst + 200 };
	L4_Word_t it[4] = { xs_item(30, 1, 1, 0), (L4_Word_t)xs_src, xs_item(20, 1, 0, 0),
			    (L4_Word_t)xs_src + 300 }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 4, it, 4, &sec));
	RUN(xp_cut_at(sec, 40));
	RUN(xp_range(xs_dst, xs_src, 25));
	RUN(xp_range(xs_dst + 200, xs_src + 25, 5));
	RUN(xp_range(xs_dst + 205, xs_src + 300, 10));
	RUN(xp_untouched(xs_dst + 25, 175));
	return xp_untouched(xs_dst + 215, XP_LEN - 215);
}

/* Two strings, two buffers (the first's C bit set): the first arrives
 * whole (50 of 64), the second is cut at its buffer's 40: offset 90. */
static const char *t_xstring_offset_across_items(void)
{
	L4_Word_t br[4] = { xs_item(64, 1, 0, 1), (L4_Word_t)xs_dst, xs_item(40, 1, 0, 0),
			    (L4_Word_t)xs_dst + 100 };
	L4_Word_t it[4] = { xs_item(50, 1, 0, 0), (L4_Word_t)xs_src, xs_item(60, 1, 0, 0),
			    (L4_Word_t)xs_src + 200 }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 4, it, 4, &sec));
	RUN(xp_cut_at(sec, 90));
	RUN(xp_range(xs_dst, xs_src, 50));
	RUN(xp_range(xs_dst + 100, xs_src + 200, 40));
	RUN(xp_untouched(xs_dst + 50, 50));
	return xp_untouched(xs_dst + 140, XP_LEN - 140);
}

/* Three strings into three buffers chained by C bits: all arrive; the
 * receiver's MRs name each string's length and buffer. */
static const char *t_xstring_three_buffers(void)
{
	L4_Word_t br[6] = { xs_item(16, 1, 0, 1), (L4_Word_t)xs_dst, xs_item(16, 1, 0, 1),
			    (L4_Word_t)xs_dst + 32, xs_item(16, 1, 0, 0), (L4_Word_t)xs_dst + 64 };
	L4_Word_t it[6] = { xs_item(10, 1, 0, 0), (L4_Word_t)xs_src, xs_item(16, 1, 0, 0),
			    (L4_Word_t)xs_src + 50, xs_item(1, 1, 0, 0), (L4_Word_t)xs_src + 99 }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 6, it, 6, &sec));
	CHECK_EQ(sec, 0);
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = xr.tag }));
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = xr.tag }), 6);
	CHECK_EQ(xr.mr[1] >> 10, 10);
	CHECK_EQ(xr.mr[2], (L4_Word_t)xs_dst);
	CHECK_EQ(xr.mr[3] >> 10, 16);
	CHECK_EQ(xr.mr[4], (L4_Word_t)xs_dst + 32);
	CHECK_EQ(xr.mr[5] >> 10, 1);
	CHECK_EQ(xr.mr[6], (L4_Word_t)xs_dst + 64);
	RUN(xp_range(xs_dst, xs_src, 10));
	RUN(xp_range(xs_dst + 32, xs_src + 50, 16));
	RUN(xp_range(xs_dst + 64, xs_src + 99, 1));
	RUN(xp_untouched(xs_dst + 10, 22));
	RUN(xp_untouched(xs_dst + 48, 16));
	return xp_untouched(xs_dst + 65, XP_LEN - 65);
}

/* The first buffer's C bit is clear: BR3.. hold a stale buffer, which is
 * no buffer.  The second string finds none: overflow at offset 20. */
static const char *t_xstring_c_bit_ends_buffers(void)
{
	L4_Word_t br[4] = { xs_item(64, 1, 0, 0), (L4_Word_t)xs_dst, xs_item(64, 1, 0, 0),
			    (L4_Word_t)xs_dst + 100 };
	L4_Word_t it[4] = { xs_item(20, 1, 0, 0), (L4_Word_t)xs_src, xs_item(30, 1, 0, 0),
			    (L4_Word_t)xs_src + 200 }, sec;

	xp_fill();
	RUN(xp_exchange(1, br, 4, it, 4, &sec));
	RUN(xp_cut_at(sec, 20));
	RUN(xp_range(xs_dst, xs_src, 20));
	return xp_untouched(xs_dst + 20, XP_LEN - 20);
}

/* BR0's s bit clear: BR1 holds a buffer left from before, which is no
 * buffer: overflow at offset 0, nothing written. */
static const char *t_xstring_s_bit_clear(void)
{
	L4_Word_t br[2] = { xs_item(64, 1, 0, 0), (L4_Word_t)xs_dst };
	L4_Word_t it[2] = { xs_item(20, 1, 0, 0), (L4_Word_t)xs_src }, sec;

	xp_fill();
	RUN(xp_exchange(0, br, 2, it, 2, &sec));
	RUN(xp_cut_at(sec, 0));
	return xp_untouched(xs_dst, XP_LEN);
}

/* A C bit that promises a buffer beyond BR32: BR1 is one buffer of 31
 * substrings (BR2..BR32) with C set; the second string finds none. */
static const char *t_xstring_c_bit_past_brs(void)
{
	L4_Word_t br[32], it[4] = { xs_item(8, 1, 0, 0), (L4_Word_t)xs_src, xs_item(8, 1, 0, 0),
				    (L4_Word_t)xs_src + 8 }, sec;
	int i;

	br[0] = xs_item(8, 31, 0, 1);
	for (i = 1; i < 32; i++)
		br[i] = (L4_Word_t)xs_dst + 8 * (L4_Word_t)i;
	xp_fill();
	RUN(xp_exchange(1, br, 32, it, 4, &sec));
	RUN(xp_cut_at(sec, 8));
	RUN(xp_range(xs_dst + 8, xs_src, 8));
	RUN(xp_untouched(xs_dst, 8));
	return xp_untouched(xs_dst + 16, XP_LEN - 16);
}

/*
 * A buffer in another space whose second page is not mapped yet: the copy
 * stops for the fault, the pager (rt's pager thread) maps it, the copy
 * goes on where it stopped, and the cut then comes at the buffer's end,
 * at the right offset, with the right bytes on both pages.
 */
static const char *t_xstring_cut_after_fault(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Word_t buf = (L4_Word_t)xs_pages[1] - 60, a[2] = { buf, 200 }, items[2];
	L4_MsgTag_t tag;
	unsigned i;

	CHECK(!L4_IsNilThread(ag));
	for (i = 0; i < sizeof(xs_pages); i++)
		((unsigned char *)xs_pages)[i] = 0x5a;
	xp_fill();
	CHECK(rt_agent_post(ag, RT_AG_RECV_STRING, 2, a));
	items[0] = xs_item(300, 1, 0, 0);
	items[1] = (L4_Word_t)xs_src;
	t_load(0x67, 0, 0, 2, items);
	tag = L4_Send(ag);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(L4_ErrorCode(), xs_ec(L4_ErrMsgOverflow, 0, 200));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK_EQ(rt_mr(2), xs_ec(L4_ErrMsgOverflow, 1, 200));
	RUN(xp_range((unsigned char *)buf, xs_src, 200));
	CHECK_EQ(((unsigned char *)buf)[-1], 0x5a);
	return xp_untouched((unsigned char *)buf + 200, 100);
}

/* The same with the fault in the sender's space: its Ipc is re-executed
 * after its pager's answer and goes on where it stopped. */
static const char *t_xstring_cut_after_sender_fault(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager()), r;
	L4_Word_t src = (L4_Word_t)xs_pages[1] - 60, a[4];
	L4_Word_t br[2] = { xs_item(150, 1, 0, 0), (L4_Word_t)xs_dst };
	L4_MsgTag_t tag;
	unsigned i;

	CHECK(!L4_IsNilThread(ag));
	for (i = 0; i < sizeof(xs_pages); i++)
		((unsigned char *)xs_pages)[i] = (unsigned char)(i * 5 + 1);
	xp_fill();
	xr.acc = 1;
	xr.nbr = 2;
	xr.br[0] = br[0];
	xr.br[1] = br[1];
	xr.ready = xr.done = 0;
	xr.from = ag;
	r = rt_thread_create(xp_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	t_until(&xr.ready, 1);
	a[0] = r.raw;
	a[1] = t_tag(0x68, 0, 2).raw;
	a[2] = xs_item(200, 1, 0, 0);
	a[3] = src;
	CHECK(rt_agent_post(ag, RT_AG_SEND, 4, a));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK_EQ(rt_mr(2), xs_ec(L4_ErrMsgOverflow, 0, 150));
	t_until(&xr.done, 1);
	CHECK_EQ(xr.ec, xs_ec(L4_ErrMsgOverflow, 1, 150));
	RUN(xp_range(xs_dst, (unsigned char *)src, 150));
	return xp_untouched(xs_dst + 150, XP_LEN - 150);
}

const struct test xstring_tests[] = {
	TEST(xstring_cut_simple),
	TEST(xstring_cut_buffer_substrings),
	TEST(xstring_cut_send_substrings),
	TEST(xstring_cut_compound),
	TEST(xstring_offset_across_items),
	TEST(xstring_three_buffers),
	TEST(xstring_c_bit_ends_buffers),
	TEST(xstring_s_bit_clear),
	TEST(xstring_c_bit_past_brs),
	TEST(xstring_cut_after_fault),
	TEST(xstring_cut_after_sender_fault),
	{ 0 },
};
