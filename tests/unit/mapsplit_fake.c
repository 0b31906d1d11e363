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
int msk_page_of(uint32_t va)
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
unsigned long msk_page_looks;

ms_ent_t *ms_page(ms_space_t *s, uint32_t n)
{
	ms_ent_t *page = n < MSK_MAXPAGES ? msk_of(s)->pg[n] : NULL;
	unsigned i = 0;

	msk_page_looks++;
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
	return msk_page_of(va) >= 0;
}

void ms_pte_set(ms_space_t *s, uint32_t va, uint32_t phys, uint32_t rights, uint32_t type)
{
	int p = msk_page_of(va);

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
	int p = msk_page_of(va);

	MSK_REQUIRE(p >= 0, "pte_clear outside the window: %#x", va);
	msk_pte_t *e = &msk_of(s)->pte[p];
	uint32_t access = e->present ? e->access : 0;
	e->present = false;
	e->access = 0;
	return access;
}

uint32_t ms_pte_restrict(ms_space_t *s, uint32_t va, uint32_t rights)
{
	int p = msk_page_of(va);

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
	if (n < MSK_MAXPAGES)
		msk_of(s)->noted[n] = true;
}

bool msk_trim_keeps_room;

unsigned msk_trim(void)
{
	unsigned back = 0;

	for (unsigned ti = 1; ti < MSK_NTASKS; ti++) {
		msk_task_t *t = &msk_task[ti];
		bool away = false;

		for (unsigned n = 0; n < t->ms.pages; n++)
			away |= t->stored[n];
		for (unsigned n = t->ms.pages; n-- > 0;) {
			ms_ent_t *page = t->pg[n];

			if (!t->noted[n] || !page || page[0].k.hdr.nfree != MS_ENTS - 1 ||
			    (n + 1 < t->ms.pages && away) ||
			    (msk_trim_keeps_room && n == t->ms.room))
				continue;
			ms_seen_forget(&t->ms, n);
			t->pg[n] = NULL;
			ms_page_gone(&t->ms, n);
			free(page);
			back++;
		}
		memset(t->noted, 0, sizeof(t->noted));
	}
	return back;
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

	msk_trim_keeps_room = false;
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
	case MS_NEED_ENTRY: {
		uint32_t n = ms_page_next(s);      /* the lowest hole, or a new page */

		if (n >= MSK_MAXPAGES)
			return false;
		MSK_REQUIRE(!t->pg[n] && !t->stored[n], "page %u of task %u is no hole", n, ti);
		t->pg[n] = page_alloc();
		ms_page_init(s, n, t->pg[n]);
		return true;
	}
	}
	return false;
}

bool msk_export_page(unsigned ti, uint32_t n)
{
	msk_task_t *t = &msk_task[ti];
	bool holes = t->ms.holes != 0;

	if (n >= MSK_MAXPAGES || !t->pg[n] || ms_export_page(&t->ms, n) != MS_OK)
		return false;
	/* The task's holes count as away from now on: its kpager holds
	 * them, empty (the kernel's gave them back zeroed; one comes back
	 * refused, and is taken as an empty page all the same). */
	for (uint32_t h = 0; holes && h < t->ms.pages; h++)
		if (h != n && !t->pg[h] && !t->stored[h]) {
			ms_page_format(&t->ms, h, t->store[h]);
			t->stored[h] = true;
		}
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
