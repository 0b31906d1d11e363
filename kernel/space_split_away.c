/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Node pages and node tables taken back by their kpager,
 * and brought back (issue 7; the paper's sections 3.2 and 3.3).  The
 * database does the conversions (kernel/mapsplit_io.c: ms_export_*,
 * ms_validate_*, ms_convert_*); this file is their wiring.
 *
 * Taking back.  A frame's lender unmaps it; the database learns it while
 * it walks (ms_frame_revoking), possibly holding entries of the very page
 * that goes.  So the node page or table is taken back once the mapping
 * operation is over (space_split_away_flush, from the end of every
 * mapdb_* call), still within the lender's Unmap: the page is converted
 * in place (what depended on it loses its translations, nothing is
 * destroyed) and then the frame goes back holding its external form.
 * A node table's slot is noted in the resident part of the space, so that
 * Unmap and faults know to ask for it: by its group of SPACE_NT_GROUP
 * slots, one bit a group, for the task record has 13 bytes for it and not
 * the 104 a bit a slot would take.  So a slot without a table in a group
 * noted may be away or may never have had one: the kernel asks the
 * kpager for it all the same, and a kpager that has no form of it lends
 * an empty table (a zeroed page is one), which is what the slot held.
 * The cost is at most SPACE_NT_GROUP - 1 tables more per group noted,
 * each asked for once, where a fault, a map or an Unmap meets them; and
 * no limit on the tables away.  A group's bit goes when each of its
 * slots has a table.  A node page is known away by its index: below the
 * count of pages made, and not found, while the task has no holes (node
 * pages that went back empty, kernel/space_split_trim.c; exporting a
 * page counts the holes as away).
 *
 * Bringing back.  A kernel page fault for that content identifier; the
 * kpager's frame must hold an external form of it: kpf_accept validates
 * it (space_split_import_check, which may refuse), lends it, and then
 * converts it (space_split_import).
 *
 * Who asks.  A user page fault on a record that is there but not
 * resolved resolves it: the walk names the pages it needs, of the task or
 * of a partner on the chain (space_split_resolve), each asked for with a
 * kernel page fault to that task's kpager before the walk runs again.
 * An Unmap asks first for the node tables and node pages of its own
 * records in the fpage (space_split_have_for_unmap), or it could not
 * revoke what was derived from them.
 */
#include <kernel/space_split_away.h>
#include <kernel/space_vacate.h>
#include <kernel/mapsplit_int.h>
#include <kernel/frame.h>
#include <kernel/kpf.h>
#include <kernel/kmem_order.h>
#include <kernel/thread.h>
#include <kernel/iofpage.h>
#include <arch/arch.h>

/* ---- taking back, once the operation is over ---- */

#define DEFER_MAX 16u
static uint32_t deferred[DEFER_MAX];
static unsigned deferred_count;

bool space_split_away_defer(uint32_t pa)
{
	uint32_t task, cid;
	unsigned kind;

	if (!frame_lent_to(pa, &task, &cid, &kind) || !space_split_keeps_form(kind))
		return false;
	for (unsigned i = 0; i < deferred_count; i++)
		if (deferred[i] == pa)
			return true;
	/* One operation meets at most a few lenders' frames (a task's
	 * death may meet many): past the bound the kernel keeps the frame,
	 * as it keeps one of a kind that is never taken back. */
	if (deferred_count < DEFER_MAX)
		deferred[deferred_count++] = pa;
	return true;
}

void space_split_away_flush(void)
{
	while (deferred_count)
		(void)kpreempt_frame(deferred[--deferred_count]);
}

uint32_t space_split_taken;

static uint32_t map_index(uint32_t cid)
{
	return (cid - LENT_CID_MAP_BASE) >> PAGE_SHIFT;
}

static uint32_t nt_slot(uint32_t cid)
{
	return (cid - LENT_CID_NT_BASE) >> PAGE_SHIFT;
}

static bool group_noted(const space_t *s, uint32_t g)
{
	return (s->ms_nt_away[g / 8] >> (g % 8)) & 1;
}

/* No table at slot, in a group noted: away, or asked for as if it were. */
static bool table_away(const space_t *s, uint32_t slot)
{
	return slot < SPACE_NODE_PDES && !s->node_table[slot] &&
	       group_noted(s, slot / SPACE_NT_GROUP);
}

static void group_note(space_t *s, uint32_t slot)
{
	uint32_t g = slot / SPACE_NT_GROUP;

	if (!group_noted(s, g)) {
		s->ms_nt_away[g / 8] |= (uint8_t)(1u << (g % 8));
		s->ms_nt_marked++;
	}
}

/* Every slot of slot's group has a table again: none of them is away. */
static void group_check(space_t *s, uint32_t slot)
{
	uint32_t g = slot / SPACE_NT_GROUP, first = g * SPACE_NT_GROUP;

	for (uint32_t i = first; i < first + SPACE_NT_GROUP && i < SPACE_NODE_PDES; i++)
		if (!s->node_table[i])
			return;
	if (group_noted(s, g)) {
		s->ms_nt_away[g / 8] &= (uint8_t)~(1u << (g % 8));
		s->ms_nt_marked--;
	}
}

bool space_split_export(space_t *s, unsigned kind, uint32_t cid, uint32_t pa)
{
	(void)pa;
	if (kind == KMEM_MAP) {
		uint32_t n = map_index(cid), holes = s->ms.holes, next = s->node_page_count;
		if (ms_export_page(&s->ms, n) != MS_OK)
			return false;
		space_split_page_forget(s, n);
		/* Its holes count as away from now on (ms_export_page): a page
		 * lent for the lowest, not yet used, goes back, for the next
		 * page is now one past the last. */
		s->ms_away += 1 + holes;
		if (holes) {
			if (kmem_kind_is_lent(s, KMEM_MAP))
				kmem_return_lent(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, next));
			s->node_page_count = space_node_next(s);
		}
	} else {
		/* Noted by its group: no bound on the tables away. */
		uint32_t slot = nt_slot(cid);
		if (slot >= SPACE_NODE_PDES || ms_export_table(&s->ms, slot) != MS_OK)
			return false;
		s->node_table[slot] = NULL;
		group_note(s, slot);
	}
	space_split_taken = 1;
	return true;
}

