/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map, grant and unmap at the edges (kernel/space.c space_map_fpage,
 * space_unmap_fpage): large and complete fpages, receive windows over the
 * KIP and UTCB areas and at the top of user space, send bases that point
 * past it.  Agents A and B are paged by main.
 */
#include "tests.h"

#define MX_MAGIC	0x6d617078UL
#define MX_W		0x10000000UL
#define MX_WB		0x30000000UL
#define KIP_MAGIC	0x4be6344cUL

static unsigned char mx_spare[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

/* The agent receives one message with these typed words, sent by a root
 * thread (main stays free to page it). */
static const char *mx_give(L4_ThreadId_t ag, int n, const L4_Word_t *items)
{
	return t_ag_give_words(ag, 0x6d, n, items);
}

static const char *mx_accept(L4_ThreadId_t ag, L4_Fpage_t window)
{
	L4_Word_t acc = L4_MapGrantItems(window).raw;

	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_ACCEPT, 1, &acc)));
	return 0;
}

/* a sends b one message with the item words w0, w1. */
static const char *mx_pass(L4_ThreadId_t a, L4_ThreadId_t b, L4_Word_t w0, L4_Word_t w1)
{
	L4_Word_t m[4] = { b.raw, t_tag(0x6e, 0, 2).raw, w0, w1 };
	L4_MsgTag_t tag;

	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(a, RT_AG_SEND, 4, m));
	tag = rt_agent_result(a, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(2), 0);
	tag = rt_agent_result(b, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

static L4_Word_t mx_page(L4_Word_t magic)
{
	L4_Word_t p = t_page();

	if (p)
		*(volatile L4_Word_t *)p = magic;
	return p;
}

/* The agent's own view: %gs:0 and its global ID still right. */
static const char *mx_self_ok(L4_ThreadId_t ag)
{
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SELF, 0, 0)));
	CHECK_EQ(rt_mr(3), ag.raw);
	CHECK_EQ(rt_mr(4), RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	return 0;
}

/* A 16 MB fpage into a 16 MB window over B's UTCB area (0xBF000000) and
 * KIP area (RT_KIP_AREA_BASE): the pages that would land there are
 * skipped, the others arrive, up to the last page below 0xC0000000. */
static const char *t_mapx_window_over_kip_and_utcb_areas(void)
{
	L4_Word_t p = mx_page(MX_MAGIC), it[8];
	L4_ThreadId_t a = rt_agent_create(L4_Myself()), b = rt_agent_create(L4_Myself());
	L4_Word_t offs[4] = { 0, 0x10000, RT_KIP_AREA_BASE - 0xBF000000UL, 0xFFF000 };
	L4_Fpage_t fa = L4_FpageLog2(MX_W, 24);
	int i;

	CHECK(p && !L4_IsNilThread(a) && !L4_IsNilThread(b));
	RUN(mx_accept(a, L4_FpageLog2(MX_W, 24)));
	for (i = 0; i < 4; i++) {
		L4_MapItem_t m = t_map_item(p, 12, L4_ReadWriteOnly, offs[i]);

		it[2 * i] = m.raw[0];
		it[2 * i + 1] = m.raw[1];
	}
	RUN(mx_give(a, 8, it));
	for (i = 0; i < 4; i++)
		RUN(t_ag_reads(a, MX_W + offs[i], MX_MAGIC));
	RUN(mx_accept(b, L4_FpageLog2(0xBF000000UL, 24)));
	L4_Set_Rights(&fa, L4_ReadWriteOnly);
	RUN(mx_pass(a, b, L4_MapItem(fa, 0).raw[0], L4_MapItem(fa, 0).raw[1]));
	RUN(t_ag_reads(b, 0xBF010000UL, MX_MAGIC));
	RUN(t_ag_reads(b, 0xBFFFF000UL, MX_MAGIC));
	RUN(t_ag_reads(b, RT_KIP_AREA_BASE, KIP_MAGIC));
	return mx_self_ok(b);
}

/* A complete receive window: send bases at and above 0xC0000000 map
 * nothing (and break nothing), one just below lands there. */
static const char *t_mapx_send_base_beyond_user_space(void)
{
	L4_Word_t p = mx_page(MX_MAGIC + 1), it[6], bases[3] = { 0xC0000000UL, 0xFFFFF000UL,
								  0xBFFFE000UL };
	L4_ThreadId_t b = rt_agent_create(L4_Myself());
	int i;

	CHECK(p && !L4_IsNilThread(b));
	RUN(mx_accept(b, L4_CompleteAddressSpace));
	for (i = 0; i < 3; i++) {
		L4_MapItem_t m = t_map_item(p, 12, L4_ReadWriteOnly, bases[i]);

		it[2 * i] = m.raw[0];
		it[2 * i + 1] = m.raw[1];
	}
	RUN(mx_give(b, 6, it));
	RUN(t_ag_reads(b, 0xBFFFE000UL, MX_MAGIC + 1));
	RUN(t_ag_reads(b, RT_KIP_AREA_BASE, KIP_MAGIC));
	return mx_self_ok(b);
}

/* Granting a 16 KB fpage into a 4 KB window: the page SndBase picks goes
 * to the receiver, and the granter loses the whole fpage. */
