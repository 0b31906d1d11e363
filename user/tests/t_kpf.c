/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel page faults (kernel/kpf.c, docs/kpager-protocol.md): a task's
 * kernel memory comes from its kpager, asked by IPC, kind by kind.  A
 * test kpager thread in the root task answers the faults of an agent
 * task whose kpager it was made; it logs each fault and answers as the
 * test says: with a page of its own, with a bad one, or with nothing.
 * In a KMEM=pool kernel the same operations must ask no kpager at all:
 * each test checks that instead (kph.lent_kinds is 0 there).
 */
#include "t_kpf.h"

/* The receiver's node table, then its page table, each asked of its own
 * kpager with the right kind, content identifier and task, while the
 * sender waits; the mapping then works. */
static const char *t_kpf_map_item_faults_in_order(void)
{
	L4_ThreadId_t ag;

	RUN(kp_start(KP_SERVE));
	RUN(t_kp_agent(&ag, kph.thread));
	L4_Word_t nt0 = kp_count(ag, LENT_KMEM_NT), pt0 = kp_count(ag, LENT_KMEM_PT);
	RUN(kp_map_into(ag, KP_WINDOW));
	CHECK_EQ(kp_count(ag, LENT_KMEM_NT), nt0 + 1);
	CHECK_EQ(kp_count(ag, LENT_KMEM_PT), pt0 + 1);
	if (!kph.lent_kinds) {
		CHECK_EQ(kp.n, 0);
		return t_ag_reads(ag, KP_WINDOW, KP_VALUE);
	}
	CHECK_EQ(kph.lent_kinds, (1UL << LENT_KMEM_TASK) | (1UL << LENT_KMEM_PDIR) |
				 (1UL << LENT_KMEM_PT) | (1UL << LENT_KMEM_NT) | (1UL << LENT_KMEM_MAP) |
				 (1UL << LENT_KMEM_TCB) | (1UL << LENT_KMEM_UTCB));
	CHECK(kp.n >= 2);
	CHECK_EQ(kp.kind[0], LENT_KMEM_NT);
	CHECK_EQ(kp.cid[0], lent_cid_nt(KP_WINDOW));
	CHECK_EQ(kp.kind[kp.n - 1], LENT_KMEM_PT);
	CHECK_EQ(kp.cid[kp.n - 1], lent_cid_pt(KP_WINDOW));
	for (L4_Word_t i = 0; i < kp.n; i++) {
		CHECK_EQ((L4_Word_t)lent_cid_kind(kp.cid[i]), kp.kind[i]);
		CHECK_EQ(kp.task[i], ag.raw);
		CHECK_EQ(kp.from[i], ag.raw);
	}
	CHECK_EQ(kp.failed, 0);
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	return 0;
}

/* While a frame is lent, no user level reaches it: the kpager's own
 * translation is gone, KmemControl says it is lent, and mapping it on
 * to a client gives that client no access. */
