/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page directories and UTCB pages lent by a task's kpager
 * (docs/kernel-memory.md).  A test kpager thread in the root task lends
 * pages that it filled with a mark first; the tasks here are made by
 * hand, with that kpager set before their SpaceControl, so that every
 * page of their kernel memory comes from it.  In a KMEM=pool kernel the
 * same operations must ask no kpager and take the same pages from the
 * pool: each test checks that instead.
 */
#include "t_kplog.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define KL_POOL		24
#define KL_MARK		0x6b6c6e64UL	/* what the kpager's pages hold */
#define KL_SECRET	0x5ec2e75bUL
#define KL_BIG_AREA	0x20000000UL	/* 16 MB aligned, never used by rt */
/* A UTCB area in a 4 MB region apart from the KIP's (rt puts the two in
 * one region, which then needs one page table for both): a task whose
 * UTCB area's page table is a fault of its own. */
#define KL_APART_AREA	0x30000000UL

static volatile struct t_kplog kl;
static L4_Word_t kl_kinds;
static L4_ThreadId_t kl_thread;

static int kl_lends(unsigned kind)
{
	return (kl_kinds >> kind) & 1;
}

/* A fresh log and kpager; every page of its pool holds the mark. */
static const char *kl_start(L4_Word_t mode, L4_Word_t kind)
{
	t_kplog_reset(&kl, mode, kind);
	kl_kinds = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (!kl.pool) {
		kl.pool = rt_get_pages(KL_POOL);
		CHECK(kl.pool != 0);
		kl.pages = KL_POOL;
	}
	for (L4_Word_t p = 0; p < KL_POOL; p++) {
		volatile L4_Word_t *w = (volatile L4_Word_t *)(kl.pool + p * RT_PAGE_SIZE);
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, (L4_Word_t)w), 0);
		for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
			w[i] = KL_MARK;
	}
	kl_thread = rt_thread_create(t_kplog_loop, (L4_Word_t)&kl);
	CHECK(!L4_IsNilThread(kl_thread));
	return 0;
}

/* Steps 1 and 2 of rt_task_prepare, with our kpager set between them:
 * a new space, then its KIP and UTCB areas. */
static const char *kl_space(L4_ThreadId_t *t, L4_Word_t utcb_base, int utcb_log2)
{
	L4_Word_t old;

	*t = rt_tid_alloc();
	CHECK(!L4_IsNilThread(*t));
	CHECK_EQ(L4_ThreadControl(*t, *t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t->raw, LENT_KMEM_SET_KPAGER, kl_thread.raw), 1);
	CHECK_EQ(L4_SpaceControl(*t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(utcb_base, utcb_log2), L4_nilthread, &old), 1);
	return 0;
}

/* Start thread t (its UTCB placed, main its pager) as an agent. */
static const char *kl_run(L4_ThreadId_t t)
{
	void *stack = rt_stack_alloc();

	CHECK(stack != 0);
	rt_tid_attach(t, stack, 0);
	(void)L4_Set_Priority(t, RT_PRIORITY);
	CHECK(rt_start_message(t, (L4_Word_t)rt_agent_loop, rt_stack_frame(stack, 0)));
	L4_MsgTag_t tag = rt_agent_result(t, 0);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), RT_AG_RESULT);
	return 0;
}

/* The agent t, its UTCB at utcb, says who it is: its UTCB works. */
static const char *kl_self(L4_ThreadId_t t, L4_Word_t utcb)
{
	L4_MsgTag_t tag = rt_agent_cmd(t, RT_AG_SELF, 0, 0);

	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(2), rt_main_thread().raw);
	CHECK_EQ(rt_mr(3), t.raw);
	CHECK_EQ(rt_mr(4), utcb + RT_UTCB_MR0_OFFSET);
	return 0;
}

/* A task made by hand: SpaceControl asks for the page directory, then
 * the KIP's page table; placing the first UTCB for the UTCB area's page
 * table, then the UTCB page, whose content identifier is its index in
 * the area (0).  Each call runs again to completion once its pages are
 * lent, and the task's thread then runs and does IPC. */
