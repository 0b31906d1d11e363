/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unmap of the r and x rights of a page on IA-32, where a translation
 * that lets a program write also lets it read and execute: a mapping
 * left with the w right alone cannot be expressed, so it goes (docs/abi.md
 * §6, "Unmap").  Found by the system-call fuzz: a root thread flushed r
 * and x from a page of the root's own image, the root still read that
 * page (its translation was still there, writable), yet every map item of
 * it in r or x mapped nothing, and the fuzz's child threads faulted on it
 * for ever.
 */
#include "tests.h"

#define WIN	0x20000000UL
#define MAGIC	0x72787278UL

/* A whole page of the root's image (its own faults there go to sigma0). */
static volatile L4_Word_t own[RT_PAGE_SIZE / sizeof(L4_Word_t)]
	__attribute__((aligned(4096)));

/* A page mapped to another space with all rights: when its pager takes
 * r and x back, the mapping goes, and a read faults to the pager. */
static const char *t_unmap_rx_derived_mapping_goes(void)
{
	L4_Word_t p = t_page(), res[5], sec;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());
	L4_Fpage_t fp;

	CHECK(p != 0 && !L4_IsNilThread(ag));
	*(volatile L4_Word_t *)p = MAGIC;
	RUN(t_ag_accept(ag, WIN, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, WIN, MAGIC));
	fp = L4_FpageLog2(p, 12);
	L4_Set_Rights(&fp, L4_ReadeXecOnly);
	(void)L4_UnmapFpage(fp);
	RUN(t_ag_faults(ag, WIN, 0));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

/* The root flushes r and x from its own page: its mapping goes, its next
 * read fetches the page again from its pager, and a map item of the page
 * with r and x then maps it. */
static const char *t_unmap_rx_flush_self_then_map(void)
{
	L4_Word_t page = (L4_Word_t)own, res[5], sec;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());
	L4_Fpage_t fp;

	CHECK(!L4_IsNilThread(ag));
	own[0] = MAGIC;
	fp = L4_FpageLog2(page, 12);
	L4_Set_Rights(&fp, L4_ReadeXecOnly);
	(void)L4_Flush(fp);
	CHECK_EQ(own[0], MAGIC);
	RUN(t_ag_accept(ag, WIN, 12));
	RUN(t_ag_give_map(ag, t_map_item(page, 12, L4_ReadeXecOnly, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, WIN, MAGIC));
	return 0;
}

const struct test unmap_rx_tests[] = {
	TEST(unmap_rx_derived_mapping_goes),
	TEST(unmap_rx_flush_self_then_map),
	{ 0 },
};
