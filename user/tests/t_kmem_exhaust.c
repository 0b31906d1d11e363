/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel memory runs dry: hog tasks empty the pool (in a KMEM=lent
 * kernel: what sigma0 lends to unprivileged tasks), and everything must
 * come back when they are deleted; sigma0 must survive faulting on its
 * own memory with the pool empty.  The pool is measured as t_kmem.h
 * says.
 */
#include "t_kmem.h"

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

/* Hog windows: one page into every 4 MB region from 8 MB up to 0xBE000000
 * (the image is at 6 MB, the UTCB and KIP areas are above). */
#define KM_HOG_FIRST	2
#define KM_HOG_END	760
#define KM_HOG_ITEMS	31
#define KM_MAX_HOGS	12

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

/* ---- exhaustion ---- */

/* One page of ours into every hog region of the agent, 31 per message:
 * a page table and a node table each. */
static const char *km_fill(L4_ThreadId_t ag)
{
	L4_Word_t items[2 * KM_HOG_ITEMS], r;
	int full = 0;

	RUN(km_accept(ag, L4_CompleteAddressSpace));
	for (r = KM_HOG_FIRST; r < KM_HOG_END; r += KM_HOG_ITEMS) {
		int k, n = 0;

		for (k = 0; k < KM_HOG_ITEMS && r + k < KM_HOG_END; k++, n++) {
			L4_MapItem_t m = t_map_item((L4_Word_t)km_page, 12, L4_Readable,
						    (r + k) << 22);

			items[2 * k] = m.raw[0];
			items[2 * k + 1] = m.raw[1];
		}
		RUN(km_give_full(ag, 2 * n, items, &full));
		if (full)
			return 0;       /* its kernel memory ran out */
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
 * after this one.  What is checked is the same, on fewer requests.  (64
 * left 44 KB at 8 MB once the suite grew, less than the last tests,
 * t_s0hang.c, need for the root task at their end.) */
#define KM_S0_AFTER_LENT 40
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
			if (L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }) &&
			    rt_mr(2) == (L4_ErrMsgOverflow << 1 | 1)) {
				/* sigma0's map could not be made for want of
				 * the agent's kernel memory: message overflow
				 * (X.2), sigma0 answered. */
				exhausted = 1;
				after++;
				continue;
			}
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

const struct test kmem_exhaust_tests[] = {
	TEST(kmem_exhausted_then_recovers),
	{ 0 },
};

/* Run last: on failure they stop the machine. */
const struct test kmem_last_tests[] = {
	TEST(kmem_exhausted_sigma0_fault),
	{ 0 },
};
