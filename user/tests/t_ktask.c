/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The task record lent by a kpager (docs/kernel-memory.md, "The task
 * record").  A new task inherits its creator's kpager, and its record is
 * gathered before the task exists, so here the root's own kpager is set
 * to a test kpager thread for the length of each test: the ThreadControl
 * that makes a task's first thread then asks it for the record (kind 0
 * at CID 0, named by the new thread), and after it for the TCB page.  In
 * a KMEM=pool kernel the record comes from the pool and no kpager is
 * asked: each test checks that instead.
 */
#include "t_kplog.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define KT_POOL		8

static volatile struct t_kplog kt;
static L4_Word_t kt_lent, kt_root_kpager;
static L4_ThreadId_t kt_thread, kt_creator;

/* A root thread's ThreadControl creating t_shared[0] as the first thread
 * of a new task, once t_shared[6] says go: result in t_shared[3],
 * ErrorCode in t_shared[4].  t_shared[7]: it runs. */
static void kt_create_body(L4_Word_t arg)
{
	L4_ThreadId_t dest;

	(void)arg;
	t_shared[7] = 1;
	while (!t_shared[6])
		rt_sleep_us(1000);
	dest.raw = t_shared[0];
	t_shared[3] = L4_ThreadControl(dest, dest, L4_Myself(), L4_nilthread, (void *)-1);
	t_shared[4] = L4_ErrorCode();
	t_shared[5] = 1;
}

/* Whatever the test did, the root's kpager is its own again. */
static void kt_restore(void)
{
	if (kt_root_kpager)
		(void)lent_kmem_control(0, LENT_KMEM_SET_KPAGER, kt_root_kpager);
}

/* A fresh log and kpager (and, with creator, a thread that will make
 * t_shared[0]); then the kpager becomes the root's own, so that a task
 * the root makes inherits it. */
static const char *kt_start(L4_Word_t mode, L4_Word_t kind, int creator)
{
	t_kplog_reset(&kt, mode, kind);
	for (unsigned i = 0; i < 8; i++)
		t_shared[i] = 0;
	kt_lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) != 0;
	if (!kt.pool) {
		kt.pool = rt_get_pages(KT_POOL);
		CHECK(kt.pool != 0);
		kt.pages = KT_POOL;
	}
	for (L4_Word_t p = 0; p < KT_POOL; p++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kt.pool + p * RT_PAGE_SIZE), 0);
	kt_thread = rt_thread_create(t_kplog_loop, (L4_Word_t)&kt);
	CHECK(!L4_IsNilThread(kt_thread));
	if (creator) {
		kt_creator = rt_thread_create(kt_create_body, 0);
		CHECK(!L4_IsNilThread(kt_creator));
	}
	/* Both run before the root's kernel memory comes from the test
	 * kpager: their stacks are touched, and the log holds only what
	 * the test makes. */
	t_until(&kt.up, 1);
	if (creator)
		t_until(&t_shared[7], 1);
	kt_root_kpager = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0);
	CHECK(kt_root_kpager != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPAGER, kt_thread.raw), 1);
	return 0;
}

/* Run a test body with the test kpager as the root's; restore it after. */
static const char *kt_run(const char *(*body)(void))
{
	const char *r = body();

	kt_restore();
	kt_root_kpager = 0;
	return r;
}

/* KmemControl OWNED: EAX and MR1..MR(LENT_KMEM_OWNED_WORDS). */
struct kt_owned {
	L4_Word_t w[LENT_KMEM_OWNED_WORDS + 1];
};

static const char *kt_owned(struct kt_owned *o)
{
	o->w[0] = lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	CHECK(o->w[0] != 0);
	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++)
		o->w[i] = rt_mr(i);
	return 0;
}

