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
 * the task needs them, with its pager never asked for them.
 */
#include "t_kpreempt.h"
#include "t_kpreempt_share.h"
#include "t_pool.h"
#include "../../kpager/kpager.h"
#include <lent/kmem.h>
#include <l4/space.h>

#define KW_POOL		32
_Static_assert(T_POOL_KW + KW_POOL <= T_POOL_KW_STORE &&
	       T_POOL_KW_OTHER + KW_POOL <= T_POOL_KW &&
	       T_POOL_KW_STORE + PREEMPT_RECORDS <= T_POOL_KW_OTHER_PAGE,
	       "t_pool.h's slices for this file overlap");
#define KW_WINDOW	0x48000000UL	/* where the agent receives a page */
#define KW_PATTERN	0x70617474UL
#define KW_STEPS	10
#define KW_RESULTS	(KW_STEPS * 6)
#define KH_SENTINEL	0x5e471e11UL	/* the other subsystem's data */
#define KH_EDITS_PER_PAGE 400
#define KH_FILL		3	/* threads after the agent in its first TCB page */
#define KH_PROBES	4	/* the threads of the hostile kpager's TCB page */
#define KH_HELLO	0x7c21
#define KH_NO_CID	1UL	/* no page has it (not page-aligned) */
#define KH_ROUNDS	30	/* rounds of the shared mappings after the steps */

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
	CHECK(t_send_async_wait(&tag, &sec));
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

/* The hostile run's own: its kpager, the other subsystem (a task under
 * another kpager, with a page of its own that holds the sentinel) and
 * what was seen. */
static struct kpager_hostile kh;
static struct kpager_fcfs kh_other;
static L4_Word_t kh_pool, kh_page;
static struct {
	L4_ThreadId_t task;
	L4_Word_t data;
	L4_Word_t foreign, kernel_faults, scanned;
	L4_ThreadId_t fill[KH_FILL], probe[KH_PROBES], main;
	L4_Word_t back, halted;      /* the probe named: brought back, or not */
	struct ks_count share;       /* the mappings the two share */
} kb;

/* A probe: it says hello and sleeps for good, so that whatever registers
 * an accepted body gives it, it never runs them. */
static void kh_probe(L4_Word_t arg)
{
	(void)arg;
	rt_msg(KH_HELLO, 0, 0);
	(void)L4_Send(kb.main);
	for (;;)
		L4_Sleep(L4_Never);
}

/* The threads that make the hostile kpager lend a TCB page to its own
 * client: a task's first TCB page (slots 0 to 3) is lent by its
 * creator's kpager, so KH_FILL threads that never run fill it after the
 * agent, and KH_PROBES probes fill the next one, which the hostile
 * kpager lends (the workload's own thread, made at step 7, goes to a
 * third page). */
static const char *kh_threads(L4_ThreadId_t ag)
{
	L4_ThreadId_t from;

	kb.main = L4_Myself();
	kb.back = kb.halted = 0;
	for (unsigned i = 0; i < KH_FILL; i++) {
		kb.fill[i] = rt_tid_alloc();
		CHECK(!L4_IsNilThread(kb.fill[i]));
		CHECK_EQ(L4_ThreadControl(kb.fill[i], ag, L4_Myself(), L4_nilthread, (void *)-1), 1);
	}
	for (unsigned i = 0; i < KH_PROBES; i++) {
		kb.probe[i] = rt_tid_alloc();
		CHECK(!L4_IsNilThread(kb.probe[i]));
		CHECK_EQ(L4_ThreadControl(kb.probe[i], ag, L4_Myself(), L4_Myself(),
					  (void *)(RT_UTCB_AREA_BASE + (2 + i) * RT_UTCB_SIZE)), 1);
		RUN(t_kpre_run(kb.probe[i], kh_probe));
		L4_MsgTag_t tag = rt_serve(kb.probe[i], T_WAIT_US, &from);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), KH_HELLO);
	}
	return 0;
}

/* Name the first probe (ExchangeRegisters, reading), twice, the TCB page
 * taken back again in between: its page, if taken back, is asked for.  The hostile kpager lends it edited; either
 * the kernel takes it and the call returns the probe's local ID, or it
 * refuses it (the kpager counts that, and answers "no memory" when asked
 * again) and the call fails with error 8, the refused probe halted. */
