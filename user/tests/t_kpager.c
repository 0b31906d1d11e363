/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kpagers of kpager/ (docs/writing-a-kpager.md): the FCFS and quota
 * kpagers, threads of the root task, lend the kernel memory of agent
 * tasks whose kpager they were made.  Counts are read back through
 * KmemControl STATS and LENT.  In a KMEM=pool kernel the same steps must
 * reach no kpager at all: each test checks that instead (lent is 0).
 */
#include "tests.h"
#include "../../kpager/kpager.h"

#define KT_RESERVE	32              /* pages of the root's, in slices per test */
#define KT_WINDOW	0x40000000UL    /* 4 MB regions agents never used */
#define KT_REGION	0x00400000UL
#define KT_VALUE	0x6b706772UL
#define KT_UTCBS	0x20000000UL    /* a UTCB area over two 4 MB regions */

static L4_Word_t reserve, value_page;
static L4_Word_t lent;                  /* kinds a kpager lends in this kernel */
static struct kpager_fcfs fcfs_a, fcfs_b;
static struct kpager_quota quota;
static struct kpager custom;

/* Slice n (of 4 pages) of the reserve; none of its pages may still be
 * lent from an earlier test. */
static const char *kt_start(L4_Word_t slice, L4_Word_t *base)
{
	lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (!reserve) {
		reserve = rt_get_pages(KT_RESERVE);
		value_page = t_page();
		CHECK(reserve != 0 && value_page != 0);
	}
	*base = reserve + slice * 4 * RT_PAGE_SIZE;
	for (L4_Word_t i = 0; i < 4; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, *base + i * RT_PAGE_SIZE), 0);
	((volatile L4_Word_t *)value_page)[0] = KT_VALUE;
	return 0;
}

static const char *kt_agent(L4_ThreadId_t *ag, L4_ThreadId_t kpager)
{
	CHECK(!L4_IsNilThread(kpager));
	*ag = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(*ag));
	CHECK_EQ(lent_kmem_control(ag->raw, LENT_KMEM_SET_KPAGER, kpager.raw), 1);
	return 0;
}

/* The task's pages of the kinds a kpager may lend, by STATS. */
static L4_Word_t kt_lendable(L4_ThreadId_t task)
{
	lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + LENT_KMEM_PT) + rt_mr(1 + LENT_KMEM_NT) + rt_mr(1 + LENT_KMEM_MAP);
}

static L4_Word_t kt_count(L4_ThreadId_t task, unsigned kind)
{
	lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + kind);
}

/* Main maps its value page into the agent at window; *mapped tells
 * whether the agent can read it afterwards (else its read faults to
 * main, its pager).  A map the agent's kernel memory is refused for
 * fails on both sides with message overflow at offset 0 (X.2 ErrorCode
 * 4), and only then is the page not there. */
static const char *kt_map(L4_ThreadId_t ag, L4_Word_t window, int *mapped)
{
	L4_Word_t res[5], sec;

	RUN(t_ag_accept(ag, window, 12));
	RUN(t_ag_give_map(ag, t_map_item(value_page, 12, L4_FullyAccessible, 0), res, &sec));
	if (sec) {
		CHECK_EQ(sec, L4_ErrMsgOverflow << 1);
		CHECK_EQ(res[1], L4_ErrMsgOverflow << 1 | 1);
	} else {
		CHECK_EQ(res[1], 0);
	}
	L4_MsgTag_t tag = rt_agent_cmd(ag, RT_AG_READ, 1, &window);
	if (t_ag_ok(tag)) {
		CHECK_EQ(rt_mr(1), KT_VALUE);
		CHECK_EQ(sec, 0);
		*mapped = 1;
		return 0;
	}
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(rt_mr(1), window);
	CHECK(sec != 0);
	*mapped = 0;
	return 0;
}

/* An FCFS kpager serves the agent's node table and page table (and a
 * page of mapping nodes if it needs one); what it lent is what STATS
 * counts, and each page is lent to the kernel. */
