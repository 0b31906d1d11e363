/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Node pages going back (docs/mapdb-split.md, "Accounting"
 * and "Task death in steps").  While a task lives, the empty node pages
 * at the end of its list go back after each operation (trim); when it
 * dies, all of them, from the last down, then its index, in steps.
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
bool space_nodes_free(space_t *s, bool may_stop)
{
	s->ms.nfree = s->ms.room = 0;        /* a dead task allocates nothing */
	/* A page lent for the next node page and not used yet goes back
	 * first: kmem_return_unused() looks for it at node_page_count, which
	 * this walk lowers.  On a call that goes on, nothing is lent at
	 * ms.pages any more: that page went back in the step before. */
	if (!s->sigma0 && s->ms.pages < LENT_CID_RANGE_PAGES && kmem_kind_is_lent(s, KMEM_MAP))
		kmem_return_lent(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, s->ms.pages));
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

/* Tasks whose last node page became wholly free in this operation. */
#define EMPTY_MAX 8u
static uint32_t empty_ids[EMPTY_MAX];
static unsigned empty_count;

void ms_page_empty(ms_space_t *m, uint32_t n)
{
	(void)n;
	for (unsigned i = 0; i < empty_count; i++)
		if (empty_ids[i] == m->id)
			return;
	if (empty_count < EMPTY_MAX)
		empty_ids[empty_count++] = m->id;
}

/* A node page goes back once the task's last node pages hold nothing,
 * so that a task's share is what it uses now: a sender's parts go with
 * the receivers that die.  A pool page goes back to the pool, a lent one to its kpager
 * (empty, as at task death), but one empty lent page is kept, and the
 * page lent for the next one goes too if it was gathered already: past
 * the new count nothing would return it.
 * sigma0's stay (the boot reserve's and its store's).  Each page given
 * back is work (a lent one is zeroed first), so trim stops at a
 * preemption point: false then, and the rest goes at a later trim (a
 * dead task's receivers can leave a sender hundreds of empty pages). */
static bool trim(space_t *s)
{
	uint32_t top = s->ms.pages;
	bool done = true;

	while (!s->sigma0 && s->ms.pages) {
		uint32_t n = s->ms.pages - 1;
		ms_ent_t *page = ms_page(&s->ms, n);

		if (!page || page[0].k.hdr.nfree != MS_ENTS - 1)
			break;
		bool pool = index_get(s, n) == page;
		/* A lent page goes only while an empty one stays below it: a
		 * task mapping and unmapping at a page's edge does not ask its
		 * kpager each time. */
		const ms_ent_t *below = !pool && n ? ms_page(&s->ms, n - 1) : NULL;
		if (!pool && (!below || below[0].k.hdr.nfree != MS_ENTS - 1))
			break;
		if (pool)
			s->ms_index[n / INDEX_FAN][n % INDEX_FAN] = NULL;
		space_split_page_forget(s, n);
		s->ms.pages = n;
		s->ms.nfree -= MS_ENTS - 1;
		if (s->ms.room >= n)
			s->ms.room = 0;
		s->node_page_count = n;
		unsigned cost = PAGE_BACK_COST + kmem_put_cost(page);
		kmem_put(s, KMEM_MAP, page);
		if (preempt_due(cost)) {
			done = false;
			break;
		}
	}
	if (s->ms.pages < top && top < LENT_CID_RANGE_PAGES && kmem_kind_is_lent(s, KMEM_MAP))
		kmem_return_lent(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, top));
	return done;
}

bool space_split_trim_all(void)
{
	space_split_away_flush();
	while (empty_count) {
		uint32_t id = empty_ids[--empty_count];
		ms_space_t *m = ms_space(id);

		/* Stopped: the space stays noted for the next trim_all. */
		if (m && !trim(space_of_ms(m))) {
			empty_count++;
			return false;
		}
	}
	return true;
}
