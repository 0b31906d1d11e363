/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memory margin, measured at the end of the suite (run last: it takes
 * every page it can get).  At -cpu pentium -m 8, the floor, the suite's
 * last tests (t_s0hang*.c) have had a few pages of room: a kernel image a
 * few pages larger made s0hang_unprivileged_task_cannot_stop_machine fail
 * deep inside, the root task finding no page.  This test says how much
 * room is left, on one line, and fails with that line when it is under
 * MARGIN_FLOOR, before the room is gone (docs/kernel-memory.md, "sigma0's
 * own kernel memory", "The margin").
 *
 * The margin is what the root task can still get from sigma0: "any page"
 * requests, one after the other, each into the same window (a new page
 * there replaces the last, so the root's own kernel memory does not grow
 * and the count is not cut short by it), each page written and read,
 * until sigma0 answers nil.  That includes pages sigma0 set aside to lend
 * and gives back to free memory when free RAM runs out.  Beside it the
 * line gives the free frames of sigma0's store (KmemControl OWNED, MR12
 * less MR13): conventional memory the kernel keeps for sigma0's own
 * kernel memory, which no task can have back.  Counted up to MARGIN_CAP
 * pages, enough for any floor: with more RAM the line says "at least".
 */
#include "tests.h"
#include <l4/sigma0.h>
#include <lent/kmem.h>

/* Pages the root task must still be able to get at the end of the suite.
 * At -cpu pentium -m 8 it gets 4; with a kernel image 3 or 5 pages
 * larger, 2; 9 pages larger, none, and the s0hang tests still pass; 13
 * pages larger, s0hang_unprivileged_task_cannot_stop_machine fails too.
 * Under 2, this test fails first (docs/kernel-memory.md, "The margin"). */
#ifndef MARGIN_FLOOR
#define MARGIN_FLOOR	2
#endif
#define MARGIN_CAP	1024
/* In the 4 MB region of t_s0hang.c's spare window (its page table and
 * node table stay), on a page of its own. */
#define MARGIN_WINDOW	0x7b002000UL
#define MARGIN_MARK	0x6d617267UL

static const char *t_margin_root_task_can_still_get_pages(void)
{
	L4_Word_t root = 0, store, reserve, reserve_used, mb = t_ram_mb();
	L4_Fpage_t got;

	/* The store first: the requests below cost it nothing (RAM). */
	CHECK(lent_kmem_control(0, LENT_KMEM_OWNED, 0) != 0);
	store = rt_mr(LENT_KMEM_OWN_SIGMA0_STORE) - rt_mr(LENT_KMEM_OWN_SIGMA0_STORE_USED);
	reserve = rt_mr(LENT_KMEM_OWN_POOL);
	reserve_used = rt_mr(LENT_KMEM_OWN_POOL_KERNEL) + rt_mr(LENT_KMEM_OWN_POOL_TASKS) +
		       rt_mr(LENT_KMEM_OWN_BOOT_TASKS);
	while (root < MARGIN_CAP) {
		got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(~0UL, 12),
						  L4_FpageLog2(MARGIN_WINDOW, 12));
		if (L4_IsNilFpage(got))
			break;
		*(volatile L4_Word_t *)MARGIN_WINDOW = MARGIN_MARK + root;
		CHECK_EQ(*(volatile L4_Word_t *)MARGIN_WINDOW, MARGIN_MARK + root);
		root++;
	}
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(MARGIN_WINDOW, 12),
					      L4_FullyAccessible));
	printf("# margin at %lu MB: %s%lu pages (the root task's from sigma0; "
	       "sigma0's store: %lu free)\n", mb, root == MARGIN_CAP ? "at least " : "", root,
	       store);
	/* Kept, and no task's: the store's free frames (sigma0's, for its
	 * device roots), and the boot reserve's unused part (the pool in a
	 * KMEM=pool kernel, where every task's pages come from it). */
	printf("#   kept for sigma0 and the kernel: %lu store pages free, boot reserve %lu of "
	       "%lu pages in use\n", store, reserve_used, reserve);
	if (root < MARGIN_FLOOR) {
		static char why[96];

		snprintf(why, sizeof(why), "margin at %lu MB: %lu pages, under the floor of %u",
			 mb, root, MARGIN_FLOOR);
		return why;
	}
	return 0;
}

/* Run last: it takes every page sigma0 will still give. */
const struct test margin_tests[] = {
	TEST(margin_root_task_can_still_get_pages),
	{ 0 },
};
