/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Task death in the split mapping database (kernel/mapsplit.h), in steps
 * (docs/mapdb-split.md, "Preemption points"): every record of the dead
 * task goes with what was derived from it, then every part left (its
 * owner absent) with its child's subtree.  Pages that are absent are
 * forgotten: their partners' parts fail their checks for ever, since
 * ms_space() never finds the task's id again once it is freed.
 *
 * The caller keeps where the scan got to: a cursor (which pass, node page
 * and entry), a number and never a pointer.  Why a cursor needs no more
 * checking than that: a dead task's node pages never gain an entry.  It
 * has no thread that could take a map (a record) or send one (a part),
 * and only sigma0 has roots; other tasks' walks, resolves and a kpager's
 * page going and coming back only free its entries, change them in place
 * or leave them where they were.  So whatever ran between two calls,
 * every entry the cursor has passed is gone for good, and the scan
 * resumed at the cursor meets every entry that is left.  A removal under
 * way below the entry at the cursor is a walk of mapsplit_stop.c, whose
 * place is validated there (ms_changes) and, when void, started again
 * from that entry.  Between two steps the database is valid: each step
 * is a whole removal walk's step, or an entry gone.
 */
#include <kernel/mapsplit_int.h>

#define REAP_PARTS  0x80000000u  /* in the cursor: the second pass */
#define SCAN_COST   8u           /* looking at one entry */
#define PAGE_COST   128u         /* finding a page (the frame table) and passing it */

/* The child record of a part left in a dead task: the edge's other end,
 * checked without the owner, which may be gone. */
static ms_ent_t *reap_child(ms_space_t *s, const ms_ent_t *p, ms_space_t **ct)
{
	ms_need_t ignored;
	ms_ent_t *c;

	*ct = ms_space(p->task);
	if (ms_find(*ct, p->pvaddr, &c, &ignored) != MS_OK)
		return NULL;
	return c->task == s->id && c->pvaddr == p->vaddr && c->gen == p->gen &&
	       !(c->flags & MS_F_ROOT) ? c : NULL;
}

/* The work for the entry at ref: false when its removal stopped. */
static bool reap_entry(ms_space_t *s, uint32_t ref, bool parts, bool may_stop, unsigned *cost)
{
	ms_ent_t *e = ms_ent(s, ref), *c;
	ms_space_t *ct;

	if (!parts && e->kind == MS_REC) {
		/* Again when going on: the kernel may have taken the frame.
		 * Giving it back may give back a node page: ask again. */
		ms_lender_revoking(s, e);
		e = ms_ent(s, ref);
		if (!e || e->kind != MS_REC)
			return true;
		if (ms_delete_tree_part(s, e, may_stop) == MS_STOPPED)
			return false;
		*cost = MS_STEP_COST;
	} else if (parts && e->kind == MS_PART) {
		c = reap_child(s, e, &ct);
		if (c && ms_delete_tree_part(ct, c, may_stop) == MS_STOPPED)
			return false;
		/* The removal may have taken the part already. */
		if (e->kind == MS_PART)
			ms_part_delete(s, e);
		*cost = MS_STEP_COST;
	}
	return true;
}

int ms_task_delete_part(ms_space_t *s, uint32_t *cursor, bool may_stop)
{
	for (;;) {
		uint32_t pass = *cursor & REAP_PARTS, ref = *cursor & ~REAP_PARTS;
		uint32_t n = MS_REF_PAGE(ref), k = MS_REF_ENT(ref);
		unsigned cost = SCAN_COST;

		/* Node pages only go from the end, and only wholly free
		 * (ms_page_empty): past the last one, the pass is done. */
		if (n >= s->pages) {
			if (pass)
				break;
			*cursor = REAP_PARTS;
			continue;
		}
		ms_ent_t *page = ms_page(s, n);

		/* An absent page is forgotten; a wholly free one (as every
		 * page is once the kernel has unmapped the task's slots) holds
		 * nothing to remove. */
		if (!page || page[0].k.hdr.nfree == MS_ENTS - 1) {
			k = MS_ENTS - 1;
			cost = PAGE_COST;
		} else if (k && !reap_entry(s, MS_REF(n, k), pass != 0, may_stop, &cost)) {
			return MS_STOPPED;
		}
		*cursor = pass | (k + 1 < MS_ENTS ? MS_REF(n, k + 1) : MS_REF(n + 1, 1));
		if (may_stop && ms_stop_due(cost))
			return MS_STOPPED;
	}
	s->orphans = 0;
	return MS_OK;
}

void ms_task_delete(ms_space_t *s)
{
	uint32_t cursor = 0;

	(void)ms_task_delete_part(s, &cursor, false);
}
