/* SPDX-License-Identifier: BSD-2-Clause */
/* The hostile run's mappings shared between the hostile kpager's client
 * and the other subsystem's task (t_kpreempt_share.c). */
#ifndef TESTS_T_KPREEMPT_SHARE_H
#define TESTS_T_KPREEMPT_SHARE_H

#include "tests.h"

#define KS_O_PAGE	0x48000000UL    /* O's page with the sentinel (from main) */
#define KS_A_SHARE	0x49000000UL    /* in A: the share page, from main */
#define KS_FROM_O	0x49400000UL    /* in A: O's page, read-only */
#define KS_FROM_A	0x49800000UL    /* in O: A's share page, read-only */
#define KS_EMPTY	0x49801000UL    /* in O: nothing, ever */

struct ks_count {
	L4_Word_t checks;       /* rounds of ks_check */
	L4_Word_t lost;         /* O's mapping from A found gone (allowed) */
	L4_Word_t link_failed;  /* sends of ks_link that failed (allowed) */
	L4_Word_t foreign;      /* mappings of O's that appeared or widened */
};

/* The share and scratch pages (t_pool.h's); the hostile kpager's stash. */
const char *ks_start(void);
L4_Word_t ks_stash(void);
/* The mappings above made (again). */
const char *ks_link(L4_ThreadId_t a, L4_ThreadId_t o, struct ks_count *c);
/* O's and A's checks; o_page is main's page mapped at KS_O_PAGE in O. */
const char *ks_check(L4_ThreadId_t a, L4_ThreadId_t o, L4_Word_t o_page, struct ks_count *c);
/* O's pages (and root_page of main's) for the hostile kpager to aim at:
 * HOSTILE_FOREIGN (4) of them. */
void ks_foreign(L4_ThreadId_t o, L4_Word_t root_page, L4_Word_t *task, L4_Word_t *va);

#endif
