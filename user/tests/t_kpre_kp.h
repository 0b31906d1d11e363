/* SPDX-License-Identifier: BSD-2-Clause */
/* The test kpager of the take-back tests (t_kpre_kp.c). */
#ifndef TESTS_T_KPRE_KP_H
#define TESTS_T_KPRE_KP_H

#include "t_kpreempt.h"
#include "t_kplog.h"

extern volatile struct t_kplog kpre;
extern L4_ThreadId_t kpre_thread;

/* A fresh log and a kpager thread lending marked pages of the root's. */
const char *kpre_start(void);
/* A task made by hand with our kpager (t_kpre_task). */
const char *kpre_task(L4_ThreadId_t *t, L4_Word_t *data);
/* kpre_start, kpre_task, and *skip in a kernel that lends nothing (KMEM=pool). */
const char *kpre_begin(L4_ThreadId_t *t, L4_Word_t *data, int *skip);
/* Does this kernel lend kernel memory? */
int kpre_lends(void);
/* The page our kpager lent for (kind, cid) and the kernel still holds, or 0. */
L4_Word_t kpre_page_of(unsigned kind, L4_Word_t cid);
/* Take page back with an Unmap that keeps our mapping: it must come back
 * vacant, no longer lent, and ours to read. */
const char *kpre_take_back(L4_Word_t page);
/* The same with an Unmap of these rights only. */
const char *kpre_take_back_rights(L4_Word_t page, L4_Word_t rights);
/* t_kpre_works, where any page fault to the pager (main) fails it. */
const char *kpre_agent_works_unaided(L4_ThreadId_t t, L4_Word_t data);
/* Take back (kind, cid): the count drops; the task then works unaided
 * after exactly one kernel page fault, for that CID. */
const char *kpre_one_back(L4_ThreadId_t t, L4_Word_t data, unsigned kind, L4_Word_t cid);
const char *kpre_one_back_rights(L4_ThreadId_t t, L4_Word_t data, unsigned kind,
				 L4_Word_t cid, L4_Word_t rights);
/* Delete the task; the self-check must pass. */
const char *kpre_end(L4_ThreadId_t t);

#endif
