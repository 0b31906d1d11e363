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
#include <lent/kmem.h>

#define KR_POOL		8
#define KR_WINDOW	0x50000000UL	/* a 4 MB region the agent never used */
#define KR_VALUE	0x72656773UL

static volatile struct t_kplog kr;

/* main, the agent's pager, answers its fault with a map item of page. */
static L4_MsgTag_t kr_answer(L4_ThreadId_t ag, L4_Word_t page)
{
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, KR_WINDOW);

	L4_LoadMR(0, t_tag(0, 0, 2).raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
	return L4_Send(ag);
}

static const char *kr_fault_was(L4_ThreadId_t ag)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag = rt_agent_result(ag, &from);

	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1), KR_WINDOW);
	return 0;
}

static const char *t_kpfregs_fault_keeps_registers(void)
{
	L4_ThreadId_t ag, kp;
	L4_Word_t a[2] = { KR_WINDOW, KR_VALUE }, page = t_page();

	if (!lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0))
		return 0;                   /* KMEM=pool: no kpager is asked */
	t_kplog_reset(&kr, T_KPLOG_HOLD_KIND, LENT_KMEM_NT);
	if (!kr.pool) {
		kr.pool = rt_get_pages(KR_POOL);
		CHECK(kr.pool != 0);
		kr.pages = KR_POOL;
	}
	kp = rt_thread_create(t_kplog_loop, (L4_Word_t)&kr);
	CHECK(!L4_IsNilThread(kp));
	CHECK(t_wait_for(&kr.up, 1, T_WAIT_US));
	RUN(t_kp_agent(&ag, kp));
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPF_WAIT, L4_TimePeriod(20000).raw), 1);
	((volatile L4_Word_t *)page)[0] = 0;

	/* The agent stores KR_VALUE in a 4 MB region it has no kernel
	 * memory for; main's answer needs the agent's node table, which
	 * the kpager holds until the wait runs out. */
	CHECK(rt_agent_post(ag, RT_AG_WRITE, 2, a));
	RUN(kr_fault_was(ag));
	CHECK(L4_IpcFailed(kr_answer(ag, page)));
	CHECK_EQ(kr.n, 1);
	CHECK_EQ(kr.fkind[0], LENT_KMEM_NT);

	/* The fault recurs; now the kpager lends, and the store is done. */
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPF_WAIT, 0), 1);
	kr.release = 1;
	CHECK(t_wait_for(&kr.failed, 1, T_WAIT_US));
	RUN(kr_fault_was(ag));
	CHECK(L4_IpcSucceeded(kr_answer(ag, page)));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(((volatile L4_Word_t *)page)[0], KR_VALUE);
	return 0;
}

const struct test kpfregs_tests[] = {
	TEST(kpfregs_fault_keeps_registers),
	{ 0 }
};
