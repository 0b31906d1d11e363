/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A logging test kpager (t_kplog.c), shared by the tests of lent kinds
 * (t_klend.c) and of the task record (t_ktask.c): a thread of the root
 * that logs every kernel page fault it receives (CID, kind, the task
 * named) and answers it from the root's pages, or refuses the faults of
 * one kind, or holds them until the test releases them.
 */
#ifndef TESTS_T_KPLOG_H
#define TESTS_T_KPLOG_H

#include "tests.h"

#define T_KPLOG_LOG	16

enum t_kplog_mode { T_KPLOG_SERVE, T_KPLOG_REFUSE_KIND, T_KPLOG_HOLD_KIND };

struct t_kplog {
	L4_Word_t mode, kind;           /* refuse or hold faults of this kind */
	L4_Word_t release;              /* T_KPLOG_HOLD_KIND: answer the held fault */
	L4_Word_t n;                    /* faults seen */
	L4_Word_t cid[T_KPLOG_LOG], fkind[T_KPLOG_LOG], task[T_KPLOG_LOG], page[T_KPLOG_LOG];
	L4_Word_t next;                 /* next pool page to look at */
	L4_Word_t failed;               /* answers the kernel refused */
	L4_Word_t up;                   /* the kpager runs */
	L4_Word_t pool, pages;          /* the root's pages it lends from */
};

/* Clear the log and set the mode; the pool stays. */
void t_kplog_reset(volatile struct t_kplog *k, L4_Word_t mode, L4_Word_t kind);
/* The next page of the pool that is not lent now, or 0. */
L4_Word_t t_kplog_take(volatile struct t_kplog *k);
/* The pages of kind the task of thread task holds (KmemControl STATS). */
L4_Word_t t_kplog_count(L4_ThreadId_t task, unsigned kind);
/* Fault i of the log was for task's page of this kind at cid. */
const char *t_kplog_fault_was(volatile struct t_kplog *k, L4_Word_t i, L4_ThreadId_t task,
			      unsigned kind, L4_Word_t cid);
/* The kpager thread's body: arg is its struct t_kplog. */
void t_kplog_loop(L4_Word_t arg);
/* Reset k to serve, get its pool of pages once, check that none of it
 * is lent, and start its kpager thread into *thread. */
const char *t_kplog_start(volatile struct t_kplog *k, L4_Word_t pages, L4_ThreadId_t *thread);
/* The first of pages pool pages, from page from on, that is not lent
 * now (the one a kpager taking them in order lends next), or 0. */
L4_Word_t t_pool_next_unlent(L4_Word_t pool, L4_Word_t from, L4_Word_t pages);
/* The page of k's pool lent now for (kind, cid), or 0. */
L4_Word_t t_kplog_lent_for(volatile struct t_kplog *k, unsigned kind, L4_Word_t cid);

#endif
