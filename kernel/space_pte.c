/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page-table entries of a space: set, clear and restrict one entry, with
 * the page table it needs charged to the space, and the TLB kept in step
 * when the space is the one running.
 */
#include <kernel/space.h>
#include <kernel/frame.h>
#include <kernel/thread.h>
#include <arch/arch.h>

static void flush_if_current(space_t *s, uint32_t va)
{
	if (current && current->space == s)
		arch_tlb_flush(va);
}

/* The entry of va, or NULL: no page table there.  While a kpager has
 * the page directory (kernel/space_vacate.c), the page tables still lent
 * keep their entries, and go back in their slots with them once the
 * directory is lent again (space_relink_tables): an entry cleared or
 * narrowed meanwhile (an Unmap, a frame lent) is cleared or narrowed in
 * the table itself, found by its content identifier, or it would come
 * back with the table. */
static inline pte_t *pte_find(space_t *s, uint32_t va)
{
	if (s->pdir)
		return arch_pte_slot(s->pdir, va);
	if (!s->tables_taken || !kmem_kind_is_lent(s, KMEM_PT))
		return NULL;
	uint32_t pt = frame_find(s->id, lent_cid_pt(va));
	return pt ? arch_pte_in_table(pt, va) : NULL;
}

static pte_t *pte_slot(space_t *s, uint32_t va, bool alloc)
{
	/* The gather step brought back what a kpager took, in fault order:
	 * the directory, then the table.  The directory is taken first: an
	 * entry set in a table it does not link would not be seen. */
	if (alloc && !space_take_pdir(s))
		return NULL;
	pte_t *p = pte_find(s, va);

	if (p || !alloc)
		return p;
	void *pt = kmem_get(s, KMEM_PT, lent_cid_pt(va));
	if (!pt)
		return NULL;
	arch_pde_set(s->pdir, va, virt_to_phys(pt));
	return arch_pte_slot(s->pdir, va);
}

int space_pte_set(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	if (vaddr >= USER_LIMIT)       /* a port's (mapdb knows no others) */
		return space_io_set(s, vaddr, rights);
	pte_t *p = pte_slot(s, vaddr, true);

	if (!p)
		return -1;
	/* No user translation of a frame the kernel holds: the mapping
	 * node stays, the translation comes with the next map of the page
	 * once the frame is back (kernel/kpf.c).  The one exception: a
	 * UTCB page lent to s, at its own UTCB address (space_utcb.c). */
	if (frame_is_lent(phys) && !space_utcb_frame_at(s, vaddr, phys)) {
		*p = 0;
		flush_if_current(s, vaddr);
		return 0;
	}
	pte_t was = *p;
	*p = arch_pte_make(phys, rights);
	/* Rights widened on the same frame keep its cache mode. */
	if (arch_pte_present(was) && arch_pte_phys(was) == phys)
		*p = arch_pte_with_cache(*p, arch_pte_cache(was));
	flush_if_current(s, vaddr);
	return 0;
}

int space_pte_prepare(space_t *s, uint32_t vaddr)
{
	if (vaddr >= USER_LIMIT)
		return space_io_set(s, vaddr, 0);
	return pte_slot(s, vaddr, true) ? 0 : -1;
}

uint32_t space_pte_clear(space_t *s, uint32_t vaddr)
{
	if (vaddr >= USER_LIMIT)
		return (space_io_deny(s, vaddr), 0);
	pte_t *p = pte_slot(s, vaddr, false);

	if (!p)
		return 0;
	uint32_t access = arch_pte_access(*p);
	*p = 0;
	flush_if_current(s, vaddr);
	return access;
}

/* space_pte_clear() for a caller that wants no access bits back: an
 * empty entry was never in the TLB (no x86 caches a not-present entry),
 * so only a translation that existed is flushed. */
void space_pte_drop(space_t *s, uint32_t vaddr)
{
	if (vaddr >= USER_LIMIT)
		return space_io_deny(s, vaddr);
	pte_t *p = pte_find(s, vaddr);

	if (!p || !*p)
		return;
	*p = 0;
	flush_if_current(s, vaddr);
}

uint32_t space_pte_restrict(space_t *s, uint32_t vaddr, uint32_t rights)
{
	if (vaddr >= USER_LIMIT) {
		if (!rights)
			space_io_deny(s, vaddr);
		return 0;
	}
	pte_t *p = pte_slot(s, vaddr, false);

	if (!p || !arch_pte_present(*p))
		return 0;
	uint32_t access = arch_pte_access(*p);
	uint32_t keep = arch_pte_rights(*p) & rights;
	*p = arch_pte_with_cache(arch_pte_make(arch_pte_phys(*p), keep), arch_pte_cache(*p));
	flush_if_current(s, vaddr);
	return access;
}

/* A mapping derived from another takes its cache mode (MemoryControl). */
void space_pte_cache_copy(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr)
{
	if (fvaddr >= USER_LIMIT || tvaddr >= USER_LIMIT)     /* ports */
		return;
	/* Both spaces have default modes only (no walks: every map passes). */
	if (!from->cache_modes && !to->cache_modes)
		return;
	pte_t *f = pte_find(from, fvaddr);
	pte_t *t = pte_find(to, tvaddr);

	/* Most pages keep the default mode on both sides: nothing to do. */
	if (!f || !t || arch_pte_cache(*f) == arch_pte_cache(*t))
		return;
	*t = arch_pte_with_cache(*t, arch_pte_cache(*f));
	if (arch_pte_cache(*f))
		to->cache_modes = true;
	flush_if_current(to, tvaddr);
}

/* Give the present entries of s from va on, pages in all, cache mode
 * mode, passing over 4 MB stretches without a page table. */
void space_pte_cache_set(space_t *s, uint32_t va, uint64_t pages, uint32_t mode)
{
	uint64_t end = (uint64_t)va + (pages << PAGE_SHIFT);

	if (end > USER_LIMIT)
		end = USER_LIMIT;
	if (mode)
		s->cache_modes = true;
	for (uint64_t a = va; a < end; a += PAGE_SIZE) {
		pte_t *p = pte_find(s, (uint32_t)a);

		if (!p) {
			a = (a | 0x3FFFFFu) + 1 - PAGE_SIZE;
			continue;
		}
		if (!arch_pte_present(*p))
			continue;
		*p = arch_pte_with_cache(*p, mode);
		flush_if_current(s, (uint32_t)a);
	}
}
