/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the IPC fast path (kernel/ipc_fast.c) asks of the threads it
 * takes part of an IPC from or gives it to, before it acts: the general
 * path in ipc.c would give the same result more slowly, and where any of
 * these fails, it does.  Included by ipc_fast.c alone: each is inline in
 * the branch that asks.
 */
#ifndef KERNEL_IPC_FAST_FIT_H
#define KERNEL_IPC_FAST_FIT_H

#include <kernel/ipc.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/irq.h>
#include <arch/arch.h>
#include "ipc_internal.h"

/* t's local ID: thread_local_id() without its check, for t runs or
 * waits in IPC, so its UTCB is placed. */
static inline tid_t local_id(const tcb_t *t)
{
	return t->utcb_location + UTCB_LOCAL_ID_OFFSET;
}

/* snd's ID as rcv is told it (X.2: local where they share a space; the
 * general path's sender_id()). */
static inline tid_t sender_as_seen(const tcb_t *rcv, const tcb_t *snd)
{
	return rcv->space == snd->space ? local_id(snd) : snd->core->id;
}

/* Would dest, receiving from from, take a message from t?  (Whether they
 * share a space is asked only when it matters: not kept across the
 * checks, nor spilled.) */
static inline __attribute__((always_inline)) bool accepts_from(tid_t from, const tcb_t *dest,
							       const tcb_t *t)
{
	if (tid_is_any(from) || from == t->core->id)   /* a server's, a Call's */
		return true;
	return dest->space == t->space && (from == local_id(t) || tid_is_anylocal(from));
}

/* Does dest, in its receive phase, take a message from t? */
static inline __attribute__((always_inline)) bool takes_from(const tcb_t *dest, const tcb_t *t)
{
	return accepts_from(dest->cont.ipc_from, dest, t);
}

/* A continuation's kind, halted and receive_pending (the general path's
 * kmsg_active(), halt and receive work list) in one load: the first three
 * bytes of kcont_t, the fourth its padding. */
_Static_assert(__builtin_offsetof(kcont_t, halted) == 1 &&
	       __builtin_offsetof(kcont_t, receive_pending) == 2 &&
	       __builtin_offsetof(kcont_t, ipc_from) == 4, "cont_head()");
typedef uint32_t __attribute__((may_alias)) cont_word_t;
static inline uint32_t cont_head(const kcont_t *k)
{
	return *(const cont_word_t *)k & 0xFFFFFFu;
}

/*
 * What the fast path asks of t, which runs now, in every case; extra is
 * what each case asks besides, or-ed in (zero where it holds).  No
 * receive phases the general path would go on with first (ipc.c), no
 * waiting interrupt (an interrupt thread's message comes first), the
 * option on, no stopped transfer (xfer_linked()), no timeout armed, no
 * halt, not on the work list, the kind of our continuation a user IPC's
 * (as every wake-up leaves it: make_ready()), our UTCB in place, no
 * delayed preemption running (a thread of higher priority waits for us
 * to give way), no call re-executed after a preemption point
 * (preempt.h: RESUME_NONE is 0), and not on time a ThreadSwitch donated
 * (we run at the donor's priority: who runs next is the scheduler's
 * choice, sched_switch_to()).
 */
static inline __attribute__((always_inline)) bool running_fit(const tcb_t *t, uintptr_t extra)
{
	_Static_assert(RESUME_NONE == 0, "resume.op is or-ed in");
	const tcb_core_t *c = t->core;
	return !(extra | (uintptr_t)receive_work | irq_pending_lines | ipc_fast_off |
		 t->cont.xfer.partner | (uint32_t)c->wakeup_us | (uint32_t)(c->wakeup_us >> 32) |
		 (uint32_t)(t->utcb_away | t->delaying | t->cont.resume.op |
			    (cont_head(&t->cont) ^ CONT_USER_IPC))) &&
	       t->utcb && t != sched_donee;
}

/*
 * Checked once (docs/ipc-fast-path.md, "Checked once").  Could t, now
 * trapping into the fast path, go on to wait there?  running_fit(), and
 * no sender queued on us (our receive phase would take it) and no
 * redirector for our space (ipc_redirect.c).  What it asks for when we
 * wait (no timeout armed, a UTCB, not on the work list, the kind a user
 * IPC's, so that the fast path need not set it) is what waiting_fit()
 * asks of a partner besides what the fast path sets itself.  The fast
 * path's other callers are ipc_fast_prev, for which it all still holds.
 * Inline, in the branch that takes it: a call out would cost the first
 * fast IPC after any other kernel entry (a string Call's reply) more
 * than the checks themselves.
 */
static inline __attribute__((always_inline)) bool caller_fit(const tcb_t *t)
{
	return running_fit(t, (uintptr_t)t->core->senders | t->space->redirector);
}

/* dc blocked in a receive phase we may end: no timeout armed, no kernel
 * message, not halted, not on the work list (ipc.c: it may have senders
 * queued), no transfer stopped, a UTCB (one away: the general path asks
 * for it).  TS_RECV is never ours: we run.  (Its body is there then: a
 * body away is TS_AWAY, kernel/tcb_away.c.) */
static inline __attribute__((always_inline)) bool waiting_fit(const tcb_core_t *dc)
{
	if (dc->state != TS_RECV)
		return false;
	const tcb_t *dest = dc->tcb;
	return !((uint32_t)dc->wakeup_us | (uint32_t)(dc->wakeup_us >> 32) | dest->cont.xfer.partner |
		 (cont_head(&dest->cont) ^ CONT_USER_IPC)) && dest->utcb;
}

/* May t, with senders queued (which caller_fit() refuses), take the
 * first and run on?  running_fit(), and no reply held (ipc_xfault.c),
 * which the general path's delivery would change.  (Our receive timeout
 * does not matter: with a sender there, we wait for nothing.) */
static inline __attribute__((always_inline)) bool receiver_fit(const tcb_t *t)
{
	return running_fit(t, t->cont.held);
}

/* sc, the first sender queued on us: blocked in the send phase of a user
 * IPC of untyped words only (no propagation, no redirection to us), with
 * no send timeout armed, no transfer stopped or kept to go on with, not
 * halted, and with its UTCB; its body is there (NULL: kernel/tcb_away.c). */
static inline __attribute__((always_inline)) bool queued_fit(const tcb_core_t *sc)
{
	const tcb_t *s = sc->tcb;
	if (!s || sc->state != TS_SEND)
		return false;
	return !((uint32_t)sc->wakeup_us | (uint32_t)(sc->wakeup_us >> 32) | s->cont.xfer.partner |
		 s->cont.xfer.cur_to | s->cont.ipc_intended | (arch_ipc_tag(&s->ctx) & 0xFFC0u) |
		 (cont_head(&s->cont) ^ CONT_USER_IPC)) && s->utcb;
}

#endif
