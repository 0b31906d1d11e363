/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel memory: every page of dynamic kernel metadata is requested here,
 * for a named task (address space) and of a named kind, so that it can be
 * accounted to that task and later supplied by the task's kpager.  In this
 * build the pages come from a pool the kernel reserved at boot.
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include <kernel/types.h>

typedef struct space space_t;

/* The kinds of the paper's Fig. 2, plus the kernel's own global indexes. */
enum kmem_kind {
	KMEM_PT,        /* page directories and page tables (P) */
	KMEM_NT,        /* node tables and the space object (N) */
	KMEM_MAP,       /* mapping-database nodes (M) */
	KMEM_TCB,       /* thread control blocks (U) */
	KMEM_UTCB,      /* UTCB pages (user-visible part of threads) */
	KMEM_KERNEL,    /* global kernel indexes (thread table); space is NULL */
	KMEM_KINDS
};

void kmem_init(uint32_t pool_phys, uint32_t pool_bytes);
/* A zeroed page for s (NULL for the kernel's own), or NULL if none. */
void *kmem_alloc(space_t *s, enum kmem_kind kind);
void kmem_free(space_t *s, enum kmem_kind kind, void *page);
const char *kmem_kind_name(enum kmem_kind kind);

#endif