static const char *t_kpager_fcfs_serves_map(void)
{
	L4_Word_t base;
	L4_ThreadId_t ag;
	int mapped;

	RUN(kt_start(0, &base));
	RUN(kt_agent(&ag, fcfs_start(&fcfs_a, base, 4)));
	L4_Word_t before = kt_lendable(ag), nt0 = kt_count(ag, LENT_KMEM_NT);
	L4_Word_t pt0 = kt_count(ag, LENT_KMEM_PT);
	RUN(kt_map(ag, KT_WINDOW, &mapped));
	CHECK(mapped);
	CHECK_EQ(kt_count(ag, LENT_KMEM_NT), nt0 + 1);
	CHECK_EQ(kt_count(ag, LENT_KMEM_PT), pt0 + 1);
	if (!lent) {
		CHECK_EQ(fcfs_a.kp.faults + fcfs_a.kp.forged, 0);
		CHECK_EQ(fcfs_lent_to(&fcfs_a, ag), 0);
		return 0;
	}
	CHECK(fcfs_a.kp.served >= 2);
	CHECK_EQ(fcfs_a.kp.served, fcfs_a.kp.faults);
	CHECK_EQ(fcfs_a.kp.kinds[LENT_KMEM_NT], 1);
	CHECK_EQ(fcfs_a.kp.kinds[LENT_KMEM_PT], 1);
	CHECK_EQ(fcfs_a.kp.refusals + fcfs_a.kp.no_memory + fcfs_a.kp.forged, 0);
	CHECK_EQ(fcfs_lent_to(&fcfs_a, ag), fcfs_a.kp.served);
	CHECK_EQ(kt_lendable(ag), before + fcfs_a.kp.served);
	return 0;
}

/* An FCFS kpager with 4 pages runs dry after a map or two (each needs
 * at least a node table and a page table): the next map item is
 * refused, and the agent's read of it faults.  An agent with a kpager
 * of its own maps as before. */
static const char *t_kpager_fcfs_runs_out_others_go_on(void)
{
	L4_Word_t base_a, base_b, w = KT_WINDOW;
	L4_ThreadId_t a, b;
	int mapped = 1, maps = 0;

	RUN(kt_start(2, &base_a));
	RUN(kt_start(3, &base_b));
	RUN(kt_agent(&a, fcfs_start(&fcfs_a, base_a, 4)));
	RUN(kt_agent(&b, fcfs_start(&fcfs_b, base_b, 4)));
	for (; mapped && maps < 3; maps++, w += KT_REGION)
		RUN(kt_map(a, w, &mapped));
	if (!lent) {
		CHECK(mapped);
		CHECK_EQ(fcfs_a.kp.faults + fcfs_b.kp.faults, 0);
		RUN(kt_map(b, KT_WINDOW, &mapped));
		CHECK(mapped);
		return 0;
	}
	CHECK(!mapped);
	CHECK(maps >= 2);
	CHECK_EQ(fcfs_lent_to(&fcfs_a, a), 4);
	CHECK(fcfs_a.kp.no_memory >= 1);
	CHECK_EQ(fcfs_a.kp.refusals, 0);
	/* The other client, with its own kpager. */
	RUN(kt_map(b, KT_WINDOW, &mapped));
	CHECK(mapped);
	CHECK(fcfs_b.kp.served >= 2);
	CHECK_EQ(fcfs_b.kp.no_memory, 0);
	CHECK_EQ(fcfs_lent_to(&fcfs_b, b), fcfs_b.kp.served);
	return 0;
}

static const char *kt_space_control(L4_ThreadId_t t, L4_Word_t *ok)
{
	L4_Word_t old;

	*ok = L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
			      L4_FpageLog2(KT_UTCBS, 23), L4_nilthread, &old);
	return 0;
}

/* Quota: client A, a task made here, may have 4 pages; its SpaceControl
 * (page directory, the KIP's page table) and its first thread's UTCB (a
 * page table, the UTCB page) take them.  A second thread, whose UTCB
 * needs a third page table, gets ThreadControl error 8, while client B,
 * an agent, still has its map served.  After an upgrade of two pages
 * (from sigma0, the kpager's own pager), A's thread is created. */
