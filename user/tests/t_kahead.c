/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lending ahead (kernel/kmem_ahead.c, docs/kpager-protocol.md "Lending
 * ahead"): a kpager lends a task frames before it needs them (KmemControl
 * LEND_AHEAD); they wait unbound in the task's reserve, and a gather
 * that finds a page missing binds one to the page's content identifier
 * without a kernel page fault.  The test kpager of t_kpf_kp.c serves the
 * agent and logs every kernel page fault it gets; main, a thread of the
 * kpager's task, lends ahead pages of its own (ka_page) for it.  In a
 * KMEM=pool kernel LEND_AHEAD must fail with error 5, reason
 * LENT_KPF_NOT_LENT_HERE, and nothing else changes.  The suite runs the
 * self-check after every test; the tests also ask for it between steps.
 */
#include "t_kpf.h"
#include "../../kpager/kpager.h"
#include "t_sync.h"

#define KA_RWIN		0x50000000UL	/* the root's, above any RAM the suite runs with */
#define KA_EC_REFUSED	5		/* ErrorCode of a refused LEND_AHEAD */

/* The pages main lends ahead: the test kpager's pool from its top down
 * (it answers faults from the bottom up, and no test here has it answer
 * more than KP_POOL - KA_PAGES of them), so that the suite takes no more
 * memory for good; at 8 MB the exhaustion tests at its end need it. */
#define KA_PAGES	(LENT_KAHEAD_MAX + 4)

static L4_Word_t ka_page(unsigned i)
{
	return kph.pool + (KP_POOL - 1 - i) * RT_PAGE_SIZE;
}

/* The test kpager, and the pages to lend ahead, none of them lent. */
static const char *ka_start(void)
{
	RUN(kp_start(KP_SERVE));
	for (unsigned i = 0; i < KA_PAGES; i++) {
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka_page(i)), 0);
		((volatile L4_Word_t *)ka_page(i))[0] = 0xa4ead000UL + i;
	}
	return 0;
}

static L4_Word_t ka_unbound(L4_ThreadId_t task)
{
	(void)lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(LENT_KMEM_STAT_AHEAD);
}

static const char *ka_selfcheck(void)
{
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

/* Lend page i ahead to task: taken, the reserve holds want after. */
static const char *ka_lend(L4_ThreadId_t task, unsigned i, L4_Word_t want)
{
	CHECK_EQ(lent_kmem_control(task.raw, LENT_KMEM_LEND_AHEAD, ka_page(i)), want);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka_page(i)), 1);
	return 0;
}

/* Lending page at task is refused with ErrorCode ec (and reason why, for
 * ec 5), and nothing changes. */
static const char *ka_refused(L4_ThreadId_t task, L4_Word_t page, L4_Word_t ec, L4_Word_t why)
{
	L4_Word_t before = ka_unbound(task), was_lent = lent_kmem_control(0, LENT_KMEM_LENT, page);

	CHECK_EQ(lent_kmem_control(task.raw, LENT_KMEM_LEND_AHEAD, page), 0);
	CHECK_EQ(L4_ErrorCode(), ec);
	if (ec == KA_EC_REFUSED)
		CHECK_EQ(rt_mr(1), why);
	CHECK_EQ(ka_unbound(task), before);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), was_lent);
	return 0;
}

/* WHERE of page i for task: lent there at cid, of kind. */
static const char *ka_where(L4_ThreadId_t task, unsigned i, L4_Word_t cid, L4_Word_t kind)
{
	CHECK_EQ(lent_kmem_control(task.raw, LENT_KMEM_WHERE, ka_page(i)), 1);
	CHECK_EQ(rt_mr(1), cid);
	CHECK_EQ(rt_mr(2), kind);
	return 0;
}

/* A KMEM=pool kernel: the operation answers a clear error. */
static const char *ka_pool_refuses(L4_ThreadId_t ag)
{
	RUN(ka_refused(ag, ka_page(0), KA_EC_REFUSED, LENT_KPF_NOT_LENT_HERE));
	CHECK_EQ(kp.n, 0);
	return 0;
}

/* The test kpager, an agent it serves, and pages 0 .. lent - 1 lent
 * ahead to the agent.  In a KMEM=pool kernel LEND_AHEAD's refusal is
 * checked instead, and *pool is 1: the test has nothing more to do. */
static const char *ka_agent(L4_ThreadId_t *ag, unsigned lent, int *pool)
{
	RUN(ka_start());
	RUN(t_kp_agent(ag, kph.thread));
	*pool = !kph.lent_kinds;
	if (*pool)
		return ka_pool_refuses(*ag);
	for (unsigned i = 0; i < lent; i++)
		RUN(ka_lend(*ag, i, i + 1));
	return 0;
}

