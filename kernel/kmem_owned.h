/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel-owned memory by category: what the kernel keeps for itself
 * rather than borrows from a task's kpager.  One function gathers the
 * figures; the boot log and KmemControl's OWNED operation both print
 * what it gathered, so they cannot disagree (docs/kernel-memory.md,
 * "What is kernel-owned").  All figures are 4 KB pages unless named
 * otherwise.
 */
#ifndef KERNEL_KMEM_OWNED_H
#define KERNEL_KMEM_OWNED_H

#include <kernel/types.h>

typedef struct kmem_owned {
	/* Kernel-owned, fixed at boot: */
	uint32_t image;           /* code, data, bss, stacks, per-CPU data */
	uint32_t frame_table;     /* the frame table and its hash buckets */
	uint32_t sigma0_reserve;  /* the used part of sigma0's boot reserve */
	uint32_t pool;            /* the in-kernel pool (lent build: the boot
	                           * reserve in its place), its whole size */
	uint32_t resident;        /* the resident reserve: parts and leaves */
	uint32_t total;           /* the sum of the five above */
	/* How the pool and the resident reserve are used now: */
	uint32_t pool_kernel;     /* pool pages of the kernel's own (the KIP) */
	uint32_t pool_tasks;      /* pool pages charged to tasks (lent build:
	                           * none, for only boot_tasks may have any) */
	uint32_t boot_tasks;      /* lent build: boot-reserve pages of sigma0
	                           * and the root task */
	uint32_t resident_parts;  /* resident thread parts in use (a count) */
	uint32_t leaves;          /* thread-table leaves in use */
	/* Not kernel-owned: frames the kpagers lend the kernel now, sigma0's
	 * store apart; */
	uint32_t lent;
	/* and the frames sigma0 gave its own kernel-memory store
	 * (kernel/kmem_sigma0.c), all of them, and those in use. */
	uint32_t sigma0_store;
	uint32_t sigma0_store_used;
} kmem_owned_t;

/* Gather the figures above (no side effect). */
void kmem_owned(kmem_owned_t *o);
/* Boot: print them, one "kmem owned: NAME N KB" line per category, the
 * total, and the pool's use; stop if the categories do not add up to
 * the kernel-owned frames of the frame table. */
void kmem_owned_print(void);

#endif
