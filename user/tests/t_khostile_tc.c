/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ThreadControl waiting for a hostile kpager (docs/kernel-memory.md,
 * "Gather, then act" and "The deadlock rule"): the caller aborted, the
 * task it makes a thread in deleted meanwhile, and the task's kpager
 * changed while a client waits.  What must hold: the call ends with
 * X.2's outcome, an answer that comes too late lends nothing,
 * and no refusal is left over for the caller's next call.  In a
 * KMEM=pool kernel no kpager is asked: each test checks that instead.
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_sync.h"

/* Start kh_tc_body making u in the space of task, its UTCB in page
 * `page` of the task's UTCB area (one the task has not used). */
static const char *kt_start_tc(L4_ThreadId_t u, L4_ThreadId_t task, unsigned page,
			       L4_ThreadId_t *caller)
{
	t_shared[0] = u.raw;
	t_shared[1] = task.raw;
	t_shared[2] = RT_UTCB_AREA_BASE + page * RT_PAGE_SIZE;
	*caller = rt_thread_create(kh_tc_body, 0);
	CHECK(!L4_IsNilThread(*caller));
	return 0;
}

/*
 * The caller of ThreadControl is aborted while it waits for the UTCB
 * page (CONT_KPF): the call fails with "no memory" at once and asks no
 * more (docs/kernel-memory.md, "The deadlock rule": the way out of a
 * kpager that never answers).  The answer that comes late finds nobody
 * waiting and lends nothing, and the thread was never made.
 */
static const char *t_khostile_tc_caller_aborted_no_memory(void)
{
	L4_ThreadId_t a, c, u = rt_tid_alloc();

	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(kt_start_tc(u, a, 3, &c));
	if (!kh_lent_kinds) {
		t_until(&t_shared[5], 1);
		CHECK_EQ(t_shared[3], 1);
		t_shared[6] = 1;
		return 0;
	}
	t_until_at_least(&kh.n, 1);
	CHECK_EQ(kh.n, 1);
	CHECK_EQ(kh.kind[0], LENT_KMEM_UTCB);
	(void)__L4_Exregs(c, __L4_EXREGS_ABORT_SEND | __L4_EXREGS_ABORT_RECV, 0, 0, 0, 0,
			  L4_nilthread, 0, 0, 0, 0, 0, 0);
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrNoMem);
	CHECK_EQ(kh.n, 1);
	RUN(kh_go(1));
	CHECK(kh.answer_ec[0] != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kh.page[0][0]), 0);
	t_shared[6] = 1;
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	rt_release(a);
	return kh_pool_back();
}

/*
 * The task a ThreadControl makes a thread in is deleted while the call
 * waits for its kpager's UTCB page.  The late answer lends nothing (the
 * kpager's page stays its own); the call ends with X.2's outcome for a
 * space that is gone, and the same caller's next call, which needs a
 * page of another task, asks that task's kpager and succeeds: no
 * refusal is left over.
 */