/* Frames lent ahead wait unbound: LENT, STATS MR13 and WHERE say so;
 * the kpager got no kernel page fault. */
static const char *t_kahead_lend_waits_unbound(void)
{
	L4_ThreadId_t ag;
	int pool;

	RUN(ka_agent(&ag, 0, &pool));
	if (pool)
		return 0;
	CHECK_EQ(ka_unbound(ag), 0);
	RUN(ka_lend(ag, 0, 1));
	RUN(ka_lend(ag, 1, 2));
	CHECK_EQ(ka_unbound(ag), 2);
	RUN(ka_where(ag, 0, LENT_CID_UNBOUND, LENT_KMEM_KINDS));
	RUN(ka_where(ag, 1, LENT_CID_UNBOUND, LENT_KMEM_KINDS));
	/* Not lent to another task, nor is a page never lent. */
	CHECK_EQ(lent_kmem_control(L4_Myself().raw, LENT_KMEM_WHERE, ka_page(0)), 0);
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_WHERE, ka_page(2)), 0);
	CHECK_EQ(kp.n, 0);
	return ka_selfcheck();
}

/* A map that needs a node table and a page table takes both from the
 * reserve, in fault order (the top of the reserve first): no kernel page
 * fault reaches the kpager, the task counts both, WHERE reports each
 * frame's content identifier, and the mapping works. */
static const char *t_kahead_fault_served_from_reserve(void)
{
	L4_ThreadId_t ag;
	int pool;

	RUN(ka_agent(&ag, 2, &pool));
	if (pool)
		return 0;
	/* Lent ahead, not yet counted as any kind. */
	L4_Word_t nt0 = kp_count(ag, LENT_KMEM_NT), pt0 = kp_count(ag, LENT_KMEM_PT);
	RUN(kp_map_into(ag, KP_WINDOW));
	CHECK_EQ(kp.n, 0);
	CHECK_EQ(ka_unbound(ag), 0);
	CHECK_EQ(kp_count(ag, LENT_KMEM_NT), nt0 + 1);
	CHECK_EQ(kp_count(ag, LENT_KMEM_PT), pt0 + 1);
	RUN(ka_where(ag, 1, lent_cid_nt(KP_WINDOW), LENT_KMEM_NT));
	RUN(ka_where(ag, 0, lent_cid_pt(KP_WINDOW), LENT_KMEM_PT));
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	CHECK_EQ(kp.n, 0);
	return ka_selfcheck();
}

/* A reserve of one frame: the node table comes from it, and only the
 * page table is asked of the kpager. */
static const char *t_kahead_short_reserve_asks_the_rest(void)
{
	L4_ThreadId_t ag;
	int pool;

	RUN(ka_agent(&ag, 1, &pool));
	if (pool)
		return 0;
	RUN(kp_map_into(ag, KP_WINDOW));
	CHECK_EQ(kp.n, 1);
	CHECK_EQ(kp.kind[0], LENT_KMEM_PT);
	CHECK_EQ(kp.cid[0], lent_cid_pt(KP_WINDOW));
	RUN(ka_where(ag, 0, lent_cid_nt(KP_WINDOW), LENT_KMEM_NT));
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	return ka_selfcheck();
}

/* Take back the kpager's page: revoke its rights from what was derived
 * (the kernel's use), its own mapping stays. */
static void ka_take_back(L4_Word_t page)
{
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
}

/* An unbound frame taken back just goes back (zeroed when lent, nothing
 * to export); the reserve shrinks, the top frame fills its slot, and the
 * rest still serves the next fault. */
static const char *t_kahead_unbound_frame_taken_back(void)
{
	L4_ThreadId_t ag;
	int pool;

	RUN(ka_agent(&ag, 3, &pool));
	if (pool)
		return 0;
	ka_take_back(ka_page(1));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka_page(1)), 0);
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_WHERE, ka_page(1)), 0);
	CHECK_EQ(ka_unbound(ag), 2);
	CHECK_EQ(((volatile L4_Word_t *)ka_page(1))[0], 0);
	RUN(ka_selfcheck());
	/* Page 2 moved into page 1's slot and is the top: the node table. */
	RUN(kp_map_into(ag, KP_WINDOW));
	CHECK_EQ(kp.n, 0);
	RUN(ka_where(ag, 2, lent_cid_nt(KP_WINDOW), LENT_KMEM_NT));
	RUN(ka_where(ag, 0, lent_cid_pt(KP_WINDOW), LENT_KMEM_PT));
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	return ka_selfcheck();
}

/* A bound frame is taken back as its kind is: the page table vacant,
 * asked for again by a kernel page fault for its content identifier
 * when the task next touches the page (the reserve is empty). */
