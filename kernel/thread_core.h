/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident reserve: the kernel-owned home of every thread's resident
 * part (tcb_core_t, kernel/thread.h), sized once at boot in proportion
 * to RAM.  It is the one kind of kernel memory a thread costs that no
 * kpager lends, so it is bounded and shared under the pool's rules
 * (docs/kernel-memory.md, "The resident reserve").
 */
#ifndef KERNEL_THREAD_CORE_H
#define KERNEL_THREAD_CORE_H

#include <kernel/types.h>
#include <kernel/thread.h>

/* Bytes of resident reserve for a machine with this much free RAM. */
uint32_t thread_core_reserve_bytes(uint64_t ram_bytes);
void thread_core_init(void *reserve, uint32_t bytes);
/* A zeroed resident part for a thread of a space that is privileged or
 * not and has `threads` already, or NULL: the reserve is empty, or the
 * space is unprivileged and the reserve is down to the part kept for
 * privileged tasks or the space holds its share. */
tcb_core_t *thread_core_alloc(bool privileged, uint32_t threads);
void thread_core_free(tcb_core_t *c);

/* The leaves of the thread table, a page each, from the same reserve:
 * bytes for a machine with this much free RAM, the area they come from,
 * and a zeroed leaf (NULL: none left) and its return. */
uint32_t thread_leaf_reserve_bytes(uint64_t ram_bytes);
void thread_leaf_init(void *area, uint32_t bytes);
void *thread_leaf_alloc(void);
void thread_leaf_free(void *leaf);

typedef struct thread_core_stats {
	uint32_t total;          /* resident parts in the reserve */
	uint32_t free;
	uint32_t privileged;     /* kept for privileged tasks */
	uint32_t space_limit;    /* the most one unprivileged space may hold */
	uint32_t leaves;         /* leaves of the thread table in the reserve */
	uint32_t leaves_free;
} thread_core_stats_t;
void thread_core_stats(thread_core_stats_t *st);

#endif
