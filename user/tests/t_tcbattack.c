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
#include "tests.h"
#include "t_kphelp.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

#define TK_POOL		8
#define TK_LOG		8
#define TK_CMD		0x7c01      /* the test asks the kpager to answer the held fault */
#define TK_LATE_PAGE	(TK_POOL - 1)  /* the pool page the late answers lend */

enum tk_mode { TK_SERVE, TK_HOLD };

/* What the kpager saw and did, and the creator's call and outcome. */
static volatile struct {
	L4_Word_t mode, n, next;
	L4_Word_t from[TK_LOG], cid[TK_LOG], kind[TK_LOG], named[TK_LOG];
	L4_Word_t held;                 /* TK_HOLD: the last fault kept unanswered */
	L4_Word_t late_ok, late_ec;     /* the answer given later to one held */
	/* Two creators: the calls they are to make (the k-th once c_go
	 * reaches k), and the outcome of the last one. */
	L4_Word_t c_dest[2], c_space[2], c_go[2], c_result[2], c_ec[2], c_done[2];
	L4_Word_t parts;                /* resident parts in use once the kpager runs */
} tk;
static struct t_kp tkh;

static L4_Word_t tk_page(L4_Word_t i)
{
	return tkh.pool + i * RT_PAGE_SIZE;
}

static void tk_serve(L4_ThreadId_t to)
{
	L4_Word_t ec;

	(void)kpager_answer(to, tk.next < TK_LATE_PAGE ? tk_page(tk.next++) : 0, &ec);
}

static void tk_kpager(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		if (L4_Label(tag) == TK_CMD) {
			L4_Word_t ec = 0, page = rt_mr(1);
			L4_ThreadId_t to = { .raw = rt_mr(2) };
			tk.late_ok = (L4_Word_t)kpager_answer(to, page, &ec);
			tk.late_ec = ec;
			t_load(0, 0, 0, 0, 0);
			(void)L4_Reply(from);
			continue;
		}
		if (L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = tk.n % TK_LOG;
		tk.from[i] = from.raw;
		tk.cid[i] = rt_mr(1);
		tk.kind[i] = rt_mr(2);
		tk.named[i] = rt_mr(3);
		tk.n++;
		if (tk.mode == TK_HOLD)
			tk.held = from.raw;
		else
			tk_serve(from);
	}
}

/* The kpager answers the fault of `to` now, with the pool page `page`
 * (or with none if 0). */
static const char *tk_answer_to(L4_ThreadId_t to, L4_Word_t page)
{
	L4_Word_t w[2] = { page, to.raw };

	t_load(TK_CMD, 2, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Call(tkh.thread)));
	return 0;
}

/* The held fault: answered late with the pool page kept for that. */
static const char *tk_answer_late(L4_Word_t page)
{
	return tk_answer_to((L4_ThreadId_t){ .raw = tk.held }, page);
}

static void tk_creator(L4_Word_t k)
{
	for (L4_Word_t call = 1;; call++) {
		while (tk.c_go[k] < call)
			rt_sleep_us(1000);
		tk.c_result[k] = L4_ThreadControl((L4_ThreadId_t){ .raw = tk.c_dest[k] },
						  (L4_ThreadId_t){ .raw = tk.c_space[k] },
						  rt_main_thread(), L4_nilthread, (void *)-1);
		tk.c_ec[k] = L4_ErrorCode();
		tk.c_done[k] = call;
	}
}

static L4_Word_t tk_lent(void)
{
	return lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) & (1UL << LENT_KMEM_TCB);
}

static L4_Word_t tk_stat(L4_ThreadId_t t, unsigned mr)
{
	lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	return rt_mr(mr);
}

static L4_Word_t tk_parts_in_use(void)
{
	lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	return rt_mr(LENT_KMEM_OWN_RESIDENT_PARTS);
}

static L4_Word_t tk_make(L4_ThreadId_t t, L4_ThreadId_t space)
{
	return L4_ThreadControl(t, space, rt_main_thread(), L4_nilthread, (void *)-1);
}

