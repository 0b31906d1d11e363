/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 state a thread keeps while its kpager holds its UTCB page
 * (t_x2utcb.c's child and kpager): a single-step trap taken meanwhile
 * reaches the exception handler as without the page away; a delayed
 * preemption is granted from the PreemptFlags the kernel kept; a send
 * timeout set before the page went still bounds the send.
 */
#include "t_x2utcb_int.h"

/* The exception message of c's single step: EIP xu_db_at, vector 1, TF
 * set; resumed at xu_db_resume with TF clear and EAX = XU_EAX. */
static const char *xu_step_reported(L4_ThreadId_t c)
{
	L4_Word_t w[12];
	L4_MsgTag_t tag = L4_Receive(c);

	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag) >> 4, XU_EXC_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 12);
	CHECK_EQ(rt_mr(1), (L4_Word_t)xu_db_at);
	CHECK_EQ(rt_mr(3), 1);
	CHECK(rt_mr(2) & XU_EFLAGS_TF);
	for (int i = 0; i < 12; i++)
		w[i] = rt_mr(i + 1);
	w[0] = (L4_Word_t)xu_db_resume;
	w[1] &= ~XU_EFLAGS_TF;
	w[11] = XU_EAX;
	L4_LoadMRs(1, 12, w);
	L4_LoadMR(0, (L4_MsgTag_t){ .X.u = 12 }.raw);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	RUN(xu_data(c));
	CHECK_EQ(rt_mr(1), XU_EAX);
	return 0;
}

/*
 * The child single-steps while its UTCB page is away: the trap asks for
 * the page, and once it is back the exception message reaches the
 * handler (main) exactly as without the page away: the EIP after the
 * stepped instruction, vector 1.  (Before: the trap was not reported;
 * the child went on with TF set, and the exception named the next
 * instruction.)
 */
const char *t_x2utcb_single_step_reported(void)
{
	L4_ThreadId_t c, peer;
	int skip;

	RUN(xu_begin(&c, &peer, XU_STEP, 0, &skip));
	L4_Word_t n = xk.n;
	const char *r = skip ? 0 : xu_take();
	t_shared[XU_GO] = 1;
	if (!r)
		r = xu_step_reported(c);
	if (!r && !skip && xu_utcb_faults(n) != 1)
		r = "the UTCB page was not asked for exactly once";
	return xu_end(c, r);
}

/*
 * The child, with d set in PreemptFlags and a maximum delay, spins while
 * its UTCB page is away, until its total quantum runs out (the
 * preemption message to main).  Its slice ended before that: the delay
 * was granted from the flags the kernel kept, and I was set; the child
 * reads d and I once its page is back.  (Before: no delay was granted
 * while the page was away: I stayed clear.)
 */
static const char *xu_delay_granted(L4_ThreadId_t c, int skip)
{
	L4_Word_t old;

	if (!skip)
		RUN(xu_take());
	CHECK(L4_Schedule(c, XU_KEEP, XU_KEEP, XU_KEEP, (RT_PRIORITY << 16) | 20000, &old) !=
	      L4_SCHEDRESULT_ERROR);
	CHECK(L4_Set_Timeslice(c, rt_us(5000), rt_us(40000)) != L4_SCHEDRESULT_ERROR);
	L4_MsgTag_t tag = L4_Receive(c);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), XU_PREEMPT);
	CHECK(L4_Set_Timeslice(c, rt_us(10000), L4_Never) != L4_SCHEDRESULT_ERROR);
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	t_shared[XU_GO] = 1;
	RUN(xu_data(c));
	CHECK_EQ(rt_mr(1), XU_PF_DELAYED | XU_PF_PENDING);
	return 0;
}

const char *t_x2utcb_delayed_preemption(void)
{
	L4_ThreadId_t c, peer;
	int skip;

	RUN(xu_begin(&c, &peer, XU_DELAY, 0, &skip));
	return xu_end(c, xu_delay_granted(c, skip));
}

/*
 * The child is blocked sending to the peer, which never receives, with a
 * send timeout relative XU_SEND_US, when its UTCB page is taken: it stays
 * queued, its timeout armed at the call, and fails with 1 at that
 * deadline, not later; it reads ErrorCode from its page once back, the
 * one time the page is asked for.  (A regression check: the base kernel
 * did so too.)
 */
static const char *xu_send_timeout_kept(L4_ThreadId_t c, int skip)
{
	L4_Word_t n = xk.n, old;

	CHECK(t_sched_state(c, L4_SCHEDRESULT_PENDING_SEND));
	if (!skip) {
		RUN(xu_take());
		/* Taken before the deadline: still sending. */
		CHECK_EQ(L4_Schedule(c, XU_KEEP, XU_KEEP, XU_KEEP, XU_KEEP, &old),
			 L4_SCHEDRESULT_PENDING_SEND);
	}
	RUN(xu_data(c));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), EC_SEND(1));
	CHECK(rt_mr(3) >= XU_SEND_US - XU_SLACK_US);
	if (!skip)
		CHECK_EQ(xu_utcb_faults(n), 1);
	return 0;
}

const char *t_x2utcb_send_timeout_kept(void)
{
	L4_ThreadId_t c, peer;
	int skip;

	RUN(xu_begin(&c, &peer, XU_SEND_TIMED, 0, &skip));
	return xu_end(c, xu_send_timeout_kept(c, skip));
}

/*
 * The child runs sysenter outside the stub (t_sysenter.c), garbage in
 * ESP and ECX, an Ipc to a thread that does not exist (no fast path),
 * while its UTCB page is away: the entry asks for the page once, the Ipc
 * is rewound onto the KIP stub's sysenter meanwhile, and once the page is
 * back it runs again and comes back to EBX on the stack in EBP, EDI
 * kept, with the tag's error flag (ErrorCode: no such partner).
 * Where the kernel does not use sysenter, nothing to test.
 */
const char *t_x2utcb_sysenter_entry(void)
{
	static L4_Word_t stack[64];
	static const L4_Word_t in[5] = { 0xDEAD0001, 0xFFFFFFFF, 0, 0, 0x5EED5EED };
	L4_ThreadId_t c, peer;
	int skip;

	if (!rt_ipc_kip_sysenter()) {
		printf("# no sysenter in this kernel: nothing to test\n");
		return 0;
	}
	for (int i = 0; i < 5; i++)
		t_se_in[i] = in[i];
	t_se_in[5] = (L4_Word_t)t_se_back;
	t_se_in[6] = (L4_Word_t)&stack[48];
	t_se_in[7] = 0x7;
	RUN(xu_begin(&c, &peer, XU_SYSENTER, 0, &skip));
	L4_Word_t n = xk.n;
	const char *r = skip ? 0 : xu_take();
	t_shared[XU_GO] = 1;
	if (!r)
		r = xu_data(c);
	if (!r && !(rt_mr(1) & 0x8000))
		r = "the Ipc to nobody did not fail";
	if (!r && rt_mr(2) != (L4_Word_t)&stack[48])
		r = "it came back on another stack";
	if (!r && rt_mr(3) != 0x5EED5EED)
		r = "EDI changed";
	if (!r && !skip && xu_utcb_faults(n) != 1)
		r = "the UTCB page was not asked for exactly once";
	return xu_end(c, r);
}
