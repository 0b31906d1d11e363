/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel memory (kernel/kmem.c, kernel/space.c space_destroy, the thread
 * table in kernel/thread.c): what a task costs must come back when it
 * goes.  No counter is visible to user level, so the pool is measured
 * through ThreadControl's "out of memory" (8): km_probe asks whether a
 * new space can still be had, km_free_pages counts the free pages (one
 * inactive thread per page) when there are few enough.  The agents are
 * paged by rt's pager thread, so main is free to send them messages.
 */
#include "tests.h"
#include <lent/kmem.h>

/* In a KMEM=lent kernel, mappings cost no pool memory: a task's page
 * tables, node tables and mapping nodes are lent by its kpager (sigma0
 * here), which bounds what unprivileged tasks get.  What runs dry there
 * is that, not the pool (docs/kernel-memory.md). */
static int km_lent(void)
{
	return lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) != 0;
}

/* Can a new unprivileged task still be had?  1 yes, 0 no memory. */
static int km_probe_task(void)
{
	L4_ThreadId_t a = rt_agent_create(rt_pager());

	if (L4_IsNilThread(a))
		return rt_last_error() == L4_ErrNoMem ? 0 : -1;
	rt_release(a);
	return 1;
}

/* Pages of kernel memory the task of thread t holds, all kinds. */
static L4_Word_t km_task_pages(L4_ThreadId_t t)
{
	return lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
}

#define KM_MAGIC	0x6b6d656dUL
#define KM_WA		0x10000000UL	/* windows: 32 different 4 MB regions */
#define KM_WB		0x30000000UL
#define KM_CHURN	2000
/* Hog windows: one page into every 4 MB region from 8 MB up to 0xBE000000
 * (the image is at 6 MB, the UTCB and KIP areas are above). */
#define KM_HOG_FIRST	2
#define KM_HOG_END	760
#define KM_HOG_ITEMS	31
#define KM_MAX_HOGS	12

static unsigned char km_page[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

/* ---- agent helpers (main sends directly; rt's pager pages the agents) ---- */

static const char *km_accept(L4_ThreadId_t ag, L4_Fpage_t window)
{
	L4_Word_t acc = L4_MapGrantItems(window).raw;

	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_ACCEPT, 1, &acc)));
	return 0;
}

/* The agent receives one message that main sends: t typed words. */
static const char *km_give(L4_ThreadId_t ag, int t, const L4_Word_t *items)
{
	L4_MsgTag_t tag;

	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	t_load(0x4b, 0, 0, t, items);
	tag = L4_Send_Timeout(ag, rt_us(T_WAIT_US));
	CHECK(L4_IpcSucceeded(tag));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

static const char *km_reads(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t want)
{
	L4_MsgTag_t tag = rt_agent_cmd(ag, RT_AG_READ, 1, &addr);

	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), want);
	return 0;
}

/* from sends one message (tag, two typed words) to to, which receives it
 * (a string into buf if len, else map items). */
static const char *km_pass(L4_ThreadId_t from, L4_ThreadId_t to, L4_Word_t w0,
			   L4_Word_t w1, L4_Word_t buf, L4_Word_t len)
{
	L4_Word_t a[4] = { to.raw, t_tag(0x4c, 0, 2).raw, w0, w1 }, r[2] = { buf, len };
	L4_MsgTag_t tag;

	CHECK(rt_agent_post(to, len ? RT_AG_RECV_STRING : RT_AG_RECV, len ? 2 : 0, r));
	CHECK(rt_agent_post(from, RT_AG_SEND, 4, a));
	tag = rt_agent_result(from, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(2), 0);
	tag = rt_agent_result(to, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

/* Can a new space (space object, page directory, TCB) still be had?
 * 1 yes, 0 no memory (error 8), -1 another error. */
static int km_probe(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	L4_Word_t err;

	if (L4_IsNilThread(t))
		return -1;
	if (L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)~0UL) == 1) {
		rt_release(t);
		return 1;
	}
	err = L4_ErrorCode();
	rt_release(t);
	return err == L4_ErrNoMem ? 0 : -1;
}

/* Can the root task still have a thread made in its own space?  1 yes,
 * 0 no memory, -1 another error. */
