/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Malformed answers of a kpager (docs/kpager-protocol.md, "The answer"),
 * each refused with its documented reason and item while the client
 * waits on, with nothing lent; then a good answer, which the client
 * takes.  And two threads of one task that fault for the same page at
 * once: the second answer lends nothing and refuses nothing, and its
 * page stays the kpager's.  In a KMEM=pool kernel no kpager is asked:
 * each test checks that instead (kh_lent_kinds is 0 there).
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_sync.h"

#define KH_REFUSED(why, item) \
	(EC_SEND(L4_ErrMsgOverflow) | ((L4_Word_t)LENT_KPF_REFUSAL(why, item) << 4))

/* A raw answer: label LENT_LABEL_KPF, t typed words w. */
static void kh_raw_set(unsigned b, unsigned t, const L4_Word_t *w)
{
	kh.raw[b].tag = t_tag(LENT_LABEL_KPF, 0, (int)t).raw;
	for (unsigned i = 0; i < t && i < 7; i++)
		kh.raw[b].w[i] = w[i];
}

static void kh_map_words(L4_Word_t *w, L4_Word_t page)
{
	L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible),
				    page);
	w[0] = m.raw[0];
	w[1] = m.raw[1];
}

/*
 * One page per fault.  The first answers to the client's fault: two map
 * items; half a map item; a string item; a 4 MB fpage where the kpager
 * has nothing; a page it lent already (to another client).  Each is
 * refused (7 with the item count, 7, 7, 1, 5), none of their pages
 * lent.  Last, a grant of a page the kpager has mapped on to another
 * task: taken (docs/kernel-memory.md: what the kpager passed on itself
 * may go with it, as its own Unmap could take it), and that task's
 * mapping of it no longer reaches the frame.  The client's map arrives.
 */
static const char *t_khostile_malformed_answers_refused(void)
{
	L4_ThreadId_t a, z, y;
	L4_Word_t value = kh_value_page(KH_VALUE), res[5], sec, w[7];

	CHECK(value != 0);
	RUN(kh_start(KH_SERVE));
	RUN(t_kp_agent(&z, kh_thread));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(t_kp_agent(&y, L4_nilthread));
	/* z's map: the kpager lends it pages, one of which is reused below. */
	RUN(ka_map_async(0, z, KH_WINDOW2, value));
	RUN(ka_map_done(0, z));
	if (!kh_lent_kinds) {
		RUN(ka_map_async(0, a, KH_WINDOW, value));
		RUN(ka_map_done(0, a));
		return t_ag_reads(a, KH_WINDOW, KH_VALUE);
	}
	L4_Word_t lent = kh.page[0][0], first = kh.n;
	CHECK(first < KH_LOG);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, lent), 1);
	L4_Word_t p0 = kh_take(), p1 = kh_take(), ps = kh_take();
	CHECK(p0 && p1 && ps);
	/* ps: the kpager's page, mapped on to y. */
	((volatile L4_Word_t *)ps)[0] = KH_VALUE + 1;
	RUN(t_ag_accept(y, KH_WINDOW, 12));
	RUN(t_ag_give_map(y, t_map_item(ps, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	kh_map_words(w, p0);
	kh_map_words(w + 2, p1);
	kh_raw_set(0, 4, w);
	kh_raw_set(1, 1, w);
	L4_StringItem_t str = L4_StringItem(8, (void *)p0);
	kh_raw_set(2, 2, str.raw);
	L4_MapItem_t big = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(KH_WINDOW, 22),
							L4_FullyAccessible), KH_WINDOW);
	kh_raw_set(3, 2, big.raw);
	kh_map_words(w, lent);
	kh_raw_set(4, 2, w);
	L4_GrantItem_t g = L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(ps, 12),
							  L4_FullyAccessible), ps);
	kh_raw_set(5, 2, g.raw);
	kh.nraw = 6;
	kh.raw_at = first + 1;
	kh.mode = KH_RAW_FIRST;
	RUN(ka_map_async(0, a, KH_WINDOW, value));
	RUN(ka_map_done(0, a));
	RUN(t_ag_reads(a, KH_WINDOW, KH_VALUE));
	CHECK_EQ(kh.from[first], a.raw);
	CHECK_EQ(kh.raw_ec[0], KH_REFUSED(LENT_KPF_ITEMS, 2));
	CHECK_EQ(kh.raw_ec[1], KH_REFUSED(LENT_KPF_ITEMS, 0));
	CHECK_EQ(kh.raw_ec[2], KH_REFUSED(LENT_KPF_ITEMS, 0));
	CHECK_EQ(kh.raw_ec[3], KH_REFUSED(LENT_KPF_NOT_MAPPED, 0));
	CHECK_EQ(kh.raw_ec[4], KH_REFUSED(LENT_KPF_LENT_ALREADY, 0));
	CHECK_EQ(kh.raw_ec[5], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p0), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p1), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ps), 1);
	RUN(t_ag_faults(y, KH_WINDOW, 0));
	rt_release(a);
	rt_release(z);
	rt_release(y);
	return kh_pool_back();
}

static volatile L4_Word_t kh_word3 = KH_VALUE;

/*
 * Several pages per fault (SET_KPF_PAGES 3): a page fault in a fresh
 * region names the node table and the page table in one fault.
 * Answers: the same page twice (5, item 1); one item for two pages (7,
 * one item); three items (7, three); a good page then one the kpager
 * does not have (1, item 1).  Nothing of any of them is lent, not even
 * the good first page; then a good answer is taken and the page fault
 * goes on to the pager.
 */
