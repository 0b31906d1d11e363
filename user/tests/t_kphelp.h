/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Starting a test kpager (t_kphelp.c), shared by the kernel-page-fault
 * tests (t_kpf.c) and the hostile ones (t_kattack*.c): a kpager thread
 * in the root task, the root's pages it lends from, and agents whose
 * kpager it is.  Each file keeps its own log and answering policy.
 */
#ifndef TESTS_T_KPHELP_H
#define TESTS_T_KPHELP_H

#include "tests.h"

struct t_kp {
	L4_Word_t pool;           /* the root's pages it lends from (got once) */
	L4_Word_t lent_kinds;     /* LENT_KMEM_LENT_KINDS: 0 in a KMEM=pool kernel */
	L4_ThreadId_t thread;     /* the kpager thread of the current test */
};

/* A kernel page fault as the kpager received it: the faulting thread,
 * its untyped words (the MRs stay loaded) and MR1-MR3 (content
 * identifier, kind, and the task or the thread the page is for,
 * docs/kpager-protocol.md). */
struct t_kpf {
	L4_ThreadId_t from;
	L4_Word_t u, cid, kind, named;
};
typedef void (*t_kpf_fn)(const struct t_kpf *f);
/* A test kpager's thread body (t_kploop.c), fault (a t_kpf_fn) its
 * argument: it receives from anyone for ever and calls fault for each
 * kernel page fault; other messages and failed receives are dropped.
 * t_kp_thread starts such a thread in the root's space. */
void t_kp_loop(L4_Word_t fault);
L4_ThreadId_t t_kp_thread(t_kpf_fn fault);

/* Zero a log of words (a test's volatile record of faults). */
void t_kp_zero(volatile void *log, L4_Word_t bytes);
/* Start kpager thread body for one test: the pool of pages pages is got
 * on the first call, none of its pages may still be lent, and page i
 * holds i in its first word. */
const char *t_kp_start(struct t_kp *kp, L4_Word_t pages, rt_entry_t body);
/* The same, its body t_kp_loop with fault. */
const char *t_kp_serve(struct t_kp *kp, L4_Word_t pages, t_kpf_fn fault);
/* A new agent whose pager is main and whose kpager is kpager (unless
 * nil: then the root's, inherited). */
const char *t_kp_agent(L4_ThreadId_t *ag, L4_ThreadId_t kpager);
/* What the command posted to agent ag did: fault to main, its pager, at
 * exactly addr (results of other agents that come first are kept). */
const char *t_ag_faults_posted(L4_ThreadId_t ag, L4_Word_t addr);

/* A kpager body (t_kp_start's) that offers the page directory two pages:
 * t_kp_pdir.first, then t_kp_pdir.second if the kernel refused the
 * first; every other kind gets the next page of t_kp_pdir.kp's pool that
 * is neither of the two nor lent.  What happened is recorded there. */
struct t_kp_pdir {
	struct t_kp *kp;
	L4_Word_t pool_pages;
	L4_Word_t n, next, failed;
	L4_Word_t first, second;            /* offered for the page directory */
	L4_Word_t ec_first, ec_second;      /* their answers' ErrorCode, 0 if taken */
	L4_Word_t took_first, took_second;
};
extern volatile struct t_kp_pdir t_kp_pdir;
void t_kp_pdir_loop(L4_Word_t arg);

#endif
