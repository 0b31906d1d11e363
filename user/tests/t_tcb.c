/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread control blocks split in two (kernel/thread.h): a resident part
 * of at most 64 bytes from the kernel's resident reserve, and a body in
 * a TCB page the task's kpager lends (docs/kernel-memory.md).  Where the
 * kernel serves TCBs from its pool (KMEM=pool, sigma0), the same calls
 * must give the same answers without any kernel page fault.  A lent TCB
 * page holds the bodies of LENT_TCB_PER_PAGE threads of one task.
 */
#include "tests.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

#define TC_POOL		4
#define TC_HOG_FIRST	10000UL     /* thread numbers no other test uses */
#define TC_HOG_MAX	6000UL

static L4_Word_t tc_lent(void)
{
	return lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) & (1UL << LENT_KMEM_TCB);
}

/* The counts of the task of t: MR1.. by kind, and the rest (<lent/kmem.h>). */
static L4_Word_t tc_stat(L4_ThreadId_t t, unsigned mr)
{
	lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	return rt_mr(mr);
}

static L4_Word_t tc_make(L4_ThreadId_t t, L4_ThreadId_t space)
{
	return L4_ThreadControl(t, space, rt_main_thread(), L4_nilthread, (void *)-1);
}

static L4_Word_t tc_delete(L4_ThreadId_t t)
{
	return L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

/* Every thread costs the kernel the same resident bytes, at most 64: the
 * counts a task reads say so, for one thread and for three. */
static const char *t_tcb_resident_part_at_most_64_bytes(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc(), v = rt_tid_alloc();

	CHECK_EQ(tc_make(t, t), 1);
	L4_Word_t one = tc_stat(t, LENT_KMEM_STAT_RESIDENT);
	CHECK_EQ(tc_stat(t, LENT_KMEM_STAT_THREADS), 1);
	CHECK(one > 0 && one <= 64);
	CHECK_EQ(tc_make(u, t), 1);
	CHECK_EQ(tc_make(v, t), 1);
	CHECK_EQ(tc_stat(t, LENT_KMEM_STAT_THREADS), 3);
	CHECK_EQ(tc_stat(t, LENT_KMEM_STAT_RESIDENT), 3 * one);
	CHECK_EQ(tc_delete(v), 1);
	CHECK_EQ(tc_delete(u), 1);
	CHECK_EQ(tc_stat(t, LENT_KMEM_STAT_RESIDENT), one);
	CHECK_EQ(tc_delete(t), 1);
	return 0;
}

/* Threads t, u[0..n) of one task, t first, its space. */
static const char *tc_make_task(L4_ThreadId_t t, L4_ThreadId_t *u, int n)
{
	CHECK_EQ(tc_make(t, t), 1);
	for (int i = 0; i < n; i++) {
		u[i] = rt_tid_alloc();
		CHECK_EQ(tc_make(u[i], t), 1);
	}
	return 0;
}

/* The threads of a task share its TCB pages, four to a page where a
 * kpager lends them: the fifth thread takes a second page, named by a
 * thread of the task, and the page goes back with the last thread in it.
 * Where the pool gives them, each thread has a page of its own. */
static const char *t_tcb_pages_shared_by_threads(void)
{
	static struct kpager_fcfs f;
	L4_ThreadId_t t = rt_tid_alloc(), u[4], fifth = rt_tid_alloc();
	L4_Word_t base = rt_get_pages(TC_POOL);
	L4_Word_t per = tc_lent() ? LENT_TCB_PER_PAGE : 1;

	CHECK(base);
	CHECK(!L4_IsNilThread(fcfs_start(&f, base, TC_POOL)));
	/* t and three more fill the first page, lent by the root's kpager. */
	RUN(tc_make_task(t, u, 3));
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, f.kp.thread.raw), 1);
	CHECK_EQ(tc_stat(t, 1 + LENT_KMEM_TCB), 4 / per);
	CHECK_EQ(tc_make(fifth, t), 1);
	CHECK_EQ(tc_stat(t, 1 + LENT_KMEM_TCB), 4 / per + 1);
	if (!tc_lent()) {
		CHECK_EQ(f.kp.faults, 0);
	} else {
		CHECK_EQ(f.kp.faults, 1);
		CHECK_EQ(f.kp.kinds[LENT_KMEM_TCB], 1);
		CHECK_EQ(fcfs_lent_to(&f, t), 1);
		/* A lent TCB page is the kernel's: the kpager gets none back. */
		CHECK_EQ(kpager_reclaim(&f.kp), 0);
	}
	/* A page that still holds a body stays (lent: t, u[1], u[2] in the
	 * first, fifth in the second; pool: a page each). */
	CHECK_EQ(tc_delete(u[0]), 1);
	CHECK_EQ(tc_stat(t, 1 + LENT_KMEM_TCB), tc_lent() ? 2 : 4);
	/* The new thread takes the freed slot in the first page. */
	u[0] = rt_tid_alloc();
	CHECK_EQ(tc_make(u[0], t), 1);
	CHECK_EQ(tc_stat(t, 1 + LENT_KMEM_TCB), tc_lent() ? 2 : 5);
	CHECK_EQ(f.kp.faults, tc_lent() ? 1 : 0);
	/* The second page goes with its last body. */
	CHECK_EQ(tc_delete(fifth), 1);
	CHECK_EQ(tc_stat(t, 1 + LENT_KMEM_TCB), tc_lent() ? 1 : 4);
	if (tc_lent()) {
		/* The second page comes back, empty, with its last body. */
		CHECK_EQ(kpager_reclaim(&f.kp), 1);
		CHECK_EQ(fcfs_lent_to(&f, t), 0);
		CHECK_EQ(kpager_pool_count(&f.kp.pool, KPAGER_FREE), TC_POOL);
		for (L4_Word_t i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
			CHECK_EQ(((volatile L4_Word_t *)base)[i], 0);
	}
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tc_delete(u[i]), 1);
	CHECK_EQ(tc_delete(t), 1);
	return 0;
}

