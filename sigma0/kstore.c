/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's own kernel memory (docs/kernel-memory.md, "sigma0's own
 * kernel memory").  The kernel takes it, without IPC, from a store of
 * frames sigma0 gives it (KmemControl SIGMA0_GIVE), and only when that
 * is empty from a small floor of its boot reserve.  What uses it is the
 * roots the kernel makes on demand when sigma0 maps a page that is not
 * RAM (a device frame, to the root task): a page table and a node table
 * per fresh 4 MB region, and a 32-byte node per page.  So sigma0 tops
 * the store up before it answers a request that may make roots, by what
 * they may cost, and otherwise never pays anything.
 *
 * A frame given is the kernel's for good: sigma0's table marks it
 * OWNER_KSTORE, which no client is, so it is never handed out again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <l4/message.h>
#include <l4/thread.h>
#include <lent/kmem.h>
#include "mem.h"
#include "kstore.h"

#define PAGE_SHIFT	12
#define BATCH_LOG2	16		/* 16 pages, one region of sigma0's table */
#define SMALL_RAM	4096		/* pages: 16 MB, below which no batches */
#define FIRST_PAGES	16		/* given at start */
#define LOW_PAGES	8		/* kept free beyond what a request may cost */
/* Below 16 MB (SMALL_RAM) a page given is a page no client has again,
 * and the suite's last tests at 8 MB had a margin of a few pages
 * (docs/kernel-memory.md, "The margin"): there the store starts with
 * FIRST_PAGES_SMALL and keeps LOW_PAGES_SMALL beyond a request's cost. */
#define FIRST_PAGES_SMALL	4
#define LOW_PAGES_SMALL		2
#define ROOTS_PER_PAGE	42		/* roots in a node page: each is two of
					 * its 84 entries of 48 bytes, itself and
					 * room for its first sender part
					 * (docs/mapdb-split.md, "Accounting") */
#define PARTS_PER_PAGE	84		/* sender parts in a page */

/* The store's free pages: the frames given less those in use, as
 * KmemControl OWNED counts them.  Not STATS, whose MR12 says the same:
 * STATS counts the pages mapped in sigma0 too, which the split database
 * finds by walking every node page (1.5 million entries, 25 million
 * instructions with interrupts off at 3 GB), and this is asked before
 * every answer to a client that holds the page already. */
L4_Word_t kstore_level(void)
{
	L4_Word_t given, used;

	(void)lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	L4_StoreMR(LENT_KMEM_OWN_SIGMA0_STORE, &given);
	L4_StoreMR(LENT_KMEM_OWN_SIGMA0_STORE_USED, &used);
	return given - used;
}

/* Give the page at pa (claimed for the store already).  A refusal is a
 * bug in sigma0's table or the kernel: say so; the page stays claimed
 * and is never handed out.  Returns the store's free pages, 0 if refused. */
static L4_Word_t give(L4_Word_t pa)
{
	L4_Word_t level = lent_kmem_control(0, LENT_KMEM_SIGMA0_GIVE, pa), why;

	if (!level) {
		L4_StoreMR(1, &why);
		printf("sigma0: the kernel refused page %lx for its store (error %lu, reason %lu)\n",
		       pa, L4_ErrorCode(), why);
	}
	return level;
}

/* Below 16 MB of RAM the store runs lean (the comments at each use say
 * why).  The region table does not change after boot: scanned once. */
static bool small_machine(void)
{
	static int small = -1;

	if (small < 0)
		small = mem_conventional_pages() < SMALL_RAM;
	return small;
}

/* Claim and give a batch of pages, or one page if no batch is left.
 * Returns the store's free pages after, or 0 if nothing was given. */
