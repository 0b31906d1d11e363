/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check of the kernel's structures (KmemControl SELF_CHECK;
 * threads' records are kernel/selfcheck.c's): the rules over plain data,
 * in kernel/selfcheck_space.c (a task's mapping database, node tables,
 * page tables, I/O bitmap and accounting) and kernel/selfcheck_frame.c
 * (the frame table and the totals), with the split database's links in
 * kernel/selfcheck_split.c, and the walk that finds every
 * live task and feeds them its view, kernel/selfcheck_walk.c.
 *
 * The rules read the kernel's structures through a view of each task
 * (sc_space_t) and a few hooks, so that the host tests
 * (tests/unit/test_selfcheck*.c) run them on hand-made broken structures.
 * No pointer is followed before it is found inside memory that may hold
 * what it points to: a frame lent to that task at that content
 * identifier, or memory of the kernel's that may (the frame table says
 * which).  So a damaged kernel is reported, not crashed in.
 * Rule numbers: enum lent_selfcheck_rule, <lent/kmem.h>.
 */
#ifndef KERNEL_SELFCHECK_SPACE_H
#define KERNEL_SELFCHECK_SPACE_H

#include <kernel/types.h>
#include <kernel/mapdb.h>
#include <kernel/frame.h>
#include <kernel/kmem_account.h>
#include <kernel/iofpage.h>
#include <kernel/kmem_sigma0_cid.h>

#define SC_USER_PDES 768u                           /* page-directory slots below 3 GB */
#define SC_NODE_PDES (SC_USER_PDES + IO_NODE_PDES)  /* node tables: user, then ports */
#define SC_TCB_PAGES 4096u                          /* TCB pages a task may have */
/* The frame table's kind of a free frame of sigma0's store, and the
 * content identifier of its slot n (kernel/kmem_sigma0.c). */
#define SC_STORE_KIND KMEM_KINDS
#define SC_STORE_CID(n) KMEM_SIGMA0_STORE_CID(n)
/* The same for a task's reserve of frames lent ahead (kernel/kmem_ahead.c):
 * its n-th unbound frame, at slots past the window, under the task's own id. */
#define SC_AHEAD_KIND (KMEM_KINDS + 1)
#define SC_AHEAD_CID(n) (LENT_CID_WINDOW_END + ((uint32_t)(n) << PAGE_SHIFT))

/* Where a kernel page of a task is. */
enum sc_source { SC_SRC_BAD, SC_SRC_LENT, SC_SRC_POOL, SC_SRC_RESERVE, SC_SOURCES };

/* One task, as the rules see it: its record's fields and what the walk
 * found of its threads. */
typedef struct sc_space {
	const void *self;             /* its record: what its nodes name */
	uint32_t id;
	bool sigma0;
	bool pool_ok;                 /* may hold pages of the pool */
	bool dying;                   /* deleted, being freed (space_reap.c) */
	uint32_t reap_cursor, reap_pde;
	const uint32_t *pdir;
	uint32_t pdir_phys;
	const mapslot_t *const *node_table;     /* SC_NODE_PDES tables */
	uint8_t *const *io_bitmap;              /* IO_BITMAP_PAGES */
	const uint32_t *io_bitmap_phys;
	uint32_t kip_base, utcb_base;
	uint64_t kip_size, utcb_size;           /* 0: no area */
	mapnode_t *free_nodes;
	const void *node_pages;                 /* each page's first word: the next */
	uint32_t free_entries;                  /* its count (ms.nfree) */
	uint32_t node_page_count, mapped_pages;
	const uint32_t *kmem;                   /* pages charged, by kind */
	uint32_t lent;                          /* of them, frames a kpager lent */
	/* Its threads' TCB pages, checked by the walk: lent ones in use
	 * (bit n: page n) and pages of the pool. */
	const uint32_t *tcb_lent_map;           /* SC_TCB_PAGES bits */
	uint32_t tcb_pool;
	uint32_t ahead;                         /* unbound frames lent ahead */
	/* sigma0's node tables of its keys from 3 GB up (S0_HIGH_SLOTS,
	 * kernel/sigma0_high.h); NULL for every other task. */
	const mapslot_t *const *high_tables;
} sc_space_t;

