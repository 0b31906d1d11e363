/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A node page lent for an operation that never acted goes back to its
 * kpager when the task dies.  The task's node pages are full; a map into
 * a fresh 4 MB region of it needs a node table, a node page and a page
 * table, asked for one at a time in that order (kernel/kmem_order.h).
 * The test kpager (t_khostile_kp.c) lends the first two, and the task is
 * deleted while the third is awaited: the node page is lent at the next
 * node page's content identifier and not used.  With the split mapping
 * database it stayed lent to the dead task (space_nodes_free() set the
 * count kmem_return_unused() looks at to 0 first), and the self-check
 * found it from then on: rule 55, LENT_SC_FRAME_ORPHAN, the failure seen
 * at 16 and 24 MB in earlier sessions.
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_kmem.h"
#include "t_sync.h"

/* Node pages task t holds (KmemControl STATS, MR1 + kind). */
static L4_Word_t kn_node_pages(L4_ThreadId_t t)
{
	(void)lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + LENT_KMEM_MAP);
}

/* main maps its page to the agent at va: one record more there. */
static const char *kn_give(L4_ThreadId_t a, L4_Word_t page, L4_Word_t va)
{
	L4_MapItem_t m = t_map_item(page, 12, L4_Readable, va);

	return km_give(a, 2, m.raw);
}

/* The agent's node pages full: records one at a time into KH_WINDOW's
 * region until a node page has come twice (the records between are what
 * a page holds), then the rest of the last one. */
static const char *kn_fill(L4_ThreadId_t a, L4_Word_t page)
{
	L4_Word_t va = KH_WINDOW, pages = kn_node_pages(a), first = 0, per = 0, k;
	int seen = 0;

	for (k = 0; !per && k < 1000; k++, va += RT_PAGE_SIZE) {
		RUN(kn_give(a, page, va));
		L4_Word_t now = kn_node_pages(a);
		if (now == pages)
			continue;
		CHECK_EQ(now, pages + 1);
		pages = now;
		if (seen)
			per = k - first;
		first = k;
		seen = 1;
	}
	CHECK(per > 1);
	for (k = 1; k < per; k++, va += RT_PAGE_SIZE)
		RUN(kn_give(a, page, va));
	CHECK_EQ(kn_node_pages(a), pages);
	return 0;
}

/* With a's node pages full, a map into KH_WINDOW2 gets its node table
 * and node page lent and waits for its page table; a is deleted then.
 * The node page must be back with the kpager, and the pool with it. */
static const char *kn_die_with_page_gathered(L4_ThreadId_t a, L4_Word_t value)
{
	L4_Word_t n0 = kh.n, node;

	kh.mode = KH_HOLD;
	RUN(ka_map_async(0, a, KH_WINDOW2, value));
	t_until_at_least(&kh.n, n0 + 1);
	CHECK_EQ(kh.n, n0 + 1);
	CHECK_EQ(kh.kind[n0 % KH_LOG], LENT_KMEM_NT);
	RUN(kh_go(1));
	t_until_at_least(&kh.n, n0 + 2);
	CHECK_EQ(kh.n, n0 + 2);
	CHECK_EQ(kh.kind[(n0 + 1) % KH_LOG], LENT_KMEM_MAP);
	RUN(kh_go(1));
	t_until_at_least(&kh.n, n0 + 3);
	CHECK_EQ(kh.n, n0 + 3);
	CHECK_EQ(kh.kind[(n0 + 2) % KH_LOG], LENT_KMEM_PT);
	node = kh.page[(n0 + 1) % KH_LOG][0];
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, node), 1);

	rt_release(a);
	t_until(&ka_snd[0].done, 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, node), 0);
	return kh_pool_back();
}

/* A task whose records filled two node pages and more. */
static const char *t_knodes_gathered_page_back_at_death(void)
{
	L4_Word_t value = kh_value_page(KH_VALUE);
	L4_ThreadId_t a;

	CHECK(value != 0);
	RUN(kh_start(KH_SERVE));
	if (!(kh_lent_kinds & (1UL << LENT_KMEM_MAP)))
		return 0;       /* node pages from the pool: nothing lent to lose */
	RUN(t_kp_agent(&a, kh_thread));
	RUN(km_accept(a, L4_CompleteAddressSpace));
	RUN(kn_fill(a, value));
	return kn_die_with_page_gathered(a, value);
}

const struct test knodes_tests[] = {
	TEST(knodes_gathered_page_back_at_death),
	{ 0 }
};