static const char *t_kahead_bound_frame_taken_back(void)
{
	L4_ThreadId_t ag;
	int pool;

	RUN(ka_agent(&ag, 2, &pool));
	if (pool)
		return 0;
	RUN(kp_map_into(ag, KP_WINDOW));
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	L4_Word_t pt = kp_count(ag, LENT_KMEM_PT);
	ka_take_back(ka_page(0));                 /* the page table */
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka_page(0)), 0);
	CHECK_EQ(kp_count(ag, LENT_KMEM_PT), pt - 1);
	for (unsigned w = 0; w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
		CHECK_EQ(((volatile L4_Word_t *)ka_page(0))[w], 0);
	RUN(ka_selfcheck());
	CHECK_EQ(kp.n, 0);
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	CHECK_EQ(kp.n, 1);
	CHECK_EQ(kp.kind[0], LENT_KMEM_PT);
	CHECK_EQ(kp.cid[0], lent_cid_pt(KP_WINDOW));
	CHECK_EQ(kp_count(ag, LENT_KMEM_PT), pt);
	return ka_selfcheck();
}

/* The task dies: every frame of its reserve goes back. */
static const char *t_kahead_task_death_returns_reserve(void)
{
	L4_ThreadId_t ag;
	int pool;

	RUN(ka_agent(&ag, 4, &pool));
	if (pool)
		return 0;
	RUN(kp_map_into(ag, KP_WINDOW));          /* binds two of them */
	CHECK_EQ(ka_unbound(ag), 2);
	RUN(ka_selfcheck());
	CHECK(rt_release(ag));
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka_page(i)), 0);
	return ka_selfcheck();
}

/* A frame lent ahead to one task is never used for another: a second
 * client of the same kpager faults to it, and the first's reserve stays. */
static const char *t_kahead_reserve_is_its_task_only(void)
{
	L4_ThreadId_t a, b;

	RUN(ka_start());
	RUN(t_kp_agent(&a, kph.thread));
	RUN(t_kp_agent(&b, kph.thread));
	if (!kph.lent_kinds)
		return ka_pool_refuses(a);
	RUN(ka_lend(a, 0, 1));
	RUN(ka_lend(a, 1, 2));
	RUN(kp_map_into(b, KP_WINDOW));
	CHECK(kp.n >= 1);
	for (L4_Word_t i = 0; i < kp.n; i++)
		CHECK_EQ(kp.task[i], b.raw);
	CHECK_EQ(ka_unbound(a), 2);
	RUN(ka_where(a, 0, LENT_CID_UNBOUND, LENT_KMEM_KINDS));
	RUN(ka_where(a, 1, LENT_CID_UNBOUND, LENT_KMEM_KINDS));
	RUN(t_ag_reads(b, KP_WINDOW, KP_VALUE));
	return ka_selfcheck();
}

/* A root thread that takes one map item into KA_RWIN. */
static void ka_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	for (;;) {
		L4_Accept(L4_MapGrantItems(L4_FpageLog2(KA_RWIN, 12)));
		(void)L4_Wait(&from);
	}
}