static L4_Word_t give_batch(void)
{
	L4_Word_t base, level = 0;
	/* A batch saves sigma0's table regions; on a small machine the up
	 * to 15 pages a batch leaves idle in the store, the kernel's for
	 * good, are RAM clients miss (at -m 8 the last of the suite's
	 * attacks on sigma0 ran out of it): there, a page at a time. */
	unsigned log2 = small_machine() ? PAGE_SHIFT : BATCH_LOG2;

	if (mem_claim_any_kernel(log2, OWNER_KSTORE, &base) < 0) {
		log2 = PAGE_SHIFT;
		if (mem_claim_any_kernel(log2, OWNER_KSTORE, &base) < 0)
			return 0;
	}
	for (L4_Word_t off = 0; off < 1UL << log2; off += 1UL << PAGE_SHIFT) {
		L4_Word_t now = give(base + off);

		if (now)
			level = now;
	}
	return level;
}

L4_Word_t kstore_give_one(void)
{
	L4_Word_t base;

	if (mem_claim_any_kernel(PAGE_SHIFT, OWNER_KSTORE, &base) < 0 || !give(base))
		return 0;
	return base;
}

/* Top the store up to at least `want` free pages, while sigma0 has
 * conventional memory to give (said once when it has none left). */
static void top_up(L4_Word_t want)
{
	static int said;
	L4_Word_t level = kstore_level();

	while (level < want) {
		L4_Word_t now = give_batch();

		if (!now) {
			if (!said++)
				printf("sigma0: no memory left for its own kernel memory (%lu of %lu pages)\n",
				       level, want);
			return;
		}
		level = now;
	}
}

/* Pages kept free beyond what a request may cost. */
static L4_Word_t low_pages(void)
{
	return small_machine() ? LOW_PAGES_SMALL : LOW_PAGES;
}

void kstore_init(void)
{
	top_up(small_machine() ? FIRST_PAGES_SMALL : FIRST_PAGES);
	printf("sigma0: %lu pages given to its own kernel memory\n", kstore_level());
}

/*
 * What the roots of an fpage's pages that are not RAM may cost at most:
 * a page table and a node table per 4 MB region it touches, and the
 * node pages of their roots.  Nothing for RAM: its roots were built at boot.
 */
static L4_Word_t root_cost(L4_Word_t base, unsigned log2)
{
	L4_Word_t pages = mem_pages_off_ram(base, log2), regions;

	if (!pages)
		return 0;
	regions = log2 > 22 ? 1UL << (log2 - 22) : 1;
	return 2 * regions + (pages + ROOTS_PER_PAGE - 1) / ROOTS_PER_PAGE + 1;
}

void kstore_keep_for(L4_Word_t base, unsigned log2)
{
	L4_Word_t cost = root_cost(base, log2);

	if (cost)
		top_up(cost + low_pages());
}

/*
 * A page a client may hold already (a named fpage, a page fault): a
 * second mapping of a frame sigma0 has
 * handed out needs a sender part in sigma0's kernel memory, one per page
 * (the first comes with the root).  sigma0 is the sender and pays for
 * its parts from its store (docs/mapdb-split.md, "Accounting"), a page
 * at a time, only what is missing.  Each part stands for a record the
 * receiver paid for, and the entries serve again once the mappings go.
 * With nothing left to give, the kernel refuses the mappings that find
 * no part: X.2's "no memory".
 */
void kstore_keep_for_again(L4_Word_t task, unsigned log2)
{
	L4_Word_t pages = 1UL << (log2 - PAGE_SHIFT);
	L4_Word_t want = (pages + PARTS_PER_PAGE - 1) / PARTS_PER_PAGE + 1;
	L4_Word_t level = kstore_level();

	(void)task;
	if (level >= want)
		return;
	while (level < want && kstore_give_one())
		level++;
}

/* What the roots of count ports may cost: a node table per 1,024 ports
 * (one more where the fpage is not aligned to them), their nodes, and
 * sigma0's two pages of I/O bitmap. */
void kstore_keep_for_ports(L4_Word_t count)
{
	top_up((count + 1023) / 1024 + 1 + (count + ROOTS_PER_PAGE - 1) / ROOTS_PER_PAGE + 2 +
	       low_pages());
}
