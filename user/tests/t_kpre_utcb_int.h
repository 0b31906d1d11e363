/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What t_kpre_utcb.c (the child, its kpager, the page's own tests) and
 * t_kpre_utcb_ipc.c (the page taken back around IPC) share, and
 * t_redirect_attack.c uses (the child as a redirector whose page is
 * taken back); not for other files.
 */
#ifndef TESTS_T_KPRE_UTCB_INT_H
#define TESTS_T_KPRE_UTCB_INT_H

#include "t_kpreempt.h"
#include "t_kplog.h"
#include <lent/kmem.h>

#define KU_HELLO	0x21
#define KU_DATA		0x22
#define KU_WORDS	8
#define KU_MODE		20            /* t_shared: what the child does */
#define KU_SPIN		21            /* the child spins (KU_IDLE), or is
                                       * about to block (KU_SEND, KU_WAIT) */
#define KU_GO		22            /* and stops spinning */
#define KU_PARTNER	23            /* whom it receives from (KU_WAIT) */
#define KU_MAIN		24            /* whom it talks to: main */
#define KU_OLD(i)	(0x75000000UL + (i))      /* MRs before the page goes */
#define KU_NEW(i)	(0x76000000UL + (i))      /* MRs sent after */
#define KU_MR9		0x75000009UL
#define KU_EDIT		0x6b65646bUL              /* the kpager's MR9 */
#define KU_UTCB_CID	LENT_CID_UTCB_BASE        /* UTCB page 0 */
#define KU_UTCB2	(RT_UTCB_AREA_BASE + 4096) /* a UTCB in page 1 */

enum ku_mode { KU_IDLE = 1, KU_RECV, KU_SEND, KU_WAIT };

extern volatile struct t_kplog ku;      /* our kpager's log */

const char *ku_begin(L4_ThreadId_t *c, enum ku_mode mode, int *skip);
const char *ku_take_back(L4_ThreadId_t c, L4_Word_t *old, L4_Word_t *copy, L4_Word_t *n);
const char *ku_came_back(L4_ThreadId_t c, L4_Word_t n, L4_Word_t old, L4_Word_t copy);
const char *ku_data(L4_ThreadId_t c, L4_Word_t words);
const char *ku_end(L4_ThreadId_t c);
const char *ku_echo(L4_ThreadId_t c);
const char *ku_recv_begin(L4_ThreadId_t *c, int *skip);
const char *ku_skipped(L4_ThreadId_t c);

/* The tests of t_kpre_utcb_ipc.c, in t_kpre_utcb.c's table. */
const char *t_kpre_utcb_idle_then_ipc_8_words(void);
const char *t_kpre_utcb_taken_in_receive(void);
const char *t_kpre_utcb_sender_blocked(void);

#endif