static L4_Word_t tk_delete(L4_ThreadId_t t)
{
	return L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

static L4_Word_t tk_is_lent(L4_Word_t page)
{
	return lent_kmem_control(0, LENT_KMEM_LENT, page);
}

/* v's number with another (valid, global) version. */
static L4_ThreadId_t tk_other_version(L4_ThreadId_t v)
{
	return L4_GlobalId(L4_ThreadNo(v), (L4_Version(v) + 1) | 1);
}

/* A fresh kpager in mode; task t with u[0..2], its TCB page 0 full (lent
 * by the root's kpager), whose kpager is then the test's. */
static const char *tk_task(enum tk_mode mode, L4_ThreadId_t t, L4_ThreadId_t *u)
{
	t_kp_zero(&tk, sizeof(tk));
	tk.mode = mode;
	RUN(t_kp_start(&tkh, TK_POOL, tk_kpager));
	tk.parts = tk_parts_in_use();
	CHECK_EQ(tk_make(t, t), 1);
	for (int i = 0; i < 3; i++) {
		u[i] = rt_tid_alloc();
		CHECK_EQ(tk_make(u[i], t), 1);
	}
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, tkh.thread.raw), 1);
	return 0;
}

/* The creator asks for v in the space of t; where TCBs are lent it waits
 * for the test's kpager, which holds the fault for TCB page 1 (named by
 * t, the task's thread), and v is half-made. */
static const char *tk_create_held(L4_ThreadId_t *c, L4_ThreadId_t v, L4_ThreadId_t t)
{
	tk.c_dest[0] = v.raw;
	tk.c_space[0] = t.raw;
	tk.c_go[0] = 1;
	*c = rt_thread_create(tk_creator, 0);
	CHECK(!L4_IsNilThread(*c));
	if (!tk_lent())
		return t_wait_for(&tk.c_done[0], 1, T_WAIT_US) ? 0 : "creator never returned";
	CHECK(t_wait_for(&tk.n, 1, T_WAIT_US));
	CHECK_EQ(tk.from[0], c->raw);
	CHECK_EQ(tk.kind[0], LENT_KMEM_TCB);
	CHECK_EQ(tk.cid[0], lent_cid_nth(LENT_KMEM_TCB, 1));
	CHECK_EQ(tk.named[0], t.raw);
	CHECK_EQ(lent_kmem_control(c->raw, LENT_KMEM_PENDING, 0), 1);
	CHECK_EQ(tk.c_done[0], 0);
	return 0;
}

/* Where TCBs come from the pool, the creation was made at once. */
static const char *tk_pool_outcome(L4_ThreadId_t v, L4_ThreadId_t t, L4_ThreadId_t *u)
{
	CHECK_EQ(tk.c_result[0], 1);
	CHECK_EQ(tk.n, 0);
	CHECK_EQ(tk_delete(v), 1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tk_delete(u[i]), 1);
	CHECK_EQ(tk_delete(t), 1);
	return 0;
}

static const char *tk_delete_task(L4_ThreadId_t t, L4_ThreadId_t *u)
{
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tk_delete(u[i]), 1);
	CHECK_EQ(tk_delete(t), 1);
	return 0;
}

/* None of the test kpager's pages is still lent. */
static const char *tk_all_back(void)
{
	for (L4_Word_t i = 0; i < TK_POOL; i++)
		CHECK_EQ(tk_is_lent(tk_page(i)), 0);
	return 0;
}

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
	CHECK_EQ(tk.from[1], rt_main_thread().raw);
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
	CHECK(t_wait_for(&tk.c_done[0], 1, T_WAIT_US));
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
	CHECK(t_wait_for(&tk.c_done[0], 2, T_WAIT_US));
	CHECK_EQ(tk.c_result[0], 1);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(tk.from[1], c.raw);
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
	CHECK(t_wait_for(&tk.c_done[0], 1, T_WAIT_US));
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
	CHECK(t_wait_for(&tk.c_done[0], 1, T_WAIT_US));
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
	CHECK(t_wait_for(&tk.n, 2, T_WAIT_US));
	CHECK_EQ(tk.from[1], c2.raw);
	CHECK_EQ(tk.cid[1], lent_cid_nth(LENT_KMEM_TCB, 1));
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 6);
	RUN(tk_answer_to(c2, tk_page(TK_LATE_PAGE)));
	CHECK_EQ(tk.late_ok, 1);
	CHECK(t_wait_for(&tk.c_done[1], 1, T_WAIT_US));
	CHECK_EQ(tk.c_result[1], 1);
	RUN(tk_answer_to(c, tk_page(TK_LATE_PAGE - 1)));
	CHECK(t_wait_for(&tk.c_done[0], 1, T_WAIT_US));
	CHECK_EQ(tk.c_result[0], 1);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE)), 1);
	CHECK_EQ(tk_is_lent(tk_page(TK_LATE_PAGE - 1)), 0);
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 2);
	CHECK_EQ(tk_stat(t, LENT_KMEM_STAT_THREADS), 6);
	/* Each creator makes a new task now. */
	tk.c_dest[0] = x.raw;
	tk.c_space[0] = x.raw;
	tk.c_go[0] = 2;
	CHECK(t_wait_for(&tk.c_done[0], 2, T_WAIT_US));
	CHECK_EQ(tk.c_result[0], 1);
	tk.c_dest[1] = y.raw;
	tk.c_space[1] = y.raw;
	tk.c_go[1] = 2;
	CHECK(t_wait_for(&tk.c_done[1], 2, T_WAIT_US));
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

