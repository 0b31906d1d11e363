/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's content identifiers (kernel/kmem_sigma0.c, kernel/space_split*.c
 * and the self-check's rules, which must agree).
 *
 * sigma0 has no kpager, so nothing but the kernel reads its content
 * identifiers: they only place its frames in the frame table.  Its node
 * pages use the node pages' range and run on past it, through the TCB
 * and UTCB ranges (sigma0's one thread has its pages from boot) and past
 * the window's end, for as many pages as a task's database may have
 * (MS_MAX_PAGES, kernel/mapsplit.h).  With the split database the roots
 * of 3 GB of RAM alone fill about 18,200 node pages, past the window's
 * 12,288, so a page of sigma0's store made into a node page must find a
 * place there (docs/kernel-memory.md, "sigma0's own kernel memory").
 * The free frames of the store lie at slots above all of them.
 */
#ifndef KERNEL_KMEM_SIGMA0_CID_H
#define KERNEL_KMEM_SIGMA0_CID_H

#include <user/include/lent/kmem.h>

/* Node pages sigma0 may have, each at lent_cid_nth(LENT_KMEM_MAP, n). */
#define KMEM_SIGMA0_MAP_PAGES	0x10000u
#define KMEM_SIGMA0_MAP_END	(LENT_CID_MAP_BASE + KMEM_SIGMA0_MAP_PAGES * LENT_CID_PAGE)
/* The n-th free frame of the store: n counts distinct frames the kernel
 * can address (below 2^18), so slots stay below 0x51000000. */
#define KMEM_SIGMA0_STORE_CID(n) (KMEM_SIGMA0_MAP_END + (uint32_t)(n) * LENT_CID_PAGE)

#endif