static const char *kh_name_once(void)
{
	L4_Word_t refused = kh.refused;
	L4_ThreadId_t r = __L4_Exregs(kb.probe[0], __L4_EXREGS_DELIVER, 0, 0, 0, 0,
				      L4_nilthread, 0, 0, 0, 0, 0, 0);
	L4_Word_t ec = L4_ErrorCode();

	/* The kernel ends our wait when it refuses the body, before the
	 * kpager learns of it: a message to the kpager, which it takes
	 * after it has dealt with the refusal, waits for that (a take-back
	 * of a content identifier no page has). */
	(void)preempt_take_back_cid(&kh.pre, 1, KH_NO_CID);
	if (kh.refused != refused) {
		CHECK_EQ(kh.refused, refused + 1);
		CHECK(L4_IsNilThread(r));
		CHECK_EQ(ec, 8);
		kb.halted++;
	} else {
		CHECK(!L4_IsNilThread(r));      /* its local ID in its own space */
		kb.back++;
	}
	return 0;
}

static const char *kh_name_probe(void)
{
	RUN(kh_name_once());
	(void)preempt_take_back_cid(&kh.pre, 1, LENT_CID_TCB_BASE + LENT_CID_PAGE);
	return kh_name_once();
}

static const char *kh_threads_end(void)
{
	for (unsigned i = 0; i < KH_PROBES; i++)
		CHECK_EQ(L4_ThreadControl(kb.probe[i], L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
	for (unsigned i = 0; i < KH_FILL; i++)
		CHECK_EQ(L4_ThreadControl(kb.fill[i], L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
	return 0;
}

/* A TCB page as the kernel wrote it: each 1 KB slot a form (magic
 * "LCBX") or zero, and zero after the form's 808 bytes; the registers
 * are the thread's own (they may hold what an accepted edit put there),
 * but never the other subsystem's sentinel. */
static void kh_scan_tcb(const volatile L4_Word_t *w)
{
	for (unsigned k = 0; k < RT_PAGE_SIZE / sizeof(L4_Word_t); k++) {
		unsigned at = k % (1024 / sizeof(L4_Word_t));
		if (w[k] == KH_SENTINEL || (at >= 808 / sizeof(L4_Word_t) && w[k]) ||
		    (at == 0 && w[k] && w[k] != 0x5842434CUL))
			kb.foreign++;
	}
}

/* Does kind go back in a form (node pages and tables)? */
static int kh_node_form(unsigned kind)
{
	return kind == LENT_KMEM_MAP || kind == LENT_KMEM_NT;
}

/* A node page or node table as the kernel wrote it
 * (docs/kernel-memory.md, "Mapping nodes and node tables"): in a page, a
 * header and 48-byte entries whose in-kernel bytes (32-47) and flags are
 * zero, but a part's seal (bytes 40-47, kind 2), its generations any
 * number; in a table, local references (entry 1-84 of a node page) or
 * zero.  Never the other subsystem's sentinel. */
static void kh_scan_nodes(const volatile L4_Word_t *w, unsigned kind)
{
	for (unsigned k = 0; k < RT_PAGE_SIZE / sizeof(L4_Word_t); k++) {
		unsigned at = k % 12;
		int seal = at >= 10 && (w[k - at] & 0xff) == 2;
		if ((w[k] == KH_SENTINEL && !seal) ||
		    (kind == LENT_KMEM_NT && w[k] && ((w[k] & 0x7f) == 0 || (w[k] & 0x7f) > 84 ||
						      (w[k] >> 7) >= 4096)) ||
		    (kind == LENT_KMEM_MAP && k >= 12 &&
		     ((at >= 8 && w[k] && !seal) || (at == 0 && (w[k] & 0xff0000)))) ||
		    (kind == LENT_KMEM_MAP && k < 12 && k >= 4 && w[k]))
			kb.foreign++;
	}
}

/* Is word k of a UTCB page one the kernel keeps in each UTCB (the
 * self-pointer, MyGlobalId, ProcessorNo: MR0 is 256 bytes in)?  The
 * hostile kpager forges exactly those; the kernel writes them again when
 * the page, or a body away meanwhile, comes back, and never reads them,
 * so a forged one still in the page when it goes out again is the
 * kpager's own word, not one the kernel leaked. */
static int kh_utcb_kept_word(unsigned k)
{
	unsigned at = k % (512 / sizeof(L4_Word_t));

	return at == 0 || at == (256 - 60) / 4 || at == (256 - 56) / 4;
}

/* Every page the hostile kpager took back, as the kernel wrote it: a
 * vacant kind reads zero, and nothing in any may be a kernel address,
 * a frame with page-table bits, or the other subsystem's sentinel.  A
 * UTCB page is its task's own words, thread IDs among them, which look
 * like frames with page-table bits: in it, the other two, outside the
 * words the kernel keeps. */
static void kh_scan(void)
{
	for (unsigned i = 0; i < PREEMPT_RECORDS; i++) {
		const struct preempt_rec *rec = &kh.pre.rec[i];
		const volatile L4_Word_t *w =
			(const volatile L4_Word_t *)(kh.pre.store + i * RT_PAGE_SIZE);

		if (rec->state != PREEMPT_KEPT)
			continue;
		kb.scanned++;
		if (rec->kind == LENT_KMEM_TCB) {
			kh_scan_tcb(w);
			continue;
		}
		if (kh_node_form(rec->kind)) {
			kh_scan_nodes(w, rec->kind);
			continue;
		}
		for (unsigned k = 0; k < RT_PAGE_SIZE / sizeof(L4_Word_t); k++)
			if (w[k] == KH_SENTINEL || w[k] >= 0xC0000000UL ||
			    ((w[k] & 1) && (w[k] >> 12) && rec->kind != LENT_KMEM_UTCB) ||
			    ((rec->kind == LENT_KMEM_PT || rec->kind == LENT_KMEM_PDIR) && w[k])) {
				if (rec->kind == LENT_KMEM_UTCB && kh_utcb_kept_word(k))
					continue;
				kb.foreign++;
			}
	}
}

/* The other subsystem checks its own state: its page and who it is. */
static void kh_other_checks(void)
{
	L4_Word_t a = KW_WINDOW;

	if (!t_ag_ok(rt_agent_cmd(kb.task, RT_AG_READ, 1, &a)) || rt_mr(1) != KH_SENTINEL)
		kb.foreign++;
	if (t_kpre_works(kb.task, kb.data))
		kb.foreign++;
	if (lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0))
		kb.kernel_faults++;
}

/* The other subsystem: a task under an FCFS kpager of its own, the
 * sentinel in a page main mapped to it. */
static const char *kh_other_start(void)
{
	L4_Word_t res[5], sec;

	if (!kh_pool) {
		kh_pool = t_pool(T_POOL_KW_OTHER, KW_POOL);
		kh_page = t_pool(T_POOL_KW_OTHER_PAGE, 1);
		CHECK(kh_pool && kh_page);
	}
	RUN(t_pool_unlent(kh_pool, KW_POOL));
	RUN(ks_start());
	((volatile L4_Word_t *)kh_page)[0] = KH_SENTINEL;
	L4_ThreadId_t kp = fcfs_start(&kh_other, kh_pool, KW_POOL);
	CHECK(!L4_IsNilThread(kp));
	RUN(t_kpre_task(&kb.task, kp, &kb.data));
	RUN(t_ag_accept(kb.task, KW_WINDOW, 12));
	RUN(t_ag_give_map(kb.task, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(kh_page, 12),
								L4_FullyAccessible), 0),
			  res, &sec));
	CHECK_EQ(sec, 0);
	return 0;
}

/* The workload once; every: 0 never takes pages back, 1 all of them
 * before each step, n one in n at random.  Hostile: under the hostile
 * kpager, with the other subsystem checked after every step. */
static const char *kw_run(L4_Word_t every, struct kw_run *r, int hostile)
{
	struct kpager_preempt *p = hostile ? &kh.pre : &kw;
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
	kpager = hostile ? hostile_start(&kh, kw_pool, KW_POOL, kw_store, 0x5eed1u,
					 KH_EDITS_PER_PAGE, KH_SENTINEL) :
			   preempt_start(&kw, kw_pool, KW_POOL, kw_store, 0x1e47u);
	CHECK(!L4_IsNilThread(kpager));
	if (hostile) {
		/* Node pages and tables edited too, aimed at the other
		 * subsystem's pages (and one of ours it has). */
		L4_Word_t task[HOSTILE_FOREIGN], va[HOSTILE_FOREIGN];
		ks_foreign(kb.task, kh_page, task, va);
		hostile_set_nodes(&kh, ks_stash(), HOSTILE_FOREIGN, task, va);
	}
	RUN(t_kpre_task(&ag, kpager, &data));
	if (hostile) {
		RUN(kh_threads(ag));
		RUN(ks_link(ag, kb.task, &kb.share));
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
			RUN(ks_check(ag, kb.task, kh_page, &kb.share));
			RUN(ks_link(ag, kb.task, &kb.share));
		}
	}
	/* Rounds of the shared mappings alone, every page taken back before
	 * each: the node pages and tables that hold the edges to the other
	 * task come back edited, and the other task checks. */
	for (unsigned i = 0; hostile && i < KH_ROUNDS; i++) {
		(void)preempt_take_back(p, 1);
		kh_scan();
		kh_other_checks();
		RUN(ks_check(ag, kb.task, kh_page, &kb.share));
		RUN(ks_link(ag, kb.task, &kb.share));
	}
	if (hostile) {
		RUN(kh_threads_end());
		hostile_imports(&kh, ag);       /* the kernel's count, before ag goes */
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

	kb.foreign = kb.kernel_faults = kb.scanned = 0;
	kb.share = (struct ks_count){ 0 };
	RUN(kh_other_start());
	RUN(kw_run(0, &plain, 0));
	RUN(kw_run(1, &hostile, 1));
	kh_other_checks();
	RUN(kw_same(&plain, &hostile));
	printf("# hostile kpager: %lu edits, %lu imports refused, %lu accepted, "
	       "%lu kernel faults, %lu foreign effects (%lu pages scanned)\n",
	       kh.edits, kh.imports_refused, kh.imports_taken, kb.kernel_faults, kb.foreign + kb.share.foreign,
	       kb.scanned);
	printf("# hostile kpager: probe named %lu times, %lu back, %lu refused; "
	       "TCB edits by kind:", kb.back + kb.halted, kb.back, kb.halted);
	for (unsigned i = 0; i < HOSTILE_TCB_EDITS; i++)
		printf(" %lu", kh.tcb_edits[i]);
	printf("\n");
	printf("# hostile kpager: %lu node pages and tables edited, by kind:", kh.node_lent);
	for (unsigned i = 0; i < HOSTILE_NODE_EDITS; i++)
		printf(" %lu", kh.node_edits[i]);
	printf("; shared with the other task: %lu checks, %lu of its mappings from the "
	       "client gone, %lu sends failed, %lu appeared or widened\n", kb.share.checks,
	       kb.share.lost, kb.share.link_failed, kb.share.foreign);
	CHECK_EQ(kb.kernel_faults, 0);
	CHECK_EQ(kb.foreign, 0);
	CHECK_EQ(kb.share.foreign, 0);
	CHECK_EQ(kb.share.checks, KW_STEPS + KH_ROUNDS);
	if (kh_node_form(LENT_KMEM_MAP) && lends)
		CHECK(kh.node_lent >= KW_STEPS);
	CHECK_EQ(kb.back + kb.halted, 2 * KW_STEPS);
	CHECK_EQ(kb.halted, kh.refused);
	CHECK_EQ(kh.pre.kp.refusals, kh.bad_answers + kh.refused);
	/* By the kernel's word: each body refused that the kpager saw (its
	 * answer failed) is one the kernel counted, and a node page with
	 * forged flags is always refused (taken as an empty one: only the
	 * kernel's count shows it). */
	CHECK(kh.imports_refused >= kh.refused);
	if (kh.node_edits[HOSTILE_NODE_FLAGS])
		CHECK(kh.imports_refused > kh.refused);
	if (lends)
		CHECK(kh.imports_taken >= 1);
	if (lends) {
		CHECK(kh.edits >= 10000);
		CHECK(kb.scanned >= KW_STEPS);
	}
	if (tcbs) {
		/* The TCB page was taken back before every step and asked
		 * for by the naming: both outcomes met. */
		CHECK(kh.refused >= 1);
		CHECK(kh.lent_back - kh.refused >= 1);
		CHECK(kb.back >= 1);
	} else {
		CHECK_EQ(kh.refused, 0);
	}
	CHECK_EQ(L4_ThreadControl(kb.task, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

const struct test kpreempt_work_tests[] = {
	TEST(kpreempt_work_hostile_kpager),
	TEST(kpreempt_work_every_step),
	TEST(kpreempt_work_at_random),
	{ 0 }
};