static const char *kt_owned_same(const struct kt_owned *base)
{
	struct kt_owned now;

	RUN(kt_owned(&now));
	for (int i = 0; i <= LENT_KMEM_OWNED_WORDS; i++) {
		if (now.w[i] != base->w[i])
			printf("#   OWNED word %d is %lu, was %lu\n", i, now.w[i], base->w[i]);
		CHECK_EQ(now.w[i], base->w[i]);
	}
	return 0;
}

/* The root's counts by kind, and its total. */
struct kt_stats {
	L4_Word_t w[LENT_KMEM_STATS_WORDS + 1];
};

static void kt_stats(struct kt_stats *st)
{
	st->w[0] = lent_kmem_control(0, LENT_KMEM_STATS, 0);
	for (int i = 1; i <= LENT_KMEM_STATS_WORDS; i++)
		st->w[i] = rt_mr(i);
}

/* The first thread of a new task: its record is the first page asked
 * for, kind 0 at CID 0, named by the new thread, then its TCB page; the
 * task counts one record; when it is deleted the record page goes back,
 * empty, to the kpager. */
static const char *kt_first_fault_body(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	kt_restore();
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TASK), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_GET_KPAGER, 0), kt_thread.raw);
	if (!kt_lent) {
		CHECK_EQ(kt.n, 0);
		return 0;
	}
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_LENT_KINDS, 0) & 1UL, 1);
	CHECK_EQ(kt.n, 2);
	RUN(t_kplog_fault_was(&kt, 0, t, LENT_KMEM_TASK, LENT_CID_TASK));
	RUN(t_kplog_fault_was(&kt, 1, t, LENT_KMEM_TCB, LENT_CID_TCB_BASE));
	CHECK_EQ(kt.failed, 0);
	L4_Word_t record = kt.page[0];
	CHECK(record != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, record), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, record), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT_MASK, record) &
		 (1UL << ((record >> 12) & 31)), 0);
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(((volatile L4_Word_t *)record)[i], 0);
	return 0;
}

static const char *t_ktask_record_first_fault_and_back(void)
{
	RUN(kt_start(T_KPLOG_SERVE, 0, 0));
	return kt_run(kt_first_fault_body);
}

/* A kpager that lends no record: ThreadControl fails with "no memory"
 * (8), no thread or task is left, the kernel-owned figures and the
 * creator's counts are as before; once it lends, the same call works. */
static const char *kt_refused_body(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	struct kt_owned before;
	struct kt_stats s0, s1;

	CHECK(!L4_IsNilThread(t));
	RUN(kt_owned(&before));
	kt_stats(&s0);
	if (!kt_lent) {
		CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
		CHECK_EQ(kt.n, 0);
		return 0;
	}
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
	CHECK_EQ(kt.n, 1);
	RUN(t_kplog_fault_was(&kt, 0, t, LENT_KMEM_TASK, LENT_CID_TASK));
	RUN(kt_owned_same(&before));
	kt_stats(&s1);
	for (int i = 0; i <= LENT_KMEM_STATS_WORDS; i++)
		CHECK_EQ(s1.w[i], s0.w[i]);
	/* No thread t: neither deleted nor found. */
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_STATS, 0), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	kt.mode = T_KPLOG_SERVE;
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(kt.n, 3);
	RUN(t_kplog_fault_was(&kt, 1, t, LENT_KMEM_TASK, LENT_CID_TASK));
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TASK), 1);
	return 0;
}

static const char *t_ktask_record_refused_is_no_memory(void)
{
	RUN(kt_start(T_KPLOG_REFUSE_KIND, LENT_KMEM_TASK, 0));
	return kt_run(kt_refused_body);
}

/* The creator thread's ThreadControl of t, a new task's first thread,
 * starts; *before: what the kernel owned until then. */
static const char *kt_go(L4_ThreadId_t *t, struct kt_owned *before)
{
	*t = rt_tid_alloc();
	CHECK(!L4_IsNilThread(*t));
	RUN(kt_owned(before));
	t_shared[0] = t->raw;
	t_shared[6] = 1;
	return 0;
}

