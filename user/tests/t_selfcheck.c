/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check (KmemControl SELF_CHECK) over states the kernel's
 * structures pass through: a chain of maps with a grant at its end and
 * unmaps at each level, ports mapped and taken back, threads blocked in
 * each way, a task deleted while the main thread checks between its
 * steps.  Each check must pass with exact results: EAX 0 and MR1..MR4
 * 0, where the MRs held garbage before.  That each rule can fail is
 * shown on the host, on hand-made broken structures
 * (tests/unit/test_selfcheck.c).
 */
#include "tests.h"
#include <l4/arch.h>
#include <lent/kmem.h>

#define WB	0x20000000UL
#define WC	0x30000000UL
#define WD	0x34000000UL
#define MAGIC	0x5e1fc4ecUL
#define PORT	0x3ffUL           /* COM1's scratch register */
#define LONG_US	10000000UL
#define DELETED_MAPPINGS 4096UL   /* one page, mapped at as many addresses */

/* One check: it must find nothing, and say so in every register. */
static const char *clean(void)
{
	L4_Word_t mr[5], i;

	for (i = 1; i <= 4; i++)
		L4_LoadMR(i, 0xbad0000 + i);
	L4_Word_t bad = lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0);
	for (i = 1; i <= 4; i++)
		L4_StoreMR(i, &mr[i]);
	if (bad)
		printf("#   self-check: %lu, rule %lu at %lx, task %lu, thread %lx\n", bad, mr[2],
		       mr[3], mr[4], mr[1]);
	CHECK_EQ(bad, 0);
	CHECK_EQ(mr[1], 0);
	CHECK_EQ(mr[2], 0);
	CHECK_EQ(mr[3], 0);
	CHECK_EQ(mr[4], 0);
	return 0;
}

/* Exact results, and what one check costs (printed, never asserted:
 * QEMU runs at the host's speed). */
static const char *t_selfcheck_exact(void)
{
	L4_Word_t t0 = rt_now_us();

	RUN(clean());
	printf("# self-check: one check took %lu us at %lu MB\n", rt_now_us() - t0, t_ram_mb());
	return 0;
}

/* EDX not 0, or a task named: error 5 (the caller is privileged). */
static const char *t_selfcheck_bad_arguments(void)
{
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 1), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	CHECK_EQ(lent_kmem_control(L4_Myself().raw, LENT_KMEM_SELF_CHECK, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	return clean();
}

/* Agent a sends one item (two words) to agent b, which receives it. */
static const char *pass_on(L4_ThreadId_t a, L4_ThreadId_t b, L4_Word_t i0, L4_Word_t i1)
{
	L4_Word_t w[4] = { b.raw, t_tag(0x68, 0, 2).raw, i0, i1 };

	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(a, RT_AG_SEND, 4, w));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	return 0;
}

/* root -> B -> C, then C grants its page to D; unmaps at B, then at the
 * root with the flush bit clear and set; a check after each step. */
static const char *t_selfcheck_map_chain(void)
{
	L4_ThreadId_t b, c, d;
	L4_Word_t res[5], sec, p = t_page(), un[2];
	L4_MapItem_t m = t_map_item(WB, 12, L4_ReadWriteOnly, 0);
	L4_GrantItem_t g = L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(WC, 12), L4_ReadWriteOnly), 0);

	CHECK(p != 0);
	*(volatile L4_Word_t *)p = MAGIC;
	b = rt_agent_create(L4_Myself());
	c = rt_agent_create(L4_Myself());
	d = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(b) && !L4_IsNilThread(c) && !L4_IsNilThread(d));
	RUN(t_ag_accept(b, WB, 12));
	RUN(t_ag_accept(c, WC, 12));
	RUN(t_ag_accept(d, WD, 12));
	RUN(t_ag_give_map(b, t_map_item(p, 12, L4_ReadWriteOnly, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(b, WB, MAGIC));
	RUN(clean());
	RUN(pass_on(b, c, m.raw[0], m.raw[1]));
	RUN(t_ag_reads(c, WC, MAGIC));
	RUN(clean());
	RUN(pass_on(c, d, g.raw[0], g.raw[1]));
	RUN(t_ag_reads(d, WD, MAGIC));
	RUN(t_ag_faults(c, WC, 0));
	RUN(clean());
	/* B takes the write right from what it passed on (D's page). */
	un[0] = 0;
	un[1] = L4_FpageLog2(WB, 12).raw | L4_Writable;
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_UNMAP, 2, un)));
	RUN(t_ag_reads(d, WD, MAGIC));
	RUN(clean());
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
	RUN(t_ag_faults(d, WD, 0));
	RUN(t_ag_faults(b, WB, 0));
	RUN(clean());
	(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
	RUN(clean());
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);     /* back from sigma0 */
	return clean();
}

