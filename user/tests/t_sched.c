/* SPDX-License-Identifier: BSD-2-Clause */
/* Schedule (thread state, priority, time slice, who may call it) and
 * ThreadSwitch. */
#include "tests.h"
#include "t_sync.h"

#define KEEP	(~0UL)

static L4_Word_t sched(L4_ThreadId_t t, L4_Word_t prio)
{
	L4_Word_t old;

	return L4_Schedule(t, KEEP, KEEP, prio, KEEP, &old);
}

/* The result of Schedule is the thread's state. */
static const char *t_sched_state_running(void)
{
	L4_ThreadId_t t = rt_thread_create(t_spinner, 2);

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(sched(t, KEEP), L4_SCHEDRESULT_RUNNING);
	return 0;
}

static const char *t_sched_state_waiting(void)
{
	L4_ThreadId_t t = rt_thread_create(t_receive_from_main, 0);

	CHECK(!L4_IsNilThread(t));
	rt_sleep_us(20000);
	CHECK_EQ(sched(t, KEEP), L4_SCHEDRESULT_WAITING);
	return 0;
}

static const char *t_sched_state_pending_send(void)
{
	L4_ThreadId_t t = rt_thread_create(t_send_to_main, 0);

	CHECK(!L4_IsNilThread(t));
	rt_sleep_us(20000);
	CHECK_EQ(sched(t, KEEP), L4_SCHEDRESULT_PENDING_SEND);
	return 0;
}

static const char *t_sched_state_inactive(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	CHECK_EQ(L4_ThreadControl(t, L4_Myself(), L4_Myself(), L4_nilthread,
				  (void *)~0UL), 1);
	CHECK_EQ(sched(t, KEEP), L4_SCHEDRESULT_INACTIVE);
	return 0;
}

static const char *t_sched_invalid_thread(void)
{
	CHECK_EQ(sched(t_nonexistent(), KEEP), L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	return 0;
}

/* A ready thread of lower priority does not run while we compute. */
static const char *t_sched_lower_priority_waits(void)
{
	L4_ThreadId_t t = rt_thread_create(t_spinner, 2);
	L4_Word_t c0, t0;

	CHECK(!L4_IsNilThread(t));
	CHECK(sched(t, RT_PRIORITY - 10) != L4_SCHEDRESULT_ERROR);
	c0 = t_shared[2];
	t0 = rt_now_us();
	while (rt_now_us() - t0 < 50000)
		;
	CHECK_EQ(t_shared[2], c0);
	rt_sleep_us(30000);
	CHECK(t_shared[2] != c0);
	return 0;
}

/* Schedule is for threads of the space of dest's scheduler: with a
 * scheduler in another space, we may not. */
static const char *t_sched_not_scheduler_refused(void)
{
	L4_ThreadId_t c = rt_task_create(t_sleeper, 0, rt_pager());
	L4_Word_t u = rt_utcb_alloc();
	L4_ThreadId_t t;

	CHECK(!L4_IsNilThread(c) && u);
	t = t_sched_new(c, u);
	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(sched(t, KEEP), L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_ErrorCode(), L4_ErrNoPrivilege);
	return 0;
}

/* ... and a task's thread may not schedule the root's. */
static const char *t_sched_other_space_refused(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Word_t a[2] = { L4_Myself().raw, RT_PRIORITY - 1 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(ag));
	tag = rt_agent_cmd(ag, RT_AG_SCHED, 2, a);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), L4_SCHEDRESULT_ERROR);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	return 0;
}

static void sub_scheduler(L4_Word_t target)
{
	L4_ThreadId_t t = { .raw = target };

	t_shared[0] = sched(t, RT_PRIORITY - 5);
	t_shared[1] = L4_ErrorCode();
	t_shared[2] = sched(t, RT_PRIORITY - 30);
	t_shared[3] = 1;
}

/* A scheduler cannot give a thread more than its own priority. */
static const char *t_sched_prio_above_own_refused(void)
{
	L4_Word_t sp, u = rt_utcb_alloc();
	L4_ThreadId_t h = rt_thread_prepare(0, &sp), t;

	CHECK(!L4_IsNilThread(h) && u);
	CHECK(sched(h, RT_PRIORITY - 20) != L4_SCHEDRESULT_ERROR);
	t = t_sched_new(h, u);
	CHECK(!L4_IsNilThread(t));
	((L4_Word_t *)sp)[1] = t.raw;
	L4_Start_SpIp(h, sp, (L4_Word_t)sub_scheduler);
	t_until(&t_shared[3], 1);
	CHECK_EQ(t_shared[0], L4_SCHEDRESULT_ERROR);
	CHECK_EQ(t_shared[1], L4_ErrInvalidParam);
	CHECK(t_shared[2] != L4_SCHEDRESULT_ERROR);
	return 0;
}