static const char *t_kpf_lent_frame_reaches_no_user(void)
{
	L4_ThreadId_t ag;
	L4_Word_t res[5], sec;

	RUN(kp_start(KP_SERVE));
	RUN(t_kp_agent(&ag, kph.thread));
	RUN(kp_map_into(ag, KP_WINDOW));
	if (!kph.lent_kinds) {
		CHECK_EQ(kp.nlent, 0);
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kph.pool), 0);
		return 0;
	}
	CHECK(kp.nlent >= 2);
	L4_Word_t lent = kp.lent[0];
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, lent), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kph.pool + (KP_POOL - 1) * RT_PAGE_SIZE), 0);
	/* Map the lent page to the agent next to the first one. */
	RUN(t_ag_accept(ag, KP_WINDOW + RT_PAGE_SIZE, 12));
	RUN(t_ag_give_map(ag, t_map_item(lent, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_faults(ag, KP_WINDOW + RT_PAGE_SIZE, 0));
	return 0;
}

/* A kpager's bad answer is refused with an error it sees, and its
 * client waits on for a good one. */
static const char *kp_refused_then_served(enum kp_mode mode, L4_Word_t why)
{
	L4_ThreadId_t ag;

	RUN(kp_start(mode));
	if (mode == KP_LENT_FIRST) {
		/* Something lent already: a first agent's node table. */
		L4_ThreadId_t first;
		kp.mode = KP_SERVE;
		RUN(t_kp_agent(&first, kph.thread));
		RUN(kp_map_into(first, KP_WINDOW));
		kp.mode = mode;
	}
	RUN(t_kp_agent(&ag, kph.thread));
	RUN(kp_map_into(ag, KP_WINDOW2));
	if (!kph.lent_kinds) {
		CHECK_EQ(kp.n, 0);
		return t_ag_reads(ag, KP_WINDOW2, KP_VALUE);
	}
	CHECK_EQ(kp.failed, 1);
	CHECK_EQ(kp.reply_ec[0], EC_SEND(4) | (why << 4));
	RUN(t_ag_reads(ag, KP_WINDOW2, KP_VALUE));
	return 0;
}

static const char *t_kpf_unmapped_answer_refused(void)
{
	return kp_refused_then_served(KP_UNMAPPED_FIRST, LENT_KPF_NOT_MAPPED);
}

static const char *t_kpf_lent_twice_refused(void)
{
	return kp_refused_then_served(KP_LENT_FIRST, LENT_KPF_LENT_ALREADY);
}

/* A kpager that lends nothing: SpaceControl, which needs the page
 * directory first (a new space has none yet) and then a page table for
 * the KIP, fails with "no memory" (8) and changes nothing; with a kpager
 * that lends, the same call then succeeds. */
static const char *t_kpf_no_page_is_no_memory(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	L4_Word_t old;

	RUN(kp_start(KP_REFUSE));
	CHECK_EQ(L4_ThreadControl(t, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, kph.thread.raw), 1);
	if (!kph.lent_kinds) {
		CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
					 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2),
					 L4_nilthread, &old), 1);
		CHECK_EQ(kp.n, 0);
		CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
		return 0;
	}
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread, &old), 0);
	CHECK_EQ(L4_ErrorCode(), 8);
	CHECK_EQ(kp.n, 1);
	CHECK_EQ(kp.kind[0], LENT_KMEM_PDIR);
	CHECK_EQ(kp.cid[0], LENT_CID_PDIR);
	CHECK_EQ(kp.task[0], t.raw);
	CHECK_EQ(kp_count(t, LENT_KMEM_PDIR), 0);
	kp.mode = KP_SERVE;
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread, &old), 1);
	CHECK_EQ(kp.n, 3);
	CHECK_EQ(kp.kind[1], LENT_KMEM_PDIR);
	CHECK_EQ(kp.kind[2], LENT_KMEM_PT);
	CHECK_EQ(kp.cid[2], lent_cid_pt(RT_KIP_AREA_BASE));
	CHECK_EQ(kp_count(t, LENT_KMEM_PDIR), 1);
	CHECK_EQ(kp_count(t, LENT_KMEM_PT), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

/* ThreadControl that places a UTCB in a 4 MB region with no page table
 * yet stops, asks for the page table and then the UTCB page, and runs
 * again to completion.  (The new thread's body goes into t's TCB page,
 * which has room for four: t_tcb.c.) */
static const char *t_kpf_threadcontrol_restarts(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc();
	L4_Word_t old, utcb = 0x20000000UL;

	RUN(kp_start(KP_SERVE));
	CHECK_EQ(L4_ThreadControl(t, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, kph.thread.raw), 1);
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(utcb, 16), L4_nilthread, &old), 1);
	L4_Word_t before = kp.n;
	CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_nilthread, (void *)utcb), 1);
	CHECK_EQ(kp.n, before + (kph.lent_kinds ? 2 : 0));
	if (kph.lent_kinds) {
		CHECK_EQ(kp.kind[before], LENT_KMEM_PT);
		CHECK_EQ(kp.cid[before], lent_cid_pt(utcb));
		CHECK_EQ(kp.kind[before + 1], LENT_KMEM_UTCB);
		CHECK_EQ(kp.cid[before + 1], lent_cid_nth(LENT_KMEM_UTCB, 0));
		lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
		CHECK_EQ(rt_mr(1 + LENT_KMEM_TCB), 1);
	}
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

const struct test kpf_tests[] = {
	TEST(kpf_map_item_faults_in_order),
	TEST(kpf_lent_frame_reaches_no_user),
	TEST(kpf_unmapped_answer_refused),
	TEST(kpf_lent_twice_refused),
	TEST(kpf_no_page_is_no_memory),
	TEST(kpf_threadcontrol_restarts),
	{ 0 }
};
