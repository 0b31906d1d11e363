/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fake tasks for kernel/mapsplit*.c (see mapsplit_check.h): the ms_*
 * hooks, each task's kpager, and a self-check of the database.
 */
#include <stdlib.h>
#include <string.h>
#include "mapsplit_check.h"
#include <kernel/mapsplit_int.h>

msk_task_t msk_task[MSK_NTASKS];
static uint32_t next_id = 1;

msk_task_t *msk_of(const ms_space_t *s)
{
	return (msk_task_t *)s;
}

ms_space_t *msk_space(unsigned t)
{
	return &msk_task[t].ms;
}

static unsigned index_of(const ms_space_t *s)
{
	return (unsigned)(msk_of(s) - msk_task);
}

/* Page index of va in the fake window, or -1. */
static int page_of(uint32_t va)
{
	uint32_t slot = va >> 22, k = (va >> PAGE_SHIFT) & 1023;

	if ((va & ~PAGE_MASK) || slot >= MSK_NSLOTS || k < 1 || k > 8)
		return -1;
	return (int)(slot * 8 + k - 1);
}

/* ---- hooks ---- */

/* A fixed key: the host tests need no secret, only one the edits do not
 * use (they never compute a seal). */
const siphash_key_t *ms_seal_key(void)
{
	static const siphash_key_t key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

	return &key;
}

ms_space_t *ms_space(uint32_t id)
{
	for (unsigned t = 0; t < MSK_NTASKS; t++)
		if (msk_task[t].alive && msk_task[t].ms.id == id)
			return &msk_task[t].ms;
	return NULL;
}

/* As the kernel's hook (kernel/space_split.c): the pages found last are
 * kept in s->seen, newest first, and read by the database without a
 * call (ms_page_at); a page that goes is forgotten first (page_forget),
 * or the database would use it after it was freed (ASan). */
ms_ent_t *ms_page(ms_space_t *s, uint32_t n)
{
	ms_ent_t *page = n < MSK_MAXPAGES ? msk_of(s)->pg[n] : NULL;
	unsigned i = 0;

	if (!page)
		return NULL;
	while (i < MS_SEEN - 1 && !(s->seen[i] && s->seen_n[i] == n))
		i++;
	ms_seen_put(s, i, page, n);
	return page;
}

uint32_t *ms_table(ms_space_t *s, uint32_t slot)
{
	return slot < MSK_NSLOTS ? msk_of(s)->nt[slot] : NULL;
}

bool ms_va_ok(const ms_space_t *s, uint32_t va)
{
	(void)s;
	return page_of(va) >= 0;
}

void ms_pte_set(ms_space_t *s, uint32_t va, uint32_t phys, uint32_t rights, uint32_t type)
{
	int p = page_of(va);

	MSK_REQUIRE(p >= 0, "pte_set outside the window: %#x", va);
	MSK_REQUIRE(rights && !(rights & ~MS_RIGHTS), "pte_set with rights %#x", rights);
	MSK_REQUIRE(ms_type_ok(type) || !type, "pte_set with memory type %u", type);
	msk_of(s)->pte[p] = (msk_pte_t){ true, phys, rights, 0, type };
}

/* As on IA-32 with a PAT: types 0-4 and 7 (arch/ia32/cachemode.h). */
bool ms_type_ok(uint32_t type)
{
	return type <= 4 || type == 7;
}

bool ms_type_own(const ms_space_t *s)
{
	return msk_of(s)->privileged;
}

uint32_t ms_pte_clear(ms_space_t *s, uint32_t va)
{
	int p = page_of(va);

	MSK_REQUIRE(p >= 0, "pte_clear outside the window: %#x", va);
	msk_pte_t *e = &msk_of(s)->pte[p];
	uint32_t access = e->present ? e->access : 0;
	e->present = false;
	e->access = 0;
	return access;
}

uint32_t ms_pte_restrict(ms_space_t *s, uint32_t va, uint32_t rights)
{
	int p = page_of(va);

	MSK_REQUIRE(p >= 0, "pte_restrict outside the window: %#x", va);
	msk_pte_t *e = &msk_of(s)->pte[p];
	uint32_t access = e->present ? e->access : 0;
	if (e->present)
		e->rights &= rights;
	if (!e->rights)
		e->present = false;
	e->access = 0;
	return access;
}

uint32_t msk_revoked[16];
unsigned msk_nrevoked;

