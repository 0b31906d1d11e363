/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the tests of thread bodies taken back (t_kpre_tcb.c,
 * t_kpre_tcb_edit.c): a test kpager that lends fresh pages, and for a
 * TCB page a copy of the page the test took back (edited if asked), and
 * logs every fault and how its answer went.
 */
#ifndef TESTS_T_KPRE_TCB_H
#define TESTS_T_KPRE_TCB_H

#include "t_kpreempt.h"
#include <lent/kmem.h>

#define TB_LOG		16
#define TB_HOLD_OTHERS	0xFFUL
/* The task's first four threads share its first TCB page, which the
 * creator's kpager lends; the thread under test is its fifth, alone in
 * the second, which ours lends. */
#define TB_FILL		4
#define TB_CID		(LENT_CID_TCB_BASE + LENT_CID_PAGE)
#define TB_MAGIC	0x5842434CUL		/* docs/tcb-external-form.md */
/* Words of the form (docs/tcb-external-form.md), from the slot's start. */
#define TB_W_ID		2
#define TB_W_EIP	(48 / 4)
#define TB_W_EFLAGS	(52 / 4)
#define TB_W_CS		(56 / 4)	/* CS in its low half, SS in its high */
#define TB_W_POINT	(592 / 4)	/* the safe point in its low byte */
#define TB_W_PARTNER	(596 / 4)

struct tb_kp {
	L4_Word_t n;                    /* faults seen (logged before the answer) */
	L4_Word_t answered;             /* faults answered (ok and ec written) */
	L4_Word_t kind[TB_LOG], cid[TB_LOG], named[TB_LOG], from[TB_LOG], page[TB_LOG];
	L4_Word_t ok[TB_LOG], ec[TB_LOG];
	L4_Word_t src;                  /* a TCB fault gets a copy of this page */
	L4_Word_t edit_at, edit_val;    /* and word edit_at of it changed (0: none) */
	L4_Word_t hold_kind, release;   /* faults of hold_kind + 1 (TB_HOLD_OTHERS:
	                                 * of every kind but TCB) wait for release */
	L4_Word_t pool, pages;
};
extern volatile struct tb_kp tb;
extern L4_ThreadId_t tb_kpager;

/* A fresh log, and the kpager thread started. */
const char *tb_start(void);
/* A task whose kernel memory our kpager lends, with TB_FILL threads
 * never started, and *t the thread under test, started at entry. */
const char *tb_task_start(L4_ThreadId_t *t, void (*entry)(L4_Word_t));
/* The same, t running rt's agent loop, T_KPRE_DATA written at *data. */
const char *tb_agent(L4_ThreadId_t *t, L4_Word_t *data);
/* The kpager has logged n faults or more; has answered n or more (their
 * ok and ec written: the answer may wake main before that).  Polled,
 * with no clock bound. */
int tb_wait_n(L4_Word_t n);
int tb_wait_answered(L4_Word_t n);
/* Does this kernel lend TCB pages (not KMEM=pool)? */
int tb_lends(void);
/* The page the kpager lent last for the TCB page of t's task. */
L4_Word_t tb_page(void);
/* Take the TCB page of t (its first thread) back: it is no longer lent,
 * and holds t's external form; *page is it. */
const char *tb_take(L4_ThreadId_t t, L4_Word_t *page);
/* The same for the TCB page lent at p (t a thread in it). */
const char *tb_take_at(L4_ThreadId_t t, L4_Word_t p);
/* The next message from t (its page faults in our image answered) has
 * this label. */
const char *tb_expect(L4_ThreadId_t t, L4_Word_t label);
/* Log entry i was the kernel page fault of t's body, from t itself. */
const char *tb_fault_was(L4_Word_t i, L4_ThreadId_t t, L4_ThreadId_t from);
/* Thread i of the task's first TCB page (0: the task's first thread),
 * made by tb_task_start, neither active nor started. */
L4_ThreadId_t tb_fill_thread(unsigned i);
/* Delete t and the rest of its task, and run the self-check. */
const char *tb_end(L4_ThreadId_t t);
/* The same for the rest of the task alone. */
const char *tb_end_fill(void);

#endif
