/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The split, localised mapping database (kernel/mapsplit*.c,
 * docs/mapdb-split.md) serving the kernel through mapdb.h's interface.
 * Here are the database's hooks into a space (task by id, node pages,
 * node tables, translations) and the mapdb_* calls the rest of the kernel
 * makes, each of which first takes the kernel memory the database will
 * need (node table, node pages, page table) and then lets it act.
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
#include <kernel/kpf.h>
#include <kernel/kmem_sigma0.h>
#include <kernel/kmem_sigma0_cid.h>
#include <kernel/preempt.h>
#include <kernel/space_split_away.h>
#include <kernel/string.h>
#include <arch/arch.h>

static space_t *pool_spaces;    /* spaces whose record is the pool's */
mapslot_t *space_split_high_tables[S0_HIGH_SLOTS];

space_t *space_split_space(ms_space_t *m)
{
	return space_of_ms(m);
}

/* The resident part, named as the database names the task. */
static ms_space_t *msp(space_t *s)
{
	s->ms.id = s->id;
	s->ms.sigma0 = s->sigma0;
	return &s->ms;
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

/* Node page n of s if it is in the index, else NULL. */
/* sigma0's node pages may run on past their range, through the TCB
 * and UTCB ranges (sigma0 has one thread, whose pages are boot's) and
 * past the window, for every page its database may have
 * (kernel/kmem_sigma0_cid.h). */
#define SIGMA0_CID_PAGES KMEM_SIGMA0_MAP_PAGES
_Static_assert(SIGMA0_CID_PAGES > MS_MAX_PAGES, "every node page of sigma0's has a CID");

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
		}
		if (!page)
			return NULL;
		i = MS_SEEN - 1;
	}
	ms_seen_put(m, i, page, n);
	return page;
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

/* ---- the kernel memory the database needs ---- */

/* Put node page n of s in the index; false when no page is left for
 * the index itself (charged to s as node pages). */
static bool index_put(space_t *s, uint32_t n, void *page)
{
	if (n / INDEX_FAN >= INDEX_FAN)
		return false;
	if (!s->ms_index) {
		s->ms_index = kmem_alloc(s, KMEM_MAP);
		if (!s->ms_index)
			return false;
	}
	void **leaf = s->ms_index[n / INDEX_FAN];
	if (!leaf) {
		leaf = kmem_alloc(s, KMEM_MAP);
		if (!leaf)
			return false;
		s->ms_index[n / INDEX_FAN] = leaf;
	}
	leaf[n % INDEX_FAN] = page;
	return true;
}

/* One more node page for s: lent at its CID (gathered before), or from
 * the pool. */
static bool page_add(space_t *s)
{
	uint32_t n = s->ms.pages;

	/* A lent page's CID must stay in the node pages' range. */
	if (n >= MS_MAX_PAGES ||
	    (!s->sigma0 && kmem_kind_is_lent(s, KMEM_MAP) && n >= LENT_CID_RANGE_PAGES))
		return false;
	void *page = kmem_get(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, n));
	if (!page)
		return false;
	/* Lent pages (a kpager's, sigma0's store's) are found at their CID:
	 * only the pool's and the boot reserve's need the index. */
	if (!frame_is_lent(virt_to_phys(page)) && !index_put(s, n, page)) {
		kmem_put(s, KMEM_MAP, page);
		return false;
	}
	ms_page_init(msp(s), page);
	s->node_page_count = s->ms.pages;
	return true;
}

static bool room_for(space_t *s, uint32_t entries)
{
	while (s->ms.nfree < entries)
		if (!page_add(s))
			return false;
	return true;
}

/* The node table of va's 4 MB slot, made if missing. */
static bool table_make(space_t *s, uint32_t va)
{
	mapslot_t **slot = table_slot(s, va >> 22);

	if (!slot)
		return false;
	if (*slot)
		return true;
	/* kmem_get gives it zeroed: an empty table, with no 4 KB to clear
	 * again (ms_table_init). */
	uint32_t *t = kmem_get(s, KMEM_NT, lent_cid_nt(va));
	if (!t)
		return false;
	*slot = t;
	return true;
}

bool space_have_for_send(space_t *from, kmem_need_t *need)
{
	if (space_node_room(from) || !kmem_kind_is_lent(from, KMEM_MAP))
		return true;
	return kpf_have(from, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, from->node_page_count), need);
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

/* ---- mapdb.h ---- */

/* Is nothing mapped at va in s, by its node table alone?  Walks over a
 * whole address space ask this of every page of every table. */
static inline bool slot_empty(space_t *s, uint32_t va)
{
	mapslot_t **slot = table_slot(s, va >> 22);
	const mapslot_t *t = slot ? *slot : NULL;

	return !t || !t[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)];
}

/* The record mapdb_lookup() found last: a map that follows (space_map_fpage
 * looks its source up first) takes it from here, without a second lookup,
 * while nothing in the database changed since (ms_changes: no entry made
 * or freed, no list changed, no page or table gone or back). */
static struct {
	const space_t *s;
	uint32_t va;
	uint64_t changes;
	ms_ent_t *rec;
} looked;

mapnode_t *mapdb_lookup(space_t *s, uint32_t vaddr)
{
	/* ms_find, inline: the node table's entry names a record of that
	 * very address (a page or table away: nothing found here).  The
	 * table through table_slot: sigma0's keys for frames from 3 GB up
	 * have theirs beside node_table (kernel/sigma0_high.h). */
	uint32_t va = vaddr & PAGE_MASK;
	mapslot_t **slot = table_slot(s, va >> 22);
	const mapslot_t *t = slot ? *slot : NULL;
	ms_ent_t *r = t ? ms_ent(msp(s), t[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)]) : NULL;
	/* A record a take-back left unresolved has no frame until a fault
	 * resolves it (kernel/space_split_away.c). */
	if (!r || r->kind != MS_REC || r->vaddr != va || !(r->flags & MS_F_RESOLVED))
		return NULL;
	looked.s = s;
	looked.va = va;
	looked.changes = ms_changes;
	looked.rec = r;
	return (mapnode_t *)r;
}

