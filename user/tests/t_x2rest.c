/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt threads as Pistachio has them (kernel/irq.c, docs/abi.md
 * "Interrupt threads"): a send to an interrupt thread that is not its
 * handler's acknowledgement waits out its send timeout, and Schedule
 * takes an interrupt thread from a privileged caller and reports its
 * state.  IRQ 8 is the RTC's line (t_irq.c drives the device).
 */
#include "tests.h"
#include "t_sync.h"

#define IRQ_RTC		8
#define IRQ_TAG		0xFFF00000UL     /* label -1, no words (X.2) */
#define X2REST_REPORT	0x2e51
#define X2REST_WAIT_US	5000UL

/* Sends to interrupt thread arg with timeout never; its outcome in
 * t_shared[1..2], then t_shared[0] = 1. */
static void never_sender(L4_Word_t arg)
{
	L4_ThreadId_t irq = { .raw = arg };
	L4_MsgTag_t tag;

	L4_LoadMR(0, 0);
	tag = L4_Send(irq);
	t_shared[1] = tag.raw;
	t_shared[2] = L4_ErrorCode() & 0xf;
	t_shared[0] = 1;
}

/* Sends to IRQ 8's interrupt thread with timeout never; nothing after. */
static void send_to_irq_rtc(L4_Word_t arg)
{
	(void)arg;
	L4_LoadMR(0, 0);
	(void)L4_Send(irq_thread(IRQ_RTC));
}

/* Abort never_sender's send: it ends with error 3 in the send phase. */
static const char *abort_never_sender(L4_ThreadId_t t)
{
	L4_MsgTag_t tag;

	(void)__L4_Exregs(t, __L4_EXREGS_ABORT_SEND, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
	t_until(&t_shared[0], 1);
	tag.raw = t_shared[1];
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_shared[2], EC_SEND(L4_ErrCanceled));
	return 0;
}

/* A send that waits for ever on a line without handler is pending
 * (Schedule 4, the kernel's self-check content with it) until
 * ExchangeRegisters aborts it: error 3 in the send phase. */
