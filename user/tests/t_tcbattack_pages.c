/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile tests of where a thread's parts live (docs/kernel-memory.md,
 * "Threads: a resident part and a lent body"): a half-made thread alone
 * in its leaf of the thread table, a kpager that flushes the TCB page it
 * lent while a body is in it, and a task that makes threads until the
 * kernel says no, which must be at exactly the first of its limits.
 * Each asserts what the kernel did and that every page comes back.
 */
#include "t_tcbattack.h"
#include "t_sync.h"

/* Thread numbers of leaves no other test uses (1024 numbers a leaf). */
#define TK_LEAF_LAST	3071UL      /* the last number of its leaf */
#define TK_LEAF_FIRST	3072UL      /* the first number of the next */
#define TK_TCBX_MAGIC	0x5842434CUL  /* a body's external form (tcb-external-form.md) */

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
	t_until(&tk.c_done[0], 1);
	CHECK_EQ(tk.c_result[0], 0);
	CHECK_EQ(tk.c_ec[0], 3);
	CHECK_EQ(rt_release(c), 1);
	CHECK_EQ(tk_parts_in_use(), tk.parts);
	CHECK_EQ(tk_leaves(), leaves);
	return tk_all_back();
}

/*
 * The kpager flushes the TCB page it lent while a body is in it.  The
 * kernel takes the body out (issue 7): the page holds its external form,
 * no longer lent.  Naming the thread again asks the kpager for the page,
 * which lends the frame it flushed: the thread is back (a new version of
 * it is made on it, in the same page); the page comes back zeroed with
 * its last body, and sigma0 gives it to the kpager again.
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
	CHECK_EQ(tk_is_lent(p), 0);
	CHECK_EQ(((volatile L4_Word_t *)p)[0], TK_TCBX_MAGIC);
	CHECK_EQ(((volatile L4_Word_t *)p)[2], v.raw);
	CHECK_EQ(tk_stat(t, 1 + LENT_KMEM_TCB), 1);
	tk.next = 0;               /* the next page it lends: p, as it is */
	CHECK_EQ(tk_make(v2, t), 1);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(tk.kind[1], LENT_KMEM_TCB);
	CHECK_EQ(tk.named[1], v.raw);
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
	CHECK_EQ(tk.n, 2);
	RUN(tk_delete_task(t, u));
	return tk_all_back();
}

#define TK_MANY_FIRST	20000UL     /* thread numbers no other test uses */
#define TK_MANY_MAX	4200UL
#define TK_TCB_SLOTS	4096UL      /* the most threads a task may have */

/* OWNED's resident reserve is the parts' pages and the thread table's
 * leaves, a leaf per page of parts but at least 16 and at most 256: the
 * parts' pages alone.  (Counting the leaves as parts made the limit too
 * high wherever the share bound it: 1,350 for the kernel's 630 at 16 MB
 * with 14 pages of parts.) */
static L4_Word_t tk_parts_pages(L4_Word_t reserve)
{
	if (reserve < 32)
		return reserve - 16;
	if (reserve <= 512)
		return reserve / 2;
	return reserve - 256;
}

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
	L4_Word_t total = tk_parts_pages(reserve) * RT_PAGE_SIZE / part;
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

const struct test tcbattack_pages_tests[] = {
	TEST(tcbattack_half_made_alone_in_leaf),
	TEST(tcbattack_kpager_flushes_tcb_page),
	TEST(tcbattack_task_limit_exact),
	{ 0 }
};
