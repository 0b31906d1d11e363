/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An Unmap of a deep map chain stops at preemption points and, its trap
 * re-executed, goes on to exactly the end of an unstopped one
 * (kernel/mapsplit_stop.c).  Booted with preempt=always (lent-tests-preempt.iso),
 * every walk below stops every few dozen mappings.  Page p goes root ->
 * B (WB) -> C (WC) -> B (WB + 4K) -> ... , HOPS mappings below the
 * root's; B and C are agents paged by main.
 */
#include "tests.h"

#define WB	0x20000000UL
#define WC	0x30000000UL
#define HOPS	300
#define MAGIC	0x73746f70UL

/* Hop h (0 the first below the root) lands in B for even h, C for odd. */
static L4_Word_t hop_addr(unsigned h)
{
	return (h % 2 ? WC : WB) + (h / 2) * RT_PAGE_SIZE;
}

static L4_Fpage_t fpage(L4_Word_t base, L4_Word_t rights)
{
	L4_Fpage_t f = L4_FpageLog2(base, 12);

	L4_Set_Rights(&f, rights);
	return f;
}

/* from maps its page at hop_addr(h - 1) on to `to`, at hop_addr(h). */
static const char *hop(L4_ThreadId_t from, L4_ThreadId_t to, unsigned h, L4_Word_t rights)
{
	L4_Word_t base = h % 2 ? WC : WB;

	return t_ag_pass_map(from, to, t_map_item(hop_addr(h - 1), 12, rights, hop_addr(h) - base));
}

/* The chain, with rights at every hop; the last hop reads MAGIC. */
static const char *chain(L4_Word_t *p, L4_ThreadId_t ag[2], L4_Word_t rights)
{
	L4_Word_t res[5], sec;
	unsigned h;

	*p = t_page();
	CHECK(*p != 0);
	*(volatile L4_Word_t *)*p = MAGIC;
	for (h = 0; h < 2; h++) {
		ag[h] = rt_agent_create(L4_Myself());
		CHECK(!L4_IsNilThread(ag[h]));
		RUN(t_ag_accept(ag[h], h ? WC : WB, 22));
	}
	RUN(t_ag_give_map(ag[0], t_map_item(*p, 12, rights, 0), res, &sec));
	CHECK_EQ(sec, 0);
	for (h = 1; h < HOPS; h++)
		RUN(hop(ag[(h - 1) % 2], ag[h % 2], h, rights));
	return t_ag_reads(ag[(HOPS - 1) % 2], hop_addr(HOPS - 1), MAGIC);
}

/* Unmap at the root: the hops fault, in the middle (in B) and the last
 * (in C; an agent that faulted waits for its pager: one look each); the
 * root keeps its page. */
static const char *t_split_stop_chain_unmapped(void)
{
	L4_ThreadId_t ag[2];
	L4_Word_t p;

	RUN(chain(&p, ag, L4_ReadWriteOnly));
	(void)L4_UnmapFpage(fpage(p, L4_FullyAccessible));
	RUN(t_ag_faults(ag[(HOPS - 1) % 2], hop_addr(HOPS - 1), 0));
	RUN(t_ag_faults(ag[0], hop_addr(HOPS / 2), 0));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

/* Write revoked at the root: every hop still reads the page, and a
 * write at the last and at the first faults as a write. */
static const char *t_split_stop_chain_write_revoked(void)
{
	L4_ThreadId_t ag[2];
	L4_Word_t p;

	RUN(chain(&p, ag, L4_ReadWriteOnly));
	(void)L4_UnmapFpage(fpage(p, L4_Writable));
	RUN(t_ag_reads(ag[(HOPS - 1) % 2], hop_addr(HOPS - 1), MAGIC));
	RUN(t_ag_reads(ag[(HOPS / 2) % 2], hop_addr(HOPS / 2), MAGIC));
	RUN(t_ag_faults(ag[(HOPS - 1) % 2], hop_addr(HOPS - 1), 1));
	RUN(t_ag_faults(ag[0], hop_addr(0), 1));
	return 0;
}

/* Unmap in the middle, by C with the flush bit: C's mapping at that hop
 * and everything below go (the last hop faults), the hops above stay
 * readable. */
static const char *t_split_stop_chain_cut_in_middle(void)
{
	L4_ThreadId_t ag[2];
	L4_Word_t p;
	unsigned mid = HOPS / 2 | 1;             /* a hop in C */
	L4_Word_t a[2] = { 0x40, 0 };

	RUN(chain(&p, ag, L4_ReadWriteOnly));
	a[1] = fpage(hop_addr(mid), L4_FullyAccessible).raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag[1], RT_AG_UNMAP, 2, a)));
	RUN(t_ag_faults(ag[(HOPS - 1) % 2], hop_addr(HOPS - 1), 0));
	RUN(t_ag_reads(ag[0], hop_addr(mid - 1), MAGIC));
	return t_ag_reads(ag[0], hop_addr(0), MAGIC);
}

const struct test split_stop_tests[] = {
	TEST(split_stop_chain_unmapped),
	TEST(split_stop_chain_write_revoked),
	TEST(split_stop_chain_cut_in_middle),
	{ 0 },
};
