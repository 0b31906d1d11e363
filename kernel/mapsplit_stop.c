/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The walks of the split mapping database that remove and narrow what
 * was derived from a mapping (kernel/mapsplit.h, docs/mapdb-split.md,
 * "Preemption points"), and Unmap, which makes them.  Trees may be as
 * deep and wide as their tasks made them, so with may_stop a walk stops
 * at preemption points (ms_stop_due) and the operation is called again.
 *
 * A walk keeps its way back up in the records it went down to (their
 * k.rec.spare names the part above); where it stopped is kept here, in
 * one place for the whole kernel: the kernel has one processor, and any
 * other operation that changes the database between the stop and the
 * call that goes on voids that place.  The
 * place names entries by task id and local reference, and counts only
 * while ms_changes is what it was at the stop: no entry was made or
 * freed, no list changed, no way written, no page or table exported or
 * imported since (by another walk, a map, a resolve, a kpager taking a
 * page back or giving it).  Then every entry it names is the one it was.
 * Otherwise the walk starts again from its top, which gives the same end
 * result: removing what is left and narrowing what is narrowed already
 * change nothing more.  A walk started again for a call that goes on
 * ("eager") does not stop before it has changed something, so that each
 * call makes progress even when every place it kept is voided.
 */
#include <kernel/mapsplit_int.h>
#include <arch/arch.h>

/* Access bits of the translations an Unmap changed or removed: walks add
 * to it, ms_unmap_part() hands it out (at every stop too). */
static uint32_t unmap_access;

/* An Unmap's removal or narrowing, a map's removal below what it
 * replaces, a grant's narrowing below its source, a dead task's removal
 * of what it held (kernel/mapsplit_reap.c). */
enum walk_kind { WALK_NONE, WALK_DELETE, WALK_NARROW, WALK_DELETE_BELOW, WALK_GRANT_NARROW,
		 WALK_REAP };

/* A record a walk works below, and the record it had reached there. */
typedef struct walk_at {
	uint32_t top_id, top;      /* task id, local reference */
	uint32_t at_id, at;        /* 0: not under way */
} walk_at_t;

static struct {
	uint64_t changes;          /* ms_changes when the walk stopped */
	uint8_t kind;              /* enum walk_kind */
	uint8_t revoke;            /* narrow: the rights it takes */
	walk_at_t walk;
	uint32_t next;             /* narrow: the part of walk.at it goes on
	                            * with; 0: back up from walk.at */
	walk_at_t del;             /* narrow: a removal under way below it */
} hint;

/* How a walk may stop: never, at any point, or (eager) only once it has
 * changed something. */
typedef struct walk_ctx {
	bool may_stop, eager, changed;
} walk_ctx_t;

static bool walk_stop(walk_ctx_t *ctx, unsigned cost)
{
	return ctx->may_stop && (!ctx->eager || ctx->changed) && ms_stop_due(cost);
}

/* Does the kept place belong to this walk (kind, top, rights), and is
 * it still where it was? */
static bool hint_holds(uint8_t kind, ms_space_t *s, ms_ent_t *top, uint32_t revoke)
{
	return hint.kind == kind && hint.changes == ms_changes && hint.walk.top_id == s->id &&
	       hint.walk.top == ms_ref_of(top) && hint.revoke == revoke;
}

/* The record a kept place names, or NULL (checked, though with the
 * changes count as it was it cannot be otherwise). */
static ms_ent_t *place_rec(uint32_t id, uint32_t ref, ms_space_t **s)
{
	ms_ent_t *e;

	*s = ms_space(id);
	e = ms_ent(*s, ref);
	return e && e->kind == MS_REC ? e : NULL;
}

/* Keep where a removal of kind stopped. */
static void delete_keep(uint8_t kind, const walk_at_t *place)
{
	hint.kind = kind;
	hint.revoke = 0;
	hint.walk = *place;
	hint.changes = ms_changes;
}

