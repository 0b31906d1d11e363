/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check's rules over one task (kernel/selfcheck_space.h): its
 * kernel pages, its node pages and node tables, its mapping records
 * against their tables, its page tables against its records, its I/O
 * bitmap against its ports' records, and its counts against what it
 * holds.
 * docs/kernel-memory.md, "The self-check", states each rule.
 *
 * Pointers are followed only once the frame table puts them where such
 * a thing may be (a node in a node page, a table in a page lent at its
 * content identifier), so the check reports a damaged structure rather
 * than faults on it.  Every walk is bounded by counts checked before.
 */
#include <kernel/selfcheck_space.h>
#include <kernel/selfcheck_record.h>
#include <kernel/selfcheck_split.h>
#include <kernel/sigma0_high.h>
#include <arch/arch.h>
#include <arch/cachemode.h>

#define MAX_NODE_PAGES (1u << 20)

/* A task's kernel pages, by where they are and kind. */
typedef struct sc_use {
	uint32_t n[SC_SOURCES][KMEM_KINDS];
	uint32_t node_pages;      /* the length of its list of node pages */
	uint32_t hw[RIGHTS_ALL + 1];   /* the rights a node's rights make an entry grant */
	uintptr_t ok_page;        /* the node page found v's last */
	uint32_t low, low_rights; /* the last entry's low bits and its rights */
} sc_use_t;

static uint32_t fail(sc_fault_t *f, uint32_t rule, uint32_t where)
{
	f->rule = rule;
	f->where = where;
	return rule;
}

static const frame_t *frame_at(const sc_env_t *e, uint32_t pa)
{
	uint32_t i = pa >> PAGE_SHIFT;

	return i < e->fv.nframes ? &e->fv.frames[i] : NULL;
}

static bool in_area(uint32_t va, uint32_t base, uint64_t size)
{
	return size && va >= base && (uint64_t)va < (uint64_t)base + size;
}

/* Does the 4 MB stretch of page-directory slot i meet v's KIP or UTCB
 * area?  Only there are the areas looked at, page by page. */
static bool areas_in(const sc_space_t *v, uint32_t i)
{
	uint64_t lo = (uint64_t)i << 22, hi = lo + 0x400000u;

	return (v->kip_size && v->kip_base < hi && v->kip_base + v->kip_size > lo) ||
	       (v->utcb_size && v->utcb_base < hi && v->utcb_base + v->utcb_size > lo);
}

enum sc_source sc_page_source(const sc_env_t *e, const sc_space_t *v, uint32_t pa,
			      unsigned kind, uint32_t cid)
{
	const frame_t *f = frame_at(e, pa);

	if (!f || (pa & ~PAGE_MASK))
		return SC_SRC_BAD;
	if (f->type == FRAME_T_LENT)
		return f->task == v->id && f->cid == cid && f->kind == kind ? SC_SRC_LENT : SC_SRC_BAD;
	if (f->type != FRAME_T_KERNEL)
		return SC_SRC_BAD;
	if (f->kind == FRAME_OWN_POOL && v->pool_ok)
		return SC_SRC_POOL;
	if (f->kind == FRAME_OWN_SIGMA0_RESERVE && v->sigma0 &&
	    (kind == KMEM_PT || kind == KMEM_NT || kind == KMEM_MAP))
		return SC_SRC_RESERVE;
	return SC_SRC_BAD;
}

/* The page at p is v's page of kind at cid: count it. */
static bool held(const sc_env_t *e, const sc_space_t *v, const void *p, uint32_t phys_wanted,
		 unsigned kind, uint32_t cid, sc_use_t *u)
{
	uint32_t pa;

	if (!sc_phys(p, &pa) || (phys_wanted != ~0u && pa != phys_wanted))
		return false;
	enum sc_source src = sc_page_source(e, v, pa, kind, cid);
	if (src == SC_SRC_BAD)
		return false;
	u->n[src][kind]++;
	return true;
}


/* Is v a dying task whose node pages go back (space_reap.c's phase 3)? */
static bool phase3(const sc_space_t *v)
{
	return v->dying && v->reap_cursor >= SC_NODE_PDES * 1024u && v->reap_pde >= SC_NODE_PDES;
}

/* The record, directory, node tables and node pages: each in a page
 * lent to v at its content identifier (or where v may hold it). */