uint32_t msk_empty_task, msk_empty_page;
unsigned msk_empty_calls;

void ms_page_empty(ms_space_t *s, uint32_t n)
{
	msk_empty_task = s->id;
	msk_empty_page = n;
	msk_empty_calls++;
}

unsigned msk_stop_pct;
unsigned long msk_stops;
static uint32_t stop_rng = 1;

void msk_stop_seed(uint32_t seed)
{
	stop_rng = seed ? seed : 1;
}

/* A preemption point stops with a chance of msk_stop_pct in 100. */
bool ms_stop_due(unsigned cost)
{
	(void)cost;
	if (!msk_stop_pct)
		return false;
	stop_rng ^= stop_rng << 13;
	stop_rng ^= stop_rng >> 17;
	stop_rng ^= stop_rng << 5;
	if (stop_rng % 100 >= msk_stop_pct)
		return false;
	msk_stops++;
	return true;
}

/* Every frame counts as lent here, so that the database always takes
 * the long way and msk_revoked sees every frame it names. */
bool ms_frame_lent(uint32_t phys)
{
	(void)phys;
	return true;
}

void ms_frame_revoking(uint32_t phys)
{
	if (msk_nrevoked < 16)
		msk_revoked[msk_nrevoked] = phys;
	msk_nrevoked++;
}

/* ---- tasks and kpagers ---- */

static void task_free(msk_task_t *t)
{
	for (unsigned n = 0; n < MSK_MAXPAGES; n++)
		free(t->pg[n]);
	for (unsigned i = 0; i < MSK_NSLOTS; i++)
		free(t->nt[i]);
	memset(t, 0, sizeof(*t));
}

static void task_make(unsigned i)
{
	msk_task_t *t = &msk_task[i];

	task_free(t);
	t->alive = true;
	t->ms.id = next_id++;
	t->ms.sigma0 = i == 0;
}

void msk_fake_reset(void)
{
	ms_need_t need;

	for (unsigned i = 0; i < MSK_NTASKS; i++)
		task_make(i);
	/* sigma0: its tables and pages stay; a root on each of its pages. */
	for (unsigned p = 0; p < MSK_NPAGES; p++) {
		int err;

		while ((err = ms_root(msk_space(0), msk_va(p), MSK_FRAME0 + p * PAGE_SIZE,
				      MS_RIGHTS, &need)) != MS_OK)
			MSK_REQUIRE(msk_supply(&need), "sigma0's roots: error %d", err);
	}
}

static ms_ent_t *page_alloc(void)
{
	ms_ent_t *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	MSK_REQUIRE(p, "out of host memory");
	return p;
}

bool msk_supply(const ms_need_t *need)
{
	ms_space_t *s = ms_space(need->task);

	if (!s)
		return false;
	msk_task_t *t = msk_of(s);
	unsigned ti = index_of(s);
	switch (need->kind) {
	case MS_NEED_TABLE:
		if (need->index >= MSK_NSLOTS || t->nt[need->index])
			return false;
		if (t->nt_stored[need->index])
			return msk_import_table(ti, need->index), true;
		t->nt[need->index] = malloc(MS_NT_ENTS * sizeof(uint32_t));
		ms_table_init(t->nt[need->index]);
		return true;
	case MS_NEED_PAGE:
		if (need->index >= MSK_MAXPAGES || t->pg[need->index] || !t->stored[need->index])
			return false;
		msk_import_page(ti, need->index);
		return true;
	case MS_NEED_ENTRY:
		if (s->pages >= MSK_MAXPAGES)
			return false;
		t->pg[s->pages] = page_alloc();
		ms_page_init(s, t->pg[s->pages]);
		return true;
	}
	return false;
}

bool msk_export_page(unsigned ti, uint32_t n)
{
	msk_task_t *t = &msk_task[ti];

	if (n >= MSK_MAXPAGES || !t->pg[n] || ms_export_page(&t->ms, n) != MS_OK)
		return false;
	if (t->exports[n]++)
		memcpy(t->old[n], t->store[n], PAGE_SIZE);   /* what a replay gives back */
	memcpy(t->store[n], t->pg[n], PAGE_SIZE);
	ms_seen_forget(&t->ms, n);
	free(t->pg[n]);
	t->pg[n] = NULL;
	t->stored[n] = true;
	return true;
}

