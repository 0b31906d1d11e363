/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ThreadControl that names another space for an existing thread moves
 * the thread there (X.2; Pistachio's api/v4/thread.cc, migrate_to_space;
 * docs/abi.md, ThreadControl): it runs on in the new space with its
 * global ID, its UTCB at the same location, its faults to its pager;
 * an active thread whose location is not valid or free there is 6, no
 * kernel memory in the new task 8; an IPC it was in is cancelled.
 */
#include "t_kpre_kp.h"
#include "t_kpre_tcb.h"
#include "t_sync.h"

#define MIG_X		0x00400000UL      /* a page mapped in one task only */
#define MIG_MARK	0x6d696700UL
/* UTCB locations other than slot 0 (each task's first thread's). */
#define MIG_UTCB1	(RT_UTCB_AREA_BASE + RT_UTCB_SIZE)
#define MIG_UTCB_P1	(RT_UTCB_AREA_BASE + RT_PAGE_SIZE)   /* in the second UTCB page */

/* The root's pages the tests map, taken once (every test of the suite
 * takes from the same supply of sigma0's memory): one per mark. */
#define MIG_PAGES	3
static L4_Word_t mig_pages[MIG_PAGES];

static L4_Word_t mig_page(L4_Word_t word)
{
	L4_Word_t i = (word - MIG_MARK) % MIG_PAGES;

	if (!mig_pages[i])
		mig_pages[i] = t_page();
	return mig_pages[i];
}

/* A page of the root's with word at its start, mapped to ag at addr. */
static const char *mig_map_marked(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t word)
{
	L4_Word_t res[5], sec, p = mig_page(word);

	CHECK(p != 0);
	((volatile L4_Word_t *)p)[0] = word;
	RUN(t_ag_accept(ag, addr, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	return t_ag_reads(ag, addr, word);
}

/* One more agent in the task of a, its UTCB at utcb, main its pager. */
static const char *mig_agent_in(L4_ThreadId_t a, L4_Word_t utcb, L4_ThreadId_t *t)
{
	L4_Word_t ip, sp;

	*t = rt_task_thread_prepare(a, utcb, rt_agent_loop, 0, L4_Myself(), &ip, &sp);
	CHECK(!L4_IsNilThread(*t));
	CHECK(rt_start_message(*t, ip, sp));
	CHECK(t_ag_ok(rt_agent_result(*t, 0)));
	return 0;
}

/* Two agents in tasks of their own, *b with MIG_MARK + 1 at MIG_X. */
static const char *mig_two_tasks(L4_ThreadId_t *a, L4_ThreadId_t *b)
{
	*a = rt_agent_create(L4_Myself());
	*b = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(*a) && !L4_IsNilThread(*b));
	return mig_map_marked(*b, MIG_X, MIG_MARK + 1);
}

/* t was moved while it waited for main's next command: its call was
 * cancelled, and it calls again with no result (rt_agent_loop). */
static const char *mig_calls_again(L4_ThreadId_t t)
{
	L4_MsgTag_t tag = rt_agent_result(t, 0);

	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), RT_AG_RESULT);
	CHECK_EQ(L4_UntypedWords(tag), 0);
	return 0;
}

/* t says who it is: main its pager, t its global ID, its UTCB at utcb. */
static const char *mig_self(L4_ThreadId_t t, L4_Word_t utcb)
{
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_SELF, 0, 0)));
	CHECK_EQ(rt_mr(2), L4_Myself().raw);
	CHECK_EQ(rt_mr(3), t.raw);
	CHECK_EQ(rt_mr(4), utcb + RT_UTCB_MR0_OFFSET);
	return 0;
}

static const char *mig_fails(L4_ThreadId_t t, L4_ThreadId_t space, L4_ThreadId_t sched,
			     L4_Word_t utcb, L4_Word_t err)
{
	CHECK_EQ(L4_ThreadControl(t, space, sched, L4_nilthread, (void *)utcb), 0);
	CHECK_EQ(L4_ErrorCode(), err);
	return 0;
}

/* A second thread of a's task moves to b's: it reads b's memory, its
 * page faults there come to its pager, it keeps its ID and UTCB, and
 * goes on once its old task is deleted. */