/* KMEM=pool: the creation succeeds, and no kpager is asked. */
static const char *kt_pool_made(void)
{
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 1);
	CHECK_EQ(kt.n, 0);
	return 0;
}

/* The retry after the record was lent builds the task in that page: the
 * next fault is for the TCB page, not the record again.  While the TCB
 * page is held, the task exists with its record and no thread body; it
 * is then deleted by ThreadControl, and its record page goes back. */
static const char *kt_half_made_body(void)
{
	L4_ThreadId_t t;
	struct kt_owned before;

	RUN(kt_go(&t, &before));
	if (!kt_lent)
		return kt_pool_made();
	t_until_at_least(&kt.n, 2);
	CHECK_EQ(kt.n, 2);
	RUN(t_kplog_fault_was(&kt, 0, t, LENT_KMEM_TASK, LENT_CID_TASK));
	RUN(t_kplog_fault_was(&kt, 1, t, LENT_KMEM_TCB, LENT_CID_TCB_BASE));
	L4_Word_t record = kt.page[0];
	CHECK(record != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, record), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TASK), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TCB), 0);
	/* Deleted half-made: the record goes back.  The held answer then
	 * lends a TCB page for a thread that is gone: the kernel takes
	 * nothing, and the creation's next try fails. */
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, record), 0);
	kt.release = 1;
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrNoMem);
	RUN(kt_owned_same(&before));
	return 0;
}

static const char *t_ktask_half_made_task_deleted(void)
{
	RUN(kt_start(T_KPLOG_HOLD_KIND, LENT_KMEM_TCB, 1));
	return kt_run(kt_half_made_body);
}

/* The retry after the record was lent asks for nothing of the record
 * again: the record fault is held, the task exists with no record yet
 * (its kpager reads counts of 0 but for the thread), then the answer
 * comes, and the task is made with that page, the one fault for CID 0. */
static const char *kt_retry_body(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	CHECK(!L4_IsNilThread(t));
	t_shared[0] = t.raw;
	t_shared[6] = 1;
	if (!kt_lent) {
		t_until(&t_shared[5], 1);
		CHECK_EQ(t_shared[3], 1);
		CHECK_EQ(kt.n, 0);
		return 0;
	}
	t_until_at_least(&kt.n, 1);
	if (kt.n != 1)
		printf("#   n %lu done %lu result %lu error %lu kind %lu\n", kt.n, t_shared[5],
		       t_shared[3], t_shared[4], kt.fkind[0]);
	CHECK_EQ(kt.n, 1);
	RUN(t_kplog_fault_was(&kt, 0, t, LENT_KMEM_TASK, LENT_CID_TASK));
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_STATS, 0), 0);
	CHECK_EQ(rt_mr(LENT_KMEM_STAT_THREADS), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_GET_KPAGER, 0), kt_thread.raw);
	kt.release = 1;
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 1);
	CHECK_EQ(kt.n, 2);
	RUN(t_kplog_fault_was(&kt, 1, t, LENT_KMEM_TCB, LENT_CID_TCB_BASE));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kt.page[0]), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TASK), 1);
	return 0;
}

static const char *t_ktask_retry_finds_the_record(void)
{
	RUN(kt_start(T_KPLOG_HOLD_KIND, LENT_KMEM_TASK, 1));
	return kt_run(kt_retry_body);
}

/* A task whose record is still asked for (no space yet) deleted by
 * ThreadControl: nothing is left; the page the kpager then lends for it
 * is not taken, and the held creation fails with "no memory". */
static const char *kt_unhoused_body(void)
{
	L4_ThreadId_t t;
	struct kt_owned before;

	RUN(kt_go(&t, &before));
	if (!kt_lent)
		return kt_pool_made();
	t_until_at_least(&kt.n, 1);
	CHECK_EQ(kt.n, 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	/* The held answer lends a page, for a thread that is gone: the
	 * kernel takes nothing, and the creation's next try fails. */
	kt.mode = T_KPLOG_SERVE;
	kt.release = 1;
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrNoMem);
	CHECK(kt.page[0] != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kt.page[0]), 0);
	RUN(kt_owned_same(&before));
	return 0;
}

