/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread bodies taken back: the limits the first version documented,
 * removed (issue 7; docs/kernel-memory.md, "Thread bodies").  The task
 * is the one of t_kpre_tcb.c (t_kpre_tcb_kp.c): the thread under test
 * alone in the TCB page our kpager lends, which the root takes back; a
 * second thread of the same task, in the task's first TCB page (never
 * taken back), is the partner that names it by its local ID.  An
 * interrupt handler away is t_kpre_tcb_more_irq.c.
 */
#include "t_kpre_tcb.h"
#include <l4/schedule.h>
#include "t_kpre_tcb_more_int.h"

L4_ThreadId_t tm_main;
static volatile L4_Word_t tm_partner;   /* the partner's global ID, for t */

/* ---- the task's side ---- */

void tm_say(L4_Word_t label, L4_Word_t a, L4_Word_t b, L4_Word_t c)
{
	L4_Word_t w[3] = { a, b, c };

	rt_msg(label, 3, w);
	(void)L4_Send(tm_main);
}

void tm_idle(void)
{
	for (;;)
		L4_Sleep(L4_Never);
}

/* Says hello (with its local ID) and waits, in the same Ipc, for a
 * message from anyone: it says what it got. */
static void tm_waiter(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_Word_t id = L4_MyLocalId().raw;

	(void)arg;
	rt_msg(TM_HELLO, 1, &id);
	L4_MsgTag_t tag = L4_Ipc(tm_main, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
	L4_Word_t w = rt_mr(1);
	tm_say(TM_DONE, L4_IpcSucceeded(tag) ? L4_Label(tag) : 0, w, from.raw);
	tm_idle();
}

/* Says hello and waits, in the same Ipc, for main, TM_RECV_US at most;
 * says its error code and when it began and ended waiting. */
static void tm_timed(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_Word_t id = L4_MyLocalId().raw;

	(void)arg;
	rt_msg(TM_HELLO, 1, &id);
	L4_Word_t start = rt_now_us();
	L4_MsgTag_t tag = L4_Ipc(tm_main, tm_main, L4_Timeouts(L4_Never, rt_us(TM_RECV_US)), &from);
	L4_Word_t end = rt_now_us(), ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	tm_say(TM_DONE, ec, start, end);
	tm_idle();
}

/* Says hello and waits for main's reply; then says what it got. */
static void tm_caller(L4_Word_t arg)
{
	L4_Word_t id = L4_MyLocalId().raw;

	(void)arg;
	rt_msg(TM_HELLO, 1, &id);
	L4_MsgTag_t tag = L4_Call(tm_main);
	tm_say(TM_DONE, L4_IpcSucceeded(tag), rt_mr(1), 0);
	tm_idle();
}

/* Says hello, then sends TM_WORD to the partner (by its global ID) and
 * waits as long as it takes. */
static void tm_sender(L4_Word_t arg)
{
	L4_Word_t id = L4_MyLocalId().raw, w = TM_WORD;
	L4_ThreadId_t to = { .raw = tm_partner };

	(void)arg;
	rt_msg(TM_HELLO, 1, &id);
	(void)L4_Send(tm_main);
	rt_msg(TM_PING, 1, &w);
	L4_MsgTag_t tag = L4_Send(to);
	tm_say(TM_DONE, L4_IpcSucceeded(tag), 0, 0);
	tm_idle();
}

/* The partner: sends TM_WORD to the thread under test by its local ID,
 * for as long as it takes (no clock bound: t_sync.h). */
static void tm_send_local(L4_Word_t arg)
{
	L4_ThreadId_t to = { .raw = TM_LOCAL_T };
	L4_Word_t w = TM_WORD;

	(void)arg;
	rt_msg(TM_PING, 1, &w);
	L4_MsgTag_t tag = L4_Send(to);
	tm_say(TM_DONE, L4_IpcSucceeded(tag), L4_ErrorCode(), 0);
	tm_idle();
}

/* The partner: reads the thread under test's registers by its local ID. */
static void tm_exregs_local(L4_Word_t arg)
{
	L4_ThreadId_t r = __L4_Exregs((L4_ThreadId_t){ .raw = TM_LOCAL_T }, __L4_EXREGS_DELIVER,
				      0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
	L4_Word_t ec = L4_ErrorCode();

	(void)arg;
	tm_say(TM_DONE, r.raw, ec, 0);
	tm_idle();
}

/* The partner: receives from the thread under test by its local ID. */
static void tm_recv_local(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread;

	(void)arg;
	L4_MsgTag_t tag = L4_Ipc(L4_nilthread, (L4_ThreadId_t){ .raw = TM_LOCAL_T },
				 L4_Timeouts(L4_Never, L4_Never), &from);
	L4_Word_t w = rt_mr(1), ec = L4_ErrorCode();
	tm_say(TM_DONE, L4_IpcSucceeded(tag) ? L4_Label(tag) : ec, w, from.raw);
	tm_idle();
}

/* ---- the root's side ---- */

/* The message in MR1..3 of a report is TM_PING with TM_WORD, from `from`. */
static const char *tm_got_ping(L4_Word_t from)
{
	CHECK_EQ(rt_mr(1), TM_PING);
	CHECK_EQ(rt_mr(2), TM_WORD);
	CHECK_EQ(rt_mr(3), from);
	return 0;
}

/* The task, t the thread under test at entry, having said hello with its
 * local ID; *u its partner, activated (UTCB TM_UTCB_U, rt's pager thread
 * its pager) but not started; *skip where nothing is lent. */
const char *tm_begin(L4_ThreadId_t *t, L4_ThreadId_t *u, void (*entry)(L4_Word_t),
		     int *skip)
{
	tm_main = L4_Myself();
	RUN(tb_start());
	RUN(tb_task_start(t, entry));
	(void)L4_Set_Priority(*t, RT_PRIORITY - 10);
	*skip = !tb_lends();
	*u = tb_fill_thread(1);
	CHECK_EQ(L4_ThreadControl(*u, tb_fill_thread(0), L4_Myself(), rt_pager(),
				  (void *)TM_UTCB_U), 1);
	tm_partner = u->raw;
	RUN(tb_expect(*t, TM_HELLO));
	CHECK_EQ(rt_mr(1), TM_LOCAL_T);
	return 0;
}

/* Take t's page back at safe point `point`: our kpager lends copies. */
const char *tm_out(L4_ThreadId_t t, L4_Word_t point, L4_Word_t *page)
{
	RUN(tb_take(t, page));
	CHECK_EQ(((const volatile L4_Word_t *)*page)[TB_W_POINT] & 0xFF, point);
	tb.src = *page;
	return 0;
}

/* t's body came back, in another frame than page, by log entry i: its
 * kernel page fault, named t, raised by `from`. */
const char *tm_came_back(L4_ThreadId_t t, L4_Word_t i, L4_ThreadId_t from, L4_Word_t page)
{
	RUN(tb_fault_was(i, t, from));
	CHECK(tb.page[i % TB_LOG] != page);
	return 0;
}

/* t's page taken back at safe point `point` (unless *skip), *n the log's
 * length then, and the partner u started at `partner`. */
static const char *tm_away_then(L4_ThreadId_t t, L4_ThreadId_t u, L4_Word_t point, int skip,
				L4_Word_t *page, L4_Word_t *n, void (*partner)(L4_Word_t))
{
	if (!skip)
		RUN(tm_out(t, point, page));
	*n = tb.n;
	return t_kpre_run_paged(u, rt_pager(), partner);
}

/* IPC to the local ID of a thread away: the send waits for it as for
 * any thread, the receiver's body is asked for (it waits for anyone), and
 * the message arrives whole, from the sender's local ID.  (Before: the
 * send failed at once with error 2, "no partner".) */
static const char *t_kpre_tcb_more_send_to_local_away(void)
{
	L4_ThreadId_t t, u;
	L4_Word_t page = 0;
	int skip;

	RUN(tm_begin(&t, &u, tm_waiter, &skip));
	L4_Word_t n;
	RUN(tm_away_then(t, u, TM_PT_IPC_RECV, skip, &page, &n, tm_send_local));
	RUN(tb_expect(u, TM_DONE));
	CHECK_EQ(rt_mr(1), 1);
	RUN(tb_expect(t, TM_DONE));
	RUN(tm_got_ping(TM_LOCAL_U));
	if (!skip) {
		CHECK_EQ(tb.n, n + 1);
		RUN(tm_came_back(t, n, t, page));
	}
	return tb_end(t);
}

/* ExchangeRegisters on the local ID of a thread away: the caller asks
 * for its body (its own kernel page fault, naming t), and the call
 * returns t's global ID as X.2 says for a local one; t goes on.
 * (Before: it failed with error 2, "invalid thread".) */
static const char *t_kpre_tcb_more_exregs_local_away(void)
{
	L4_ThreadId_t t, u;
	L4_Word_t page = 0, w = TM_REPLY;
	int skip;

	RUN(tm_begin(&t, &u, tm_caller, &skip));
	L4_Word_t n;
	RUN(tm_away_then(t, u, TM_PT_IPC_RECV, skip, &page, &n, tm_exregs_local));
	RUN(tb_expect(u, TM_DONE));
	CHECK_EQ(rt_mr(1), t.raw);
	if (!skip) {
		CHECK_EQ(tb.n, n + 1);
		RUN(tm_came_back(t, n, u, page));
	}
	rt_msg(0, 1, &w);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	RUN(tb_expect(t, TM_DONE));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), TM_REPLY);
	return tb_end(t);
}

