/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the kernel-memory tests (t_kmem.h).  No counter is visible
 * to user level, so the pool is measured through ThreadControl's "out of
 * memory" (8): km_probe asks whether a new space can still be had,
 * km_free_pages counts the free pages (one inactive thread per page)
 * when there are few enough.  The agents are paged by rt's pager thread,
 * so main is free to send them messages.
 */
#include "t_kmem.h"

unsigned char km_page[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

/* ---- agent helpers (main sends directly; rt's pager pages the agents) ---- */

const char *km_accept(L4_ThreadId_t ag, L4_Fpage_t window)
{
	L4_Word_t acc = L4_MapGrantItems(window).raw;

	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_ACCEPT, 1, &acc)));
	return 0;
}

/* The agent receives one message that main sends: t typed words. */
const char *km_give_full(L4_ThreadId_t ag, int t, const L4_Word_t *items, int *full)
{
	L4_MsgTag_t tag;
	L4_Word_t sec;

	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	t_load(0x4b, 0, 0, t, items);
	tag = L4_Send(ag);        /* the agent is on its way to its receive */
	sec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	*full = sec != 0;
	if (*full) {
		/* X.2: message overflow on both sides, no string before */
		CHECK_EQ(sec, L4_ErrMsgOverflow << 1);
		CHECK_EQ(rt_mr(2), L4_ErrMsgOverflow << 1 | 1);
		return 0;
	}
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

const char *km_give(L4_ThreadId_t ag, int t, const L4_Word_t *items)
{
	int full;

	RUN(km_give_full(ag, t, items, &full));
	CHECK(!full);
	return 0;
}

const char *km_reads(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t want)
{
	L4_MsgTag_t tag = rt_agent_cmd(ag, RT_AG_READ, 1, &addr);

	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), want);
	return 0;
}

/* Can a new space (space object, page directory, TCB) still be had?
 * 1 yes, 0 no memory (error 8), -1 another error. */
int km_probe(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	L4_Word_t err;

	if (L4_IsNilThread(t))
		return -1;
	if (L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)~0UL) == 1) {
		rt_release(t);
		return 1;
	}
	err = L4_ErrorCode();
	rt_release(t);
	return err == L4_ErrNoMem ? 0 : -1;
}

/* Free pool pages, counted the way the fuzz test does: inactive threads
 * (a page each) in one new space until "out of memory", then deleted.
 * -1 if there are more than KM_COUNT_MAX (large memory: too slow). */
#define KM_COUNT_NO	3000
#define KM_COUNT_MAX	5000

int km_free_pages(void)
{
	L4_ThreadId_t first = L4_GlobalId(KM_COUNT_NO, 1), me = L4_Myself();
	L4_Word_t ec = 0;
	int n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return -1;
	for (n = 1; n < KM_COUNT_MAX; n++)
		if (L4_ThreadControl(L4_GlobalId(KM_COUNT_NO + n, 1), first, me, L4_nilthread,
				     (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	for (i = n - 1; i >= 0; i--)
		(void)L4_ThreadControl(L4_GlobalId(KM_COUNT_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : -1;
}