static const char *t_ktask_unhoused_task_deleted(void)
{
	RUN(kt_start(T_KPLOG_HOLD_KIND, LENT_KMEM_TASK, 1));
	return kt_run(kt_unhoused_body);
}

/* The creation ends with "no memory", having asked once; the held
 * answer then comes for nobody: it is refused, the kernel takes nothing,
 * and nothing is left. */
static const char *kt_no_memory_then_late_answer(const struct kt_owned *before)
{
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrNoMem);
	CHECK_EQ(kt.n, 1);
	kt.release = 1;
	t_until(&kt.failed, 1);
	CHECK(kt.page[0] != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kt.page[0]), 0);
	return kt_owned_same(before);
}

/* A kpager that never answers keeps no creator for ever: an abort of the
 * ThreadControl blocked in its kernel page fault (ExchangeRegisters, by
 * a thread of the creator's space) makes the call fail with "no memory"
 * at once, rather than run again and wait again.  The answer that comes
 * after is refused (nobody waits for it), and nothing is left. */
static const char *kt_abort_body(void)
{
	L4_ThreadId_t t;
	struct kt_owned before;

	RUN(kt_go(&t, &before));
	if (!kt_lent)
		return kt_pool_made();
	t_until_at_least(&kt.n, 1);
	CHECK_EQ(kt.n, 1);
	RUN(t_kplog_fault_was(&kt, 0, t, LENT_KMEM_TASK, LENT_CID_TASK));
	L4_Start(kt_creator);                 /* abort its IPC; it is not halted */
	return kt_no_memory_then_late_answer(&before);
}

static const char *t_ktask_aborted_creation_is_no_memory(void)
{
	RUN(kt_start(T_KPLOG_HOLD_KIND, LENT_KMEM_TASK, 1));
	return kt_run(kt_abort_body);
}

/* A kpager that never answers, and a creator that would not wait for
 * ever: with its task's SET_KPF_WAIT the ThreadControl waits that long,
 * then fails with "no memory".  It took at least that long, the answer
 * that comes after finds nobody waiting, and nothing is left. */
static const char *kt_wait_body(void)
{
	L4_ThreadId_t t;
	struct kt_owned before;
	L4_Word_t wait = L4_TimePeriod(20000).raw;

	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPF_WAIT, 0x8000 | 1), 0);
	CHECK_EQ(L4_ErrorCode(), 5);                  /* a point in time */
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPF_WAIT, 0x10000), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPF_WAIT, wait), 1);
	L4_Word64_t start = L4_SystemClock().raw;
	RUN(kt_go(&t, &before));
	if (!kt_lent)
		return kt_pool_made();
	t_until(&t_shared[5], 1);
	CHECK(L4_SystemClock().raw - start >= 20000);
	RUN(t_kplog_fault_was(&kt, 0, t, LENT_KMEM_TASK, LENT_CID_TASK));
	return kt_no_memory_then_late_answer(&before);
}

static const char *t_ktask_kpf_wait_runs_out(void)
{
	RUN(kt_start(T_KPLOG_HOLD_KIND, LENT_KMEM_TASK, 1));
	const char *r = kt_run(kt_wait_body);
	(void)lent_kmem_control(0, LENT_KMEM_SET_KPF_WAIT, 0);
	return r;
}

const struct test ktask_tests[] = {
	TEST(ktask_record_first_fault_and_back),
	TEST(ktask_record_refused_is_no_memory),
	TEST(ktask_half_made_task_deleted),
	TEST(ktask_retry_finds_the_record),
	TEST(ktask_unhoused_task_deleted),
	TEST(ktask_aborted_creation_is_no_memory),
	TEST(ktask_kpf_wait_runs_out),
	{ 0 }
};
