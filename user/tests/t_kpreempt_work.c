/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One workload, run under kpagers that take their pages back
 * (kpager/preempt.c) and under one that never does: the results must be
 * identical.  The workload is a task made by hand whose kernel memory the
 * kpager lends, doing, step by step: reads and writes, a system call, a
 * page mapped to it and read, written, unmapped and faulted back, a
 * string received, threads made and deleted in it.  Before every step
 * the kpager is asked to take back every page it lent (or one in three,
 * at random, from a fixed seed); the pages the kernel gives back (in
 * this kernel: page tables and the page directory) must come back when
 * the task needs them, with its pager never asked for them.  The hostile
 * run's probes, scans and other subsystem are t_kpreempt_work_hostile.c.
 */
#include "t_kpreempt.h"
#include "t_kpreempt_share.h"
#include "t_kpreempt_work_int.h"
#include "t_pool.h"
#include "../../kpager/kpager.h"
#include <lent/kmem.h>
#include <l4/space.h>

_Static_assert(T_POOL_KW + KW_POOL <= T_POOL_KW_STORE &&
	       T_POOL_KW_OTHER + KW_POOL <= T_POOL_KW &&
	       T_POOL_KW_STORE + PREEMPT_RECORDS <= T_POOL_KW_OTHER_PAGE,
	       "t_pool.h's slices for this file overlap");

static struct kpager_preempt kw;
static int kw_lends(void);
static L4_Word_t kw_pool, kw_store, kw_page;
static char kw_buf[64];
static const char kw_text[] = "lent takes it back and gives it back";

/* Every word a step reports goes here, in order. */
struct kw_run {
	L4_Word_t res[KW_RESULTS];
	unsigned n;
};

static void put(struct kw_run *r, L4_Word_t w)
{
	if (r->n < KW_RESULTS)
		r->res[r->n] = w;
	r->n++;
}

/* The agent receives one message of a string item into kw_buf. */
static const char *kw_string(L4_ThreadId_t ag, struct kw_run *r)
{
	L4_Word_t a[2] = { (L4_Word_t)kw_buf, sizeof(kw_buf) }, sec;
	L4_StringItem_t s = L4_StringItem(sizeof(kw_text), (void *)kw_text);
	L4_Word_t items[2] = { s.raw[0], s.raw[1] };
	L4_MsgTag_t tag;

	for (unsigned i = 0; i < sizeof(kw_buf); i++)
		kw_buf[i] = 0;
	CHECK(rt_agent_post(ag, RT_AG_RECV_STRING, 2, a));
	CHECK(!L4_IsNilThread(t_send_async(ag, t_tag(0x67, 0, 2), items, 0)));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	put(r, rt_mr(1));
	put(r, rt_mr(2));
	t_send_async_wait(&tag, &sec);
	put(r, sec);
	for (unsigned i = 0; i < sizeof(kw_text); i++)
		CHECK_EQ(kw_buf[i], kw_text[i]);
	return 0;
}

/* A thread made in the agent's task and deleted again (ThreadControl
 * asks the task's kpager for the pages it needs). */
static const char *kw_thread(L4_ThreadId_t ag, struct kw_run *r)
{
	L4_ThreadId_t t = rt_tid_alloc();

	CHECK(!L4_IsNilThread(t));
	put(r, L4_ThreadControl(t, ag, L4_Myself(), L4_Myself(),
				(void *)(RT_UTCB_AREA_BASE + RT_UTCB_SIZE)));
	put(r, L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1));
	return 0;
}

