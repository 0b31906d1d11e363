/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Node pages going back (docs/mapdb-split.md, "Accounting"
 * and "Task death in steps").  While a task lives, its node pages that
 * became empty go back after each operation (trim), from anywhere in its
 * list: one in the middle leaves a hole (kernel/mapsplit.c, "Holes");
 * when it dies, all of them, from the last down, then its index, in
 * steps.
 */
#include <kernel/space.h>
#include <kernel/space_split_int.h>
#include <kernel/space_split_away.h>
#include <kernel/frame.h>
#include <kernel/kpf.h>
#include <kernel/preempt.h>
#include <arch/arch.h>

#define PAGE_LOOK_COST 32u      /* an index page back to the pool, or a
                                 * node page a kpager had taken passed */
/* A node page going back besides kmem_put's own work: finding it (the
 * index or the frame table), the look-up cache, the index entry and the
 * counts.  Some 250 instructions in make bench's pool build, where
 * kmem_put itself costs only 32: a task whose 10,000 records went at
 * once gives back 120 pages in a row. */
#define PAGE_BACK_COST 256u

/*
 * A dead task's node pages go back from the last down, then the index's
 * leaves and its root.  Each step leaves the task as one with fewer node
 * pages (the first ms.pages, all free since the last pass), so a stop
 * between two steps needs no place but ms.pages and the index itself.
 */
static void trim_forget(uint32_t id);

bool space_nodes_free(space_t *s, bool may_stop)
{
	s->ms.nfree = s->ms.room = 0;        /* a dead task allocates nothing */
	trim_forget(s->id);                  /* nor does trim give its pages back */
	/* A page lent for the next node page (past the last, or for the
	 * lowest hole) and not used yet goes back first:
	 * kmem_return_unused() looks for it at node_page_count, which this
	 * walk lowers.  On a call that goes on, nothing is lent there any
	 * more: that page went back in the step before. */
	if (!s->sigma0 && s->node_page_count < LENT_CID_RANGE_PAGES &&
	    kmem_kind_is_lent(s, KMEM_MAP))
		kmem_return_lent(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, s->node_page_count));
	while (s->ms.pages) {
		uint32_t n = s->ms.pages - 1;
		void *page = ms_page(&s->ms, n);
		unsigned cost = PAGE_BACK_COST + (page ? kmem_put_cost(page) : 0);

		if (index_get(s, n))
			s->ms_index[n / INDEX_FAN][n % INDEX_FAN] = NULL;
		space_split_page_forget(s, n);
		s->ms.pages = s->node_page_count = n;
		kmem_put(s, KMEM_MAP, page);
		if (may_stop && preempt_due(cost))
			return false;
	}
	for (unsigned i = 0; i < MS_SEEN; i++)
		s->ms.seen[i] = NULL;
	s->ms.holes = s->ms.hole = 0;        /* all below 0 pages */
	if (!s->ms_index)
		return true;
	for (uint32_t i = 0; i < INDEX_FAN; i++)
		if (s->ms_index[i]) {
			kmem_free(s, KMEM_MAP, s->ms_index[i]);
			s->ms_index[i] = NULL;
			if (may_stop && preempt_due(PAGE_LOOK_COST))
				return false;
		}
	kmem_free(s, KMEM_MAP, s->ms_index);
	s->ms_index = NULL;
	return true;
}

/* ---- giving node pages back ---- */

/* Tasks with a node page that became wholly free in this operation, and
 * the pages to look at: below top, from lo up (ms_page_empty).  trim
 * lowers top as it goes, so a trim stopped at a preemption point goes on
 * where it stopped. */
#define EMPTY_MAX 8u
static struct empty {
	uint32_t id, lo, top;
} empty[EMPTY_MAX];
static unsigned empty_count;

