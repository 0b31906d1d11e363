/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager that changes a thread body it took back (issue 7: "validate,
 * then convert").  What the thread could have done itself is accepted
 * and the thread sees it (a new instruction pointer); privilege (IOPL, a
 * kernel code selector) and an older export of the same thread are
 * refused: the kpager's answer fails with LENT_KPF_BAD_CONTENT and the
 * reason, the thread is halted (its partner's send times out), another
 * task of the same kpager works on, and the self-check passes.  A system
 * call naming the halted thread asks for its body again; the kpager's
 * true copy brings it back.
 */
#include "t_kpre_tcb.h"
#include <l4/thread.h>

#define TE_HELLO	0x7c01
#define TE_PLAIN	0x7c02
#define TE_EDITED	0x7c03
#define TE_SHORT_US	100000UL

/* tcb_extern.h's refusals: TCBX_STALE, TCBX_REGS(BAD_CS), TCBX_REGS(BAD_EFLAGS). */
#define TE_STALE	4
#define TE_BAD_CS	17
#define TE_BAD_EFLAGS	20

static L4_ThreadId_t te_main;

static void te_say(L4_Word_t label)
{
	rt_msg(label, 0, 0);
	(void)L4_Send(te_main);
	for (;;)
		L4_Sleep(L4_Never);
}

/* Where an edited instruction pointer sends the thread. */
static void te_edited(void)
{
	te_say(TE_EDITED);
}

static void te_waiter(L4_Word_t arg)
{
	(void)arg;
	rt_msg(TE_HELLO, 0, 0);
	(void)L4_Call(te_main);
	te_say(TE_PLAIN);
}

/* A waiter blocked in its Call to us, its TCB page taken back: *page. */
static const char *te_begin(L4_ThreadId_t *t, L4_Word_t *page, int *skip)
{
	te_main = L4_Myself();
	RUN(tb_start());
	RUN(tb_task_start(t, te_waiter));
	RUN(tb_expect(*t, TE_HELLO));
	*skip = !tb_lends();
	if (!*skip)
		RUN(tb_take(*t, page));
	return 0;
}

/* The kpager's answer with the edited copy: refused for `reason`. */
static const char *te_refused(L4_Word_t i, L4_Word_t reason)
{
	CHECK(tb_wait_answered(i + 1));
	CHECK_EQ(tb.ok[i % TB_LOG], 0);
	CHECK_EQ(tb.ec[i % TB_LOG],
		 ((LENT_KPF_BAD_CONTENT | reason << 16) << 4) | EC_SEND(4));
	CHECK_EQ(LENT_KPF_REFUSAL_CONTENT(tb.ec[i % TB_LOG] >> 4), reason);
	return 0;
}

/* The reply to t, which stays away, halted: our send times out. */
static const char *te_reply_times_out(L4_ThreadId_t t)
{
	rt_msg(0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(t, rt_us(TE_SHORT_US))));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	return 0;
}

/* The body, answered with the true copy, comes back when a system call
 * names t; the reply then reaches it.  Then t is deleted. */
static const char *te_bring_back(L4_ThreadId_t t, L4_Word_t page)
{
	L4_Word_t n = tb.n;

	tb.edit_at = 0;
	tb.src = page;
	(void)L4_UserDefinedHandleOf(t);
	CHECK(tb_wait_n(n + 1));
	RUN(tb_fault_was(n, t, L4_MyLocalId()));
	rt_msg(0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	RUN(tb_expect(t, TE_PLAIN));
	return tb_end(t);
}

/* A new instruction pointer: the thread could have jumped there; it is
 * accepted and the thread goes on there. */
static const char *t_kpre_tcb_edit_accepted(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(te_begin(&t, &page, &skip));
	if (skip)
		return tb_end(t);
	L4_Word_t n = tb.n;
	tb.src = page;
	tb.edit_at = TB_W_EIP;
	tb.edit_val = (L4_Word_t)te_edited;
	rt_msg(0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	RUN(tb_expect(t, TE_EDITED));
	RUN(tb_fault_was(n, t, t));
	tb.edit_at = 0;
	return tb_end(t);
}

/* An edit that gives privilege: refused, the thread halted; a task of
 * the same kpager works on meanwhile. */
static const char *te_privilege(L4_Word_t word, L4_Word_t value, L4_Word_t reason)
{
	L4_ThreadId_t t, other;
	L4_Word_t page, data;
	int skip;

	RUN(te_begin(&t, &page, &skip));
	if (skip)
		return tb_end(t);
	tb.src = page;              /* kept: not lent to the other task */
	RUN(t_kpre_task(&other, tb_kpager, &data));
	L4_Word_t n = tb.n;
	tb.edit_at = word;
	tb.edit_val = value;
	RUN(te_reply_times_out(t));
	RUN(te_refused(n, reason));
	RUN(t_kpre_works(other, data));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	CHECK_EQ(L4_ThreadControl(other, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return te_bring_back(t, page);
}

static const char *t_kpre_tcb_iopl_refused(void)
{
	return te_privilege(TB_W_EFLAGS, 0x3202, TE_BAD_EFLAGS);
}

static const char *t_kpre_tcb_kernel_selector_refused(void)
{
	return te_privilege(TB_W_CS, (0x23UL << 16) | 0x08, TE_BAD_CS);
}

/* The form of an earlier export of the same thread, sealed as it was:
 * refused as stale; the latest one brings it back. */
static const char *t_kpre_tcb_replay_refused(void)
{
	L4_ThreadId_t t;
	L4_Word_t first, second, old = rt_get_pages(1);
	int skip;

	CHECK(old != 0);
	RUN(te_begin(&t, &first, &skip));
	if (skip)
		return tb_end(t);
	for (unsigned w = 0; w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
		((volatile L4_Word_t *)old)[w] = ((volatile L4_Word_t *)first)[w];
	/* Back once, from the first form, and out again. */
	L4_Word_t n = tb.n;
	tb.src = first;
	(void)L4_UserDefinedHandleOf(t);
	RUN(tb_fault_was(n, t, L4_MyLocalId()));
	RUN(tb_take(t, &second));
	/* The first form again: refused. */
	n = tb.n;
	tb.src = old;
	RUN(te_reply_times_out(t));
	RUN(te_refused(n, TE_STALE));
	return te_bring_back(t, second);
}

/* Deleted while away: ThreadControl needs nothing of the body, so the
 * kpager is asked for nothing; the thread is gone, and its task with
 * the rest of its threads. */
static const char *t_kpre_tcb_deleted_away(void)
{
	L4_ThreadId_t t;
	L4_Word_t page;
	int skip;

	RUN(te_begin(&t, &page, &skip));
	L4_Word_t n = tb.n;
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(tb.n, n);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	rt_msg(0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(2));
	return tb_end_fill();
}

/* A thread's UTCB page and then its TCB page go to the kpager: the body
 * comes back knowing its UTCB is away too (not that it has none), so
 * the command that wakes it brings both back, and it answers whole, its
 * ID in its UTCB written again by the kernel. */
static const char *t_kpre_tcb_and_utcb_away(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, page, utcbs = 0;

	RUN(tb_start());
	RUN(tb_agent(&t, &data));
	if (!tb_lends())
		return tb_end(t);
	for (L4_Word_t i = 0; i < tb.n && i < TB_LOG; i++) {
		L4_Word_t p = tb.page[i];
		if (tb.kind[i] != LENT_KMEM_UTCB || !p || !lent_kmem_control(0, LENT_KMEM_LENT, p))
			continue;
		(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 0);
		utcbs++;
	}
	CHECK(utcbs != 0);
	RUN(tb_take(t, &page));
	tb.src = page;
	RUN(t_kpre_works(t, data));
	RUN(tb_end(t));
	/* Every page the task had is back with the kpager. */
	for (L4_Word_t p = 0; p < tb.pages; p++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, tb.pool + p * RT_PAGE_SIZE), 0);
	return 0;
}

const struct test kpre_tcb_edit_tests[] = {
	TEST(kpre_tcb_edit_accepted),
	TEST(kpre_tcb_iopl_refused),
	TEST(kpre_tcb_kernel_selector_refused),
	TEST(kpre_tcb_replay_refused),
	TEST(kpre_tcb_deleted_away),
	TEST(kpre_tcb_and_utcb_away),
	{ 0 }
};
