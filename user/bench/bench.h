/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benchmarks.  Times come from rdtsc; under `qemu-system-i386 -icount
 * shift=0` it counts guest instructions, so the numbers repeat exactly.
 * Each benchmark returns 1 and its result, or 0 if it could not run.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdio.h>
#include <l4/types.h>
#include <l4/ipc.h>
#include <l4/space.h>
#include <l4/kdebug.h>
#include <lent/kmem.h>
#include "../rt/rt.h"

#define BENCH_ROUNDS	10000
#define BENCH_WARMUP	200

static inline L4_Word64_t bench_rdtsc(void)
{
	L4_Word64_t t;

	__asm__ __volatile__("rdtsc" : "=A"(t));
	return t;
}

/* n / d without libgcc: one divl; saturates if the quotient is too big. */
static inline L4_Word_t bench_div(L4_Word64_t n, L4_Word_t d)
{
	L4_Word_t q, r, hi = (L4_Word_t)(n >> 32), lo = (L4_Word_t)n;

	if (hi >= d)
		return ~0UL;
	__asm__("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	(void)r;
	return q;
}

/* Load the reply to a page fault at addr: the page at src (mapped in the
 * root), fully accessible, at addr's page. */
static inline void bench_load_map_reply(L4_Word_t src, L4_Word_t addr)
{
	L4_Fpage_t fp = L4_FpageAddRights(L4_FpageLog2(src, 12), L4_FullyAccessible);
	L4_MapItem_t m = L4_MapItem(fp, addr & ~(RT_PAGE_SIZE - 1));
	L4_MsgTag_t reply = L4_Niltag;

	reply.X.t = 2;
	L4_LoadMR(0, reply.raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
}

int bench_ipc_intra(int words, L4_Word_t *result);
int bench_ipc_inter(int words, int use_int, L4_Word_t *result);
int bench_lipc_intra(int words, L4_Word_t *result);
int bench_ipc_string(unsigned bytes, L4_Word_t *result);
int bench_pagefault(L4_Word_t *result);
int bench_map_unmap(L4_Word_t *result);

/* kpager.c: the benchmarks' FCFS kpager thread and tasks it serves. */
L4_ThreadId_t bench_kpager(void);
/* Lend n frames ahead to each task it serves (0: never, the default). */
void bench_kpager_ahead(L4_Word_t n);
/* Pages lent so far by kind, then (out[LENT_KMEM_KINDS]) the faults. */
void bench_kpager_faults(L4_Word_t out[LENT_KMEM_KINDS + 1]);
/* A task served by it, named up to `pages` pages per kernel page fault. */
L4_ThreadId_t bench_task_create(rt_entry_t fn, L4_Word_t arg, L4_Word_t pages);
const char *bench_kind_name(unsigned kind);

/* fig3.c and kmem.c: the figures of issue 6. */
int bench_fig3(L4_Word_t pages, L4_Word_t *result);
/* The same fault where the kpager lent the task its frames ahead: the
 * task has it top its reserve up before each timed fault (untimed). */
int bench_fig3_ahead(L4_Word_t *result);
int bench_kmem_task(L4_Word_t *pages, L4_Word_t *resident_per_thread);

/* preempt.c: taking back a page of kind (PT or PDIR) with n live
 * mappings, and having it back (issue 7). */
int bench_preempt_restore(unsigned kind, L4_Word_t n, L4_Word_t *result);

/* wakeup.c: how late a sleeper wakes while load 0..WK_LOADS-1 runs. */
#define WK_LOADS	6
#define WK_STRING_IPC	1	/* the load that needs a 4 MB block */
const char *bench_wakeup_name(int load);
int bench_wakeup(int load, L4_Word_t *result);

#endif
