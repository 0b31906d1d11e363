/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map, grant and unmap of whole fpages, page by page.  An fpage may cover
 * the whole address space, so each of these stops at preemption points
 * and continues later from the page it reached: the caller keeps that
 * progress (a page count, space_fpage_progress_t) and calls again.
 */
#include <kernel/space.h>
#include <kernel/preempt.h>
#include <kernel/sigma0_roots.h>
#include <kernel/sigma0_high.h>
#include <kernel/kpf.h>
#include <kernel/space_split_away.h>
#include <arch/arch.h>

#define MAP_PAGE_COST   256u    /* about the instructions one page costs */
#define UNMAP_PAGE_COST 96u
#define SKIP_COST       8u      /* one empty 4 MB stretch passed over */
#define STOPPED_MIDWAY  0x80000000u  /* the page at `done` is half done */

/* Map one 4 KB page; from sigma0 only where it has its root mapping
 * (kernel/sigma0_roots.c decides whether a missing one may be made).
 * MAPDB_STOPPED: stopped at a preemption point, call again. */
int space_map_page(space_t *from, uint32_t src, space_t *to, uint32_t dst,
		   uint32_t rights, bool grant)
{
	if (!space_is_user_range(to, dst, PAGE_SIZE) ||
	    (src >= USER_LIMIT && !(from->sigma0 && s0_high_key_is(src))))
		return MAPDB_OK;
	if (from->sigma0 && !sigma0_root_for_map(from, src, to))
		return MAPDB_OK;
	return mapdb_map_part(from, src, to, dst, rights, grant, true);
}

/* Pages of the 4 MB stretch from va on: where to go on when it is empty. */
static uint32_t pages_to_next_pde(uint32_t va)
{
	return (0x400000u - (va & 0x3FFFFFu)) >> PAGE_SHIFT;
}

/*
 * X.2 placement: the smaller of send fpage and receive window decides the
 * size; snd_base picks the position of the smaller inside the larger.
 */
bool space_map_fpage(space_t *from, fpage_t snd, uint32_t snd_base,
		     space_t *to, fpage_t window, bool grant, uint32_t *done,
		     kmem_need_t *need)
{
	need->space = NULL;
	if (fpage_is_nil(snd) || fpage_is_nil(window))
		return true;
	if (iofpage_is(snd))
		return space_map_iofpage(from, snd, to, window, grant, done, need);
	uint32_t s_log2 = fpage_size_log2(snd), w_log2 = fpage_size_log2(window);
	if (s_log2 < PAGE_SHIFT || w_log2 < PAGE_SHIFT)
		return true;
	uint32_t src = fpage_base(snd), dst = fpage_base(window), log2;
	uint32_t rights = fpage_rights(snd);
	if (s_log2 <= w_log2) {
		uint64_t wmask = ((uint64_t)1 << w_log2) - 1;
		dst += (uint32_t)(snd_base & wmask & ~(((uint64_t)1 << s_log2) - 1));
		log2 = s_log2;
	} else {
		uint64_t smask = ((uint64_t)1 << s_log2) - 1;
		src += (uint32_t)(snd_base & smask & ~(((uint64_t)1 << w_log2) - 1));
		log2 = w_log2;
	}
	uint32_t pages = (uint32_t)(((uint64_t)1 << log2) >> PAGE_SHIFT);
	while ((*done & ~STOPPED_MIDWAY) < pages) {
		uint32_t i = *done & ~STOPPED_MIDWAY;
		uint32_t sva = src + (i << PAGE_SHIFT), dva = dst + (i << PAGE_SHIFT);
		/* sigma0 names a frame from 3 GB up by its physical address,
		 * as it names every frame: its root is at the frame's key
		 * (kernel/sigma0_high.h); a frame without one ends the item. */
		if (from->sigma0 && sva >= USER_LIMIT)
			sva = s0_key_of(sva) ? s0_key_of(sva) : USER_LIMIT;
		if ((sva >= USER_LIMIT && !(from->sigma0 && s0_high_key_is(sva))) ||
		    dva >= USER_LIMIT) {
			*done = pages;
			break;
		}
		/* Skip 4 MB stretches the sender has nothing mapped in. */
		if (!from->sigma0 && !from->node_table[sva >> 22]) {
			*done = i + pages_to_next_pde(sva);
			if (preempt_due(SKIP_COST))
				return false;
			continue;
		}
		/* Gather before acting: the sender's node page or table of
		 * its record, if its kpager took it back, and
		 * the receiver's kernel memory for this page, where the
		 * source has one to give. */
		if (!space_split_have_source(from, sva, need))
			return false;
		if ((from->sigma0 || mapdb_lookup(from, sva)) && space_is_user_range(to, dva, PAGE_SIZE) &&
		    (!space_have_for_send(from, need) || !kpf_have_for_map(to, dva, need) ||
		     !space_split_have_dest(to, dva, need)))
			return false;
		int r = space_map_page(from, sva, to, dva, rights, grant);
		if (r == MAPDB_STOPPED || r == MAPDB_NOMEM) {
			*done = i | (r == MAPDB_STOPPED ? STOPPED_MIDWAY : SPACE_MAP_NOMEM);
			return false;
		}
		*done = i + 1;
		/* Even after the last page: many small items add up too. */
		if (preempt_due(MAP_PAGE_COST))
			return false;
	}
	/* Granting part of a larger fpage still gives up all of it (X.2):
	 * the pages after the mapped ones count that part of the work. */
	if (grant && s_log2 > w_log2) {
		uint32_t part = *done - pages, access = 0;   /* keeps STOPPED_MIDWAY */
		/* Its records there in node tables and pages its kpager took
		 * back first, asked for in the sender's name as its source's
		 * are: else they, and what hangs from them, would come back
		 * with their pages (kernel/space_split_away.c). */
		if (!space_split_have_for_unmap(from, snd, need))
			return false;
		bool finished = space_unmap_fpage(from, snd | RIGHTS_ALL, true, &part, &access);
		*done = pages + part;
		return finished;
	}
	return true;
}

bool space_unmap_fpage(space_t *s, fpage_t fp, bool flush_self, uint32_t *done,
		       uint32_t *access)
{
	uint32_t rights = fpage_rights(fp);
	uint32_t base = fpage_base(fp);

	if (iofpage_is(fp))
		return space_unmap_iofpage(s, fp, flush_self, done);
	if (fpage_is_nil(fp) || fpage_size_log2(fp) < PAGE_SHIFT)
		return true;
	uint64_t pages = fpage_size(fp) >> PAGE_SHIFT;
	while ((*done & ~STOPPED_MIDWAY) < pages) {
		uint32_t i = *done & ~STOPPED_MIDWAY;
		uint32_t va = base + (i << PAGE_SHIFT);
		if (va >= USER_LIMIT)
			break;
		if (!s->node_table[va >> 22]) {
			*done = i + pages_to_next_pde(va);
			if (preempt_due(SKIP_COST))
				return false;
			continue;
		}
		bool midway = (*done & STOPPED_MIDWAY) != 0;
		if (mapdb_unmap_part(s, va, rights, flush_self, access, true, midway) ==
		    MAPDB_STOPPED) {
			*done = i | STOPPED_MIDWAY;
			return false;
		}
		*done = i + 1;
		if (preempt_due(UNMAP_PAGE_COST))
			return false;
	}
	/* The node pages the Unmap emptied go back before it returns (a
	 * trim stopped at a preemption point goes on when it is entered
	 * again, past its last page): a task that revokes what it mapped
	 * has its kernel memory back at once, not at its next map. */
	return space_split_trim_all();
}