/* A kpager that lends nothing for a new thread's TCB page: ThreadControl
 * answers 8 and nothing of the thread is left, neither its number nor a
 * count; once the kpager lends, the same call makes it. */
static L4_Word_t tc_lend_nothing(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid,
				 unsigned kind)
{
	(void)kp; (void)client; (void)cid; (void)kind;
	return 0;
}

static const char *t_tcb_no_page_no_thread(void)
{
	static struct kpager refuse;
	static struct kpager_fcfs f;
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc(), w[3];
	L4_Word_t base = rt_get_pages(TC_POOL);

	CHECK(base);
	kpager_init(&refuse, tc_lend_nothing, 0);
	CHECK(!L4_IsNilThread(kpager_start(&refuse)));
	CHECK(!L4_IsNilThread(fcfs_start(&f, base, TC_POOL)));
	/* The first TCB page full, u needs a second. */
	RUN(tc_make_task(t, w, tc_lent() ? LENT_TCB_PER_PAGE - 1 : 0));
	L4_Word_t threads = tc_stat(t, LENT_KMEM_STAT_THREADS);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, refuse.thread.raw), 1);
	L4_Word_t made = tc_make(u, t);
	if (!tc_lent()) {
		CHECK_EQ(made, 1);
		CHECK_EQ(refuse.faults, 0);
		CHECK_EQ(tc_delete(u), 1);
	} else {
		CHECK_EQ(made, 0);
		CHECK_EQ(L4_ErrorCode(), 8);
		CHECK_EQ(refuse.faults, 1);
		CHECK_EQ(refuse.kinds[LENT_KMEM_TCB], 1);
		CHECK_EQ(tc_stat(t, LENT_KMEM_STAT_THREADS), threads);
		CHECK_EQ(tc_stat(t, 1 + LENT_KMEM_TCB), 1);
		/* No such thread: deleting it is refused. */
		CHECK_EQ(tc_delete(u), 0);
		CHECK_EQ(L4_ErrorCode(), 2);
	}
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, f.kp.thread.raw), 1);
	CHECK_EQ(tc_make(u, t), 1);
	CHECK_EQ(tc_stat(t, LENT_KMEM_STAT_THREADS), threads + 1);
	CHECK_EQ(tc_delete(u), 1);
	for (L4_Word_t i = 1; i < threads; i++)
		CHECK_EQ(tc_delete(w[i - 1]), 1);
	CHECK_EQ(tc_delete(t), 1);
	return 0;
}

/* One task that has threads made without end gets error 8: whatever runs
 * dry first (its kpager's budget, or its share of the resident reserve),
 * another task can still have threads made, and the root its own. */
static const char *t_tcb_thread_hog_contained(void)
{
	L4_ThreadId_t hog = L4_GlobalId(TC_HOG_FIRST, 1), other = rt_tid_alloc();
	L4_ThreadId_t mine = rt_tid_alloc(), o2 = rt_tid_alloc();
	L4_Word_t n = 1, err = 0;

	CHECK_EQ(tc_make(hog, hog), 1);
	while (n < TC_HOG_MAX) {
		if (tc_make(L4_GlobalId(TC_HOG_FIRST + n, 1), hog) != 1) {
			err = L4_ErrorCode();
			break;
		}
		n++;
	}
	CHECK(n < TC_HOG_MAX);
	CHECK_EQ(err, 8);
	CHECK_EQ(tc_stat(hog, LENT_KMEM_STAT_THREADS), n);
	/* Another task, and the root itself, still have threads made. */
	CHECK_EQ(tc_make(other, other), 1);
	CHECK_EQ(tc_make(o2, other), 1);
	CHECK_EQ(L4_ThreadControl(mine, L4_Myself(), L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(tc_delete(mine), 1);
	CHECK_EQ(tc_delete(o2), 1);
	CHECK_EQ(tc_delete(other), 1);
	/* All of it comes back: the same number of threads can be had again. */
	while (n-- > 1)
		CHECK_EQ(tc_delete(L4_GlobalId(TC_HOG_FIRST + n, 1)), 1);
	CHECK_EQ(tc_stat(hog, LENT_KMEM_STAT_THREADS), 1);
	CHECK_EQ(tc_make(L4_GlobalId(TC_HOG_FIRST + 1, 1), hog), 1);
	CHECK_EQ(tc_delete(L4_GlobalId(TC_HOG_FIRST + 1, 1)), 1);
	CHECK_EQ(tc_delete(hog), 1);
	return 0;
}

const struct test tcb_tests[] = {
	TEST(tcb_resident_part_at_most_64_bytes),
	TEST(tcb_pages_shared_by_threads),
	TEST(tcb_no_page_no_thread),
	TEST(tcb_thread_hog_contained),
	{ 0 }
};
