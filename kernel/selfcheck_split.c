/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check's rules over the split database's own
 * links (kernel/selfcheck_split.h; docs/mapdb-split.md, "Invariants" and
 * "Self-check").  Entries are read only through sc_node_page(), which
 * gives present node pages of a live task; every walk is bounded by the
 * entries there are.
 */
#include <kernel/selfcheck_split.h>

#include <kernel/mapsplit_int.h>
#include <kernel/selfcheck_record.h>

static uint32_t fail(sc_fault_t *f, uint32_t rule, uint32_t where)
{
	f->rule = rule;
	f->where = where;
	return rule;
}

/* The entry at local reference ref of the task whose record is space,
 * or NULL (none, or its page absent). */
static const ms_ent_t *entry_at(const void *space, uint32_t ref)
{
	uint32_t k = MS_REF_ENT(ref);
	const ms_ent_t *p = k && k < MS_ENTS ? sc_node_page(space, MS_REF_PAGE(ref)) : NULL;

	return p ? &p[k] : NULL;
}

/* A resolved record (not a root) hangs from its parent's live part of
 * their edge, which its hint names, and that part's owner, its parent,
 * is resolved, with the same frame and at least its rights (I1: what
 * makes its translation one its parent could give). */
static uint32_t check_chain(const sc_space_t *v, const mapnode_t *n, uint32_t va, sc_fault_t *f)
{
	const void *ps;
	const ms_ent_t *pp, *o;

	if (!(n->rec.flags & MS_F_RESOLVED) || (n->rec.flags & MS_F_ROOT))
		return 0;
	if (!(ps = sc_task(n->rec.task)) || !(pp = entry_at(ps, n->rec.k.rec.hint)) ||
	    pp->kind != MS_PART || !(pp->flags & MS_F_LIVE) || pp->task != v->id ||
	    pp->pvaddr != va || pp->gen != n->rec.gen || !(o = entry_at(ps, pp->k.part.owner)) ||
	    o->kind != MS_REC || !(o->flags & MS_F_RESOLVED) || o->vaddr != n->rec.pvaddr)
		return fail(f, LENT_SC_NODE_TREE, va);
	if (o->k.rec.phys != mapnode_phys(n))
		return fail(f, LENT_SC_NODE_FRAME, va);
	if (mapnode_rights(n) & ~o->rights)
		return fail(f, LENT_SC_NODE_RIGHTS, va);
	return 0;
}

/* The record n's list of sender parts (docs/mapdb-split.md, I2): each
 * member present, a part attached to n, of n's page and epoch, linked
 * both ways, the live ones first; bounded by v's entries. */
static uint32_t check_parts(const sc_space_t *v, const mapnode_t *n, uint32_t va, sc_fault_t *f)
{
	uint32_t head = n->rec.k.rec.head, r = head, self = ms_ref_of(&n->rec), count = 0;
	uint32_t max = v->node_page_count * (MS_ENTS - 1);
	bool live = true;

	if (!head)
		return 0;
	do {
		const ms_ent_t *p = entry_at(v->self, r), *next;
		if (++count > max || !p || p->kind != MS_PART || !(p->flags & MS_F_ATTACHED) ||
		    p->k.part.owner != self || p->vaddr != va || p->egen != n->rec.egen ||
		    ((p->flags & MS_F_LIVE) && !live) || !(next = entry_at(v->self, p->k.part.next)) ||
		    next->k.part.prev != r)
			return fail(f, LENT_SC_NODE_LINKS, va);
		live = (p->flags & MS_F_LIVE) != 0;
		r = p->k.part.next;
	} while (r != head);
	return 0;
}

uint32_t sc_split_record(const sc_space_t *v, const mapnode_t *n, uint32_t va, sc_fault_t *f)
{
	uint32_t r = check_chain(v, n, va, f);

	return r ? r : check_parts(v, n, va, f);
}

/*
 * Access bits (docs/mapdb-split.md, "Access bits and memory type"): a
 * record's byte 3 holds its type, kept bits and own bits, nothing more;
 * a part's is 0; and a record no node table finds (its table away, or
 * naming another) keeps no bits for others' Unmaps: they went up when
 * it became unfindable, and it keeps its own bits alone.  sigma0's pages
 * are passed over: they never go, and they are most of the entries; so
 * are a dying task's, whose tables go back while its records do.
 */
static uint32_t check_bits(const sc_space_t *v, uint32_t n, const ms_ent_t *p, sc_fault_t *f)
{
	if (v->sigma0 || v->dying)
		return 0;
	for (uint32_t k = 1; k < MS_ENTS; k++) {
		const ms_ent_t *e = &p[k];
		uint32_t slot = e->vaddr >> 22;
		const mapslot_t *nt = slot < SC_NODE_PDES ? v->node_table[slot] : NULL;

		if (e->kind == MS_PART && e->attr)
			return fail(f, LENT_SC_NODE_BITS, e->vaddr);
		if (e->kind != MS_REC)
			continue;
		if (e->attr & ~(MS_ATTR_TYPE | MS_ATTR_BITS | MS_ATTR_OWN))
			return fail(f, LENT_SC_NODE_BITS, e->vaddr);
		if ((e->attr & MS_ATTR_BITS) &&
		    (!nt || nt[(e->vaddr >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] != MS_REF(n, k)))
			return fail(f, LENT_SC_NODE_BITS, e->vaddr);
	}
	return 0;
}

/* Each present node page's free entries: its list from its header, as
 * long as the header's count, each a free entry of the page; with every
 * page's, the task's count (not while its node pages go back at its
 * teardown: space_nodes_free zeroes the count first).  A walk is
 * bounded by the page's entries. */
uint32_t sc_split_free(const sc_space_t *v, uint32_t len, bool teardown, sc_fault_t *f)
{
	uint32_t sum = 0;

	for (uint32_t n = 0; n < len; n++) {
		const ms_ent_t *p = sc_node_page(v->self, n);
		uint32_t count = 0;
		if (!p)
			continue;
		for (uint32_t k = p[0].k.hdr.free_head; k; k = p[k].k.free.next)
			if (++count > p[0].k.hdr.nfree || count >= MS_ENTS || k >= MS_ENTS ||
			    p[k].kind != MS_FREE)
				return fail(f, LENT_SC_FREE_NODES, n);
		if (count != p[0].k.hdr.nfree)
			return fail(f, LENT_SC_FREE_NODES, n);
		uint32_t r = check_bits(v, n, p, f);
		if (r)
			return r;
		sum += count;
	}
	if (sum != v->free_entries && !teardown)
		return fail(f, LENT_SC_FREE_NODES, sum);
	return 0;
}

bool sc_split_port(const sc_space_t *v, const mapslot_t *nt, uint32_t port)
{
	uint32_t ref = nt ? nt[port & 1023u] : 0;
	const ms_ent_t *page = ref ? sc_node_page(v->self, MS_REF_PAGE(ref)) : NULL;
	const ms_ent_t *r = sc_ref_record(page, ref, io_va(port));

	return r && (r->flags & MS_F_RESOLVED);
}
