/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The FCFS kpager: first come, first served.  It lends from its pool to
 * whoever asks until the pool is empty (pages that came back included),
 * then answers "no memory".  It never asks for more.
 */
#include "kpager.h"

static L4_Word_t fcfs_policy(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid,
			     unsigned kind)
{
	(void)cid;
	(void)kind;
	/* The pool tags each page with the thread that named the task, so
	 * that a test can tell whom it went to; 0 would mean "free". */
	return kpager_pool_take(kp, client.raw ? client.raw : 1);
}

/* Start an FCFS kpager lending the pages [base, base + pages * 4 KB). */
L4_ThreadId_t fcfs_start(struct kpager_fcfs *f, L4_Word_t base, L4_Word_t pages)
{
	kpager_init(&f->kp, fcfs_policy, f);
	if (kpager_pool_add(&f->kp.pool, base, pages) < 0)
		return L4_nilthread;
	return kpager_start(&f->kp);
}

/* Lend n frames ahead to each client task (0: never, the default), and
 * top its reserve up when it asks or faults (ahead.c).  Call before or
 * after the start; the kpager's thread reads it at each message. */
void fcfs_set_ahead(struct kpager_fcfs *f, L4_Word_t n)
{
	f->kp.ahead = n;
}

/* Pages lent to the task of this thread that the kernel still holds
 * (read-only: safe from any thread). */
L4_Word_t fcfs_lent_to(struct kpager_fcfs *f, L4_ThreadId_t task)
{
	return kpager_pool_held(&f->kp.pool, task.raw);
}
