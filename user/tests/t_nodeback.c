/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Empty node pages go back from anywhere in a task's list
 * (kernel/space_split_trim.c; docs/mapdb-split.md, "Fragmentation and
 * holes").  Main maps one page of its own to a victim, a node page's
 * worth of addresses at a time, until NB_PAGES more node pages of main's
 * hold the sender parts (the first fill what room main's pages had).
 * Then it maps the page once more, to a keeper: that part is made in
 * main's highest node page and outlives the victim.  The victim dies:
 * its parts in main's pages go, and the pages they filled must go back
 * with them although the keeper's part stays above them.  Before, only
 * empty node pages at the end of a task's list went back, and the
 * keeper's one part pinned the NB_PAGES below it for as long as it
 * lived.  Then a second victim takes as many mappings (the pages that
 * went back are made again, at their old numbers), main revokes them
 * all, and its node pages are where they were before the test.  Main's
 * node pages are its own count by kind (KmemControl STATS), pool or
 * lent; in the lent build one empty node page may stay (the kernel
 * keeps the lowest of a run of empty lent pages, so that a task mapping
 * at a page's edge does not ask its kpager each time).
 */
#include "t_preempt.h"
#include <lent/kmem.h>

#define NB_PER_PAGE	84		/* entries of a node page */
#define NB_PAGES	16		/* main's node pages the victim's parts fill */
#define NB_MAX		(4 * NB_PAGES)	/* node pages' worth of maps at most */
#define NB_BASE		0x10000000UL	/* where the victims take main's page */
#define NB_HIGH		0x30000000UL	/* where the keeper takes it */
#define NB_LABEL	0x6e62		/* main's map messages */
#define NB_GO		0x6e67		/* never sent: the sinks take maps for good */

static void nb_sink(L4_Word_t arg)
{
	(void)arg;
	pt_take_maps_until(NB_GO);
}

/* Main's node pages, by the kernel's count of its pages by kind. */
static L4_Word_t nb_node_pages(void)
{
	(void)lent_kmem_control(0, LENT_KMEM_STATS, 0);
	return rt_mr(1 + LENT_KMEM_MAP);
}

/* A sink task that has taken one map of page at base (so that it runs,
 * and has faulted in its own pages, before anything is counted). */
static const char *nb_sink_new(L4_ThreadId_t *t, L4_Word_t page, L4_Word_t base)
{
	*t = rt_task_create(nb_sink, 0, rt_pager());
	CHECK(!L4_IsNilThread(*t));
	RUN(pt_map_many(*t, NB_LABEL, page, base, RT_PAGE_SIZE, 1));
	return 0;
}

static const char *t_nodeback_empty_pages_below_a_late_part_go_back(void)
{
	L4_Word_t page = t_page(), before, full, after, again, end, maps = 0;
	/* Pool pages all go back; of lent ones, one empty page may stay. */
	L4_Word_t kept = (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_MAP) & 1;
	L4_ThreadId_t v, k, v2;

	CHECK(page);
	*(volatile L4_Word_t *)page = 1;
	/* Main's own pages first: a page of this test's code run the first
	 * time after `before` (its second half, say) gets a record of main's
	 * in whatever node page has room then, which stays (a pool build
	 * failed so with 14 pages at the end for 13, as the image's layout
	 * moved). */
	t_touch_image();
	/* All three first: their own pages' parts in main's are counted. */
	RUN(nb_sink_new(&k, page, NB_HIGH - RT_PAGE_SIZE));
	RUN(nb_sink_new(&v, page, NB_BASE - RT_PAGE_SIZE));
	RUN(nb_sink_new(&v2, page, NB_BASE - RT_PAGE_SIZE));
	before = nb_node_pages();
	do {
		RUN(pt_map_many(v, NB_LABEL, page, NB_BASE + maps * RT_PAGE_SIZE, RT_PAGE_SIZE,
				NB_PER_PAGE));
		maps += NB_PER_PAGE;
		full = nb_node_pages();
	} while (full < before + NB_PAGES && maps < NB_MAX * NB_PER_PAGE);
	/* The maps went through: a part each in main's pages. */
	CHECK(full >= before + NB_PAGES);
	RUN(pt_map_many(k, NB_LABEL, page, NB_HIGH, RT_PAGE_SIZE, 1));
	CHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	after = nb_node_pages();
	printf("#   main's node pages: %lu before, %lu with the victim's %lu parts, %lu after its death"
	       " (%s)\n", before, full, maps, after, kept ? "lent" : "not lent");
	/* The keeper's part holds one page; the victim's emptied go back. */
	CHECK(after <= before + 1 + kept);

	/* The pages come back at need, and what is made in them is found:
	 * main's Unmap walks every part of its page's record. */
	RUN(pt_map_many(v2, NB_LABEL, page, NB_BASE, RT_PAGE_SIZE, maps));
	again = nb_node_pages();
	/* As many parts again, in pages made again (the holes' numbers);
	 * the room the victim's own pages' parts left is less than a page. */
	CHECK(again + 1 >= full);
	L4_Fpage_t f = L4_FpageLog2(page, 12);
	L4_Set_Rights(&f, L4_FullyAccessible);
	(void)L4_UnmapFpage(f);
	CHECK_EQ(*(volatile L4_Word_t *)page, 1);   /* main's own stays */
	end = nb_node_pages();
	printf("#   %lu with a second victim's parts, %lu once main revoked them all\n", again,
	       end);
	CHECK(end <= before + kept);
	CHECK_EQ(L4_ThreadControl(v2, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(k, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

const struct test nodeback_tests[] = {
	TEST(nodeback_empty_pages_below_a_late_part_go_back),
	{ 0 },
};