static uint32_t check_pages(const sc_env_t *e, const sc_space_t *v, sc_use_t *u, sc_fault_t *f)
{
	uint32_t pa = 0;

	if (!held(e, v, v->self, ~0u, KMEM_TASK, LENT_CID_TASK, u))
		return fail(f, LENT_SC_RECORD, sc_phys(v->self, &pa) ? pa : 0);
	if (v->pdir && !held(e, v, v->pdir, v->pdir_phys, KMEM_PDIR, LENT_CID_PDIR, u))
		return fail(f, LENT_SC_KPAGE, LENT_CID_PDIR);
	for (uint32_t i = 0; i < SC_NODE_PDES; i++)
		if (v->node_table[i] &&
		    !held(e, v, v->node_table[i], ~0u, KMEM_NT, lent_cid_nt(i << 22), u))
			return fail(f, LENT_SC_KPAGE, lent_cid_nt(i << 22));
	/* sigma0's node tables of its keys from 3 GB up (kernel/sigma0_high.h);
	 * their records are no pages of its space, and no slot walk sees them. */
	for (uint32_t i = 0; v->high_tables && i < S0_HIGH_SLOTS; i++)
		if (v->high_tables[i] && !held(e, v, v->high_tables[i], ~0u, KMEM_NT,
					       lent_cid_nt((S0_HIGH_SLOT + i) << 22), u))
			return fail(f, LENT_SC_KPAGE, lent_cid_nt((S0_HIGH_SLOT + i) << 22));
	/* Node pages: page n at n's content identifier (or the pool's or
	 * the boot reserve's, then in the index, whose pages count too),
	 * its header naming it and v (references are made from it). */
	uint32_t len = v->node_page_count;
	for (uint32_t n = 0; n < len; n++) {
		const void *p = sc_node_page(v->self, n);
		if (!p && sc_node_page_away(v->self, n))
			continue;              /* its kpager took it back */
		if (!p || !held(e, v, p, ~0u, KMEM_MAP, (uint32_t)lent_cid_nth(LENT_KMEM_MAP, n), u) ||
		    ((const ms_hdr_t *)p)->page != n || ((const ms_hdr_t *)p)->task != v->id)
			return fail(f, LENT_SC_NODE_PAGES, n);
	}
	for (uint32_t i = 0; i <= 1024; i++) {
		const void *p = sc_index_page(v->self, i);
		if (p && !held(e, v, p, ~0u, KMEM_MAP, 0, u))
			return fail(f, LENT_SC_NODE_PAGES, len + i);
		if (!p && i == 0)
			break;
	}
	u->node_pages = len;
	return 0;
}

/* A record the database finds at va (n: never NULL, and
 * no pointer to check), with rights, not in the areas, a frame that is
 * not the kernel's, its chain and its list of parts (the rest of the split
 * database's rules are kernel/mapsplit.c's invariants, checked by its
 * host tests). */
static uint32_t check_node(const sc_env_t *e, const sc_space_t *v, const mapnode_t *n,
			   uint32_t va, bool areas, sc_use_t *u, const frame_t **frp,
			   sc_fault_t *f)
{
	const frame_t *fr = NULL;

	(void)u;
	if (areas && (in_area(va, v->kip_base, v->kip_size) || in_area(va, v->utcb_base, v->utcb_size)))
		return fail(f, LENT_SC_NODE_SLOT, va);
	if (!mapnode_rights(n) || (mapnode_rights(n) & ~RIGHTS_ALL))
		return fail(f, LENT_SC_NODE_RIGHTS, va);
	if ((n->rec.flags & MS_F_ROOT) && !v->sigma0)
		return fail(f, LENT_SC_NODE_ROOT, va);
	if ((n->rec.flags & MS_F_RESOLVED) &&
	    (io_va_is(va) ? mapnode_phys(n) != va :
	     (mapnode_phys(n) & ~PAGE_MASK) ||
	     ((fr = frame_at(e, mapnode_phys(n))) && fr->type == FRAME_T_KERNEL)))
		return fail(f, LENT_SC_NODE_FRAME, va);
	*frp = io_va_is(va) ? NULL : fr;
	return sc_split_record(v, n, va, f);
}

static uint32_t check_free(const sc_env_t *e, const sc_space_t *v, uint32_t len,
			   uint32_t nodes, sc_fault_t *f)
{
	(void)e; (void)nodes;
	return sc_split_free(v, len, phase3(v), f);
}

/* The node page a walk over v's tables read last. */
typedef struct sc_page_seen {
	uint32_t n;
	const ms_ent_t *page;
} sc_page_seen_t;