static const char *t_klend_pdir_and_utcb_first_faults(void)
{
	L4_ThreadId_t t;

	RUN(kl_start(T_KPLOG_SERVE, 0));
	RUN(kl_space(&t, KL_APART_AREA, RT_UTCB_AREA_LOG2));
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 1);
	if (kl_lends(LENT_KMEM_PDIR)) {
		CHECK_EQ(kl.n, 2);
		RUN(t_kplog_fault_was(&kl, 0, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
		RUN(t_kplog_fault_was(&kl, 1, t, LENT_KMEM_PT, lent_cid_pt(RT_KIP_AREA_BASE)));
	} else {
		CHECK_EQ(kl.n, 0);
	}
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)KL_APART_AREA), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_UTCB), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_PT), 2);
	if (kl_lends(LENT_KMEM_UTCB)) {
		CHECK_EQ(kl.n, 4);
		RUN(t_kplog_fault_was(&kl, 2, t, LENT_KMEM_PT, lent_cid_pt(KL_APART_AREA)));
		RUN(t_kplog_fault_was(&kl, 3, t, LENT_KMEM_UTCB, LENT_CID_UTCB_BASE));
		CHECK_EQ(kl.failed, 0);
		for (L4_Word_t i = 0; i < 4; i++)
			CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kl.page[i]), 1);
	} else {
		CHECK_EQ(kl.n, 0);
	}
	RUN(kl_run(t));
	RUN(kl_self(t, KL_APART_AREA));
	return 0;
}

/* A UTCB page's content identifier is its index in the UTCB area; a
 * second UTCB in a page asks for nothing.  Both ThreadControl's create
 * (named by the space's thread) and its modify (named by the thread)
 * stop, ask and run again; a thread whose UTCB lies in a lent page other
 * than the first does IPC. */
static const char *t_klend_utcb_cid_is_index_in_area(void)
{
	L4_ThreadId_t t, v = rt_tid_alloc(), w = rt_tid_alloc(), x = rt_tid_alloc();
	L4_Word_t base = RT_UTCB_AREA_BASE, vu = base + 2 * RT_PAGE_SIZE + RT_UTCB_SIZE;

	RUN(kl_start(T_KPLOG_SERVE, 0));
	RUN(kl_space(&t, base, RT_UTCB_AREA_LOG2));
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 1);
	L4_Word_t n = kl.n;
	CHECK_EQ(L4_ThreadControl(v, t, rt_main_thread(), L4_Myself(), (void *)vu), 1);
	CHECK_EQ(L4_ThreadControl(w, t, rt_main_thread(), L4_nilthread,
				  (void *)(vu + RT_UTCB_SIZE)), 1);
	CHECK_EQ(L4_ThreadControl(x, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(x, t, L4_nilthread, L4_nilthread,
				  (void *)(base + 5 * RT_PAGE_SIZE)), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_UTCB), 3);
	if (kl_lends(LENT_KMEM_UTCB)) {
		CHECK_EQ(kl.n, n + 2);
		RUN(t_kplog_fault_was(&kl, n, t, LENT_KMEM_UTCB, lent_cid_nth(LENT_KMEM_UTCB, 2)));
		RUN(t_kplog_fault_was(&kl, n + 1, x, LENT_KMEM_UTCB, lent_cid_nth(LENT_KMEM_UTCB, 5)));
	} else {
		CHECK_EQ(kl.n, 0);
	}
	RUN(kl_run(v));
	RUN(kl_self(v, vu));
	RUN(kl_run(t));
	RUN(kl_self(t, base));
	return 0;
}

/* The largest UTCB area, 16 MB: its last page has the last content
 * identifier of the UTCB range.  A larger area is refused. */
static const char *t_klend_utcb_area_bounds(void)
{
	L4_ThreadId_t t, big = rt_tid_alloc(), u = rt_tid_alloc();
	L4_Word_t old, last = KL_BIG_AREA + (1UL << 24) - RT_UTCB_SIZE;

	RUN(kl_start(T_KPLOG_SERVE, 0));
	CHECK(!L4_IsNilThread(big));
	CHECK_EQ(L4_ThreadControl(big, big, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_SpaceControl(big, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(KL_BIG_AREA, 25), L4_nilthread, &old), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
	RUN(kl_space(&t, KL_BIG_AREA, 24));
	L4_Word_t n = kl.n;
	CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_nilthread, (void *)last), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_UTCB), 1);
	if (kl_lends(LENT_KMEM_UTCB)) {
		CHECK_EQ(kl.n, n + 2);
		RUN(t_kplog_fault_was(&kl, n, t, LENT_KMEM_PT, lent_cid_pt(last)));
		RUN(t_kplog_fault_was(&kl, n + 1, t, LENT_KMEM_UTCB,
				 lent_cid_nth(LENT_KMEM_UTCB, LENT_CID_RANGE_PAGES - 1)));
	}
	return 0;
}

/* A kpager that lends no UTCB page: ThreadControl fails with "no
 * memory" (8), and leaves no thread made (create) or UTCB placed
 * (modify); once it lends, the same calls succeed. */
