/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager takes back a frame it lent (issue 7; the paper's section 2.1):
 * it, or anyone above it in the frame's mapping tree, unmaps the page.
 * The kernel's use of the frame counts as a mapping derived from the
 * lender's, so the Unmap reaches it.  Within that Unmap, before the
 * mapping database goes to work, the kernel turns the frame's content
 * into its safe external form, stops using the frame, and gives it back:
 * the lender's mapping (if it keeps one) then sees the external form.
 * When the kernel needs that content again, it raises a kernel page fault
 * for the same content identifier, and whatever frame the kpager maps
 * back is imported.
 *
 * An export never needs kernel memory, never blocks and never waits for
 * another task: it is a walk over the one frame and what points into it.
 * The kinds whose external form is not built yet are not taken back:
 * the Unmap removes the lender's mapping and the kernel keeps the frame,
 * as before (docs/kernel-memory.md, "Taking lent memory back").
 */
#include <kernel/space.h>
#include <kernel/space_vacate.h>
#include <kernel/space_split_away.h>
#include <kernel/frame.h>
#include <kernel/tcb_away.h>
#include <kernel/string.h>
#include <kernel/utcb_away.h>
#include <kernel/kmem_ahead.h>
#include <arch/arch.h>

/* Is the page at cid of s one it holds but does not use (lent for an
 * operation that never acted, or left over)?  Such a page is vacant
 * whatever its kind. */
static bool unused(const space_t *s, unsigned kind, uint32_t cid, uint32_t pa)
{
	switch (kind) {
	case KMEM_NT: {
		uint32_t slot = (cid - LENT_CID_NT_BASE) >> PAGE_SHIFT;
		return slot >= SPACE_NODE_PDES || (void *)s->node_table[slot] != phys_to_virt(pa);
	}
	case KMEM_MAP:
	{
		/* Past the pages made, or lent for a hole's number. */
		uint32_t n = (cid - LENT_CID_MAP_BASE) >> PAGE_SHIFT;
		return n >= s->ms.pages || ms_page_hole((ms_space_t *)&s->ms, n);
	}
	default:
		return false;
	}
}

/* Take the frame out of s's structures in its external form.  False:
 * this kind cannot be taken back yet, and nothing changed. */
static bool export(space_t *s, unsigned kind, uint32_t cid, uint32_t pa)
{
	if (unused(s, kind, cid, pa))
		return true;
	switch (kind) {
	case KMEM_PDIR:
		if (s->pdir && virt_to_phys(s->pdir) == pa)
			space_vacate_pdir(s);
		return true;
	case KMEM_TCB:
		return tcb_away_export(s, cid, pa);
	case KMEM_PT: {
		uint32_t pde = (cid - LENT_CID_PT_BASE) >> PAGE_SHIFT;
		if (pde >= IO_BITMAP_PT_SLOT && pde < IO_BITMAP_PT_SLOT + IO_BITMAP_PAGES)
			space_io_vacate(s, pde - IO_BITMAP_PT_SLOT, pa);
		else if (pde < USER_PDES && s->pdir && arch_pde_table(s->pdir, pde << 22) == pa)
			space_vacate_pt(s, pde);
		return true;
	}
	case KMEM_UTCB:
		utcb_export(s, cid, pa);
		return true;
	case KMEM_MAP:
	case KMEM_NT:
		/* Localised (kernel/space_split_away.c). */
		return space_split_export(s, kind, cid, pa);
	default:
		return false;
	}
}

/* Give the frame pa back in its external form, if it is lent and its
 * kind can be exported; false: nothing changed. */
bool kpreempt_frame(uint32_t pa)
{
	uint32_t task, cid;
	unsigned kind;

	if (!frame_lent_to(pa, &task, &cid, &kind))
		return false;
	space_t *s = space_of_task(task);
	/* A frame lent ahead and never bound just goes back. */
	if (s && kmem_ahead_revoke(s, kind, cid, pa))
		return true;
	/* sigma0's store is the kernel's for good (kernel/kmem_sigma0.c);
	 * a record whose task is not built yet is ThreadControl's. */
	if (!s || s->sigma0)
		return false;
	bool form = space_split_keeps_form(kind) && !unused(s, kind, cid, pa);
	if (!export(s, kind, cid, pa))
		return false;
	/* Vacant: nothing of the kernel's reaches the kpager.  The
	 * exceptions: thread bodies, whose external forms are what the
	 * kpager keeps (kernel/tcb_away.c), UTCB pages, which go back as
	 * they are: all of them is their task's (kernel/utcb_away.c), and
	 * in use node pages and node tables, localised in place. */
	if (kind != KMEM_TCB && kind != KMEM_UTCB && !form)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	frame_unlend(pa);
	(void)kmem_charge_drop_lent(&s->kmem, (enum kmem_kind)kind);
	return true;
}

/* The mapping database's hook (kernel/mapdb.h): only where the lender
 * held the page, sigma0's root or the root's one child
 * (kpf_check_page()).  A mapping the lender made of the page on was
 * stripped when it was lent and has nothing of the kernel's under it. */
void space_frame_revoking(uint32_t phys)
{
	/* A node page or table waits for the mapping operation's end. */
	if (frame_is_lent(phys) && !space_split_away_defer(phys))
		(void)kpreempt_frame(phys);
}
