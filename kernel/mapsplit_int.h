/* SPDX-License-Identifier: BSD-2-Clause */
/* What the mapsplit*.c files share among themselves (kernel/mapsplit.h). */
#ifndef KERNEL_MAPSPLIT_INT_H
#define KERNEL_MAPSPLIT_INT_H

#include <kernel/mapsplit.h>
#include <arch/arch.h>

/* The header entry of the page that holds e (pages are page-aligned). */
static inline ms_ent_t *ms_hdr_of(const ms_ent_t *e)
{
	return (ms_ent_t *)((uintptr_t)e & ~(uintptr_t)(PAGE_SIZE - 1));
}

static inline uint32_t ms_ref_of(const ms_ent_t *e)
{
	const ms_ent_t *h = ms_hdr_of(e);

	return MS_REF(((const ms_hdr_t *)h)->page, (uint32_t)(e - h));
}

/* A record's memory type, and its access bits kept (MS_ATTR_*). */
static inline uint32_t ms_type(const ms_ent_t *r)
{
	return r->attr & MS_ATTR_TYPE;
}

/* Keep the access bits (MS_RIGHT_R/W) of a translation of r that goes
 * unreported: the next Unmap that reads r's bits reports them. */
static inline void ms_bits_keep(ms_ent_t *r, uint32_t access)
{
	r->attr |= (uint8_t)((access & (MS_RIGHT_R | MS_RIGHT_W)) << MS_ATTR_SHIFT);
}

/* r's kept access bits (MS_RIGHT_R/W), reset, and its own bits reset
 * unread: an Unmap that reaches r reports them (its own ones went up to
 * the record above when r's page or table went, docs/mapdb-split.md,
 * "Access bits and memory type"). */
static inline uint32_t ms_bits_take(ms_ent_t *r)
{
	uint32_t bits = (r->attr & MS_ATTR_BITS) >> MS_ATTR_SHIFT;

	r->attr &= (uint8_t)~(MS_ATTR_BITS | MS_ATTR_OWN);
	return bits;
}

/* Keep access bits (MS_RIGHT_R/W) for r's own Unmap alone. */
static inline void ms_own_keep(ms_ent_t *r, uint32_t access)
{
	r->attr |= (uint8_t)((access & (MS_RIGHT_R | MS_RIGHT_W)) << MS_ATTR_OWN_SHIFT);
}

/* r's own access bits (MS_RIGHT_R/W), reset: an Unmap of r itself. */
static inline uint32_t ms_own_take(ms_ent_t *r)
{
	uint32_t bits = (r->attr & MS_ATTR_OWN) >> MS_ATTR_OWN_SHIFT;

	r->attr &= (uint8_t)~MS_ATTR_OWN;
	return bits;
}

/* The rights a mapping with rights was keeps where a revoke leaves it
 * mask: all of them where the revoke takes none of them away; else what
 * is left, unless that is w alone, which IA-32 cannot give without r
 * (arch_rights_kept()).  A mapping made with w alone keeps it until a
 * revoke takes something from it. */
static inline uint32_t ms_rights_left(uint32_t was, uint32_t mask)
{
	return (was & mask) == was ? was : arch_rights_kept(was & mask);
}

/* Changes that can move a stopped walk's place (kernel/mapsplit_stop.c). */
extern uint64_t ms_changes;

static inline uint64_t ms_gen_take(void)
{
	return ms_gen_next++;
}

/* For the ms_page() hook: page n, found at seen[i] (i = MS_SEEN - 1 for
 * one it looked up), becomes the newest; the ones before it move down. */
static inline void ms_seen_put(ms_space_t *s, unsigned i, ms_ent_t *page, uint32_t n)
{
	for (; i > 0; i--) {
		s->seen[i] = s->seen[i - 1];
		s->seen_n[i] = s->seen_n[i - 1];
	}
	s->seen[0] = page;
	s->seen_n[0] = (uint16_t)n;
}

/* Page n of s goes: the hook forgets it first. */
static inline void ms_seen_forget(ms_space_t *s, uint32_t n)
{
	for (unsigned i = 0; i < MS_SEEN; i++)
		if (s->seen[i] && s->seen_n[i] == n)
			s->seen[i] = NULL;
}

