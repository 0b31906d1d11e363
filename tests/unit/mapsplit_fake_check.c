/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fake tasks' self-check of the database (see mapsplit_check.h):
 * its invariants, lists, free counts and holes, over present memory.
 */
#include <string.h>
#include "mapsplit_check.h"
#include <kernel/mapsplit_int.h>

static unsigned on_lists[MSK_NTASKS][MSK_MAXPAGES][MS_ENTS];

static void check_list(unsigned ti, uint32_t head, ms_ent_t *owner)
{
	ms_space_t *s = msk_space(ti);
	bool live_part = true;
	uint32_t r = head;
	unsigned n = 0;

	if (!head)
		return;
	do {
		ms_ent_t *p = ms_ent(s, r);

		MSK_REQUIRE(p, "task %u: list member %#x is absent", ti, r);
		MSK_REQUIRE(p->kind == MS_PART, "task %u: list member %#x is not a part", ti, r);
		MSK_REQUIRE(ms_ent(s, p->k.part.next)->k.part.prev == r,
			    "task %u: list links broken at %#x", ti, r);
		MSK_REQUIRE(on_lists[ti][MS_REF_PAGE(r)][MS_REF_ENT(r)]++ == 0,
			    "task %u: part %#x on two lists", ti, r);
		if (owner) {
			MSK_REQUIRE((p->flags & MS_F_ATTACHED) && p->k.part.owner == ms_ref_of(owner) &&
				    p->vaddr == owner->vaddr && p->egen == owner->egen,
				    "task %u: part %#x does not belong to its owner", ti, r);
			MSK_REQUIRE(!(p->flags & MS_F_LIVE) || live_part,
				    "task %u: a live part after an idle one", ti);
			live_part = (p->flags & MS_F_LIVE) != 0;
			/* A hostile receiver part may narrow a record at resolve
			 * below its parts: harmless (resolve intersects). */
			MSK_REQUIRE(msk_hostile || !(p->rights & ~owner->rights),
				    "task %u: part wider than owner", ti);
		} else {
			MSK_REQUIRE(!(p->flags & MS_F_LIVE), "task %u: a live orphan", ti);
		}
		if (p->flags & MS_F_LIVE) {
			ms_space_t *ct;
			ms_ent_t *c = ms_child(s, owner, p, &ct);

			MSK_REQUIRE(c && (c->flags & MS_F_RESOLVED) && c->k.rec.hint == r,
				    "task %u: live part %#x without its resolved child", ti, r);
		}
		MSK_REQUIRE(++n < MSK_MAXPAGES * MS_ENTS, "task %u: list does not end", ti);
		r = p->k.part.next;
	} while (r != head);
}

static void check_record(unsigned ti, ms_ent_t *e)
{
	ms_space_t *s = msk_space(ti);
	int p = msk_page_of(e->vaddr);
	msk_pte_t *pte = &msk_task[ti].pte[p];

	MSK_REQUIRE(p >= 0, "task %u: record outside the window", ti);
	check_list(ti, e->k.rec.head, e);
	if (e->flags & MS_F_ROOT)
		MSK_REQUIRE(!e->k.rec.spare || ms_ent(s, e->k.rec.spare)->kind == MS_RESERVED,
			    "task %u page %d: a root's room is not reserved", ti, p);
	if (!(e->flags & MS_F_RESOLVED)) {
		MSK_REQUIRE(!pte->present || ms_lookup(s, e->vaddr, NULL) != e,
			    "task %u page %d: translation without a resolved record", ti, p);
		return;
	}
	MSK_REQUIRE(ms_lookup(s, e->vaddr, NULL) == e, "task %u: resolved record not findable", ti);
	MSK_REQUIRE(pte->present && pte->phys == e->k.rec.phys && pte->rights == e->rights,
		    "task %u page %d: resolved record and translation differ", ti, p);
	if (e->flags & MS_F_ROOT)
		return;
	ms_space_t *ps = ms_space(e->task);
	ms_ent_t *pp = ms_ent(ps, e->k.rec.hint);
	MSK_REQUIRE(pp && pp->kind == MS_PART && (pp->flags & MS_F_LIVE),
		    "task %u page %d: resolved record's part is not live", ti, p);
	ms_ent_t *owner = ms_ent(ps, pp->k.part.owner);
	MSK_REQUIRE(owner && (owner->flags & MS_F_RESOLVED) && owner->k.rec.phys == e->k.rec.phys &&
		    !(e->rights & ~owner->rights),
		    "task %u page %d: resolved record under an unresolved or narrower parent", ti, p);
}