static const char *t_x2rest_irq_send_waits_for_ever(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), t = rt_thread_create(never_sender, irq.raw);

	CHECK(!L4_IsNilThread(t));
	CHECK(t_sched_state(t, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(t_shared[0], 0);
	RUN(t_selfcheck());
	RUN(abort_never_sender(t));
	return t_selfcheck();
}

/* A send with a relative timeout fails with 1 in the send phase once the
 * timeout has passed (never before: the clock bounds it from below),
 * whether the line has no handler or the sender is its handler with no
 * interrupt received; a zero timeout fails at once. */
static const char *send_times_out(L4_ThreadId_t irq)
{
	L4_Word_t t0 = rt_now_us();

	CHECK(L4_IpcFailed(L4_Send_Timeout(irq, rt_us(X2REST_WAIT_US))));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	CHECK(rt_now_us() - t0 >= X2REST_WAIT_US);
	CHECK(L4_IpcFailed(L4_Send_Timeout(irq, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	return 0;
}

static const char *t_x2rest_irq_send_times_out(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), from;

	RUN(send_times_out(irq));
	CHECK_EQ(associate(IRQ_RTC, L4_Myself()), 1);
	/* An interrupt latched while the line was masked comes first: take
	 * and acknowledge it, the RTC being stopped no other comes. */
	if (L4_IpcSucceeded(irq_receive(irq, L4_ZeroTime, &from)))
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(irq, L4_ZeroTime)));
	RUN(send_times_out(irq));
	CHECK_EQ(associate(IRQ_RTC, irq), 1);
	return t_selfcheck();
}

/* With the RTC ticking: h, the handler of IRQ 8, waits for ever in a
 * send to its interrupt thread before any interrupt came; the RTC's
 * interrupt then waits for h (the line pending, 4) and h's send stays
 * pending (4): it does not become an acknowledgement.  A second thread
 * waiting in such a send is deleted meanwhile; the self-check holds. */
static const char *irq_waiting_sends(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), h = rt_thread_create(never_sender, irq.raw), o;

	CHECK(!L4_IsNilThread(h));
	CHECK(t_sched_state(h, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(associate(IRQ_RTC, h), 1);
	rtc_fired();
	CHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_PENDING_SEND);
	CHECK(t_sched_state(h, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(t_shared[0], 0);
	o = rt_thread_create(send_to_irq_rtc, 0);
	CHECK(!L4_IsNilThread(o));
	CHECK(t_sched_state(o, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(rt_release(o), 1);
	RUN(t_selfcheck());
	RUN(abort_never_sender(h));
	CHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_PENDING_SEND);
	return t_selfcheck();
}

static const char *t_x2rest_irq_waiting_sends(void)
{
	return with_rtc(irq_waiting_sends);
}

/* Schedule on interrupt threads by the privileged root task: lines that
 * are none (the timer's, the cascade, version 2) are invalid threads;
 * a line's priority is taken (not above the caller's); processor 1 is
 * an invalid parameter; the old time control is 0 (it runs no code). */
static const char *t_x2rest_irq_schedule_args(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC);
	L4_Word_t old = 77;

	CHECK_EQ(L4_Schedule(irq, ~0UL, ~0UL, ~0UL, ~0UL, &old), L4_SCHEDRESULT_DEAD);
	CHECK_EQ(old, 0);
	CHECK_EQ(L4_Set_Priority(irq, RT_PRIORITY), L4_SCHEDRESULT_DEAD);
	CHECK_EQ(L4_Set_Priority(irq, RT_PRIORITY + 1), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(L4_Schedule(irq, ~0UL, 1, ~0UL, ~0UL, &old), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(L4_Set_Priority(irq_thread(0), 10), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(L4_Set_Priority(irq_thread(2), 10), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(L4_Set_Priority(L4_GlobalId(IRQ_RTC, 2), 10), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	return 0;
}

/* With the RTC ticking: main's line holds an interrupt main has not
 * received (pending send, 4), then one received and not acknowledged
 * (waiting, 6); dissociated, the line is dead (1). */
static const char *irq_states_ticking(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), from;

	rtc_fired();
	CHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_PENDING_SEND);
	CHECK_EQ(irq_receive(irq, L4_Never, &from).raw, IRQ_TAG);
	CHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(associate(IRQ_RTC, irq), 1);
	CHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_DEAD);
	return 0;
}

static const char *t_x2rest_irq_schedule_states(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), from;

	CHECK_EQ(associate(IRQ_RTC, L4_Myself()), 1);
	if (L4_IpcSucceeded(irq_receive(irq, L4_ZeroTime, &from)))
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(irq, L4_ZeroTime)));
	/* Open, waiting for the device: inactive (2). */
	CHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_INACTIVE);
	return with_rtc(irq_states_ticking);
}

/* An unprivileged task is no interrupt thread's scheduler (1). */
static void unpriv_schedule_body(L4_Word_t arg)
{
	L4_ThreadId_t root = { .raw = arg };
	L4_Word_t w[2], old;

	w[0] = L4_Schedule(irq_thread(IRQ_RTC), ~0UL, ~0UL, 10, ~0UL, &old);
	w[1] = L4_ErrorCode();
	rt_msg(X2REST_REPORT, 2, w);
	(void)L4_Send(root);
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_x2rest_irq_schedule_unprivileged(void)
{
	L4_ThreadId_t t = rt_task_create(unpriv_schedule_body, L4_Myself().raw, rt_pager());
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), X2REST_REPORT);
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	return 0;
}

const struct test x2rest_tests[] = {
	TEST(x2rest_irq_send_waits_for_ever),
	TEST(x2rest_irq_send_times_out),
	TEST(x2rest_irq_waiting_sends),
	TEST(x2rest_irq_schedule_args),
	TEST(x2rest_irq_schedule_states),
	TEST(x2rest_irq_schedule_unprivileged),
	{ 0 },
};