/* ---- bringing back ---- */

bool space_split_page_away(space_t *s, uint32_t n)
{
	return !s->sigma0 && !s->ms.holes && n < s->ms.pages && !ms_page(&s->ms, n);
}

bool space_split_away_at(space_t *s, unsigned kind, uint32_t cid)
{
	if (kind == KMEM_MAP)
		return space_split_page_away(s, map_index(cid));
	return kind == KMEM_NT && table_away(s, nt_slot(cid));
}

uint32_t space_split_import_check(space_t *s, unsigned kind, uint32_t cid, uint32_t pa)
{
	const void *bytes = phys_to_virt(pa);
	int err = kind == KMEM_MAP ? ms_validate_page(&s->ms, map_index(cid), bytes) :
				     ms_validate_table(&s->ms, nt_slot(cid), bytes);

	return err ? LENT_KPF_BAD_CONTENT | (uint32_t)-err << 16 : 0;
}

void space_split_import(space_t *s, unsigned kind, uint32_t cid, uint32_t pa, bool refused)
{
	if (kind == KMEM_MAP) {
		/* Refused: as if its task had unmapped all it held there. */
		if (refused)
			ms_page_format(&s->ms, map_index(cid), phys_to_virt(pa));
		ms_convert_page(&s->ms, map_index(cid));
		s->ms_away--;
	} else {
		uint32_t slot = nt_slot(cid);
		if (refused)
			ms_table_init(phys_to_virt(pa));
		s->node_table[slot] = phys_to_virt(pa);
		group_check(s, slot);
		ms_convert_table(&s->ms, slot);
	}
	/* The kernel's word on what the kpager gave (KmemControl STATS). */
	space_import_count(s, refused);
}

/* ---- who asks ---- */

/* The page the database named, as a kernel page fault: false with *need
 * set when it is away.  A partner's page is asked for in the partner's
 * name (one of its threads), as a map's sender's room is. */
static bool have_named(space_t *s, const ms_need_t *mn, kmem_need_t *need)
{
	ms_space_t *m = ms_space(mn->task);

	if (!m || mn->kind == MS_NEED_ENTRY)
		return true;
	space_t *p = space_split_space(m);
	uint32_t cid = mn->kind == MS_NEED_TABLE ? (uint32_t)lent_cid_nt(mn->index << 22) :
						   (uint32_t)lent_cid_nth(LENT_KMEM_MAP, mn->index);
	if (kpf_have(p, mn->kind == MS_NEED_TABLE ? KMEM_NT : KMEM_MAP, cid, need))
		return true;
	need->sender = TID_NIL;
	if (p == s)
		return false;
	if (!p->thread_list)
		return true;          /* nobody to ask in: the pager maps again */
	need->sender = p->thread_list->core->id;
	return false;
}

/* The record at va (a page, or a port's page) there but not resolved:
 * resolve it, its translation's table gathered first (a port's: the
 * bitmap page that holds its bit). */
