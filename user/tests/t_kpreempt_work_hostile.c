/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile run of t_kpreempt_work.c's workload: probes that make the
 * hostile kpager lend a TCB page to its own client, the scans of what
 * it was lent, and the other subsystem (a task under another kpager,
 * with a sentinel page) checked after every step.
 */
#include "t_kpreempt_work_int.h"
#include "t_pool.h"
#include <lent/kmem.h>

struct kpager_hostile kw_kh;
static struct kpager_fcfs kh_other;
static L4_Word_t kh_pool;
L4_Word_t kh_page;
struct kh_seen kw_kb;

/* A probe: it says hello and sleeps for good, so that whatever registers
 * an accepted body gives it, it never runs them. */
static void kh_probe(L4_Word_t arg)
{
	(void)arg;
	rt_msg(KH_HELLO, 0, 0);
	(void)L4_Send(kw_kb.main);
	for (;;)
		L4_Sleep(L4_Never);
}

/* The threads that make the hostile kpager lend a TCB page to its own
 * client: a task's first TCB page (slots 0 to 3) is lent by its
 * creator's kpager, so KH_FILL threads that never run fill it after the
 * agent, and KH_PROBES probes fill the next one, which the hostile
 * kpager lends (the workload's own thread, made at step 7, goes to a
 * third page). */
const char *kh_threads(L4_ThreadId_t ag)
{
	L4_ThreadId_t from;

	kw_kb.main = L4_Myself();
	kw_kb.back = kw_kb.halted = 0;
	for (unsigned i = 0; i < KH_FILL; i++) {
		kw_kb.fill[i] = rt_tid_alloc();
		CHECK(!L4_IsNilThread(kw_kb.fill[i]));
		CHECK_EQ(L4_ThreadControl(kw_kb.fill[i], ag, L4_Myself(), L4_nilthread, (void *)-1), 1);
	}
	for (unsigned i = 0; i < KH_PROBES; i++) {
		kw_kb.probe[i] = rt_tid_alloc();
		CHECK(!L4_IsNilThread(kw_kb.probe[i]));
		CHECK_EQ(L4_ThreadControl(kw_kb.probe[i], ag, L4_Myself(), L4_Myself(),
					  (void *)(RT_UTCB_AREA_BASE + (2 + i) * RT_UTCB_SIZE)), 1);
		RUN(t_kpre_run(kw_kb.probe[i], kh_probe));
		L4_MsgTag_t tag = rt_serve(kw_kb.probe[i], RT_NEVER_US, &from);
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
	L4_Word_t refused = kw_kh.refused;
	L4_ThreadId_t r = __L4_Exregs(kw_kb.probe[0], __L4_EXREGS_DELIVER, 0, 0, 0, 0,
				      L4_nilthread, 0, 0, 0, 0, 0, 0);
	L4_Word_t ec = L4_ErrorCode();

	/* The kernel ends our wait when it refuses the body, before the
	 * kpager learns of it: a message to the kpager, which it takes
	 * after it has dealt with the refusal, waits for that (a take-back
	 * of a content identifier no page has). */
	(void)preempt_take_back_cid(&kw_kh.pre, 1, KH_NO_CID);
	if (kw_kh.refused != refused) {
		CHECK_EQ(kw_kh.refused, refused + 1);
		CHECK(L4_IsNilThread(r));
		CHECK_EQ(ec, 8);
		kw_kb.halted++;
	} else {
		CHECK(!L4_IsNilThread(r));      /* its local ID in its own space */
		kw_kb.back++;
	}
	return 0;
}

const char *kh_name_probe(void)
{
	RUN(kh_name_once());
	(void)preempt_take_back_cid(&kw_kh.pre, 1, LENT_CID_TCB_BASE + LENT_CID_PAGE);
	return kh_name_once();
}

const char *kh_threads_end(void)
{
	for (unsigned i = 0; i < KH_PROBES; i++)
		CHECK_EQ(L4_ThreadControl(kw_kb.probe[i], L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
	for (unsigned i = 0; i < KH_FILL; i++)
		CHECK_EQ(L4_ThreadControl(kw_kb.fill[i], L4_nilthread, L4_nilthread, L4_nilthread,
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
			kw_kb.foreign++;
	}
}

/* Does kind go back in a form (node pages and tables)? */
int kh_node_form(unsigned kind)
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
			kw_kb.foreign++;
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
void kh_scan(void)
{
	for (unsigned i = 0; i < PREEMPT_RECORDS; i++) {
		const struct preempt_rec *rec = &kw_kh.pre.rec[i];
		const volatile L4_Word_t *w =
			(const volatile L4_Word_t *)(kw_kh.pre.store + i * RT_PAGE_SIZE);

		if (rec->state != PREEMPT_KEPT)
			continue;
		kw_kb.scanned++;
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
				kw_kb.foreign++;
			}
	}
}

/* The other subsystem checks its own state: its page and who it is. */
void kh_other_checks(void)
{
	L4_Word_t a = KW_WINDOW;

	if (!t_ag_ok(rt_agent_cmd(kw_kb.task, RT_AG_READ, 1, &a)) || rt_mr(1) != KH_SENTINEL)
		kw_kb.foreign++;
	if (t_kpre_works(kw_kb.task, kw_kb.data))
		kw_kb.foreign++;
	if (lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0))
		kw_kb.kernel_faults++;
}

/* The other subsystem: a task under an FCFS kpager of its own, the
 * sentinel in a page main mapped to it. */
const char *kh_other_start(void)
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
	RUN(t_kpre_task(&kw_kb.task, kp, &kw_kb.data));
	RUN(t_ag_accept(kw_kb.task, KW_WINDOW, 12));
	RUN(t_ag_give_map(kw_kb.task, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(kh_page, 12),
								L4_FullyAccessible), 0),
			  res, &sec));
	CHECK_EQ(sec, 0);
	return 0;
}
