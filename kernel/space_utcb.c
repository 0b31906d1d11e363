/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel pages in a user space: the KIP and the UTCB pages, mapped
 * without a mapping node.  A UTCB page is made when the first thread
 * whose UTCB lies in it needs it, and charged to the space.
 */
#include <kernel/space.h>
#include <arch/arch.h>

int space_map_kernel_page(space_t *s, uint32_t va, uint32_t phys, uint32_t rights)
{
	return space_pte_set(s, va & PAGE_MASK, phys, rights);
}

void *space_utcb_page(space_t *s, uint32_t va)
{
	void *page = space_user_ptr(s, va & PAGE_MASK, RIGHT_W);

	if (page)
		return page;
	page = kmem_alloc(s, KMEM_UTCB);
	if (!page)
		return NULL;
	if (space_map_kernel_page(s, va, virt_to_phys(page), RIGHTS_ALL) < 0) {
		kmem_free(s, KMEM_UTCB, page);
		return NULL;
	}
	return page;
}
