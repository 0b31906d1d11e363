/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager's pool: chunks of its own pages, each page free, lent (with
 * the tag of whom to), or refused by the kernel.  A lent page comes back
 * when the task it was lent for dies; the kernel does not say so, but
 * KmemControl LENT tells, so a page is found free again by asking.
 */
#include "kpager.h"

/* The index of page in owner[], or -1 if it is none of the pool's. */
static int index_of(const struct kpager_pool *p, L4_Word_t page)
{
	for (L4_Word_t c = 0; c < p->chunks; c++)
		if (page >= p->base[c] && page < p->base[c] + p->pages[c] * RT_PAGE_SIZE)
			return (int)(p->first[c] + (page - p->base[c]) / RT_PAGE_SIZE);
	return -1;
}

static L4_Word_t page_at(const struct kpager_pool *p, L4_Word_t i)
{
	for (L4_Word_t c = 0; c < p->chunks; c++)
		if (i >= p->first[c] && i < p->first[c] + p->pages[c])
			return p->base[c] + (i - p->first[c]) * RT_PAGE_SIZE;
	return 0;
}

/* Add n pages from base (page-aligned, mapped in the kpager's space).
 * The chunk is published last, so a reader sees it whole or not at
 * all.  0, or -1 if the pool is full. */
int kpager_pool_add(struct kpager_pool *p, L4_Word_t base, L4_Word_t n)
{
	L4_Word_t c = p->chunks;

	if (!n || base & (RT_PAGE_SIZE - 1) || c == KPAGER_CHUNKS || p->used + n > KPAGER_PAGES)
		return -1;
	p->base[c] = base;
	p->pages[c] = n;
	p->first[c] = p->used;
	for (L4_Word_t i = 0; i < n; i++)
		p->owner[p->used + i] = KPAGER_FREE;
	p->used += n;
	__asm__ __volatile__("" ::: "memory");
	p->chunks = c + 1;
	return 0;
}

/* Entry i becomes free: the search must look at it again. */
static void freed(struct kpager_pool *p, L4_Word_t i)
{
	if (i < p->low) {
		p->low = i;
		p->low_chunk = 0;
	}
}

void kpager_pool_set(struct kpager_pool *p, L4_Word_t page, L4_Word_t owner)
{
	int i = index_of(p, page);

	if (i < 0)
		return;
	p->owner[i] = owner;
	if (owner == KPAGER_FREE)
		freed(p, (L4_Word_t)i);
}

/* The owner tag of a page of the pool, KPAGER_BAD if it is none of it. */
L4_Word_t kpager_pool_owner(const struct kpager_pool *p, L4_Word_t page)
{
	int i = index_of(p, page);

	return i < 0 ? KPAGER_BAD : p->owner[i];
}

L4_Word_t kpager_pool_count(const struct kpager_pool *p, L4_Word_t owner)
{
	L4_Word_t n = 0;

	for (L4_Word_t c = 0; c < p->chunks; c++)
		for (L4_Word_t i = p->first[c]; i < p->first[c] + p->pages[c]; i++)
			n += p->owner[i] == owner;
	return n;
}

/* Pages tagged with owner that the kernel still holds; unlike
 * kpager_reclaim it writes nothing, so any thread may ask. */
L4_Word_t kpager_pool_held(const struct kpager_pool *p, L4_Word_t owner)
{
	L4_Word_t n = 0;

	for (L4_Word_t c = 0; c < p->chunks; c++)
		for (L4_Word_t i = p->first[c]; i < p->first[c] + p->pages[c]; i++)
			n += p->owner[i] == owner &&
			     lent_kmem_control(0, LENT_KMEM_LENT, page_at(p, i));
	return n;
}

L4_Word_t kpager_pool_size(const struct kpager_pool *p)
{
	L4_Word_t n = 0;

	for (L4_Word_t c = 0; c < p->chunks; c++)
		n += p->pages[c];
	return n;
}

/* Free every lent page the kernel no longer holds; returns how many.
 * For the kpager's own thread (the policy calls it through
 * kpager_pool_take): a page it has taken but not yet answered with is
 * not lent yet either. */
L4_Word_t kpager_reclaim(struct kpager *kp)
{
	struct kpager_pool *p = &kp->pool;
	L4_Word_t n = 0;

	for (L4_Word_t c = 0; c < p->chunks; c++)
		for (L4_Word_t i = p->first[c]; i < p->first[c] + p->pages[c]; i++) {
			L4_Word_t o = p->owner[i];

			if (o == KPAGER_FREE || o == KPAGER_BAD ||
			    lent_kmem_control(0, LENT_KMEM_LENT, page_at(p, i)))
				continue;
			p->owner[i] = KPAGER_FREE;
			freed(p, i);
			n++;
		}
	kp->reclaimed += n;
	return n;
}

/* The lowest free page, as a scan from the start would find it; the
 * scan starts at p->low in chunk p->low_chunk, below which nothing is
 * free, so that lending page after page costs no more for a fuller
 * pool, nor for one of more chunks. */
static L4_Word_t take_free(struct kpager_pool *p, L4_Word_t owner)
{
	for (L4_Word_t c = p->low_chunk; c < p->chunks; c++) {
		L4_Word_t end = p->first[c] + p->pages[c];

		for (L4_Word_t i = p->first[c] > p->low ? p->first[c] : p->low; i < end; i++)
			if (p->owner[i] == KPAGER_FREE) {
				p->owner[i] = owner;
				p->low = i + 1;
				p->low_chunk = c;
				return p->base[c] + (i - p->first[c]) * RT_PAGE_SIZE;
			}
	}
	return 0;
}

/* A free page, now tagged with owner; the pages that came back are
 * looked for when none is free.  0 if the pool is empty. */
L4_Word_t kpager_pool_take(struct kpager *kp, L4_Word_t owner)
{
	L4_Word_t page = take_free(&kp->pool, owner);

	if (page || !kpager_reclaim(kp))
		return page;
	return take_free(&kp->pool, owner);
}

/* Ask the kpager's own pager for n more pages and add them to the pool.
 * Returns the pages added (0 or n). */
L4_Word_t kpager_grow(struct kpager *kp, L4_Word_t n)
{
	L4_Word_t base = kp->more ? kp->more(n) : rt_get_pages(n);

	if (!base || kpager_pool_add(&kp->pool, base, n) < 0)
		return 0;
	return n;
}