static const char *t_kpager_quota_limits_one_client(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc(), v = rt_tid_alloc(), b;
	L4_Word_t base, ok;
	int mapped;

	RUN(kt_start(4, &base));
	RUN(kt_start(5, &ok));                  /* the next slice: 8 pages */
	CHECK(!L4_IsNilThread(quota_start(&quota, base, 8)));
	int ca = quota_client(&quota, 4), cb = quota_client(&quota, 8);
	CHECK(ca >= 0 && cb >= 0);
	CHECK_EQ(quota_add_thread(&quota, ca, t), 0);
	CHECK_EQ(L4_ThreadControl(t, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, quota.kp.thread.raw), 1);
	RUN(kt_space_control(t, &ok));
	CHECK_EQ(ok, 1);
	CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_nilthread, (void *)KT_UTCBS), 1);
	L4_Word_t tc = L4_ThreadControl(v, t, rt_main_thread(), L4_nilthread,
					(void *)(KT_UTCBS + KT_REGION));
	L4_Word_t err = L4_ErrorCode();
	RUN(kt_agent(&b, quota.kp.thread));
	CHECK_EQ(quota_add_thread(&quota, cb, b), 0);
	RUN(kt_map(b, KT_WINDOW, &mapped));
	CHECK(mapped);
	if (!lent) {
		CHECK_EQ(tc, 1);
		CHECK_EQ(quota.kp.faults, 0);
		CHECK_EQ(quota_used(&quota, ca) + quota_used(&quota, cb), 0);
	} else {
		CHECK_EQ(tc, 0);
		CHECK_EQ(err, 8);
		CHECK_EQ(quota_used(&quota, ca), 4);
		CHECK_EQ(quota.over[ca], 1);
		CHECK_EQ(quota.over[cb], 0);
		CHECK_EQ(kt_count(t, LENT_KMEM_PT), 2);    /* KIP, u's UTCB, v's not */
		CHECK_EQ(kt_count(t, LENT_KMEM_UTCB), 1);  /* u's */
		CHECK(quota_used(&quota, cb) >= 2);
		/* The upgrade: two more pages for A. */
		L4_Word_t size = kpager_pool_size(&quota.kp.pool);
		CHECK_EQ(quota_upgrade(&quota, ca, 2), 0);
		CHECK_EQ(kpager_pool_size(&quota.kp.pool), size + 2);
		CHECK_EQ(quota.limit[ca], 6);
		CHECK_EQ(L4_ThreadControl(v, t, rt_main_thread(), L4_nilthread,
					  (void *)(KT_UTCBS + KT_REGION)), 1);
		CHECK_EQ(quota_used(&quota, ca), 6);
		CHECK_EQ(quota.over[ca], 1);
	}
	CHECK_EQ(quota.unknown + quota.kp.forged + quota.kp.refusals, 0);
	CHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

/* A task is the client, whichever of its threads a fault names: a
 * UTCB placed by ThreadControl names that thread, and counts against the
 * task's limit, registered under another thread first.  A thread nobody
 * registered gets nothing. */
