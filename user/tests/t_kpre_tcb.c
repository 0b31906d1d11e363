/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread bodies taken back and brought back (issue 7; docs/kernel-memory.md,
 * "Thread bodies").  A task of one thread, its kernel memory lent by a
 * test kpager of the root (t_kpre_tcb_kp.c), is put in one state; the
 * root takes its TCB page back with an Unmap of its own page.  Each test
 * checks that the frame then holds the thread's external form, at the
 * safe point of that state, that the thread goes on as X.2 says once its
 * body is needed (the kpager is asked for the page by a kernel page fault
 * and lends a copy of the form, in another frame), and that the kernel's
 * self-check passes.  In a KMEM=pool kernel nothing is lent and the tests
 * say so.
 */
#include "t_kpre_tcb.h"
#include <l4/schedule.h>
#include "t_kplog.h"

#define TB_HELLO	0x7b01
#define TB_DONE		0x7b02
#define TB_SPIN		200000UL
#define TB_FAULT_AT	0x30000000UL	/* a 4 MB region the task has nothing in */
#define TB_FPU_VALUE	0x01234567UL
#define TB_LONG_US	1000000UL	/* a receive timeout the test outlasts */

/* Safe points (kernel/kcont_extern.h). */
enum { TB_PT_READY = 2, TB_PT_HALTED = 3, TB_PT_IPC_SEND = 4, TB_PT_IPC_RECV = 5,
       TB_PT_PAGEFAULT_RECV = 7, TB_PT_KPF_FAULT_RECV = 17 };

static L4_ThreadId_t tb_main;

/* ---- the task's side ---- */

static void tb_say(L4_Word_t label, L4_Word_t a, L4_Word_t b)
{
	L4_Word_t w[2] = { a, b };

	rt_msg(label, 2, w);
	(void)L4_Send(tb_main);
}

static void tb_idle(void)
{
	for (;;)
		L4_Sleep(L4_Never);
}

static L4_Word_t tb_sum(L4_Word_t rounds)
{
	L4_Word_t s = 1;

	for (volatile L4_Word_t i = 0; i < rounds; i++)
		s = s * 33 + i;
	return s;
}

/* Says hello, then runs (its sum in registers and on its stack). */
static void tb_spinner(L4_Word_t arg)
{
	(void)arg;
	tb_say(TB_HELLO, 0, 0);
	tb_say(TB_DONE, tb_sum(TB_SPIN), TB_SPIN);
	tb_idle();
}

/* Calls main, then sends it two words; again and again.  The second
 * time, main checks that the send waits and takes the body back, so
 * nothing between the Call and the send may fault to main then: the
 * first round touched every page the loop runs on (which pages those are
 * depends on the binary's layout). */
static void tb_sender(L4_Word_t arg)
{
	(void)arg;
	for (;;) {
		rt_msg(TB_HELLO, 0, 0);
		(void)L4_Call(tb_main);
		tb_say(TB_DONE, 0x1111, 0x2222);
	}
}

/* Says hello and waits, in the same Ipc, for a message that never comes. */
static void tb_timed(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	rt_msg(TB_HELLO, 0, 0);
	L4_MsgTag_t tag = L4_Ipc(tb_main, tb_main, L4_Timeouts(L4_Never, rt_us(TB_LONG_US)), &from);
	tb_say(TB_DONE, L4_ErrorCode(), L4_IpcFailed(tag));
	tb_idle();
}

/* Writes a word where nothing is mapped: its pager (main) maps a page. */
static void tb_toucher(L4_Word_t arg)
{
	(void)arg;
	tb_say(TB_HELLO, 0, 0);
	*(volatile L4_Word_t *)TB_FAULT_AT = 0x600d;
	tb_say(TB_DONE, *(volatile L4_Word_t *)TB_FAULT_AT, 0);
	tb_idle();
}

/* An x87 register holds a value across a Call. */
static void tb_fpu(L4_Word_t arg)
{
	L4_Word_t in = TB_FPU_VALUE, out = 0;

	(void)arg;
	__asm__ volatile("fildl %0" :: "m"(in));
	rt_msg(TB_HELLO, 0, 0);
	(void)L4_Call(tb_main);
	__asm__ volatile("fistpl %0" : "=m"(out));
	tb_say(TB_DONE, out, 0);
	tb_idle();
}

/* ---- the root's side ---- */

/* A task of one thread running entry, its kernel memory from our
 * kpager, at a priority below ours; *skip where nothing is lent. */
static const char *tb_begin(L4_ThreadId_t *t, void (*entry)(L4_Word_t), int *skip)
{
	tb_main = L4_Myself();
	RUN(tb_start());
	RUN(tb_task_start(t, entry));
	(void)L4_Set_Priority(*t, RT_PRIORITY - 10);
	*skip = !tb_lends();
	return tb_expect(*t, TB_HELLO);
}

static L4_Word_t tb_point(L4_Word_t page)
{
	return ((const volatile L4_Word_t *)page)[TB_W_POINT] & 0xFF;
}