/* A port given to an agent, then taken back. */
static const char *t_selfcheck_ports(void)
{
	L4_ThreadId_t b = rt_agent_create(L4_Myself());
	L4_MapItem_t m = L4_MapItem(L4_IoFpageLog2(PORT, 0), 0);
	L4_Word_t res[5], sec, acc = L4_MapGrantItems(L4_CompleteAddressSpace).raw;

	CHECK(!L4_IsNilThread(b));
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(PORT, 0)).raw,
		 L4_IoFpageLog2(PORT, 0).raw | 7);
	RUN(clean());
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_ACCEPT, 1, &acc)));
	RUN(t_ag_give_map(b, m, res, &sec));
	CHECK_EQ(sec, 0);
	RUN(clean());
	L4_UnmapFpage(L4_IoFpageLog2(PORT, 0));
	RUN(clean());
	return 0;
}

static void long_sleeper(L4_Word_t arg)
{
	(void)arg;
	L4_Sleep(rt_us(LONG_US));
	rt_thread_exit();
}

/* Threads receiving with and without a timeout, sending, halted, and
 * waiting for their start message. */
static const char *t_selfcheck_thread_states(void)
{
	L4_ThreadId_t r = rt_thread_create(t_receive_from_main, 0);
	L4_ThreadId_t s = rt_thread_create(long_sleeper, 0);
	L4_ThreadId_t x = rt_thread_create(t_send_to_main, 0), y;
	L4_Word_t sp;

	CHECK(!L4_IsNilThread(r) && !L4_IsNilThread(s) && !L4_IsNilThread(x));
	CHECK(t_waiting(r));
	CHECK(t_waiting(s));
	RUN(clean());
	L4_Stop(s);
	RUN(clean());
	y = rt_thread_prepare(0, &sp);        /* waits for its start message */
	CHECK(!L4_IsNilThread(y));
	RUN(clean());
	CHECK(L4_IpcSucceeded(L4_Receive(x)));
	return clean();
}

/* A task with 4,096 mappings deleted by a thread of lower priority while
 * main checks whenever it wakes: whatever step of the teardown a check
 * meets (the deleted task on the list of those being freed, part of it
 * gone), it must pass.  How many checks met the teardown depends on the
 * scheduling and is printed, not asserted (the host tests check the
 * rules on a task stopped in each phase of its teardown). */
static void deleter(L4_Word_t agent)
{
	(void)L4_Receive(rt_main_thread());          /* main's go */
	t_shared[2] = L4_ThreadControl((L4_ThreadId_t) { .raw = agent }, L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	t_shared[1] = 1;
	rt_thread_exit();
}

static const char *t_selfcheck_task_deleted(void)
{
	L4_ThreadId_t b = rt_agent_create(L4_Myself()), del;
	L4_Word_t items[62], checks = 0, p = t_page(), k, n, i, mapped, own;

	CHECK(!L4_IsNilThread(b) && p != 0);
	RUN(t_ag_accept(b, WB, 24));
	/* 31 map items a message, each of p to the next page of the window. */
	for (k = 0; k < DELETED_MAPPINGS; k += n) {
		n = DELETED_MAPPINGS - k < 31 ? DELETED_MAPPINGS - k : 31;
		for (i = 0; i < n; i++) {
			L4_MapItem_t m = t_map_item(p, 12, L4_Readable, (k + i) << 12);
			items[2 * i] = m.raw[0];
			items[2 * i + 1] = m.raw[1];
		}
		CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
		t_load(0x66, 0, 0, (int)(2 * n), items);
		CHECK(L4_IpcSucceeded(L4_Send(b)));
		CHECK(t_ag_ok(rt_agent_result(b, 0)));
		if (!k) {          /* its image and stack, and the first 31 */
			(void)lent_kmem_control(b.raw, LENT_KMEM_STATS, 0);
			L4_StoreMR(LENT_KMEM_STAT_MAPPED, &own);
		}
	}
	(void)lent_kmem_control(b.raw, LENT_KMEM_STATS, 0);
	L4_StoreMR(LENT_KMEM_STAT_MAPPED, &mapped);
	CHECK_EQ(mapped, own + DELETED_MAPPINGS - 31);
	RUN(clean());
	del = rt_thread_create(deleter, b.raw);
	CHECK(!L4_IsNilThread(del));
	CHECK(L4_Set_Priority(del, RT_PRIORITY - 1) != 0);   /* below main's: main preempts it */
	rt_msg(0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(del)));
	while (!t_shared[1] && checks < 100000) {
		L4_Sleep(rt_us(20));
		RUN(clean());
		checks++;
	}
	CHECK_EQ(t_shared[1], 1);
	CHECK_EQ(t_shared[2], 1);
	printf("# self-check: %lu checks while the task was deleted\n", checks);
	return clean();
}

const struct test selfcheck_tests[] = {
	TEST(selfcheck_exact),
	TEST(selfcheck_bad_arguments),
	TEST(selfcheck_map_chain),
	TEST(selfcheck_ports),
	TEST(selfcheck_thread_states),
	TEST(selfcheck_task_deleted),
	{ 0 },
};