/* The record v's table entry ref names at va, as the database's lookup
 * finds it (kernel/selfcheck_record.h); the page is asked of the hook
 * once for a run of entries naming one page (sigma0's roots fill their
 * pages in address order). */
static const mapnode_t *record_of(const sc_space_t *v, uint32_t ref, uint32_t va,
				  sc_page_seen_t *seen)
{
	if (MS_REF_PAGE(ref) != seen->n) {
		seen->n = MS_REF_PAGE(ref);
		seen->page = sc_node_page(v->self, seen->n);
	}
	return (const mapnode_t *)sc_ref_record(seen->page, ref, va);
}

/* One present translation at va: the KIP, a UTCB page of v's, or a page
 * of user memory its node grants at least as much of. */
static uint32_t check_pte(const sc_env_t *e, const sc_space_t *v, uint32_t va, uint32_t phys,
			  uint32_t rights, const mapnode_t *n, const frame_t *nfr, bool areas,
			  sc_use_t *u, sc_fault_t *f)
{
	if (areas && in_area(va, v->kip_base, v->kip_size))
		return phys == e->kip_phys && !(rights & RIGHT_W) ? 0 : fail(f, LENT_SC_PTE_KIP, va);
	if (areas && in_area(va, v->utcb_base, v->utcb_size)) {
		uint32_t cid = (uint32_t)lent_cid_nth(LENT_KMEM_UTCB, (va - v->utcb_base) >> PAGE_SHIFT);
		enum sc_source src = sc_page_source(e, v, phys, KMEM_UTCB, cid);
		if (src == SC_SRC_BAD)
			return fail(f, LENT_SC_PTE_UTCB, va);
		u->n[src][KMEM_UTCB]++;
		return 0;
	}
	if (!n || mapnode_phys(n) != phys)
		return fail(f, LENT_SC_PTE_NODE, va);
	if (!(n->rec.flags & MS_F_RESOLVED))
		return fail(f, LENT_SC_PTE_NODE, va);
	if (rights & ~u->hw[mapnode_rights(n) & RIGHTS_ALL])
		return fail(f, LENT_SC_PTE_RIGHTS, va);
	/* The node's frame is the entry's: its frame-table entry is known. */
	if (nfr && (nfr->type == FRAME_T_LENT || nfr->type == FRAME_T_KERNEL))
		return fail(f, LENT_SC_PTE_KFRAME, va);
	return 0;
}

/* The rights of a present entry: they depend on its low bits alone, and
 * nearly all entries of a table have the same ones. */
static uint32_t entry_rights(sc_use_t *u, uint32_t entry)
{
	if ((entry & ~PAGE_MASK) != u->low) {
		u->low = entry & ~PAGE_MASK;
		u->low_rights = arch_pte_rights(u->low);
	}
	return u->low_rights;
}

/* v's node tables and page tables, 4 MB at a time (a dying task's
 * first reap_pde page tables are gone already): each node, then the
 * translation at its address.  The nodes' number into *nodes. */
static uint32_t check_slots(const sc_env_t *e, const sc_space_t *v, sc_use_t *u,
			    uint32_t *nodes, sc_fault_t *f)
{
	uint32_t pt, r;
	sc_page_seen_t seen = { .n = ~0u };

	for (uint32_t i = 0; i < SC_NODE_PDES; i++) {
		const mapslot_t *nt = v->node_table[i];
		const uint32_t *pte = NULL;
		if (i < SC_USER_PDES && v->pdir && !(v->dying && i < v->reap_pde)) {
			uint32_t cid = (uint32_t)lent_cid_pt(i << 22);
			if (!sc_pde(v->pdir, i, &pt))
				return fail(f, LENT_SC_KPAGE, cid);
			if (pt && !held(e, v, sc_virt(pt), pt, KMEM_PT, cid, u))
				return fail(f, LENT_SC_KPAGE, cid);
			pte = pt ? sc_virt(pt) : NULL;
		}
		if (!nt && !pte)
			continue;
		bool areas = areas_in(v, i);
		for (uint32_t j = 0; j < 1024; j++) {
			/* An entry naming no record (its page away, or a table
			 * its kpager edited) is nothing mapped: the database
			 * counts an entry only where it names a record of that
			 * address (docs/mapdb-split.md, "Import node table"). */
			const mapnode_t *n = nt && nt[j] ? record_of(v, nt[j], i << 22 | j << 12, &seen) :
					     NULL;
			const frame_t *nfr = NULL;
			uint32_t va = i << 22 | j << 12;
			if (n) {
				if ((r = check_node(e, v, n, va, areas, u, &nfr, f)))
					return r;
				++*nodes;
			}
			if (pte && arch_pte_present(pte[j]) &&
			    (r = check_pte(e, v, va, arch_pte_phys(pte[j]), entry_rights(u, pte[j]),
					   n, nfr, areas, u, f)))
				return r;
			/* A mapping's translation has its memory type. */
			if (n && pte && arch_pte_present(pte[j]) &&
			    arch_pte_cache(pte[j]) != cachemode_of_type(n->rec.attr & MS_ATTR_TYPE))
				return fail(f, LENT_SC_PTE_TYPE, va);
		}
	}
	if (*nodes != v->mapped_pages)
		return fail(f, LENT_SC_NODE_COUNT, *nodes);
	return 0;
}

