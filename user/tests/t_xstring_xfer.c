/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * String transfers that stop for a page fault nobody answers, under every
 * combination of the two XferTimeouts (zero, relative, never: the
 * sender's send half and the receiver's receive half), with the fault in
 * the sender's and in the receiver's space, and ended by
 * ExchangeRegisters from either side.  X.2: error 5 to the partner in
 * whose space the fault is, 6 to the other, 7 to both on an abort; the
 * offset (ErrorCode bits 4..31) is the bytes transferred before the fault.
 * The receive buffer holds exactly those bytes, nothing after them
 * changes, and the message is never delivered afterwards.
 */
#include "t_xstring.h"
#include "t_sync.h"

#define XS_LEN	256		/* the string */
#define XS_CUT	100		/* its bytes on the page before the fault */


enum { XS_TIMEOUT, XS_ABORT_SENDER, XS_ABORT_RECEIVER };

/* One case: the sender's send half, the receiver's receive half, how it
 * ends, and the codes the partner whose space faults and the other one
 * must see. */
struct xs_case {
	const char *name;
	L4_Word_t snd, rcv;	/* L4_Time_t raw values */
	int end;
	L4_Word_t fault_code, other_code;
	int faults;		/* the fault reaches the pager (no zero timeout) */
};

#define NEVER	0x0000UL
#define ZERO	0x0400UL
#define T20	0x1671UL	/* 625 * 2^5 us = 20 ms */
#define T40	0x1A71UL	/* 625 * 2^6 us = 40 ms */

/* Root-space partner: its words and what it got. */
static struct {
	L4_ThreadId_t peer;
	L4_Word_t xfer, item[2];
	volatile L4_Word_t tag, ec, done, again;
} xs;

/* The pages hold the source (fault at the sender) or the buffer (fault
 * at the receiver); the root's small arrays the other end. */
static void xs_fill(int pages_are_source)
{
	unsigned i;

	for (i = 0; i < sizeof(xs_pages); i++)
		((unsigned char *)xs_pages)[i] = pages_are_source ? (unsigned char)(i * 11 + 5) : 0x5a;
	for (i = 0; i < XS_SMALL; i++) {
		xs_src[i] = (unsigned char)(i * 7 + 3);
		xs_dst[i] = 0x5a;
	}
}

static void xs_send_body(L4_Word_t arg)
{
	L4_MsgTag_t tag = L4_Niltag;

	(void)arg;
	L4_Set_XferTimeouts(xs.xfer);
	tag.X.label = 0x51;
	tag.X.t = 2;
	L4_LoadMR(1, xs.item[0]);
	L4_LoadMR(2, xs.item[1]);
	L4_LoadMR(0, tag.raw);
	tag = L4_Send(xs.peer);
	xs.tag = tag.raw;
	xs.ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	xs.done = 1;
}

static void xs_recv_body(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Set_XferTimeouts(xs.xfer);
	L4_LoadBR(0, 1);
	L4_LoadBR(1, xs.item[0]);
	L4_LoadBR(2, xs.item[1]);
	tag = L4_Ipc(L4_nilthread, xs.peer, L4_Timeouts(L4_Never, L4_Never), &from);
	xs.tag = tag.raw;
	xs.ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	xs.done = 1;
	/* Nothing more may come from that sender. */
	tag = L4_Ipc(L4_nilthread, xs.peer, L4_Timeouts(L4_Never, L4_ZeroTime), &from);
	xs.again = L4_IpcFailed(tag) && L4_ErrorCode() == EC_RECV(L4_ErrTimeout) ? 1 : 2;
}

static void xs_abort(L4_ThreadId_t t, L4_Word_t how)
{
	(void)__L4_Exregs(t, how, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

/* Main's view of the agent's fault: at the page never answered. */
static const char *xs_is_fault(L4_MsgTag_t tag, L4_ThreadId_t from, L4_ThreadId_t ag)
{
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), (L4_Word_t)xs_pages[1]);
	return 0;
}

/* The transfer stops at the agent's fault (unless a zero XferTimeout has
 * ended it at once): end it as c says, then check the ErrorCodes of the
 * root thread and of the agent.  main waits in rt_agent_result, which
 * serves the agent's faults on the image's code and stack meanwhile. */
static const char *xs_end(const struct xs_case *c, L4_ThreadId_t ag, L4_ThreadId_t s,
			  L4_ThreadId_t r, L4_Word_t root_ec, L4_Word_t agent_ec)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag = rt_agent_result(ag, &from);

	if (rt_is_pagefault(tag)) {
		CHECK(c->faults);
		RUN(xs_is_fault(tag, from, ag));
		if (c->end != XS_TIMEOUT)
			xs_abort(c->end == XS_ABORT_SENDER ? s : r, c->end == XS_ABORT_SENDER ?
				 __L4_EXREGS_ABORT_SEND : __L4_EXREGS_ABORT_RECV);
		tag = rt_agent_result(ag, 0);
	} else {
		/* A timeout may drop the fault before main takes it; with no
		 * timeout it waits for the abort. */
		CHECK(c->end == XS_TIMEOUT);
	}
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK_EQ(rt_mr(2), agent_ec);
	t_until(&xs.done, 1);
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = xs.tag }));
	CHECK_EQ(xs.ec, root_ec);
	return 0;
}

