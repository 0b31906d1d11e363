/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault ordering (docs/kernel-memory.md): an operation asks for the pages
 * it is missing in an order where no page comes before a page it depends
 * on.  The order lives here, apart from the kernel's data structures, so
 * that the host tests can check it (tests/unit/test_kmem_order.c).
 */
#ifndef KERNEL_KMEM_ORDER_H
#define KERNEL_KMEM_ORDER_H

#include <kernel/types.h>
#include <user/include/lent/kmem.h>
#include <kernel/iofpage.h>

/* One page an operation needs: its kind (LENT_KMEM_*) and CID. */
typedef struct kmem_page {
	uint8_t kind;
	uint32_t cid;
} kmem_page_t;

/* What mapping a user page needs, by the bit (1u << kind) of each kind:
 * LENT_KMEM_NT, LENT_KMEM_MAP and LENT_KMEM_PT. */
#define KMEM_ORDER_BIT(kind) (1u << (kind))

/*
 * The pages that mapping a page at va needs, of those in `missing`, in
 * fault order and at most max of them (a kernel page fault names up to
 * its task's kpf_pages): the node table of va's 4 MB, then the next page
 * of mapping nodes (map_pages: the space's pages of them so far), then
 * va's page table.  A mapping node is found through the node table, and
 * the page table comes last because it is what makes the page visible.
 * Returns how many pages it wrote to out.  Inline: it is on the path of
 * every page fault that needs kernel memory.
 */
static inline unsigned kmem_order_add(kmem_page_t *out, unsigned n, unsigned max,
				      unsigned kind, uint32_t cid)
{
	if (n >= max)
		return n;
	out[n] = (kmem_page_t){ .kind = (uint8_t)kind, .cid = cid };
	return n + 1;
}

/* The CID of what holds the translation of the page at va: its page
 * table, or for a port's page (kernel/iofpage.h) the bitmap page that
 * holds the port, lent at the page-table CID of slot 768 or 769. */
static inline uint32_t kmem_cid_pt(uint32_t va)
{
	if (io_va_is(va))
		return LENT_CID_PT_BASE + (io_bitmap_pt_slot(va) << 12);
	return (uint32_t)lent_cid_pt(va);
}

static inline unsigned kmem_order_for_map(uint32_t va, uint32_t map_pages, unsigned missing,
					  unsigned max, kmem_page_t *out)
{
	unsigned n = 0;

	if (missing & KMEM_ORDER_BIT(LENT_KMEM_NT))
		n = kmem_order_add(out, n, max, LENT_KMEM_NT, (uint32_t)lent_cid_nt(va));
	if (missing & KMEM_ORDER_BIT(LENT_KMEM_MAP))
		n = kmem_order_add(out, n, max, LENT_KMEM_MAP,
				   (uint32_t)lent_cid_nth(LENT_KMEM_MAP, map_pages));
	if (missing & KMEM_ORDER_BIT(LENT_KMEM_PT))
		n = kmem_order_add(out, n, max, LENT_KMEM_PT, kmem_cid_pt(va));
	return n;
}

#endif