/* Free a childless record: translation, table entry, entry. */
static void rec_free(ms_space_t *s, ms_ent_t *r)
{
	uint32_t *table = ms_table(s, r->vaddr >> 22);
	uint32_t idx = (r->vaddr >> PAGE_SHIFT) & (MS_NT_ENTS - 1);

	if (r->flags & MS_F_RESOLVED)
		unmap_access |= ms_pte_clear(s, r->vaddr);
	unmap_access |= ms_bits_take(r);
	if (table && table[idx] == ms_ref_of(r))
		table[idx] = 0;
	if ((r->flags & MS_F_ROOT) && ms_ent(s, r->k.rec.spare))
		ms_free(s, ms_ent(s, r->k.rec.spare));
	ms_free(s, r);
}

/*
 * Remove everything derived from r, leaves first, then, unless keep_top,
 * r and the part in its parent that leads to it.  A part whose child is absent or does not
 * check out goes alone: the absent receiver part fails its check when it
 * comes back (no partner).  The walk always works at the first leaf
 * reached by going down first parts; place (in/out) is where it had
 * got to: at 0 it starts from r.  False: stopped, place kept.
 */
static bool delete_walk(ms_space_t *s, ms_ent_t *r, bool keep_top, walk_ctx_t *ctx,
			walk_at_t *place)
{
	ms_space_t *cs = s, *ps, *ct;
	ms_ent_t *cur = r, *pp;

	if (place->at && !(cur = place_rec(place->at_id, place->at, &cs))) {
		cs = s;
		cur = r;
	}
	for (;;) {
		ms_ent_t *p = ms_ent(cs, cur->k.rec.head);

		if (p) {
			ms_ent_t *c = ms_child(cs, cur, p, &ct);

			if (!c) {
				/* What it led to, if away, gave its bits to
				 * cur when it went (mapsplit_io.c). */
				ms_part_revoke(cs, p);
				ctx->changed = true;
			} else {
				c->k.rec.spare = ms_ref_of(p);
				cs = ct;
				cur = c;
			}
		} else if (cur == r) {
			break;
		} else {
			ps = ms_space(cur->task);
			pp = ms_ent(ps, cur->k.rec.spare);
			ms_ent_t *owner = ms_ent(ps, pp->k.part.owner);
			rec_free(cs, cur);
			ms_part_delete(ps, pp);
			cs = ps;
			cur = owner;
			ctx->changed = true;
		}
		if (walk_stop(ctx, MS_STEP_COST)) {
			*place = (walk_at_t){ s->id, ms_ref_of(r), cs->id, ms_ref_of(cur) };
			return false;
		}
	}
	if (keep_top)
		return true;
	pp = ms_parent_part(s, r, &ps);
	if (pp)
		ms_part_delete(ps, pp);
	rec_free(s, r);
	return true;
}

/* A removal walk of kind from r that goes on from its kept place while
 * that holds; otherwise from r, eager if eager (then it does not stop
 * before it has changed something).  False: it stopped, its place kept. */
static bool delete_from_kept(uint8_t kind, ms_space_t *s, ms_ent_t *r, bool keep_top,
			     walk_ctx_t *ctx, bool eager)
{
	walk_at_t place = { 0 };

	if (hint_holds(kind, s, r, 0))
		place = hint.walk;
	else
		ctx->eager = eager;
	hint.kind = WALK_NONE;
	if (delete_walk(s, r, keep_top, ctx, &place))
		return true;
	delete_keep(kind, &place);
	return false;
}

void ms_delete_tree(ms_space_t *s, ms_ent_t *r)
{
	walk_ctx_t ctx = { 0 };
	walk_at_t place = { 0 };

	delete_walk(s, r, false, &ctx, &place);
}

/* The part after p in owner's list, or NULL at the end. */
static ms_ent_t *part_next(ms_space_t *s, const ms_ent_t *owner, const ms_ent_t *p)
{
	return p->k.part.next == owner->k.rec.head ? NULL : ms_ent(s, p->k.part.next);
}

static const walk_at_t nowhere;

static void narrow_keep(uint8_t kind, ms_space_t *s, ms_ent_t *r, uint32_t revoke, ms_space_t *cs,
			ms_ent_t *cur, ms_ent_t *p, const walk_at_t *del)
{
	hint.kind = kind;
	hint.revoke = (uint8_t)revoke;
	hint.walk = (walk_at_t){ s->id, ms_ref_of(r), cs->id, ms_ref_of(cur) };
	hint.next = p ? ms_ref_of(p) : 0;
	hint.del = *del;
	hint.changes = ms_changes;
}

