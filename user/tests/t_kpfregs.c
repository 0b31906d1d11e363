/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A thread in a page fault made no IPC, so no IPC's failure may be
 * written over its registers.  Here the pager's answer to the fault needs
 * the thread's kernel memory (a node table for the mapping), the kpager
 * holds that page fault, and the wait its task chose (SET_KPF_WAIT) runs
 * out: the fault must recur with the registers the thread had, and the
 * store that faulted must store the value it was given.
 */
#include "t_kplog.h"
#include "t_kphelp.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define KR_POOL		8
#define KR_WINDOW	0x50000000UL	/* a 4 MB region the agent never used */
#define KR_VALUE	0x72656773UL

static volatile struct t_kplog kr;

/* main, the agent's pager, answers its fault with a map item of page,
 * at `at` in the agent. */
static L4_MsgTag_t kr_answer_at(L4_ThreadId_t ag, L4_Word_t page, L4_Word_t at)
{
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, at);

	L4_LoadMR(0, t_tag(0, 0, 2).raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
	return L4_Send(ag);
}

static L4_MsgTag_t kr_answer(L4_ThreadId_t ag, L4_Word_t page)
{
	return kr_answer_at(ag, page, KR_WINDOW);
}

static const char *kr_fault_was(L4_ThreadId_t ag)
{
	return t_ag_faults_posted(ag, KR_WINDOW);
}

/* A logging kpager thread over the test's pool, in mode. */
static const char *kr_kpager(L4_ThreadId_t *kp, L4_Word_t mode)
{
	t_kplog_reset(&kr, mode, LENT_KMEM_NT);
	if (!kr.pool) {
		kr.pool = rt_get_pages(KR_POOL);
		CHECK(kr.pool != 0);
		kr.pages = KR_POOL;
	}
	*kp = rt_thread_create(t_kplog_loop, (L4_Word_t)&kr);
	CHECK(!L4_IsNilThread(*kp));
	t_until(&kr.up, 1);
	return 0;
}

static const char *t_kpfregs_fault_keeps_registers(void)
{
	L4_ThreadId_t ag, kp;
	L4_Word_t a[2] = { KR_WINDOW, KR_VALUE }, page = t_page();

	if (!lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0))
		return 0;                   /* KMEM=pool: no kpager is asked */
	RUN(kr_kpager(&kp, T_KPLOG_HOLD_KIND));
	RUN(t_kp_agent(&ag, kp));
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPF_WAIT, L4_TimePeriod(20000).raw), 1);
	((volatile L4_Word_t *)page)[0] = 0;

	/* The agent stores KR_VALUE in a 4 MB region it has no kernel
	 * memory for; main's answer needs the agent's node table, which
	 * the kpager holds until the wait runs out. */
	CHECK(rt_agent_post(ag, RT_AG_WRITE, 2, a));
	RUN(kr_fault_was(ag));
	CHECK(L4_IpcFailed(kr_answer(ag, page)));
	/* Aborted by the end of the agent's wait: no transfer timeout ran
	 * out, neither main's nor the agent's (both never). */
	CHECK_EQ(L4_ErrorCode() & 0xf, EC_SEND(L4_ErrAborted));
	CHECK_EQ(kr.n, 1);
	CHECK_EQ(kr.fkind[0], LENT_KMEM_NT);

	/* The fault recurs; now the kpager lends, and the store is done. */
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPF_WAIT, 0), 1);
	kr.release = 1;
	t_until(&kr.failed, 1);
	RUN(kr_fault_was(ag));
	CHECK(L4_IpcSucceeded(kr_answer(ag, page)));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(((volatile L4_Word_t *)page)[0], KR_VALUE);
	return 0;
}

/*
 * The same where the pager is the kpager too, so the kernel page fault
 * comes by the deadlock rule and the thread waits for it unlinked: the
 * pager answers a fault in a region the agent has kernel memory for
 * with a map into another, fresh one.  Its send fails (the deadlock
 * code), the agent asks it for the node table, it does not answer, and
 * the agent's wait runs out: the fault recurs with the registers the
 * agent had, and the store, answered properly, stores its value.
 */
static const char *t_kpfregs_deadlocked_fault_keeps_registers(void)
{
	L4_ThreadId_t ag, kp;
	L4_Word_t warm[2] = { KR_WINDOW, 1 }, a[2] = { KR_WINDOW + RT_PAGE_SIZE, KR_VALUE };
	L4_Word_t page = t_page(), page2 = t_page();

	if (!lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0))
		return 0;                   /* KMEM=pool: no kpager is asked */
	CHECK(page != 0 && page2 != 0);
	RUN(kr_kpager(&kp, T_KPLOG_SERVE));
	RUN(t_kp_agent(&ag, kp));
	/* The region's kernel memory, from the logging kpager. */
	CHECK(rt_agent_post(ag, RT_AG_WRITE, 2, warm));
	RUN(kr_fault_was(ag));
	CHECK(L4_IpcSucceeded(kr_answer(ag, page)));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	/* Now main is the agent's kpager as well as its pager. */
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPAGER, L4_Myself().raw), 1);
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPF_WAIT, L4_TimePeriod(20000).raw), 1);
	((volatile L4_Word_t *)page2)[0] = 0;
	CHECK(rt_agent_post(ag, RT_AG_WRITE, 2, a));
	RUN(t_ag_faults_posted(ag, a[0]));
	CHECK(L4_IpcFailed(kr_answer_at(ag, page2, KR_WINDOW + 0x400000UL)));
	CHECK_EQ(L4_ErrorCode() & 0xf, EC_SEND(L4_ErrAborted));
	CHECK_EQ(L4_ErrorCode() >> 4, LENT_KPF_DEADLOCK);
	/* main takes no kernel page fault: the agent's, sent in main's
	 * failed answer, waits until its wait (20 ms) runs out, and only
	 * then does the fault recur.  main looks once it has (a look
	 * before would take the kernel page fault for the page fault). */
	while (lent_kmem_control(ag.raw, LENT_KMEM_PENDING, 0))
		rt_sleep_us(1000);
	RUN(t_ag_faults_posted(ag, a[0]));
	CHECK(L4_IpcSucceeded(kr_answer_at(ag, page2, a[0])));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(((volatile L4_Word_t *)page2)[0], KR_VALUE);
	return 0;
}

const struct test kpfregs_tests[] = {
	TEST(kpfregs_fault_keeps_registers),
	TEST(kpfregs_deadlocked_fault_keeps_registers),
	{ 0 }
};
