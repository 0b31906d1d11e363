/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The split, localised mapping database (kernel/mapsplit*.c,
 * docs/mapdb-split.md) in a space: the hooks the database calls (task by
 * id, node pages, node tables, translations, the seal key) and the
 * counts asked of it.  The mapdb_* calls the rest of the kernel makes,
 * which take the kernel memory the database will need first, are
 * kernel/space_split_mapdb.c.
 *
 * Node pages are found by content identifier in the frame table when
 * lent (expected O(1)); pages that are not lent (the pool, sigma0's boot
 * reserve and store) are kept in the space's index, two levels of 1024.
 * In the pool build tasks are found by id on a list of the spaces made
 * from the pool (space_of_task() knows only lent records and boot's).
 */
#include <kernel/space.h>
#include <kernel/space_split_int.h>
#include <kernel/mapsplit_int.h>
#include <kernel/frame.h>
#include <kernel/preempt.h>
#include <arch/arch.h>

static space_t *pool_spaces;    /* spaces whose record is the pool's */
mapslot_t *space_split_high_tables[S0_HIGH_SLOTS];

space_t *space_split_space(ms_space_t *m)
{
	return space_of_ms(m);
}

void space_split_register(space_t *s)
{
	s->pool_next = pool_spaces;
	pool_spaces = s;
}

void space_split_forget(space_t *s)
{
	for (space_t **p = &pool_spaces; *p; p = &(*p)->pool_next)
		if (*p == s) {
			*p = s->pool_next;
			return;
		}
}

/* ---- the database's hooks (kernel/mapsplit.h) ---- */

ms_space_t *ms_space(uint32_t id)
{
	space_t *s = space_of_task(id);

	for (space_t *p = pool_spaces; !s && p; p = p->pool_next)
		if (p->id == id)
			s = p;
	return s ? msp(s) : NULL;
}

/* Is s's node page n one the frame table may know (lent at its CID: a
 * kpager's, or a page of sigma0's store)? */
static bool found_by_cid(const space_t *s, uint32_t n)
{
	return n < (s->sigma0 ? SIGMA0_CID_PAGES : LENT_CID_RANGE_PAGES);
}

/*
 * Every hop of the database asks this.  The two pages found last are
 * kept: most operations move between a record's page and the page of
 * one of its parts, or stay in one.  One that goes back (trim, task
 * death, or its kpager taking it back: kernel/space_split_away.c) is
 * forgotten here first, with space_split_page_forget().
 */
ms_ent_t *ms_page(ms_space_t *m, uint32_t n)
{
	space_t *s = space_of_ms(m);
	ms_ent_t *page = NULL;
	unsigned i = 0;

	while (i < MS_SEEN && !(m->seen[i] && m->seen_n[i] == n))
		i++;
	if (i < MS_SEEN) {
		page = m->seen[i];
	} else {
		page = index_get(s, n);
		if (!page && found_by_cid(s, n)) {
			uint32_t pa = frame_find(s->id, lent_cid_nth(LENT_KMEM_MAP, n));

			page = pa ? phys_to_virt(pa) : NULL;
			/* A frame lent for a hole's number and not yet made a
			 * node page (space_split_mapdb.c) is no node page. */
			if (page && m->holes && ((const ms_hdr_t *)page)->magic != MS_MAGIC)
				page = NULL;
		}
		if (!page)
			return NULL;
		i = MS_SEEN - 1;
	}
	ms_seen_put(m, i, page, n);
	return page;
}

uint32_t space_node_next(space_t *s)
{
	return ms_page_next(msp(s));
}

void space_split_page_forget(space_t *s, uint32_t n)
{
	ms_seen_forget(&s->ms, n);
}

mapslot_t *const *space_split_high_tables_of(const space_t *s)
{
	return s->sigma0 ? space_split_high_tables : NULL;
}

uint32_t *ms_table(ms_space_t *m, uint32_t slot)
{
	mapslot_t **t = table_slot(space_of_ms(m), slot);

	return t ? *t : NULL;
}

/* Does the area (an fpage, so aligned to its size) hold the page at va
 * (page-aligned)?  Two size-aligned ranges overlap only where the larger
 * holds the smaller: one shift and compare. */
static inline bool area_has_page(fpage_t area, uint32_t va)
{
	uint32_t log2;

	if (fpage_is_nil(area))
		return false;
	log2 = fpage_size_log2(area);
	if (log2 >= 32)
		return true;
	if (log2 < PAGE_SHIFT)
		log2 = PAGE_SHIFT;
	return ((va ^ fpage_base(area)) >> log2) == 0;
}

/* space_is_user_range() for one page, which every lookup asks: without
 * its 64-bit sums (about a hundred instructions each time). */
bool ms_va_ok(const ms_space_t *m, uint32_t va)
{
	space_t *s = space_of_ms(m);

	if (va >= USER_LIMIT)
		return io_va_is(va) || (m->sigma0 && s0_high_key_is(va));
	if (va & ~PAGE_MASK)
		return space_is_user_range(s, va, PAGE_SIZE);
	return !area_has_page(s->kip_area, va) && !area_has_page(s->utcb_area, va);
}

/* A key of sigma0's for a frame from 3 GB up is no page: it has no
 * translation to set, clear or narrow (kernel/sigma0_high.h). */
void ms_pte_set(ms_space_t *m, uint32_t va, uint32_t phys, uint32_t rights, uint32_t type)
{
	space_t *s = space_of_ms(m);

	/* The page table was taken first (space_pte_prepare): cannot fail. */
	if (s0_high_key_is(va))
		return;
	(void)space_pte_set(s, va, phys, rights);
	/* The record's memory type is the translation's (MemoryControl);
	 * without one anywhere in s, every entry has the default. */
	if (type || s->cache_modes)
		space_pte_cache_set(s, va, 1, arch_cache_type_mode(type));
}

bool ms_type_ok(uint32_t type)
{
	return arch_cache_type_ok(type);
}

bool ms_type_own(const ms_space_t *m)
{
	return space_of_ms(m)->privileged;
}

uint32_t ms_pte_clear(ms_space_t *m, uint32_t va)
{
	return s0_high_key_is(va) ? 0 : space_pte_clear(space_of_ms(m), va);
}

uint32_t ms_pte_restrict(ms_space_t *m, uint32_t va, uint32_t rights)
{
	return s0_high_key_is(va) ? 0 : space_pte_restrict(space_of_ms(m), va, rights);
}

void ms_frame_revoking(uint32_t phys)
{
	space_frame_revoking(phys);
}

bool ms_stop_due(unsigned cost)
{
	return preempt_due(cost);
}

bool ms_frame_lent(uint32_t phys)
{
	return frame_is_lent(phys);
}

/* Every record of s's present node pages that its table names (a table
 * taken back may come back naming another).  KmemControl STATS and the
 * self-check ask it: 1.5 million entries for sigma0 at 3 GB, so the
 * page's number (what ms_ref_of reads from the header) is read once a
 * page and the tables straight from the record. */
uint32_t space_mapped_pages(space_t *s)
{
	uint32_t count = 0;

	for (uint32_t n = 0; n < s->ms.pages; n++) {
		const ms_ent_t *page = ms_page(&s->ms, n);

		if (!page)
			continue;
		uint32_t own = ((const ms_hdr_t *)page)->page;
		for (uint32_t k = 1; k < MS_ENTS; k++) {
			const ms_ent_t *e = &page[k];
			uint32_t slot = e->vaddr >> 22;

			/* sigma0's keys (slots from SPACE_NODE_PDES up,
			 * kernel/sigma0_high.h) map no page. */
			if (e->kind != MS_REC || slot >= SPACE_NODE_PDES || !s->node_table[slot])
				continue;
			count += s->node_table[slot][(e->vaddr >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] ==
				 MS_REF(own, k);
		}
	}
	return count;
}

/* The key of parts' seals (kernel/mapsplit_io.c): made at the first
 * export, from the boot key's sources (the TSC by then counts the boot
 * and the tasks' run so far). */
const siphash_key_t *ms_seal_key(void)
{
	static siphash_key_t key;
	static bool made;

	if (!made) {
		uint32_t k[4];

		arch_boot_key(k);
		key.k0 = (uint64_t)k[1] << 32 | k[0];
		key.k1 = (uint64_t)k[3] << 32 | k[2];
		made = true;
	}
	return &key;
}
