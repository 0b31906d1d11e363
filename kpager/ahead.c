/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lending ahead (docs/kpager-protocol.md, "Lending ahead"): the kpager
 * lends a client task frames before it needs them (KmemControl
 * LEND_AHEAD), and the kernel binds one to a content identifier when an
 * operation of the task needs a page, with no kernel page fault.  The
 * kpager learns what became of each frame when it tops a reserve up: it
 * asks WHERE of every frame it lent ahead and still follows, drops the
 * bound ones (they are lent pages now, like any answer's) and those that
 * came back (the pool finds them free by LENT), and lends the task more
 * until its reserve holds kp->ahead unbound frames.
 */
#include "kpager.h"

/* Learn what became of the frames lent ahead that we follow. */
static void ahead_scan(struct kpager *kp)
{
	for (unsigned i = 0; i < KPAGER_AHEAD_RECS; i++) {
		struct kpager_ahead_rec *r = &kp->ahead_rec[i];

		if (!r->page)
			continue;
		if (lent_kmem_control(r->client, LENT_KMEM_WHERE, r->page)) {
			if (rt_mr(1) == LENT_CID_UNBOUND)
				continue;              /* still in the reserve */
			kp->ahead_bound++;
			kp->ahead_last_cid = rt_mr(1);
		}
		/* Bound, or given back (the task died, or we took it back). */
		r->page = 0;
	}
}

static struct kpager_ahead_rec *free_rec(struct kpager *kp)
{
	for (unsigned i = 0; i < KPAGER_AHEAD_RECS; i++)
		if (!kp->ahead_rec[i].page)
			return &kp->ahead_rec[i];
	return 0;
}

L4_Word_t kpager_ahead_top_up(struct kpager *kp, L4_ThreadId_t client)
{
	L4_Word_t have;

	ahead_scan(kp);
	if (!lent_kmem_control(client.raw, LENT_KMEM_STATS, 0))
		return 0;                      /* not a task we may read */
	have = rt_mr(LENT_KMEM_STAT_AHEAD);
	while (have < kp->ahead) {
		struct kpager_ahead_rec *r = free_rec(kp);
		L4_Word_t page, got;

		if (!r)
			break;
		page = kp->policy(kp, client, LENT_CID_UNBOUND, LENT_KMEM_KINDS);
		if (!page)
			break;
		got = lent_kmem_control(client.raw, LENT_KMEM_LEND_AHEAD, page);
		if (!got) {
			/* Refused (not our client, a task of boot's, a
			 * KMEM=pool kernel, the reserve full, or the page):
			 * the page stays ours, and we stop here. */
			kp->ahead_refused++;
			kp->ahead_last_refusal = rt_mr(1);
			kpager_pool_set(&kp->pool, page, KPAGER_FREE);
			break;
		}
		r->page = page;
		r->client = client.raw;
		kp->ahead_lent++;
		have = got;
	}
	return have;
}

L4_Word_t kpager_ahead_request(L4_ThreadId_t kpager)
{
	L4_MsgTag_t tag = L4_Niltag;

	tag.X.label = KPAGER_AHEAD_LABEL;
	L4_LoadMR(0, tag.raw);
	tag = L4_Call(kpager);
	if (L4_IpcFailed(tag) || L4_UntypedWords(tag) != 1)
		return 0;
	return rt_mr(1);
}