static const char *t_kpager_quota_counts_threads_of_a_task(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc(), v = rt_tid_alloc();
	L4_Word_t base, ok;

	RUN(kt_start(6, &base));
	CHECK(!L4_IsNilThread(quota_start(&quota, base, 4)));
	int ca = quota_client(&quota, 4);
	CHECK_EQ(quota_add_thread(&quota, ca, t), 0);
	CHECK_EQ(L4_ThreadControl(t, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, quota.kp.thread.raw), 1);
	RUN(kt_space_control(t, &ok));
	CHECK_EQ(ok, 1);
	/* u and v exist without UTCBs; placing u's names u, not yet known. */
	CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(v, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	L4_Word_t tc = L4_ThreadControl(u, t, L4_nilthread, L4_nilthread, (void *)KT_UTCBS);
	L4_Word_t err = L4_ErrorCode();
	if (!lent) {
		CHECK_EQ(tc, 1);
		CHECK_EQ(quota.kp.faults, 0);
	} else {
		CHECK_EQ(tc, 0);
		CHECK_EQ(err, 8);
		CHECK_EQ(quota.unknown, 1);
		CHECK_EQ(quota_used(&quota, ca), 2);        /* SpaceControl's */
		/* Registered, u's pages (a page table, the UTCB page) count
		 * against the task's 4 pages. */
		CHECK_EQ(quota_add_thread(&quota, ca, u), 0);
		CHECK_EQ(L4_ThreadControl(u, t, L4_nilthread, L4_nilthread, (void *)KT_UTCBS), 1);
		CHECK_EQ(quota_used(&quota, ca), 4);
		/* v's UTCB, in the other region, would need a fifth. */
		CHECK_EQ(quota_add_thread(&quota, ca, v), 0);
		CHECK_EQ(L4_ThreadControl(v, t, L4_nilthread, L4_nilthread,
					  (void *)(KT_UTCBS + KT_REGION)), 0);
		CHECK_EQ(L4_ErrorCode(), 8);
		CHECK_EQ(quota.over[ca], 1);
		CHECK_EQ(quota_used(&quota, ca), 4);
	}
	CHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

/* The kpager's own pager for the upgrade below: the next slice. */
static L4_Word_t more_base;

static L4_Word_t kt_more(L4_Word_t n)
{
	L4_Word_t b = more_base;

	more_base = 0;
	return n <= 4 ? b : 0;
}

/* Quota through maps: agent A may have 2 pages.  Its maps into new
 * regions are refused once it holds them, and its read of the refused
 * page faults to main.  After an upgrade of 2 pages (through a pager
 * callback) main's answer to that fault, a map item, is served: the
 * kernel memory it needs is lent now. */
static const char *t_kpager_quota_map_refused_until_upgrade(void)
{
	L4_Word_t base, w = KT_WINDOW;
	L4_ThreadId_t a;
	int mapped = 1, maps = 0;

	RUN(kt_start(0, &base));
	RUN(kt_start(1, &more_base));
	CHECK(!L4_IsNilThread(quota_start(&quota, base, 4)));
	quota.kp.more = kt_more;
	int ca = quota_client(&quota, 2);
	RUN(kt_agent(&a, quota.kp.thread));
	CHECK_EQ(quota_add_thread(&quota, ca, a), 0);
	for (; mapped && maps < 2; maps++)
		RUN(kt_map(a, w += KT_REGION, &mapped));
	if (!lent) {
		CHECK(mapped);
		CHECK_EQ(quota.kp.faults, 0);
		return 0;
	}
	CHECK(!mapped);
	CHECK_EQ(quota_used(&quota, ca), 2);
	CHECK(quota.over[ca] >= 1);
	CHECK_EQ(quota_upgrade(&quota, ca, 2), 0);
	CHECK_EQ(more_base, 0);                 /* asked for, once */
	CHECK_EQ(kpager_pool_size(&quota.kp.pool), 6);
	/* The agent waits for main's answer to its fault at w. */
	L4_MapItem_t m = t_map_item(value_page, 12, L4_FullyAccessible, w);
	t_load(0, 0, 0, 2, m.raw);
	CHECK(L4_IpcSucceeded(L4_Send(a)));
	L4_MsgTag_t tag = rt_agent_result(a, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), KT_VALUE);
	CHECK(quota_used(&quota, ca) > 2);
	CHECK(quota_used(&quota, ca) <= 4);
	CHECK_EQ(quota.kp.refusals + quota.kp.forged + quota.unknown, 0);
	return 0;
}

/* When a client dies its pages come back: the kpager finds them again
 * (KmemControl LENT) and lends them to the next client, though its pool
 * had run dry. */
static const char *t_kpager_pages_back_lent_again(void)
{
	L4_Word_t base, w = KT_WINDOW;
	L4_ThreadId_t a, b;
	int mapped = 1, maps = 0;

	RUN(kt_start(1, &base));
	L4_ThreadId_t kp = fcfs_start(&fcfs_a, base, 4);
	RUN(kt_agent(&a, kp));
	for (; mapped && maps < 3; maps++, w += KT_REGION)
		RUN(kt_map(a, w, &mapped));
	if (!lent) {
		CHECK(mapped);
		CHECK_EQ(fcfs_a.kp.faults, 0);
		return 0;
	}
	CHECK(!mapped);
	CHECK_EQ(fcfs_lent_to(&fcfs_a, a), 4);
	L4_Word_t served = fcfs_a.kp.served;
	CHECK_EQ(rt_release(a), 1);
	for (L4_Word_t i = 0; i < 4; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, base + i * RT_PAGE_SIZE), 0);
	CHECK_EQ(fcfs_lent_to(&fcfs_a, a), 0);
	RUN(kt_agent(&b, kp));
	RUN(kt_map(b, KT_WINDOW, &mapped));
	CHECK(mapped);
	CHECK(fcfs_a.kp.reclaimed >= 2);
	CHECK(fcfs_a.kp.served >= served + 2);
	CHECK_EQ(fcfs_lent_to(&fcfs_a, b), fcfs_a.kp.served - served);
	return 0;
}