/* What is the same for every task. */
typedef struct sc_env {
	frame_view_t fv;
	uint32_t kip_phys;
	uint32_t sigma0_id;
	uint32_t store_free;          /* sigma0's store: free frames */
} sc_env_t;

/* The first rule broken: its number and where (an address, a frame, a
 * content identifier, a kind). */
typedef struct sc_fault {
	uint32_t rule, where;
} sc_fault_t;

/* Summed over every task. */
typedef struct sc_sums {
	uint32_t nodes;      /* mapping nodes in slots */
	uint32_t lent;       /* frames lent to them, in use or gathered */
	uint32_t pool;       /* pages of the pool they hold */
	uint32_t reserve;    /* pages of sigma0's boot reserve */
	uint32_t ahead;      /* unbound frames of their reserves */
} sc_sums_t;

/* What the frame table holds (selfcheck_frame.c). */
typedef struct sc_frame_sums {
	uint32_t lent;           /* entries lent */
	uint32_t store_free;     /* of those, free frames of sigma0's store */
	uint32_t sigma0_used;    /* lent to sigma0 and holding its kernel data */
	uint32_t ahead;          /* unbound frames of tasks' reserves */
} sc_frame_sums_t;

/* The kernel's own counts the totals are held against. */
typedef struct sc_counts {
	bool pool_build;
	uint32_t pool_pages, free_pages, kernel_pages, boot_task_pages;
	uint32_t store_given, store_free;
	uint32_t unhoused_records;    /* records lent for tasks not made yet */
} sc_counts_t;

/* ---- the hooks (kernel/selfcheck_walk.c; fakes in the host tests) ---- */
/* The kernel address of physical address pa (below the direct map's end). */
void *sc_virt(uint32_t pa);
/* The physical address of kernel pointer p, or false where p is not in
 * the direct map of RAM the frame table knows. */
bool sc_phys(const void *p, uint32_t *pa);
/* Page-directory entry slot: its page table into *pt (0: none); false
 * for an entry that is something else. */
bool sc_pde(const uint32_t *pdir, uint32_t slot, uint32_t *pt);
/* Page-table entries are read with arch/arch.h's arch_pte_*(). */
/* Node table pde of the task whose record is space, each checked as the
 * rules check them; NULL if space is no live task's record or the table
 * is none. */
/* Node page n of the task whose record is space (n below
 * the pages its database made, present); NULL if none.  The rules find a
 * record at va as the database's lookup does, through the node table
 * and this page. */
const void *sc_node_page(const void *space, uint32_t n);
/* Is its node page n one its kpager took back? */
bool sc_node_page_away(const void *space, uint32_t n);
/* Page i of the index of its node pages that are not lent (i = 0: the
 * top), NULL if none. */
const void *sc_index_page(const void *space, uint32_t i);
/* The record of the task whose database id is id, NULL if none. */
const void *sc_task(uint32_t id);

/* ---- the rules ---- */
/* Where the page at pa of v's, of kind, at cid, is. */
enum sc_source sc_page_source(const sc_env_t *e, const sc_space_t *v, uint32_t pa,
			      unsigned kind, uint32_t cid);
/* One task: 0, or the rule broken (and *f).  Adds what it holds to *sum. */
uint32_t sc_check_space(const sc_env_t *e, const sc_space_t *v, sc_sums_t *sum, sc_fault_t *f);
/* Every node lies in a tree under one of sigma0's roots: a walk from
 * them finds all `nodes`.  Run after every task passed. */
uint32_t sc_check_tree(const sc_env_t *e, const sc_space_t *sigma0, uint32_t nodes,
		       sc_fault_t *f);
/* The frame table (selfcheck_frame.c): run before any task's check. */
uint32_t sc_check_frames(const sc_env_t *e, sc_frame_sums_t *fs, sc_fault_t *f);
/* The tasks' sums against the frame table and the kernel's counts. */
uint32_t sc_check_totals(const sc_env_t *e, const sc_sums_t *sum, const sc_frame_sums_t *fs,
			 const sc_counts_t *c, sc_fault_t *f);

#endif
