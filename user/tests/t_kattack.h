/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile kpager tests' shared part (t_kattack_kp.c): a test kpager
 * that answers as the test says (well, badly, one page twice, or not at
 * all), and senders that map a page to an agent meanwhile.  The tests
 * are in t_kattack.c (answers) and t_kattack_roles.c (who is whose
 * kpager, and deaths).
 */
#ifndef TESTS_T_KATTACK_H
#define TESTS_T_KATTACK_H

#include "t_kphelp.h"
#include <lent/kmem.h>

#define KA_POOL		16               /* pages; the first 8 KB pair is kept aside */
#define KA_LOG		8
#define KA_BAD		8
#define KA_WINDOW	0x44000000UL     /* 4 MB regions the agents never used */
#define KA_WINDOW2	0x4c000000UL
#define KA_PEEK		0x54000000UL     /* where an agent asks sigma0 for a lent frame */
#define KA_VALUE	0x6b617474UL

enum ka_mode { KA_SERVE, KA_BAD_FIRST, KA_TWO_AT_ONCE, KA_HOLD };

/* A bad (or odd) answer: the fpage word and the send base of a map item. */
struct ka_item { L4_Word_t fpage, snd_base; };

/* What the kpager saw and did in the current test. */
struct ka_log {
	L4_Word_t mode;
	L4_Word_t n;                         /* faults seen */
	L4_Word_t from[KA_LOG], kind[KA_LOG];
	L4_Word_t nbad;                      /* KA_BAD_FIRST: answers to try first */
	struct ka_item bad[KA_BAD];
	L4_Word_t bad_ec[KA_BAD];            /* ErrorCode of each (0: accepted) */
	L4_Word_t same_page;                 /* KA_TWO_AT_ONCE: the one page */
	L4_Word_t two_ec[3];                 /* its three answers */
	L4_Word_t next;                      /* next pool page to lend */
	L4_Word_t failed;                    /* pool answers that failed */
};

extern volatile struct ka_log ka;
/* The kpager thread, its KA_POOL pages (64 KB aligned) and the kinds
 * lent in this kernel (0 in a KMEM=pool kernel). */
extern struct t_kp kah;

/* Senders of one map item each, so that two clients can fault at once. */
struct ka_sender_state {
	L4_Word_t to, item0, fpage, done, tag, ec;
};
extern volatile struct ka_sender_state ka_snd[2];

/* A map item of fpage with send base snd_base (no item if fpage is 0)
 * as the reply to to; its ErrorCode, or 0. */
L4_Word_t ka_send_item(L4_ThreadId_t to, L4_Word_t fpage, L4_Word_t snd_base);
L4_Word_t ka_page_fpage(L4_Word_t page);
/* A fresh log and kpager thread in the given mode. */
const char *ka_start(enum ka_mode mode);
/* The agent waits for one message in window; sender k maps it page. */
const char *ka_map_async(unsigned k, L4_ThreadId_t ag, L4_Word_t window, L4_Word_t page);
/* Sender k and its agent's receive both ended well. */
const char *ka_map_done(unsigned k, L4_ThreadId_t ag);
/* A fresh page of the root's holding value in its first word. */
L4_Word_t ka_value_page(L4_Word_t value);

#endif
