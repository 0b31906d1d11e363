/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Step 4: A (the root) maps a page to B, B maps it on to C; A unmaps it
 * and C's next access faults to its pager again.  B and C are agents
 * (rt_agent.c) whose pager is main, so main sees their faults.
 */
#include "demo.h"

#define WB	0x20000000UL
#define WC	0x30000000UL

static L4_Word_t words[6];

static int ok(L4_MsgTag_t tag)
{
	return L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT;
}

static L4_MsgTag_t cmd(L4_ThreadId_t ag, L4_Word_t op, int n)
{
	return rt_agent_cmd(ag, op, n, words);
}

/* Agent ag receives one message with a map item; sender sends it. */
static int map_to(L4_ThreadId_t sender, L4_ThreadId_t ag, L4_Word_t from, L4_Word_t to)
{
	L4_Fpage_t fp = L4_FpageLog2(from, 12);
	L4_MapItem_t m;
	L4_MsgTag_t tag = L4_Niltag;

	words[0] = L4_MapGrantItems(L4_FpageLog2(to, 12)).raw;
	if (!ok(cmd(ag, RT_AG_ACCEPT, 1)) || !rt_agent_post(ag, RT_AG_RECV, 0, 0))
		return 0;
	L4_Set_Rights(&fp, L4_ReadWriteOnly);
	m = L4_MapItem(fp, 0);
	tag.X.label = 0x3a9;
	tag.X.t = 2;
	words[0] = ag.raw;
	words[1] = tag.raw;
	words[2] = m.raw[0];
	words[3] = m.raw[1];
	if (L4_IsNilThread(sender)) {
		/* The root itself: load the message and send it. */
		L4_LoadMR(0, tag.raw);
		L4_LoadMR(1, m.raw[0]);
		L4_LoadMR(2, m.raw[1]);
		if (L4_IpcFailed(L4_Send_Timeout(ag, rt_us(2000000))))
			return 0;
	} else if (!ok(cmd(sender, RT_AG_SEND, 4)) ||
		   L4_IpcFailed((L4_MsgTag_t) { .raw = rt_mr(1) })) {
		return 0;
	}
	return ok(rt_agent_result(ag, 0)) && L4_TypedWords((L4_MsgTag_t) { .raw = rt_mr(1) }) == 2;
}

/* C reads the word at WC; returns 1 and the value, or 0 on a fault. */
static int c_reads(L4_ThreadId_t c, L4_Word_t *value)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	words[0] = WC;
	if (!rt_agent_post(c, RT_AG_READ, 1, words))
		return -1;
	tag = rt_agent_result(c, &from);
	if (rt_is_pagefault(tag)) {
		printf("demo:     C faults at %08lx: the page fault goes to its pager again\n",
		       rt_mr(1));
		return 0;
	}
	*value = rt_mr(1);
	return ok(tag) ? 1 : -1;
}

int demo_unmap(void)
{
	L4_Word_t page = rt_get_pages(1), v = 0;
	L4_ThreadId_t b = rt_agent_create(rt_pager());
	L4_ThreadId_t c = rt_agent_create(L4_Myself());
	L4_Fpage_t fp;

	if (!page || L4_IsNilThread(b) || L4_IsNilThread(c)) {
		printf("demo:     setup failed (error %lu)\n", rt_last_error());
		return 0;
	}
	*(volatile L4_Word_t *)page = 0xc0ffee;
	printf("demo:     A (root " TID_FMT ") owns page %08lx holding %x\n",
	       TID_ARGS(L4_Myself()), page, 0xc0ffee);
	if (!map_to(L4_nilthread, b, page, WB))
		return 0;
	printf("demo:     A mapped it to B (" TID_FMT ") at %08lx\n", TID_ARGS(b), WB);
	if (!map_to(b, c, WB, WC))
		return 0;
	printf("demo:     B mapped it on to C (" TID_FMT ") at %08lx\n", TID_ARGS(c), WC);
	if (c_reads(c, &v) != 1)
		return 0;
	printf("demo:     C reads %lx through the chain\n", v);
	fp = L4_FpageLog2(page, 12);
	L4_Set_Rights(&fp, L4_FullyAccessible);
	(void)L4_UnmapFpage(fp);
	printf("demo:     A unmaps the page: B's and C's mappings, derived from A's, are gone\n");
	return c_reads(c, &v) == 0 && *(volatile L4_Word_t *)page == 0xc0ffee;
}
