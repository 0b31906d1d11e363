/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread bodies taken back by their kpager (issue 7; the paper, section
 * 3.4).  Within the Unmap that takes a TCB page back, every body in it is
 * written in its external form (kernel/tcb_extern.h) and the thread goes
 * TS_AWAY: only its resident part stays, linked where it was (a send's
 * receiver queue, the timeout queue), never on a ready queue.  A thread
 * away that must run (it was ready, a partner it waits for sends or
 * waits for it, its timeout fires) asks its own task's kpager for its
 * TCB page: a kernel page fault made from the resident part alone.  The
 * page that comes back is validated (tcb_import_check) before anything
 * changes, then converted back.  docs/kernel-memory.md, "Thread bodies".
 */
#ifndef KERNEL_TCB_AWAY_H
#define KERNEL_TCB_AWAY_H

#include <kernel/types.h>
#include <kernel/thread.h>

struct space;
struct kpf_wait;

/* core->away.flags */
#define AWAY_WANTED  0x01u   /* must run: queued on its kpager for its page */
#define AWAY_ASKED   0x02u   /* its kernel page fault delivered, not answered */
#define AWAY_HALTED  0x04u   /* its page was refused: halted, asks no more */
#define AWAY_ORPHAN  0x08u   /* must run, but its kpager could not be asked */
#define AWAY_ACTIVE  0x10u   /* activated (its space counts it) */

static inline bool thread_away(const tcb_core_t *c)
{
	return c->state == TS_AWAY;
}

/* The thread away that id names as seen from space s: its global ID,
 * or a local ID of s (kept resident: its body holds the UTCB); NULL if
 * none. */
tcb_core_t *tcb_away_resolve(const struct space *s, tid_t id);

/* Does id name a thread away, as seen from space s? */
static inline bool thread_away_id(const struct space *s, tid_t id)
{
	return tcb_away_resolve(s, id) != NULL;
}

/* The boot key for the seal (once, at boot). */
void tcb_away_init(void);
/* kpreempt.c: take the TCB page pa (at cid of s) out; false: a body in
 * it cannot go now (the kernel keeps the frame), nothing changed. */
bool tcb_away_export(struct space *s, uint32_t cid, uint32_t pa);
/* kpf_accept's validate step for a TCB page of s at cid in the frame
 * pa: 0, or the refusal for the kpager (LENT_KPF_REFUSAL ...). */
uint32_t tcb_away_check(struct space *s, uint32_t cid, uint32_t pa);
/* A refused page: its threads whose body it would not give are halted. */
void tcb_away_refused(struct space *s, uint32_t cid, uint32_t pa);
/* Does the TCB page at cid of s hold bodies away (its content is theirs,
 * not to be zeroed)? */
bool tcb_away_in_page(struct space *s, uint32_t cid);
/* kpf_accept's act step, once pa is lent at cid: the bodies back. */
void tcb_away_import(struct space *s, uint32_t cid, uint32_t pa);

/* The timeout of a thread away fired (sched.c). */
void tcb_away_timeout(tcb_core_t *c);
/* s has a new kpager (LENT_KMEM_SET_KPAGER): its threads away that must
 * run ask it for their bodies, their last kpager gone or not. */
void tcb_away_kpager_set(struct space *s);
/* An interrupt waits for c, away (irq.c): c must run if it receives. */
void tcb_away_wake(tcb_core_t *c);
/* rcv's receive phase meets c, away, on its queue of senders (ipc.c). */
enum { AWAY_SKIP, AWAY_RESCAN, AWAY_DELIVERED };
int tcb_away_met(tcb_t *rcv, tcb_core_t *c);
/* t sends to `to`, a thread away (ipc.c): true if it was, and t's send
 * is dealt with (queued, answered, or failed). */
bool tcb_away_send(tcb_t *t, tid_t to, word_t tag);
/* c, away, leaves the queue of a receiver that is deleted (ipc_end.c). */
void tcb_away_detach(tcb_core_t *c, tcb_core_t *dying);
/* ThreadControl deletes c, away: its body is not needed. */
void tcb_away_delete(tcb_core_t *c);
/* A system call names `id`: if it is away, its body is asked for, as a
 * kernel page fault of t's (enum sys_gather); GATHER_OK if not away. */
int tcb_away_gather(tcb_t *t, tid_t id);

#endif
