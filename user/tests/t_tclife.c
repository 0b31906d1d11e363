/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ThreadControl on threads in the middle of something (kernel/sys_thread.c,
 * kernel/thread.c thread_destroy): deleted while queued on the caller,
 * while in a page-fault IPC, while being someone's pager; a new version
 * while in IPC; a UTCB moved before activation.
 */
#include "tests.h"
#include "t_sync.h"

static L4_Word_t tc_delete(L4_ThreadId_t t)
{
	return L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)~0UL);
}

/* t, blocked sending to us, is deleted: no message of its stays queued. */
static const char *deleted_leaves_no_message(L4_ThreadId_t t)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	CHECK(t_ipc_blocked(t, __L4_EXREGS_ABORT_SEND));
	CHECK_EQ(tc_delete(t), 1);
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait_Timeout(L4_ZeroTime, &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrTimeout));
	return 0;
}

/* A thread blocked sending to us is deleted: no trace of its message
 * stays in our queue. */
static const char *t_tcl_delete_sender_queued_on_caller(void)
{
	return deleted_leaves_no_message(rt_thread_create(t_send_to_main, 0));
}

/* A pager that takes one message and never answers. */
static void sink(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	t_shared[10] = tag.raw;
	t_shared[11] = from.raw;
	t_shared[12] = 1;
	rt_thread_exit();
}

/* A task thread that starts (start message from main) and faults at
 * once to pager p. */
static L4_ThreadId_t faulting_task(L4_ThreadId_t p, L4_Word_t flag)
{
	L4_Word_t ip, sp;
	L4_ThreadId_t c = rt_task_prepare(t_flagger, flag, L4_Myself(), &ip, &sp);

	if (L4_IsNilThread(c))
		return c;
	if (L4_ThreadControl(c, c, L4_nilthread, p, (void *)~0UL) != 1 ||
	    !rt_start_message(c, ip, sp))
		return L4_nilthread;
	return c;
}

/* The pager of a thread blocked in its page-fault IPC is deleted: the
 * thread stops (halted); with a new pager that resumes it, it faults
 * again, to the new pager, and runs. */
static const char *t_tcl_delete_pager_of_faulting_thread(void)
{
	L4_ThreadId_t p = rt_thread_create(sink, 0), c, from = L4_nilthread;
	L4_Word_t dummy, ctl;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(p));
	c = faulting_task(p, 5);
	CHECK(!L4_IsNilThread(c));
	t_until(&t_shared[12], 1);
	CHECK(rt_is_pagefault((L4_MsgTag_t) { .raw = t_shared[10] }));
	CHECK_EQ(t_shared[11], c.raw);
	CHECK(rt_release(p));
	rt_sleep_us(10000);
	CHECK_EQ(L4_ThreadControl(c, c, L4_nilthread, L4_Myself(), (void *)~0UL), 1);
	/* We are its pager now: we may see and resume it. */
	L4_ExchangeRegisters(c, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &ctl,
			     &dummy, &dummy, &dummy, &dummy, &from);
	CHECK(ctl & __L4_EXREGS_HALT);
	L4_ExchangeRegisters(c, __L4_EXREGS_SET_HALT, 0, 0, 0, 0, L4_nilthread, &ctl,
			     &dummy, &dummy, &dummy, &dummy, &from);
	/* Serve its image until it has run (a receive that runs out is no
	 * sign that it will not: the host may be slow). */
	while (t_shared[5] == 0) {
		tag = rt_serve(c, 10000, &from);
		CHECK(L4_IpcFailed(tag) && t_ipc_ec() == EC_RECV(L4_ErrTimeout));
	}
	return 0;
}

/* A thread blocked sending its page fault to a pager that is not
 * receiving is deleted: the pager later finds no message. */
static const char *t_tcl_delete_thread_in_fault_send(void)
{
	return deleted_leaves_no_message(faulting_task(L4_Myself(), 5));
}

static void receive_record(L4_Word_t arg)
{
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Receive(rt_main_thread());
	t_shared[1] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 0;
	t_shared[2] = L4_MyGlobalId().raw;
	t_shared[3] = 1;
}

/* A thread waiting to receive from us takes a new version: the old ID
 * names nobody, the new one reaches it, and it learns its new ID. */