void ms_page_empty(ms_space_t *m, uint32_t n)
{
	for (unsigned i = 0; i < empty_count; i++)
		if (empty[i].id == m->id) {
			if (n < empty[i].lo)
				empty[i].lo = n;
			if (n >= empty[i].top)
				empty[i].top = n + 1;
			return;
		}
	/* Past the bound, the page stays until its task is noted again;
	 * the allocator, lowest page first, uses it meanwhile. */
	if (empty_count < EMPTY_MAX)
		empty[empty_count++] = (struct empty){ m->id, n, n + 1 };
}

/* A dying task's pages go back by space_nodes_free alone: a trim of it
 * noted before and stopped would count them gone twice. */
static void trim_forget(uint32_t id)
{
	for (unsigned i = 0; i < empty_count; i++)
		if (empty[i].id == id) {
			empty[i] = empty[--empty_count];
			return;
		}
}

/* Node page n of s, present and wholly free, goes back. */
static unsigned page_back(space_t *s, uint32_t n, ms_ent_t *page, bool pool)
{
	unsigned cost = PAGE_BACK_COST + kmem_put_cost(page);

	if (pool)
		s->ms_index[n / INDEX_FAN][n % INDEX_FAN] = NULL;
	space_split_page_forget(s, n);
	ms_page_gone(&s->ms, n);
	kmem_put(s, KMEM_MAP, page);
	return cost;
}

/* A node page goes back once it holds nothing, wherever it is in the
 * task's list, so that a task's share is what it uses now: a sender's
 * parts go with the receivers that die, even below a record made later
 * that stays (docs/mapdb-split.md, "Fragmentation and holes").  A pool
 * page goes back to the pool, a lent one to its kpager (empty, as at
 * task death), but the one empty lent page the allocator would fill next
 * is kept (ms_space_t.room: ms_free lowers it to the page it frees in,
 * ms_alloc sets it to the page it takes from), so a task keeps at most
 * one, and a task mapping and unmapping at a page's edge does not ask
 * its kpager each time.  A page
 * below the last goes only while none of the task's pages is away (a
 * hole and a page away are told apart by the holes' count: mapsplit.c).
 * The page lent for the next one goes too if it was gathered already
 * and the next one is now another.  sigma0's stay (the boot reserve's
 * and its store's).  Each page given back or looked at is work (a lent
 * one is zeroed first), so trim stops at a preemption point: false
 * then, and the rest goes at a later trim (a dead task's receivers can
 * leave a sender hundreds of empty pages). */
static bool trim(space_t *s, struct empty *t)
{
	uint32_t next = s->node_page_count;
	bool done = true;

	if (t->top > s->ms.pages)
		t->top = s->ms.pages;
	while (!s->sigma0 && t->top > t->lo) {
		uint32_t n = --t->top;
		ms_ent_t *page = ms_page(&s->ms, n);
		unsigned cost = PAGE_LOOK_COST;

		if (page && page[0].k.hdr.nfree == MS_ENTS - 1 &&
		    (n + 1 == s->ms.pages || !s->ms_away)) {
			bool pool = index_get(s, n) == page;

			if (pool || n != s->ms.room)
				cost = page_back(s, n, page, pool);
		}
		if (t->top > s->ms.pages)
			t->top = s->ms.pages;
		if (preempt_due(cost)) {
			done = t->top <= t->lo;
			break;
		}
	}
	/* The next page was past the last or a hole, and trim makes no
	 * page: what is lent at its number is unused. */
	s->node_page_count = space_node_next(s);
	if (next != s->node_page_count && next < LENT_CID_RANGE_PAGES &&
	    kmem_kind_is_lent(s, KMEM_MAP))
		kmem_return_lent(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, next));
	return done;
}

bool space_split_trim_all(void)
{
	space_split_away_flush();
	while (empty_count) {
		struct empty *t = &empty[empty_count - 1];
		ms_space_t *m = ms_space(t->id);

		/* Stopped: the space stays noted for the next trim_all. */
		if (m && !trim(space_of_ms(m), t))
			return false;
		empty_count--;
	}
	return true;
}
