/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Node pages and node tables a kpager takes back, and brings back
 * (kernel/space_split_away.c, docs/kernel-memory.md "Mapping nodes and
 * node tables").
 */
#ifndef KERNEL_SPACE_SPLIT_AWAY_H
#define KERNEL_SPACE_SPLIT_AWAY_H

#include <kernel/space.h>

struct kmem_need;

/* kernel/kpreempt.c: give the lent frame pa back in its external form
 * now; false when its kind cannot be taken back (nothing changed). */
bool kpreempt_frame(uint32_t pa);


/* A lent frame the database is about to stop using (its lender's
 * mapping goes or loses rights): a node page or node table is taken
 * back once the mapping operation is over (space_split_away_flush), not
 * in the middle of it.  False: not such a frame, take it back now. */
bool space_split_away_defer(uint32_t pa);
/* The mapping operation is over: take back what was deferred. */
void space_split_away_flush(void);

/* kpreempt.c's export step for KMEM_MAP and KMEM_NT: the page or table
 * at cid of s becomes its external form in place (cannot fail). */
bool space_split_export(space_t *s, unsigned kind, uint32_t cid, uint32_t pa);

/* kpf.c's import: is the page at cid one s exported (so the frame the
 * kpager gives must hold its external form)?  Then validate the frame
 * (0, or why it is refused), and once the frame is lent at cid, convert
 * it, or with refused, an empty page or table of that index written
 * into it (cannot fail). */
bool space_split_away_at(space_t *s, unsigned kind, uint32_t cid);
/* May a node page or table of s be away?  No: every kernel page fault
 * but a take-back's, and the fast way out of the checks below. */
static inline bool space_split_has_away(const space_t *s)
{
	return s->ms_away || s->ms_nt_marked;
}
static inline bool space_split_is_import(space_t *s, unsigned kind, uint32_t cid)
{
	return space_split_has_away(s) && space_split_away_at(s, kind, cid);
}
uint32_t space_split_import_check(space_t *s, unsigned kind, uint32_t cid, uint32_t pa);
void space_split_import(space_t *s, unsigned kind, uint32_t cid, uint32_t pa, bool refused);

/* A user page fault at va of s (access: RIGHT_*): where its record is
 * there but not resolved, resolve it, entering the translation.
 * REFILL_DONE: resolved, and the access may go on; REFILL_NEED: a page
 * of s or of a partner on the chain is away, *need names it;
 * REFILL_NONE: go on as before (the kernel's to put back, or the
 * pager's). */
int space_split_resolve(space_t *s, uint32_t va, uint32_t access, struct kmem_need *need);
/* The same for the port whose page is va (an I/O fault's port, from
 * space_refill): REFILL_DONE once its record is resolved and its bit
 * set. */
int space_split_resolve_port(space_t *s, uint32_t va, struct kmem_need *need);

/* A map from s's page va: is the node table and node page of its
 * record present, and the record resolved (resolving it here when every
 * page its chain needs is present)?  False: *need names s's page that
 * is away. */
bool space_split_have_source(space_t *s, uint32_t va, struct kmem_need *need);

/* Unmap of fp in s: is every node table and node page that holds s's
 * records in fp present?  False: *need names the first one away. */
bool space_split_have_for_unmap(space_t *s, fpage_t fp, struct kmem_need *need);

/* A map to s's page va: is the node page of the record there (which the
 * map widens or replaces) present?  False: *need names it. */
bool space_split_have_dest(space_t *s, uint32_t va, struct kmem_need *need);

/* Is node page n of s one its kpager took back (the self-check)? */
bool space_split_page_away(space_t *s, uint32_t n);

/* Does kind keep its external form when taken back (not zeroed)? */
static inline bool space_split_keeps_form(unsigned kind)
{
	return kind == KMEM_MAP || kind == KMEM_NT;
}

/* Has any node page or table been taken back since boot?  Until then
 * every record is resolved, and the fault and Unmap paths skip the
 * steps above. */
extern uint32_t space_split_taken;
static inline bool space_split_any_away(void)
{
	return space_split_taken != 0;
}

#endif
