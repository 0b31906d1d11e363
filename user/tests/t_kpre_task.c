/* SPDX-License-Identifier: BSD-2-Clause */
/* A task whose kernel memory one kpager lends, for the tests of taking
 * lent memory back (t_kpreempt.c, t_kpreempt_work.c). */
#include "t_kpreempt.h"
#include <lent/kmem.h>

const char *t_kpre_start(L4_ThreadId_t *t, L4_ThreadId_t kpager, void (*entry)(L4_Word_t))
{
	return t_kpre_start_paged(t, kpager, L4_Myself(), entry);
}

const char *t_kpre_start_paged(L4_ThreadId_t *t, L4_ThreadId_t kpager, L4_ThreadId_t pager,
			       void (*entry)(L4_Word_t))
{
	L4_Word_t old;

	*t = rt_tid_alloc();
	CHECK(!L4_IsNilThread(*t));
	CHECK_EQ(L4_ThreadControl(*t, *t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t->raw, LENT_KMEM_SET_KPAGER, kpager.raw), 1);
	CHECK_EQ(L4_SpaceControl(*t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2),
				 L4_nilthread, &old), 1);
	CHECK_EQ(L4_ThreadControl(*t, *t, L4_nilthread, pager, (void *)RT_UTCB_AREA_BASE), 1);
	return t_kpre_run_paged(*t, pager, entry);
}

const char *t_kpre_run(L4_ThreadId_t t, void (*entry)(L4_Word_t))
{
	return t_kpre_run_paged(t, L4_Myself(), entry);
}

const char *t_kpre_run_paged(L4_ThreadId_t t, L4_ThreadId_t pager, void (*entry)(L4_Word_t))
{
	void *stack = rt_stack_alloc();

	CHECK(stack != 0);
	rt_tid_attach(t, stack, 0);
	(void)L4_Set_Priority(t, RT_PRIORITY);
	if (pager.raw == L4_Myself().raw)
		CHECK(rt_start_message(t, (L4_Word_t)entry, rt_stack_frame(stack, 0)));
	else
		CHECK(rt_pager_start_thread(t, (L4_Word_t)entry, rt_stack_frame(stack, 0)));
	return 0;
}

/* The agent loop in it; it has written T_KPRE_DATA to *data, and the
 * pages t_kpre_works() touches are faulted in. */
const char *t_kpre_task(L4_ThreadId_t *t, L4_ThreadId_t kpager, L4_Word_t *data)
{
	static L4_Word_t word;

	RUN(t_kpre_start(t, kpager, rt_agent_loop));
	L4_MsgTag_t tag = rt_agent_result(*t, 0);
	CHECK(L4_IpcSucceeded(tag));
	*data = (L4_Word_t)&word;
	L4_Word_t w[2] = { *data, T_KPRE_DATA };
	CHECK(t_ag_ok(rt_agent_cmd(*t, RT_AG_WRITE, 2, w)));
	return t_kpre_works(*t, *data);
}

/* The agent t still works: it reads back what it wrote and says who it
 * is (its UTCB, the KIP's system-call stubs). */
const char *t_kpre_works(L4_ThreadId_t t, L4_Word_t data)
{
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_READ, 1, &data)));
	CHECK_EQ(rt_mr(1), T_KPRE_DATA);
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_SELF, 0, 0)));
	CHECK_EQ(rt_mr(3), t.raw);
	return 0;
}

int t_kpre_reply_map(L4_ThreadId_t to, L4_Fpage_t fp, L4_Word_t base)
{
	L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(fp, L4_FullyAccessible), base);

	L4_LoadMR(0, (L4_MsgTag_t){ .X.t = 2 }.raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
	return L4_IpcSucceeded(L4_Reply(to));
}
