/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check's rules over the frame table and the totals
 * (kernel/selfcheck_space.h): every entry is a type the table knows, a
 * lent one names a kind its content identifier belongs to and sits on
 * the hash chain of its (task, content identifier), alone there; the
 * chains hold lent frames only, each once; and, once every task has
 * been checked, every lent frame is held by a live task (in use, or
 * gathered for an operation), sigma0's store, or a task being made, and
 * the pool's counts are the pages the tasks hold.
 */
#include <kernel/selfcheck_space.h>

#define LIMIT_FRAMES (0x38000000u >> PAGE_SHIFT)   /* the direct map's end */

static uint32_t fail(sc_fault_t *f, uint32_t rule, uint32_t where)
{
	f->rule = rule;
	f->where = where;
	return rule;
}

/* Does a lent frame's kind go with its content identifier?  sigma0's
 * store keeps free frames at slots above the window, and sigma0's node
 * pages may run on past their range (kernel/kmem_sigma0_cid.h). */
static bool kind_fits(const sc_env_t *e, const frame_t *fr)
{
	if (fr->kind == SC_STORE_KIND)
		return fr->task == e->sigma0_id && fr->cid >= SC_STORE_CID(0) &&
		       !(fr->cid & ~PAGE_MASK) && fr->cid < SC_STORE_CID(e->store_free);
	if (fr->kind == SC_AHEAD_KIND)
		return fr->task != e->sigma0_id && fr->cid >= SC_AHEAD_CID(0) &&
		       !(fr->cid & ~PAGE_MASK) && fr->cid < SC_AHEAD_CID(LENT_KAHEAD_MAX);
	if (fr->kind >= KMEM_KERNEL)
		return false;
	if (lent_cid_kind(fr->cid) == (int)fr->kind)
		return true;
	return fr->task == e->sigma0_id && fr->kind == KMEM_MAP && fr->cid >= LENT_CID_MAP_BASE &&
	       fr->cid < KMEM_SIGMA0_MAP_END && !(fr->cid & ~PAGE_MASK);
}

/* The chains first, bounded by the frames the table has: frame_find()
 * then cannot loop or read past the table. */
static uint32_t check_chains(const frame_view_t *fv, uint32_t *linked, sc_fault_t *f)
{
	for (uint32_t b = 0; b < fv->nbuckets; b++)
		for (uint32_t i = fv->buckets[b]; i != FRAME_NIL; i = fv->frames[i].next) {
			if (i >= fv->nframes || ++*linked > fv->nframes ||
			    fv->frames[i].type != FRAME_T_LENT ||
			    frame_bucket(fv->frames[i].task, fv->frames[i].cid) != b)
				return fail(f, LENT_SC_FRAME_CHAIN, b);
		}
	return 0;
}

uint32_t sc_check_frames(const sc_env_t *e, sc_frame_sums_t *fs, sc_fault_t *f)
{
	const frame_view_t *fv = &e->fv;
	uint32_t linked = 0, kernel[FRAME_OWNERS] = { 0 };

	*fs = (sc_frame_sums_t){ 0 };
	if (check_chains(fv, &linked, f))
		return f->rule;
	for (uint32_t i = 0; i < fv->nframes; i++) {
		const frame_t *fr = &fv->frames[i];
		switch (fr->type) {
		case FRAME_T_NONE:
		case FRAME_T_FIRMWARE:
		case FRAME_T_HIGH:
		case FRAME_T_USER:
			continue;
		case FRAME_T_KERNEL:
			if (fr->kind >= FRAME_OWNERS)
				return fail(f, LENT_SC_FRAME_ENTRY, i << PAGE_SHIFT);
			kernel[fr->kind]++;
			continue;
		case FRAME_T_LENT:
			if (i >= LIMIT_FRAMES || i == 0 || !kind_fits(e, fr))
				return fail(f, LENT_SC_FRAME_ENTRY, i << PAGE_SHIFT);
			/* On its chain, and no other frame lent at its place. */
			if (frame_find(fr->task, fr->cid) != i << PAGE_SHIFT)
				return fail(f, LENT_SC_FRAME_CHAIN, i << PAGE_SHIFT);
			fs->lent++;
			if (fr->kind == SC_STORE_KIND)
				fs->store_free++;
			else if (fr->kind == SC_AHEAD_KIND)
				fs->ahead++;
			else if (fr->task == e->sigma0_id)
				fs->sigma0_used++;
			continue;
		default:
			return fail(f, LENT_SC_FRAME_ENTRY, i << PAGE_SHIFT);
		}
	}
	if (linked != fs->lent || fs->lent != fv->lent_count)
		return fail(f, LENT_SC_FRAME_CHAIN, linked);
	for (unsigned k = 0; k < FRAME_OWNERS; k++)
		if (kernel[k] != fv->kernel_frames[k])
			return fail(f, LENT_SC_FRAME_ENTRY, k);
	return 0;
}

uint32_t sc_check_totals(const sc_env_t *e, const sc_sums_t *sum, const sc_frame_sums_t *fs,
			 const sc_counts_t *c, sc_fault_t *f)
{
	if (fs->store_free != c->store_free || fs->sigma0_used + c->store_free != c->store_given)
		return fail(f, LENT_SC_STORE, fs->store_free);
	/* sigma0's frames in use are in sum->lent, with every task's. */
	if (sum->lent + c->unhoused_records + fs->store_free + sum->ahead != fs->lent ||
	    sum->ahead != fs->ahead)
		return fail(f, LENT_SC_FRAME_ORPHAN, fs->lent);
	if (sum->pool + c->kernel_pages + c->free_pages != c->pool_pages ||
	    (!c->pool_build && sum->pool != c->boot_task_pages) ||
	    (c->pool_build && c->boot_task_pages))
		return fail(f, LENT_SC_POOL, sum->pool);
	if (sum->reserve != e->fv.kernel_frames[FRAME_OWN_SIGMA0_RESERVE])
		return fail(f, LENT_SC_POOL, sum->reserve);
	return 0;
}
