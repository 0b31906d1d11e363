/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The quota kpager: every client has a limit in pages.  A client is a
 * task; a kernel page fault names it by one of its threads (the one that
 * faulted, or the thread a ThreadControl or SpaceControl named), so the
 * threads of each client are registered here.  A client at its limit
 * gets "no memory" (X.2's outcome: ThreadControl or SpaceControl error
 * 8, a refused map item) and every other client goes on.  Faults for a
 * task nobody registered get nothing either.
 *
 * quota_upgrade raises a limit and backs it with pages from the
 * kpager's own pager.  Registering and upgrading are done by other
 * threads of the task: each entry is written whole before the count that
 * publishes it.
 */
#include "kpager.h"

/* A client's pages are tagged in the pool with its index plus one. */
static L4_Word_t tag_of(int client)
{
	return (L4_Word_t)client + 1;
}

static int client_of(struct kpager_quota *q, L4_ThreadId_t tid)
{
	for (L4_Word_t i = 0; i < q->threads; i++)
		if (q->thread[i] == tid.raw)
			return (int)q->client_of[i];
	return -1;
}

static L4_Word_t quota_policy(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid,
			      unsigned kind)
{
	struct kpager_quota *q = kp->data;
	int c = client_of(q, client);

	(void)cid;
	(void)kind;
	if (c < 0) {
		q->unknown++;
		return 0;
	}
	/* Pages of the client's dead tasks no longer count: look for them
	 * before saying no. */
	if (kpager_pool_count(&kp->pool, tag_of(c)) >= q->limit[c]) {
		kpager_reclaim(kp);
		if (kpager_pool_count(&kp->pool, tag_of(c)) >= q->limit[c]) {
			q->over[c]++;
			return 0;
		}
	}
	return kpager_pool_take(kp, tag_of(c));
}

/* Start a quota kpager lending the pages [base, base + pages * 4 KB). */
L4_ThreadId_t quota_start(struct kpager_quota *q, L4_Word_t base, L4_Word_t pages)
{
	volatile L4_Word_t *w = (volatile L4_Word_t *)q;

	for (L4_Word_t i = 0; i < sizeof(*q) / sizeof(L4_Word_t); i++)
		w[i] = 0;
	kpager_init(&q->kp, quota_policy, q);
	if (kpager_pool_add(&q->kp.pool, base, pages) < 0)
		return L4_nilthread;
	return kpager_start(&q->kp);
}

/* A new client with this limit: its index, or -1 if the table is full. */
int quota_client(struct kpager_quota *q, L4_Word_t limit)
{
	L4_Word_t c = q->clients;

	if (c == QUOTA_CLIENTS)
		return -1;
	q->limit[c] = limit;
	q->over[c] = 0;
	__asm__ __volatile__("" ::: "memory");
	q->clients = c + 1;
	return (int)c;
}

/* Faults that name tid are the client's.  0, or -1. */
int quota_add_thread(struct kpager_quota *q, int client, L4_ThreadId_t tid)
{
	L4_Word_t i = q->threads;

	if (client < 0 || (L4_Word_t)client >= q->clients || i == QUOTA_THREADS)
		return -1;
	q->thread[i] = tid.raw;
	q->client_of[i] = (L4_Word_t)client;
	__asm__ __volatile__("" ::: "memory");
	q->threads = i + 1;
	return 0;
}

/* The client's pages that the kernel holds now. */
L4_Word_t quota_used(struct kpager_quota *q, int client)
{
	return kpager_pool_held(&q->kp.pool, tag_of(client));
}

/* Raise the client's limit by pages, with as many new pages from the
 * kpager's own pager.  0, or -1 (nothing changed) if the pager gave
 * none or the pool is full. */
int quota_upgrade(struct kpager_quota *q, int client, L4_Word_t pages)
{
	if (client < 0 || (L4_Word_t)client >= q->clients || !kpager_grow(&q->kp, pages))
		return -1;
	q->limit[client] += pages;
	return 0;
}
