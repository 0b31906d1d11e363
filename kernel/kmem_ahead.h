/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lending ahead (docs/kernel-memory.md, "Lending ahead: a reserve per
 * task"; docs/kpager-protocol.md, "Lending ahead").  A task's kpager may
 * lend it frames before they are needed (KmemControl LEND_AHEAD); they
 * wait, unbound, in the task's reserve, and a gather that finds a page
 * missing binds one to the page's content identifier at once, without
 * a kernel page fault.
 *
 * The reserve lives in the frame table, as sigma0's store does: the
 * task's n-th unbound frame is the one lent to it at AHEAD_CID(n), a
 * slot above every kind's range, of kind KMEM_AHEAD_KIND.  The task
 * record keeps only the count (space.ahead, at most LENT_KAHEAD_MAX).
 */
#ifndef KERNEL_KMEM_AHEAD_H
#define KERNEL_KMEM_AHEAD_H

#include <kernel/types.h>
#include <kernel/kmem.h>

typedef struct space space_t;
struct tcb;

/* The frame table's kind of an unbound reserve frame (no kind of kernel
 * data, and not sigma0's store's KMEM_KINDS), and the slot of the n-th. */
#define KMEM_AHEAD_KIND (KMEM_KINDS + 1)
#define KMEM_AHEAD_CID(n) (LENT_CID_WINDOW_END + ((uint32_t)(n) << PAGE_SHIFT))

/* Bind a reserve frame of s to (kind, cid), if the reserve serves that
 * kind and is not empty: the frame is then lent at cid, counted, as if a
 * kernel page fault for it had been answered.  False: nothing changed.
 * The caller has found nothing lent at cid. */
bool kmem_ahead_bind(space_t *s, unsigned kind, uint32_t cid);

/* The map gather's missing pages (KMEM_ORDER_BIT of each kind) at va:
 * bind those the reserve can give, in fault order, and return the bits
 * still missing.  Only called with s->ahead != 0. */
unsigned kmem_ahead_bind_for_map(space_t *s, uint32_t va, unsigned missing);

/* KmemControl LEND_AHEAD and WHERE for caller t about task s. */
word_t kmem_ahead_lend(struct tcb *t, space_t *s, word_t va);
word_t kmem_ahead_where(struct tcb *t, space_t *s, word_t va);

/* The frame pa, lent to s at cid of kind, is being taken back by an
 * Unmap: if it is an unbound reserve frame, give it back (the top slot's
 * frame moves into its slot) and return true; otherwise false. */
bool kmem_ahead_revoke(space_t *s, unsigned kind, uint32_t cid, uint32_t pa);

/* s dies: every unbound frame goes back to its kpager. */
void kmem_ahead_return_all(space_t *s);

#endif