/* Take the page back; the task's count of TCB pages drops by one. */
static const char *tb_take_counted(L4_ThreadId_t t, L4_Word_t *page)
{
	L4_Word_t count = t_kplog_count(t, LENT_KMEM_TCB);

	RUN(tb_take(t, page));
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TCB), count - 1);
	return 0;
}

/* Take the page back, at safe point `point`; the kpager lends copies of
 * it from then on. */
static const char *tb_out(L4_ThreadId_t t, L4_Word_t point, L4_Word_t *page)
{
	RUN(tb_take_counted(t, page));
	CHECK_EQ(tb_point(*page), point);
	tb.src = *page;
	return 0;
}

/* The body came back from a copy of page, in another frame: the first
 * fault for a TCB page from log entry i on asked for it.  (Other pages
 * the thread needs, such as its page table for a map, may come first.) */
static const char *tb_came_back(L4_ThreadId_t t, L4_Word_t i, L4_ThreadId_t from, L4_Word_t page)
{
	CHECK(tb_wait_n(i + 1));
	while (i + 1 < tb.n && tb.kind[i % TB_LOG] != LENT_KMEM_TCB)
		i++;
	RUN(tb_fault_was(i, t, from));
	CHECK(tb.page[i % TB_LOG] != page);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, tb.page[i % TB_LOG]), 1);
	return 0;
}

/* In its receive, waiting for main's command: the command, sent while
 * the body is out, arrives whole once the kpager lends the page. */
static const char *t_kpre_tcb_receiver_gets_message(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, page;

	tb_main = L4_Myself();
	RUN(tb_start());
	RUN(tb_agent(&t, &data));
	if (!tb_lends())
		return tb_end(t);
	RUN(tb_take_counted(t, &page));
	CHECK_EQ(tb_point(page), TB_PT_IPC_RECV);
	L4_Word_t n = tb.n, count = t_kplog_count(t, LENT_KMEM_TCB);
	tb.src = page;
	RUN(t_kpre_works(t, data));
	CHECK_EQ(tb.n, n + 1);
	RUN(tb_came_back(t, n, t, page));
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TCB), count + 1);
	return tb_end(t);
}

/* Ready, not running: taken back, it asks for its body at once (it must
 * run), and runs on with its registers and stack as they were. */
static const char *t_kpre_tcb_ready(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(tb_begin(&t, tb_spinner, &skip));
	if (skip)
		return tb_end(t);
	L4_Word_t n = tb.n;
	tb.hold_kind = LENT_KMEM_TCB + 1;
	RUN(tb_take(t, &page));
	CHECK_EQ(tb_point(page), TB_PT_READY);
	CHECK(tb_wait_n(n + 1));
	tb.src = page;
	tb.release = 1;
	RUN(tb_expect(t, TB_DONE));
	CHECK_EQ(rt_mr(1), tb_sum(TB_SPIN));
	CHECK_EQ(rt_mr(2), TB_SPIN);
	RUN(tb_came_back(t, n, t, page));
	return tb_end(t);
}

/* Blocked sending to main: main's receive brings the body back and gets
 * the message whole. */
static const char *t_kpre_tcb_blocked_in_send(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(tb_begin(&t, tb_sender, &skip));
	/* A first round: the sender's pages are there for the second. */
	rt_msg(0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(t)));
	RUN(tb_expect(t, TB_DONE));
	RUN(tb_expect(t, TB_HELLO));
	rt_msg(0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(t)));
	CHECK(t_sched_state(t, L4_SCHEDRESULT_PENDING_SEND));
	if (skip) {
		RUN(tb_expect(t, TB_DONE));
		return tb_end(t);
	}
	RUN(tb_take_counted(t, &page));
	CHECK_EQ(tb_point(page), TB_PT_IPC_SEND);
	CHECK_EQ(((volatile L4_Word_t *)page)[TB_W_PARTNER], tb_main.raw);
	L4_Word_t n = tb.n;
	tb.src = page;
	RUN(tb_expect(t, TB_DONE));
	CHECK_EQ(rt_mr(1), 0x1111);
	CHECK_EQ(rt_mr(2), 0x2222);
	RUN(tb_came_back(t, n, t, page));
	return tb_end(t);
}

/* In a receive whose timeout fires while the body is out: the timeout
 * fires, and the thread, back, sees X.2's receive timeout. */
static const char *t_kpre_tcb_receive_times_out_away(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(tb_begin(&t, tb_timed, &skip));
	if (!skip) {
		RUN(tb_out(t, TB_PT_IPC_RECV, &page));
	}
	L4_Word_t n = tb.n;
	L4_ThreadId_t from;
	L4_MsgTag_t tag = rt_serve(t, 3 * TB_LONG_US, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), TB_DONE);
	CHECK_EQ(rt_mr(1) & 0xF, EC_RECV(1));
	CHECK_EQ(rt_mr(2), 1);
	if (!skip)
		RUN(tb_came_back(t, n, t, page));
	return tb_end(t);
}

/* Send one map item of our page p at base to t, waiting as long as it
 * takes (t may be away: it is not receiving until it is back). */
