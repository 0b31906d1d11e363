/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sigma0 attack tests' shared part: the attacker task's threads
 * (t_s0hang_attacker.c) and what main checks of the machine meanwhile
 * (t_s0hang_check.c).  The tests are in t_s0hang.c.
 */
#ifndef TESTS_T_S0HANG_H
#define TESTS_T_S0HANG_H

#include "tests.h"
#include <lent/kmem.h>

/* Windows of step 1: one page at the top of each 4 MB region from 8 MB
 * (the image is at 6 MB) up to below the UTCB and KIP areas, then
 * fpages below it in the same regions. */
#define S0H_REGION_FIRST	2
#define S0H_REGION_END		760
#define S0H_REGION_SIZE		0x400000UL
#define S0H_TOP_PAGE		(S0H_REGION_SIZE - RT_PAGE_SIZE)
/* The single-page window of steps 2 and 3 (its 4 MB region is step 1's
 * first, so mapping there needs no new page table). */
#define S0H_WINDOW		((S0H_REGION_FIRST << 22) + S0H_TOP_PAGE - RT_PAGE_SIZE)
/* The root's own window for its "any page" requests. */
#define S0H_ROOT_WINDOW		0x7f000000UL
/* Step 3 notes where sigma0 first refused this many in a row. */
#define S0H_REFUSALS		256
/* ... and ends after this many in a row (10 MB of requests refused). */
#define S0H_REFUSALS_END	(5 * S0H_REFUSALS)
/* Step 2's candidates in each 4 MB of physical memory. */
#define S0H_CANDIDATES		3
/* Pool counting: thread numbers and the most spaces it may use. */
#define S0H_COUNT_NO		20000
#define S0H_COUNT_MAX		6000
#define S0H_COUNT_SPACES	16
#define S0H_ECHO_SLOT		4
/* What the attacker's threads report; they share the image with main. */
struct s0h_log {
	L4_Word_t ready[2];
	L4_Word_t done[2];
	L4_Word_t step2_done;
	L4_Word_t requests[2];
	L4_Word_t granted[2];
	L4_Word_t refused[2];
	L4_Word_t nokmem[2];	/* given by sigma0, its map failed for want of
				 * the attacker's kernel memory (X.2: error 4) */
	L4_Word_t bad;		/* answers other than the page or nil */
	L4_Word_t bad_word;	/* the first of them */
	L4_Word_t device;	/* pages outside RAM handed to the attacker */
	L4_Word_t window;	/* step 1: the window being tried */
	L4_Word_t big_log2;	/* step 1: size of the larger fpage */
	L4_Word_t full_at;	/* step 3: where the refusals began */
};
extern volatile struct s0h_log s0h;

/* t_s0hang_attacker.c: body of an attacker's thread `who` (0 or 1). */
void s0h_attacker(L4_Word_t who);

/* t_s0hang_check.c: free pool pages (-1: no count); can a new space,
 * or kernel memory for an unprivileged task, still be had; do the root
 * task, sigma0 and another task still work. */
int s0h_free_pages(void);
int s0h_new_space_ok(void);
int s0h_unprivileged_kmem_ok(void);
const char *s0h_system_works(void);
/* Wait for an attacker's flag (each step is bounded by refusals or the
 * size of memory; no clock bound: a machine that stopped is the
 * harness's to name); send an attacker thread main's word to
 * go on; run step 1 in a0 until the kernel refuses a window. */
int s0h_wait(volatile L4_Word_t *flag);
const char *s0h_go(L4_ThreadId_t t);
const char *s0h_step1_until_refused(L4_ThreadId_t a0);

#endif
