/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel-memory tests' shared part (t_kmem_probe.c): a page of the
 * root's to map, agents that receive what main sends, and the two ways
 * the pool is measured through ThreadControl's "out of memory" (8).
 * The tests are in t_kmem.c (memory comes back) and t_kmem_exhaust.c
 * (the pool runs dry).
 */
#ifndef TESTS_T_KMEM_H
#define TESTS_T_KMEM_H

#include "tests.h"
#include <lent/kmem.h>

#define KM_MAGIC	0x6b6d656dUL
#define KM_WA		0x10000000UL	/* windows: 32 different 4 MB regions */

/* A page of the root's, mapped to the agents. */
extern unsigned char km_page[RT_PAGE_SIZE];

/* The agent accepts map items in window. */
const char *km_accept(L4_ThreadId_t ag, L4_Fpage_t window);
/* The agent receives one message that main sends: t typed words. */
const char *km_give(L4_ThreadId_t ag, int t, const L4_Word_t *items);
/* The same where the agent's kernel memory may run out: then the message
 * fails on both sides with message overflow (X.2), and *full is 1. */
const char *km_give_full(L4_ThreadId_t ag, int t, const L4_Word_t *items, int *full);
/* The agent reads want at addr. */
const char *km_reads(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t want);
/* Can a new space (space object, page directory, TCB) still be had?
 * 1 yes, 0 no memory (error 8), -1 another error. */
int km_probe(void);
/* Free pool pages (one inactive thread each), or -1 if too many to count. */
int km_free_pages(void);

#endif
