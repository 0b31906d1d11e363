/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tearing down a task whose last thread is gone.  Its mappings, and all
 * that was derived from them, may be many: the teardown stops at
 * preemption points and continues from a cursor kept in the space.  A
 * deleted task waits on a list until it is gone; the thread that deleted
 * it works on the list until then (see sys_thread.c), and so does every
 * ThreadControl before it does anything else; the idle loop finishes
 * what a deleter left (it was deleted itself, or sent elsewhere by
 * ExchangeRegisters).
 */
#include <kernel/space.h>
#include <kernel/preempt.h>
#include <arch/arch.h>

/* Empty node slots are looked at in runs of SLOT_RUN in a tight loop,
 * SLOT_COST each, and RUN_COST for the run (a call of preempt_due among
 * it): one preemption point per slot would cost ten times the look. */
#define SLOT_COST  6u
#define SLOT_RUN   64u
#define RUN_COST   48u
/* The split database's unmap of a page takes some 1,600 instructions in
 * the lent build (the dead task's node page found by content identifier,
 * the sender's part through its record: docs/mapdb-split.md, "Costs"). */
#define UNMAP_COST 1536u
/* One 4 MB stretch: looked at for node slots (some 32 instructions
 * where it has no node table), and passed for its tables (some 60 where
 * it has none: its page table's entry is read too). */
#define PDE_LOOK_COST 32u
#define PDE_COST   64u

static space_t *dying;          /* deleted spaces not yet freed */

/* Phase 1: unmap every page the space holds. */
static bool reap_mappings(space_t *s, bool may_stop)
{
	while (s->reap_cursor < SPACE_NODE_PDES * 1024u) {   /* ports too */
		uint32_t i = s->reap_cursor >> 10, j = s->reap_cursor & 1023;
		mapslot_t *table = s->node_table[i];
		if (!table) {
			s->reap_cursor = (i + 1) << 10;
			if (may_stop && preempt_due(PDE_LOOK_COST))
				return false;
			continue;
		}
		unsigned cost;
		if (table[j]) {
			uint32_t access = 0;
			if (mapdb_unmap_part(s, s->reap_cursor << PAGE_SHIFT, RIGHTS_ALL, true,
					     &access, may_stop, true) == MAPDB_STOPPED)
				return false;
			cost = UNMAP_COST;
			s->reap_cursor++;
		} else {
			/* Up to the end of this run: a revoked or unmapped
			 * region leaves whole tables of empty slots. */
			uint32_t k = j, end = (j | (SLOT_RUN - 1)) + 1;
			while (k < end && !table[k])
				k++;
			cost = RUN_COST + (k - j) * SLOT_COST;
			s->reap_cursor += k - j;    /* (i << 10) + 1024 is the next table's */
		}
		if (may_stop && preempt_due(cost))
			return false;
	}
	return true;
}

/* UTCB pages are the kernel's, handed to the space: take them back.  A
 * lent one goes back to the kpager zeroed, and only after its
 * translation in the space is gone. */
static void free_utcb_pages(space_t *s, uint32_t pde)
{
	if (fpage_is_nil(s->utcb_area))
		return;
	uint32_t lo = fpage_base(s->utcb_area);
	uint64_t hi = (uint64_t)lo + fpage_size(s->utcb_area);
	uint64_t from = (uint64_t)pde << 22, to = from + 0x400000u;
	if (from < lo)
		from = lo;
	if (to > hi)
		to = hi;
	for (uint64_t va = from; va < to; va += PAGE_SIZE) {
		pte_t *p = s->pdir ? arch_pte_slot(s->pdir, (uint32_t)va) : NULL;
		if (p && arch_pte_present(*p)) {
			uint32_t pa = arch_pte_phys(*p);
			space_pte_clear(s, (uint32_t)va);
			kmem_put(s, KMEM_UTCB, phys_to_virt(pa));
		}
	}
}

/* Phase 2: the tables, one 4 MB stretch at a time. */
static bool reap_tables(space_t *s, bool may_stop)
{
	/* What is left, in steps: records the slots did not name and parts
	 * of edges whose records went (kernel/mapsplit_reap.c). */
	if (s->reap_pde == 0 && !space_split_task_delete(s, may_stop))
		return false;
	for (; s->reap_pde < SPACE_NODE_PDES; s->reap_pde++) {
		uint32_t i = s->reap_pde;
		uint32_t pt = s->pdir ? arch_pde_table(s->pdir, i << 22) : 0;
		unsigned cost = PDE_COST;
		if (pt) {
			free_utcb_pages(s, i);
			cost += kmem_put_cost(phys_to_virt(pt));
			kmem_put(s, KMEM_PT, phys_to_virt(pt));
		}
		if (s->node_table[i]) {
			cost += kmem_put_cost(s->node_table[i]);
			kmem_put(s, KMEM_NT, s->node_table[i]);
		}
		s->node_table[i] = NULL;
		if (may_stop && s->reap_pde + 1 < SPACE_NODE_PDES && preempt_due(cost))
			return (s->reap_pde++, false);
	}
	return true;
}

bool space_reap(space_t *s, bool may_stop)
{
	if (!reap_mappings(s, may_stop) || !reap_tables(s, may_stop))
		return false;
	space_io_free(s);
	/* Phase 3: the pages the mapping nodes came from. */
	if (!space_nodes_free(s, may_stop))
		return false;
	space_split_forget(s);
	/* The page directory: the CPU lets go of it first, for it goes back
	 * (to the pool, or zeroed to the kpager) and its frame may come
	 * back as another space's. */
	if (s->pdir) {
		arch_pdir_release(s->pdir_phys);
		kmem_put(s, KMEM_PDIR, s->pdir);
		s->pdir = NULL;
	}
	/* Pages a kpager lent for an operation that never acted (the task
	 * died first) go back too. */
	kmem_return_unused(s);
	kmem_free_record(s);
	return true;
}

void space_destroy(space_t *s)
{
	space_reap(s, false);
}

void space_reap_later(space_t *s)
{
	s->reap_next = dying;
	dying = s;
}

space_t *space_dying_list(void)
{
	return dying;
}

bool space_dying(uint32_t id)
{
	for (space_t *s = dying; s; s = s->reap_next)
		if (s->id == id)
			return true;
	return false;
}

bool space_reap_dying(void)
{
	while (dying) {
		space_t *s = dying;
		space_t *next = s->reap_next;
		if (!space_reap(s, true))
			return true;
		dying = next;
	}
	return false;
}