static const char *t_tcl_version_change_while_receiving(void)
{
	L4_ThreadId_t t = rt_thread_create(receive_record, 0), t2;

	CHECK(!L4_IsNilThread(t));
	CHECK(t_ipc_blocked(t, __L4_EXREGS_ABORT_RECV));
	t2 = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) ^ 0x300);
	CHECK_EQ(L4_ThreadControl(t2, L4_Myself(), L4_nilthread, L4_nilthread,
				  (void *)~0UL), 1);
	rt_retag(t, t2);
	t_load(0x31, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	t_load(0x32, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t2)));
	t_until(&t_shared[3], 1);
	CHECK_EQ(t_shared[1], 0x32);
	CHECK_EQ(t_shared[2], t2.raw);
	return 0;
}

/* A thread blocked sending to us takes a new version: its message
 * arrives from the new ID. */
static const char *t_tcl_version_change_while_sending(void)
{
	L4_ThreadId_t t = rt_thread_create(t_send_to_main, 0), t2, from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	CHECK(t_ipc_blocked(t, __L4_EXREGS_ABORT_SEND));
	t2 = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) ^ 0x300);
	CHECK_EQ(L4_ThreadControl(t2, L4_Myself(), L4_nilthread, L4_nilthread,
				  (void *)~0UL), 1);
	rt_retag(t, t2);
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 5);
	/* From our own space: its local ID, which names the new version. */
	CHECK_EQ(from.raw, L4_LocalIdOf(t2).raw);
	CHECK_EQ(L4_GlobalIdOf(from).raw, t2.raw);
	return 0;
}

static void record_gs0(L4_Word_t arg)
{
	(void)arg;
	t_shared[4] = t_gs0();
	t_shared[6] = L4_MyGlobalId().raw;
	t_shared[5] = 1;
}

/* An inactive thread's UTCB moves to another page: the old one is
 * cleared, the new one holds the thread's ID and self pointer, and the
 * thread, once active, runs with %gs:0 and its local ID there. */
static const char *t_tcl_utcb_move_before_activation(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), l;
	L4_Word_t u1 = rt_utcb_alloc(), u2 = 0, sp, dummy;
	void *stack = rt_stack_alloc();
	volatile L4_Word_t *old, *neu;

	CHECK(!L4_IsNilThread(t) && u1 && stack);
	/* A slot on another UTCB page than u1's. */
	while ((u2 = rt_utcb_alloc()) != 0 && (u2 >> 12) == (u1 >> 12))
		;
	CHECK(u2 != 0);
	rt_tid_attach(t, stack, u2);
	CHECK_EQ(L4_ThreadControl(t, L4_Myself(), L4_Myself(), L4_nilthread, (void *)u1), 1);
	old = (volatile L4_Word_t *)(u1 + RT_UTCB_MR0_OFFSET);
	CHECK_EQ(old[-60 / 4], t.raw);
	CHECK_EQ(L4_ThreadControl(t, L4_Myself(), L4_nilthread, L4_nilthread, (void *)u2), 1);
	rt_utcb_free(u1);
	neu = (volatile L4_Word_t *)(u2 + RT_UTCB_MR0_OFFSET);
	CHECK_EQ(old[-60 / 4], 0);
	CHECK_EQ(old[-64], 0);
	CHECK_EQ(neu[-60 / 4], t.raw);
	CHECK_EQ(neu[-64], u2 + RT_UTCB_MR0_OFFSET);
	CHECK_EQ(L4_ThreadControl(t, L4_Myself(), L4_nilthread, L4_Pager(), (void *)~0UL), 1);
	l = L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, &dummy, &dummy, &dummy,
				 &dummy, &dummy, &l);
	CHECK_EQ(l.raw, u2 + RT_UTCB_MR0_OFFSET);
	sp = rt_stack_frame(stack, 0);
	L4_Start_SpIp(t, sp, (L4_Word_t)record_gs0);
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[4], u2 + RT_UTCB_MR0_OFFSET);
	CHECK_EQ(t_shared[6], t.raw);
	return 0;
}

const struct test tclife_tests[] = {
	TEST(tcl_delete_sender_queued_on_caller),
	TEST(tcl_delete_pager_of_faulting_thread),
	TEST(tcl_delete_thread_in_fault_send),
	TEST(tcl_version_change_while_receiving),
	TEST(tcl_version_change_while_sending),
	TEST(tcl_utcb_move_before_activation),
	{ 0 },
};