static const char *t_klend_utcb_refused_is_no_memory(void)
{
	L4_ThreadId_t t, u = rt_tid_alloc();
	L4_Word_t base = KL_APART_AREA;

	RUN(kl_start(T_KPLOG_REFUSE_KIND, LENT_KMEM_UTCB));
	RUN(kl_space(&t, base, RT_UTCB_AREA_LOG2));
	if (kl_lends(LENT_KMEM_UTCB)) {
		L4_Word_t n = kl.n;
		CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
		CHECK_EQ(kl.n, n + 2);                       /* its page table, its page */
		RUN(t_kplog_fault_was(&kl, n + 1, t, LENT_KMEM_UTCB, LENT_CID_UTCB_BASE));
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_UTCB), 0);
		/* No UTCB placed: a pager alone cannot activate t. */
		CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)-1), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
		/* No thread made. */
		CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_nilthread,
					  (void *)(base + RT_UTCB_SIZE)), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
		CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
		CHECK_EQ(kl.failed, 0);
		kl.mode = T_KPLOG_SERVE;
	}
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_UTCB), 1);
	RUN(kl_run(t));
	RUN(kl_self(t, base));
	return 0;
}

/* A kpager that lends no page directory: SpaceControl fails with "no
 * memory" and sets no areas (a UTCB is refused); a second SpaceControl,
 * the kpager lending, makes a working task of the same space. */
static const char *t_klend_pdir_refused_is_no_memory(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	L4_Word_t old, base = RT_UTCB_AREA_BASE;
	L4_Fpage_t kip = L4_FpageLog2(RT_KIP_AREA_BASE, 12);
	L4_Fpage_t utcb = L4_FpageLog2(base, RT_UTCB_AREA_LOG2);

	RUN(kl_start(T_KPLOG_REFUSE_KIND, LENT_KMEM_PDIR));
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, kl_thread.raw), 1);
	if (kl_lends(LENT_KMEM_PDIR)) {
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 0);
		CHECK_EQ(L4_SpaceControl(t, 0, kip, utcb, L4_nilthread, &old), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
		CHECK_EQ(kl.n, 1);
		RUN(t_kplog_fault_was(&kl, 0, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 0);
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_PT), 0);
		CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
		kl.mode = T_KPLOG_SERVE;
	}
	CHECK_EQ(L4_SpaceControl(t, 0, kip, utcb, L4_nilthread, &old), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 1);
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 1);
	RUN(kl_run(t));
	RUN(kl_self(t, base));
	return 0;
}

/* Page i of the kpager's pool holds nothing (no word is set). */
static const char *kl_page_empty(L4_Word_t page)
{
	volatile L4_Word_t *w = (volatile L4_Word_t *)page;

	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(w[i], 0);
	return 0;
}

/* The lent UTCB page shows its task nothing of the kpager's (its mark
 * is gone); what the task writes there reaches no other user: the
 * kpager's own mapping of the frame gives no access, mapped on to
 * another task it faults.  When the task dies, every page (the page
 * directory and the UTCB page among them) comes back empty. */
static const char *t_klend_utcb_frame_seen_by_its_task_only(void)
{
	L4_ThreadId_t t, b;
	L4_Word_t base = KL_APART_AREA, spare = base + 5 * RT_UTCB_SIZE + 8;
	L4_Word_t res[5], sec, window = 0x40000000UL;

	RUN(kl_start(T_KPLOG_SERVE, 0));
	RUN(kl_space(&t, base, RT_UTCB_AREA_LOG2));
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 1);
	RUN(kl_run(t));
	/* Elsewhere in its UTCB page: neither the kpager's mark nor ours. */
	RUN(t_ag_reads(t, base + 3 * RT_UTCB_SIZE, 0));
	RUN(t_ag_reads(t, base + RT_PAGE_SIZE - sizeof(L4_Word_t), 0));
	L4_Word_t a[2] = { spare, KL_SECRET };
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_WRITE, 2, a)));
	RUN(t_ag_reads(t, spare, KL_SECRET));
	if (!kl_lends(LENT_KMEM_UTCB)) {
		CHECK_EQ(kl.n, 0);
		return 0;
	}
	CHECK(kl.n >= 4);
	L4_Word_t utcb = kl.page[3];
	CHECK_EQ(kl.fkind[3], LENT_KMEM_UTCB);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, utcb), 1);
	/* The kpager's page, mapped on to another task: no access. */
	b = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(b));
	RUN(t_ag_accept(b, window, 12));
	RUN(t_ag_give_map(b, t_map_item(utcb, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_faults(b, window + (spare & (RT_PAGE_SIZE - 1)), 0));
	/* The task dies: every page it was lent comes back, empty. */
	L4_Word_t lent[T_KPLOG_LOG], n = kl.n < T_KPLOG_LOG ? kl.n : T_KPLOG_LOG;
	for (L4_Word_t i = 0; i < n; i++)
		lent[i] = kl.page[i];
	rt_release(t);
	for (L4_Word_t i = 0; i < n; i++) {
		CHECK(lent[i] != 0);
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, lent[i]), 0);
		RUN(kl_page_empty(lent[i]));
	}
	return 0;
}