static bool port_node(const sc_space_t *v, const mapslot_t *nt, uint32_t port)
{
	return sc_split_port(v, nt, port);
}

/* The I/O bitmap: its pages, and a port allowed only where the port's
 * page has a node.  A node whose port the bitmap denies is legal, as a
 * node without a translation is: the bitmap is rebuilt from the nodes
 * after a kpager took it back. */
static uint32_t check_io(const sc_env_t *e, const sc_space_t *v, sc_use_t *u, sc_fault_t *f)
{
	for (uint32_t k = 0; k < IO_BITMAP_PAGES; k++) {
		const uint8_t *bm = v->io_bitmap[k];
		uint32_t cid = (uint32_t)lent_cid_pt((IO_BITMAP_PT_SLOT + k) << 22);
		if (bm && !held(e, v, bm, v->io_bitmap_phys[k], KMEM_PT, cid, u))
			return fail(f, LENT_SC_KPAGE, cid);
		/* No bitmap: every port of its half denied. */
		for (uint32_t port = k * IO_PORTS_PER_BITMAP_PAGE;
		     bm && port < (k + 1) * IO_PORTS_PER_BITMAP_PAGE; port++) {
			const mapslot_t *nt = v->node_table[io_va(port) >> 22];
			if (iobm_allowed(bm, port) && !port_node(v, nt, port))
				return fail(f, LENT_SC_IO_BITMAP, port);
		}
	}
	return 0;
}

/* Is the frame pa, lent to v at the index-th content identifier of
 * kind, one v uses? */
static bool in_use(const sc_space_t *v, unsigned kind, uint32_t index, uint32_t pa,
		   uint32_t len)
{
	uint32_t got;

	switch (kind) {
	case KMEM_TASK:
		return true;
	case KMEM_PDIR:
		return v->pdir && v->pdir_phys == pa;
	case KMEM_PT:
		if (index >= IO_BITMAP_PT_SLOT && index < IO_BITMAP_PT_SLOT + IO_BITMAP_PAGES)
			return v->io_bitmap[index - IO_BITMAP_PT_SLOT] &&
			       v->io_bitmap_phys[index - IO_BITMAP_PT_SLOT] == pa;
		return index < SC_USER_PDES && v->pdir && !(v->dying && index < v->reap_pde) &&
		       sc_pde(v->pdir, index, &got) && got == pa;
	case KMEM_NT:
		return index < SC_NODE_PDES && v->node_table[index] &&
		       sc_phys(v->node_table[index], &got) && got == pa;
	case KMEM_MAP:
		/* Not a hole's number: a frame lent for a hole and not yet
		 * made a node page is gathered (sc_node_page finds none). */
		return index < len && sc_node_page(v->self, index);
	case KMEM_TCB:
		return index < SC_TCB_PAGES && (v->tcb_lent_map[index / 32] >> (index % 32) & 1);
	default: {     /* KMEM_UTCB: mapped at its address */
		uint32_t va = v->utcb_base + (index << PAGE_SHIFT);
		if (!v->pdir || (uint64_t)index << PAGE_SHIFT >= v->utcb_size ||
		    !sc_pde(v->pdir, va >> 22, &got) || !got)
			return false;
		pte_t entry = ((const uint32_t *)sc_virt(got))[(va >> 12) & 1023];
		return arch_pte_present(entry) && arch_pte_phys(entry) == pa;
	}
	}
}

/* Frames lent to v at content identifiers of kind that it does not use:
 * gathered for an operation that has not acted yet. */
