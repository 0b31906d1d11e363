/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The note a refused kernel page fault leaves (docs/kernel-memory.md):
 * the call that raised the fault fails once with "no memory" when it
 * runs again, and the note goes with that run, whatever it ends in.  A
 * note left over would make the caller's next, unrelated call fail
 * without asking its kpager.  Here SpaceControl's page directory is
 * refused while its space is deleted: the call that runs again ends
 * early (no such space), and a later ThreadControl of another task must
 * still ask its kpager and get its page.
 */
#include "t_kphelp.h"
#include "t_kplog.h"
#include "t_sync.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

#define KN_POOL		8
#define KN_LOG		8

static struct t_kp kn_kp;
static volatile struct {
	L4_Word_t n;                        /* faults seen */
	L4_Word_t kind[KN_LOG], task[KN_LOG];
	L4_Word_t victim;                   /* its page directory: delete it, lend none */
	L4_Word_t deleted;                  /* ThreadControl's result for the victim */
	L4_Word_t next, failed;
} kn;

/* The next page of the kpager's pool not lent now (*next: where to look). */
static L4_Word_t kn_take_at(volatile L4_Word_t *next)
{
	while (*next < KN_POOL) {
		L4_Word_t page = kn_kp.pool + (*next)++ * RT_PAGE_SIZE;
		if (!lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

static void kn_fault(const struct t_kpf *f)
{
	L4_Word_t i = kn.n % KN_LOG, kind = f->kind, task = f->named, ec, page = 0;

	kn.kind[i] = kind;
	kn.task[i] = task;
	kn.n++;
	if (kind == LENT_KMEM_PDIR && task == kn.victim) {
		L4_ThreadId_t v = { .raw = kn.victim };
		kn.deleted = L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread,
					      (void *)~0UL);
	} else {
		page = kn_take_at(&kn.next);
	}
	if (!kpager_answer(f->from, page, &ec))
		kn.failed++;
}

/* A new space whose kpager is ours, its thread t inactive. */
static const char *kn_space(L4_ThreadId_t *t)
{
	*t = rt_tid_alloc();
	CHECK(!L4_IsNilThread(*t));
	CHECK_EQ(L4_ThreadControl(*t, *t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t->raw, LENT_KMEM_SET_KPAGER, kn_kp.thread.raw), 1);
	return 0;
}

static L4_Word_t kn_sc(L4_ThreadId_t t)
{
	L4_Word_t old;

	return L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
			       L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread,
			       &old);
}

static const char *t_kpfnote_space_control_leaves_no_refusal(void)
{
	L4_ThreadId_t w, v, u = rt_tid_alloc();
	L4_Word_t page2 = RT_UTCB_AREA_BASE + 2 * RT_PAGE_SIZE;

	t_kp_zero(&kn, sizeof(kn));
	RUN(t_kp_serve(&kn_kp, KN_POOL, kn_fault));
	CHECK(!L4_IsNilThread(u));
	/* A task of ours, its areas set: its next thread's UTCB page will
	 * be a fault of its own. */
	RUN(kn_space(&w));
	CHECK_EQ(kn_sc(w), 1);
	RUN(kn_space(&v));
	if (!((kn_kp.lent_kinds >> LENT_KMEM_PDIR) & 1)) {
		/* KMEM=pool: nothing is asked for, nothing refused. */
		CHECK_EQ(kn_sc(v), 1);
		CHECK_EQ(L4_ThreadControl(u, w, rt_main_thread(), L4_nilthread, (void *)page2), 1);
		CHECK_EQ(kn.n, 0);
		return 0;
	}
	L4_Word_t n = kn.n;
	/* v's page directory: the kpager deletes v and lends nothing.  The
	 * call runs again, finds no space, and says so. */
	kn.victim = v.raw;
	CHECK_EQ(kn_sc(v), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
	CHECK_EQ(kn.n, n + 1);
	CHECK_EQ(kn.kind[n % KN_LOG], LENT_KMEM_PDIR);
	CHECK_EQ(kn.deleted, 1);
	/* The next call that needs a page asks for it, and gets it. */
	CHECK_EQ(L4_ThreadControl(u, w, rt_main_thread(), L4_nilthread, (void *)page2), 1);
	CHECK_EQ(kn.n, n + 2);
	CHECK_EQ(kn.kind[(n + 1) % KN_LOG], LENT_KMEM_UTCB);
	CHECK_EQ(kn.task[(n + 1) % KN_LOG], w.raw);
	CHECK_EQ(kn.failed, 0);
	return 0;
}

/* ---- a page fault whose refused page came by another thread's ---- */

#define KN_REGION	0x60000000UL	/* a 4 MB region the agents have nothing in */
#define KN_REGION2	0x64000000UL
#define KN_MARK		0x6e07e5a1UL

static volatile struct {
	L4_Word_t n, next, failed;
	L4_Word_t held;                     /* the first fault's thread, not yet answered */
	L4_Word_t release;                  /* answer it now, with no page */
	L4_Word_t lend_held;                /* ... or with a page */
	L4_Word_t only;                     /* receive from this thread only, and
	                                     * lend for all its faults */
	L4_Word_t only_seen;                /* only, as the kpager's receive has it */
	L4_Word_t task[KN_LOG];
} kh;

/* Holds the first fault (of any thread, while only is nil); lends for
 * every other; once told, answers the held one with no page, or with
 * one (lend_held). */
static void kh_loop(L4_Word_t arg)
{
	L4_ThreadId_t from, held = L4_nilthread;
	L4_Word_t ec;

	(void)arg;
	for (;;) {
		L4_ThreadId_t only = { .raw = kh.only };
		L4_MsgTag_t tag;

		kh.only_seen = only.raw;

		if (L4_IsNilThread(only)) {
			tag = L4_Wait_Timeout(rt_us(1000), &from);
		} else {
			tag = L4_Receive_Timeout(only, rt_us(1000));
			from = only;
		}
		if (kh.release && !L4_IsNilThread(held)) {
			if (!kpager_answer(held, kh.lend_held ? kn_take_at(&kh.next) : 0, &ec))
				kh.failed++;
			held = L4_nilthread;
		}
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		int hold = !kh.held && L4_IsNilThread(only);
		if (hold)
			t_flaky_delay(1);       /* a kpager slow to note the first */
		kh.task[kh.n % KN_LOG] = rt_mr(3);
		kh.n++;
		if (hold) {
			held = from;
			kh.held = from.raw;
			continue;
		}
		if (!kpager_answer(from, kn_take_at(&kh.next), &ec))
			kh.failed++;
	}
}

/* A second agent in the space of agent a, its UTCB next to a's. */
static const char *kh_second(L4_ThreadId_t a, L4_ThreadId_t *b)
{
	void *stack = rt_stack_alloc();

	*b = rt_tid_alloc();
	CHECK(stack && !L4_IsNilThread(*b));
	rt_tid_attach(*b, stack, 0);
	CHECK_EQ(L4_ThreadControl(*b, a, rt_main_thread(), rt_main_thread(),
				  (void *)(RT_UTCB_AREA_BASE + RT_UTCB_SIZE)), 1);
	(void)L4_Set_Priority(*b, RT_PRIORITY);
	CHECK(rt_start_message(*b, (L4_Word_t)rt_agent_loop, rt_stack_frame(stack, 0)));
	CHECK(t_ag_ok(rt_agent_result(*b, 0)));
	return 0;
}

/* page marked, a fresh log and kpager, and agents a and b of one task
 * whose kpager it is, one page per fault. */
static const char *kh_two_agents(L4_Word_t page, L4_ThreadId_t *a, L4_ThreadId_t *b)
{
	CHECK(page != 0);
	*(volatile L4_Word_t *)page = KN_MARK;
	t_kp_zero(&kh, sizeof(kh));
	RUN(t_kp_start(&kn_kp, KN_POOL, kh_loop));
	RUN(t_kp_agent(a, kn_kp.thread));
	CHECK_EQ(lent_kmem_control(a->raw, LENT_KMEM_SET_KPF_PAGES, 1), 1);
	return kh_second(*a, b);
}

/* Answer ag's faults on the image (its code and stack, for the command)
 * until the kpager has seen n faults, looking at its count every 1 ms
 * for as long as it takes (a count of looks was a clock bound). */
static const char *kh_serve_until(L4_ThreadId_t ag, L4_Word_t n)
{
	while (kh.n < n) {
		L4_MsgTag_t tag = rt_serve(ag, 1000, 0);
		CHECK(L4_IpcFailed(tag));       /* nothing but a timeout */
	}
	return 0;
}

/* Agent ag's read at addr faults to main: answer with page. */
static const char *kh_serve_read(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t page)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag = rt_agent_result(ag, &from);
	L4_MapItem_t m = t_map_item(page, 12, L4_Readable, addr & ~(RT_PAGE_SIZE - 1));

	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1), addr);
	t_load(0, 0, 0, 2, m.raw);
	CHECK(L4_IpcSucceeded(L4_Send(ag)));     /* ag waits in its fault's Call */
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), KN_MARK);
	return 0;
}

