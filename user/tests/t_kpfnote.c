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

static L4_Word_t kn_take(void)
{
	while (kn.next < KN_POOL) {
		L4_Word_t page = kn_kp.pool + kn.next++ * RT_PAGE_SIZE;
		if (!lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

static void kn_loop(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_Word_t ec, page;

	(void)arg;
	for (;;) {
		L4_MsgTag_t tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = kn.n % KN_LOG, kind = rt_mr(2), task = rt_mr(3);
		kn.kind[i] = kind;
		kn.task[i] = task;
		kn.n++;
		page = 0;
		if (kind == LENT_KMEM_PDIR && task == kn.victim) {
			L4_ThreadId_t v = { .raw = kn.victim };
			kn.deleted = L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread,
						      (void *)~0UL);
		} else {
			page = kn_take();
		}
		if (!kpager_answer(from, page, &ec))
			kn.failed++;
	}
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
	RUN(t_kp_start(&kn_kp, KN_POOL, kn_loop));
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

const struct test kpfnote_tests[] = {
	TEST(kpfnote_space_control_leaves_no_refusal),
	{ 0, 0 },
};
