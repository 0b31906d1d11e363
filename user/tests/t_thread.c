/* SPDX-License-Identifier: BSD-2-Clause */
/* ThreadControl: creating, starting, modifying and deleting threads, and
 * the errors X.2 defines for it. */
#include "tests.h"
#include "t_sync.h"

static L4_Word_t tc(L4_ThreadId_t dest, L4_ThreadId_t space, L4_ThreadId_t sched,
		    L4_ThreadId_t pager, L4_Word_t utcb)
{
	return L4_ThreadControl(dest, space, sched, pager, (void *)utcb);
}

/* The call must fail with ErrorCode want. */
static const char *tc_fails(L4_ThreadId_t dest, L4_ThreadId_t space, L4_ThreadId_t sched,
			    L4_ThreadId_t pager, L4_Word_t utcb, L4_Word_t want)
{
	CHECK_EQ(tc(dest, space, sched, pager, utcb), 0);
	CHECK_EQ(L4_ErrorCode(), want);
	return 0;
}

static const char *t_tc_create_thread_runs(void)
{
	CHECK(!L4_IsNilThread(rt_thread_create(t_flagger, 3)));
	t_until(&t_shared[3], 1);
	return 0;
}

static const char *t_tc_create_task_runs(void)
{
	CHECK(!L4_IsNilThread(rt_task_create(t_flagger, 3, rt_pager())));
	t_until(&t_shared[3], 1);
	return 0;
}

/* The pager's start message (MR1 IP, MR2 SP) starts the new thread. */
static const char *t_tc_start_message_from_pager(void)
{
	L4_ThreadId_t c = rt_task_create(t_flagger, 4, L4_Myself());

	CHECK(!L4_IsNilThread(c));
	while (t_shared[4] == 0 && L4_IpcSucceeded(rt_serve(c, 500000, 0)))
		;
	CHECK_EQ(t_shared[4], 1);
	return 0;
}

/* A new thread takes its start message from its pager only. */
static const char *t_tc_start_only_from_pager(void)
{
	L4_Word_t sp, w[2];
	L4_ThreadId_t t = rt_thread_prepare(7, &sp);
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	w[0] = (L4_Word_t)t_flagger;
	w[1] = sp;
	t_load(0, 2, w, 0, 0);
	tag = L4_Send_Timeout(t, rt_us(200000));
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	CHECK_EQ(t_shared[7], 0);
	L4_Start_SpIp(t, sp, (L4_Word_t)t_flagger);
	t_until(&t_shared[7], 1);
	return 0;
}

/* The thread starts exactly at MR1: a start at an unmapped address
 * faults there at once. */
static const char *t_tc_start_message_sets_ip(void)
{
	L4_Word_t ip, sp;
	L4_ThreadId_t c = rt_task_prepare(t_sleeper, 0, L4_Myself(), &ip, &sp);
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(c));
	CHECK(rt_start_message(c, 0x1000, sp));
	tag = L4_Receive(c);
	CHECK(L4_IpcSucceeded(tag));
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(rt_mr(1), 0x1000);
	CHECK_EQ(rt_mr(2), 0x1000);
	return 0;
}

static const char *t_tc_delete_then_nonexistent(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(tc(t, L4_nilthread, L4_nilthread, L4_nilthread, ~0UL), 1);
	t_load(1, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(t, rt_us(T_WAIT_US))));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	return 0;
}

/* A deleted thread's number can be used again with a new version; the
 * old ID then names nobody. */