bool msk_export_table(unsigned ti, uint32_t slot)
{
	msk_task_t *t = &msk_task[ti];

	if (slot >= MSK_NSLOTS || !t->nt[slot] || ms_export_table(&t->ms, slot) != MS_OK)
		return false;
	memcpy(t->nt_store[slot], t->nt[slot], sizeof(t->nt_store[slot]));
	free(t->nt[slot]);
	t->nt[slot] = NULL;
	t->nt_stored[slot] = true;
	return true;
}

int msk_import_page(unsigned ti, uint32_t n)
{
	msk_task_t *t = &msk_task[ti];
	int err;

	MSK_REQUIRE(t->stored[n] && !t->pg[n], "import of page %u of task %u: nothing stored", n, ti);
	t->pg[n] = page_alloc();
	memcpy(t->pg[n], t->store[n], PAGE_SIZE);
	err = ms_validate_page(&t->ms, n, t->pg[n]);
	MSK_REQUIRE(err == MS_OK || msk_hostile, "page %u of task %u, as exported, refused", n, ti);
	if (err != MS_OK) {
		ms_page_format(&t->ms, n, t->pg[n]);
		MSK_REQUIRE(ms_validate_page(&t->ms, n, t->pg[n]) == MS_OK, "empty page refused");
	}
	t->stored[n] = false;
	ms_convert_page(&t->ms, n);
	return err;
}

int msk_import_table(unsigned ti, uint32_t slot)
{
	msk_task_t *t = &msk_task[ti];
	int err;

	MSK_REQUIRE(t->nt_stored[slot] && !t->nt[slot], "import of table %u of task %u", slot, ti);
	t->nt[slot] = malloc(MS_NT_ENTS * sizeof(uint32_t));
	memcpy(t->nt[slot], t->nt_store[slot], sizeof(t->nt_store[slot]));
	err = ms_validate_table(&t->ms, slot, t->nt[slot]);
	MSK_REQUIRE(err == MS_OK || msk_hostile, "table %u of task %u, as exported, refused", slot,
		    ti);
	if (err != MS_OK)
		ms_table_init(t->nt[slot]);
	t->nt_stored[slot] = false;
	ms_convert_table(&t->ms, slot);
	return err;
}

void msk_import_all(void)
{
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++) {
		for (unsigned i = 0; i < MSK_NSLOTS; i++)
			if (msk_task[ti].nt_stored[i])
				msk_import_table(ti, i);
		for (unsigned n = 0; n < MSK_MAXPAGES; n++)
			if (msk_task[ti].stored[n])
				msk_import_page(ti, n);
	}
}

int msk_dying = -1;

/* With preemption points on, in steps, doing msk_on_stop between them
 * (what may happen meanwhile never maps into the dying task: it has no
 * thread left that could take a map). */
void msk_kill(unsigned ti)
{
	uint32_t cursor = 0;
	unsigned long stops = 0;

	msk_dying = (int)ti;
	while (ms_task_delete_part(&msk_task[ti].ms, &cursor, msk_stop_pct != 0) == MS_STOPPED) {
		MSK_REQUIRE(++stops < 1000000, "task death does not end");
		if (msk_on_stop)
			msk_on_stop();
	}
	msk_dying = -1;
	msk_task[ti].alive = false;
	for (unsigned p = 0; p < MSK_NPAGES; p++)
		MSK_REQUIRE(!msk_task[ti].pte[p].present, "a dead task keeps a translation");
	task_make(ti);
}

int msk_resolve(unsigned ti, unsigned p, uint32_t *phys, uint32_t *rights)
{
	ms_need_t need;

	for (unsigned tries = 0; tries < 1000; tries++) {
		int err = ms_resolve(&msk_task[ti].ms, msk_va(p), &need, phys, rights);

		if (err != MS_NEED)
			return err;
		if (!msk_supply(&need))
			return MS_NONE;
	}
	msk_failf("resolve of task %u page %u does not end", ti, p);
}

/* ---- self-check ---- */

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
	int p = page_of(e->vaddr);
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
		uint32_t nfree = 0;

		for (unsigned n = 0; n < t->ms.pages; n++)
			nfree += t->pg[n] ? t->pg[n][0].k.hdr.nfree : 0;
		MSK_REQUIRE(nfree == t->ms.nfree, "task %u: free entries %u, counted %u", ti, nfree,
			    t->ms.nfree);

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
