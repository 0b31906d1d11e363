/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map, grant, roots and resolve in the split mapping database
 * (kernel/mapsplit.h, docs/mapdb-split.md).  Each operation checks
 * everything that can fail first (absent tables and pages, free
 * entries, cycles) and only then acts.
 */
#include <kernel/mapsplit_int.h>
#include <kernel/string.h>

/* Table and record at va in s, for a record to be put there: the
 * table must be present, and a record already there too. */
static int dest_check(ms_space_t *s, uint32_t va, ms_ent_t **old, ms_need_t *need)
{
	if (!ms_va_ok(s, va))
		return MS_DENIED;
	return ms_find(s, va, old, need) == MS_NEED ? MS_NEED : MS_OK;
}

static int no_room(ms_space_t *s, uint32_t count, ms_need_t *need)
{
	*need = (ms_need_t){ .task = s->id, .kind = MS_NEED_ENTRY, .index = count };
	return MS_NOMEM;
}

/* Put rec into s's node table at va (the table is present). */
static void table_set(ms_space_t *s, uint32_t va, ms_ent_t *rec)
{
	ms_table(s, va >> 22)[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] = ms_ref_of(rec);
}

int ms_root(ms_space_t *s, uint32_t va, uint32_t phys, uint32_t rights, ms_need_t *need)
{
	ms_ent_t *old, *r;
	int err;

	va &= PAGE_MASK;
	rights &= MS_RIGHTS;
	if (!s->sigma0 || !rights)
		return MS_DENIED;
	err = dest_check(s, va, &old, need);
	if (err != MS_OK)
		return err;
	if (ms_free_count(s) < (old ? 0u : 2u))
		return no_room(s, 2, need);
	/* Everything that can fail has been checked: from here on only act. */
	if (old) {
		ms_lender_revoking(s, old);
		ms_delete_tree(s, old);
	}
	r = ms_alloc(s);
	ms_ent_t *room = ms_alloc(s);
	room->kind = MS_RESERVED;
	r->kind = MS_REC;
	r->flags = MS_F_ROOT | MS_F_RESOLVED;
	r->rights = (uint8_t)rights;
	r->vaddr = va;
	r->gen = ms_gen_take();
	r->egen = ms_gen_take();
	r->k.rec.phys = phys & PAGE_MASK;
	r->k.rec.spare = ms_ref_of(room);
	table_set(s, va, r);
	ms_pte_set(s, va, r->k.rec.phys, rights, 0);
	return MS_OK;
}

/* Is (t, va) the record src or one of its ancestors?  src is resolved,
 * so its whole chain is present and each hint names the way up (I1). */
static bool on_chain(ms_space_t *s, ms_ent_t *src, ms_space_t *t, uint32_t va)
{
	ms_space_t *cs = s;
	ms_ent_t *cur = src;

	while (cur) {
		if (cs == t && cur->vaddr == va)
			return true;
		if (cur->flags & MS_F_ROOT)
			return false;
		ms_space_t *ps = ms_space(cur->task);
		ms_ent_t *pp = ms_ent(ps, cur->k.rec.hint);
		if (!pp)
			return false;
		cur = ms_ent(ps, pp->k.part.owner);
		cs = ps;
	}
	return false;
}

/* A new part in s under owner for the edge to (tid, va) with gen. */
static ms_ent_t *part_make(ms_space_t *s, ms_ent_t *owner, uint32_t tid, uint32_t va,
			   uint32_t rights, uint64_t gen, bool live)
{
	ms_ent_t *p = (owner->flags & MS_F_ROOT) ? ms_ent(s, owner->k.rec.spare) : NULL;

	if (p) {
		owner->k.rec.spare = 0;          /* the root's room, made at boot */
		memset(p, 0, sizeof(*p));
	} else {
		p = ms_alloc(s);
	}

	p->kind = MS_PART;
	p->rights = (uint8_t)rights;
	p->flags = (uint8_t)(MS_F_ATTACHED | (live ? MS_F_LIVE : 0));
	p->vaddr = owner->vaddr;
	p->task = tid;
	p->pvaddr = va;
	p->gen = gen;
	p->egen = owner->egen;
	p->k.part.owner = ms_ref_of(owner);
	ms_list_add(s, &owner->k.rec.head, p, live);
	return p;
}