/* The time slice set is the time slice read back (to the kernel's
 * precision). */
static const char *t_sched_timeslice_roundtrip(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);
	L4_Time_t ts, tq;
	L4_Word_t us;

	CHECK(!L4_IsNilThread(t));
	CHECK(L4_Set_Timeslice(t, rt_us(20000), L4_Never) != L4_SCHEDRESULT_ERROR);
	CHECK(L4_Timeslice(t, &ts, &tq) != L4_SCHEDRESULT_ERROR);
	us = t_time_us(ts);
	CHECK(us >= 10000 && us <= 40000);
	CHECK_EQ(tq.raw, L4_Never.raw);
	return 0;
}

static const char *t_sched_invalid_processor(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_Set_ProcessorNo(t, 99), L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	return 0;
}

/* ThreadSwitch to a ready thread runs it now. */
static const char *t_tswitch_to_thread(void)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(6, &sp);

	CHECK(!L4_IsNilThread(t));
	L4_Start_SpIp(t, sp, (L4_Word_t)t_flagger);
	/* Its first page fault, or a timer interrupt before its first
	 * instruction, can give our turn back: then switch to it again. */
	for (int i = 0; i < 20 && t_shared[6] == 0; i++)
		L4_ThreadSwitch(t);
	CHECK_EQ(t_shared[6], 1);
	return 0;
}

/* ThreadSwitch to a ready thread of lower priority donates our time to
 * it: it runs (and records so) before we go on. */
static const char *t_sched_threadswitch_donates_lower_prio(void)
{
	L4_Word_t sp, t0;
	L4_ThreadId_t t = rt_thread_prepare(6, &sp);

	CHECK(!L4_IsNilThread(t));
	CHECK(sched(t, RT_PRIORITY - 10) != L4_SCHEDRESULT_ERROR);
	L4_Start_SpIp(t, sp, (L4_Word_t)t_flagger);
	t0 = rt_now_us();
	while (rt_now_us() - t0 < 5000)
		;
	CHECK_EQ(t_shared[6], 0);       /* it is ready but does not run... */
	/* ...until we hand it our time.  Its first page fault may give our
	 * turn back before it sets the flag: hand it our time again then. */
	for (int i = 0; i < 20 && t_shared[6] == 0; i++)
		L4_ThreadSwitch(t);
	CHECK_EQ(t_shared[6], 1);
	return 0;
}

/* ThreadSwitch(nil) lets a ready thread of our priority run. */
static const char *t_tswitch_nil_yields(void)
{
	L4_ThreadId_t t = rt_thread_create(t_spinner, 2);
	L4_Word_t c0;
	int i, moved = 0;

	CHECK(!L4_IsNilThread(t));
	for (i = 0; i < 3; i++) {
		c0 = t_shared[2];
		L4_ThreadSwitch(L4_nilthread);
		if (t_shared[2] != c0)
			moved++;
	}
	CHECK(moved > 0);
	return 0;
}

/* ThreadSwitch to a thread that does not exist just returns. */
static const char *t_tswitch_nonexistent_returns(void)
{
	L4_ThreadSwitch(t_nonexistent());
	L4_ThreadSwitch((L4_ThreadId_t) { .raw = 0xdeadbeef });
	L4_ThreadSwitch(L4_anythread);
	CHECK(1);
	return 0;
}

const struct test sched_tests[] = {
	TEST(sched_state_running),
	TEST(sched_state_waiting),
	TEST(sched_state_pending_send),
	TEST(sched_state_inactive),
	TEST(sched_invalid_thread),
	TEST(sched_lower_priority_waits),
	TEST(sched_not_scheduler_refused),
	TEST(sched_other_space_refused),
	TEST(sched_prio_above_own_refused),
	TEST(sched_timeslice_roundtrip),
	TEST(sched_invalid_processor),
	TEST(tswitch_to_thread),
	TEST(sched_threadswitch_donates_lower_prio),
	TEST(tswitch_nil_yields),
	TEST(tswitch_nonexistent_returns),
	{ 0 },
};
