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
#include "t_kphelp.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

#define KP_LOG		16
#define KP_POOL		24
#define KP_WINDOW	0x40000000UL	/* a 4 MB region the agent never used */
#define KP_WINDOW2	0x48000000UL
#define KP_VALUE	0x6b706621UL
#define KP_NEAR_IMAGE	0x007ff000UL	/* unmapped, in the image's 4 MB */

enum kp_mode { KP_SERVE, KP_REFUSE, KP_UNMAPPED_FIRST, KP_LENT_FIRST, KP_FIRST_ONLY,
	       KP_HOLD };

static volatile struct {
	L4_Word_t mode;
	L4_Word_t n;                     /* faults seen */
	L4_Word_t cid[KP_LOG], kind[KP_LOG], task[KP_LOG], from[KP_LOG];
	L4_Word_t lent[KP_POOL];         /* pages answered with */
	L4_Word_t nlent;
	L4_Word_t reply_ec[KP_LOG];      /* ErrorCode of a failed answer */
	L4_Word_t failed;
} kp;

static struct t_kp kph;                  /* the kpager thread, KP_POOL pages */

static void kp_answer(L4_ThreadId_t to, L4_Word_t page)
{
	L4_Word_t ec;

	if (!kpager_answer(to, page, &ec))
		kp.reply_ec[kp.failed++ % KP_LOG] = ec;
}

/* The test kpager: one answer per fault, as kp.mode says. */
static void kp_loop(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = kp.n++ % KP_LOG;
		kp.cid[i] = rt_mr(1);
		kp.kind[i] = rt_mr(2);
		kp.task[i] = rt_mr(3);
		kp.from[i] = from.raw;
		if (kp.mode == KP_REFUSE) {
			kp_answer(from, 0);
			continue;
		}
		if ((kp.mode == KP_FIRST_ONLY && kp.n > 1) || kp.mode == KP_HOLD)
			continue;            /* the client waits for good */
		if (kp.mode == KP_UNMAPPED_FIRST && kp.failed == 0) {
			kp_answer(from, 0x3f000000UL);    /* nothing of ours there */
			i = 0;
		} else if (kp.mode == KP_LENT_FIRST && kp.failed == 0 && kp.nlent) {
			kp_answer(from, kp.lent[0]);      /* lent already */
			i = 0;
		} else {
			i = 1;
		}
		if (i == 0) {
			/* The refused answer left the fault waiting: answer it again. */
			if (kp.nlent < KP_POOL) {
				L4_Word_t page = kph.pool + kp.nlent * RT_PAGE_SIZE;
				kp.lent[kp.nlent++] = page;
				kp_answer(from, page);
			}
			continue;
		}
		if (kp.nlent < KP_POOL) {
			L4_Word_t page = kph.pool + kp.nlent * RT_PAGE_SIZE;
			kp.lent[kp.nlent++] = page;
			kp_answer(from, page);
		} else {
			kp_answer(from, 0);
		}
	}
}

/* A fresh log and a kpager thread. */
static const char *kp_start(enum kp_mode mode)
{
	t_kp_zero(&kp, sizeof(kp));
	kp.mode = mode;
	return t_kp_start(&kph, KP_POOL, kp_loop);
}

static L4_Word_t kp_count(L4_ThreadId_t task, unsigned kind)
{
	lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + kind);
}

/* Main maps one page of its own into the agent's window, which lies in a
 * 4 MB region the agent has no kernel memory for yet. */
static const char *kp_map_into(L4_ThreadId_t ag, L4_Word_t window)
{
	L4_Word_t page = t_page(), res[5], sec;

	((volatile L4_Word_t *)page)[0] = KP_VALUE;
	RUN(t_ag_accept(ag, window, 12));
	RUN(t_ag_give_map(ag, t_map_item(page, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	return 0;
}

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

/* The paper's deadlock: main is both the agent's pager-side sender and
 * its kpager.  Its map needs the agent's kernel memory, which only main
 * could give: its send is aborted with the deadlock code, the agent's
 * kernel page fault then reaches main, and main's next send goes
 * through.  No other thread is involved. */
/* Main sends map item m to the agent, which waits in RT_AG_RECV, as its
 * kpager too: every send the deadlock rule aborts is followed by the
 * agent's kernel page fault, answered from pool.  Counts both. */
static const char *kp_send_as_kpager(L4_ThreadId_t ag, L4_MapItem_t m, L4_Word_t pool,
				     L4_Word_t *deadlocks, L4_Word_t *faults)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	for (int round = 0; round < 8; round++) {
		t_load(0x66, 0, 0, 2, m.raw);
		tag = L4_Send_Timeout(ag, rt_us(T_WAIT_US));
		if (L4_IpcSucceeded(tag))
			return t_ag_ok(rt_agent_result(ag, 0)) ? 0 : "the agent's receive failed";
		CHECK_EQ(L4_ErrorCode(), EC_SEND(7) | (LENT_KPF_DEADLOCK << 4));
		(*deadlocks)++;
		tag = L4_Wait_Timeout(rt_us(T_WAIT_US), &from);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), LENT_LABEL_KPF);
		CHECK_EQ(from.raw, ag.raw);
		CHECK(*faults < 4);
		kp_answer(from, pool + (*faults)++ * RT_PAGE_SIZE);
		CHECK_EQ(kp.failed, 0);
	}
	return "no end of deadlocks";
}