/* A hostile lender: each refused with its error code, nothing lent. */
static const char *t_kahead_hostile_lends_refused(void)
{
	L4_ThreadId_t a, b, other, r;
	L4_Word_t res[5], sec, send[4];

	RUN(ka_start());
	RUN(t_kp_agent(&a, kph.thread));
	RUN(t_kp_agent(&b, kph.thread));
	RUN(t_kp_agent(&other, L4_nilthread));   /* not our client */
	if (!kph.lent_kinds)
		return ka_pool_refuses(a);
	/* Lent to the kernel already: in a's reserve, offered again to a
	 * and to another task, b. */
	RUN(ka_lend(a, 0, 1));
	RUN(ka_refused(a, ka_page(0), KA_EC_REFUSED, LENT_KPF_LENT_ALREADY));
	RUN(ka_refused(b, ka_page(0), KA_EC_REFUSED, LENT_KPF_LENT_ALREADY));
	/* Bound already, to a. */
	RUN(ka_lend(a, 1, 2));
	RUN(kp_map_into(a, KP_WINDOW));
	RUN(ka_refused(b, ka_page(1), KA_EC_REFUSED, LENT_KPF_LENT_ALREADY));
	/* For a task whose kpager is not of the caller's task. */
	RUN(ka_refused(other, ka_page(2), 1, 0));
	/* sigma0 has no kpager. */
	RUN(ka_refused(rt_sigma0(), ka_page(2), 3, 0));
	/* No page there. */
	RUN(ka_refused(a, KA_RWIN, KA_EC_REFUSED, LENT_KPF_NOT_MAPPED));
	/* Not held alone: a page b mapped to the root. */
	RUN(t_ag_accept(b, KP_WINDOW2, 12));
	RUN(t_ag_give_map(b, t_map_item(ka_page(3), 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	r = rt_thread_create(ka_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	CHECK(t_waiting(r));
	L4_MapItem_t m = t_map_item(KP_WINDOW2, 12, L4_FullyAccessible, 0);
	send[0] = r.raw;
	send[1] = t_tag(0, 0, 2).raw;
	send[2] = m.raw[0];
	send[3] = m.raw[1];
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_SEND, 4, send)));
	CHECK_EQ(rt_mr(2), 0);
	CHECK_EQ(((volatile L4_Word_t *)KA_RWIN)[0], 0xa4ead003UL);
	RUN(ka_refused(a, KA_RWIN, KA_EC_REFUSED, LENT_KPF_SHARED));
	CHECK_EQ(((volatile L4_Word_t *)KA_RWIN)[0], 0xa4ead003UL);
	/* More than the bound: the reserve holds LENT_KAHEAD_MAX. */
	L4_Word_t have = ka_unbound(b);
	for (unsigned i = 4; have < LENT_KAHEAD_MAX; i++)
		RUN(ka_lend(b, i, ++have));
	RUN(ka_refused(b, ka_page(0), KA_EC_REFUSED, LENT_KPF_AHEAD_FULL));
	/* The only kernel page faults were b's, for its window (a's map was
	 * served from its reserve). */
	for (L4_Word_t i = 0; i < kp.n; i++)
		CHECK_EQ(kp.task[i], b.raw);
	/* The root's mapping at KA_RWIN goes with b, at the test's end. */
	return ka_selfcheck();
}

/* The library's FCFS kpager lends ahead when told: a client asks it to
 * top its reserve up, faults with no kernel page fault, and the next
 * top-up finds both frames bound (WHERE) and lends two more. */
static struct kpager_fcfs ka_fcfs;

static const char *t_kahead_fcfs_tops_up(void)
{
	L4_ThreadId_t ag, kpt;
	L4_Word_t send[2];

	RUN(ka_start());
	/* Its pool: ka_page(7) to ka_page(0), from the lowest. */
	kpt = fcfs_start(&ka_fcfs, ka_page(7), 8);
	CHECK(!L4_IsNilThread(kpt));
	fcfs_set_ahead(&ka_fcfs, 2);
	RUN(t_kp_agent(&ag, kpt));
	/* The agent asks (a send; the kpager's reply finds it not waiting). */
	send[0] = kpt.raw;
	send[1] = t_tag(KPAGER_AHEAD_LABEL, 0, 0).raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SEND, 2, send)));
	if (!kph.lent_kinds) {
		t_until(&ka_fcfs.kp.ahead_refused, 1);
		CHECK_EQ(ka_fcfs.kp.ahead_last_refusal, LENT_KPF_NOT_LENT_HERE);
		CHECK_EQ(ka_fcfs.kp.ahead_lent, 0);
		return 0;
	}
	t_until_at_least(&ka_fcfs.kp.ahead_lent, 2);
	CHECK_EQ(ka_fcfs.kp.ahead_lent, 2);
	CHECK_EQ(ka_unbound(ag), 2);
	L4_Word_t faults = ka_fcfs.kp.faults;
	RUN(kp_map_into(ag, KP_WINDOW));
	CHECK_EQ(ka_fcfs.kp.faults, faults);
	CHECK_EQ(ka_unbound(ag), 0);
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SEND, 2, send)));
	t_until_at_least(&ka_fcfs.kp.ahead_lent, 4);
	CHECK_EQ(ka_fcfs.kp.ahead_lent, 4);
	CHECK_EQ(ka_fcfs.kp.ahead_bound, 2);
	/* It asks in the order it lent; the second frame, the reserve's
	 * top, was bound first: to the node table. */
	CHECK_EQ(ka_fcfs.kp.ahead_last_cid, lent_cid_nt(KP_WINDOW));
	CHECK_EQ(ka_unbound(ag), 2);
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	RUN(ka_selfcheck());
	CHECK(rt_release(ag));
	CHECK_EQ(fcfs_lent_to(&ka_fcfs, ag), 0);
	return ka_selfcheck();
}

const struct test kahead_tests[] = {
	TEST(kahead_lend_waits_unbound),
	TEST(kahead_fault_served_from_reserve),
	TEST(kahead_short_reserve_asks_the_rest),
	TEST(kahead_unbound_frame_taken_back),
	TEST(kahead_bound_frame_taken_back),
	TEST(kahead_task_death_returns_reserve),
	TEST(kahead_reserve_is_its_task_only),
	TEST(kahead_hostile_lends_refused),
	TEST(kahead_fcfs_tops_up),
	{ 0, 0 },
};