/* A root thread's ThreadControl(t_shared[0], t_shared[1], main, nil,
 * t_shared[2]): result in t_shared[3], ErrorCode in t_shared[4]. */
static void kl_tc_body(L4_Word_t arg)
{
	L4_ThreadId_t dest = { .raw = t_shared[0] }, space = { .raw = t_shared[1] };

	(void)arg;
	t_shared[3] = L4_ThreadControl(dest, space, rt_main_thread(), L4_nilthread,
				       (void *)t_shared[2]);
	t_shared[4] = L4_ErrorCode();
	t_shared[5] = 1;
}

/* A UTCB page lent for a ThreadControl that then never places a UTCB
 * there (it fails on its restart: the thread it would have made exists
 * by then, active) stays lent to the task, unused, and goes back empty
 * when the task dies. */
static const char *t_klend_unused_utcb_page_back_at_death(void)
{
	L4_ThreadId_t t, u = rt_tid_alloc();
	L4_Word_t base = RT_UTCB_AREA_BASE;

	RUN(kl_start(T_KPLOG_SERVE, 0));
	RUN(kl_space(&t, base, RT_UTCB_AREA_LOG2));
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(), (void *)base), 1);
	L4_Word_t n = kl.n;
	kl.kind = LENT_KMEM_UTCB;
	kl.mode = T_KPLOG_HOLD_KIND;
	t_shared[0] = u.raw;
	t_shared[1] = t.raw;
	t_shared[2] = base + 6 * RT_PAGE_SIZE;
	CHECK(!L4_IsNilThread(rt_thread_create(kl_tc_body, 0)));
	if (!kl_lends(LENT_KMEM_UTCB)) {
		t_until(&t_shared[5], 1);
		CHECK_EQ(t_shared[3], 1);
		CHECK_EQ(kl.n, 0);
		return 0;
	}
	t_until_at_least(&kl.n, n + 1);
	CHECK_EQ(kl.n, n + 1);
	RUN(t_kplog_fault_was(&kl, n, t, LENT_KMEM_UTCB, lent_cid_nth(LENT_KMEM_UTCB, 6)));
	/* Meanwhile u is made, active, with its UTCB in page 0. */
	CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_Myself(),
				  (void *)(base + RT_UTCB_SIZE)), 1);
	kl.release = 1;
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrUtcbArea);
	L4_Word_t page = kl.page[n];
	CHECK(page != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_UTCB), 2);
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	rt_release(t);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	RUN(kl_page_empty(page));
	return 0;
}

/* A root thread's SpaceControl(t_shared[1]) with rt's areas: result in
 * t_shared[3], ErrorCode in t_shared[4]. */
static void kl_sc_body(L4_Word_t arg)
{
	L4_ThreadId_t space = { .raw = t_shared[1] };
	L4_Word_t old;

	(void)arg;
	t_shared[3] = L4_SpaceControl(space, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				      L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2),
				      L4_nilthread, &old);
	t_shared[4] = L4_ErrorCode();
	t_shared[5] = 1;
}

/* A page directory lent for a SpaceControl that never acts (its task is
 * deleted while it waits for the KIP's page table) goes back empty with
 * the task; the SpaceControl then finds no space. */
static const char *t_klend_unused_pdir_back_at_death(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	RUN(kl_start(T_KPLOG_HOLD_KIND, LENT_KMEM_PT));
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, kl_thread.raw), 1);
	t_shared[1] = t.raw;
	CHECK(!L4_IsNilThread(rt_thread_create(kl_sc_body, 0)));
	if (!kl_lends(LENT_KMEM_PDIR)) {
		t_until(&t_shared[5], 1);
		CHECK_EQ(t_shared[3], 1);
		CHECK_EQ(kl.n, 0);
		return 0;
	}
	t_until_at_least(&kl.n, 2);
	CHECK_EQ(kl.n, 2);
	RUN(t_kplog_fault_was(&kl, 0, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
	RUN(t_kplog_fault_was(&kl, 1, t, LENT_KMEM_PT, lent_cid_pt(RT_KIP_AREA_BASE)));
	L4_Word_t page = kl.page[0];
	CHECK(page != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	RUN(kl_page_empty(page));
	kl.release = 1;
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrInvalidSpace);
	return 0;
}

const struct test klend_tests[] = {
	TEST(klend_pdir_and_utcb_first_faults),
	TEST(klend_utcb_cid_is_index_in_area),
	TEST(klend_utcb_area_bounds),
	TEST(klend_utcb_refused_is_no_memory),
	TEST(klend_pdir_refused_is_no_memory),
	TEST(klend_utcb_frame_seen_by_its_task_only),
	TEST(klend_unused_utcb_page_back_at_death),
	TEST(klend_unused_pdir_back_at_death),
	{ 0 }
};
