/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * String items (X.2: simple and compound strings, receive buffers in the
 * BRs, message overflow, page faults during the copy, transfer timeouts
 * and aborts).
 */
#include "tests.h"
#include "t_sync.h"

/* Also the buffers of t_xstring*.c (t_xstring.h): each page of the
 * image is sigma0's memory for good, and small machines have few. */
unsigned char sbuf[512];
unsigned char rbuf[512];
/* Buffers for agents, each on a page of its own. */
unsigned char agbuf[2][RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

static L4_Word_t string0(L4_Word_t len, int substrings)
{
	L4_StringItem_t s = L4_StringItem((int)len, 0);

	s.X.j = substrings - 1;
	return s.raw[0];
}

static void fill(void)
{
	int i;

	for (i = 0; i < 512; i++) {
		sbuf[i] = (unsigned char)(i * 7 + 3);
		rbuf[i] = 0x5a;
	}
}

/* Receive one message from main into a string buffer of arg bytes at
 * t_shared[6] (rbuf if 0); arg 0: accept no strings at all. */
static void string_receiver(L4_Word_t len)
{
	void *buf = t_shared[6] ? (void *)t_shared[6] : rbuf;
	L4_StringItem_t it = L4_StringItem((int)len, buf);
	L4_MsgTag_t tag;

	L4_LoadBR(0, len ? 1 : 0);
	L4_LoadBR(1, it.raw[0]);
	L4_LoadBR(2, it.raw[1]);
	t_shared[5] = 1;
	tag = L4_Receive(rt_main_thread());
	t_shared[0] = tag.raw;
	t_shared[1] = L4_ErrorCode() & 0xf;
	t_shared[2] = rt_mr(L4_UntypedWords(tag) + 1);
	t_shared[4] = 1;
}

/* Send main's message (one untyped word and the given string item
 * words) to a receiver thread; return the send's tag. */
static L4_MsgTag_t send_string(L4_ThreadId_t to, int t, const L4_Word_t *items)
{
	L4_Word_t w = 0x77;

	t_load(0x90, 1, &w, t, items);
	return L4_Send(to);
}

static const char *t_ipc_string_simple(void)
{
	L4_Word_t items[2];
	L4_ThreadId_t r;
	L4_MsgTag_t tag;
	int i;

	fill();
	r = rt_thread_create(string_receiver, 256);
	CHECK(!L4_IsNilThread(r));
	t_until(&t_shared[5], 1);
	items[0] = string0(100, 1);
	items[1] = (L4_Word_t)sbuf;
	tag = send_string(r, 2, items);
	CHECK(L4_IpcSucceeded(tag));
	t_until(&t_shared[4], 1);
	tag.raw = t_shared[0];
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 0x90);
	CHECK_EQ(L4_UntypedWords(tag), 1);
	CHECK_EQ(L4_TypedWords(tag), 2);
	CHECK_EQ(t_shared[2] >> 10, 100);
	for (i = 0; i < 100; i++)
		CHECK_EQ(rbuf[i], sbuf[i]);
	CHECK_EQ(rbuf[100], 0x5a);
	return 0;
}

/* Two substrings of 32 bytes arrive one after the other in one buffer. */
static const char *t_ipc_string_compound(void)
{
	L4_Word_t items[3];
	L4_ThreadId_t r;
	int i;

	fill();
	r = rt_thread_create(string_receiver, 128);
	CHECK(!L4_IsNilThread(r));
	t_until(&t_shared[5], 1);
	items[0] = string0(32, 2);
	items[1] = (L4_Word_t)sbuf;
	items[2] = (L4_Word_t)sbuf + 256;
	CHECK(L4_IpcSucceeded(send_string(r, 3, items)));
	t_until(&t_shared[4], 1);
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = t_shared[0] }));
	for (i = 0; i < 32; i++) {
		CHECK_EQ(rbuf[i], sbuf[i]);
		CHECK_EQ(rbuf[32 + i], sbuf[256 + i]);
	}
	return 0;
}