static const char *t_khostile_tc_task_deleted_late_answer(void)
{
	L4_ThreadId_t a, b, c, u = rt_tid_alloc(), v = rt_tid_alloc();

	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(t_kp_agent(&b, kh_thread));
	t_shared[10] = v.raw;
	t_shared[11] = b.raw;
	t_shared[12] = RT_UTCB_AREA_BASE + 5 * RT_PAGE_SIZE;
	RUN(kt_start_tc(u, a, 3, &c));
	if (!kh_lent_kinds) {
		t_until(&t_shared[5], 1);
		t_shared[6] = 1;
		t_until(&t_shared[9], 1);
		return 0;
	}
	t_until_at_least(&kh.n, 1);
	CHECK_EQ(kh.n, 1);
	/* Frames lent in all, and a's and b's part of them. */
	L4_Word_t lent_before = kh_lent_now();
	L4_Word_t a_pages = lent_kmem_control(a.raw, LENT_KMEM_STATS, 0);
	L4_Word_t b_pages = lent_kmem_control(b.raw, LENT_KMEM_STATS, 0);
	rt_release(a);
	CHECK_EQ(kh_lent_now(), lent_before - a_pages);
	RUN(kh_go(1));
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK(t_shared[4] == L4_ErrInvalidSpace || t_shared[4] == L4_ErrInvalidThread);
	L4_Word_t page = kh.page[0][0];
	CHECK(page != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	CHECK_EQ(kh_lent_now(), lent_before - a_pages);
	/* The same caller's next call asks b's kpager, and gets its page. */
	kh.mode = KH_SERVE;
	t_shared[6] = 1;
	t_until(&t_shared[9], 1);
	CHECK_EQ(t_shared[7], 1);
	CHECK_EQ(kh.n, 2);
	CHECK_EQ(kh.kind[1], LENT_KMEM_UTCB);
	CHECK_EQ(kh.answer_ec[1], 0);
	CHECK_EQ(kh_lent_now(), lent_before - a_pages + 1);
	CHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	rt_release(b);
	RUN(kh_pool_back());
	CHECK_EQ(kh_lent_now(), lent_before - a_pages - b_pages);
	return 0;
}

/*
 * A client waits for its kpager; meanwhile the root gives its task
 * another kpager (the root's own) and deletes the old one.  The client
 * does not wait for good: its page fault goes on to its pager, and the
 * pager's map, which needs the same pages, is served by the new kpager.
 */
static const char *t_khostile_kpager_replaced_while_waiting(void)
{
	L4_ThreadId_t a, from;
	L4_Word_t value = kh_value_page(KH_VALUE), addr = KH_WINDOW;
	static volatile L4_Word_t word = KH_VALUE;

	CHECK(value != 0);
	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(t_ag_reads(a, (L4_Word_t)&word, KH_VALUE));
	CHECK(rt_agent_post(a, RT_AG_READ, 1, &addr));
	if (kh_lent_kinds) {
		t_until_at_least(&kh.n, 1);
		CHECK_EQ(kh.n, 1);
		L4_Word_t root_kp = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0);
		CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPAGER, root_kp), 1);
		rt_release(kh_thread);
	}
	L4_MsgTag_t tag = rt_agent_result(a, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, a.raw);
	CHECK_EQ(rt_mr(1), KH_WINDOW);
	L4_MapItem_t m = t_map_item(value, 12, L4_Readable, KH_WINDOW);
	t_load(0, 0, 0, 2, m.raw);
	CHECK(L4_IpcSucceeded(L4_Send(a)));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(1), KH_VALUE);
	rt_release(a);
	return kh_pool_back();
}

/*
 * STATS MR16, a task's lent frames, is what kh_lent_now() takes the
 * root's own churn out with: a task made after boot holds lent frames
 * only, the root boot-reserve pages beside its lent ones, and the
 * task's death gives back exactly its count.  The self-check (rule 52)
 * holds every task's count against the frame table.
 */
static const char *t_khostile_stats_lent_frames(void)
{
	L4_ThreadId_t a;
	L4_Word_t lent_kinds = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	L4_Word_t before = kh_lent_now();

	RUN(t_kp_agent(&a, L4_nilthread));
	RUN(t_ag_reads(a, (L4_Word_t)&t_shared[0], t_shared[0]));
	L4_Word_t total = lent_kmem_control(a.raw, LENT_KMEM_STATS, 0);
	L4_Word_t lent = rt_mr(LENT_KMEM_STAT_LENT);
	L4_Word_t root_total = lent_kmem_control(0, LENT_KMEM_STATS, 0);
	L4_Word_t root_lent = rt_mr(LENT_KMEM_STAT_LENT);
	CHECK(total > 0);
	if (!lent_kinds) {
		CHECK_EQ(lent, 0);
		CHECK_EQ(root_lent, 0);
	} else {
		CHECK_EQ(lent, total);
		CHECK(root_lent < root_total);
		CHECK_EQ(kh_lent_now(), before + lent);
	}
	RUN(t_selfcheck());
	rt_release(a);
	CHECK_EQ(kh_lent_now(), before);
	return t_selfcheck();
}

const struct test khostile_tc_tests[] = {
	TEST(khostile_tc_caller_aborted_no_memory),
	TEST(khostile_tc_task_deleted_late_answer),
	TEST(khostile_kpager_replaced_while_waiting),
	TEST(khostile_stats_lent_frames),
	{ 0 }
};