/* A receive from the local ID of a thread away blocked sending to the
 * receiver: the sender's body is asked for, and its message arrives,
 * from its local ID.  (Before: the receive failed at once, error 2.) */
static const char *t_kpre_tcb_more_recv_from_local_away(void)
{
	L4_ThreadId_t t, u;
	L4_Word_t page = 0;
	int skip;

	RUN(tm_begin(&t, &u, tm_sender, &skip));
	CHECK(t_sched_state(t, L4_SCHEDRESULT_PENDING_SEND));
	L4_Word_t n;
	RUN(tm_away_then(t, u, TM_PT_IPC_SEND, skip, &page, &n, tm_recv_local));
	RUN(tb_expect(u, TM_DONE));
	RUN(tm_got_ping(TM_LOCAL_T));
	RUN(tb_expect(t, TM_DONE));
	CHECK_EQ(rt_mr(1), 1);
	if (!skip) {
		CHECK_EQ(tb.n, n + 1);
		RUN(tm_came_back(t, n, t, page));
	}
	return tb_end(t);
}

/* The kpager of t's task is deleted while t is away in a receive; a send
 * to t makes it must run, with no kpager to ask: t stays away, halted in
 * effect (the send waits; ExchangeRegisters naming t fails with error 8,
 * no memory).  Once the task is given a new kpager, t asks it for its
 * body at once, and takes the message.  (Before: t stayed away until
 * deleted, whatever kpager the task got.) */