/* Sender and receiver both see the error (message overflow unless the
 * kernel reports a transfer fault); nothing beyond the buffer changes. */
static const char *refused(L4_Word_t rlen, L4_Word_t src, L4_Word_t len,
			   L4_Word_t lo, L4_Word_t hi)
{
	L4_Word_t items[2], code;
	L4_ThreadId_t r;
	L4_MsgTag_t tag;

	r = rt_thread_create(string_receiver, rlen);
	CHECK(!L4_IsNilThread(r));
	t_until(&t_shared[5], 1);
	items[0] = string0(len, 1);
	items[1] = src;
	L4_Set_XferTimeouts(L4_Timeouts(rt_us(500000), rt_us(500000)));
	tag = send_string(r, 2, items);
	code = t_ipc_ec();
	L4_Set_XferTimeouts(0);
	CHECK(L4_IpcFailed(tag));
	CHECK((code & 1) == 0);
	CHECK((code >> 1) >= lo && (code >> 1) <= hi);
	t_until(&t_shared[4], 1);
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = t_shared[0] }));
	CHECK((t_shared[1] & 1) == 1);
	CHECK((t_shared[1] >> 1) >= lo && (t_shared[1] >> 1) <= hi);
	return 0;
}

static const char *t_ipc_string_overflow(void)
{
	fill();
	RUN(refused(100, (L4_Word_t)sbuf, 200, L4_ErrMsgOverflow, L4_ErrMsgOverflow));
	CHECK_EQ(rbuf[100], 0x5a);
	return 0;
}

static const char *t_ipc_string_not_accepted(void)
{
	fill();
	RUN(refused(0, (L4_Word_t)sbuf, 50, L4_ErrMsgOverflow, L4_ErrMsgOverflow));
	CHECK_EQ(rbuf[0], 0x5a);
	return 0;
}

/* A string from, or into, kernel memory is refused and copies nothing. */
static const char *t_ipc_string_kernel_source_refused(void)
{
	int i;

	fill();
	RUN(refused(256, t_kernel_addr(), 64, L4_ErrMsgOverflow, L4_ErrAborted));
	for (i = 0; i < 64; i++)
		CHECK_EQ(rbuf[i], 0x5a);
	return 0;
}

static const char *t_ipc_string_kernel_buffer_refused(void)
{
	fill();
	t_shared[6] = t_kernel_addr();
	return refused(64, (L4_Word_t)sbuf, 64, L4_ErrMsgOverflow, L4_ErrAborted);
}

/* A string to an agent in another space (pager: rt's pager thread);
 * touch: whether the agent maps its buffer before the copy.  Without,
 * the copy faults in the receiver's space and the pager resolves it. */
static const char *inter_space(int which, int touch)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Word_t a[2] = { (L4_Word_t)agbuf[which], 256 }, items[2];
	L4_Word_t unhandled = rt_pager_unhandled;
	L4_MsgTag_t tag;
	int i;

	CHECK(!L4_IsNilThread(ag));
	fill();
	for (i = 0; i < 256; i++)
		agbuf[which][i] = 0;
	if (touch)
		CHECK(L4_IpcSucceeded(rt_agent_cmd(ag, RT_AG_WRITE, 2, a)));
	CHECK(rt_agent_post(ag, RT_AG_RECV_STRING, 2, a));
	items[0] = string0(200, 1);
	items[1] = (L4_Word_t)sbuf;
	tag = send_string(ag, 2, items);
	CHECK(L4_IpcSucceeded(tag));
	tag = rt_agent_result(ag, 0);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	for (i = 0; i < 200; i++)
		CHECK_EQ(agbuf[which][i], sbuf[i]);
	CHECK_EQ(agbuf[which][200], 0);
	CHECK_EQ(rt_pager_unhandled, unhandled);
	return 0;
}

