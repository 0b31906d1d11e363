/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel page faults end cleanly: every page lent for a task goes back
 * to its kpager when the task goes (used or not), a fault left
 * unanswered leaves nothing behind, and a message shaped like a fault
 * from a thread that is not waiting for one gets no page.  Also the
 * argument checks of the kpager control call.
 */
#include "t_kpf.h"
#include "t_sync.h"

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
	t_until_at_least(&kp.n, 2);
	CHECK_EQ(kp.n, 2);
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
		t_until_at_least(&kp.n, 1);
		CHECK_EQ(kp.n, 1);
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
	CHECK(L4_IpcSucceeded(L4_Send(ag)));
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
	tag = L4_Call_Timeouts(rt_sigma0(), L4_Never, rt_us(200000));
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

const struct test kpf_back_tests[] = {
	TEST(kpf_pages_back_at_task_death),
	TEST(kpf_unused_page_back_at_task_death),
	TEST(kpf_abandoned_fault_leaves_nothing),
	TEST(kpf_forged_fault_gets_nothing),
	TEST(kpf_control_checks_arguments),
	{ 0 }
};