/*
 * Agents a and b of one task read in a region whose node table, page of
 * mapping nodes and page table are missing.  The kpager holds a's fault,
 * lends b's pages, then refuses a's.  a's access runs again and finds
 * every page there (b's fault brought them): it goes to its pager, and
 * the refusal is over.  A map item to a into another such region must
 * then ask the kpager and arrive, not be refused unasked.
 */
static const char *t_kpfnote_page_fault_leaves_no_refusal(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t page = t_page(), res[5], sec, x = KN_REGION, y = KN_REGION + RT_PAGE_SIZE;

	RUN(kh_two_agents(page, &a, &b));
	CHECK(rt_agent_post(a, RT_AG_READ, 1, &x));
	if (!((kn_kp.lent_kinds >> LENT_KMEM_NT) & 1)) {
		RUN(kh_serve_read(a, x, page));       /* KMEM=pool: nobody is asked */
		CHECK_EQ(kh.n, 0);
		return 0;
	}
	RUN(kh_serve_until(a, 1));
	CHECK_EQ(kh.held, a.raw);
	CHECK(rt_agent_post(b, RT_AG_READ, 1, &y));
	RUN(kh_serve_read(b, y, page));
	/* a's held fault, then b's: its node table and page table at least. */
	L4_Word_t n = kh.n;
	CHECK(n >= 3);
	CHECK_EQ(kh.task[1], b.raw);
	kh.release = 1;
	RUN(kh_serve_read(a, x, page));
	CHECK_EQ(kh.n, n);
	/* A map item into a fresh region: the kpager is asked. */
	RUN(t_ag_accept(a, KN_REGION2, 12));
	RUN(t_ag_give_map(a, t_map_item(page, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	CHECK(kh.n > n);
	CHECK_EQ(kh.task[n % KN_LOG], a.raw);
	RUN(t_ag_reads(a, KN_REGION2, KN_MARK));
	CHECK_EQ(kh.failed, 0);
	return 0;
}

/*
 * The same when a's wait for its kpager runs out (SET_KPF_WAIT) instead
 * of a refusal: a's access runs again after b's fault has mapped the very
 * page, so it makes no fault at all and nothing takes the note the wait
 * left.  A map item to a into another fresh region must still ask the
 * kpager and arrive.  (The wait's end noted a refusal for the user mode
 * run, and that later map item was dropped unasked.)
 *
 * The order is made, not raced: the kpager receives from b only while
 * a's fault waits, sent, with no wait set, and b's faults are served;
 * only then is the wait set and a's fault taken (the wait of a fault's
 * answer is armed as the kpager receives it, ipc_kernel_call_timeout),
 * so it runs out after x is mapped however slow the host.
 */
static const char *t_kpfnote_wait_run_out_leaves_no_refusal(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t page = t_page(), res[5], sec, x = KN_REGION;

	RUN(kh_two_agents(page, &a, &b));
	if (!((kn_kp.lent_kinds >> LENT_KMEM_NT) & 1))
		return 0;                             /* KMEM=pool: nobody is asked */
	kh.only = b.raw;
	t_until(&kh.only_seen, b.raw);                /* its next receive is from b */
	CHECK(rt_agent_post(a, RT_AG_READ, 1, &x));
	/* Serve a's faults on the image until its kernel page fault is
	 * sent (and waits, for as long as it takes: no wait is set). */
	while (!lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0)) {
		L4_MsgTag_t tag = rt_serve(a, 1000, 0);
		CHECK(L4_IpcFailed(tag));             /* nothing but a timeout */
	}
	t_flaky_delay(1);                             /* a slow host while it waits */
	CHECK(rt_agent_post(b, RT_AG_READ, 1, &x));
	RUN(kh_serve_read(b, x, page));
	CHECK_EQ(kh.held, 0);
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
	/* Now a's fault is taken, held, and its wait for the answer runs
	 * out; a's read runs again and finds x mapped. */
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPF_WAIT, L4_TimePeriod(20000).raw), 1);
	kh.only = 0;
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(1), KN_MARK);
	t_until(&kh.held, a.raw);                     /* it was a's fault, taken */
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPF_WAIT, 0), 1);
	L4_Word_t n = kh.n;
	RUN(t_ag_accept(a, KN_REGION2, 12));
	RUN(t_ag_give_map(a, t_map_item(page, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	CHECK(kh.n > n);
	RUN(t_ag_reads(a, KN_REGION2, KN_MARK));
	kh.release = 1;                               /* nobody waits for it now */
	return 0;
}

/*
 * The same with a receive: a map item to agent a into a region with
 * none of its kernel memory makes a's kpager be asked on a's behalf, and
 * the kpager holds that fault.  Agent b's read in the region brings the
 * pages; then a's fault is answered with a page, which is not taken (its
 * CID is lent already), yet a has what it needs: that is no refusal.  A
 * later map item to a into another fresh region must ask the kpager and
 * arrive.  (The answer was noted as a refusal, and that later map item
 * was dropped unasked.)
 */
static const char *t_kpfnote_answer_found_lent_is_no_refusal(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t page = t_page(), res[5], sec, y = KN_REGION + RT_PAGE_SIZE, n;
	L4_MapItem_t m = t_map_item(page, 12, L4_Readable, 0);
	L4_MsgTag_t tag;

	CHECK(page != 0);
	*(volatile L4_Word_t *)page = KN_MARK;
	t_kp_zero(&kh, sizeof(kh));
	kh.lend_held = 1;
	RUN(t_kp_start(&kn_kp, KN_POOL, kh_loop));
	RUN(t_kp_agent(&a, kn_kp.thread));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPF_PAGES, 1), 1);
	RUN(kh_second(a, &b));
	RUN(t_ag_accept(a, KN_REGION, 12));
	CHECK(rt_agent_post(a, RT_AG_RECV, 0, 0));
	CHECK(!L4_IsNilThread(t_send_async(a, t_tag(0x66, 0, 2), m.raw, 0)));
	if (!((kn_kp.lent_kinds >> LENT_KMEM_NT) & 1)) {
		CHECK(t_ag_ok(rt_agent_result(a, 0)));
		t_send_async_wait(&tag, &sec);
		return 0;                       /* KMEM=pool: nobody is asked */
	}
	RUN(kh_serve_until(a, 1));
	CHECK_EQ(kh.held, a.raw);
	CHECK(rt_agent_post(b, RT_AG_READ, 1, &y));
	RUN(kh_serve_read(b, y, page));
	n = kh.n;
	kh.release = 1;
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	t_send_async_wait(&tag, &sec);
	CHECK(L4_IpcSucceeded(tag));
	RUN(t_ag_reads(a, KN_REGION, KN_MARK));
	CHECK_EQ(kh.n, n);
	/* A map item into a fresh region: the kpager is asked. */
	RUN(t_ag_accept(a, KN_REGION2, 12));
	RUN(t_ag_give_map(a, m, res, &sec));
	CHECK_EQ(sec, 0);
	CHECK(kh.n > n);
	RUN(t_ag_reads(a, KN_REGION2, KN_MARK));
	CHECK_EQ(kh.failed, 0);
	return 0;
}

