/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile tests of the two-step thread creation share this
 * (t_tcbattack_kp.c): a test kpager that serves or holds TCB-page
 * faults, a creator thread, and the steps the tests take.  The tests are
 * in t_tcbattack.c (half-made threads) and t_tcbattack_pages.c (where a
 * thread's parts live: its leaf, its TCB page, its task's limit).
 */
#ifndef TESTS_T_TCBATTACK_H
#define TESTS_T_TCBATTACK_H

#include "tests.h"
#include "t_kphelp.h"
#include <lent/kmem.h>

#define TK_POOL		8
#define TK_LOG		8
#define TK_CMD		0x7c01      /* the test asks the kpager to answer the held fault */
#define TK_LATE_PAGE	(TK_POOL - 1)  /* the pool page the late answers lend */

enum tk_mode { TK_SERVE, TK_HOLD };

/* What the kpager saw and did, and the creator's call and outcome. */
struct tk_log {
	L4_Word_t mode, n, next;
	L4_Word_t from[TK_LOG], cid[TK_LOG], kind[TK_LOG], named[TK_LOG];
	L4_Word_t held;                 /* TK_HOLD: the last fault kept unanswered */
	L4_Word_t late_ok, late_ec;     /* the answer given later to one held */
	/* Two creators: the calls they are to make (the k-th once c_go
	 * reaches k), and the outcome of the last one. */
	L4_Word_t c_dest[2], c_space[2], c_go[2], c_result[2], c_ec[2], c_done[2];
	L4_Word_t parts;                /* resident parts in use once the kpager runs */
};
extern volatile struct tk_log tk;

L4_Word_t tk_page(L4_Word_t i);
const char *tk_answer_to(L4_ThreadId_t to, L4_Word_t page);
const char *tk_answer_late(L4_Word_t page);
void tk_creator(L4_Word_t k);
L4_Word_t tk_lent(void);
L4_Word_t tk_stat(L4_ThreadId_t t, unsigned mr);
L4_Word_t tk_parts_in_use(void);
L4_Word_t tk_make(L4_ThreadId_t t, L4_ThreadId_t space);
L4_Word_t tk_delete(L4_ThreadId_t t);
L4_Word_t tk_is_lent(L4_Word_t page);
L4_ThreadId_t tk_other_version(L4_ThreadId_t v);
const char *tk_task(enum tk_mode mode, L4_ThreadId_t t, L4_ThreadId_t *u);
const char *tk_create_held(L4_ThreadId_t *c, L4_ThreadId_t v, L4_ThreadId_t t);
const char *tk_pool_outcome(L4_ThreadId_t v, L4_ThreadId_t t, L4_ThreadId_t *u);
const char *tk_delete_task(L4_ThreadId_t t, L4_ThreadId_t *u);
const char *tk_all_back(void);

#endif