/*
 * Pre-order: every part below r loses revoke, and so does the record it
 * leads to; an edge or record left with no rights goes with its subtree.
 * An edge that loses rights while its receiver part is absent is revoked
 * entirely (its part goes; the receiver faults and asks again).  With
 * rights to revoke, r's own parts take a fresh epoch (each time the walk
 * starts from r): r's parts that are absent then are stale when they
 * come back.  Every resolved record on the way gives up its access bits
 * (with nothing to revoke, that is all the walk does).
 * Records below keep theirs; their absent parts are narrowed to the
 * record's rights when they come back (attach, mapsplit_io.c).
 * With resume, it goes on from the kept place (hint_holds()).  False:
 * stopped, place kept (as a walk of kind).
 */
static bool narrow_walk(uint8_t kind, ms_space_t *s, ms_ent_t *r, uint32_t revoke, walk_ctx_t *ctx,
			bool resume)
{
	ms_space_t *cs = s, *ct, *ps;
	ms_ent_t *cur = r, *p = NULL;
	walk_at_t del = { 0 };

	revoke &= MS_RIGHTS;
	if (resume && (cur = place_rec(hint.walk.at_id, hint.walk.at, &cs)) != NULL) {
		p = ms_ent(cs, hint.next);
		del = hint.del;
	} else {
		cs = s;
		cur = r;
		if (revoke)
			ms_epoch_renew(s, r);
		p = ms_ent(s, r->k.rec.head);
	}
	hint.kind = WALK_NONE;
	/* A removal that stopped below cur: its part was p's predecessor. */
	if (del.top) {
		ms_ent_t *d = place_rec(del.top_id, del.top, &ct);

		if (d && !delete_walk(ct, d, false, ctx, &del)) {
			narrow_keep(kind, s, r, revoke, cs, cur, p, &del);
			return false;
		}
	}
	for (;;) {
		if (!p) {
			if (cur == r)
				return true;
			ps = ms_space(cur->task);
			ms_ent_t *up = ms_ent(ps, cur->k.rec.spare);
			cur = ms_ent(ps, up->k.part.owner);
			cs = ps;
			p = part_next(cs, cur, up);
		} else {
			ms_ent_t *next = part_next(cs, cur, p);
			ms_ent_t *c = ms_child(cs, cur, p, &ct);
			uint8_t was = p->rights;
			uint8_t now = (uint8_t)ms_rights_left(was, ~revoke & cur->rights);
			/* What c keeps: w alone is not kept once narrowed. */
			uint8_t c_now = c ? (uint8_t)ms_rights_left(c->rights, now) : 0;

			if (c && !c_now) {
				/* c goes, and p with it.  Both keep their rights
				 * until then: no entry at rest has none (a page
				 * holding one would not come back from its kpager). */
				walk_at_t place = { 0 };

				if (!delete_walk(ct, c, false, ctx, &place)) {
					narrow_keep(kind, s, r, revoke, cs, cur, next, &place);
					return false;
				}
				p = next;
			} else if (c) {
				p->rights = now;
				ctx->changed |= now != was || (c->rights & ~now);
				c->rights = c_now;
				/* An Unmap reports c's bits; a grant's narrowing
				 * leaves them to the next Unmap. */
				uint32_t access = c->flags & MS_F_RESOLVED ?
						  ms_pte_restrict(ct, c->vaddr, c->rights) : 0;
				if (kind == WALK_NARROW)
					unmap_access |= access | ms_bits_take(c);
				else
					ms_bits_keep(c, access);
				c->k.rec.spare = ms_ref_of(p);
				cs = ct;
				cur = c;
				p = ms_ent(cs, c->k.rec.head);
			} else {
				/* Away: its bits are cur's (mapsplit_io.c). */
				p->rights = now;
				if (now != was) {
					ms_part_revoke(cs, p);      /* revoked across an absent part */
					ctx->changed = true;
				}
				p = next;
			}
		}
		if ((p || cur != r) && walk_stop(ctx, MS_STEP_COST)) {
			narrow_keep(kind, s, r, revoke, cs, cur, p, &nowhere);
			return false;
		}
	}
}

void ms_narrow_below(ms_space_t *s, ms_ent_t *r, uint32_t revoke)
{
	walk_ctx_t ctx = { 0 };

	narrow_walk(WALK_NONE, s, r, revoke, &ctx, false);
}

