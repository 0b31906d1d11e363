/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ThreadControl on an existing thread that names another space moves the
 * thread there (X.2; Pistachio's api/v4/thread.cc, migrate_to_space).
 * Its body moves into a TCB page of the destination task's kernel memory,
 * lent by that task's kpager, and the charge with it; an active thread's
 * UTCB moves to the same location in the new space's UTCB area.
 * kernel/sys_thread.c validates and gathers, then acts with these.
 */
#ifndef KERNEL_THREAD_MIGRATE_H
#define KERNEL_THREAD_MIGRATE_H

#include <kernel/types.h>
#include <kernel/thread.h>
#include <kernel/syscall.h>

struct space;

/* 0 if a thread may move to `to` as far as kernel memory goes, else the
 * error (ERR_NO_MEMORY: no slot left in `to`, or its share of the
 * resident reserve is used up). */
word_t thread_migrate_refusal(const struct space *to);
/* The TCB page d's body will take in `to`, asked of to's kpager, the
 * fault naming `named` (enum sys_gather). */
enum sys_gather thread_migrate_gather(tcb_t *t, const struct space *to, tid_t named);
/* The pages the move uses, taken before anything changes: an active
 * thread's UTCB page in `to` (the UTCB's page table and page gathered),
 * then the TCB page; NULL if one is not there (the call fails with 8). */
void *thread_migrate_take(const tcb_t *d, struct space *to);
/* Move d to `to`, into page (from thread_migrate_take): cannot fail.
 * Returns d's body at its new place. */
tcb_t *thread_migrate(tcb_t *d, struct space *to, void *page);

#endif