/* A fault-shaped message from a thread that waits for no kernel page
 * fault gets no answer, and the kpager lends nothing. */
static const char *t_kpager_forged_fault_gets_nothing(void)
{
	L4_Word_t base, w[3] = { LENT_CID_PT_BASE, LENT_KMEM_PT, 0 };
	L4_MsgTag_t tag;

	RUN(kt_start(0, &base));
	L4_ThreadId_t kp = fcfs_start(&fcfs_a, base, 4);
	CHECK(!L4_IsNilThread(kp));
	w[2] = L4_Myself().raw;
	rt_msg(LENT_LABEL_KPF, 3, w);
	L4_Accept(L4_MapGrantItems(L4_FpageLog2(0x7e000000UL, 12)));
	tag = L4_Call_Timeouts(kp, L4_Never, rt_us(200000));
	L4_Accept(L4_UntypedWordsAcceptor);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(L4_ErrorCode(), EC_RECV(1));
	CHECK_EQ(fcfs_a.kp.forged, 1);
	CHECK_EQ(fcfs_a.kp.faults + fcfs_a.kp.served, 0);
	CHECK_EQ(kpager_pool_count(&fcfs_a.kp.pool, KPAGER_FREE), 4);
	return 0;
}

/* A policy that first offers a page it does not have: the kernel refuses
 * it (IPC error 4, reason "not mapped"), the library notes it and asks
 * the policy again, and the client is served. */
static L4_Word_t bad_first(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid,
			   unsigned kind)
{
	(void)cid;
	(void)kind;
	if (kp->refusals == 0)
		return 0x3f000000UL;         /* nothing of the root's there */
	return kpager_pool_take(kp, client.raw);
}

static const char *t_kpager_refusal_noted_then_served(void)
{
	L4_Word_t base;
	L4_ThreadId_t ag;
	int mapped;

	RUN(kt_start(7, &base));
	kpager_init(&custom, bad_first, 0);
	CHECK_EQ(kpager_pool_add(&custom.pool, base, 4), 0);
	RUN(kt_agent(&ag, kpager_start(&custom)));
	RUN(kt_map(ag, KT_WINDOW, &mapped));
	CHECK(mapped);
	if (!lent) {
		CHECK_EQ(custom.faults, 0);
		return 0;
	}
	CHECK_EQ(custom.refusals, 1);
	CHECK_EQ(custom.last_refusal, LENT_KPF_NOT_MAPPED);
	CHECK(custom.served >= 2);
	CHECK_EQ(custom.served, custom.faults);
	CHECK_EQ(custom.no_memory + custom.lost, 0);
	return 0;
}

const struct test kpager_tests[] = {
	TEST(kpager_fcfs_serves_map),
	TEST(kpager_fcfs_runs_out_others_go_on),
	TEST(kpager_quota_limits_one_client),
	TEST(kpager_quota_counts_threads_of_a_task),
	TEST(kpager_quota_map_refused_until_upgrade),
	TEST(kpager_pages_back_lent_again),
	TEST(kpager_forged_fault_gets_nothing),
	TEST(kpager_refusal_noted_then_served),
	{ 0 }
};
