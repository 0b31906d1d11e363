/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mapdb.h's calls over the split, localised mapping database
 * (kernel/mapsplit*.c, docs/mapdb-split.md): each first takes the kernel
 * memory the database will need (node table, node pages, page table),
 * then lets the database act, then gives back node pages left empty
 * (kernel/space_split_trim.c).  The database's hooks into a space are
 * kernel/space_split.c.
 */
#include <kernel/space.h>
#include <kernel/space_split_int.h>
#include <kernel/mapsplit_int.h>
#include <kernel/frame.h>
#include <kernel/kpf.h>
#include <kernel/kmem_sigma0.h>
#include <arch/arch.h>

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
	uint32_t n = space_node_next(s);     /* the lowest hole, or a new one */

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
	ms_page_init(msp(s), n, page);
	s->node_page_count = space_node_next(s);
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
			 * pool page by page: else X.2's "no memory".
			 * (Every page number of sigma0's has a CID:
			 * SIGMA0_CID_PAGES > MS_MAX_PAGES, space_split_int.h.) */
			if (payer->sigma0 && payer != to &&
			    !kmem_sigma0_has(payer, lent_cid_nth(LENT_KMEM_MAP, payer->ms.pages)))
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
