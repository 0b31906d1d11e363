/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What lending a frame asks of the mapping database
 * (kernel/kpf.c, kpf_check_page and kpf_strip), over the split records.
 * A kpager may lend a page it holds alone: a root of sigma0's that has
 * given nothing out, or the one mapping sigma0's root has made, whose
 * edge checks out; what it passed on itself (at most
 * LENT_KPF_MAX_MAPPINGS mappings in all) loses its translations too.
 */
#include <kernel/space.h>
#include <kernel/mapsplit_int.h>
#include <kernel/kpf.h>

/* The next part on r's list after p (the first with p NULL), or NULL. */
static ms_ent_t *next_part(ms_space_t *s, const ms_ent_t *r, const ms_ent_t *p)
{
	uint32_t first = r->k.rec.head;

	if (!p)
		return ms_ent(s, first);
	return p->k.part.next == first ? NULL : ms_ent(s, p->k.part.next);
}

/* sigma0's resident part, if id names it; found once (sigma0 never
 * goes). */
static ms_space_t *sigma0_named(uint32_t id)
{
	static ms_space_t *s0;

	if (!s0) {
		ms_space_t *m = ms_space(id);

		if (!m || !m->sigma0)
			return NULL;
		s0 = m;
	}
	return s0->id == id ? s0 : NULL;
}

bool space_split_held_alone(space_t *s, const mapnode_t *n)
{
	const ms_ent_t *r = &n->rec;
	ms_space_t *ps = NULL;

	if (r->flags & MS_F_ROOT)
		return s->sigma0 && !r->k.rec.head;
	if (!(r->flags & MS_F_RESOLVED))
		return false;
	/* Resolved: its hint names the part of its edge in the parent (I1),
	 * and the part its owner, without a lookup in sigma0's table or a
	 * search of the root's parts; where the hint does not check out,
	 * ms_parent_part searches.  sigma0's pages are never taken back
	 * (I7): the owner is the record its table names at r->pvaddr. */
	ms_ent_t *only = NULL;
	ms_space_t *s0 = sigma0_named(r->task);
	if (s0) {
		ms_ent_t *pp = ms_ent(s0, r->k.rec.hint);

		if (pp && pp->kind == MS_PART && (pp->flags & MS_F_ATTACHED) && pp->task == s->id &&
		    pp->pvaddr == r->vaddr && pp->gen == r->gen) {
			only = pp;
			ps = s0;
		}
	}
	if (!only)
		only = ms_parent_part(&s->ms, (ms_ent_t *)r, &ps);
	if (!only || !ps->sigma0)
		return false;
	const ms_ent_t *root = ms_ent(ps, only->k.part.owner);
	return root && root->kind == MS_REC && (root->flags & MS_F_ROOT) &&
	       root->vaddr == r->pvaddr && root->k.rec.head == ms_ref_of(only) &&
	       only->k.part.next == root->k.rec.head;
}

/*
 * Visit n's record and everything derived from it, depth first, at most
 * max + 1 records: with strip, removing each one's translation.  True
 * when there were at most max.  The way back is a stack of at most
 * max + 1 records, each with the part it went down last.
 */
static bool walk(space_t *s, mapnode_t *n, unsigned max, bool strip)
{
	struct { ms_space_t *s; ms_ent_t *r, *p; } stack[LENT_KPF_MAX_MAPPINGS + 1];
	unsigned depth = 0, count = 1;

	stack[0].s = &s->ms;
	stack[0].r = &n->rec;
	stack[0].p = NULL;
	if (strip)
		space_pte_drop(s, n->rec.vaddr);
	while (count <= max) {
		ms_space_t *cs = stack[depth].s, *ct;
		ms_ent_t *p = next_part(cs, stack[depth].r, stack[depth].p);

		if (!p) {
			if (depth == 0)
				return true;
			depth--;
			continue;
		}
		stack[depth].p = p;
		ms_ent_t *c = ms_child(cs, stack[depth].r, p, &ct);
		if (!c)
			continue;
		if (++count > max || depth + 1 > max)
			return false;
		if (strip)
			space_pte_drop(space_split_space(ct), c->vaddr);
		depth++;
		stack[depth].s = ct;
		stack[depth].r = c;
		stack[depth].p = NULL;
	}
	return false;
}

bool space_split_tree_at_most(space_t *s, mapnode_t *n, unsigned max)
{
	if (max > LENT_KPF_MAX_MAPPINGS)
		max = LENT_KPF_MAX_MAPPINGS;
	/* Most pages a kpager lends it passed on to nobody. */
	if (!n->rec.k.rec.head)
		return max >= 1;
	return walk(s, n, max, false);
}

void kpf_strip(space_t *s, mapnode_t *n)
{
	const ms_ent_t *r = &n->rec;

	/* sigma0's root above it, at r->pvaddr (kpf_check_page found the
	 * edge there, and nothing changed since). */
	if (!(r->flags & MS_F_ROOT)) {
		ms_space_t *ps = sigma0_named(r->task);
		if (ps)
			space_pte_drop(space_split_space(ps), r->pvaddr);
	}
	if (!r->k.rec.head)
		space_pte_drop(s, r->vaddr);
	else
		(void)walk(s, n, LENT_KPF_MAX_MAPPINGS, true);
}