static const char *t_ipc_string_inter_space(void)
{
	return inter_space(0, 1);
}

static const char *t_ipc_string_dest_unmapped_pager(void)
{
	return inter_space(1, 0);
}

/*
 * A transfer stalled on a page fault in the receiver's space (its pager,
 * main, does not answer).  abort: 0 lets the transfer timeouts act (the
 * sender's XferTimeouts sxfer, the receiver's rxfer), STALL_ABORT_SENDER
 * aborts the sender's send, STALL_ABORT_RECEIVER the receiver's receive,
 * by ExchangeRegisters.  send_ec and recv_ec: the ErrorCodes each gets.
 */
enum { STALL_TIMEOUT, STALL_ABORT_SENDER, STALL_ABORT_RECEIVER };

static const char *stalled(L4_Word_t sxfer, L4_Word_t rxfer, int abort,
			   L4_Word_t send_ec, L4_Word_t recv_ec)
{
	L4_ThreadId_t r = rt_agent_create(L4_Myself()), s, from = L4_nilthread;
	L4_Word_t a[2] = { (L4_Word_t)agbuf[1], 256 }, items[2], ec;
	L4_MsgTag_t tag = L4_Niltag;

	CHECK(!L4_IsNilThread(r));
	fill();
	if (rxfer)
		CHECK(t_ag_ok(rt_agent_cmd(r, RT_AG_XFER, 1, &rxfer)));
	rt_watch((L4_Word_t)agbuf[1], (L4_Word_t)agbuf[1] + RT_PAGE_SIZE);
	CHECK(rt_agent_post(r, RT_AG_RECV_STRING, 2, a));
	items[0] = string0(256, 1);
	items[1] = (L4_Word_t)sbuf;
	tag.X.label = 0x91;
	tag.X.t = 2;
	s = t_send_async(r, tag, items, sxfer);
	CHECK(!L4_IsNilThread(s));
	tag = rt_agent_result(r, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, r.raw);
	CHECK(rt_mr(1) >= (L4_Word_t)agbuf[1] && rt_mr(1) < (L4_Word_t)agbuf[1] + 256);
	if (abort != STALL_TIMEOUT) {
		rt_sleep_us(20000);
		if (abort == STALL_ABORT_SENDER)
			(void)__L4_Exregs(s, __L4_EXREGS_ABORT_SEND, 0, 0, 0, 0, L4_nilthread,
					  0, 0, 0, 0, 0, 0);
		else	/* main is r's pager, so it may */
			(void)__L4_Exregs(r, __L4_EXREGS_ABORT_RECV, 0, 0, 0, 0, L4_nilthread,
					  0, 0, 0, 0, 0, 0);
	}
	t_send_async_wait(&tag, &ec);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(ec, send_ec);
	tag = rt_agent_result(r, 0);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK_EQ(rt_mr(2) & 0xf, recv_ec);
	return 0;
}

static const char *t_ipc_abort_during_transfer(void)
{
	return stalled(0, 0, STALL_ABORT_SENDER,
		       EC_SEND(L4_ErrAborted), EC_RECV(L4_ErrAborted));
}

/* Aborting the receiver's receive ends the transfer for both as well. */
static const char *t_exreg_abort_receiver_during_transfer(void)
{
	return stalled(0, 0, STALL_ABORT_RECEIVER,
		       EC_SEND(L4_ErrAborted), EC_RECV(L4_ErrAborted));
}

/* The sender's XferTimeout (send half) is the shorter: it fires.  The
 * page is missing in the receiver's space: X.2 gives the receiver 5
 * ("in the invoker's address space") and the sender 6. */
static const char *t_ipc_xfer_timeout_codes(void)
{
	return stalled(L4_Timeouts(rt_us(50000), L4_Never), 0, STALL_TIMEOUT,
		       EC_SEND(L4_ErrXferTimeoutPartner), EC_RECV(L4_ErrXferTimeoutOwn));
}