/*
 * A thread halted by ExchangeRegisters while the kernel memory for its
 * page fault is asked for: the answer lends the pages, but the page
 * fault is not sent to the pager until the thread runs again; resumed,
 * it makes its access again and its pager sees the fault.  (The answer
 * sent the page fault on at once, for a halted thread too.)
 */
static volatile struct t_kplog kh_log;

/* An agent whose kpager logs into log and holds its node-table faults,
 * made to read addr: returns once the kpager holds that fault.  *a is
 * nil in a KMEM=pool kernel, which makes no kernel page fault. */
static const char *kn_held_fault(volatile struct t_kplog *log, L4_Word_t addr,
				 L4_ThreadId_t *a)
{
	L4_ThreadId_t ag, kp, from = L4_nilthread;
	L4_MsgTag_t tag;

	*a = L4_nilthread;
	t_kplog_reset(log, T_KPLOG_HOLD_KIND, LENT_KMEM_NT);
	if (!log->pool) {
		log->pool = rt_get_pages(KN_POOL);
		CHECK(log->pool != 0);
		log->pages = KN_POOL;
	}
	kp = rt_thread_create(t_kplog_loop, (L4_Word_t)log);
	CHECK(!L4_IsNilThread(kp));
	RUN(t_kp_agent(&ag, kp));
	if (!lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0))
		return 0;
	CHECK(rt_agent_post(ag, RT_AG_READ, 1, &addr));
	/* Serve the agent's faults on the root image until its kpager has
	 * the kernel page fault, looking every 20 ms for as long as it
	 * takes. */
	while (!log->n) {
		tag = rt_serve(ag, 20000, &from);
		CHECK(L4_IpcFailed(tag));       /* only image faults, answered */
	}
	CHECK_EQ(log->n, 1);
	CHECK_EQ(log->fkind[0], LENT_KMEM_NT);
	*a = ag;
	return 0;
}