static const char *t_kpre_tcb_more_new_kpager_asked(void)
{
	L4_ThreadId_t t, u;
	L4_Word_t page = 0;
	int skip;

	RUN(tm_begin(&t, &u, tm_waiter, &skip));
	if (skip)
		return tb_end(t);
	RUN(tm_out(t, TM_PT_IPC_RECV, &page));
	CHECK_EQ(L4_ThreadControl(tb_kpager, L4_nilthread, L4_nilthread, L4_nilthread,
				  (void *)-1), 1);
	RUN(t_kpre_run_paged(u, rt_pager(), tm_send_local));
	CHECK(t_sched_state(u, L4_SCHEDRESULT_PENDING_SEND));
	CHECK(L4_IsNilThread(__L4_Exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread,
					 0, 0, 0, 0, 0, 0)));
	CHECK_EQ(L4_ErrorCode(), 8);
	CHECK(t_sched_state(u, L4_SCHEDRESULT_PENDING_SEND));
	/* A new kpager, lending copies of the form. */
	RUN(tb_start());
	tb.src = page;
	CHECK_EQ(lent_kmem_control(tb_fill_thread(0).raw, LENT_KMEM_SET_KPAGER, tb_kpager.raw), 1);
	RUN(tb_expect(u, TM_DONE));
	CHECK_EQ(rt_mr(1), 1);
	RUN(tb_expect(t, TM_DONE));
	RUN(tm_got_ping(TM_LOCAL_U));
	RUN(tm_came_back(t, 0, t, page));
	return tb_end(t);
}

/* t, away in a receive from main with a relative timeout, is brought
 * back by a send that is not for it (from its partner); it waits on, and
 * its timeout fires at its first deadline, not TM_RECV_US after it came
 * back.  (Before: its receive phase ran again and started the timeout
 * anew: it ended TM_RECV_US after the send, less a millisecond or two.)
 * The send comes TM_GAP_US after the receive began, so the two deadlines
 * are that far apart; the check is that the timeout came before the
 * second could (the clock and the timer differ by a few milliseconds:
 * TM_SLACK_US). */
static const char *t_kpre_tcb_more_recv_keeps_deadline(void)
{
	L4_ThreadId_t t, u;
	L4_Word_t page = 0;
	int skip;

	RUN(tm_begin(&t, &u, tm_timed, &skip));
	if (skip)
		return tb_end(t);
	RUN(tm_out(t, TM_PT_IPC_RECV, &page));
	L4_Word_t n = tb.n;
	rt_sleep_us(TM_GAP_US);
	L4_Word_t sent = rt_now_us();
	RUN(t_kpre_run_paged(u, rt_pager(), tm_send_local));
	RUN(tb_expect(t, TM_DONE));
	CHECK_EQ(rt_mr(1) & 0xF, EC_RECV(1));
	L4_Word_t start = rt_mr(2), end = rt_mr(3);
	CHECK(end - start >= TM_RECV_US - TM_SLACK_US);
	/* Restarted, it would end TM_RECV_US after the send at the
	 * earliest, less the moment between `sent` and the wake: a bound
	 * that close to that, not halfway, so that a correct kernel fails it
	 * only if t's wake-up at its deadline comes nearly TM_GAP_US late
	 * on a loaded host. */
	CHECK(end - sent < TM_RECV_US - TM_SLACK_US);
	RUN(tm_came_back(t, n, t, page));
	return tb_end(t);
}