static const char *kw_step(L4_ThreadId_t ag, L4_Word_t data, unsigned step, struct kw_run *r)
{
	L4_Word_t a[2], res[5], sec;

	switch (step) {
	case 0:
		RUN(t_kpre_works(ag, data));
		put(r, rt_mr(1));
		return 0;
	case 1:
		RUN(t_ag_accept(ag, KW_WINDOW, 12));
		RUN(t_ag_give_map(ag, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(kw_page, 12),
								    L4_FullyAccessible), 0),
				  res, &sec));
		put(r, res[0] & ~0xFUL);
		put(r, sec);
		return 0;
	case 2:
		RUN(t_ag_reads(ag, KW_WINDOW, KW_PATTERN));
		put(r, KW_PATTERN);
		return 0;
	case 3:
		a[0] = KW_WINDOW + 8;
		a[1] = step;
		CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_WRITE, 2, a)));
		put(r, ((volatile L4_Word_t *)kw_page)[2]);
		return 0;
	case 4:
		return kw_string(ag, r);
	case 5:
		/* Unmap of the received page by the agent itself: the fpage
		 * it gets back, its access bits left out (a table taken back
		 * loses them: docs/abi.md). */
		a[0] = __L4_UNMAP_FLUSH;
		a[1] = L4_FpageAddRights(L4_FpageLog2(KW_WINDOW, 12), L4_FullyAccessible).raw;
		CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_UNMAP, 2, a)));
		put(r, rt_mr(1) & ~0xFUL);
		return 0;
	case 6:
		RUN(t_ag_faults(ag, KW_WINDOW, 0));
		put(r, KW_WINDOW);
		/* Answer the fault: the page again, and the read goes on. */
		CHECK(t_kpre_reply_map(ag, L4_FpageLog2(kw_page, 12), KW_WINDOW));
		CHECK(t_ag_ok(rt_agent_result(ag, 0)));
		put(r, rt_mr(1));
		return 0;
	case 7:
		return kw_thread(ag, r);
	case 8:
		CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_PROC, 0, 0)));
		put(r, rt_mr(1));
		put(r, rt_mr(2));
		return 0;
	default:
		RUN(t_kpre_works(ag, data));
		put(r, rt_mr(3) == ag.raw);
		return 0;
	}
}

/* The workload once; every: 0 never takes pages back, 1 all of them
 * before each step, n one in n at random.  Hostile: under the hostile
 * kpager, with the other subsystem checked after every step. */