static const char *t_kpf_deadlock_aborts_and_retries(void)
{
	L4_ThreadId_t ag;
	L4_Word_t page = t_page(), pool, deadlocks = 0, faults = 0;

	RUN(kp_start(KP_SERVE));
	RUN(t_kp_agent(&ag, rt_main_thread()));
	pool = rt_get_pages(4);
	CHECK(pool != 0);
	((volatile L4_Word_t *)page)[0] = KP_VALUE;
	RUN(t_ag_accept(ag, KP_WINDOW, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	RUN(kp_send_as_kpager(ag, t_map_item(page, 12, L4_FullyAccessible, 0), pool,
			      &deadlocks, &faults));
	CHECK(kph.lent_kinds ? deadlocks >= 1 : deadlocks == 0);
	CHECK_EQ(deadlocks, faults);
	RUN(t_ag_reads(ag, KP_WINDOW, KP_VALUE));
	return 0;
}

/* The same with a two-page item whose second page lies in a 4 MB region
 * the agent has no kernel memory for, after a first page in one it has:
 * under preempt=always the transfer stops after the first page, and the
 * deadlock then meets a stopped transfer, which must end with the send
 * (and leave the agent's receive alone). */
static const char *t_kpf_deadlock_after_stopped_transfer(void)
{
	L4_ThreadId_t ag;
	L4_Word_t pages, two, pool, deadlocks = 0, faults = 0;
	L4_Word_t window = KP_WINDOW + 0x400000UL - 2 * RT_PAGE_SIZE;

	RUN(kp_start(KP_SERVE));
	RUN(t_kp_agent(&ag, rt_main_thread()));
	pool = rt_get_pages(8);
	pages = rt_get_pages(4);
	CHECK(pool != 0 && pages != 0);
	two = (pages + 2 * RT_PAGE_SIZE - 1) & ~(2 * RT_PAGE_SIZE - 1);
	((volatile L4_Word_t *)two)[0] = KP_VALUE;
	((volatile L4_Word_t *)(two + RT_PAGE_SIZE))[0] = KP_VALUE + 1;
	/* The first page's region gets its kernel memory first. */
	RUN(t_ag_accept(ag, window, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	RUN(kp_send_as_kpager(ag, t_map_item(two, 12, L4_FullyAccessible, 0), pool,
			      &deadlocks, &faults));
	RUN(t_ag_accept(ag, window, 13));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	RUN(kp_send_as_kpager(ag, t_map_item(two, 13, L4_FullyAccessible, 0), pool,
			      &deadlocks, &faults));
	CHECK(kph.lent_kinds ? deadlocks >= 2 : deadlocks == 0);
	RUN(t_ag_reads(ag, window, KP_VALUE));
	RUN(t_ag_reads(ag, window + RT_PAGE_SIZE, KP_VALUE + 1));
	return 0;
}

/* When the task goes, every page lent for it goes back to its kpager. */
static const char *t_kpf_pages_back_at_task_death(void)
{
	L4_ThreadId_t ag;

	RUN(kp_start(KP_SERVE));
	RUN(t_kp_agent(&ag, kph.thread));
	RUN(kp_map_into(ag, KP_WINDOW));
	if (!kph.lent_kinds) {
		CHECK_EQ(kp.nlent, 0);
		return 0;
	}
	CHECK(kp.nlent >= 2);
	for (L4_Word_t i = 0; i < kp.nlent; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp.lent[i]), 1);
	rt_release(ag);
	for (L4_Word_t i = 0; i < kp.nlent; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp.lent[i]), 0);
	/* And the kpager may use it again: the kernel left nothing in it
	 * (the page held its index, 1, before it was lent). */
	CHECK_EQ(kp.lent[1], kph.pool + RT_PAGE_SIZE);
	CHECK_EQ(((volatile L4_Word_t *)kp.lent[1])[0], 0);
	return 0;
}

/* A page lent for an operation that never acted (its task died while it
 * waited for the next page) goes back too. */
static const char *t_kpf_unused_page_back_at_task_death(void)
{
	L4_ThreadId_t ag;
	L4_Word_t page = t_page();

	RUN(kp_start(KP_FIRST_ONLY));
	RUN(t_kp_agent(&ag, kph.thread));
	RUN(t_ag_accept(ag, KP_WINDOW, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, 0);
	CHECK(!L4_IsNilThread(t_send_async(ag, t_tag(0x66, 0, 2), m.raw, 0)));
	if (!kph.lent_kinds) {
		CHECK(t_ag_ok(rt_agent_result(ag, 0)));
		CHECK_EQ(kp.n, 0);
		return 0;
	}
	CHECK(t_wait_for(&kp.n, 2, T_WAIT_US));
	CHECK_EQ(kp.nlent, 1);
	CHECK_EQ(kp.kind[0], LENT_KMEM_NT);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp.lent[0]), 1);
	rt_release(ag);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp.lent[0]), 0);
	return 0;
}