/* The fault in the receiver's space: the receiver is an agent (pager
 * main) with its buffer across the end of a mapped page and the start of
 * one whose fault main never answers; the sender is a root thread. */
static const char *fault_at_receiver(const struct xs_case *c)
{
	L4_ThreadId_t r = rt_agent_create(L4_Myself()), s;
	L4_Word_t buf = (L4_Word_t)xs_pages[1] - XS_CUT;
	L4_Word_t a[2] = { buf, XS_LEN }, w[2] = { (L4_Word_t)xs_pages[0], 0 }, x;
	int i;

	CHECK(!L4_IsNilThread(r));
	CHECK(t_ag_ok(rt_agent_cmd(r, RT_AG_WRITE, 2, w)));	/* maps page 0 */
	xs_fill(0);
	x = L4_Timeouts((L4_Time_t) { .raw = ZERO }, (L4_Time_t) { .raw = c->rcv });
	CHECK(t_ag_ok(rt_agent_cmd(r, RT_AG_XFER, 1, &x)));
	rt_watch((L4_Word_t)xs_pages[1], (L4_Word_t)xs_pages[1] + RT_PAGE_SIZE);
	CHECK(rt_agent_post(r, RT_AG_RECV_STRING, 2, a));
	xs.peer = r;
	xs.xfer = L4_Timeouts((L4_Time_t) { .raw = c->snd }, L4_ZeroTime);
	xs.item[0] = xs_item(XS_LEN, 1, 0, 0);
	xs.item[1] = (L4_Word_t)xs_src;
	xs.done = 0;
	s = rt_thread_create(xs_send_body, 0);
	CHECK(!L4_IsNilThread(s));
	RUN(xs_end(c, r, s, r, xs_ec(c->other_code, 0, XS_CUT), xs_ec(c->fault_code, 1, XS_CUT)));
	for (i = 0; i < XS_CUT; i++)
		CHECK_EQ(((unsigned char *)buf)[i], xs_src[i]);
	for (i = XS_CUT; i < (int)RT_PAGE_SIZE; i++)
		CHECK_EQ(((unsigned char *)buf)[i], 0x5a);
	CHECK_EQ(((unsigned char *)buf)[-1], 0x5a);
	return 0;
}

/* The fault in the sender's space: the sender is an agent (pager main)
 * whose string runs from a mapped page into one whose fault main never
 * answers; the receiver is a root thread. */
static const char *fault_at_sender(const struct xs_case *c)
{
	L4_ThreadId_t s = rt_agent_create(L4_Myself()), r;
	L4_Word_t src = (L4_Word_t)xs_pages[1] - XS_CUT, x, a[4];
	int i;

	CHECK(!L4_IsNilThread(s));
	a[0] = (L4_Word_t)xs_pages[0];
	CHECK(t_ag_ok(rt_agent_cmd(s, RT_AG_READ, 1, a)));	/* maps page 0 */
	xs_fill(1);
	x = L4_Timeouts((L4_Time_t) { .raw = c->snd }, L4_ZeroTime);
	CHECK(t_ag_ok(rt_agent_cmd(s, RT_AG_XFER, 1, &x)));
	rt_watch((L4_Word_t)xs_pages[1], (L4_Word_t)xs_pages[1] + RT_PAGE_SIZE);
	xs.peer = s;
	xs.xfer = L4_Timeouts(L4_ZeroTime, (L4_Time_t) { .raw = c->rcv });
	xs.item[0] = xs_item(XS_LEN, 1, 0, 0);
	xs.item[1] = (L4_Word_t)xs_dst;
	xs.done = xs.again = 0;
	r = rt_thread_create(xs_recv_body, 0);
	CHECK(!L4_IsNilThread(r));
	a[0] = r.raw;
	a[1] = t_tag(0x52, 0, 2).raw;
	a[2] = xs_item(XS_LEN, 1, 0, 0);
	a[3] = src;
	CHECK(rt_agent_post(s, RT_AG_SEND, 4, a));
	RUN(xs_end(c, s, s, r, xs_ec(c->other_code, 1, XS_CUT), xs_ec(c->fault_code, 0, XS_CUT)));
	for (i = 0; i < XS_CUT; i++)
		CHECK_EQ(xs_dst[i], xs_pages[0][RT_PAGE_SIZE - XS_CUT + i]);
	for (i = XS_CUT; i < XS_SMALL; i++)
		CHECK_EQ(xs_dst[i], 0x5a);
	/* The receiver's second, zero-timeout receive found nothing. */
	t_until(&xs.again, 1);
	return 0;
}

