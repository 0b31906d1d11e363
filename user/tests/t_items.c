/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map and grant items (X.2 section 4: typed items, receive windows).
 * The receivers are agents (child tasks) whose pager is main; a root
 * thread sends them the items, so main stays free to page them.
 */
#include "tests.h"

#define W1	0x20000000UL
#define W2	0x30000000UL
#define MAGIC	0x6d61705fUL

static const char *t_ipc_map_item_at_window(void)
{
	L4_Word_t p = t_page(), res[5], sec, a[2];
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());
	L4_MsgTag_t got;

	CHECK(p != 0 && !L4_IsNilThread(ag));
	*(volatile L4_Word_t *)p = MAGIC;
	RUN(t_ag_accept(ag, W1, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_ReadWriteOnly, 0), res, &sec));
	got.raw = res[0];
	CHECK_EQ(sec, 0);
	CHECK_EQ(res[1], 0);
	CHECK(L4_IpcSucceeded(got));
	CHECK_EQ(L4_TypedWords(got), 2);
	CHECK_EQ(L4_Label(got), 0x66);
	RUN(t_ag_reads(ag, W1, MAGIC));
	/* The mapping shares the frame: the agent's write shows in ours. */
	a[0] = W1 + 4;
	a[1] = 0xbeef;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_WRITE, 2, a)));
	CHECK_EQ(((volatile L4_Word_t *)p)[1], 0xbeef);
	return 0;
}

/* A 4 KB fpage into a 64 KB window lands at window + (SndBase mod 64 KB)
 * and nowhere else. */
static const char *t_ipc_map_small_into_large_window(void)
{
	L4_Word_t p = t_page(), res[5], sec;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());

	CHECK(p != 0 && !L4_IsNilThread(ag));
	*(volatile L4_Word_t *)p = MAGIC;
	RUN(t_ag_accept(ag, W1, 16));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_ReadWriteOnly, 0x13000), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, W1 + 0x3000, MAGIC));
	return t_ag_faults(ag, W1, 0);
}

/* A 16 KB fpage into a 4 KB window: only the page that SndBase selects
 * (SndBase mod 16 KB, rounded to the window size) is mapped. */
static const char *t_ipc_map_large_into_small_window(void)
{
	L4_Word_t p = rt_get_pages(4), res[5], sec, i;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());

	CHECK(p != 0 && !L4_IsNilThread(ag));
	CHECK_EQ(p & 0x3fff, 0);
	for (i = 0; i < 4; i++)
		*(volatile L4_Word_t *)(p + i * RT_PAGE_SIZE) = 0x100 + i;
	RUN(t_ag_accept(ag, W1, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 14, L4_ReadWriteOnly, 0x2000), res, &sec));
	CHECK_EQ(sec, 0);
	return t_ag_reads(ag, W1, 0x102);
}

/* A receiver that accepts no mappings: message overflow on both sides. */
static const char *t_ipc_map_without_window_overflows(void)
{
	L4_Word_t p = t_page(), res[5], sec;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());

	CHECK(p != 0 && !L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, 0, 0));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_ReadWriteOnly, 0), res, &sec));
	CHECK_EQ(sec, EC_SEND(L4_ErrMsgOverflow));
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = res[0] }));
	CHECK_EQ(res[1] & 0xf, EC_RECV(L4_ErrMsgOverflow));
	return 0;
}

/* A read-only mapping can be read; a write faults to the pager. */
static const char *t_ipc_map_read_only_rights(void)
{
	L4_Word_t p = t_page(), res[5], sec;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());

	CHECK(p != 0 && !L4_IsNilThread(ag));
	*(volatile L4_Word_t *)p = MAGIC;
	RUN(t_ag_accept(ag, W1, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, W1, MAGIC));
	RUN(t_ag_faults(ag, W1, 1));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

/* A grants its page to B: B has it, A has lost it. */
static const char *t_ipc_grant_item_sender_loses(void)
{
	L4_Word_t p = t_page(), res[5], sec, a[4];
	L4_ThreadId_t ga = rt_agent_create(L4_Myself());
	L4_ThreadId_t gb = rt_agent_create(L4_Myself());
	L4_GrantItem_t g;
	L4_MsgTag_t tag;
	L4_Fpage_t fp;

	CHECK(p != 0 && !L4_IsNilThread(ga) && !L4_IsNilThread(gb));
	*(volatile L4_Word_t *)p = MAGIC;
	RUN(t_ag_accept(ga, W1, 12));
	RUN(t_ag_give_map(ga, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_accept(gb, W2, 12));
	fp = L4_FpageLog2(W1, 12);
	L4_Set_Rights(&fp, L4_FullyAccessible);
	g = L4_GrantItem(fp, 0);
	a[0] = gb.raw;
	a[1] = t_tag(0x67, 0, 2).raw;
	a[2] = g.raw[0];
	a[3] = g.raw[1];
	CHECK(rt_agent_post(gb, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(ga, RT_AG_SEND, 4, a));
	tag = rt_agent_result(ga, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	tag = rt_agent_result(gb, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = rt_mr(1) }), 2);
	RUN(t_ag_reads(gb, W2, MAGIC));
	return t_ag_faults(ga, W1, 0);
}

const struct test ipc_item_tests[] = {
	TEST(ipc_map_item_at_window),
	TEST(ipc_map_small_into_large_window),
	TEST(ipc_map_large_into_small_window),
	TEST(ipc_map_without_window_overflows),
	TEST(ipc_map_read_only_rights),
	TEST(ipc_grant_item_sender_loses),
	{ 0 },
};
