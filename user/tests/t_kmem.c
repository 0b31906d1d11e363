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
#include "t_kmem.h"

#define KM_WB		0x30000000UL
#define KM_CHURN	2000

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

/* ---- churn ---- */

#define KM_NOWHERE	0x50000000UL	/* mapped in no agent */

static L4_ThreadId_t km_agent(void)
{
	L4_ThreadId_t a = rt_agent_create(rt_pager());

	if (L4_IsNilThread(a))
		printf("#   task creation failed: error %lu\n", rt_last_error());
	return a;
}

/* Wait until rt's pager has seen (and left unanswered) a fault at addr,
 * for as long as it takes (t_sync.h). */
static void km_pager_saw(L4_Word_t before, L4_Word_t addr)
{
	while (rt_pager_unhandled == before || rt_pager_last_unhandled != addr)
		rt_sleep_us(1000);
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
		km_pager_saw(before, KM_WB);
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
		km_pager_saw(before, KM_NOWHERE);
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
		/* A sign of life now and then: the harness calls a run with
		 * no serial output for 60 s hung, and 2000 pairs on a loaded
		 * host can take longer than that. */
		if (i % 250 == 249)
			printf("#   %lu pairs made and deleted\n", i + 1);
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

const struct test kmem_tests[] = {
	TEST(kmem_task_churn_returns_memory),
	{ 0 },
};

/* Run after t_kmem_exhaust.c's kmem_exhaust_tests. */
const struct test kmem_numbers_tests[] = {
	TEST(kmem_thread_numbers_return_memory),
	{ 0 },
};
