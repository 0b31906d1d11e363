/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What t_x2utcb.c (the child, its kpager and peer, and the
 * XferTimeouts tests) and t_x2utcb_state.c (the state kept while the
 * UTCB page is away) share; not for other files.
 */
#ifndef TESTS_T_X2UTCB_INT_H
#define TESTS_T_X2UTCB_INT_H

#include "t_kpreempt.h"
#include "t_kplog.h"
#include "t_kpre_kp.h"
#include "t_sync.h"
#include "t_sysenter.h"      /* t_se_raw: a sysenter from outside the stub */

#define XU_HELLO	0x31
#define XU_DATA		0x32
#define XU_GO_LABEL	0x33
#define XU_WORDS	8
#define XU_MODE		20            /* t_shared: what the child does */
#define XU_SPIN		21            /* it is about to block, or spins */
#define XU_GO		22            /* and stops spinning */
#define XU_MAIN		23
#define XU_PEER		24            /* the root thread it talks to */
#define XU_XT		25            /* its XferTimeouts */
#define XU_XFER_US	200000UL      /* a relative XferTimeout */
#define XU_SLACK_US	20000UL       /* the timer's grain against the clock */
#define XU_SEND_US	3000000UL     /* a relative send timeout */
#define XU_EXC_LABEL	0xffb         /* exception IPC, label >> 4 */
#define XU_EFLAGS_TF	0x100UL
#define XU_EAX		0x5eed0db9UL
#define XU_KEEP		(~0UL)
#define XU_PREEMPT	0xFFD0UL      /* label -3 << 4 */
#define XU_PF_DELAYED	0x40UL
#define XU_PF_PENDING	0x80UL

enum xu_mode { XU_SEND = 1, XU_RECV, XU_STEP, XU_DELAY, XU_SEND_TIMED, XU_SYSENTER };
enum xu_peer_op { XU_PEER_RECV = 1, XU_PEER_SEND };

extern volatile struct t_kplog xk;      /* our kpager's log */

/* Sets TF and traps after the next instruction (xu_db_at); resumed at
 * xu_db_resume with EAX set (t_x2utcb.c). */
L4_Word_t xu_single_step(void);
extern const char xu_db_at[], xu_db_resume[];

const char *xu_begin(L4_ThreadId_t *c, L4_ThreadId_t *peer, enum xu_mode mode,
		     L4_Word_t xt, int *skip);
const char *xu_take(void);
L4_Word_t xu_utcb_faults(L4_Word_t n);
const char *xu_data(L4_ThreadId_t t);
const char *xu_end(L4_ThreadId_t c, const char *r);

/* The tests of t_x2utcb_state.c, in t_x2utcb.c's table. */
const char *t_x2utcb_single_step_reported(void);
const char *t_x2utcb_sysenter_entry(void);
const char *t_x2utcb_delayed_preemption(void);
const char *t_x2utcb_send_timeout_kept(void);

#endif