/* Start a again: it makes its access to addr again, and its pager (we)
 * sees the page fault. */
static const char *kn_started_faults_at(L4_ThreadId_t a, L4_Word_t addr)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	L4_Start(a);
	tag = rt_agent_result(a, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, a.raw);
	CHECK_EQ(rt_mr(1), addr);
	return 0;
}

static const char *t_kpfnote_halted_thread_sends_no_fault(void)
{
	L4_Word_t addr = KN_REGION + 0x400000UL;
	L4_MsgTag_t tag;
	L4_ThreadId_t a;

	RUN(kn_held_fault(&kh_log, addr, &a));
	if (L4_IsNilThread(a))
		return 0;                       /* KMEM=pool: no kernel page fault */
	(void)L4_Stop(a);
	kh_log.release = 1;
	/* Lent inside the answer's IPC: once the frame shows as lent, a
	 * page fault sent on would be waiting for us already. */
	while (!(kh_log.page[0] && lent_kmem_control(0, LENT_KMEM_LENT, kh_log.page[0])))
		rt_sleep_us(1000);
	tag = L4_Receive_Timeout(a, rt_us(50000));
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(L4_ErrorCode(), EC_RECV(1));
	RUN(kn_started_faults_at(a, addr));
	rt_release(a);
	return 0;
}