/* ms_find() of a map's source, from mapdb_lookup()'s last answer where
 * that still holds. */
static int source_find(space_t *s, uint32_t va, ms_ent_t **src, ms_need_t *need)
{
	if (looked.s == s && looked.va == va && looked.changes == ms_changes) {
		*src = looked.rec;
		return MS_OK;
	}
	return ms_find(&s->ms, va, src, need);
}

/* Is there a page table for va in s (so space_pte_prepare has nothing
 * to gather)? */
static inline bool pte_table_there(const space_t *s, uint32_t va)
{
	return va < USER_LIMIT && s->pdir && arch_pde_table(s->pdir, va);
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

int mapdb_root(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	ms_need_t need;

	vaddr &= PAGE_MASK;
	if (!table_make(s, vaddr) || (!s0_high_key_is(vaddr) && space_pte_prepare(s, vaddr) != 0))
		return MAPDB_NOMEM;
	for (;;) {
		int err = ms_root(msp(s), vaddr, phys, rights, &need);

		if (err == MS_OK)
			return (space_split_trim_all(), MAPDB_OK);
		if (err != MS_NOMEM || !room_for(s, need.index))
			return MAPDB_NOMEM;
	}
}

int mapdb_map_part(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr,
		   uint32_t rights, bool grant, bool may_stop)
{
	ms_space_t *fs = msp(from), *ts = msp(to);
	ms_need_t need;
	ms_ent_t *src, *old;
	uint32_t phys, got;

	fvaddr &= PAGE_MASK;
	tvaddr &= PAGE_MASK;
	/* Each end is looked up once, here, and handed to the database:
	 * nothing below moves or frees an entry before it acts (node pages
	 * only come, and empty ones go in trim_all, at the end). */
	if (source_find(from, fvaddr, &src, &need) != MS_OK || !(rights & src->rights & MS_RIGHTS))
		return MAPDB_OK;            /* nothing to send: silently nothing */
	/* The callers checked tvaddr is in to's window (space_map_page,
	 * map_port): no second check, only where it lies. */
	if (tvaddr >= USER_LIMIT && !io_va_is(tvaddr))
		return MAPDB_OK;
	if (!table_make(to, tvaddr) ||
	    (!pte_table_there(to, tvaddr) && space_pte_prepare(to, tvaddr) != 0))
		return MAPDB_NOMEM;
	if (ms_find(ts, tvaddr, &old, &need) == MS_NEED)
		return MAPDB_NOMEM;
	/* The memory type goes with the records (ms_map_found): a derived
	 * mapping takes its source's, one only widened keeps its own. */
	for (;;) {
		int err = ms_map_found(fs, src, ts, tvaddr, old, rights, grant, may_stop, &need);

		switch (err) {
		case MS_STOPPED:
			space_split_trim_all();
			return MAPDB_STOPPED;
		case MS_OK:
			space_split_trim_all();
			return MAPDB_OK;
		case MS_CYCLE:
			return MAPDB_CYCLE;
		case MS_NOMEM: {
			space_t *payer = need.task == to->id ? to : from;
			/* sigma0's parts beyond the room each root keeps for
			 * its first (a frame mapped out a second time at
			 * once) come from the store sigma0 gave, never from
			 * the pool, or a client could make sigma0 take the
			 * pool page by page: else X.2's "no memory". */
			if (payer->sigma0 && payer != to &&
			    (payer->ms.pages >= SIGMA0_CID_PAGES ||
			     !kmem_sigma0_has(payer, lent_cid_nth(LENT_KMEM_MAP, payer->ms.pages))))
				return MAPDB_NOMEM;
			if (room_for(payer, need.index))
				continue;
			return MAPDB_NOMEM;
		}
		case MS_UNRESOLVED:
			if (ms_resolve(fs, fvaddr, &need, &phys, &got) != MS_OK)
				return MAPDB_NOMEM;
			/* Resolving may remove records with dead edges: look
			 * both ends up again. */
			if (ms_find(fs, fvaddr, &src, &need) != MS_OK) {
				space_split_trim_all();
				return MAPDB_OK;
			}
			if (ms_find(ts, tvaddr, &old, &need) == MS_NEED)
				return MAPDB_NOMEM;
			continue;
		case MS_DENIED:
			return MAPDB_OK;
		default:
			return MAPDB_NOMEM;
		}
	}
}

int mapdb_unmap_part(space_t *s, uint32_t vaddr, uint32_t rights, bool flush_self,
		     uint32_t *access, bool may_stop, bool resumed)
{
	ms_need_t need;

	if (slot_empty(s, vaddr))
		return MAPDB_OK;
	int err = ms_unmap_part(msp(s), vaddr & PAGE_MASK, rights, flush_self, access, may_stop,
				resumed, &need);
	space_split_trim_all();
	return err == MS_STOPPED ? MAPDB_STOPPED : MAPDB_OK;
}

bool space_split_task_delete(space_t *s, bool may_stop)
{
	int err = ms_task_delete_part(msp(s), &s->ms_reap, may_stop);
	/* The node pages the task's death emptied in other tasks (its
	 * senders' parts) go back before it counts as gone: a trim stopped
	 * at a preemption point goes on when the deleter does (the last
	 * pass, re-entered past its end, finds nothing more). */
	bool trimmed = space_split_trim_all();

	return err == MS_OK && (trimmed || !may_stop);
}
