/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager lends its client a page it had mapped to that very client
 * (docs/attack-surface.md; docs/kernel-memory.md, "Taking a lent
 * frame"): lending takes the page from every task the kpager passed it
 * to, so the client, whose kernel data the frame now holds, can no longer
 * read or write it there.  In a KMEM=pool kernel no kpager is asked: the
 * client keeps the page.
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_kplog.h"
#include "t_attack.h"

#define AKF_DATA	0x00400000UL      /* mapped in the agent's image region */

/* The pool page the kpager will lend next (kh_take's choice), or 0. */
static L4_Word_t akf_next_lent(void)
{
	return t_pool_next_unlent(kh_pool, kh.next, KH_POOL);
}

const char *t_attack_map_marked(L4_ThreadId_t ag, L4_Word_t p, L4_Word_t addr, L4_Word_t word)
{
	L4_Word_t res[5], sec;

	((volatile L4_Word_t *)p)[0] = word;
	RUN(t_ag_accept(ag, addr, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, addr, word));
	return 0;
}

static const char *t_attack_kpf_lend_page_mapped_to_client(void)
{
	L4_ThreadId_t a;
	L4_Word_t res[5], sec, value = kh_value_page(KH_VALUE);

	CHECK(value != 0);
	RUN(kh_start(KH_SERVE));
	RUN(t_kp_agent(&a, kh_thread));
	/* The page the kpager lends next, mapped to its client first, where
	 * the client has the kernel memory for it already. */
	L4_Word_t p = akf_next_lent();
	CHECK(p != 0);
	RUN(t_attack_map_marked(a, p, AKF_DATA, KH_VALUE + 1));
	L4_Word_t n = kh.n;
	/* A map into a region the client never used: its node table is the
	 * first page asked for, and the kpager lends p. */
	RUN(t_ag_accept(a, KH_WINDOW, 12));
	RUN(t_ag_give_map(a, t_map_item(value, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(a, KH_WINDOW, KH_VALUE));
	if (!kh_lent_kinds) {
		RUN(t_ag_reads(a, AKF_DATA, KH_VALUE + 1));
		rt_release(a);
		return 0;
	}
	CHECK(kh.n > n);
	CHECK_EQ(kh.page[n % KH_LOG][0], p);
	CHECK_EQ(kh.answer_ec[n % KH_LOG], 0);
	CHECK_EQ(kh.cid[n % KH_LOG], lent_cid_nt(KH_WINDOW));
	/* The client's mapping of p stays, without a translation: its read
	 * faults to its pager, and neither it nor the root sees the frame. */
	RUN(t_ag_faults(a, AKF_DATA, 0));
	rt_release(a);
	RUN(kh_pool_back());
	/* Back from the kernel zeroed, and the root's again. */
	CHECK_EQ(((volatile L4_Word_t *)p)[0], 0);
	return 0;
}

const struct test attack_kpf_tests[] = {
	TEST(attack_kpf_lend_page_mapped_to_client),
	{ 0 }
};