/* The log entry from i on for (kind, cid), or TB_LOG if none. */
static L4_Word_t tm_logged(L4_Word_t i, L4_Word_t kind, L4_Word_t cid)
{
	for (; i < tb.n && i < TB_LOG; i++)
		if (tb.kind[i] == kind && tb.cid[i] == cid)
			return i;
	return TB_LOG;
}

/* Log entry i: (kind, cid) of t's task, named t, asked by `from` (as our
 * kpager sees it: a thread of ours by its local ID), lent. */
static const char *tm_entry_was(L4_Word_t i, L4_Word_t kind, L4_Word_t cid, L4_ThreadId_t t,
				L4_ThreadId_t from)
{
	CHECK(i < TB_LOG);
	CHECK(tb_wait_answered(i + 1));
	CHECK_EQ(tb.kind[i], kind);
	CHECK_EQ(tb.cid[i], cid);
	CHECK_EQ(tb.named[i], t.raw);
	CHECK_EQ(tb.from[i], from.raw);
	CHECK_EQ(tb.ok[i], 1);
	return 0;
}

/* The root names our kpager for the tasks it makes (SET_CHILD_KPAGER):
 * a task it makes then has it as its kpager from the start, and its
 * record and first TCB page are our kpager's, asked for by the root's
 * ThreadControl.  That first page can be taken back and comes back from
 * our kpager.  Nil names the root's own again.  (Before: no such
 * operation; the first TCB page was lent by the root's kpager, sigma0,
 * which never takes it back.) */
static const char *t_kpre_tcb_more_child_kpager_first_page(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), me = L4_Myself();
	L4_Word_t old, page = 0, w = TM_WORD, cid0 = LENT_CID_TCB_BASE;

	tm_main = me;
	RUN(tb_start());
	CHECK(!L4_IsNilThread(t));
	int lends = tb_lends();
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_CHILD_KPAGER, tb_kpager.raw), 1);
	L4_Word_t made = L4_ThreadControl(t, t, me, L4_nilthread, (void *)-1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_CHILD_KPAGER, L4_nilthread.raw), 1);
	CHECK_EQ(made, 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_GET_KPAGER, 0), tb_kpager.raw);
	if (lends) {
		RUN(tm_entry_was(tm_logged(0, LENT_KMEM_TASK, LENT_CID_TASK), LENT_KMEM_TASK,
				 LENT_CID_TASK, t, L4_MyLocalId()));
		RUN(tm_entry_was(tm_logged(0, LENT_KMEM_TCB, cid0), LENT_KMEM_TCB, cid0, t,
				 L4_MyLocalId()));
		page = tb.page[tm_logged(0, LENT_KMEM_TCB, cid0)];
	}
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread,
				 &old), 1);
	CHECK_EQ(L4_ThreadControl(t, t, me, me, (void *)TM_UTCB_T), 1);
	RUN(t_kpre_run(t, tm_waiter));
	RUN(tb_expect(t, TM_HELLO));
	L4_Word_t n = tb.n;
	if (lends) {
		RUN(tb_take_at(t, page));
		CHECK_EQ(((const volatile L4_Word_t *)page)[TB_W_POINT] & 0xFF, TM_PT_IPC_RECV);
		tb.src = page;
	}
	rt_msg(TM_PING, 1, &w);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	RUN(tb_expect(t, TM_DONE));
	CHECK_EQ(rt_mr(1), TM_PING);
	CHECK_EQ(rt_mr(2), TM_WORD);
	if (lends) {
		CHECK_EQ(tb.n, n + 1);
		RUN(tm_entry_was(n, LENT_KMEM_TCB, cid0, t, t));
		CHECK(tb.page[n] != page);
	}
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

const struct test kpre_tcb_more_tests[] = {
	TEST(kpre_tcb_more_send_to_local_away),
	TEST(kpre_tcb_more_exregs_local_away),
	TEST(kpre_tcb_more_recv_from_local_away),
	TEST(kpre_tcb_more_irq_handler_away),
	TEST(kpre_tcb_more_irq_associate_away),
	TEST(kpre_tcb_more_new_kpager_asked),
	TEST(kpre_tcb_more_recv_keeps_deadline),
	TEST(kpre_tcb_more_child_kpager_first_page),
	{ 0 }
};
