/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2's Schedule beyond priority and slice (docs/abi.md §5): the time
 * left reported in old TimeControl, the total quantum and its preemption
 * message, delayed preemption, and the time ThreadSwitch donates.  Every
 * wait is bounded by the clock and every order is one the kernel makes,
 * so a slow or fast host changes how long a test takes, not its outcome.
 */
#include "tests.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define KEEP		(~0UL)
#define LABEL_PREEMPT	0xFFD0UL        /* -3 << 4 */
#define PF_DELAYED	0x40UL
#define PF_PENDING	0x80UL

static L4_Word_t preempt_flags(void)
{
	return *__L4_TCR(__L4_TCR_PREEMPT_FLAGS) & 0xFF;
}

/* A thread created at prio, waiting for its start; its stack touched
 * by us (one space) so that it runs without a page fault. */
static L4_ThreadId_t prepared(L4_Word_t arg, L4_Word_t prio, L4_Word_t *sp)
{
	L4_ThreadId_t t = rt_thread_prepare(arg, sp);
	L4_Word_t old;

	if (L4_IsNilThread(t))
		return t;
	for (L4_Word_t a = 4; a <= 8192; a += 1024)
		*(volatile L4_Word_t *)(*sp - a) = 0;
	if (L4_Schedule(t, KEEP, KEEP, prio, KEEP, &old) == L4_SCHEDRESULT_ERROR)
		return L4_nilthread;
	return t;
}

/* A thread that has not run since its slice was set has all of it left:
 * old TimeControl is exact. */
/* A thread blocked for good in a receive from us: once Schedule says
 * so, it does not run again. */
static L4_ThreadId_t blocked_thread(void)
{
	L4_ThreadId_t t = rt_thread_create(t_receive_from_main, 0);

	if (!L4_IsNilThread(t))
		(void)t_until_waiting(t);
	return t;
}