/* ---- unmap ---- */

int ms_unmap_part(ms_space_t *s, uint32_t va, uint32_t rights, bool flush_self, uint32_t *access,
		  bool may_stop, bool resumed, ms_need_t *need)
{
	walk_ctx_t ctx = { .may_stop = may_stop };
	ms_ent_t *r;
	int err = ms_find(s, va, &r, need);
	uint32_t keep;

	if (err == MS_NONE)
		return MS_OK;         /* nothing mapped: nothing to do (X.2) */
	if (err != MS_OK)
		return err;
	/* The bits r's own page or table took away and gave back are for
	 * this Unmap alone (mapsplit_io.c): walks from above reset them. */
	unmap_access = ms_own_take(r);
	rights &= MS_RIGHTS;
	/* Again when going on: the kernel may have taken the frame since. */
	if (rights & (MS_RIGHT_R | MS_RIGHT_W))
		ms_lender_revoking(s, r);
	keep = flush_self ? ms_rights_left(r->rights, ~rights) : r->rights;
	if (!keep) {
		if (!delete_from_kept(WALK_DELETE, s, r, false, &ctx, resumed)) {
			*access |= unmap_access;
			return MS_STOPPED;
		}
		*access |= unmap_access;
		return MS_OK;
	}
	bool resume = hint_holds(WALK_NARROW, s, r, rights);
	ctx.eager = resumed && !resume;
	if (!narrow_walk(WALK_NARROW, s, r, rights, &ctx, resume)) {
		*access |= unmap_access;
		return MS_STOPPED;
	}
	r->rights = (uint8_t)keep;
	/* Narrows r when flushing itself, else only reads its access bits. */
	if (r->flags & MS_F_RESOLVED)
		unmap_access |= ms_pte_restrict(s, va & PAGE_MASK, keep);
	unmap_access |= ms_bits_take(r);
	*access |= unmap_access;
	return MS_OK;
}

int ms_unmap(ms_space_t *s, uint32_t va, uint32_t rights, bool flush_self, uint32_t *access,
	     ms_need_t *need)
{
	return ms_unmap_part(s, va, rights, flush_self, access, false, false, need);
}

/* ---- a map's steps ---- */

int ms_map_steps(ms_space_t *s, ms_ent_t *src, ms_space_t *t, uint32_t tva, ms_ent_t **old,
		 uint32_t eff, bool grant)
{
	uint32_t revoke = grant ? src->rights & ~eff & MS_RIGHTS : 0;
	walk_ctx_t ctx = { .may_stop = true };

	/* A lender's page that goes, or a grant that takes read or write
	 * from below its source, takes back first what the kernel holds of
	 * it (ms_map_part does it again when it acts: no harm). */
	if (*old)
		ms_lender_revoking(t, *old);
	if (revoke & (MS_RIGHT_R | MS_RIGHT_W))
		ms_lender_revoking(s, src);
	/* What hangs below the mapping replaced first: once it has gone, a
	 * call that goes on finds nothing there to walk. */
	/* Without its place, eager as for a call that goes on: a map is not
	 * told whether it is one. */
	if (*old && (*old)->k.rec.head &&
	    !delete_from_kept(WALK_DELETE_BELOW, t, *old, true, &ctx, true))
		return MS_STOPPED;
	if (!revoke)
		return MS_OK;
	bool resume = hint_holds(WALK_GRANT_NARROW, s, src, revoke);
	ctx.changed = false;
	ctx.eager = !resume;
	if (!narrow_walk(WALK_GRANT_NARROW, s, src, revoke, &ctx, resume))
		return MS_STOPPED;
	ms_need_t ignored;
	*old = ms_lookup(t, tva, &ignored);
	return MS_OK;
}

/* ---- task death (kernel/mapsplit_reap.c) ---- */

int ms_delete_tree_part(ms_space_t *s, ms_ent_t *r, bool may_stop)
{
	walk_ctx_t ctx = { .may_stop = may_stop };

	/* A new removal, or one whose place is void, does not stop before
	 * it has changed something: each call makes progress. */
	return delete_from_kept(WALK_REAP, s, r, false, &ctx, true) ? MS_OK : MS_STOPPED;
}
