/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile tests of the two-step thread creation (docs/kernel-memory.md,
 * "Threads: a resident part and a lent body").  A creator thread of the
 * root task asks ThreadControl for a fifth thread of a task whose kpager
 * (the test's) holds the TCB-page fault unanswered: the thread is then
 * half-made.  The tests delete or abort the creator, delete the task,
 * take the number for another space, and answer late, and assert what
 * the kernel did: the error codes, the counts a task reads, and that
 * every page lent comes back to the kpager.  Where TCBs are not lent
 * (KMEM=pool) no fault is held: the creation must then simply succeed.
 */
#include "t_tcbattack.h"
#include "t_sync.h"

/*
 * The creator is deleted while it waits for the TCB page.  The half-made
 * thread is no one's to reach (IPC, Schedule say it does not exist), it
 * costs its task one resident part, and the kpager's late answer lends
 * nothing.  ThreadControl deletes it by its exact ID, once; made again,
 * it is an ordinary thread, and its TCB page comes back zeroed.
 */
static const char *t_tcbattack_creator_deleted(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u[3], v = rt_tid_alloc(), c;
	L4_Word_t old;

	RUN(tk_task(TK_HOLD, t, u));
	RUN(tk_create_held(&c, v, t));
	if (!tk_lent())
		return tk_pool_outcome(v, t, u);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 5);
	/* KmemControl (for the kpager asked) names the task by it. */
	CHECK_EQ(tk_stat(v, LENT_KMEM_STAT_THREADS), 5);
	/* t, u[0..2], the creator, and v's resident part */
	CHECK_EQ(tk_parts_in_use(), tk.parts + 6);
	CHECK(L4_IpcFailed(L4_Send_Timeout(v, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(2));
	CHECK_EQ(L4_Schedule(v, __L4_SCHED_KEEP, __L4_SCHED_KEEP, 50, __L4_SCHED_KEEP, &old), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK(L4_IsNilThread(__L4_Exregs(v, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0)));
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 5);
	/* The answer finds nobody waiting: nothing is lent. */
	RUN(tk_answer_late(tk_page(TK_LATE_PAGE)));
	CHECK_EQ(tk.late_ok, 0);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 0);
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 1);
	/* Not by another version; by its own, once. */
	CHECK_EQ(tk_delete(tk_other_version(v)), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(tk_delete(v), 1);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 4);
	CHECK_EQ(lent_kmem_control(v.raw, LENT_KMEM_STATS, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(tk_delete(v), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	/* Made again: the test's kpager now lends the page. */
	tk.mode = TK_SERVE;
	CHECK_EQ(tk_make(v, t), 1);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(tk.from[1], L4_MyLocalId().raw);   /* the kpager is in our space */
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 2);
	CHECK_EQ(tk_is_lent(tk_page(0)), 1);
	CHECK_EQ(tk_delete(v), 1);
	/* Back, and zeroed: nothing of the kernel's in it. */
	CHECK_EQ(tk_is_lent(tk_page(0)), 0);
	for (L4_Word_t i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(((volatile L4_Word_t *)tk_page(0))[i], 0);
	RUN(tk_delete_task(t, u));
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	return tk_all_back();
}

/*
 * The creator's wait is aborted by ExchangeRegisters.  A page fault would
 * recur; a system call waiting for its kpager's page fails with "no
 * memory" instead, the way out of a kpager that never answers
 * (docs/kernel-memory.md).  The half-made thread goes with its resident
 * part, the late answer finds nobody waiting and lends nothing, and the
 * creator's next try, served, makes the thread once.
 */
static const char *t_tcbattack_creator_aborted(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u[3], v = rt_tid_alloc(), c;

	RUN(tk_task(TK_HOLD, t, u));
	RUN(tk_create_held(&c, v, t));
	if (!tk_lent())
		return tk_pool_outcome(v, t, u);
	CHECK_EQ(tk_parts_in_use(), tk.parts + 6);
	(void)__L4_Exregs(c, 6, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
	t_until(&tk.c_done[0], 1);
	CHECK_EQ(tk.c_result[0], 0);
	CHECK_EQ(tk.c_ec[0], 8);
	CHECK_EQ(tk.n, 1);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 4);
	CHECK_EQ(tk_parts_in_use(), tk.parts + 5);
	RUN(tk_answer_late(tk_page(TK_LATE_PAGE)));
	CHECK_EQ(tk.late_ok, 0);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 0);
	tk.mode = TK_SERVE;
	tk.c_go[0] = 2;
	t_until_at_least(&tk.c_done[0], 2);
	CHECK_EQ(tk.c_done[0], 2);
	CHECK_EQ(tk.c_result[0], 1);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(tk.from[1], L4_LocalIdOf(c).raw);   /* the kpager is in our space */
	CHECK_EQ(tk.cid[1], lent_cid_nth(LENT_KMEM_TCB, 1));
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 5);
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 2);
	CHECK_EQ(tk_delete(v), 1);
	RUN(tk_delete_task(t, u));
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	return tk_all_back();
}

/*
 * While the creator waits, its thread number is deleted and made again
 * as a task of its own.  The late answer lends the page to the first
 * task (its thread still names it), but the creator's ThreadControl then
 * finds the number in another space: "invalid space", and the page holds
 * no body.  It must still come back when the task goes.
 */