/* The receiver's XferTimeout (receive half) is the shorter: the codes
 * are the same, as the page is missing in the receiver's space either
 * way. */
static const char *t_xfer_timeout_receiver_side(void)
{
	return stalled(0, L4_Timeouts(L4_Never, rt_us(50000)), STALL_TIMEOUT,
		       EC_SEND(L4_ErrXferTimeoutPartner), EC_RECV(L4_ErrXferTimeoutOwn));
}

/*
 * B (an agent, paged by rt's pager thread) is blocked sending main a
 * string whose source page B has never touched; main then receives from
 * B.  The copy faults in B's space, B's pager maps the page, B's Ipc
 * starts over, and main -- which must stay blocked meanwhile, not come
 * back early with its own MR0 and a nil sender -- gets the whole message.
 */
static unsigned char fault_src[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

static const char *t_ipc_receiver_blocks_after_sender_fault(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager()), from = L4_nilthread;
	L4_Word_t a[5], unhandled = rt_pager_unhandled, old;
	L4_StringItem_t buf = L4_StringItem(512, rbuf);
	L4_MsgTag_t tag;
	int i, seen = 0;

	CHECK(!L4_IsNilThread(ag));
	for (i = 0; i < (int)RT_PAGE_SIZE; i++)
		fault_src[i] = (unsigned char)(i * 13 + 1);
	for (i = 0; i < 512; i++)
		rbuf[i] = 0x5a;
	a[0] = L4_Myself().raw;
	a[1] = t_tag(0x4242, 1, 2).raw;
	a[2] = 0x1111;
	a[3] = string0(300, 1);
	a[4] = (L4_Word_t)fault_src + 100;
	CHECK(rt_agent_post(ag, RT_AG_SEND, 5, a));
	/* B blocked in its send to us (seen twice: not a passing page fault). */
	for (i = 0; i < 2000 && seen < 2; i++) {
		rt_sleep_us(1000);
		if (L4_Schedule(ag, ~0UL, ~0UL, ~0UL, ~0UL, &old) == L4_SCHEDRESULT_PENDING_SEND)
			seen++;
		else
			seen = 0;
	}
	CHECK_EQ(seen, 2);
	L4_LoadBR(0, 1);
	L4_LoadBR(1, buf.raw[0]);
	L4_LoadBR(2, buf.raw[1]);
	L4_LoadMR(0, t_tag(0xbad, 0, 0).raw);
	tag = L4_Ipc(L4_nilthread, ag, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(L4_Label(tag), 0x4242);
	CHECK_EQ(L4_UntypedWords(tag), 1);
	CHECK_EQ(L4_TypedWords(tag), 2);
	CHECK_EQ(rt_mr(1), 0x1111);
	CHECK_EQ(rt_mr(2) >> 10, 300);
	for (i = 0; i < 300; i++)
		CHECK_EQ(rbuf[i], fault_src[100 + i]);
	CHECK_EQ(rbuf[300], 0x5a);
	/* B's send succeeded too, and its pager had nothing it could not do. */
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK_EQ(rt_pager_unhandled, unhandled);
	return 0;
}

const struct test string_tests[] = {
	TEST(ipc_string_simple),
	TEST(ipc_string_compound),
	TEST(ipc_string_overflow),
	TEST(ipc_string_not_accepted),
	TEST(ipc_string_inter_space),
	TEST(ipc_string_dest_unmapped_pager),
	TEST(ipc_abort_during_transfer),
	TEST(ipc_xfer_timeout_codes),
	TEST(xfer_timeout_receiver_side),
	TEST(exreg_abort_receiver_during_transfer),
	TEST(ipc_receiver_blocks_after_sender_fault),
	TEST(ipc_string_kernel_source_refused),
	TEST(ipc_string_kernel_buffer_refused),
	{ 0 },
};
