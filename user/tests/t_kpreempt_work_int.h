/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What t_kpreempt_work.c (the workload and its runs) and
 * t_kpreempt_work_hostile.c (the hostile run's probes, scans and other
 * subsystem) share; not for other files.
 */
#ifndef TESTS_T_KPREEMPT_WORK_INT_H
#define TESTS_T_KPREEMPT_WORK_INT_H

#include "t_kpreempt.h"
#include "t_kpreempt_share.h"
#include "../../kpager/kpager.h"

#define KW_POOL		32
#define KW_WINDOW	0x48000000UL	/* where the agent receives a page */
#define KW_PATTERN	0x70617474UL
#define KW_STEPS	10
#define KW_RESULTS	(KW_STEPS * 6)
#define KH_SENTINEL	0x5e471e11UL	/* the other subsystem's data */
#define KH_EDITS_PER_PAGE 400
#define KH_FILL		3	/* threads after the agent in its first TCB page */
#define KH_PROBES	4	/* the threads of the hostile kpager's TCB page */
#define KH_HELLO	0x7c21
#define KH_NO_CID	1UL	/* no page has it (not page-aligned) */
#define KH_ROUNDS	30	/* rounds of the shared mappings after the steps */

/* The hostile run's own (t_kpreempt_work_hostile.c): its kpager, the
 * other subsystem's page (a task under another kpager, with a page of
 * its own that holds the sentinel) and what was seen. */
struct kh_seen {
	L4_ThreadId_t task;
	L4_Word_t data;
	L4_Word_t foreign, kernel_faults, scanned;
	L4_ThreadId_t fill[KH_FILL], probe[KH_PROBES], main;
	L4_Word_t back, halted;      /* the probe named: brought back, or not */
	struct ks_count share;       /* the mappings the two share */
};
extern struct kpager_hostile kw_kh;
extern L4_Word_t kh_page;
extern struct kh_seen kw_kb;

const char *kh_threads(L4_ThreadId_t ag);
const char *kh_name_probe(void);
const char *kh_threads_end(void);
void kh_scan(void);
/* Does kind go back in a form (node pages and tables)? */
int kh_node_form(unsigned kind);
void kh_other_checks(void);
const char *kh_other_start(void);

#endif
