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
/* A zeroed page for s (NULL for the kernel's own), or NULL if none: the
 * pool is empty, or s is unprivileged and the pool is down to the
 * privileged reserve or s holds its limit. */
void *kmem_alloc(space_t *s, enum kmem_kind kind);
void kmem_free(space_t *s, enum kmem_kind kind, void *page);
const char *kmem_kind_name(enum kmem_kind kind);
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

typedef struct kmem_stats {
	uint32_t pool_pages;      /* the pool's size */
	uint32_t free_pages;
	uint32_t reserve_pages;   /* kept for privileged tasks */
	uint32_t task_limit;      /* the most an unprivileged task may hold */
	uint32_t kernel_pages;    /* held by the kernel itself */
} kmem_stats_t;
void kmem_stats(kmem_stats_t *st);

#endif
