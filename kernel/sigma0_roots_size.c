/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The size of sigma0's boot reserve (kernel/sigma0_roots_size.h).
 *
 * The reserve is carved from the very RAM whose roots it will hold, as
 * one run of free pages.  Counting its own frames as needing roots (as
 * the kernel did) oversized it by a page of nodes per node page's worth
 * of its own frames and by two pages per 4 MB region inside it; the rest
 * joined the pool, kernel-owned and idle: 543 pages (2.1 MB) at 3 GB with
 * the split database's 42 roots a page, where the boot reserve itself is
 * 25 pages.  So the size is the smallest that holds the roots of the RAM
 * it leaves.
 */
#include <kernel/sigma0_roots_size.h>

/* Per 4 MB region a page table (none for a keyed one) and a node table; the nodes; the index
 * of their pages; one more node page, as node pages are not shared out
 * exactly.  The reserve's frames need no roots, nor does a 4 MB region
 * wholly inside it: a run of p pages holds at least (p + 1) / 1024 - 1
 * aligned 4 MB regions, wherever it starts. */
uint32_t sigma0_roots_need(uint32_t frames, uint32_t regions, uint32_t keyed, uint32_t pages,
			   uint32_t per_page, bool indexed)
{
	uint32_t whole = (pages + 1) / 1024u, node_pages;

	whole = whole ? whole - 1 : 0;
	regions = regions > whole ? regions - whole : 0;
	frames = frames > pages ? frames - pages : 0;
	node_pages = (frames + per_page - 1) / per_page;
	return 2 * regions - keyed + node_pages + (indexed ? 1u + (node_pages + 1023u) / 1024u : 0) + 1;
}

/* What the roots need less the reserve's own size falls as the reserve
 * grows (each page of it takes a frame off the count), so a binary
 * search between nothing and the need of all RAM finds the smallest
 * size that holds what it leaves. */
uint32_t sigma0_roots_pages(uint32_t frames, uint32_t regions, uint32_t keyed,
			    uint32_t per_page, bool indexed)
{
	uint32_t lo = 0, hi = sigma0_roots_need(frames, regions, keyed, 0, per_page, indexed);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (sigma0_roots_need(frames, regions, keyed, mid, per_page, indexed) <= mid)
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}