void msk_selfcheck(void)
{
	memset(on_lists, 0, sizeof(on_lists));
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++) {
		msk_task_t *t = &msk_task[ti];
		uint32_t nfree = 0, holes = 0, away = 0;

		for (unsigned n = 0; n < t->ms.pages; n++) {
			nfree += t->pg[n] ? t->pg[n][0].k.hdr.nfree : 0;
			holes += !t->pg[n] && !t->stored[n];
			away += t->stored[n];
			MSK_REQUIRE(t->pg[n] || t->stored[n] || n >= t->ms.hole,
				    "task %u: hole %u below the lowest, %u", ti, n, t->ms.hole);
		}
		MSK_REQUIRE(nfree == t->ms.nfree, "task %u: free entries %u, counted %u", ti, nfree,
			    t->ms.nfree);
		/* A hole is what went back empty; with one, none is away. */
		MSK_REQUIRE(holes == t->ms.holes && (!holes || !away),
			    "task %u: %u holes, counted %u, %u pages away", ti, holes, t->ms.holes,
			    away);
		MSK_REQUIRE(!t->ms.pages || t->pg[t->ms.pages - 1] || t->stored[t->ms.pages - 1],
			    "task %u: its pages end in a hole", ti);

		for (unsigned n = 0; n < t->ms.pages; n++) {
			ms_ent_t *page = t->pg[n];
			unsigned nfree = 0;

			if (!page)
				continue;
			for (unsigned k = 1; k < MS_ENTS; k++) {
				nfree += page[k].kind == MS_FREE;
				if (page[k].kind == MS_REC)
					check_record(ti, &page[k]);
				/* Access bits: as the kernel's rule
				 * LENT_SC_NODE_BITS (selfcheck_split.c). */
				MSK_REQUIRE(page[k].kind != MS_PART || !page[k].attr,
					    "task %u: part %u/%u with byte 3", ti, n, k);
				MSK_REQUIRE(page[k].kind != MS_REC ||
					    !(page[k].attr & ~(MS_ATTR_TYPE | MS_ATTR_BITS | MS_ATTR_OWN)),
					    "task %u: record %u/%u byte 3 %#x", ti, n, k, page[k].attr);
				MSK_REQUIRE(page[k].kind != MS_REC || !(page[k].attr & MS_ATTR_BITS) ||
					    ms_lookup(&t->ms, page[k].vaddr, NULL) == &page[k],
					    "task %u: record %u/%u no table finds keeps bits", ti, n, k);
			}
			MSK_REQUIRE(nfree == page[0].k.hdr.nfree, "task %u page %u: free count", ti, n);
		}
		check_list(ti, t->ms.orphans, NULL);
		for (unsigned n = 0; n < t->ms.pages; n++)
			for (unsigned k = 1; t->pg[n] && k < MS_ENTS; k++)
				MSK_REQUIRE(t->pg[n][k].kind != MS_PART || on_lists[ti][n][k] == 1,
					    "task %u: part %u/%u on no list", ti, n, k);
		for (unsigned p = 0; p < MSK_NPAGES; p++) {
			ms_ent_t *r = ms_lookup(&t->ms, msk_va(p), NULL);

			MSK_REQUIRE(!t->pte[p].present || (r && (r->flags & MS_F_RESOLVED)),
				    "task %u page %u: translation without a resolved record", ti, p);
		}
	}
}
