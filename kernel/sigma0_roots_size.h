/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The size of sigma0's boot reserve (kernel/sigma0_roots.c): pure
 * arithmetic, checked on the host (tests/unit/test_sigma0_roots_size.c).
 */
#ifndef KERNEL_SIGMA0_ROOTS_SIZE_H
#define KERNEL_SIGMA0_ROOTS_SIZE_H

#include <kernel/types.h>

/* Pages the roots of `frames` frames of RAM in `regions` 4 MB regions
 * need once a reserve of `pages` pages (one run of that RAM) is carved
 * from them; `keyed` of the regions are RAM from 3 GB up, whose roots
 * are keys with no page table (kernel/sigma0_high.h), and lie outside
 * the reserve.  per_page roots fit a node page; indexed: the node pages
 * are found through an index of two levels of 1,024 (the split
 * database). */
uint32_t sigma0_roots_need(uint32_t frames, uint32_t regions, uint32_t keyed, uint32_t pages,
			   uint32_t per_page, bool indexed);
/* The smallest reserve that holds the roots of the RAM it leaves. */
uint32_t sigma0_roots_pages(uint32_t frames, uint32_t regions, uint32_t keyed,
			    uint32_t per_page, bool indexed);

#endif