static int km_probe_own(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	int ok;

	if (L4_IsNilThread(t))
		return -1;
	ok = L4_ThreadControl(t, L4_Myself(), L4_Myself(), L4_nilthread, (void *)~0UL) == 1;
	if (ok)
		ok = L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread,
				      (void *)~0UL) == 1 ? 1 : -1;
	else
		ok = L4_ErrorCode() == L4_ErrNoMem ? 0 : -1;
	rt_release(t);
	return ok;
}

/* Free pool pages, counted the way the fuzz test does: inactive threads
 * (a page each) in one new space until "out of memory", then deleted.
 * -1 if there are more than KM_COUNT_MAX (large memory: too slow). */
#define KM_COUNT_NO	3000
#define KM_COUNT_MAX	5000

static int km_free_pages(void)
{
	L4_ThreadId_t first = L4_GlobalId(KM_COUNT_NO, 1), me = L4_Myself();
	L4_Word_t ec = 0;
	int n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return -1;
	for (n = 1; n < KM_COUNT_MAX; n++)
		if (L4_ThreadControl(L4_GlobalId(KM_COUNT_NO + n, 1), first, me, L4_nilthread,
				     (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	for (i = n - 1; i >= 0; i--)
		(void)L4_ThreadControl(L4_GlobalId(KM_COUNT_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : -1;
}

/* ---- churn ---- */

#define KM_NOWHERE	0x50000000UL	/* mapped in no agent */

static L4_ThreadId_t km_agent(void)
{
	L4_ThreadId_t a = rt_agent_create(rt_pager());

	if (L4_IsNilThread(a))
		printf("#   task creation failed: error %lu\n", rt_last_error());
	return a;
}

/* Wait until rt's pager has seen (and left unanswered) a fault at addr. */
static int km_pager_saw(L4_Word_t before, L4_Word_t addr)
{
	L4_Word_t start = rt_now_us();

	while (rt_pager_unhandled == before || rt_pager_last_unhandled != addr) {
		if (rt_now_us() - start > T_WAIT_US)
			return 0;
		rt_sleep_us(1000);
	}
	return 1;
}

/*
 * One pair of tasks' life: a (two threads) gets a page from root and
 * passes it on to b, by map or by grant, and a string; then one of them
 * dies first: the mappings derived from a dying task go with it, granted
 * ones stay; a thread in a's space is re-made with a moved UTCB and a new
 * version; a transfer stalled on b's page fault is cut by b's deletion.
 */
static const char *churn_once(L4_Word_t i)
{
	L4_Word_t wa = KM_WA + (i % 32) * 0x400000UL, ip, sp, before;
	L4_MapItem_t m = t_map_item((L4_Word_t)km_page, 12, L4_ReadWriteOnly, 0);
	L4_Fpage_t fa = L4_FpageLog2(wa, 12);
	L4_MapItem_t m2;
	L4_GrantItem_t g2;
	L4_StringItem_t s = L4_StringItem(64, (void *)(wa + 0x100));
	L4_ThreadId_t a, b, t2, t3, t3v;
	L4_Word_t w[4];
	L4_MsgTag_t tag;
	void *stack;

	L4_Set_Rights(&fa, L4_ReadWriteOnly);
	m2 = L4_MapItem(fa, 0);
	g2 = L4_GrantItem(fa, 0);
	a = km_agent();
	CHECK(!L4_IsNilThread(a));
	t2 = rt_task_thread_prepare(a, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, t_sleeper, 0,
				    rt_pager(), &ip, &sp);
	if (L4_IsNilThread(t2))
		return t_fail_eq(__FILE__, __LINE__, "thread creation failed: error",
				 rt_last_error(), 0);
	CHECK(rt_pager_start_thread(t2, ip, sp));
	RUN(km_accept(a, L4_FpageLog2(wa, 12)));
	RUN(km_give(a, 2, m.raw));
	RUN(km_reads(a, wa, KM_MAGIC));
	b = km_agent();
	CHECK(!L4_IsNilThread(b));
	RUN(km_accept(b, L4_FpageLog2(KM_WB, 12)));
	switch (i % 4) {
	case 0:		/* map on; a string into the same frame, 2 KB on */
		RUN(km_pass(a, b, m2.raw[0], m2.raw[1], 0, 0));
		RUN(km_reads(b, KM_WB, KM_MAGIC));
		RUN(km_pass(a, b, s.raw[0], s.raw[1], KM_WB + 0x800, 64));
		CHECK_EQ(((volatile L4_Word_t *)km_page)[0x800 / 4], i);
		break;
	case 1:		/* grant on: b keeps the page when a's space goes */
		RUN(km_pass(a, b, g2.raw[0], g2.raw[1], 0, 0));
		CHECK(rt_release(a));
		CHECK(rt_release(t2));
		RUN(km_reads(b, KM_WB, KM_MAGIC));
		break;
	case 2:		/* map on: b loses the page when a's space goes */
		RUN(km_pass(a, b, m2.raw[0], m2.raw[1], 0, 0));
		CHECK(rt_release(t2));
		CHECK(rt_release(a));
		before = rt_pager_unhandled;
		w[0] = KM_WB;
		CHECK(rt_agent_post(b, RT_AG_READ, 1, w));
		CHECK(km_pager_saw(before, KM_WB));
		break;
	default:	/* UTCB moved and version changed before activation;
			 * a transfer stalled on b's buffer fault, b deleted */
		t3 = rt_tid_alloc();
		stack = rt_small_stack_alloc();
		CHECK(!L4_IsNilThread(t3) && stack);
		rt_tid_attach(t3, stack, 0);
		CHECK_EQ(L4_ThreadControl(t3, a, L4_Myself(), L4_nilthread,
					  (void *)(RT_UTCB_AREA_BASE + 2 * RT_UTCB_SIZE)), 1);
		CHECK_EQ(L4_ThreadControl(t3, a, L4_nilthread, L4_nilthread,
					  (void *)(RT_UTCB_AREA_BASE + 9 * RT_UTCB_SIZE)), 1);
		t3v = L4_GlobalId(L4_ThreadNo(t3), L4_Version(t3) ^ 0x200);
		CHECK_EQ(L4_ThreadControl(t3v, a, L4_nilthread, rt_pager(), (void *)~0UL), 1);
		rt_retag(t3, t3v);
		CHECK(rt_pager_start_thread(t3v, (L4_Word_t)t_sleeper,
					    rt_stack_frame(stack, 0)));
		before = rt_pager_unhandled;
		w[0] = KM_NOWHERE;
		w[1] = 64;
		CHECK(rt_agent_post(b, RT_AG_RECV_STRING, 2, w));
		w[0] = b.raw;
		w[1] = t_tag(0x4d, 0, 2).raw;
		w[2] = s.raw[0];
		w[3] = s.raw[1];
		CHECK(rt_agent_post(a, RT_AG_SEND, 4, w));
		CHECK(km_pager_saw(before, KM_NOWHERE));
		CHECK(rt_release(b));
		tag = rt_agent_result(a, 0);
		CHECK(t_ag_ok(tag));
		CHECK_EQ(rt_mr(2) & 0xf, EC_SEND(7));
		break;
	}
	rt_cleanup();
	return 0;
}

/* 2000 pairs of tasks (threads, mappings, map and grant chains, strings,
 * stalled transfers, moved UTCBs) made and deleted: creating the next
 * one never runs out of kernel memory, and at the end (where it can be
 * counted) the pool holds as many free pages as after the first. */
static const char *t_kmem_task_churn_returns_memory(void)
{
	L4_Word_t i;
	int before = -1, after;

	for (i = 0; i < KM_CHURN; i++) {
		const char *r;

		((volatile L4_Word_t *)km_page)[0] = KM_MAGIC;
		((volatile L4_Word_t *)km_page)[0x100 / 4] = i;
		r = churn_once(i);
		if (r) {
			printf("#   iteration %lu\n", i);
			return r;
		}
		if (i == 3) {
			(void)km_free_pages();	/* its own thread-table leaves */
			before = km_free_pages();
		}
	}
	after = km_free_pages();
	if (before >= 0 && after >= 0) {
		printf("#   %d pages free after the first 4 pairs, %d at the end\n",
		       before, after);
		CHECK_EQ(after, before);
	}
	CHECK_EQ(km_probe(), 1);
	return 0;
}

/*
 * The thread table (kernel/thread.c) grows a 4 KB leaf per 1024 thread
 * numbers when a number in it is first used.  Tasks made and deleted
 * under numbers in 32 leaves not used before must leave the pool as they
 * found it, or ThreadControl alone, with scattered numbers, could pin up
 * to 256 pages (1 MB: two thirds of the pool at 16 MB of RAM).
 */
#define KM_LEAF_FIRST_NO	8192
#define KM_LEAVES		32

static const char *t_kmem_thread_numbers_return_memory(void)
{
	int before, after, k;

	(void)km_free_pages();
	before = km_free_pages();
	for (k = 0; k < KM_LEAVES; k++) {
		L4_ThreadId_t t = L4_GlobalId(KM_LEAF_FIRST_NO + k * 1024 + 7, 1);

		CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)~0UL), 1);
		CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
	}
	after = km_free_pages();
	if (before < 0 || after < 0) {
		/* Too many free pages to count: no more than the pool can
		 * answer through "out of memory" (see km_probe). */
		printf("#   too much free memory to count\n");
		return 0;
	}
	printf("#   %d pages free before, %d after\n", before, after);
	CHECK_EQ(after, before);
	return 0;
}

/* ---- exhaustion ---- */

/* One page of ours into every hog region of the agent, 31 per message:
 * a page table and a node table each. */
static const char *km_fill(L4_ThreadId_t ag)
{
	L4_Word_t items[2 * KM_HOG_ITEMS], r;

	RUN(km_accept(ag, L4_CompleteAddressSpace));
	for (r = KM_HOG_FIRST; r < KM_HOG_END; r += KM_HOG_ITEMS) {
		int k, n = 0;

		for (k = 0; k < KM_HOG_ITEMS && r + k < KM_HOG_END; k++, n++) {
			L4_MapItem_t m = t_map_item((L4_Word_t)km_page, 12, L4_Readable,
						    (r + k) << 22);

			items[2 * k] = m.raw[0];
			items[2 * k + 1] = m.raw[1];
		}
		RUN(km_give(ag, 2 * n, items));
	}
	return 0;
}

/* Make hog agents until a new space can no longer be had (in a lent
 * kernel: until a new unprivileged task can no longer be had).  Everything
 * main will touch meanwhile has been touched before (a fault of ours
 * could not be resolved while the pool is empty). */
static const char *km_exhaust(void)
{
	int h, p;

	((volatile L4_Word_t *)km_page)[0] = KM_MAGIC;	/* ours, mapped */
	for (h = 0; h < KM_MAX_HOGS; h++) {
		L4_ThreadId_t ag = rt_agent_create(rt_pager());

		if (L4_IsNilThread(ag)) {
			CHECK_EQ(rt_last_error(), L4_ErrNoMem);
			return 0;
		}
		RUN(km_fill(ag));
		p = km_lent() ? km_probe_task() : km_probe();
		CHECK(p >= 0);
		if (p == 0)
			return 0;
	}
	return "kernel memory not exhausted by the hogs";
}

static void km_touch_stack(void)
{
	volatile unsigned char deep[16384];
	unsigned i;

	for (i = 0; i < sizeof(deep); i += 512)
		deep[i] = (unsigned char)i;
}

/* The pool runs dry (ThreadControl answers 8), and everything comes back
 * when the tasks that hold it are deleted: a new task with mappings works
 * again. */
static const char *t_kmem_exhausted_then_recovers(void)
{
	L4_MapItem_t m = t_map_item((L4_Word_t)km_page, 12, L4_ReadWriteOnly, 0);
	L4_ThreadId_t a;

	km_touch_stack();
	((volatile L4_Word_t *)km_page)[0] = KM_MAGIC;
	RUN(km_exhaust());
	if (km_lent()) {
		/* What ran dry is what sigma0 lends to unprivileged tasks; the
		 * root task's own kernel memory never noticed.  A new space
		 * is an unprivileged task too: where its first TCB page is
		 * lent, it gets none either. */
		CHECK_EQ(km_probe_task(), 0);
		CHECK_EQ(km_probe_own(), 1);
		CHECK_EQ(km_probe(), lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) &
				     (1UL << LENT_KMEM_TCB) ? 0 : 1);
	} else {
		CHECK_EQ(km_probe(), 0);
	}
	rt_cleanup();
	CHECK_EQ(km_probe(), 1);
	a = rt_agent_create(rt_pager());
	CHECK(!L4_IsNilThread(a));
	RUN(km_accept(a, L4_FpageLog2(KM_WA, 12)));
	RUN(km_give(a, 2, m.raw));
	return km_reads(a, KM_WA, KM_MAGIC);
}

/*
 * sigma0's roots over RAM are built at boot (kernel/sigma0_roots.c), so
 * touching its own memory costs no kernel memory; this checks that it
 * stays so under pressure.  Unprivileged tasks alone
 * empty the pool here: each asks sigma0 for pages, one into each 4 MB
 * region of its space (a page table and a node table each), turn about,
 * so that sigma0's region table grows too.  sigma0 touching a fresh page
 * of that table with the pool empty must not stop the machine (sigma0 may
 * stop answering meanwhile); once the tasks are deleted, sigma0 must
 * answer again.
 */
#define KM_S0_AGENTS	6
#define KM_S0_AFTER	600
/* In a lent kernel the agents' kernel memory came from sigma0's RAM, and
 * the pages they asked for stay with them when they die (sigma0 takes
 * back none): asking 600 more would leave no RAM at 8 MB for the tests
 * after this one.  What is checked is the same, on fewer requests. */
#define KM_S0_AFTER_LENT 64
/* The same in a pool kernel with little RAM: at 8 MB, 600 more pages
 * would leave none for the root task (this test checks it still gets
 * one) nor for the tests after it. */
#define KM_S0_SMALL_MB	16

/* Lent kernel: the agents' kernel memory has stopped growing since the
 * last look (sigma0 lends them no more), though they went on asking. */
static int km_lent_dry(const L4_ThreadId_t *ag, L4_Word_t *held)
{
	L4_Word_t now = 0;

	for (int k = 0; k < KM_S0_AGENTS; k++)
		now += km_task_pages(ag[k]);
	if (now == *held)
		return 1;
	*held = now;
	return 0;
}

static const char *t_kmem_exhausted_sigma0_fault(void)
{
	L4_Fpage_t any = L4_FpageLog2(~0UL, 12);
	L4_ThreadId_t ag[KM_S0_AGENTS];
	L4_Word_t a[2], r, n = 0, after = 0, held = 0;
	int k, exhausted = 0, lent = km_lent();

	km_touch_stack();
	for (k = 0; k < KM_S0_AGENTS; k++) {
		ag[k] = rt_agent_create(rt_pager());
		CHECK(!L4_IsNilThread(ag[k]));
	}
	a[0] = any.raw;
	L4_Word_t limit = lent || t_ram_mb() < KM_S0_SMALL_MB ? KM_S0_AFTER_LENT : KM_S0_AFTER;

	for (r = KM_HOG_FIRST; r < KM_HOG_END && after < limit; r++)
		for (k = 0; k < KM_S0_AGENTS && after < limit; k++) {
			L4_MsgTag_t tag;

			a[1] = L4_FpageLog2(r << 22, 12).raw;
			tag = rt_agent_cmd(ag[k], RT_AG_SIGMA0, 2, a);
			if (!t_ag_ok(tag) && exhausted) {
				/* sigma0 may wait for kernel memory: stop. */
				after = limit;
				break;
			}
			CHECK(t_ag_ok(tag));
			if (L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) })) {
				if (!exhausted)
					return "sigma0 ran out of memory first";
				/* RAM is gone too, after kernel memory (in a
				 * lent kernel at 8 MB, where sigma0 lends
				 * kernel memory from that RAM): sigma0 still
				 * answers, cleanly. */
				after = limit;
				break;
			}
			n++;
			if (exhausted)
				after++;
			else if (n % 16 == 0 && (lent ? km_lent_dry(ag, &held) : km_probe() == 0))
				exhausted = 1;
		}
	printf("#   %lu pages asked for, %s %s\n", n, lent ? "lent memory" : "pool",
	       exhausted ? "empty" : "not empty");
	CHECK(exhausted);
	rt_cleanup();
	CHECK_EQ(km_probe(), 1);
	CHECK(rt_get_pages(1) != 0);
	return 0;
}

const struct test kmem_tests[] = {
	TEST(kmem_task_churn_returns_memory),
	TEST(kmem_exhausted_then_recovers),
	TEST(kmem_thread_numbers_return_memory),
	{ 0 },
};

/* Run last: on failure they stop the machine. */
const struct test kmem_last_tests[] = {
	TEST(kmem_exhausted_sigma0_fault),
	{ 0 },
};