static const char *t_sched_x2_unrun_slice_exact(void)
{
	L4_ThreadId_t t = blocked_thread();
	L4_Time_t ts, tq;

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_Set_Timeslice(t, rt_us(20000), L4_Never), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(L4_Timeslice(t, &ts, &tq), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(t_time_us(ts), 20000);
	CHECK_EQ(tq.raw, L4_Never.raw);
	/* A total quantum set is the one read back, while it does not run. */
	CHECK_EQ(L4_Set_Timeslice(t, rt_us(20000), rt_us(300000)), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(L4_Timeslice(t, &ts, &tq), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(t_time_us(tq), 300000 >> 9 << 9);
	return 0;
}

/* Old TimeControl is what is left of the slice: while we run, ticks
 * take from it, so within a long slice it falls below the length. */
static const char *t_sched_x2_remaining_slice(void)
{
	L4_ThreadId_t me = L4_Myself();
	L4_Time_t ts, tq, keep;
	L4_Word_t left = 0;

	CHECK(L4_Timeslice(me, &keep, &tq) != L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_Set_Timeslice(me, rt_us(1000000), L4_Never), L4_SCHEDRESULT_RUNNING);
	do {
		CHECK_EQ(L4_Timeslice(me, &ts, &tq), L4_SCHEDRESULT_RUNNING);
		left = t_time_us(ts);
	} while (left >= 999424);       /* until a tick, however late */
	CHECK_EQ(L4_Set_Timeslice(me, keep, L4_Never), L4_SCHEDRESULT_RUNNING);
	CHECK(left < 999424);           /* 1 s, as the period encodes it */
	CHECK(left > 0);
	return 0;
}

/* A used-up total quantum stops the thread and sends its scheduler (us)
 * the preemption message: label -3, the clock in MR1/MR2.  It runs on
 * only once we reply, here after giving it an unlimited quantum. */
static const char *t_sched_x2_total_quantum(void)
{
	L4_Word_t sp, t0, t1, lo, hi, c0;
	L4_ThreadId_t t = prepared(2, RT_PRIORITY - 1, &sp);
	L4_MsgTag_t tag;
	L4_Time_t ts, tq;

	CHECK(!L4_IsNilThread(t));
	CHECK(L4_Set_Timeslice(t, rt_us(10000), rt_us(30000)) != L4_SCHEDRESULT_ERROR);
	t0 = rt_now_us();
	L4_Start_SpIp(t, sp, (L4_Word_t)t_spinner);
	tag = L4_Receive(t);
	t1 = rt_now_us();
	CHECK(!L4_IpcFailed(tag));
	CHECK_EQ(L4_Label(tag), LABEL_PREEMPT);
	CHECK_EQ(L4_UntypedWords(tag), 2);
	CHECK_EQ(L4_TypedWords(tag), 0);
	L4_StoreMR(1, &lo);
	L4_StoreMR(2, &hi);
	CHECK_EQ(hi, 0);
	CHECK(lo >= t0 && lo <= t1);
	/* Stopped: waiting for our reply, with no quantum left. */
	CHECK_EQ(L4_Timeslice(t, &ts, &tq), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(tq.raw, 0x0400);       /* the zero period */
	c0 = t_shared[2];
	rt_sleep_us(20000);
	CHECK_EQ(t_shared[2], c0);
	CHECK(L4_Set_Timeslice(t, rt_us(10000), L4_Never) != L4_SCHEDRESULT_ERROR);
	L4_LoadMR(0, 0);
	CHECK(!L4_IpcFailed(L4_Send(t)));
	while (t_shared[2] == c0)
		rt_sleep_us(1000);
	return 0;
}

/* Delayed preemption: with d set and a maximum delay, the end of the
 * slice sets I instead of preempting; ThreadSwitch clears I again. */
static void delayer(L4_Word_t unused)
{
	(void)unused;
	*__L4_TCR(__L4_TCR_PREEMPT_FLAGS) |= PF_DELAYED;
	t_shared[8] = 1;
	while (!(preempt_flags() & PF_PENDING))
		;
	t_shared[3] = preempt_flags();
	L4_ThreadSwitch(L4_nilthread);
	t_shared[4] = preempt_flags();
	t_shared[5] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/*
 * The same for the test below, with no clock bound: it spins until its
 * slice ends (I set), then yields and reads the flags again.  ThreadSwitch
 * gives it a fresh slice of DP_SLICE_US; a tick may still end that slice
 * before the read, and set I again, but only once the whole slice has
 * been charged since the tick before the ThreadSwitch, which came at most
 * a scheduling period (1 ms) before it.  Such a read is X.2's other
 * right outcome: it is counted in t_shared[6] if the clock shows the
 * slice (less DP_GRAIN_US) gone, else in t_shared[7] (wrong), and the
 * thread yields again.  t_shared[4] is the first read that found I clear.
 */
#define DP_SLICE_US	10000UL         /* its slice */
#define DP_GRAIN_US	2000UL          /* a period, and the clock's grain */

static void yielder(L4_Word_t unused)
{
	L4_Word_t f, t0, t1;

	(void)unused;
	*__L4_TCR(__L4_TCR_PREEMPT_FLAGS) |= PF_DELAYED;
	while (!(preempt_flags() & PF_PENDING))
		;
	t_shared[3] = preempt_flags();
	for (L4_Word_t n = 0;; n++) {
		t0 = rt_now_us();
		L4_ThreadSwitch(L4_nilthread);
		if (n == 0)
			t_flaky_delay(1);
		f = preempt_flags();
		t1 = rt_now_us();
		if (!(f & PF_PENDING))
			break;
		if (t1 - t0 + DP_GRAIN_US >= DP_SLICE_US && f == (PF_DELAYED | PF_PENDING))
			t_shared[6]++;
		else
			t_shared[7]++;
	}
	t_shared[4] = f;
	t_shared[5] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_sched_x2_delayed_preemption(void)
{
	L4_Word_t sp, old;
	L4_ThreadId_t t = prepared(0, RT_PRIORITY - 1, &sp);

	CHECK(!L4_IsNilThread(t));
	CHECK(L4_Schedule(t, KEEP, KEEP, KEEP, ((RT_PRIORITY - 1) << 16) | 60000, &old) !=
	      L4_SCHEDRESULT_ERROR);
	CHECK(L4_Set_Timeslice(t, rt_us(DP_SLICE_US), L4_Never) != L4_SCHEDRESULT_ERROR);
	L4_Start_SpIp(t, sp, (L4_Word_t)yielder);
	t_until(&t_shared[5], 1);
	if (t_shared[6])
		printf("#   I set again after the yield %lu times, each after a whole slice\n",
		       t_shared[6]);
	CHECK_EQ(t_shared[3], PF_DELAYED | PF_PENDING);
	CHECK_EQ(t_shared[7], 0);
	CHECK_EQ(t_shared[4], PF_DELAYED);
	return 0;
}

/* A thread of higher priority made ready by a timer interrupt (our
 * sleep ending) waits for a delaying thread if its priority is not above
 * the sensitive one, and does not wait if it is.  The delayer's slice is
 * unlimited, so only our wake-up can set its I. */
static const char *sensitive(L4_Word_t sens_prio, int delayed)
{
	L4_Word_t sp, old;
	L4_ThreadId_t t = prepared(0, RT_PRIORITY - 1, &sp);

	CHECK(!L4_IsNilThread(t));
	CHECK(L4_Schedule(t, L4_Never.raw << 16 | 0xFFFF, KEEP, KEEP, (sens_prio << 16) | 60000,
			  &old) != L4_SCHEDRESULT_ERROR);
	L4_Start_SpIp(t, sp, (L4_Word_t)delayer);
	t_until(&t_shared[8], 1);       /* its d is set now */
	rt_sleep_us(5000);
	if (!delayed) {
		CHECK_EQ(t_shared[3], 0);
		return 0;
	}
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], PF_DELAYED | PF_PENDING);
	return 0;
}

static const char *t_sched_x2_sensitive_prio_delays(void)
{
	return sensitive(RT_PRIORITY, 1);
}

static const char *t_sched_x2_above_sensitive_preempts(void)
{
	return sensitive(RT_PRIORITY - 1, 0);
}

/* The same with a device interrupt: we wait, with no timeout, for IRQ 8
 * of the RTC (as t_irq.c drives it: KmemControl's test hook, 1,024
 * interrupts a second), so only the interrupt makes us ready.  One that
 * comes before the delayer has set d is acknowledged and waited for
 * again. */
#define IRQ_RTC		8
#define RTC_A		0x0A
#define RTC_B		0x0B
#define RTC_C		0x0C
#define RTC_B_PIE	0x40

/* RTC register reg through its ports (index 0x70, data 0x71), which
 * sigma0 maps the root task on its first I/O fault: read, or write v. */
static L4_Word_t rtc(L4_Word_t reg, L4_Word_t v, int write)
{
	t_io_outb(0x70, reg);
	if (!write)
		return t_io_inb(0x71);
	t_io_outb(0x71, v);
	return v;
}

static const char *irq_delay(L4_ThreadId_t irq)
{
	L4_Word_t sp, old;
	L4_ThreadId_t t = prepared(0, RT_PRIORITY - 1, &sp), from;
	int i;

	CHECK(!L4_IsNilThread(t));
	CHECK(L4_Schedule(t, L4_Never.raw << 16 | 0xFFFF, KEEP, KEEP, (RT_PRIORITY << 16) | 60000,
			  &old) != L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_ThreadControl(irq, irq, L4_nilthread, L4_Myself(), (void *)-1), 1);
	L4_Start_SpIp(t, sp, (L4_Word_t)delayer);
	for (i = 0; i < 1000 && t_shared[3] == 0; i++) {
		CHECK(L4_IpcSucceeded(L4_Ipc(L4_nilthread, irq, L4_Timeouts(L4_Never, L4_Never),
					     &from)));
		(void)rtc(RTC_C, 0, 0);
		L4_LoadMR(0, 0);
		(void)L4_Send_Timeout(irq, L4_ZeroTime);
	}
	CHECK_EQ(t_shared[3], PF_DELAYED | PF_PENDING);
	return 0;
}

static const char *t_sched_x2_device_interrupt_delayed(void)
{
	L4_ThreadId_t irq = L4_GlobalId(IRQ_RTC, 1);
	const char *r;

	(void)rtc(RTC_A, (rtc(RTC_A, 0, 0) & 0xF0) | 6, 1);
	(void)rtc(RTC_B, rtc(RTC_B, 0, 0) | RTC_B_PIE, 1);
	(void)rtc(RTC_C, 0, 0);
	r = irq_delay(irq);
	(void)L4_ThreadControl(irq, irq, L4_nilthread, irq, (void *)-1);
	(void)rtc(RTC_B, rtc(RTC_B, 0, 0) & ~(L4_Word_t)RTC_B_PIE, 1);
	(void)rtc(RTC_C, 0, 0);
	return r;
}

/* Arguments are checked before anything changes: a sensitive priority
 * above ours, a total quantum given as a time point. */
static const char *t_sched_x2_bad_controls(void)
{
	L4_ThreadId_t t = blocked_thread();
	L4_Word_t old;
	L4_Time_t ts, tq;

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_Schedule(t, KEEP, KEEP, KEEP, (RT_PRIORITY + 1) << 16, &old),
		 L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	/* A time point: bit 15 set (X.2 time format). */
	CHECK_EQ(L4_Schedule(t, (0xFFFFUL << 16) | 0x8001, KEEP, KEEP, KEEP, &old),
		 L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(L4_Timeslice(t, &ts, &tq), L4_SCHEDRESULT_WAITING);
	CHECK_EQ(tq.raw, L4_Never.raw);
	return 0;
}

/* ThreadSwitch(dest) hands dest the rest of our slice at our priority:
 * a ready thread between dest's priority and ours does not take over,
 * and we run again only once dest is done with it (here: blocks). */
static void donee(L4_Word_t unused)
{
	L4_Word_t t0 = rt_now_us();

	(void)unused;
	while (rt_now_us() - t0 < 500000)
		;
	t_shared[7] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_sched_x2_threadswitch_donates(void)
{
	L4_Word_t spb, spc;
	L4_ThreadId_t me = L4_Myself(), b = prepared(0, RT_PRIORITY - 2, &spb);
	L4_ThreadId_t c = prepared(2, RT_PRIORITY - 1, &spc);
	L4_Time_t keep, tq;
	int i;

	CHECK(!L4_IsNilThread(b) && !L4_IsNilThread(c));
	CHECK(L4_Timeslice(me, &keep, &tq) != L4_SCHEDRESULT_ERROR);
	L4_Start_SpIp(c, spc, (L4_Word_t)t_spinner);
	L4_Start_SpIp(b, spb, (L4_Word_t)donee);
	/* Half a second of spinning needs one 3 s slice; a stray fault
	 * may give our turn back early: hand it the time again then. */
	for (i = 0; i < 3 && t_shared[7] == 0; i++) {
		CHECK_EQ(L4_Set_Timeslice(me, rt_us(3000000), L4_Never), L4_SCHEDRESULT_RUNNING);
		L4_ThreadSwitch(b);
	}
	CHECK_EQ(L4_Set_Timeslice(me, keep, L4_Never), L4_SCHEDRESULT_RUNNING);
	CHECK_EQ(t_shared[7], 1);
	CHECK_EQ(t_shared[2], 0);       /* c never ran */
	return 0;
}

/* A server below us: takes one Call (noted in t_shared[12]) and
 * answers it. */
static void dn_server(L4_Word_t unused)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)unused;
	tag = L4_Wait(&from);
	if (L4_IpcSucceeded(tag)) {
		t_shared[12] = 1;
		L4_LoadMR(0, 0);
		(void)L4_Reply(from);
	}
	for (;;)
		L4_Sleep(L4_Never);
}

/* A donee that Calls the server (t_shared[11]: about to), then tells
 * the main thread how it went (t_shared[13]). */
static void dn_caller(L4_Word_t server)
{
	L4_ThreadId_t s = { .raw = server };

	t_shared[11] = 1;
	L4_LoadMR(0, 0);
	t_shared[13] = L4_IpcSucceeded(L4_Call(s)) ? 1 : 2;
	L4_LoadMR(0, 0);
	(void)L4_Send(rt_main_thread());
	for (;;)
		L4_Sleep(L4_Never);
}

/* A donee that Calls a waiting server of its own priority blocks, and
 * the best ready thread runs next, not the server: here we, the donor,
 * above both (the IPC fast path leaves who runs to the scheduler while
 * a donation runs; it ran the server at once before). */
static const char *t_sched_x2_donee_call_scheduled(void)
{
	L4_Word_t sps, spb;
	L4_ThreadId_t srv = prepared(0, RT_PRIORITY - 2, &sps);
	L4_ThreadId_t b = prepared(srv.raw, RT_PRIORITY - 2, &spb), from;
	L4_MsgTag_t tag;
	int i;

	CHECK(!L4_IsNilThread(srv) && !L4_IsNilThread(b));
	t_shared[11] = t_shared[12] = t_shared[13] = 0;
	L4_Start_SpIp(srv, sps, (L4_Word_t)dn_server);
	CHECK(t_waiting(srv));
	L4_Start_SpIp(b, spb, (L4_Word_t)dn_caller);
	/* A stray fault of b's may give our turn back before it calls:
	 * hand it the time again then. */
	for (i = 0; i < 20 && t_shared[11] == 0; i++)
		L4_ThreadSwitch(b);
	CHECK_EQ(t_shared[11], 1);
	CHECK_EQ(t_shared[12], 0);      /* we were ready, above the server */
	tag = L4_Ipc(L4_nilthread, b, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(t_shared[12], 1);
	CHECK_EQ(t_shared[13], 1);
	return 0;
}

/* States 5 and 7: a string copy stalled on a page fault in the
 * receiver's space (its pager, main, does not answer) leaves the sender
 * sending and the receiver receiving; once the sender's send is aborted,
 * both are out of it. */
static unsigned char xbuf[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));
static unsigned char xsrc[256];

static const char *t_sched_x2_states_in_transfer(void)
{
	L4_ThreadId_t r = rt_agent_create(L4_Myself()), s, from = L4_nilthread;
	L4_Word_t a[2] = { (L4_Word_t)xbuf, 256 }, items[2], old, ec;
	L4_MsgTag_t tag = L4_Niltag;
	L4_StringItem_t it = L4_StringItem(256, 0);

	CHECK(!L4_IsNilThread(r));
	rt_watch((L4_Word_t)xbuf, (L4_Word_t)xbuf + RT_PAGE_SIZE);
	CHECK(rt_agent_post(r, RT_AG_RECV_STRING, 2, a));
	items[0] = it.raw[0];
	items[1] = (L4_Word_t)xsrc;
	tag.X.label = 0x91;
	tag.X.t = 2;
	s = t_send_async(r, tag, items, 0);
	CHECK(!L4_IsNilThread(s));
	tag = rt_agent_result(r, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, r.raw);
	CHECK_EQ(L4_Schedule(s, KEEP, KEEP, KEEP, KEEP, &old), L4_SCHEDRESULT_SENDING);
	CHECK_EQ(L4_Schedule(r, KEEP, KEEP, KEEP, KEEP, &old), L4_SCHEDRESULT_RECEIVING);
	(void)__L4_Exregs(s, __L4_EXREGS_ABORT_SEND, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
	t_send_async_wait(&tag, &ec);
	CHECK(L4_IpcFailed(tag));
	tag = rt_agent_result(r, 0);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

/* ThreadSwitch to ourselves returns at once, keeping our slice. */
static const char *t_sched_x2_threadswitch_self(void)
{
	L4_ThreadSwitch(L4_Myself());
	CHECK(1);
	return 0;
}

const struct test sched_x2_tests[] = {
	TEST(sched_x2_unrun_slice_exact),
	TEST(sched_x2_remaining_slice),
	TEST(sched_x2_total_quantum),
	TEST(sched_x2_delayed_preemption),
	TEST(sched_x2_sensitive_prio_delays),
	TEST(sched_x2_above_sensitive_preempts),
	TEST(sched_x2_device_interrupt_delayed),
	TEST(sched_x2_bad_controls),
	TEST(sched_x2_threadswitch_donates),
	TEST(sched_x2_donee_call_scheduled),
	TEST(sched_x2_threadswitch_self),
	TEST(sched_x2_states_in_transfer),
	{ 0 },
};
