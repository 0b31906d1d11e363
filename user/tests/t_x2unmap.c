/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unmap reports the access bits of every mapping derived from the fpage,
 * also when it stops at preemption points on the way (docs/abi.md,
 * "Unmap"; kernel/mapsplit_stop.c).  A page of ours
 * is mapped to an agent at 64 places; the agent touches it through one
 * at a time, and an Unmap of ours that takes no right (rights 0: the
 * status query), or one that takes a right that mapping does not hold,
 * must report the touch whichever mapping it was.  With every preemption
 * point taken (the preemption ISO, preempt=always) the walk over the 64
 * stops every twenty-odd mappings and goes on where it stopped.
 */
#include "tests.h"

#define XU_WIN		0x21000000UL
#define XU_LOG2		18		/* 64 pages: 64 mappings, three stops or more */
#define XU_N		(1 << (XU_LOG2 - 12))
#define XU_MAGIC	0x78756e6dUL

static L4_Fpage_t xu_fpage(L4_Word_t base, L4_Word_t rights)
{
	L4_Fpage_t f = L4_FpageLog2(base, 12);

	L4_Set_Rights(&f, rights);
	return f;
}

static L4_Word_t xu_at(int k)
{
	return XU_WIN + (L4_Word_t)k * RT_PAGE_SIZE;
}

/* Our page *p to a new agent at every page of its window: XU_N mappings
 * derived from ours, the first read-only when ro0, the others
 * read-write.  Each is a node the Unmap's walk visits. */
static const char *xu_setup(L4_Word_t *p, L4_ThreadId_t *ag, int ro0)
{
	L4_Word_t items[62];

	*p = t_page();
	CHECK(*p != 0);
	*(volatile L4_Word_t *)*p = XU_MAGIC;
	*ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(*ag));
	RUN(t_ag_accept(*ag, XU_WIN, XU_LOG2));
	for (int k = 0; k < XU_N;) {
		int n = 0;

		for (; n < 31 && k < XU_N; n++, k++) {
			L4_Word_t rights = ro0 && k == 0 ? L4_Readable : L4_ReadWriteOnly;
			L4_MapItem_t m = t_map_item(*p, 12, rights, xu_at(k) - XU_WIN);

			items[2 * n] = m.raw[0];
			items[2 * n + 1] = m.raw[1];
		}
		CHECK(rt_agent_post(*ag, RT_AG_RECV, 0, 0));
		t_load(0x7855, 0, 0, 2 * n, items);
		CHECK(L4_IpcSucceeded(L4_Send(*ag)));
		CHECK(t_ag_ok(rt_agent_result(*ag, 0)));
		CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	}
	for (int k = 0; k < XU_N; k++)
		RUN(t_ag_reads(*ag, xu_at(k), XU_MAGIC));
	return 0;
}

/* The agent writes the page through each mapping in turn: the status
 * query that follows reports it written and referenced, and the next one
 * (nobody touched the page since) reports neither. */
static const char *t_x2unmap_query_reports_every_mapping(void)
{
	L4_ThreadId_t ag;
	L4_Word_t p;

	RUN(xu_setup(&p, &ag, 0));
	for (int k = 0; k < XU_N; k++) {
		L4_Word_t w[2] = { xu_at(k), XU_MAGIC + (L4_Word_t)k };

		(void)L4_GetStatus(xu_fpage(p, 0));
		CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_WRITE, 2, w)));
		L4_Fpage_t st = L4_GetStatus(xu_fpage(p, 0));
		CHECK(L4_WasWritten(st));
		CHECK(L4_WasReferenced(st));
		st = L4_GetStatus(xu_fpage(p, 0));
		CHECK(!L4_WasWritten(st));
		CHECK(!L4_WasReferenced(st));
		CHECK_EQ(*(volatile L4_Word_t *)p, XU_MAGIC + (L4_Word_t)k);
	}
	CHECK(rt_release(ag));
	return 0;
}

/* The first mapping is read-only; an Unmap that takes write access from
 * the others reports a read through the first.  After the first round no
 * derived mapping holds write access any more: each round's Unmap then
 * takes nothing, and must still report the read through whichever
 * mapping the agent made it. */
static const char *t_x2unmap_revoke_reports_mapping_without_right(void)
{
	L4_ThreadId_t ag;
	L4_Word_t p;

	RUN(xu_setup(&p, &ag, 1));
	for (int k = 0; k < XU_N; k++) {
		(void)L4_GetStatus(xu_fpage(p, 0));
		RUN(t_ag_reads(ag, xu_at(k), XU_MAGIC));
		L4_Fpage_t st = L4_UnmapFpage(xu_fpage(p, L4_Writable));
		CHECK(L4_WasReferenced(st));
		CHECK(!L4_WasWritten(st));
	}
	/* Write access is gone from every mapping (the last one tried). */
	RUN(t_ag_faults(ag, xu_at(XU_N - 1), 1));
	CHECK(rt_release(ag));
	return 0;
}

const struct test x2unmap_tests[] = {
	TEST(x2unmap_query_reports_every_mapping),
	TEST(x2unmap_revoke_reports_mapping_without_right),
	{ 0, 0 },
};
