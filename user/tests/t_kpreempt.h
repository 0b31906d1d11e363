/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the tests of taking lent kernel memory back (t_kpre_task.c). */
#ifndef TESTS_T_KPREEMPT_H
#define TESTS_T_KPREEMPT_H

#include "tests.h"

#define T_KPRE_DATA	0x6a10f00dUL

/* A task of one thread made by hand, every page of its kernel memory
 * from kpager, main its pager, started at entry. */
const char *t_kpre_start(L4_ThreadId_t *t, L4_ThreadId_t kpager, void (*entry)(L4_Word_t));
/* The same with pager as its pager (rt's pager thread: rt_pager()). */
const char *t_kpre_start_paged(L4_ThreadId_t *t, L4_ThreadId_t kpager, L4_ThreadId_t pager,
			       void (*entry)(L4_Word_t));
/* Start t, active with main its pager, at entry, on a stack of its own. */
const char *t_kpre_run(L4_ThreadId_t t, void (*entry)(L4_Word_t));
/* The same with pager as its pager. */
const char *t_kpre_run_paged(L4_ThreadId_t t, L4_ThreadId_t pager, void (*entry)(L4_Word_t));
/* A task of one thread made by hand, every page of its kernel memory
 * from kpager, running rt's agent loop, with T_KPRE_DATA at *data. */
const char *t_kpre_task(L4_ThreadId_t *t, L4_ThreadId_t kpager, L4_Word_t *data);
/* It still works: reads *data back, says who it is (UTCB, KIP stubs). */
const char *t_kpre_works(L4_ThreadId_t t, L4_Word_t data);

/* Answer the fault (or call) of to with one map item: fp, fully
 * accessible, at base. */
int t_kpre_reply_map(L4_ThreadId_t to, L4_Fpage_t fp, L4_Word_t base);

#endif