static const char *t_tcbattack_late_page_number_moved(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u[3], v = rt_tid_alloc(), c;

	RUN(tk_task(TK_HOLD, t, u));
	RUN(tk_create_held(&c, v, t));
	if (!tk_lent())
		return tk_pool_outcome(v, t, u);
	CHECK_EQ(tk_delete(v), 1);
	CHECK_EQ(tk_make(v, v), 1);       /* its own task, the root's kpager */
	CHECK_EQ(tk.n, 1);
	RUN(tk_answer_late(tk_page(TK_LATE_PAGE)));
	CHECK_EQ(tk.late_ok, 1);
	t_until(&tk.c_done[0], 1);
	CHECK_EQ(tk.c_result[0], 0);
	CHECK_EQ(tk.c_ec[0], 3);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 4);
	CHECK_EQ(tk_stat(v, LENT_KMEM_STAT_THREADS), 1);
	CHECK_EQ(tk_delete(v), 1);
	RUN(tk_delete_task(t, u));
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	return tk_all_back();
}

/*
 * The task goes (every thread of it ThreadControl can name is deleted)
 * while one of its threads is half-made.  The task is gone: the number
 * made again as a new task gets a new space, whose kpager is its
 * creator's, not the dead task's; the resident parts come back; the
 * late answer lends nothing.
 */
static const char *t_tcbattack_task_deleted_while_half_made(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u[3], v = rt_tid_alloc(), c;
	L4_Word_t mine = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0);

	RUN(tk_task(TK_HOLD, t, u));
	RUN(tk_create_held(&c, v, t));
	if (!tk_lent())
		return tk_pool_outcome(v, t, u);
	RUN(tk_delete_task(t, u));
	/* Only the creator is left of it all. */
	CHECK_EQ(tk_parts_in_use(), tk.parts + 1);
	tk.mode = TK_SERVE;              /* were it asked, it would not hang us */
	CHECK_EQ(tk_make(v, v), 1);
	CHECK_EQ(lent_kmem_control(v.raw, LENT_KMEM_GET_KPAGER, 0), mine);
	CHECK_EQ(tk.n, 1);
	CHECK_EQ(tk_stat(v, LENT_KMEM_STAT_THREADS), 1);
	RUN(tk_answer_late(tk_page(TK_LATE_PAGE)));
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 0);
	t_until(&tk.c_done[0], 1);
	CHECK_EQ(tk.c_result[0], 0);
	CHECK_EQ(tk.c_ec[0], 3);
	CHECK_EQ(tk_delete(v), 1);
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	return tk_all_back();
}

/*
 * Two creators race for TCB page 1 of one task: both threads half-made,
 * both faults held.  The second is answered first and its page lent; the
 * first's answer then finds the page there and lends nothing.  Both
 * threads are made, in the one page, which goes back with the last of
 * them.  Neither creator keeps a note of a refusal: its next creation,
 * of a new task, asks the root's kpager and succeeds.
 */
static const char *t_tcbattack_two_creators_one_page(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u[3], v = rt_tid_alloc(), w = rt_tid_alloc();
	L4_ThreadId_t x = rt_tid_alloc(), y = rt_tid_alloc(), c, c2;

	RUN(tk_task(TK_HOLD, t, u));
	RUN(tk_create_held(&c, v, t));
	if (!tk_lent())
		return tk_pool_outcome(v, t, u);
	tk.c_dest[1] = w.raw;
	tk.c_space[1] = t.raw;
	tk.c_go[1] = 1;
	c2 = rt_thread_create(tk_creator, 1);
	CHECK(!L4_IsNilThread(c2));
	t_until_at_least(&tk.n, 2);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(tk.from[1], L4_LocalIdOf(c2).raw);   /* the kpager is in our space */
	CHECK_EQ(tk.cid[1], lent_cid_nth(LENT_KMEM_TCB, 1));
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 6);
	RUN(tk_answer_to(c2, tk_page(TK_LATE_PAGE)));
	CHECK_EQ(tk.late_ok, 1);
	t_until(&tk.c_done[1], 1);
	CHECK_EQ(tk.c_result[1], 1);
	RUN(tk_answer_to(c, tk_page(TK_LATE_PAGE - 1)));
	t_until(&tk.c_done[0], 1);
	CHECK_EQ(tk.c_result[0], 1);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 1);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE - 1)), 0);
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 2);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 6);
	/* Each creator makes a new task now. */
	tk.c_dest[0] = x.raw;
	tk.c_space[0] = x.raw;
	tk.c_go[0] = 2;
	t_until_at_least(&tk.c_done[0], 2);
	CHECK_EQ(tk.c_done[0], 2);
	CHECK_EQ(tk.c_result[0], 1);
	tk.c_dest[1] = y.raw;
	tk.c_space[1] = y.raw;
	tk.c_go[1] = 2;
	t_until_at_least(&tk.c_done[1], 2);
	CHECK_EQ(tk.c_done[1], 2);
	CHECK_EQ(tk.c_result[1], 1);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(tk_delete(x), 1);
	CHECK_EQ(tk_delete(y), 1);
	CHECK_EQ(tk_delete(v), 1);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 1);
	CHECK_EQ(tk_delete(w), 1);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 0);
	RUN(tk_delete_task(t, u));
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(rt_release(c2), 1);
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	return tk_all_back();
}
const struct test tcbattack_tests[] = {
	TEST(tcbattack_creator_deleted),
	TEST(tcbattack_creator_aborted),
	TEST(tcbattack_late_page_number_moved),
	TEST(tcbattack_task_deleted_while_half_made),
	TEST(tcbattack_two_creators_one_page),
	{ 0 }
};
