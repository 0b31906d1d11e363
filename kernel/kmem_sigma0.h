/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's kernel-memory store: frames sigma0 owns and gives the kernel
 * (KmemControl SIGMA0_GIVE), from which the kernel takes sigma0's own
 * kernel memory at run time directly, without IPC, so that sigma0 never
 * waits on itself and its kernel memory grows with what it has.  Only
 * when the store is empty does sigma0 take a page of the boot reserve
 * (the pool in the KMEM=pool build).  See docs/kernel-memory.md,
 * "sigma0's own kernel memory".
 *
 * Every frame of the store is lent to sigma0 in the frame table: a free
 * one at a slot of the store (a content identifier above the window), one
 * in use at the content identifier of what it holds, like any frame a
 * kpager lends.  None is kernel-owned, and none ever goes back to
 * sigma0's user level: a page sigma0's kernel memory no longer needs goes
 * back to the store.
 */
#ifndef KERNEL_KMEM_SIGMA0_H
#define KERNEL_KMEM_SIGMA0_H

#include <kernel/types.h>
#include <kernel/kmem.h>

typedef struct space space_t;
struct mapnode;

/* Validate sigma0's gift of the page at va in its space s0 (a physical
 * address: sigma0's mappings are idempotent): as a kpager's answer is
 * validated (kpf_check_page).  Returns 0 with the page's node in *node,
 * or the refusal (enum lent_kpf_refusal); no side effect. */
uint32_t kmem_sigma0_check(space_t *s0, uint32_t va, struct mapnode **node);
/* Act: take the frame of a node kmem_sigma0_check passed into the store
 * (sigma0's translations of it removed).  Cannot fail. */
void kmem_sigma0_give(space_t *s0, struct mapnode *node);

/* Could kmem_sigma0_take(s, kind, cid) give a page now?  Only for
 * sigma0, with a free page in the store. */
bool kmem_sigma0_has(const space_t *s, uint32_t cid);
/* A zeroed page of the store for sigma0's kind at cid, counted for s;
 * NULL only where kmem_sigma0_has() said false. */
void *kmem_sigma0_take(space_t *s, enum kmem_kind kind, uint32_t cid);
/* If page came from the store, put it back there, uncount it, and
 * return true; otherwise return false and do nothing. */
bool kmem_sigma0_put(space_t *s, enum kmem_kind kind, void *page);

/* Frames sigma0 gave the store, all of them; those free now. */
uint32_t kmem_sigma0_given(void);
uint32_t kmem_sigma0_free(void);

#endif
