/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel memory: every page of dynamic kernel metadata is requested here,
 * for a named task (address space) and of a named kind, so that it can be
 * accounted to that task and supplied by the task's kpager.
 *
 * Two builds: in the default one the kinds a kpager lends
 * (kmem_kind_is_lent) come from frames the task's kpager lent at a
 * content identifier (every kind, the task record too, for every task
 * but sigma0 and boot's), and only sigma0's and boot's from the kernel's
 * bounded boot reserve, which takes the pool's place; with
 * KMEM=pool (LENT_KMEM_POOL) every kind comes from the pool, as in the
 * paper's comparison kernel.  See docs/kernel-memory.md.
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include <kernel/types.h>
#include <kernel/kmem_account.h>

typedef struct space space_t;

void kmem_init(uint32_t pool_phys, uint32_t pool_bytes);
/* A zeroed page for s (NULL for the kernel's own), or NULL if none: the
 * pool is empty, or s is unprivileged and the pool is down to the
 * privileged reserve or s holds its limit. */
void *kmem_alloc(space_t *s, enum kmem_kind kind);
void kmem_free(space_t *s, enum kmem_kind kind, void *page);
/* A task's record (the space object) is allocated before the task exists
 * (as the kernel's), then charged to the task itself; freeing it ends
 * the charge with it. */
void kmem_adopt(space_t *s, enum kmem_kind kind);
/* Give the record of a task that is gone back where it came from: to the
 * pool, or, lent, zeroed to its kpager; nothing touches s after. */
void kmem_free_record(space_t *s);

/*
 * The task record in the lent build: a page the new task's kpager lends
 * at (its id, LENT_CID_TASK), gathered by ThreadControl before the space
 * exists (kernel/sys_thread.c), so these name the task by its id.
 */
/* Do records of tasks made from now on come from a kpager? */
bool kmem_record_is_lent(void);
/* The record page lent for task id (zeroed at accept), or NULL. */
void *kmem_record_lent(uint32_t task);
/* Give back the record frame lent for task id, if any: a task whose
 * creation ended before its space was built. */
void kmem_return_record(uint32_t task);

/*
 * Pages by content identifier: the gather step asks kmem_has() for every
 * page an operation will need, in fault order, and stops at the first
 * that is missing; the act step then takes them with kmem_get(), which
 * cannot fail for a page kmem_has() vouched for.
 */
/* Is kind a kind the task's kpager lends in this build (for s)? */
bool kmem_kind_is_lent(const space_t *s, enum kmem_kind kind);
/* Could kmem_get(s, kind, cid) give a page now?  False in the lent build:
 * nothing is lent at cid (a kernel page fault must ask for it); in the
 * pool build: the pool cannot give s a page (X.2's "no memory"). */
bool kmem_has(const space_t *s, enum kmem_kind kind, uint32_t cid);
/* The page for s at cid, zeroed; NULL only where kmem_has() said false. */
void *kmem_get(space_t *s, enum kmem_kind kind, uint32_t cid);
/* Give back a page kmem_get() gave: to the pool, or the frame to its
 * kpager (no longer lent; its translations come back by page faults). */
void kmem_put(space_t *s, enum kmem_kind kind, void *page);
/* About how many instructions kmem_put(page) takes, for preemption
 * points (kernel/preempt.h): a lent frame is zeroed before it goes back,
 * a page of the pool only goes on its list. */
unsigned kmem_put_cost(const void *page);
/* The task dies, every page in use given back: give back the frames
 * lent for it that no operation used (the kernel asks only for the
 * page tables and node tables of its 4 MB slots, its next page of
 * mapping nodes, its page directory and the UTCB pages of its UTCB
 * area, so those are all the places to look). */
void kmem_return_unused(space_t *s);
/* Give back the frame lent at cid, if any (a page gathered for an
 * operation that never acted). */
void kmem_return_lent(space_t *s, enum kmem_kind kind, uint32_t cid);
/* A frame the task's kpager lent at cid has been accepted: count it. */
void kmem_lent(space_t *s, enum kmem_kind kind);
/* Pages of kernel memory charged to s, all kinds together. */
uint32_t kmem_task_pages(const space_t *s);

/*
 * The boot reserve for sigma0's root mappings: while it is open, every
 * page asked for owner comes from [phys, phys + bytes), and from nowhere
 * else.  Closing it gives the unused rest to the pool and returns the
 * number of pages used.
 */
void kmem_boot_reserve_open(space_t *owner, uint32_t phys, uint32_t bytes);
uint32_t kmem_boot_reserve_close(void);

/* The pool's counts (kmem_stats_t: kernel/kmem_account.h). */
void kmem_stats(kmem_stats_t *st);
/* What the pool is called in this build: "pool" (KMEM=pool), or
 * "boot-reserve" (the default build, where it serves only the KIP, boot's
 * tasks while boot makes them, and sigma0). */
const char *kmem_pool_name(void);

#endif