static const char *t_mapx_grant_large_into_small_window(void)
{
	L4_Word_t p1 = mx_page(MX_MAGIC + 2), p2 = mx_page(MX_MAGIC + 3), it[4];
	L4_ThreadId_t a = rt_agent_create(L4_Myself()), b = rt_agent_create(L4_Myself());
	L4_MapItem_t m1 = t_map_item(p1, 12, L4_ReadWriteOnly, 0);
	L4_MapItem_t m2 = t_map_item(p2, 12, L4_ReadWriteOnly, 0x2000), sp;
	L4_Fpage_t fa = L4_FpageLog2(MX_W, 14);

	CHECK(p1 && p2 && !L4_IsNilThread(a) && !L4_IsNilThread(b));
	*(volatile L4_Word_t *)mx_spare = MX_MAGIC + 6;
	RUN(mx_accept(a, L4_FpageLog2(MX_W, 14)));
	it[0] = m1.raw[0];
	it[1] = m1.raw[1];
	it[2] = m2.raw[0];
	it[3] = m2.raw[1];
	RUN(mx_give(a, 4, it));
	RUN(t_ag_reads(a, MX_W + 0x2000, MX_MAGIC + 3));
	RUN(mx_accept(b, L4_FpageLog2(MX_WB, 12)));
	L4_Set_Rights(&fa, L4_ReadWriteOnly);
	RUN(mx_pass(a, b, L4_GrantItem(fa, 0x2000).raw[0], L4_GrantItem(fa, 0x2000).raw[1]));
	RUN(t_ag_reads(b, MX_WB, MX_MAGIC + 3));
	RUN(t_ag_faults(a, MX_W, 0));
	/* Resolve that fault with another page; then the granted one. */
	sp = t_map_item((L4_Word_t)mx_spare, 12, L4_Readable, MX_W);
	t_load(0, 0, 0, 2, sp.raw);
	CHECK(L4_IpcSucceeded(L4_Send(a)));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(1), MX_MAGIC + 6);
	return t_ag_faults(a, MX_W + 0x2000, 0);
}

/* Unmap of the complete fpage with the flush bit: the agent loses every
 * mapping it has (its code and stack come back through page faults), not
 * its UTCB or KIP; the root's page is untouched. */
static const char *t_mapx_unmap_complete_fpage(void)
{
	L4_Word_t p = mx_page(MX_MAGIC + 4), it[2], u[2];
	L4_ThreadId_t a = rt_agent_create(L4_Myself());
	L4_MapItem_t m = t_map_item(p, 12, L4_ReadWriteOnly, 0);
	L4_Fpage_t all = L4_CompleteAddressSpace;

	CHECK(p && !L4_IsNilThread(a));
	RUN(mx_accept(a, L4_FpageLog2(MX_W, 12)));
	it[0] = m.raw[0];
	it[1] = m.raw[1];
	RUN(mx_give(a, 2, it));
	RUN(t_ag_reads(a, MX_W, MX_MAGIC + 4));
	L4_Set_Rights(&all, L4_FullyAccessible);
	u[0] = 0x40;
	u[1] = all.raw;
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_UNMAP, 2, u)));
	RUN(t_ag_reads(a, RT_KIP_AREA_BASE, KIP_MAGIC));
	RUN(mx_self_ok(a));
	CHECK_EQ(*(volatile L4_Word_t *)p, MX_MAGIC + 4);
	return t_ag_faults(a, MX_W, 0);
}

/* The complete fpage as a send fpage into a complete window: the
 * receiver gets each of the sender's mappings at the same address (not
 * its KIP or UTCBs, which are the kernel's). */
static const char *t_mapx_map_complete_fpage(void)
{
	L4_Word_t p = mx_page(MX_MAGIC + 5), it[2];
	L4_ThreadId_t a = rt_agent_create(L4_Myself()), b = rt_agent_create(L4_Myself());
	L4_MapItem_t m = t_map_item(p, 12, L4_ReadWriteOnly, 0);
	L4_Fpage_t all = L4_CompleteAddressSpace;

	CHECK(p && !L4_IsNilThread(a) && !L4_IsNilThread(b));
	RUN(mx_accept(a, L4_FpageLog2(MX_W + 0x400000UL * 5, 12)));
	it[0] = m.raw[0];
	it[1] = m.raw[1];
	RUN(mx_give(a, 2, it));
	RUN(mx_accept(b, L4_CompleteAddressSpace));
	L4_Set_Rights(&all, L4_ReadWriteOnly);
	RUN(mx_pass(a, b, L4_MapItem(all, 0).raw[0], L4_MapItem(all, 0).raw[1]));
	RUN(t_ag_reads(b, MX_W + 0x400000UL * 5, MX_MAGIC + 5));
	RUN(t_ag_reads(b, RT_KIP_AREA_BASE, KIP_MAGIC));
	return mx_self_ok(b);
}

const struct test mapx_tests[] = {
	TEST(mapx_window_over_kip_and_utcb_areas),
	TEST(mapx_send_base_beyond_user_space),
	TEST(mapx_grant_large_into_small_window),
	TEST(mapx_unmap_complete_fpage),
	TEST(mapx_map_complete_fpage),
	{ 0 },
};