/* Node page n of s (ms_page), the one found last without a call. */
static inline ms_ent_t *ms_page_at(ms_space_t *s, uint32_t n)
{
	return s->seen[0] && s->seen_n[0] == n ? s->seen[0] : ms_page(s, n);
}

/* The entry at ref in s; NULL when ref is none or its page is absent.
 * Inline: every hop of every walk asks it. */
static inline ms_ent_t *ms_ent(ms_space_t *s, uint32_t ref)
{
	uint32_t k = MS_REF_ENT(ref);
	ms_ent_t *page;

	if (!s || k == 0 || k >= MS_ENTS || MS_REF_PAGE(ref) >= s->pages)
		return NULL;
	page = ms_page_at(s, MS_REF_PAGE(ref));
	return page ? &page[k] : NULL;
}
ms_ent_t *ms_alloc(ms_space_t *s);                 /* NULL: no free entry */
void ms_free(ms_space_t *s, ms_ent_t *e);
uint32_t ms_free_count(ms_space_t *s);
int ms_find(ms_space_t *s, uint32_t va, ms_ent_t **rec, ms_need_t *need);

/* Parts lists: circular, doubly linked by local refs; live parts first. */
void ms_list_add(ms_space_t *s, uint32_t *head, ms_ent_t *e, bool front);
void ms_list_del(ms_space_t *s, uint32_t *head, ms_ent_t *e);
/* The list a part is on: its owner's, or the task's orphans. */
uint32_t *ms_list_of(ms_space_t *s, ms_ent_t *part);
void ms_part_delete(ms_space_t *s, ms_ent_t *part);
/* part goes because the record it leads to cannot be found; where that
 * record is absent (its table or node page away), s keeps the edge as
 * dead first.  ms_part_dead: is part such an edge (never to attach)? */
void ms_part_revoke(ms_space_t *s, ms_ent_t *part);
bool ms_part_dead(const ms_space_t *s, const ms_ent_t *part);

/* The record a part leads to, if present and the edge checks out. */
ms_ent_t *ms_child(ms_space_t *s, const ms_ent_t *owner, const ms_ent_t *part,
		   ms_space_t **ct);
/* The part of owner (in s) for edge (tid, va, gen), or NULL. */
ms_ent_t *ms_part_find(ms_space_t *s, ms_ent_t *owner, uint32_t tid, uint32_t va,
		       uint64_t gen);

/* The part in r's parent that r's edge hangs from, if present (*ps:
 * the parent's task). */
ms_ent_t *ms_parent_part(ms_space_t *s, ms_ent_t *r, ms_space_t **ps);

/* Tell the kernel before r, where a frame's lender holds it, loses read
 * or write or goes (ms_frame_revoking); nothing for other records. */
void ms_lender_revoking(ms_space_t *s, ms_ent_t *r);
/* Flush r's translation and every translation derived from it; each
 * record keeps its translation's access bits.  Returns the access bits
 * (MS_RIGHT_R/W) all of those records keep then. */
uint32_t ms_unresolve(ms_space_t *s, ms_ent_t *r);
/* Remove r and everything derived from it (present parts), and the part
 * in r's parent that leads to it if that is present. */
void ms_delete_tree(ms_space_t *s, ms_ent_t *r);
/* A fresh epoch for r and its attached parts: its absent parts go stale. */
void ms_epoch_renew(ms_space_t *s, ms_ent_t *r);
/* Remove r and everything derived from it as ms_delete_tree, in steps
 * for task death (kernel/mapsplit_reap.c): with may_stop, MS_STOPPED
 * keeps the walk's place; call again with the same r to go on. */
int ms_delete_tree_part(ms_space_t *s, ms_ent_t *r, bool may_stop);
/* Take revoke from every mapping derived from r. */
void ms_narrow_below(ms_space_t *s, ms_ent_t *r, uint32_t revoke);
/* Before a map (ms_map_part with may_stop) acts, in steps: what hangs
 * below the mapping *old it replaces goes, and a grant that narrows takes
 * the rights it does not pass on from what hangs below src (*old is
 * looked up again: it may go with them).  MS_STOPPED: call again. */
int ms_map_steps(ms_space_t *s, ms_ent_t *src, ms_space_t *t, uint32_t tva, ms_ent_t **old,
		 uint32_t eff, bool grant);

#endif