static const char *t_khostile_malformed_multi_answers_refused(void)
{
	L4_ThreadId_t a;
	L4_Word_t value = kh_value_page(KH_VALUE), w[7];

	CHECK(value != 0);
	RUN(kh_start(KH_RAW_FIRST));
	RUN(t_kp_agent(&a, kh_thread));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPF_PAGES, 3), 1);
	L4_Word_t p0 = kh_take(), p1 = kh_take();
	CHECK(p0 && p1);
	kh_map_words(w, p0);
	kh_map_words(w + 2, p0);
	kh_map_words(w + 4, p1);
	kh_raw_set(0, 4, w);
	kh_raw_set(1, 2, w);
	kh_raw_set(2, 6, w);
	kh_map_words(w + 2, 0x3f000000UL);
	kh_raw_set(3, 4, w);
	kh.nraw = 4;
	L4_Word_t addr = KH_WINDOW, from_ok;
	L4_ThreadId_t from;
	RUN(t_ag_reads(a, (L4_Word_t)&kh_word3, KH_VALUE));
	CHECK(rt_agent_post(a, RT_AG_READ, 1, &addr));
	L4_MsgTag_t tag = rt_agent_result(a, &from);
	CHECK(rt_is_pagefault(tag));
	from_ok = from.raw == a.raw && rt_mr(1) == KH_WINDOW;
	CHECK(from_ok);
	(void)value;
	if (!kh_lent_kinds) {
		CHECK_EQ(kh.n, 0);
		return 0;
	}
	CHECK_EQ(kh.n, 1);
	CHECK_EQ(kh.u[0], LENT_KPF_WORDS(2));
	CHECK_EQ(kh.raw_ec[0], KH_REFUSED(LENT_KPF_LENT_ALREADY, 1));
	CHECK_EQ(kh.raw_ec[1], KH_REFUSED(LENT_KPF_ITEMS, 1));
	CHECK_EQ(kh.raw_ec[2], KH_REFUSED(LENT_KPF_ITEMS, 3));
	CHECK_EQ(kh.raw_ec[3], KH_REFUSED(LENT_KPF_NOT_MAPPED, 1));
	CHECK_EQ(kh.answer_ec[0], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p0), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p1), 0);
	rt_release(a);
	return kh_pool_back();
}

static volatile L4_Word_t kh_word2 = KH_VALUE;

/*
 * Two threads of one task read the same fresh region at once: both ask
 * for its node table.  The kpager answers both, with two pages.  The
 * first is lent; the second answer is taken without lending (the page
 * came meanwhile) and without a refusal: its page stays the kpager's.
 * The task holds one node table and one page table of the region, both
 * page faults reach the pager, and every page comes back at its death.
 */
static const char *t_khostile_same_page_two_threads(void)
{
	L4_ThreadId_t a, a2, from;
	L4_Word_t img = (L4_Word_t)&kh_word2, addr = KH_WINDOW, addr2 = KH_WINDOW + 8;
	int got_a = 0, got_a2 = 0;

	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(kh_second_agent(a, &a2));
	RUN(t_ag_reads(a, img, KH_VALUE));
	RUN(t_ag_reads(a2, img, KH_VALUE));
	L4_Word_t nt = (lent_kmem_control(a.raw, LENT_KMEM_STATS, 0), rt_mr(1 + LENT_KMEM_NT));
	L4_Word_t pt = rt_mr(1 + LENT_KMEM_PT);
	CHECK(rt_agent_post(a, RT_AG_READ, 1, &addr));
	CHECK(rt_agent_post(a2, RT_AG_READ, 1, &addr2));
	if (kh_lent_kinds) {
		t_until_at_least(&kh.n, 2);
		CHECK_EQ(kh.n, 2);
		CHECK_EQ(kh.cid[0], lent_cid_nt(KH_WINDOW));
		CHECK_EQ(kh.cid[1], lent_cid_nt(KH_WINDOW));
		kh.mode = KH_SERVE;
		RUN(kh_go(1));
	}
	for (int i = 0; i < 2; i++) {
		L4_MsgTag_t tag = rt_agent_result(a, &from);
		CHECK(rt_is_pagefault(tag));
		if (from.raw == a.raw && rt_mr(1) == addr)
			got_a++;
		else if (from.raw == a2.raw && rt_mr(1) == addr2)
			got_a2++;
	}
	CHECK_EQ(got_a, 1);
	CHECK_EQ(got_a2, 1);
	if (kh_lent_kinds) {
		/* The pages were lent before the faults went on to the pager. */
		(void)lent_kmem_control(a.raw, LENT_KMEM_STATS, 0);
		CHECK_EQ(rt_mr(1 + LENT_KMEM_NT), nt + 1);
		CHECK_EQ(rt_mr(1 + LENT_KMEM_PT), pt + 1);
		for (L4_Word_t i = 0; i < kh.n && i < KH_LOG; i++)
			CHECK_EQ(kh.answer_ec[i], 0);
		L4_Word_t first = kh.page[0][0], second = kh.page[1][0];
		CHECK(first && second && first != second);
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, first) +
			 lent_kmem_control(0, LENT_KMEM_LENT, second), 1);
	}
	rt_release(a2);
	rt_release(a);
	return kh_pool_back();
}

const struct test khostile_bad_tests[] = {
	TEST(khostile_malformed_answers_refused),
	TEST(khostile_malformed_multi_answers_refused),
	TEST(khostile_same_page_two_threads),
	{ 0 }
};