/* A new resolved record at t:va under the part pp (in ps), with memory
 * type (and kept access bits) attr: a derived mapping takes its
 * source's type (X.2 MemoryControl; docs/mapdb-split.md). */
static ms_ent_t *rec_make(ms_space_t *t, uint32_t va, uint32_t ptask, uint32_t pva,
			  uint32_t rights, uint64_t gen, uint32_t phys, uint8_t attr)
{
	ms_ent_t *r = ms_alloc(t);

	r->kind = MS_REC;
	r->flags = MS_F_RESOLVED;
	r->rights = (uint8_t)rights;
	r->vaddr = va;
	r->task = ptask;
	r->pvaddr = pva;
	r->gen = gen;
	r->egen = ms_gen_take();
	r->k.rec.phys = phys;
	r->attr = attr;
	table_set(t, va, r);
	ms_pte_set(t, va, phys, rights, ms_type(r));
	return r;
}

/* Widen old (already derived from src through its part) up to eff.
 * What was derived from old keeps its rights: old's epoch changes, so
 * its absent parts (with rights from before a narrowing) are stale. */
static int widen(ms_space_t *t, ms_ent_t *old, ms_ent_t *part, uint32_t eff)
{
	uint32_t wide = old->rights | eff;

	if (wide != old->rights) {
		ms_epoch_renew(t, old);
		old->rights = (uint8_t)wide;
		part->rights |= (uint8_t)eff;
	}
	/* The translation made anew would lose its access bits: the
	 * record keeps them for the next Unmap. */
	if (old->flags & MS_F_RESOLVED) {
		ms_bits_keep(old, ms_pte_clear(t, old->vaddr));
		ms_pte_set(t, old->vaddr, old->k.rec.phys, old->rights, ms_type(old));
	}
	return MS_OK;
}

/* Grant: the new record t:va takes src's place under src's parent with
 * src's edge generation (generations stay increasing downwards, I3);
 * src's present children move under it, keeping theirs.  Children whose
 * receiver part is absent are left behind: they fail their check when
 * they come back.  Then src goes (narrowed: what hung below it already
 * lost the rights not granted, in ms_map_steps). */
