/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The preempting kpager (docs/writing-a-kpager.md): it lends from its
 * pool as FCFS does, remembers what each page holds (the task, by its
 * KmemControl TASK_ID, the content identifier, the kind), and takes pages
 * back when asked, at every step or at random.  Taking a page back is an
 * Unmap of its own page that keeps its own mapping (the kernel's use is
 * derived from it): the kernel writes the page's external form into it
 * and lets it go.  The kpager copies that form to a store of its own and
 * frees the page; when the kernel asks for the same content again, it
 * copies the form into a page, another one where it can, and lends that.
 * A page the kernel keeps (a kind it does not give back yet) stays lent.
 *
 * The requests come as messages to the kpager's own thread, so that one
 * thread writes the pool and the records (kpager.h).
 */
#include "kpager.h"
#include <l4/space.h>

static struct preempt_rec *rec_find(struct kpager_preempt *p, L4_Word_t state, L4_Word_t task,
				    L4_Word_t cid)
{
	for (unsigned i = 0; i < PREEMPT_RECORDS; i++) {
		struct preempt_rec *r = &p->rec[i];
		if (r->state == state && (state == PREEMPT_FREE || (r->task == task && r->cid == cid)))
			return r;
	}
	return 0;
}

static L4_Word_t store_of(struct kpager_preempt *p, const struct preempt_rec *r)
{
	return p->store + (L4_Word_t)(r - p->rec) * RT_PAGE_SIZE;
}

static void copy_page(L4_Word_t to, L4_Word_t from)
{
	L4_Word_t *d = (L4_Word_t *)to;
	const L4_Word_t *s = (const L4_Word_t *)from;

	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		d[i] = s[i];
}

/* A page for content kept from old: not old itself where another page
 * is free, so that the kernel imports into a different frame. */
static L4_Word_t take_other(struct kpager *kp, L4_Word_t old, L4_Word_t owner)
{
	L4_Word_t page = kpager_pool_take(kp, owner);

	if (page != old)
		return page;
	L4_Word_t other = kpager_pool_take(kp, owner);
	if (!other)
		return page;
	kpager_pool_set(&kp->pool, page, KPAGER_FREE);
	return other;
}

L4_Word_t preempt_lend(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid, unsigned kind)
{
	struct kpager_preempt *p = kp->data;
	L4_Word_t task = lent_kmem_control(client.raw, LENT_KMEM_TASK_ID, 0);
	L4_Word_t owner = task ? task : 1;
	struct preempt_rec *r = rec_find(p, PREEMPT_KEPT, task, cid);

	if (r) {
		/* Content it took back: into a page, and lent again. */
		L4_Word_t page = take_other(kp, r->page, owner);
		if (!page)
			return 0;
		copy_page(page, store_of(p, r));
		p->restored++;
		if (page != r->page)
			p->moved++;
		r->page = page;
		r->state = PREEMPT_LENT;
		return page;
	}
	L4_Word_t page = kpager_pool_take(kp, owner);
	if (!page)
		return 0;
	/* A page lent for a content identifier that had one lent before
	 * (the first answer got lost or refused) replaces that record. */
	r = rec_find(p, PREEMPT_LENT, task, cid);
	if (!r)
		r = rec_find(p, PREEMPT_FREE, 0, 0);
	if (!r) {
		p->untracked++;
		return page;
	}
	*r = (struct preempt_rec){ .page = page, .task = task, .cid = cid, .kind = kind,
				   .client = client.raw, .state = PREEMPT_LENT };
	return page;
}

/* A small generator of its own: the runs repeat from a seed. */
static L4_Word_t next_random(struct kpager_preempt *p)
{
	p->seed = p->seed * 1103515245u + 12345u;
	return (p->seed >> 16) & 0x7FFF;
}

/* Take back every page lent whose record is chosen: one out of `every`
 * at random (1: all), of content identifier cid (PREEMPT_ANY: any). */
static L4_Word_t take_back(struct kpager_preempt *p, L4_Word_t every, L4_Word_t cid)
{
	L4_Word_t n = 0;

	for (unsigned i = 0; i < PREEMPT_RECORDS; i++) {
		struct preempt_rec *r = &p->rec[i];

		if (r->state == PREEMPT_KEPT &&
		    lent_kmem_control(r->client, LENT_KMEM_TASK_ID, 0) != r->task)
			r->state = PREEMPT_FREE;    /* its task is gone */
		if (r->state != PREEMPT_LENT || (cid != PREEMPT_ANY && r->cid != cid))
			continue;
		if (!lent_kmem_control(0, LENT_KMEM_LENT, r->page)) {
			r->state = PREEMPT_FREE;    /* given back, or never taken */
			continue;
		}
		if (every > 1 && next_random(p) % every)
			continue;
		L4_Fpage_t fp = L4_FpageAddRights(L4_FpageLog2(r->page, 12), L4_FullyAccessible);
		(void)L4_UnmapFpage(fp);
		if (lent_kmem_control(0, LENT_KMEM_LENT, r->page)) {
			p->held++;                  /* a kind the kernel keeps */
			continue;
		}
		copy_page(store_of(p, r), r->page);
		kpager_pool_set(&p->kp.pool, r->page, KPAGER_FREE);
		r->state = PREEMPT_KEPT;
		p->taken++;
		n++;
	}
	return n;
}

static void preempt_other(struct kpager *kp, L4_ThreadId_t from, L4_MsgTag_t tag)
{
	struct kpager_preempt *p = kp->data;

	if (L4_Label(tag) != PREEMPT_LABEL || L4_UntypedWords(tag) != 2)
		return;
	L4_Word_t every = rt_mr(1), n = take_back(p, every ? every : 1, rt_mr(2));
	rt_msg(PREEMPT_LABEL, 1, &n);
	(void)L4_Send_Timeout(from, L4_ZeroTime);
}

L4_ThreadId_t preempt_start(struct kpager_preempt *p, L4_Word_t base, L4_Word_t pages,
			    L4_Word_t store, L4_Word_t seed)
{
	kpager_init(&p->kp, preempt_lend, p);
	p->kp.other = preempt_other;
	for (unsigned i = 0; i < PREEMPT_RECORDS; i++)
		p->rec[i].state = PREEMPT_FREE;
	p->store = store;
	p->seed = seed;
	p->taken = p->held = p->restored = p->moved = p->untracked = 0;
	if (kpager_pool_add(&p->kp.pool, base, pages) < 0)
		return L4_nilthread;
	return kpager_start(&p->kp);
}

L4_Word_t preempt_take_back_cid(struct kpager_preempt *p, L4_Word_t every, L4_Word_t cid)
{
	L4_Word_t w[2] = { every, cid };

	rt_msg(PREEMPT_LABEL, 2, w);
	if (L4_IpcFailed(L4_Call(p->kp.thread)))
		return 0;
	return rt_mr(1);
}

L4_Word_t preempt_take_back(struct kpager_preempt *p, L4_Word_t every)
{
	return preempt_take_back_cid(p, every, PREEMPT_ANY);
}
