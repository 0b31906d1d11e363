/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attacker's tests of kernel-memory lending (t_khostile*.c), and the
 * test kpager they share (t_khostile_kp.c): a thread of the root that
 * logs every kernel page fault and answers it as the test says, from a
 * pool of the root's pages, one map item per page the fault names.  It
 * may also hold its faults and answer them only when the root tells it
 * to (late, after the client gave up), or try a list of raw answers
 * first.
 */
#ifndef TESTS_T_KHOSTILE_H
#define TESTS_T_KHOSTILE_H

#include "t_kphelp.h"
#include <lent/kmem.h>


#define KH_POOL		24               /* pages */
#define KH_LOG		16
#define KH_RAW		8                /* raw answers tried first */
#define KH_WINDOW	0x58000000UL     /* 4 MB regions no agent ever used */
#define KH_WINDOW2	0x5c000000UL
#define KH_VALUE	0x686f7374UL
/* What the root sends the kpager: answer the faults held so far. */
#define KH_LABEL_GO	0x6b01
/* The XferTimeouts of the tests' senders: a transfer that is left
 * waiting ends by itself, never by host time. */
#define KH_XFER		L4_Timeouts(rt_us(800000), rt_us(800000))

enum kh_mode {
	KH_SERVE,        /* answer every fault from the pool */
	KH_HOLD,         /* log, do not answer until KH_LABEL_GO */
	KH_RAW_FIRST,    /* one fault (raw_at): the raw answers, then a good one */
};

/* A raw answer: the tag and up to 7 words after it, sent as they are. */
struct kh_raw {
	L4_Word_t tag;
	L4_Word_t w[7];
};

struct kh_log {
	L4_Word_t mode;
	L4_Word_t n;                          /* faults seen */
	L4_Word_t from[KH_LOG], u[KH_LOG], cid[KH_LOG], kind[KH_LOG];
	L4_Word_t page[KH_LOG][LENT_KPF_MAX_PAGES];   /* what it answered with */
	L4_Word_t answer_ec[KH_LOG];          /* ErrorCode of the answer, or 0 */
	L4_Word_t nraw;
	L4_Word_t raw_at;                     /* the fault (from 1) they go to; 0: the first */
	struct kh_raw raw[KH_RAW];
	L4_Word_t raw_ec[KH_RAW];
	L4_Word_t late_label;                 /* KH_LABEL_GO: label the late answers */
	L4_Word_t late_done;                  /* faults answered after KH_LABEL_GO */
	L4_Word_t next;                       /* next pool page to look at */
	L4_Word_t up;
};

extern volatile struct kh_log kh;
extern L4_Word_t kh_pool, kh_lent_kinds;
extern L4_ThreadId_t kh_thread;

/* A fresh log and kpager thread in mode; none of the pool may be lent. */
const char *kh_start(enum kh_mode mode);
/* The next pool page not lent now, or 0. */
L4_Word_t kh_take(void);
/* Reply to `to` with a map item of each of n pages, labelled as an
 * answer if label; the ErrorCode, or 0 if the kernel took it. */
L4_Word_t kh_answer(L4_ThreadId_t to, const L4_Word_t *page, unsigned n, int label);
/* Tell the kpager to answer what it holds (each fault one page per page
 * it names); returns once it has. */
const char *kh_go(int label);
/* No page of the pool is lent now. */
const char *kh_pool_back(void);
/* Frames lent to the kernel now for every task but the root (OWNED MR9
 * less the root's STATS MR16): the root's own node pages come and go
 * as the tasks it maps to come and go, and are not what these tests
 * count. */
L4_Word_t kh_lent_now(void);
/* A fresh page of the root's with value in its first word. */
L4_Word_t kh_value_page(L4_Word_t value);
/* A fresh kpager that holds its faults, and a client *a of it whose
 * receive of a map item into KH_WINDOW (sender ka_snd[0]) waits for it;
 * *waits 0 in a KMEM=pool kernel, where the map arrived at once. */
const char *kh_client_in_receive_kpf(L4_ThreadId_t *a, int *waits);
/* A second agent thread *t in the space of ag, its UTCB in ag's first
 * UTCB page, its pager main. */
const char *kh_second_agent(L4_ThreadId_t ag, L4_ThreadId_t *t);
/* Thread t is blocked in IPC as bit says (__L4_EXREGS_ABORT_RECV: a
 * receive, __L4_EXREGS_ABORT_SEND: a send), seen by ExchangeRegisters. */
const char *kh_wait_state(L4_ThreadId_t t, L4_Word_t bit);
/* A root thread's ThreadControl(t_shared[0], t_shared[1], main, main,
 * t_shared[2]): result in t_shared[3], ErrorCode in t_shared[4], done in
 * t_shared[5]; then, once t_shared[6] says so, ThreadControl(
 * t_shared[10], t_shared[11], main, main, t_shared[12]): t_shared[7],
 * [8], done in [9]. */
void kh_tc_body(L4_Word_t arg);


#endif