static void grant_act(ms_space_t *s, ms_ent_t *src, ms_space_t *t, uint32_t va, uint32_t eff,
		      bool narrowed)
{
	ms_space_t *ct;
	ms_ent_t *pp = ms_ent(ms_space(src->task), src->k.rec.hint);
	uint32_t src_rights = src->rights;

	/* The granted mapping moves with its type and its access bits, those
	 * of src's translation too. */
	ms_bits_keep(src, ms_pte_clear(s, src->vaddr));
	ms_ent_t *n = rec_make(t, va, src->task, src->pvaddr, eff, src->gen, src->k.rec.phys,
			       src->attr);
	n->k.rec.hint = ms_ref_of(pp);
	pp->task = t->id;
	pp->pvaddr = va;
	pp->rights = (uint8_t)eff;
	while (src->k.rec.head) {
		ms_ent_t *q = ms_ent(s, src->k.rec.head);
		ms_ent_t *c = ms_child(s, src, q, &ct);

		if (c) {
			bool live = (q->flags & MS_F_LIVE) != 0;
			ms_ent_t *q2 = part_make(t, n, ct->id, c->vaddr, q->rights & eff, c->gen, live);

			c->task = t->id;
			c->pvaddr = va;
			if (live)
				c->k.rec.hint = ms_ref_of(q2);
		}
		ms_part_delete(s, q);
	}
	src->flags &= (uint8_t)~MS_F_RESOLVED;
	uint32_t *table = ms_table(s, src->vaddr >> 22);
	if (table)
		table[(src->vaddr >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] = 0;
	ms_free(s, src);
	if (eff != src_rights && !narrowed)
		ms_narrow_below(t, n, src_rights & ~eff);
}

static uint32_t attached_count(ms_space_t *s, ms_ent_t *r)
{
	uint32_t count = 0, first = r->k.rec.head;

	for (ms_ent_t *p = ms_ent(s, first); p; p = p->k.part.next == first ? NULL :
	     ms_ent(s, p->k.part.next))
		count++;
	return count;
}

int ms_map(ms_space_t *s, uint32_t fva, ms_space_t *t, uint32_t tva, uint32_t rights,
	   bool grant, ms_need_t *need)
{
	return ms_map_part(s, fva, t, tva, rights, grant, false, need);
}

int ms_map_part(ms_space_t *s, uint32_t fva, ms_space_t *t, uint32_t tva, uint32_t rights,
		bool grant, bool may_stop, ms_need_t *need)
{
	ms_ent_t *src, *old;
	int err;

	fva &= PAGE_MASK;
	tva &= PAGE_MASK;
	err = ms_find(s, fva, &src, need);
	if (err == MS_NONE)
		return MS_OK;                  /* nothing to send: silently nothing */
	if (err != MS_OK)
		return err;
	/* In this order: an unresolved source, or no rights to give, before
	 * anything about the destination. */
	if (!(src->flags & MS_F_RESOLVED))
		return MS_UNRESOLVED;
	if (!(rights & src->rights & MS_RIGHTS))
		return MS_OK;
	err = dest_check(t, tva, &old, need);
	if (err != MS_OK)
		return err;
	return ms_map_found(s, src, t, tva, old, rights, grant, may_stop, need);
}

int ms_map_found(ms_space_t *s, ms_ent_t *src, ms_space_t *t, uint32_t tva, ms_ent_t *old,
		 uint32_t rights, bool grant, bool may_stop, ms_need_t *need)
{
	ms_ent_t *part = NULL;
	uint32_t fva = src->vaddr, eff, room_t, room_s;
	int err;

	if (!(src->flags & MS_F_RESOLVED))
		return MS_UNRESOLVED;
	eff = rights & src->rights & MS_RIGHTS;
	if (!eff)
		return MS_OK;
	if (src->flags & MS_F_ROOT)
		grant = false;                 /* sigma0 keeps its roots */
	/* Only a record that is there can be on the source's chain, and
	 * every record on it is resolved with the source's frame (I1): the
	 * walk up, as long as the chain, is for those alone. */
	if (old && (old->flags & MS_F_RESOLVED) && old->k.rec.phys == src->k.rec.phys &&
	    on_chain(s, src, t, tva))
		return MS_CYCLE;
	if (old && !grant && old->task == s->id && old->pvaddr == fva &&
	    (part = ms_part_find(s, src, t->id, tva, old->gen)) != NULL)
		return widen(t, old, part, eff);

	/* Room: a record in t, and a part in s (map) or one in t for each
	 * child that moves (grant); old's entry is reused. */
	room_t = (old ? 0 : 1) + (grant ? attached_count(s, src) : 0);
	room_s = grant || ((src->flags & MS_F_ROOT) && src->k.rec.spare) ? 0 : 1;
	if (s == t) {
		if (ms_free_count(t) < room_t + room_s)
			return no_room(t, room_t + room_s, need);
	} else {
		if (ms_free_count(t) < room_t)
			return no_room(t, room_t, need);
		if (ms_free_count(s) < room_s)
			return no_room(s, room_s, need);
	}

	/* Long walks in steps first, where there are any: they only free
	 * entries and narrow. */
	if (may_stop && ((old && old->k.rec.head) || (grant && eff != src->rights)) &&
	    (err = ms_map_steps(s, src, t, tva, &old, eff, grant)) != MS_OK)
		return err;

	/* Nothing below can fail.  A lender's page that goes, or a grant
	 * that takes read or write from below its source, takes back first
	 * what the kernel holds of it. */
	if (old) {
		ms_lender_revoking(t, old);
		ms_delete_tree(t, old);
	}
	if (grant && ((src->rights & ~eff) & (MS_RIGHT_R | MS_RIGHT_W)))
		ms_lender_revoking(s, src);
	if (grant) {
		grant_act(s, src, t, tva, eff, may_stop);
		return MS_OK;
	}
	uint64_t gen = ms_gen_take();
	ms_ent_t *p = part_make(s, src, t->id, tva, eff, gen, true);
	ms_ent_t *n = rec_make(t, tva, s->id, fva, eff, gen, src->k.rec.phys,
			       (uint8_t)ms_type(src));
	n->k.rec.hint = ms_ref_of(p);
	return MS_OK;
}

/* ---- resolve ---- */

/* The first absent node page of s, if any. */
static bool absent_page(ms_space_t *s, uint32_t *n)
{
	for (uint32_t i = 0; i < s->pages; i++)
		if (!ms_page(s, i)) {
			*n = i;
			return true;
		}
	return false;
}

/*
 * One try: walk up from r, confirming each edge, to a resolved record
 * or a root, leaving in each unresolved record on the way its way down
 * (k.rec.spare); then walk down, resolving.  Returns MS_OK, MS_NEED, or
 * MS_NONE with *dead (in *ds) the record whose edge failed.
 */
static int resolve_try(ms_space_t *t, ms_ent_t *r, ms_need_t *need, ms_space_t **ds,
		       ms_ent_t **dead)
{
	ms_space_t *cs = t, *ps = NULL;
	ms_ent_t *cur = r, *pr, *part = NULL;
	uint32_t n;
	int err;

	*ds = t;
	*dead = r;
	/* Roots stay resolved: the walk ends at one at the latest. */
	while (!(cur->flags & (MS_F_RESOLVED | MS_F_ROOT))) {
		*ds = cs;
		*dead = cur;
		ps = ms_space(cur->task);
		if (!ps)
			return MS_NONE;         /* the parent task is gone */
		err = ms_find(ps, cur->pvaddr, &pr, need);
		if (err != MS_OK)
			return err;
		if (pr->gen >= cur->gen)
			return MS_NONE;
		part = ms_part_find(ps, pr, cs->id, cur->vaddr, cur->gen);
		if (!part) {
			if (!absent_page(ps, &n))
				return MS_NONE;
			*need = (ms_need_t){ .task = ps->id, .kind = MS_NEED_PAGE, .index = n };
			return MS_NEED;
		}
		if (pr->flags & MS_F_RESOLVED)
			break;
		ms_changes++;                   /* a way down: a stopped walk's is void */
		pr->k.rec.spare = ms_ref_of(part);
		cs = ps;
		cur = pr;
	}
	/* Down from the resolved record above, one edge at a time. */
	while (part) {
		ms_space_t *ct;
		ms_ent_t *owner = ms_ent(ps, part->k.part.owner);
		ms_ent_t *c = ms_child(ps, owner, part, &ct);

		if (!c)
			return MS_NONE;         /* cannot be: checked on the way up */
		uint32_t rights = c->rights & part->rights & owner->rights;

		if (!rights) {
			*ds = ct;
			*dead = c;
			return MS_NONE;
		}
		ms_ent_t *down = c == r ? NULL : ms_ent(ct, c->k.rec.spare);
		c->rights = (uint8_t)rights;
		c->k.rec.phys = owner->k.rec.phys;
		c->k.rec.hint = ms_ref_of(part);
		c->flags |= MS_F_RESOLVED;
		/* An imported type is one its task could have: its own
		 * (MemoryControl, privileged), or its parent's, taken with
		 * the mapping; else the default. */
		if (c->flags & MS_F_TYPECHECK) {
			if (ms_type(c) != ms_type(owner) && !ms_type_own(ct))
				c->attr &= (uint8_t)~MS_ATTR_TYPE;
			c->flags &= (uint8_t)~MS_F_TYPECHECK;
		}
		if (!(part->flags & MS_F_LIVE)) {
			uint32_t *head = ms_list_of(ps, part);

			ms_list_del(ps, head, part);
			part->flags |= MS_F_LIVE;
			ms_list_add(ps, head, part, true);
		}
		ms_pte_set(ct, c->vaddr, c->k.rec.phys, rights, ms_type(c));
		ps = ct;
		part = down;
	}
	return MS_OK;
}

int ms_resolve(ms_space_t *t, uint32_t va, ms_need_t *need, uint32_t *phys, uint32_t *rights)
{
	for (;;) {
		ms_ent_t *r, *dead;
		ms_space_t *ds;
		int err = ms_find(t, va, &r, need);

		if (err != MS_OK)
			return err;
		err = resolve_try(t, r, need, &ds, &dead);
		if (err == MS_OK) {
			*phys = r->k.rec.phys;
			*rights = r->rights;
			return MS_OK;
		}
		if (err != MS_NONE)
			return err;
		/* A dead edge: its lower record and what hangs below it go;
		 * then try again (r may be gone with it). */
		ms_delete_tree(ds, dead);
	}
}
