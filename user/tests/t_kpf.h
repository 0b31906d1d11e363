/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel-page-fault tests' shared part (t_kpf_kp.c): a test kpager
 * thread in the root task that logs each fault of the agent task it
 * serves and answers as the test says (kp.mode).  The tests are in
 * t_kpf.c (what is asked and which answers count), t_kpf_deadlock.c
 * (a pager that is its client's kpager too) and t_kpf_back.c (pages
 * come back; only a real fault gets one).
 */
#ifndef TESTS_T_KPF_H
#define TESTS_T_KPF_H

#include "t_kphelp.h"
#include <lent/kmem.h>

#define KP_LOG		16
#define KP_POOL		24
#define KP_WINDOW	0x40000000UL	/* a 4 MB region the agent never used */
#define KP_WINDOW2	0x48000000UL
#define KP_VALUE	0x6b706621UL
#define KP_NEAR_IMAGE	0x007ff000UL	/* unmapped, in the image's 4 MB */

enum kp_mode { KP_SERVE, KP_REFUSE, KP_UNMAPPED_FIRST, KP_LENT_FIRST, KP_FIRST_ONLY,
	       KP_HOLD };

/* What the kpager saw and did in the current test. */
struct kp_log {
	L4_Word_t mode;
	L4_Word_t n;                     /* faults seen */
	L4_Word_t cid[KP_LOG], kind[KP_LOG], task[KP_LOG], from[KP_LOG];
	L4_Word_t lent[KP_POOL];         /* pages answered with */
	L4_Word_t nlent;
	L4_Word_t reply_ec[KP_LOG];      /* ErrorCode of a failed answer */
	L4_Word_t failed;
};
extern volatile struct kp_log kp;
extern struct t_kp kph;                  /* the kpager thread, KP_POOL pages */

/* Answer the fault of `to` with page (0: none); a refusal is logged. */
void kp_answer(L4_ThreadId_t to, L4_Word_t page);
/* A fresh log and a kpager thread. */
const char *kp_start(enum kp_mode mode);
/* Pages of kind that the task of thread task holds. */
L4_Word_t kp_count(L4_ThreadId_t task, unsigned kind);
/* Main maps one page of its own into the agent's window, which lies in a
 * 4 MB region the agent has no kernel memory for yet. */
const char *kp_map_into(L4_ThreadId_t ag, L4_Word_t window);

#endif
