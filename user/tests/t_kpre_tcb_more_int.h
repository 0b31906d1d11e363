/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What t_kpre_tcb_more.c (the task's threads, the root's side, IPC and
 * kpagers with a body away) and t_kpre_tcb_more_irq.c (an interrupt handler
 * away) share; not for other files.
 */
#ifndef TESTS_T_KPRE_TCB_MORE_INT_H
#define TESTS_T_KPRE_TCB_MORE_INT_H

#include "t_kpre_tcb.h"
#include <l4/schedule.h>

#define TM_HELLO	0x7c01
#define TM_DONE		0x7c02
#define TM_PING		0x7c03
#define TM_WORD		0x5eed1234UL
#define TM_REPLY	0x77aa55UL
#define TM_RECV_US	1500000UL	/* a receive timeout */
#define TM_GAP_US	1000000UL	/* how long after it the send comes */
#define TM_SLACK_US	20000UL		/* the timer's grain against the clock */
#define TM_IRQ		8		/* the RTC's line (t_irq.c) */
#define TM_IRQ_TAG	0xFFF00000UL	/* label -1, no words (X.2) */
/* Our tasks' UTCBs: the thread under test's first, its partner's next. */
#define TM_UTCB_T	RT_UTCB_AREA_BASE
#define TM_UTCB_U	(RT_UTCB_AREA_BASE + 512)
/* A local ID is the address of MR0: 256 bytes into the UTCB. */
#define TM_LOCAL_T	(TM_UTCB_T + 256)
#define TM_LOCAL_U	(TM_UTCB_U + 256)

/* Safe points (kernel/kcont_extern.h). */
enum { TM_PT_IPC_SEND = 4, TM_PT_IPC_RECV = 5 };

extern L4_ThreadId_t tm_main;

void tm_say(L4_Word_t label, L4_Word_t a, L4_Word_t b, L4_Word_t c);
void tm_idle(void);
const char *tm_begin(L4_ThreadId_t *t, L4_ThreadId_t *u, void (*entry)(L4_Word_t),
		     int *skip);
const char *tm_out(L4_ThreadId_t t, L4_Word_t point, L4_Word_t *page);
const char *tm_came_back(L4_ThreadId_t t, L4_Word_t i, L4_ThreadId_t from, L4_Word_t page);

/* The tests of t_kpre_tcb_more_irq.c, in t_kpre_tcb_more.c's table. */
const char *t_kpre_tcb_more_irq_handler_away(void);
const char *t_kpre_tcb_more_irq_associate_away(void);

#endif