/*
 * A page fault whose kernel page fault is cancelled (AbortIpc and stop)
 * while its kpager holds it: the answer that comes after finds nobody
 * waiting for it and lends nothing, by the kernel's fast way for answers
 * or its general path alike.  Started again, the thread makes its access
 * again, asks again, and this time gets its page and its page fault.
 */
static volatile struct t_kplog kc_log;

static const char *t_kpfnote_cancelled_fault_gets_no_page(void)
{
	L4_Word_t addr = KN_REGION + 0x800000UL;
	L4_ThreadId_t a;

	RUN(kn_held_fault(&kc_log, addr, &a));
	if (L4_IsNilThread(a))
		return 0;                       /* KMEM=pool: no kernel page fault */
	(void)L4_AbortIpc_and_stop(a);
	kc_log.release = 1;
	t_until(&kc_log.failed, 1);
	CHECK(kc_log.page[0] != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kc_log.page[0]), 0);
	CHECK_EQ(kc_log.n, 1);
	RUN(kn_started_faults_at(a, addr));
	CHECK(kc_log.n >= 2);                  /* the page table may follow */
	CHECK_EQ(kc_log.fkind[1], LENT_KMEM_NT);
	CHECK_EQ(kc_log.failed, 1);
	CHECK(lent_kmem_control(0, LENT_KMEM_LENT, kc_log.page[1]));
	rt_release(a);
	return 0;
}

const struct test kpfnote_tests[] = {
	TEST(kpfnote_space_control_leaves_no_refusal),
	TEST(kpfnote_page_fault_leaves_no_refusal),
	TEST(kpfnote_wait_run_out_leaves_no_refusal),
	TEST(kpfnote_answer_found_lent_is_no_refusal),
	TEST(kpfnote_halted_thread_sends_no_fault),
	TEST(kpfnote_cancelled_fault_gets_no_page),
	{ 0, 0 },
};
