/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel page faults and the deadlock rule (docs/kpager-protocol.md):
 * main is both an agent's sender and its kpager, so its map needs
 * kernel memory only it could give.  The send must be aborted with the
 * deadlock code and go through once main has answered the fault, also
 * when the transfer had stopped part-way.  In a KMEM=pool kernel no
 * deadlock may happen at all.
 */
#include "t_kpf.h"

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
		tag = L4_Send(ag);
		if (L4_IpcSucceeded(tag))
			return t_ag_ok(rt_agent_result(ag, 0)) ? 0 : "the agent's receive failed";
		CHECK_EQ(L4_ErrorCode(), EC_SEND(7) | (LENT_KPF_DEADLOCK << 4));
		(*deadlocks)++;
		tag = L4_Wait(&from);
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

const struct test kpf_deadlock_tests[] = {
	TEST(kpf_deadlock_aborts_and_retries),
	TEST(kpf_deadlock_after_stopped_transfer),
	{ 0 }
};