static int tb_send_map(L4_ThreadId_t t, L4_Word_t p, L4_Word_t base)
{
	L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible),
				    base);

	L4_LoadMR(0, (L4_MsgTag_t){ .X.t = 2 }.raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
	return L4_IpcSucceeded(L4_Send(t));
}

/* Waiting for its pager's map: the map, sent while the body is out,
 * reaches it, and the access it faulted on goes on. */
static const char *t_kpre_tcb_waiting_for_pager(void)
{
	L4_ThreadId_t t, from;
	L4_Word_t page, p = rt_get_pages(1);
	int skip;

	CHECK(p != 0);
	RUN(tb_begin(&t, tb_toucher, &skip));
	L4_MsgTag_t tag = rt_serve(t, RT_NEVER_US, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(rt_mr(1), TB_FAULT_AT);
	if (!skip) {
		RUN(tb_out(t, TB_PT_PAGEFAULT_RECV, &page));
	}
	L4_Word_t n = tb.n;
	CHECK(tb_send_map(t, p, TB_FAULT_AT));
	RUN(tb_expect(t, TB_DONE));
	CHECK_EQ(rt_mr(1), 0x600d);
	CHECK_EQ(*(volatile L4_Word_t *)p, 0x600d);
	if (!skip)
		RUN(tb_came_back(t, n, t, page));
	return tb_end(t);
}

/* Halted: it stays halted and asks for nothing; ExchangeRegisters names
 * it, which asks for the body as the caller's kernel page fault, and
 * resumes it. */
static const char *t_kpre_tcb_halted(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(tb_begin(&t, tb_spinner, &skip));
	(void)L4_Stop(t);
	if (!skip) {
		L4_Word_t n = tb.n;
		RUN(tb_take_counted(t, &page));
		CHECK_EQ(tb_point(page), TB_PT_HALTED);
		L4_ThreadSwitch(L4_nilthread);
		CHECK_EQ(tb.n, n);
		tb.src = page;
		L4_Start(t);
		CHECK(tb_wait_n(n + 1));
		RUN(tb_came_back(t, n, L4_MyLocalId(), page));
	} else {
		L4_Start(t);
	}
	RUN(tb_expect(t, TB_DONE));
	CHECK_EQ(rt_mr(1), tb_sum(TB_SPIN));
	return tb_end(t);
}

/* In a kernel page fault (its page-fault's node table, held by the
 * kpager): the kpager's answer cannot reach the body while it is out
 * (its zero-timeout reply fails); the thread, back, asks again, gets
 * the table and goes on. */
static const char *t_kpre_tcb_in_kernel_page_fault(void)
{
	L4_ThreadId_t t, from;
	L4_Word_t page, p = rt_get_pages(1);
	int skip;

	CHECK(p != 0);
	RUN(tb_begin(&t, tb_toucher, &skip));
	if (skip)
		return tb_end(t);
	L4_Word_t n = tb.n;
	tb.hold_kind = TB_HOLD_OTHERS;
	CHECK(tb_wait_n(n + 1));
	L4_Word_t kind = tb.kind[n % TB_LOG];
	CHECK(kind != LENT_KMEM_TCB);
	RUN(tb_take(t, &page));
	CHECK_EQ(tb_point(page), TB_PT_KPF_FAULT_RECV);
	tb.src = page;
	tb.hold_kind = 0;
	tb.release = 1;
	L4_MsgTag_t tag = rt_serve(t, RT_NEVER_US, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(rt_mr(1), TB_FAULT_AT);
	CHECK(tb_wait_answered(n + 3));
	CHECK_EQ(tb.ok[n % TB_LOG], 0);          /* the held answer found it away */
	RUN(tb_came_back(t, n + 1, t, page));
	CHECK_EQ(tb.kind[(n + 2) % TB_LOG], kind);   /* asked again */
	CHECK_EQ(tb.ok[(n + 2) % TB_LOG], 1);
	CHECK(tb_send_map(t, p, TB_FAULT_AT));
	RUN(tb_expect(t, TB_DONE));
	CHECK_EQ(rt_mr(1), 0x600d);
	return tb_end(t);
}

/* The FPU state, live in the FPU when the body goes, comes back with it. */
static const char *t_kpre_tcb_fpu_kept(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(tb_begin(&t, tb_fpu, &skip));
	L4_Word_t n = tb.n;
	if (!skip) {
		RUN(tb_out(t, TB_PT_IPC_RECV, &page));
	}
	rt_msg(0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	RUN(tb_expect(t, TB_DONE));
	CHECK_EQ(rt_mr(1), TB_FPU_VALUE);
	if (!skip)
		RUN(tb_came_back(t, n, t, page));
	return tb_end(t);
}

const struct test kpre_tcb_tests[] = {
	TEST(kpre_tcb_receiver_gets_message),
	TEST(kpre_tcb_ready),
	TEST(kpre_tcb_blocked_in_send),
	TEST(kpre_tcb_receive_times_out_away),
	TEST(kpre_tcb_waiting_for_pager),
	TEST(kpre_tcb_halted),
	TEST(kpre_tcb_in_kernel_page_fault),
	TEST(kpre_tcb_fpu_kept),
	{ 0 }
};
