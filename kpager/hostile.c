/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile kpager (issue 7): the preempting kpager (preempt.c) that
 * edits every external form before it lends it back, and now and then
 * answers a fault with a page the kernel must refuse.  Its edits are
 * seeded, so a run repeats:
 *   - random words at random places;
 *   - words shaped like what a kernel page could hold and a kpager must
 *     never get the kernel to use: kernel addresses, frame numbers with
 *     page-table bits, all ones;
 *   - a sentinel of another task's (one of another kpager's clients),
 *     as if the page could lead the kernel to it.
 * What the kernel does with such a page is the import's business: for
 * the kinds it gives back vacant, it uses nothing of it.  A UTCB page is
 * its client's own words, which the client would see changed; there it
 * forges only the words the kernel keeps in each UTCB (the self-pointer,
 * MyGlobalId, ProcessorNo), which the import must write again.  The test that
 * runs it (t_kpreempt_work.c) checks that the kernel stays whole and
 * that another kpager's client sees nothing.
 */
#include "kpager.h"

static L4_Word_t next_random(struct kpager_hostile *h)
{
	h->seed = h->seed * 1103515245u + 12345u;
	return h->seed;
}

/* One word a hostile kpager might write. */
static L4_Word_t hostile_word(struct kpager_hostile *h)
{
	L4_Word_t r = next_random(h), v = next_random(h);

	switch ((r >> 8) % 6) {
	case 0: return v;                                    /* anything */
	case 1: return 0xC0000000UL | (v & 0x3FFFF000UL);    /* a kernel address */
	case 2: return (v & 0x3FFFF000UL) | 0x7;             /* a frame, present, user, writable */
	case 3: return h->sentinel;                          /* another task's data */
	case 4: return ~0UL;
	default: return 0;
	}
}

static void edit(struct kpager_hostile *h, L4_Word_t page)
{
	volatile L4_Word_t *w = (volatile L4_Word_t *)page;

	for (L4_Word_t i = 0; i < h->per_page; i++) {
		L4_Word_t at = (next_random(h) >> 4) % (RT_PAGE_SIZE / sizeof(L4_Word_t));
		w[at] = hostile_word(h);
		h->edits++;
	}
}

/* The words the kernel keeps in each 512-byte UTCB of a UTCB page that
 * a thread uses (its first word, the self-pointer, is set): the
 * self-pointer, MyGlobalId and ProcessorNo (MR0 - 60 and MR0 - 56,
 * where MR0 is 256 bytes in). */
static void edit_utcb(struct kpager_hostile *h, L4_Word_t page)
{
	static const unsigned kept[] = { 0, (256 - 60) / 4, (256 - 56) / 4 };
	volatile L4_Word_t *w = (volatile L4_Word_t *)page;

	for (L4_Word_t i = 0; i < h->per_page; i++) {
		L4_Word_t r = next_random(h);
		L4_Word_t utcb = (r >> 4) % (RT_PAGE_SIZE / 512) * (512 / sizeof(L4_Word_t));
		if (!w[utcb])
			continue;
		w[utcb + kept[(r >> 16) % 3]] = hostile_word(h);
		h->edits++;
	}
}

/* An address in the kpager's space with no page: the kernel refuses it
 * (LENT_KPF_NOT_MAPPED) and the library asks the policy again. */
#define HOSTILE_NO_PAGE	0xB7F00000UL

static L4_Word_t hostile_policy(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid,
				unsigned kind)
{
	struct kpager_hostile *h = (struct kpager_hostile *)kp->data;
	L4_Word_t restored = h->pre.restored;

	if (++h->turn % 5 == 0) {
		h->bad_answers++;
		return HOSTILE_NO_PAGE;
	}
	L4_Word_t page = preempt_lend(kp, client, cid, kind);
	if (page && h->pre.restored != restored) {
		if (kind == LENT_KMEM_UTCB)
			edit_utcb(h, page);
		else
			edit(h, page);
		h->lent_back++;
	}
	return page;
}

L4_ThreadId_t hostile_start(struct kpager_hostile *h, L4_Word_t base, L4_Word_t pages,
			    L4_Word_t store, L4_Word_t seed, L4_Word_t per_page,
			    L4_Word_t sentinel)
{
	h->seed = seed;
	h->per_page = per_page;
	h->sentinel = sentinel;
	h->turn = h->edits = h->bad_answers = h->lent_back = 0;
	/* preempt_start starts the thread: the policy is swapped before it
	 * can receive a fault (no task names it as kpager yet). */
	L4_ThreadId_t t = preempt_start(&h->pre, base, pages, store, seed);
	h->pre.kp.policy = hostile_policy;
	return t;
}