static int resolve(space_t *s, uint32_t va, uint32_t access, kmem_need_t *need)
{
	uint32_t slot = va >> 22, phys, rights;
	bool port = io_va_is(va);
	ms_need_t mn;
	ms_ent_t *r;

	if (s->sigma0 || (va >= USER_LIMIT && !port))
		return REFILL_NONE;
	if (table_away(s, slot))
		return kpf_have(s, KMEM_NT, lent_cid_nt(va), need) ? REFILL_NONE : REFILL_NEED;
	const uint32_t *t = s->node_table[slot];
	if (!t || !t[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)])
		return REFILL_NONE;
	int err = ms_find(&s->ms, va, &r, &mn);
	if (err == MS_NEED)
		return have_named(s, &mn, need) ? REFILL_NONE : REFILL_NEED;
	if (err != MS_OK || (r->flags & MS_F_RESOLVED))
		return REFILL_NONE;
	/* The walk enters the translation: its table first. */
	if (port) {
		if (!kpf_have(s, KMEM_PT, kmem_cid_pt(va), need))
			return REFILL_NEED;
	} else {
		if (!s->pdir && !kpf_have(s, KMEM_PDIR, LENT_CID_PDIR, need))
			return REFILL_NEED;
		if (!(s->pdir && arch_pde_table(s->pdir, va)) &&
		    !kpf_have(s, KMEM_PT, lent_cid_pt(va), need))
			return REFILL_NEED;
	}
	(void)space_pte_prepare(s, va);
	err = ms_resolve(&s->ms, va, &mn, &phys, &rights);
	/* A dead edge on the way went with what hung from it: a lender's
	 * frame among them is taken back now. */
	space_split_away_flush();
	if (err == MS_NEED)
		return have_named(s, &mn, need) ? REFILL_NONE : REFILL_NEED;
	if (port)
		return err == MS_OK && rights ? REFILL_DONE : REFILL_NONE;
	if (err != MS_OK || ((access & RIGHT_W) && !(rights & RIGHT_W)))
		return REFILL_NONE;
	pte_t *p = s->pdir ? arch_pte_slot(s->pdir, va) : NULL;
	return p && arch_pte_present(*p) ? REFILL_DONE : REFILL_NONE;
}

int space_split_resolve(space_t *s, uint32_t addr, uint32_t access, kmem_need_t *need)
{
	/* An I/O fault names a block of ports: each port's record, then
	 * their bits (space_refill's refill_ports, which resolves each
	 * through space_split_resolve_port). */
	if (io_va_is(addr & PAGE_MASK))
		return (int)space_refill(s, addr, access, need);
	return resolve(s, addr & PAGE_MASK, access, need);
}

int space_split_resolve_port(space_t *s, uint32_t va, kmem_need_t *need)
{
	return io_va_is(va) ? resolve(s, va & PAGE_MASK, RIGHT_R, need) : REFILL_NONE;
}

bool space_split_have_source(space_t *s, uint32_t va, kmem_need_t *need)
{
	uint32_t slot = va >> 22, phys, rights;
	ms_need_t mn;
	ms_ent_t *r;

	if (!space_split_has_away(s) || s->sigma0 || slot >= SPACE_NODE_PDES)
		return true;
	if (table_away(s, slot))
		return kpf_have(s, KMEM_NT, lent_cid_nt(va), need);
	int err = ms_find(&s->ms, va & PAGE_MASK, &r, &mn);
	if (err == MS_NEED)
		return have_named(s, &mn, need);
	if (err != MS_OK || (r->flags & MS_F_RESOLVED))
		return true;
	/* Only the sender's own pages are asked for here (the receiver asks
	 * in the sender's name); a partner's page away makes the map fail
	 * for want of memory, and the sender's next access resolves it. */
	err = ms_resolve(&s->ms, va & PAGE_MASK, &mn, &phys, &rights);
	space_split_away_flush();
	return err != MS_NEED || mn.task != s->id || have_named(s, &mn, need);
}

/* The receiver's side of a map is gathered by kpf_have_for_map (its node
 * table, room for a record, its page table); the record the map finds
 * at the destination, to widen or replace, may be in a node page its
 * kpager took back, and the map would fail for want of memory. */
bool space_split_have_dest(space_t *s, uint32_t va, kmem_need_t *need)
{
	uint32_t slot = va >> 22;

	if (!space_split_has_away(s) || s->sigma0 || va >= USER_LIMIT || table_away(s, slot))
		return true;            /* an away table is kpf_have_for_map's */
	const uint32_t *t = s->node_table[slot];
	uint32_t ref = t ? t[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] : 0;
	if (ref && space_split_page_away(s, MS_REF_PAGE(ref)))
		return kpf_have(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, MS_REF_PAGE(ref)), need);
	return true;
}

bool space_split_have_for_unmap(space_t *s, fpage_t fp, kmem_need_t *need)
{
	if (!space_split_has_away(s) || fpage_is_nil(fp) || iofpage_is(fp) || fpage_size_log2(fp) < PAGE_SHIFT)
		return true;
	uint64_t va = fpage_base(fp), end = va + fpage_size(fp);
	if (end > USER_LIMIT)
		end = USER_LIMIT;
	while (va < end) {
		uint32_t slot = (uint32_t)(va >> 22);
		uint64_t stop = ((uint64_t)slot + 1) << 22;
		if (stop > end)
			stop = end;
		if (table_away(s, slot))
			return kpf_have(s, KMEM_NT, lent_cid_nt((uint32_t)va), need);
		const uint32_t *t = s->node_table[slot];
		for (; t && va < stop; va += PAGE_SIZE) {
			uint32_t ref = t[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)];
			if (ref && space_split_page_away(s, MS_REF_PAGE(ref)))
				return kpf_have(s, KMEM_MAP,
						lent_cid_nth(LENT_KMEM_MAP, MS_REF_PAGE(ref)), need);
		}
		va = stop;
	}
	return true;
}
