/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Machinery shared by the tests of the preemption points (t_preempt.c,
 * t_preempt_fix.c, t_pattack_xfer.c, t_pattack_space.c, t_pattack_map.c):
 * a load that runs below main's priority, and the state that shows it
 * stopped in the middle, which a thread above it looks at once a timer
 * tick.
 */
#ifndef T_PREEMPT_H
#define T_PREEMPT_H

#include "tests.h"

#define PT_LOW_PRIO	(RT_PRIORITY - 50)	/* the thread running the load */
#define PT_LOOK_US	100			/* a sleep that ends at the next tick */
#define PT_LIMIT_US	50000000UL		/* generous: the machine is loaded */

/* A thread of the root's space below main's priority, running fn(arg). */
L4_ThreadId_t pt_low_thread(rt_entry_t fn, L4_Word_t arg);

/* ExchangeRegisters with control, sp and ip; the old control word. */
#define PT_EX_HALT_FLAG		__L4_EXREGS_HALT
#define PT_EX_ABORT_RECV	__L4_EXREGS_ABORT_RECV
#define PT_EX_ABORT_SEND	__L4_EXREGS_ABORT_SEND
#define PT_EX_IP		__L4_EXREGS_SET_IP	/* the thread keeps its stack */
#define PT_EX_SET_HALT		__L4_EXREGS_SET_HALT
L4_Word_t pt_exregs(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp, L4_Word_t ip);

/* Wait until *w is at least want (it may pass it between two looks). */
int pt_wait_at_least(volatile L4_Word_t *w, L4_Word_t want, L4_Word_t us);

/*
 * Free pages of the kernel-memory pool: inactive threads (a page each)
 * in one new space until "out of memory", then deleted again.  Only for
 * small pools; 0 if the count fails.
 */
L4_Word_t pt_free_pages(void);

/* Map page read-only into task t at n addresses from base, step apart,
 * 31 map items to a message labelled label; t receives them from main. */
const char *pt_map_many(L4_ThreadId_t t, L4_Word_t label, L4_Word_t page, L4_Word_t base,
			L4_Word_t step, L4_Word_t n);

/* A task body: take main's map messages (anywhere) until one labelled go. */
void pt_take_maps_until(L4_Word_t go);

/* ---- the deletion load ---- */

/*
 * A victim task holds main's page at many addresses from PT_DL_BASE, and
 * once more at the top (PT_DL_TOP), which it maps on to an agent at
 * PT_DL_WIN.  Deleting the victim unmaps its pages from the bottom up,
 * the one at PT_DL_TOP and the agent's copy of it last.
 */
#define PT_DL_BASE	0x10000000UL
#define PT_DL_TOP	0xB0000000UL
#define PT_DL_WIN	0x20000000UL	/* the agent's copy */
#define PT_DL_MANY	60000
#define PT_DL_PER_PAGE	100		/* 1024 mappings: 8 pages of nodes, 2 tables */
#define PT_DL_SPARE	56		/* pool pages left: the privileged reserve and more */

/* How many mappings the victim gets with free pool pages left: as many
 * as the pool holds, less a margin, at most PT_DL_MANY. */
L4_Word_t pt_dl_mappings(L4_Word_t free);

/* ---- the string load ---- */

/*
 * One message is PT_STR_ITEMS string items chained into one string,
 * received into one compound buffer of as many substrings that all lie
 * on the same buffer rcv: item i comes from src[i & 1].  Each source is
 * filled with its own word and rcv with src[0]'s, so after a whole
 * message rcv holds src[0]'s words only, and while item i is copied rcv
 * begins with src[i & 1]'s words and ends with src[(i - 1) & 1]'s.
 */
#define PT_STR_ITEMS	31

struct pt_str {
	L4_Word_t src[2], rcv, len;	/* len: the size of each buffer */
};

/* Three buffers of 2^max_log2 pages, or smaller ones down to 2^min_log2
 * if memory is short (a larger block obtained on the way serves as a
 * smaller one). */
int pt_str_buffers(struct pt_str *s, L4_Word_t max_log2, L4_Word_t min_log2);

/* src[k] filled with word | k; pt_str_fill also fills rcv with word. */
void pt_str_fill_sources(const struct pt_str *s, L4_Word_t word);
void pt_str_fill(const struct pt_str *s, L4_Word_t word);

/* The receive buffers and the message of the string load. */
void pt_str_load_buffers(const struct pt_str *s);
void pt_str_load_message(const struct pt_str *s, L4_Word_t label);

/* Written front to back: a first word unlike the last one is a
 * substring copied in part. */
int pt_str_halfway(const struct pt_str *s);

/* Look once a tick until the copy is seen halfway (1), or *done is set
 * or PT_LIMIT_US has passed (0); *looks counts the looks if not null. */
int pt_str_catch_halfway(const struct pt_str *s, volatile L4_Word_t *done, L4_Word_t *looks);

/* ---- the Unmap load ---- */

/*
 * A task has main's page in each of PT_UM_REGIONS 4 MB regions of a
 * 1 GB fpage it never touches, and unmaps that fpage PT_UM_FPAGES times
 * in one Unmap (MR0..MR63, all rights).  An fpage's MR gets its result
 * (rights replaced by the access bits) when that fpage is done.
 */
#define PT_UM_BASE	0x40000000UL
#define PT_UM_LOG2	30
#define PT_UM_FPAGES	64
/* Each region costs the task a page table and a node table: 24 regions
 * and the task's own pages stay well inside the 72 pages sigma0 lends
 * one unprivileged task at 8 MB (sigma0/kpager.c), whatever the size of
 * the boot images. */
#define PT_UM_REGIONS	24

/*
 * The Unmap load set up: the task (unmapper, below main's priority) and
 * its second thread (observer, whose UTCB follows the unmapper's), main's
 * page once in each region (map_label), then "go" (go_label).  The
 * unmapper's id goes to *tid, if tid is not null, before the observer
 * starts.
 */
const char *pt_um_start(rt_entry_t unmapper, rt_entry_t observer, L4_Word_t page,
			L4_Word_t map_label, L4_Word_t go_label, volatile L4_Word_t *tid);

/* The fpage each of the Unmap's MRs holds on input. */
L4_Word_t pt_um_input(void);

/* The Unmap's MRs half answered: the second fpage's result already
 * there, the 63rd's input still there. */
int pt_um_halfway(const volatile L4_Word_t *mr);

#endif