static const char *t_tc_recreate_with_new_version(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0), t2;
	L4_Word_t utcb = rt_utcb_of(t);

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(tc(t, L4_nilthread, L4_nilthread, L4_nilthread, ~0UL), 1);
	t2 = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) ^ 0x100);
	CHECK_EQ(tc(t2, L4_Myself(), L4_Myself(), L4_Pager(), utcb), 1);
	rt_retag(t, t2);
	t_load(1, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	/* t2 exists (waiting for its pager), so the send merely times out. */
	t_load(1, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(t2, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	return 0;
}

static const char *t_tc_nil_dest_invalid(void)
{
	/* Not a global ID: invalid space, as Pistachio answers. */
	return tc_fails(L4_nilthread, L4_Myself(), L4_Myself(), L4_nilthread, ~0UL,
			L4_ErrInvalidSpace);
}

/* Thread numbers below UserBase (system and interrupt threads) and
 * beyond the thread-number width are not user threads.  System threads
 * (SystemBase up to UserBase) there are none of while the two are equal;
 * an interrupt thread (below SystemBase) refuses to become a user
 * thread, and the timer's (0) any ThreadControl at all (t_irq.c). */
static const char *t_tc_system_thread_number_invalid(void)
{
	void *kip = rt_kip();
	L4_Word_t bits = L4_ThreadIdBits(kip);

	RUN(tc_fails(L4_GlobalId(L4_ThreadIdUserBase(kip) - 1, 1), L4_Myself(),
		     L4_Myself(), L4_nilthread, ~0UL, L4_ErrInvalidThread));
	if (L4_ThreadIdSystemBase(kip) < L4_ThreadIdUserBase(kip))
		RUN(tc_fails(L4_GlobalId(L4_ThreadIdSystemBase(kip), 1), L4_Myself(),
			     L4_Myself(), L4_nilthread, ~0UL, L4_ErrInvalidThread));
	RUN(tc_fails(L4_GlobalId(0, 1), L4_Myself(), L4_Myself(), L4_Myself(), ~0UL,
		     L4_ErrInvalidThread));
	if (bits < 18)
		RUN(tc_fails(L4_GlobalId(1UL << bits, 1), L4_Myself(), L4_Myself(),
			     L4_nilthread, ~0UL, L4_ErrInvalidThread));
	return 0;
}

static const char *t_tc_utcb_outside_area(void)
{
	return tc_fails(rt_tid_alloc(), L4_Myself(), L4_Myself(), L4_Pager(),
			RT_UTCB_AREA_BASE + (1UL << RT_UTCB_AREA_LOG2), L4_ErrUtcbArea);
}

static const char *t_tc_utcb_misaligned(void)
{
	return tc_fails(rt_tid_alloc(), L4_Myself(), L4_Myself(), L4_Pager(),
			RT_UTCB_AREA_BASE + 0x7000 + 100, L4_ErrUtcbArea);
}

static const char *t_tc_utcb_in_kernel_area(void)
{
	return tc_fails(rt_tid_alloc(), L4_Myself(), L4_Myself(), L4_Pager(),
			t_kernel_addr(), L4_ErrUtcbArea);
}

static const char *t_tc_nonexistent_space(void)
{
	return tc_fails(rt_tid_alloc(), t_nonexistent(), L4_Myself(), L4_nilthread,
			~0UL, L4_ErrInvalidSpace);
}

/* A thread in a new space cannot be active before SpaceControl has set
 * the space up. */
static const char *t_tc_active_in_uninitialised_space(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	CHECK_EQ(tc(t, t, L4_Myself(), L4_Myself(), RT_UTCB_AREA_BASE), 0);
	CHECK(L4_ErrorCode() == L4_ErrInvalidSpace || L4_ErrorCode() == L4_ErrUtcbArea);
	return 0;
}

/* Only threads of privileged spaces may call ThreadControl. */
static const char *t_tc_unprivileged_refused(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Word_t a[5];
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(ag));
	a[0] = rt_tid_alloc().raw;
	a[1] = ag.raw;
	a[2] = ag.raw;
	a[3] = 0;
	a[4] = ~0UL;
	tag = rt_agent_cmd(ag, RT_AG_TC, 5, a);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	return 0;
}

/* ThreadControl on an existing thread changes its pager. */
static const char *t_tc_set_pager(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_PagerOf(t).raw, L4_Pager().raw);
	CHECK_EQ(tc(t, L4_Myself(), L4_nilthread, L4_Myself(), ~0UL), 1);
	CHECK_EQ(L4_PagerOf(t).raw, L4_Myself().raw);
	return 0;
}

/* An address space goes away with its last thread. */
static const char *t_tc_space_dies_with_last_thread(void)
{
	L4_ThreadId_t c = rt_task_create(t_sleeper, 0, rt_pager());

	CHECK(!L4_IsNilThread(c));
	rt_sleep_us(20000);
	CHECK_EQ(tc(c, L4_nilthread, L4_nilthread, L4_nilthread, ~0UL), 1);
	return tc_fails(rt_tid_alloc(), c, L4_Myself(), L4_nilthread, ~0UL,
			L4_ErrInvalidSpace);
}

/* A second thread in a task's space, in the next UTCB slot. */
static const char *t_tc_second_thread_in_task(void)
{
	L4_ThreadId_t c = rt_task_create(t_sleeper, 0, rt_pager());
	L4_ThreadId_t t = rt_tid_alloc();
	void *stack = rt_stack_alloc();

	CHECK(!L4_IsNilThread(c) && !L4_IsNilThread(t) && stack);
	rt_tid_attach(t, stack, 0);
	CHECK_EQ(tc(t, c, L4_Myself(), rt_pager(), RT_UTCB_AREA_BASE + RT_UTCB_SIZE), 1);
	CHECK(rt_pager_start_thread(t, (L4_Word_t)t_flagger, rt_stack_frame(stack, 9)));
	t_until(&t_shared[9], 1);
	return 0;
}

const struct test thread_tests[] = {
	TEST(tc_create_thread_runs),
	TEST(tc_create_task_runs),
	TEST(tc_start_message_from_pager),
	TEST(tc_start_only_from_pager),
	TEST(tc_start_message_sets_ip),
	TEST(tc_delete_then_nonexistent),
	TEST(tc_recreate_with_new_version),
	TEST(tc_nil_dest_invalid),
	TEST(tc_system_thread_number_invalid),
	TEST(tc_utcb_outside_area),
	TEST(tc_utcb_misaligned),
	TEST(tc_utcb_in_kernel_area),
	TEST(tc_nonexistent_space),
	TEST(tc_active_in_uninitialised_space),
	TEST(tc_unprivileged_refused),
	TEST(tc_set_pager),
	TEST(tc_space_dies_with_last_thread),
	TEST(tc_second_thread_in_task),
	{ 0 },
};