static const char *run(const struct xs_case *cs, int n, int at_sender)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *why = at_sender ? fault_at_sender(&cs[i]) : fault_at_receiver(&cs[i]);

		rt_watch(0, 0);
		rt_cleanup();
		rt_agent_reset();
		if (why) {
			printf("#   case %s\n", cs[i].name);
			return why;
		}
	}
	return 0;
}

/* X.2: the partner whose space faulted gets 5, the other 6 (as fault_code,
 * other_code); an abort gives both 7.  Zero halves fail at once. */
#define OWN	L4_ErrXferTimeoutOwn
#define PART	L4_ErrXferTimeoutPartner
#define AB	L4_ErrAborted

static const struct xs_case timeouts[] = {
	{ "zero/never", ZERO, NEVER, XS_TIMEOUT, OWN, PART, 0 },
	{ "never/zero", NEVER, ZERO, XS_TIMEOUT, OWN, PART, 0 },
	{ "zero/zero", ZERO, ZERO, XS_TIMEOUT, OWN, PART, 0 },
	{ "zero/20ms", ZERO, T20, XS_TIMEOUT, OWN, PART, 0 },
	{ "20ms/zero", T20, ZERO, XS_TIMEOUT, OWN, PART, 0 },
	{ "20ms/never", T20, NEVER, XS_TIMEOUT, OWN, PART, 1 },
	{ "never/20ms", NEVER, T20, XS_TIMEOUT, OWN, PART, 1 },
	{ "20ms/40ms", T20, T40, XS_TIMEOUT, OWN, PART, 1 },
	{ "40ms/20ms", T40, T20, XS_TIMEOUT, OWN, PART, 1 },
};

static const struct xs_case aborts[] = {
	{ "abort sender", NEVER, NEVER, XS_ABORT_SENDER, AB, AB, 1 },
	{ "abort receiver", NEVER, NEVER, XS_ABORT_RECEIVER, AB, AB, 1 },
};

#define N(a)	((int)(sizeof(a) / sizeof((a)[0])))

static const char *t_xstring_xfer_fault_at_receiver(void)
{
	return run(timeouts, N(timeouts), 0);
}

static const char *t_xstring_xfer_fault_at_sender(void)
{
	return run(timeouts, N(timeouts), 1);
}

static const char *t_xstring_xfer_abort_at_receiver(void)
{
	return run(aborts, N(aborts), 0);
}

static const char *t_xstring_xfer_abort_at_sender(void)
{
	return run(aborts, N(aborts), 1);
}

/* Before the transfer has begun (the receiver is not receiving yet), an
 * abort is X.2's "cancelled": 3 to the sender alone, offset 0, nothing
 * written. */
static const char *t_xstring_xfer_cancel_before_transfer(void)
{
	L4_ThreadId_t r = rt_agent_create(L4_Myself()), s;
	L4_Word_t old;
	int i;

	CHECK(!L4_IsNilThread(r));
	xs_fill(0);
	xs.peer = r;
	xs.xfer = 0;
	xs.item[0] = xs_item(XS_LEN, 1, 0, 0);
	xs.item[1] = (L4_Word_t)xs_src;
	xs.done = 0;
	s = rt_thread_create(xs_send_body, 0);
	CHECK(!L4_IsNilThread(s));
	/* The agent waits for main only: the sender stays blocked. */
	for (i = 0; i < 1000; i++) {
		if (L4_Schedule(s, ~0UL, ~0UL, ~0UL, ~0UL, &old) == L4_SCHEDRESULT_PENDING_SEND)
			break;
		rt_sleep_us(1000);
	}
	CHECK_EQ(L4_Schedule(s, ~0UL, ~0UL, ~0UL, ~0UL, &old), L4_SCHEDRESULT_PENDING_SEND);
	xs_abort(s, __L4_EXREGS_ABORT_SEND);
	t_until(&xs.done, 1);
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = xs.tag }));
	CHECK_EQ(xs.ec, xs_ec(L4_ErrCanceled, 0, 0));
	for (i = 0; i < (int)sizeof(xs_pages); i++)
		CHECK_EQ(((unsigned char *)xs_pages)[i], 0x5a);
	return 0;
}

const struct test xstring_xfer_tests[] = {
	TEST(xstring_xfer_fault_at_receiver),
	TEST(xstring_xfer_fault_at_sender),
	TEST(xstring_xfer_abort_at_receiver),
	TEST(xstring_xfer_abort_at_sender),
	TEST(xstring_xfer_cancel_before_transfer),
	{ 0 },
};