static uint32_t spare(const sc_space_t *v, unsigned kind, uint32_t len)
{
	uint32_t pages = kind == KMEM_TASK || kind == KMEM_PDIR ? 1 :
			 kind == KMEM_PT || kind == KMEM_NT ? 1024 : LENT_CID_RANGE_PAGES;
	uint32_t n = 0;

	for (uint32_t i = 0; i < pages; i++) {
		uint32_t cid = kind == KMEM_TASK ? LENT_CID_TASK : kind == KMEM_PDIR ? LENT_CID_PDIR :
			       kind == KMEM_PT ? (uint32_t)lent_cid_pt(i << 22) :
			       kind == KMEM_NT ? (uint32_t)lent_cid_nt(i << 22) :
			       (uint32_t)lent_cid_nth(kind, i);
		uint32_t pa = frame_find(v->id, cid);
		if (pa && !in_use(v, kind, i, pa, len))
			n++;
	}
	return n;
}

/* v's pages of each kind: what it is charged is what it holds, and the
 * frames lent to it beyond what it uses are gathered ones. */
static uint32_t check_account(const sc_space_t *v, sc_use_t *u, sc_sums_t *sum, sc_fault_t *f)
{
	uint32_t tcb_lent = 0, lent = 0;

	for (uint32_t w = 0; w < SC_TCB_PAGES / 32; w++)
		for (uint32_t bits = v->tcb_lent_map[w]; bits; bits &= bits - 1)
			tcb_lent++;
	u->n[SC_SRC_LENT][KMEM_TCB] += tcb_lent;
	u->n[SC_SRC_POOL][KMEM_TCB] += v->tcb_pool;
	for (unsigned k = 0; k < KMEM_KINDS; k++) {
		uint32_t has = u->n[SC_SRC_LENT][k] + u->n[SC_SRC_POOL][k] + u->n[SC_SRC_RESERVE][k];
		uint32_t extra = 0;
		if (k != KMEM_KERNEL && v->kmem[k] > has && !v->sigma0)
			extra = spare(v, k, u->node_pages);
		if (v->kmem[k] != has + extra)
			return fail(f, LENT_SC_ACCOUNT, k);
		lent += u->n[SC_SRC_LENT][k] + extra;
		sum->pool += u->n[SC_SRC_POOL][k];
		sum->reserve += u->n[SC_SRC_RESERVE][k];
	}
	/* Its lent count (KmemControl STATS): sigma0's frames are its
	 * store's, which no kpager lent. */
	if (v->lent != (v->sigma0 ? 0 : lent))
		return fail(f, LENT_SC_ACCOUNT, KMEM_KINDS);
	sum->lent += lent;
	/* Its reserve: a frame at each of its first `ahead` slots. */
	for (uint32_t n = 0; n < v->ahead; n++) {
		uint32_t pa = n < LENT_KAHEAD_MAX ? frame_find(v->id, SC_AHEAD_CID(n)) : 0;
		unsigned kind;
		if (!pa || !frame_lent_to(pa, NULL, NULL, &kind) || kind != SC_AHEAD_KIND)
			return fail(f, LENT_SC_ACCOUNT, SC_AHEAD_CID(n));
	}
	sum->ahead += v->ahead;
	return 0;
}

uint32_t sc_check_space(const sc_env_t *e, const sc_space_t *v, sc_sums_t *sum, sc_fault_t *f)
{
	sc_use_t u = { 0 };
	uint32_t nodes = 0, r;

	/* What a translation made for each node's rights would grant. */
	for (uint32_t k = 0; k <= RIGHTS_ALL; k++)
		u.hw[k] = arch_pte_rights(arch_pte_make(0, k));
	u.low = ~0u;

	if ((r = check_pages(e, v, &u, f)) || (r = check_slots(e, v, &u, &nodes, f)) ||
	    (r = check_free(e, v, u.node_pages, nodes, f)) || (r = check_io(e, v, &u, f)) ||
	    (r = check_account(v, &u, sum, f)))
		return r;
	sum->nodes += nodes;
	return 0;
}

/* A record is found only where its table names it, and
 * nothing links records by pointer: each resolved record's chain to its
 * parent is checked with the record (rule 40, kernel/selfcheck_split.c). */
uint32_t sc_check_tree(const sc_env_t *e, const sc_space_t *s0, uint32_t nodes, sc_fault_t *f)
{
	(void)e; (void)s0; (void)nodes; (void)f;
	return 0;
}