/* Thread numbers of leaves no other test uses (1024 numbers a leaf). */
#define TK_LEAF_LAST	3071UL      /* the last number of its leaf */
#define TK_LEAF_FIRST	3072UL      /* the first number of the next */

/* Leaves of the thread table in use (from the resident reserve). */
static L4_Word_t tk_leaves(void)
{
	lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	return rt_mr(LENT_KMEM_OWN_LEAVES);
}

/*
 * A half-made thread alone in its leaf of the thread table, at a leaf's
 * first number, its task's threads at the last number of the one before.
 * Other versions of its number are no threads; deleting the task takes
 * it, and both leaves go back to the resident reserve.
 */
static const char *t_tcbattack_half_made_alone_in_leaf(void)
{
	L4_ThreadId_t t = L4_GlobalId(TK_LEAF_LAST, 1), v = L4_GlobalId(TK_LEAF_FIRST, 5);
	L4_ThreadId_t u[3], c;
	L4_Word_t leaves = tk_leaves(), old;

	RUN(tk_task(TK_HOLD, t, u));
	RUN(tk_create_held(&c, v, t));
	if (!tk_lent())
		return tk_pool_outcome(v, t, u);
	CHECK(tk_leaves() >= leaves + 2);
	for (L4_Word_t ver = 4; ver <= 6; ver += 2) {
		L4_ThreadId_t other = L4_GlobalId(TK_LEAF_FIRST, ver);
		CHECK(L4_IpcFailed(L4_Send_Timeout(other, L4_ZeroTime)));
		CHECK_EQ(t_ipc_ec(), EC_SEND(2));
		CHECK_EQ(tk_delete(other), 0);
		CHECK_EQ(L4_ErrorCode(), 2);
	}
	CHECK_EQ(L4_Schedule(v, __L4_SCHED_KEEP, __L4_SCHED_KEEP, 50, __L4_SCHED_KEEP, &old), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	RUN(tk_delete_task(t, u));
	CHECK_EQ(tk_delete(v), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(tk_leaves(), leaves);
	/* The creator's late answer lends nothing; its call fails. */
	RUN(tk_answer_late(tk_page(TK_LATE_PAGE)));
	CHECK(t_wait_for(&tk.c_done[0], 1, T_WAIT_US));
	CHECK_EQ(tk.c_result[0], 0);
	CHECK_EQ(tk.c_ec[0], 3);
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	CHECK_EQ(tk_leaves(), leaves);
	return tk_all_back();
}

/*
 * The kpager flushes the TCB page it lent while a body is in it.  The
 * kernel keeps the frame: the thread is still there (a new version of it
 * is made on it, in the same page); the page comes back zeroed
 * with its last body, and sigma0 gives it to the kpager again.
 */
static const char *t_tcbattack_kpager_flushes_tcb_page(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u[3], v = rt_tid_alloc(), v2 = tk_other_version(v);
	L4_Word_t p;

	RUN(tk_task(TK_SERVE, t, u));
	p = tk_page(0);
	CHECK_EQ(tk_make(v, t), 1);
	if (!tk_lent()) {
		CHECK_EQ(tk.n, 0);
		CHECK_EQ(tk_delete(v), 1);
		return tk_delete_task(t, u);
	}
	CHECK_EQ(tk.n, 1);
	CHECK_EQ(tk_is_lent(p), 1);
	(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
	CHECK_EQ(tk_make(v2, t), 1);
	CHECK_EQ(tk_stat(v2, LENT_KMEM_STAT_THREADS), 5);
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 2);
	CHECK_EQ(tk_delete(v), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(tk_delete(v2), 1);
	CHECK_EQ(tk_is_lent(p), 0);
	L4_Fpage_t back = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(p, 12),
						      L4_CompleteAddressSpace);
	CHECK(!L4_IsNilFpage(back));
	for (L4_Word_t i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(((volatile L4_Word_t *)p)[i], 0);
	CHECK_EQ(tk.n, 1);
	RUN(tk_delete_task(t, u));
	return tk_all_back();
}

#define TK_MANY_FIRST	20000UL     /* thread numbers no other test uses */
#define TK_MANY_MAX	4200UL
#define TK_TCB_SLOTS	4096UL      /* the most threads a task may have */

/*
 * One task has threads made until ThreadControl says 8.  Where the root's
 * kpager lends the TCB pages, the count it ends at is exactly the first
 * of the three limits: the task's 4,096 thread slots, its share of the
 * resident reserve (three quarters of what is not kept for privileged
 * tasks), and the reserve's free parts above that kept part; its TCB
 * pages are a quarter of its threads.  All of it comes back.
 */
static const char *t_tcbattack_task_limit_exact(void)
{
	L4_ThreadId_t hog = L4_GlobalId(TK_MANY_FIRST, 1);
	L4_Word_t n = 1, err = 0;

	lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	L4_Word_t reserve = rt_mr(LENT_KMEM_OWN_RESIDENT), used = rt_mr(LENT_KMEM_OWN_RESIDENT_PARTS);
	CHECK_EQ(tk_make(hog, hog), 1);
	L4_Word_t part = tk_stat(hog, LENT_KMEM_STAT_RESIDENT);
	CHECK(part > 0 && part <= 64);
	L4_Word_t total = reserve * RT_PAGE_SIZE / part;
	L4_Word_t kept = total / 16 > 32 ? total / 16 : 32;
	L4_Word_t share = (total - kept) / 4 * 3, above = total - used - kept;
	L4_Word_t want = TK_TCB_SLOTS < share ? TK_TCB_SLOTS : share;
	want = want < above ? want : above;
	while (n < TK_MANY_MAX) {
		if (tk_make(L4_GlobalId(TK_MANY_FIRST + n, 1), hog) != 1) {
			err = L4_ErrorCode();
			break;
		}
		n++;
	}
	L4_Word_t threads = tk_stat(hog, LENT_KMEM_STAT_THREADS);
	L4_Word_t pages = tk_stat(hog, 1 + LENT_KMEM_TCB), parts = tk_parts_in_use();
	/* Everything goes before anything is judged: a short count must
	 * not leave the machine without memory for the tests after. */
	for (L4_Word_t i = n; i-- > 1;)
		CHECK_EQ(tk_delete(L4_GlobalId(TK_MANY_FIRST + i, 1)), 1);
	CHECK_EQ(tk_delete(hog), 1);
	CHECK_EQ(tk_parts_in_use(), used);
	printf("#   %lu threads made, the limit %lu\n", n, want);
	CHECK_EQ(err, 8);
	CHECK_EQ(threads, n);
	CHECK_EQ(parts, used + n);
	CHECK(n <= want);
	if (tk_lent()) {
		CHECK_EQ(pages, (n + 3) / 4);
		/* Short of the limit only where the next thread needed memory
		 * a kpager or the pool gives, and a small machine had none: a
		 * new TCB page, or a new leaf of the thread table. */
		CHECK(n == want || n % 4 == 0 || (TK_MANY_FIRST + n) % 1024 == 0);
	}
	return 0;
}

const struct test tcbattack_tests[] = {
	TEST(tcbattack_creator_deleted),
	TEST(tcbattack_creator_aborted),
	TEST(tcbattack_late_page_number_moved),
	TEST(tcbattack_task_deleted_while_half_made),
	TEST(tcbattack_two_creators_one_page),
	TEST(tcbattack_half_made_alone_in_leaf),
	TEST(tcbattack_kpager_flushes_tcb_page),
	TEST(tcbattack_task_limit_exact),
	{ 0 }
};
