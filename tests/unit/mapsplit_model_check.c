/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The checks run after each operation of the reference model's runs
 * (mapsplit_model.c): the database's invariants, and every translation
 * against the model (honest runs) or against the edge rules (hostile
 * runs, mapsplit_hostile.c); resolving everything; a dump for debugging.
 */
#include <stdio.h>
#include "mapsplit_model.h"

int msk_pos_of(uint32_t id, uint32_t va)
{
	ms_space_t *s = ms_space(id);

	if (!s)
		return -1;
	for (unsigned p = 0; p < MSK_NPAGES; p++)
		if (msk_va(p) == va)
			return POS(msk_of(s) - msk_task, p);
	return -1;
}

/* Is the translation at pos the model's own: the model's edge from the
 * parent the database names, its frame, at most its rights?  Else it
 * must come from a kpager's edit: an edited task at one end of its
 * edge, or a translation above it that is not the model's either. */
static bool backed(int pos, int parent, const msk_pte_t *pte)
{
	const mnode_t *m = &msk_model[pos];

	return m->mapped && m->parent == parent && pte->phys == m->frame &&
	       !(pte->rights & ~m->rights);
}

static int parent_of(unsigned ti, unsigned p)
{
	ms_ent_t *r = ms_lookup(msk_space(ti), msk_va(p), NULL);

	MSK_REQUIRE(r, "task %u page %u: translation without record", ti, p);
	return r->flags & MS_F_ROOT ? -1 : msk_pos_of(r->task, r->pvaddr);
}

/* One translation against the model (honest) or the edge rules (hostile). */
static void check_pte(unsigned ti, unsigned p)
{
	const msk_pte_t *pte = &msk_task[ti].pte[p];
	const mnode_t *m = &msk_model[POS(ti, p)];

	if (!pte->present)
		return;
	ms_ent_t *r = ms_lookup(msk_space(ti), msk_va(p), NULL);

	/* Roots (sigma0's frames) and every honest translation: exactly the
	 * model's.  A task's own edits may even reach sigma0 where it took
	 * a mapping from them; that is checked as any other below. */
	if (!msk_hostile || (r && (r->flags & MS_F_ROOT))) {
		MSK_REQUIRE(m->mapped && pte->phys == m->frame && pte->rights == m->rights,
			    "task %u page %u: translation %#x/%#x, the model %s %#x/%#x", ti, p,
			    pte->phys, pte->rights, m->mapped ? "has" : "has nothing", m->frame,
			    m->rights);
		return;
	}
	int parent = parent_of(ti, p);
	MSK_REQUIRE(parent >= 0, "task %u page %u: parent not a task page", ti, p);
	unsigned pt = (unsigned)parent / MSK_NPAGES, pp = (unsigned)parent % MSK_NPAGES;
	const msk_pte_t *ppte = &msk_task[pt].pte[pp];
	MSK_REQUIRE(msk_hist[parent][POS(ti, p)], "task %u page %u: from %u:%u, never mapped so",
		    ti, p, pt, pp);
	MSK_REQUIRE(ppte->present && ppte->phys == pte->phys && !(pte->rights & ~ppte->rights),
		    "task %u page %u: more than its parent %u:%u gives", ti, p, pt, pp);
	if (backed(POS(ti, p), parent, pte))
		return;
	msk_unbacked++;
	if (msk_task[ti].tainted || msk_task[pt].tainted || msk_loose[parent][POS(ti, p)])
		return;
	MSK_REQUIRE(!backed(parent, parent_of(pt, pp), ppte),
		    "task %u page %u: an edge between untouched tasks beyond the model "
		    "(%#x/%#x from %u:%u; the model: %s from %d %#x/%#x; %u:%u %s from %d %#x/%#x)",
		    ti, p, pte->phys, pte->rights, pt, pp, m->mapped ? "mapped" : "nothing",
		    m->parent, m->frame, m->rights, pt, pp,
		    msk_model[parent].mapped ? "mapped" : "nothing", msk_model[parent].parent,
		    msk_model[parent].frame, msk_model[parent].rights);
}

void msk_check(void)
{
	msk_selfcheck();
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++)
		for (unsigned p = 0; p < MSK_NPAGES; p++)
			check_pte(ti, p);
}

void msk_check_resolved(unsigned ti, unsigned p, int err, uint32_t phys, uint32_t rights)
{
	const mnode_t *m = &msk_model[POS(ti, p)];

	if (msk_hostile)
		return;
	if (m->mapped)
		MSK_REQUIRE(err == MS_OK && phys == m->frame && rights == m->rights,
			    "resolve of %u:%u gave %d %#x/%#x, the model %#x/%#x", ti, p, err, phys,
			    rights, m->frame, m->rights);
	else
		MSK_REQUIRE(err == MS_NONE, "resolve of nothing at %u:%u gave %d", ti, p, err);
}

void msk_check_resolve_all(void)
{
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++)
		for (unsigned p = 0; p < MSK_NPAGES; p++) {
			uint32_t phys = 0, rights = 0;
			int err = msk_resolve(ti, p, &phys, &rights);

			msk_check_resolved(ti, p, err, phys, rights);
		}
	msk_check();
	if (msk_hostile)
		return;
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++)
		for (unsigned p = 0; p < MSK_NPAGES; p++)
			MSK_REQUIRE(msk_task[ti].pte[p].present == msk_model[POS(ti, p)].mapped,
				    "after resolving all, task %u page %u differs", ti, p);
}

/* For debugging a failure: one page in the model and the database. */
void msk_dump(unsigned ti, unsigned p)
{
	const mnode_t *m = &msk_model[POS(ti, p)];
	ms_ent_t *r = ms_lookup(msk_space(ti), msk_va(p), NULL);

	fprintf(stderr, "  %u:%u model %s parent %d frame %#x rights %#x; pte %d %#x/%#x",
		ti, p, m->mapped ? "mapped" : "-", m->parent, m->frame, m->rights,
		msk_task[ti].pte[p].present, msk_task[ti].pte[p].phys, msk_task[ti].pte[p].rights);
	if (r)
		fprintf(stderr, "; record from %u:%#x rights %#x gen %llu flags %#x\n", r->task,
			r->pvaddr, r->rights, (unsigned long long)r->gen, r->flags);
	else
		fprintf(stderr, "; no record\n");
}