static const char *t_mig_runs_in_new_space(void)
{
	L4_ThreadId_t a, b, t;

	RUN(mig_two_tasks(&a, &b));
	RUN(mig_map_marked(a, MIG_X, MIG_MARK));
	RUN(mig_agent_in(a, MIG_UTCB1, &t));
	RUN(t_ag_reads(t, MIG_X, MIG_MARK));
	CHECK_EQ(L4_ThreadControl(t, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(mig_calls_again(t));
	RUN(mig_self(t, MIG_UTCB1));
	RUN(t_ag_reads(t, MIG_X, MIG_MARK + 1));
	/* A page neither task has: the fault comes from t, in b's space. */
	L4_Word_t p = mig_page(MIG_MARK + 2);
	CHECK(p != 0);
	((volatile L4_Word_t *)p)[0] = MIG_MARK + 2;
	RUN(t_ag_faults(t, MIG_X + RT_PAGE_SIZE, 0));
	CHECK(t_kpre_reply_map(t, L4_FpageLog2(p, 12), MIG_X + RT_PAGE_SIZE));
	L4_MsgTag_t tag = rt_agent_result(t, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), MIG_MARK + 2);
	RUN(t_ag_reads(b, MIG_X + RT_PAGE_SIZE, MIG_MARK + 2));
	/* a's task is as it was; deleted, t goes on in b's. */
	RUN(t_ag_reads(a, MIG_X, MIG_MARK));
	CHECK(rt_release(a));
	RUN(t_selfcheck());
	RUN(t_ag_reads(t, MIG_X, MIG_MARK + 1));
	RUN(mig_self(t, MIG_UTCB1));
	return t_selfcheck();
}

/* The last thread of a task moves out: the task goes (the self-check
 * finds nothing of it), the thread runs on in the other, whose own first
 * thread went (so a's location, slot 0, is free there). */
static const char *t_mig_last_thread_leaves(void)
{
	L4_ThreadId_t a, b, d;

	RUN(mig_two_tasks(&a, &b));
	RUN(mig_agent_in(b, MIG_UTCB1, &d));
	CHECK(rt_release(b));
	CHECK_EQ(L4_ThreadControl(a, d, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(t_selfcheck());
	RUN(mig_calls_again(a));
	RUN(mig_self(a, RT_UTCB_AREA_BASE));
	RUN(t_ag_reads(a, MIG_X, MIG_MARK + 1));
	RUN(mig_self(d, MIG_UTCB1));
	return t_selfcheck();
}

/* Error 6 for an active thread whose location is taken, outside the
 * new space's UTCB area, or in a space without one; and a different
 * location; 1 unprivileged, 3 no such space, 4 no
 * such scheduler.  Nothing changes: t still waits for its command. */
static const char *t_mig_refused(void)
{
	L4_ThreadId_t a, b, t, c = rt_tid_alloc(), e = rt_tid_alloc();
	L4_Word_t old;

	RUN(mig_two_tasks(&a, &b));
	RUN(mig_agent_in(a, MIG_UTCB_P1, &t));
	/* c: a space without a UTCB area; e: one whose area is one page. */
	CHECK(!L4_IsNilThread(c) && !L4_IsNilThread(e));
	CHECK_EQ(L4_ThreadControl(c, c, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(e, e, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_SpaceControl(e, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, 12), L4_nilthread, &old), 1);
	RUN(mig_fails(a, b, L4_nilthread, ~0UL, 6));
	RUN(mig_fails(t, c, L4_nilthread, ~0UL, 6));
	RUN(mig_fails(t, e, L4_nilthread, ~0UL, 6));
	RUN(mig_fails(t, b, L4_nilthread, MIG_UTCB1, 6));
	RUN(mig_fails(t, t_nonexistent(), L4_nilthread, ~0UL, 3));
	RUN(mig_fails(t, b, t_nonexistent(), ~0UL, 4));
	L4_Word_t w[5] = { t.raw, b.raw, 0, 0, ~0UL };
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_TC, 5, w)));
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), 1);
	RUN(mig_self(t, MIG_UTCB_P1));
	RUN(mig_self(a, RT_UTCB_AREA_BASE));
	/* c, inactive, without a UTCB, moves: its task goes with it. */
	CHECK_EQ(L4_ThreadControl(c, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(t, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(mig_calls_again(t));
	RUN(t_ag_reads(t, MIG_X, MIG_MARK + 1));
	return t_selfcheck();
}

/* An inactive thread with its UTCB placed moves, and is activated by
 * the same call: its location is placed in the new space. */
static const char *t_mig_inactive_activated(void)
{
	L4_ThreadId_t a, b, i = rt_tid_alloc();
	void *stack = rt_small_stack_alloc();

	RUN(mig_two_tasks(&a, &b));
	CHECK(!L4_IsNilThread(i) && stack);
	rt_tid_attach(i, stack, 0);
	CHECK_EQ(L4_ThreadControl(i, a, L4_Myself(), L4_nilthread, (void *)MIG_UTCB1), 1);
	CHECK_EQ(L4_ThreadControl(i, b, L4_nilthread, L4_Myself(), (void *)-1), 1);
	CHECK(rt_start_message(i, (L4_Word_t)rt_agent_loop, rt_stack_frame(stack, 0)));
	CHECK(t_ag_ok(rt_agent_result(i, 0)));
	RUN(mig_self(i, MIG_UTCB1));
	RUN(t_ag_reads(i, MIG_X, MIG_MARK + 1));
	return t_selfcheck();
}

/* A thread of the root's moves itself to the space of thread arg, with
 * rt's pager as its pager: the call returns there, and it reads that
 * space's memory. */
static void mig_mover(L4_Word_t arg)
{
	L4_ThreadId_t to = { .raw = arg };

	L4_Set_Pager(rt_pager());
	t_shared[1] = L4_ThreadControl(L4_Myself(), to, L4_nilthread, L4_nilthread, (void *)-1);
	t_shared[2] = L4_ErrorCode();
	t_shared[3] = *(volatile L4_Word_t *)MIG_X;
	t_shared[4] = L4_MyGlobalId().raw;
	t_shared[5] = t_gs0();
	/* Its new space is not privileged. */
	t_shared[6] = L4_ThreadControl(L4_Myself(), to, L4_nilthread, L4_nilthread, (void *)-1);
	t_shared[7] = L4_ErrorCode();
	t_shared[0] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_mig_caller_moves_itself(void)
{
	L4_ThreadId_t a, b, m;

	RUN(mig_two_tasks(&a, &b));
	m = rt_thread_create(mig_mover, b.raw);
	CHECK(!L4_IsNilThread(m));
	t_until(&t_shared[0], 1);
	CHECK_EQ(t_shared[1], 1);
	CHECK_EQ(t_shared[3], MIG_MARK + 1);
	CHECK_EQ(t_shared[4], m.raw);
	CHECK_EQ(t_shared[5], rt_utcb_of(m) + RT_UTCB_MR0_OFFSET);
	CHECK_EQ(t_shared[6], 0);
	CHECK_EQ(t_shared[7], 1);
	return t_selfcheck();
}

/* arg 0: receive from main, arg 1: send to main; then it sends main the
 * outcome and its own ID (label MIG_REPORT).  mig_at_ipc[arg] says it is
 * past its start's page faults, at its IPC. */
#define MIG_REPORT	0x6d69

static volatile L4_Word_t mig_at_ipc[2];

static void mig_blocked(L4_Word_t arg)
{
	L4_MsgTag_t tag;
	L4_Word_t w[2];

	t_flaky_delay(10);
	mig_at_ipc[arg] = 1;
	if (arg) {
		L4_LoadMR(0, 0);
		tag = L4_Send(rt_main_thread());
	} else {
		tag = L4_Receive(rt_main_thread());
	}
	w[0] = L4_IpcFailed(tag) ? L4_ErrorCode() : 0xFFFF;
	w[1] = L4_MyGlobalId().raw;
	t_load(MIG_REPORT, 2, w, 0, 0);
	(void)L4_Send(rt_main_thread());
	for (;;)
		L4_Sleep(L4_Never);
}

/* t's report: its IPC ended with ec, and it is still t. */
static const char *mig_report(L4_ThreadId_t t, L4_Word_t ec)
{
	L4_MsgTag_t tag = L4_Receive(t);

	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), MIG_REPORT);
	CHECK_EQ(L4_UntypedWords(tag), 2);
	CHECK_EQ(rt_mr(1), ec);
	CHECK_EQ(rt_mr(2), t.raw);
	return 0;
}

/* Threads blocked in IPC: the IPC is cancelled (error 3, X.2's
 * ExchangeRegisters abort), in the phase it was in.  Every wait is for
 * a state or a message, with no clock bound.  A new task's thread is
 * "waiting" in each page fault of its start, and "pending send" in one
 * its pager has not taken yet: the flag, then the state. */
static const char *t_mig_blocked_in_ipc(void)
{
	L4_ThreadId_t a, b, r, s;
	L4_Word_t ip, sp;

	RUN(mig_two_tasks(&a, &b));
	mig_at_ipc[0] = mig_at_ipc[1] = 0;
	r = rt_task_thread_prepare(a, MIG_UTCB1, mig_blocked, 0, rt_pager(), &ip, &sp);
	CHECK(!L4_IsNilThread(r) && rt_pager_start_thread(r, ip, sp));
	s = rt_task_thread_prepare(a, MIG_UTCB1 + RT_UTCB_SIZE, mig_blocked, 1, rt_pager(), &ip, &sp);
	CHECK(!L4_IsNilThread(s) && rt_pager_start_thread(s, ip, sp));
	t_until(&mig_at_ipc[0], 1);
	CHECK(t_until_waiting(r));
	t_until(&mig_at_ipc[1], 1);
	CHECK(t_until_state(s, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(L4_ThreadControl(r, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(s, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(mig_report(r, EC_RECV(3)));
	RUN(mig_report(s, EC_SEND(3)));
	return t_selfcheck();
}

/* The new task's kpager refuses the UTCB page the thread needs there:
 * 8, and nothing changed; served, the thread moves. */
static const char *t_mig_no_memory(void)
{
	L4_ThreadId_t a, d, t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&d, &data, &skip));
	a = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(a));
	RUN(mig_agent_in(a, MIG_UTCB_P1, &t));
	if (!skip) {
		t_kplog_reset(&kpre, T_KPLOG_REFUSE_KIND, LENT_KMEM_UTCB);
		RUN(mig_fails(t, d, L4_nilthread, ~0UL, 8));
		CHECK_EQ(kpre.n, 1);
		RUN(t_kplog_fault_was(&kpre, 0, d, LENT_KMEM_UTCB,
				      LENT_CID_UTCB_BASE + LENT_CID_PAGE));
		RUN(mig_self(t, MIG_UTCB_P1));
		t_kplog_reset(&kpre, T_KPLOG_SERVE, 0);
	}
	CHECK_EQ(L4_ThreadControl(t, d, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(mig_calls_again(t));
	RUN(mig_self(t, MIG_UTCB_P1));
	RUN(t_ag_reads(t, data, T_KPRE_DATA));
	RUN(kpre_end(d));
	RUN(mig_self(t, MIG_UTCB_P1));
	return t_selfcheck();
}

/* A thread whose TCB page its kpager took back: its body is asked for
 * first (from its own task's kpager), then it moves. */
static const char *t_mig_body_away(void)
{
	L4_ThreadId_t t, b, c = rt_tid_alloc();
	L4_Word_t data, page, old;

	RUN(tb_start());
	RUN(tb_agent(&t, &data));
	if (!tb_lends())
		return tb_end(t);
	/* b: a space whose slot 0 is free (its thread is inactive). */
	CHECK(!L4_IsNilThread(c));
	b = c;
	CHECK_EQ(L4_ThreadControl(b, b, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_SpaceControl(b, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread,
				 &old), 1);
	RUN(tb_take(t, &page));
	tb.src = page;
	L4_Word_t n = tb.n;
	CHECK_EQ(L4_ThreadControl(t, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK(tb.n > n);
	CHECK_EQ(tb.kind[n % TB_LOG], LENT_KMEM_TCB);
	CHECK_EQ(tb.named[n % TB_LOG], t.raw);
	RUN(t_selfcheck());
	RUN(mig_calls_again(t));
	RUN(t_kpre_works(t, data));
	RUN(mig_self(t, RT_UTCB_AREA_BASE));
	return tb_end(t);
}

/* A thread waiting for its pager's answer to a page fault moves: the
 * fault's IPC ends and the access runs again, in the new space, where
 * the page is mapped. */
static const char *t_mig_in_page_fault(void)
{
	L4_ThreadId_t a, b, t;

	RUN(mig_two_tasks(&a, &b));
	RUN(mig_agent_in(a, MIG_UTCB1, &t));
	RUN(t_ag_faults(t, MIG_X, 0));
	CHECK_EQ(L4_ThreadControl(t, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK(t_ag_ok(rt_agent_result(t, 0)));
	CHECK_EQ(rt_mr(1), MIG_MARK + 1);
	RUN(mig_self(t, MIG_UTCB1));
	return t_selfcheck();
}

/* Sends a string from MIG_Z (not mapped in its task) to thread arg;
 * its ErrorCode in t_shared[1], then t_shared[0] = 1. */
#define MIG_Z		0x00500000UL

static void mig_string_sender(L4_Word_t arg)
{
	L4_ThreadId_t to = { .raw = arg };
	L4_StringItem_t item = L4_StringItem(64, (void *)MIG_Z);

	L4_LoadMR(0, (L4_MsgTag_t){ .X.t = 2 }.raw);
	L4_LoadMR(1, item.raw[0]);
	L4_LoadMR(2, item.raw[1]);
	L4_MsgTag_t tag = L4_Send(to);
	t_shared[1] = L4_IpcFailed(tag) ? L4_ErrorCode() : 0xFFFF;
	t_shared[0] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* A sender whose string transfer stopped on a page fault in its own
 * space moves: the transfer is aborted, 7 for both partners. */
static const char *t_mig_in_transfer(void)
{
	L4_ThreadId_t a, b, s, from;
	L4_Word_t ip, sp, buf[2] = { MIG_X, 64 };
	L4_MsgTag_t tag;

	RUN(mig_two_tasks(&a, &b));
	CHECK(rt_agent_post(b, RT_AG_RECV_STRING, 2, buf));
	CHECK(t_until_waiting(b));
	s = rt_task_thread_prepare(a, MIG_UTCB1, mig_string_sender, b.raw, L4_Myself(), &ip, &sp);
	CHECK(!L4_IsNilThread(s));
	CHECK(rt_start_message(s, ip, sp));
	/* Its image's pages served; the fault on MIG_Z comes back to us. */
	tag = rt_serve(s, RT_NEVER_US, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, s.raw);
	CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), MIG_Z);
	CHECK_EQ(L4_ThreadControl(s, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	CHECK_EQ(rt_mr(2) & 0xF, EC_RECV(7));
	while (!t_shared[0])
		(void)rt_serve(s, 10000, &from);
	CHECK_EQ(t_shared[0], 1);
	CHECK_EQ(t_shared[1] & 0xF, EC_SEND(7));
	return t_selfcheck();
}

/* An interrupt handler moves: the interrupt (the RTC's, IRQ 8) still
 * comes to it, by its global ID, in the new space (t_irq.c's with_rtc). */
#define MIG_IRQ		8
#define MIG_IRQ_TAG	0xFFF00000UL     /* label -1, no words (X.2) */

static const char *mig_irq_handler(void)
{
	L4_ThreadId_t a, b, h;

	RUN(mig_two_tasks(&a, &b));
	RUN(mig_agent_in(a, MIG_UTCB1, &h));
	CHECK_EQ(associate(MIG_IRQ, h), 1);
	CHECK_EQ(L4_ThreadControl(h, b, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(mig_calls_again(h));
	CHECK(rt_agent_post(h, RT_AG_RECV, 0, 0));
	CHECK(t_ag_ok(rt_agent_result(h, 0)));
	CHECK_EQ(rt_mr(1), MIG_IRQ_TAG);
	CHECK_EQ(rt_mr(2), 0);
	CHECK_EQ(rt_mr(3), irq_thread(MIG_IRQ).raw);
	return t_selfcheck();
}

static const char *t_mig_interrupt_handler(void)
{
	return with_rtc(mig_irq_handler);
}

const struct test migrate_tests[] = {
	TEST(mig_runs_in_new_space),
	TEST(mig_last_thread_leaves),
	TEST(mig_refused),
	TEST(mig_inactive_activated),
	TEST(mig_blocked_in_ipc),
	TEST(mig_no_memory),
	TEST(mig_body_away),
	TEST(mig_caller_moves_itself),
	TEST(mig_interrupt_handler),
	TEST(mig_in_page_fault),
	TEST(mig_in_transfer),
	{ 0 },
};
