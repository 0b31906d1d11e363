/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel pages in a user space: the KIP and the UTCB pages, mapped
 * without a mapping node.  A UTCB page is made when the first thread
 * whose UTCB lies in it needs it, and charged to the space.  Where the
 * task's kpager lends UTCB pages, ThreadControl gathers the page at its
 * content identifier first (docs/kernel-memory.md), and the lent frame is
 * then the one frame lent to the kernel that user level sees: in its own
 * task, at the UTCB address, and nowhere else.
 */
#include <kernel/space.h>
#include <kernel/frame.h>
#include <arch/arch.h>

_Static_assert((1u << UTCB_AREA_MAX_LOG2) >> PAGE_SHIFT == LENT_CID_RANGE_PAGES,
	       "every page of the largest UTCB area has a content identifier");

int space_map_kernel_page(space_t *s, uint32_t va, uint32_t phys, uint32_t rights)
{
	/* The space's first kernel page (its KIP, at SpaceControl or boot)
	 * is also the first use of its page directory. */
	if (!space_take_pdir(s))
		return -1;
	return space_pte_set(s, va & PAGE_MASK, phys, rights);
}

uint32_t space_utcb_cid(const space_t *s, uint32_t va)
{
	return lent_cid_nth(LENT_KMEM_UTCB, (va - fpage_base(s->utcb_area)) >> PAGE_SHIFT);
}

bool space_utcb_page_present(space_t *s, uint32_t va)
{
	return s->pdir && space_user_ptr(s, va & PAGE_MASK, RIGHT_W);
}

/*
 * Why this exception is safe: the frame is lent to s as a UTCB page, so
 * kpf_accept took every other translation of it and zeroed it, and no
 * other one can be made (space_pte_set).  Mapped in s at its own UTCB
 * address, it shows s only what the kernel and s's own threads put in
 * it: their UTCBs.  It goes back to the kpager zeroed (kmem_put) when s
 * dies, after this translation is removed (space_reap.c), or as it is
 * when the kpager takes it back, after the same (kernel/utcb_away.c).
 */
bool space_utcb_frame_at(const space_t *s, uint32_t va, uint32_t phys)
{
	uint32_t task, cid;
	unsigned kind;

	return frame_lent_to(phys, &task, &cid, &kind) && kind == KMEM_UTCB && task == s->id &&
	       space_in_utcb_area(s, va & PAGE_MASK, PAGE_SIZE) &&
	       cid == space_utcb_cid(s, va);
}

void *space_utcb_page(space_t *s, uint32_t va)
{
	if (space_utcb_page_present(s, va))
		return space_user_ptr(s, va & PAGE_MASK, RIGHT_W);
	void *page = kmem_get(s, KMEM_UTCB, space_utcb_cid(s, va));
	if (!page)
		return NULL;
	if (space_map_kernel_page(s, va, virt_to_phys(page), RIGHTS_ALL) < 0) {
		/* A lent frame stays lent at its content identifier, for the
		 * next try; a page of the pool goes back. */
		if (!kmem_kind_is_lent(s, KMEM_UTCB))
			kmem_put(s, KMEM_UTCB, page);
		return NULL;
	}
	return page;
}