static const char *kw_run(L4_Word_t every, struct kw_run *r, int hostile)
{
	struct kpager_preempt *p = hostile ? &kw_kh.pre : &kw;
	L4_ThreadId_t ag, kpager;
	L4_Word_t data;

	r->n = 0;
	if (!kw_pool) {
		kw_pool = t_pool(T_POOL_KW, KW_POOL);
		kw_store = t_pool(T_POOL_KW_STORE, PREEMPT_RECORDS);
		kw_page = t_pool(T_POOL_KW_PAGE, 1);
		CHECK(kw_pool && kw_store && kw_page);
	}
	RUN(t_pool_unlent(kw_pool, KW_POOL));
	((volatile L4_Word_t *)kw_page)[0] = KW_PATTERN;
	kpager = hostile ? hostile_start(&kw_kh, kw_pool, KW_POOL, kw_store, 0x5eed1u,
					 KH_EDITS_PER_PAGE, KH_SENTINEL) :
			   preempt_start(&kw, kw_pool, KW_POOL, kw_store, 0x1e47u);
	CHECK(!L4_IsNilThread(kpager));
	if (hostile) {
		/* Node pages and tables edited too, aimed at the other
		 * subsystem's pages (and one of ours it has). */
		L4_Word_t task[HOSTILE_FOREIGN], va[HOSTILE_FOREIGN];
		ks_foreign(kw_kb.task, kh_page, task, va);
		hostile_set_nodes(&kw_kh, ks_stash(), HOSTILE_FOREIGN, task, va);
	}
	RUN(t_kpre_task(&ag, kpager, &data));
	if (hostile) {
		RUN(kh_threads(ag));
		RUN(ks_link(ag, kw_kb.task, &kw_kb.share));
	}
	for (unsigned step = 0; step < KW_STEPS; step++) {
		if (every)
			(void)preempt_take_back(p, every);
		if (hostile) {
			kh_scan();
			RUN(kh_name_probe());
		}
		if (hostile && (step == 2 || step == 3)) {
			/* The page again, as its pager would after a fault: a
			 * node page the kernel refused took A's record with it. */
			L4_Word_t res[5], sec;
			RUN(t_ag_accept(ag, KW_WINDOW, 12));
			RUN(t_ag_give_map(ag, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(kw_page, 12),
									    L4_FullyAccessible), 0),
					  res, &sec));
		}
		rt_watch(KW_WINDOW, KW_WINDOW + RT_PAGE_SIZE);
		const char *why = kw_step(ag, data, step, r);
		rt_watch(0, 0);
		if (why)
			return why;
		if (hostile) {
			kh_other_checks();
			RUN(ks_check(ag, kw_kb.task, kh_page, &kw_kb.share));
			RUN(ks_link(ag, kw_kb.task, &kw_kb.share));
		}
	}
	/* Rounds of the shared mappings alone, every page taken back before
	 * each: the node pages and tables that hold the edges to the other
	 * task come back edited, and the other task checks. */
	for (unsigned i = 0; hostile && i < KH_ROUNDS; i++) {
		(void)preempt_take_back(p, 1);
		kh_scan();
		kh_other_checks();
		RUN(ks_check(ag, kw_kb.task, kh_page, &kw_kb.share));
		RUN(ks_link(ag, kw_kb.task, &kw_kb.share));
	}
	if (hostile) {
		RUN(kh_threads_end());
		hostile_imports(&kw_kh, ag);    /* the kernel's count, before ag goes */
	}
	CHECK_EQ(L4_ThreadControl(ag, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(kpager, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

static const char *kw_same(const struct kw_run *a, const struct kw_run *b)
{
	CHECK_EQ(a->n, b->n);
	for (unsigned i = 0; i < a->n && i < KW_RESULTS; i++) {
		if (a->res[i] != b->res[i])
			printf("#   result %u differs\n", i);
		CHECK_EQ(a->res[i], b->res[i]);
	}
	return 0;
}

static int kw_lends(void)
{
	return (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_PT) & 1;
}

/* Every page taken back before every step. */
static const char *t_kpreempt_work_every_step(void)
{
	static struct kw_run plain, taken;

	RUN(kw_run(0, &plain, 0));
	CHECK_EQ(kw.taken, 0);
	RUN(kw_run(1, &taken, 0));
	RUN(kw_same(&plain, &taken));
	if (kw_lends()) {
		/* Each step took back at least the directory and the tables,
		 * and the kernel asked for what it needed again. */
		CHECK(kw.taken >= 2 * KW_STEPS);
		CHECK(kw.restored >= KW_STEPS);
		CHECK(kw.moved >= 1);
	} else {
		CHECK_EQ(kw.taken, 0);
	}
	return 0;
}

/* One page in three, at random from a fixed seed. */
static const char *t_kpreempt_work_at_random(void)
{
	static struct kw_run plain, taken;

	RUN(kw_run(0, &plain, 0));
	RUN(kw_run(3, &taken, 0));
	RUN(kw_same(&plain, &taken));
	if (kw_lends())
		CHECK(kw.taken >= 1);
	return 0;
}

/* The hostile kpager takes every page back before each step and edits
 * each before it lends it back (KH_EDITS_PER_PAGE words a page of a
 * vacant kind; one edit, structure-aware or random, in a TCB page), some
 * answers made to be refused; a task under another kpager, with a page
 * holding the sentinel the hostile kpager plants, checks itself after
 * every step.  The kernel must stay whole (its self-check), the other
 * task see nothing, no page taken back hold anything of the kernel's or
 * the other task's.  The hostile kpager's own client: its agent, whose
 * body is in the page its creator's kpager lent, gets the plain run's
 * results; its probes, in the TCB page the hostile kpager lends, are
 * named before every step, and each time either come back (the edited
 * page accepted: ExchangeRegisters returns) or are refused (the answer
 * fails with LENT_KPF_BAD_CONTENT, the call with error 8, the refused
 * probe halted); at the end they are deleted, away or not. */
static const char *t_kpreempt_work_hostile_kpager(void)
{
	static struct kw_run plain, hostile;
	int lends = kw_lends();
	int tcbs = (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_TCB) & 1;

	kw_kb.foreign = kw_kb.kernel_faults = kw_kb.scanned = 0;
	kw_kb.share = (struct ks_count){ 0 };
	RUN(kh_other_start());
	RUN(kw_run(0, &plain, 0));
	RUN(kw_run(1, &hostile, 1));
	kh_other_checks();
	RUN(kw_same(&plain, &hostile));
	printf("# hostile kpager: %lu edits, %lu imports refused, %lu accepted, "
	       "%lu kernel faults, %lu foreign effects (%lu pages scanned)\n",
	       kw_kh.edits, kw_kh.imports_refused, kw_kh.imports_taken, kw_kb.kernel_faults, kw_kb.foreign + kw_kb.share.foreign,
	       kw_kb.scanned);
	printf("# hostile kpager: probe named %lu times, %lu back, %lu refused; "
	       "TCB edits by kind:", kw_kb.back + kw_kb.halted, kw_kb.back, kw_kb.halted);
	for (unsigned i = 0; i < HOSTILE_TCB_EDITS; i++)
		printf(" %lu", kw_kh.tcb_edits[i]);
	printf("\n");
	printf("# hostile kpager: %lu node pages and tables edited, by kind:", kw_kh.node_lent);
	for (unsigned i = 0; i < HOSTILE_NODE_EDITS; i++)
		printf(" %lu", kw_kh.node_edits[i]);
	printf("; shared with the other task: %lu checks, %lu of its mappings from the "
	       "client gone, %lu sends failed, %lu appeared or widened\n", kw_kb.share.checks,
	       kw_kb.share.lost, kw_kb.share.link_failed, kw_kb.share.foreign);
	CHECK_EQ(kw_kb.kernel_faults, 0);
	CHECK_EQ(kw_kb.foreign, 0);
	CHECK_EQ(kw_kb.share.foreign, 0);
	CHECK_EQ(kw_kb.share.checks, KW_STEPS + KH_ROUNDS);
	if (kh_node_form(LENT_KMEM_MAP) && lends)
		CHECK(kw_kh.node_lent >= KW_STEPS);
	CHECK_EQ(kw_kb.back + kw_kb.halted, 2 * KW_STEPS);
	CHECK_EQ(kw_kb.halted, kw_kh.refused);
	CHECK_EQ(kw_kh.pre.kp.refusals, kw_kh.bad_answers + kw_kh.refused);
	/* By the kernel's word: each body refused that the kpager saw (its
	 * answer failed) is one the kernel counted, and a node page with
	 * forged flags is always refused (taken as an empty one: only the
	 * kernel's count shows it). */
	CHECK(kw_kh.imports_refused >= kw_kh.refused);
	if (kw_kh.node_edits[HOSTILE_NODE_FLAGS])
		CHECK(kw_kh.imports_refused > kw_kh.refused);
	if (lends)
		CHECK(kw_kh.imports_taken >= 1);
	if (lends) {
		CHECK(kw_kh.edits >= 10000);
		CHECK(kw_kb.scanned >= KW_STEPS);
	}
	if (tcbs) {
		/* The TCB page was taken back before every step and asked
		 * for by the naming: both outcomes met. */
		CHECK(kw_kh.refused >= 1);
		CHECK(kw_kh.lent_back - kw_kh.refused >= 1);
		CHECK(kw_kb.back >= 1);
	} else {
		CHECK_EQ(kw_kh.refused, 0);
	}
	CHECK_EQ(L4_ThreadControl(kw_kb.task, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

const struct test kpreempt_work_tests[] = {
	TEST(kpreempt_work_hostile_kpager),
	TEST(kpreempt_work_every_step),
	TEST(kpreempt_work_at_random),
	{ 0 }
};