/* A kernel page fault that ends unanswered (its transfer's sender went
 * away) leaves nothing behind: the next map its thread receives, here
 * its pager's answer to a page fault, is a map, not a page for the
 * kernel. */
static const char *t_kpf_abandoned_fault_leaves_nothing(void)
{
	L4_ThreadId_t ag, snd;
	L4_Word_t page = t_page(), mine = t_page();
	L4_MsgTag_t tag;

	RUN(kp_start(KP_HOLD));
	RUN(t_kp_agent(&ag, kph.thread));
	((volatile L4_Word_t *)mine)[0] = KP_VALUE;
	RUN(t_ag_accept(ag, KP_WINDOW, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, 0);
	snd = t_send_async(ag, t_tag(0x66, 0, 2), m.raw, 0);
	CHECK(!L4_IsNilThread(snd));
	if (kph.lent_kinds) {
		CHECK(t_wait_for(&kp.n, 1, T_WAIT_US));
		/* The sender goes; the agent's receive ends with it. */
		CHECK_EQ(L4_ThreadControl(snd, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
	}
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	/* A page fault of the agent's where its kernel memory is there (the
	 * 4 MB of its image), answered by main with a page. */
	RUN(t_ag_faults(ag, KP_NEAR_IMAGE, 0));
	L4_MapItem_t reply = t_map_item(mine, 12, L4_FullyAccessible, KP_NEAR_IMAGE);
	t_load(0, 0, 0, 2, reply.raw);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(ag, rt_us(T_WAIT_US))));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, mine), 0);
	CHECK_EQ(rt_mr(1), KP_VALUE);
	return 0;
}

/* A message shaped like a kernel page fault, from a thread that is not
 * waiting for one, gets no page from sigma0. */
static const char *t_kpf_forged_fault_gets_nothing(void)
{
	L4_Word_t w[3] = { LENT_CID_PT_BASE, LENT_KMEM_PT, 0 };
	L4_MsgTag_t tag;

	w[2] = L4_Myself().raw;
	rt_msg(LENT_LABEL_KPF, 3, w);
	L4_Accept(L4_MapGrantItems(L4_FpageLog2(0x7e000000UL, 12)));
	tag = L4_Call_Timeouts(rt_sigma0(), rt_us(T_WAIT_US), rt_us(200000));
	L4_Accept(L4_UntypedWordsAcceptor);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(L4_ErrorCode(), EC_RECV(1));
	return 0;
}

/* Who may read and set a task's kpager and counts. */
static const char *t_kpf_control_checks_arguments(void)
{
	CHECK_EQ(lent_kmem_control(t_nonexistent().raw, LENT_KMEM_STATS, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPAGER, t_nonexistent().raw), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(lent_kmem_control(0, 99, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	CHECK_EQ(lent_kmem_control(rt_sigma0().raw, LENT_KMEM_SET_KPAGER, L4_Myself().raw), 0);
	CHECK_EQ(L4_ErrorCode(), 3);
	/* The root's own counts: a task record and a page directory. */
	CHECK(lent_kmem_control(0, LENT_KMEM_STATS, 0) >= 2);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_TASK), 1);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_PDIR), 1);
	CHECK(rt_mr(1 + LENT_KMEM_KINDS + 1) >= 1);
	return 0;
}

const struct test kpf_tests[] = {
	TEST(kpf_map_item_faults_in_order),
	TEST(kpf_lent_frame_reaches_no_user),
	TEST(kpf_unmapped_answer_refused),
	TEST(kpf_lent_twice_refused),
	TEST(kpf_no_page_is_no_memory),
	TEST(kpf_threadcontrol_restarts),
	TEST(kpf_deadlock_aborts_and_retries),
	TEST(kpf_deadlock_after_stopped_transfer),
	TEST(kpf_pages_back_at_task_death),
	TEST(kpf_unused_page_back_at_task_death),
	TEST(kpf_abandoned_fault_leaves_nothing),
	TEST(kpf_forged_fault_gets_nothing),
	TEST(kpf_control_checks_arguments),
	{ 0 }
};
