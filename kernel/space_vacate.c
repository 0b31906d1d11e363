/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The redundant kinds of a space's kernel memory: page tables, the page
 * directory and the I/O permission bitmap.  Everything in them can be
 * rebuilt from what the kernel keeps elsewhere (the paper's section 3.1):
 * a user page's translation from its mapping node, the KIP's from the
 * space's KIP area, a UTCB page's from the frame lent at its content
 * identifier, a port's bit from the port's mapping node.  So a kpager
 * that takes one back gets it vacant (kernel/kpreempt.c), and the
 * translations come back one by one, as the task touches them: a fault
 * on a page the kernel knows is refilled here, without a page-fault IPC,
 * once the table it needs is lent again.
 */
#include <kernel/space.h>
#include <kernel/space_vacate.h>
#include <kernel/kpf.h>
#include <kernel/frame.h>
#include <kernel/kmem_order.h>
#include <kernel/kip_runtime.h>
#include <kernel/utcb_away.h>
#include <kernel/space_split_away.h>
#include <kernel/space_split_bits.h>
#include <arch/arch.h>

/* ---- taking a table out ---- */

void space_vacate_pt(space_t *s, uint32_t pde)
{
	if (!s->pdir || !arch_pde_table(s->pdir, pde << 22))
		return;
	/* Its translations' access bits stay with their mappings. */
	space_split_keep_bits(s, pde);
	arch_pde_set(s->pdir, pde << 22, 0);
	s->tables_taken = true;
	/* Its translations may be in the TLB if the space is loaded. */
	if (arch_pdir_loaded() == s->pdir_phys)
		arch_tlb_flush_all();
}

void space_vacate_pdir(space_t *s)
{
	if (!s->pdir)
		return;
	/* The CPU lets go of it first: its frame goes back to the kpager. */
	arch_pdir_release(s->pdir_phys);
	s->tables_taken = true;
	s->pdir = NULL;
	/* Its threads run on the kernel half alone: their first access
	 * faults, and the fault asks for the directory (space_refill()). */
	s->pdir_phys = arch_pdir_empty();
}

/* The page directory taken again (space_take_pdir(), whose
 * arch_pdir_init() gave it the kernel half): the page tables still lent
 * to s go back in their slots.  Only a slot
 * where something is mapped (it has a node table), or where the KIP or
 * a UTCB page lies, can have one in use; the frame table is asked for
 * those alone.  A table lent for nothing else yet is taken when it is
 * needed (space_pte.c). */
void space_relink_tables(space_t *s)
{
	if (!kmem_kind_is_lent(s, KMEM_PT) || !s->kmem.pages[KMEM_PT])
		return;
	uint32_t kip = fpage_is_nil(s->kip_area) ? ~0u : fpage_base(s->kip_area) >> 22;
	uint32_t ulo = ~0u, uhi = 0;
	if (!fpage_is_nil(s->utcb_area)) {
		ulo = fpage_base(s->utcb_area) >> 22;
		uhi = (uint32_t)((fpage_base(s->utcb_area) + fpage_size(s->utcb_area) - 1) >> 22);
	}
	for (uint32_t pde = 0; pde < USER_PDES; pde++) {
		if (!s->node_table[pde] && pde != kip && (pde < ulo || pde > uhi))
			continue;
		uint32_t pa = frame_find(s->id, lent_cid_pt(pde << 22));
		if (pa)
			arch_pde_set(s->pdir, pde << 22, pa);
	}
}

/* ---- putting a translation back ---- */

/* What the kernel knows is mapped at va (page-aligned) in s: the frame,
 * the rights and the cache mode, or false when it knows of nothing (a
 * fault for the pager). */
static bool known_translation(space_t *s, uint32_t va, uint32_t *phys, uint32_t *rights,
			      uint32_t *mode)
{
	*mode = 0;
	if (!fpage_is_nil(s->kip_area) && va == fpage_base(s->kip_area)) {
		*phys = kip_phys();
		*rights = RIGHT_R | RIGHT_X;
		return true;
	}
	if (space_in_utcb_area(s, va, PAGE_SIZE)) {
		/* Only a lent UTCB page can have lost its translation: one
		 * from the pool lives in a table from the pool. */
		uint32_t pa = kmem_kind_is_lent(s, KMEM_UTCB) ?
			      frame_find(s->id, space_utcb_cid(s, va)) : 0;
		*phys = pa;
		*rights = RIGHTS_ALL;
		return pa != 0;
	}
	mapnode_t *n = mapdb_lookup(s, va);
	/* A frame lent to the kernel has no user translation. */
	if (!n || frame_is_lent(mapnode_phys(n)))
		return false;
	*phys = mapnode_phys(n);
	*rights = mapnode_rights(n);
	*mode = space_split_mode_of(n);     /* MemoryControl's, kept */
	return true;
}

/* The table va's translation lives in, gathered: the page directory
 * first, then the page table. */
static bool have_table(space_t *s, uint32_t va, kmem_need_t *need)
{
	if (!s->pdir && !kpf_have(s, KMEM_PDIR, LENT_CID_PDIR, need))
		return false;
	if (s->pdir && arch_pde_table(s->pdir, va))
		return true;
	return kpf_have(s, KMEM_PT, lent_cid_pt(va), need);
}

/* Ports: every port of the faulting block must have its mapping node
 * with the rights; then their bits go back in the bitmap. */
static enum refill refill_ports(space_t *s, uint32_t addr, kmem_need_t *need)
{
	uint32_t first = io_va_port(addr & PAGE_MASK);
	uint32_t count = 1u << (addr & 0x1Fu);
	bool resolved = false;

	if (first + count > IO_PORTS)
		return REFILL_NONE;
	for (uint32_t p = first; p < first + count; p++) {
		mapnode_t *n = mapdb_lookup(s, io_va(p));
		/* A record a node page's take-back left unresolved is
		 * resolved as a page's is: its pager never hears of it
		 * (kernel/space_split_away.c). */
		if (!n && space_split_any_away()) {
			int r = space_split_resolve_port(s, io_va(p), need);
			if (r == REFILL_NEED)
				return REFILL_NEED;
			resolved |= r == REFILL_DONE;
			n = mapdb_lookup(s, io_va(p));
		}
		if (!n || !mapnode_rights(n))
			return REFILL_NONE;
	}
	/* A fault with the bits set is not ours, unless we set them. */
	if (space_io_allowed(s, first, count))
		return resolved ? REFILL_DONE : REFILL_NONE;
	for (uint32_t p = first; p < first + count; p++)
		if (!kpf_have(s, KMEM_PT, kmem_cid_pt(io_va(p)), need))
			return REFILL_NEED;
	for (uint32_t p = first; p < first + count; p++)
		if (space_io_set(s, io_va(p), RIGHTS_ALL) != 0)
			return REFILL_NONE;
	return REFILL_DONE;
}

enum refill space_refill(space_t *s, uint32_t addr, uint32_t access, kmem_need_t *need)
{
	uint32_t va = addr & PAGE_MASK, phys, rights, mode;

	if (io_va_is(va))
		return refill_ports(s, addr, need);
	if (va >= USER_LIMIT)
		return REFILL_NONE;
	/* A record whose chain a kpager's take-back cut is resolved first. */
	enum refill split = space_split_any_away() ?
			    (enum refill)space_split_resolve(s, va, access, need) : REFILL_NONE;
	if (split != REFILL_NONE)
		return split;
	if (!known_translation(s, va, &phys, &rights, &mode)) {
		/* A UTCB page its kpager took back: its table, then the page
		 * (kernel/utcb_away.c). */
		if (!space_in_utcb_area(s, va, PAGE_SIZE) || !utcb_page_away(s, va))
			return REFILL_NONE;
		if (have_table(s, va, need))
			*need = (kmem_need_t){ .space = s, .kind = KMEM_UTCB,
					       .cid = space_utcb_cid(s, va) };
		return REFILL_NEED;
	}
	/* A fault the translation would not have prevented goes to the
	 * pager, as before: a write to a read-only page, say. */
	if ((access & RIGHT_W) && !(rights & RIGHT_W))
		return REFILL_NONE;
	if (s->pdir) {
		pte_t *p = arch_pte_slot(s->pdir, va);
		if (p && arch_pte_present(*p))
			return REFILL_NONE;
	}
	if (!have_table(s, va, need))
		return REFILL_NEED;
	if (space_pte_set(s, va, phys, rights) != 0)
		return REFILL_NONE;         /* the pool is empty: no memory */
	if (mode)
		space_pte_cache_set(s, va, 1, mode);
	return REFILL_DONE;
}
