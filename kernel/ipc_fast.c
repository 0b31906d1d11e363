/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path: a send of untyped words to a partner that already
 * waits for us, followed by our own receive phase with no sender queued,
 * the shape of every Call and ReplyWait, and of Lipc's Lcall and
 * LreplyWait.  The partner may be named by its global ID or, in our own
 * space, by its local ID (what Lipc takes).  Anything else (typed items,
 * a partner not ready, timeouts to arm, kernel-made messages) takes the
 * general path in ipc.c, which gives the same result more slowly.
 *
 * Built with ebx, esi and edi call-clobbered (Makefile): ipc_fast_entry()
 * never returns, so saving them is waste.  Hence nothing here is called
 * from C; the option and the count are ipc_fast_option.c's.
 */
#include <kernel/ipc.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/irq.h>
#include <arch/arch.h>
#include <arch/run.h>
#include "ipc_internal.h"

/* t's local ID: thread_local_id() without its check, for t runs or
 * waits in IPC, so its UTCB is placed. */
static inline tid_t local_id(const tcb_t *t)
{
	return t->utcb_location + UTCB_LOCAL_ID_OFFSET;
}

/* Is d a thread of space s whose UTCB is, or is to be, at utcb?  (Not
 * whether it has its UTCB: ipc_fastpath() asks that of every partner.) */
static inline bool is_at(const tcb_t *d, const space_t *s, uint32_t utcb)
{
	return d && d->space == s && d->utcb_location == utcb;
}

/*
 * The resident part of the thread of t's space whose local ID is local
 * (a word with no version bits, which may still be nil or anylocal),
 * found without the general path's walk of the space's threads: t's last
 * such partner, if it is the one; else its UTCB says its global ID, which
 * the thread table then must confirm (the UTCB is the user's to write: a
 * wrong word there only sends the call to the general path).  Either way
 * the thread found is the one whose UTCB lies there now.
 */
static tcb_core_t *local_partner(tcb_t *t, tid_t local)
{
	space_t *s = t->space;
	uint32_t utcb = local - UTCB_LOCAL_ID_OFFSET;
	tcb_core_t *c;
	tcb_t *d;

	/* peer_local is nil (never a concrete local ID) until the slow half
	 * below sets it, with peer_id, a concrete global ID, and peer_core,
	 * its resident part then (ipc_fastpath() sets the last two alone
	 * for a partner named by its global ID, and peer_local to nil).
	 * Resident parts are never given back (the reserve is the kernel's,
	 * thread_core.c) and a free one has the ID nil, so peer_core may be
	 * read while peer_id is not nil, and is the part of peer_id exactly
	 * when it has that ID: no table walk. */
	if (local == t->peer_local && local != TID_NIL) {
		c = t->peer_core;
		if (c->id == t->peer_id && is_at(c->tcb, s, utcb))
			return c;
	}
	if (!tid_is_local(local))
		return NULL;

	/* Only where a UTCB can be: a UTCB slot of the space's UTCB area
	 * (set, since t runs; SpaceControl made it an aligned fpage of at
	 * most 16 MB, so its raw word is its base with its size field). */
	fpage_t area = s->utcb_area;
	if ((utcb & (UTCB_SIZE - 1)) || (utcb - (area & FPAGE_BASE_MASK)) >> fpage_size_field(area))
		return NULL;
	const word_t *gid = arch_user_word(s->pdir, local + TCR_MY_GLOBAL_ID);
	d = gid ? thread_lookup(*gid) : NULL;
	if (!is_at(d, s, utcb))
		return NULL;
	t->peer_local = local;
	t->peer_id = d->core->id;
	t->peer_core = d->core;
	return d->core;
}

/* Does dest take a message from t?  (Whether they share a space is
 * asked only when it matters: not kept across the checks, nor spilled.) */
static inline __attribute__((always_inline)) bool takes_from(const tcb_t *dest, const tcb_t *t)
{
	tid_t from = dest->cont.ipc_from;

	if (tid_is_any(from) || from == t->core->id)   /* a server's, a Call's */
		return true;
	return dest->space == t->space && (from == local_id(t) || tid_is_anylocal(from));
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
 * Checked once (docs/ipc-fast-path.md, "Checked once").  Could t, now
 * trapping into the fast path, go on to wait there?  No sender queued on
 * us (our receive phase would take it), no halt, no stopped transfer
 * (xfer_linked()), no waiting interrupt, no receive phases the general
 * path would go on with first (ipc.c), our UTCB in place, no redirector
 * for our space (ipc_redirect.c), the option on, no delayed preemption
 * running (a thread of higher priority waits for us to give way), no
 * call re-executed after a preemption point (preempt.h: RESUME_NONE is
 * 0), and not on time a ThreadSwitch donated (we run at the donor's
 * priority: who runs next is the scheduler's choice, sched_switch_to()).
 * And, for when we wait: no timeout armed, a UTCB, not on the work
 * list, and the kind of our continuation already a user IPC's (as every
 * wake-up leaves it: make_ready()), so that the fast path need not set
 * it: what waiting_fit() asks of a partner besides what the fast path
 * sets itself.  The fast path's other callers are ipc_fast_prev, for
 * which it all still holds.  Inline, in the branch that takes it: a call
 * out would cost the first fast IPC after any other kernel entry (a
 * string Call's reply) more than the checks themselves.
 */
static inline __attribute__((always_inline)) bool caller_fit(const tcb_t *t)
{
	_Static_assert(RESUME_NONE == 0, "resume.op is or-ed in");
	const tcb_core_t *c = t->core;
	return !((uintptr_t)c->senders | (uintptr_t)receive_work | irq_pending_lines | ipc_fast_off |
		 t->cont.xfer.partner | t->space->redirector |
		 (uint32_t)c->wakeup_us | (uint32_t)(c->wakeup_us >> 32) |
		 (uint32_t)(t->cont.halted | t->cont.receive_pending | t->utcb_away | t->delaying |
			    t->cont.resume.op | (t->cont.kind ^ CONT_USER_IPC))) &&
	       t->utcb && t != sched_donee;
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

/* Values the compiler would keep in registers across the checks are
 * read again after this from the TCBs (where they are anyway): fewer
 * live values, no spills to the stack on the way. */
#define FRESH() __asm__ volatile("" ::: "memory")

/* The message's words, MR1 on, from t's UTCB to dest's, and MR1 and MR2
 * in dest's registers.  (No words: not even rep's setup, the case the
 * figures lead with; and no MR1 and MR2 registers, which X.2 leaves
 * undefined beyond the message's words: the receiver's own EBX and EBP
 * stay.) */
static inline __attribute__((always_inline)) void put_words(const tcb_t *t, tcb_t *dest)
{
	const arch_context_t *c = &t->ctx;

	if (msgtag_u(arch_ipc_tag(c))) {
		FRESH();   /* (the test a byte's, the count read again) */
		arch_copy_words(dest->utcb + 1, t->utcb + 1, msgtag_u(arch_ipc_tag(c)));
		arch_ipc_set_mr12(&dest->ctx, dest->utcb[1], dest->utcb[2]);
	}
}

/*
 * The message goes to dest (dc its resident part; same: it is of our
 * space), which runs next, and t waits in its receive phase; nothing is
 * called.  pair: dc is the last fast IPC's caller answered
 * (ipc_fast_pair_id), so that the two stay a pair; else whether they
 * become one is asked here.
 */
static inline __attribute__((always_inline, noreturn)) void
deliver_as(tcb_t *t, tcb_core_t *dc, tcb_t *dest, bool pair, bool same)
{
	const arch_context_t *c = &t->ctx;
	tcb_core_t *self = t->core;
	/* X.2: a sender of the receiver's own space is named by its local ID. */
	tid_t sender = same ? local_id(t) : self->id;
	/*
	 * The pair ("The pair" in docs/ipc-fast-path.md): may dest, once it
	 * runs, answer us by the fast path with no check of either of us?
	 * We wait as waiting_fit() asks (ipc_fast_last), for dest (our
	 * Call's partner, any thread, or any thread of our space when dest
	 * is in it), at dest's own priority, which the answer's check (no
	 * lower than the caller's) then passes too; dest is the last fast
	 * IPC's caller, so that it passed caller_fit() and will again when
	 * it answers; and the switch back needs no work on the FPU or the
	 * I/O bitmap.  An answer within the pair keeps all of it but the
	 * receive phase, whose anylocal case ipc_fastpath() sends here only
	 * with dest in our space.
	 */
	if (!pair)
		pair = dc == ipc_fast_last && dc->prio == self->prio &&
		       (same || !tid_is_anylocal(arch_ipc_from(c))) && arch_switch_plain(t, dest);
	ipc_fast_pair_id = pair ? sender : TID_NIL;
	arch_ipc_set_tag_from(&dest->ctx, arch_ipc_tag(c), sender);
	FRESH();
	ipc_fast_taken++;
	put_words(t, dest);
	t->cont.ipc_from = arch_ipc_from(c);
	t->cont.ipc_timeouts = arch_ipc_timeouts(c);
	/* (t->cont.kind is CONT_USER_IPC: caller_fit(), or it was when the
	 * fast IPC before the last left us waiting, and the last one only
	 * ended that receive phase.) */
	FRESH();
	/* Lazy scheduling (sched.h): whoever stands in the ready queues
	 * for us now stands for dest, which runs; if that is nobody, we
	 * are in the queues, and stand for dest.  (Within the pair a note
	 * is always set: the pair's first IPC set it or found it.) */
	if (!pair && !sched_lazy_from)
		sched_lazy_from = self;
	self->state = TS_RECV;
	dc->state = TS_READY;
	/* We were checked (caller_fit(), or before: see there), and wait
	 * now as waiting_fit() asks.  (ipc_fast_prev may stay as it was
	 * within a pair: any thread that passed caller_fit() still does
	 * until the kernel does anything but fast IPCs, and then it is
	 * forgotten; ipc_fast_last must be exact.) */
	if (!pair)
		ipc_fast_prev = ipc_fast_last;
	ipc_fast_last = self;
	current = dest;
	/* Within the pair, switching is the space's alone (or nothing). */
	if (pair)
		arch_run_plain(dest, !same);
	arch_run_inline(dest);
}

/* (Whether dest shares our space, asked once and never kept: each case
 * its own copy, no value live across the rest.) */
static inline __attribute__((always_inline, noreturn)) void
deliver(tcb_t *t, tcb_core_t *dc, tcb_t *dest, bool pair)
{
	if (dest->space == t->space)
		deliver_as(t, dc, dest, pair, true);
	deliver_as(t, dc, dest, pair, false);
}

/*
 * The resident part of the partner named by to (global, or local to our
 * space), NULL where the fast path does not find one: our last partner
 * again, or the thread table's.  Its state and priority are read first,
 * and its body only then (a body away, TS_AWAY, is the general path's:
 * kernel/tcb_away.c).
 */
static inline __attribute__((always_inline)) tcb_core_t *partner(tcb_t *t, tid_t to)
{
	if (!(to & TID_LOCAL_MASK))   /* a local ID, nil or anylocal */
		return local_partner(t, to);
	/* (peer_id nil: none, and to is not nil.  No resident part has the
	 * ID TID_ANY: ThreadControl takes global IDs only.) */
	tcb_core_t *dc = t->peer_core;
	if (__builtin_expect(to != t->peer_id || dc->id != to, 0)) {
		dc = thread_core_by_number(tid_number(to));
		if (!dc || dc->id != to)
			return NULL;
		t->peer_local = TID_NIL;
		t->peer_id = to;
		t->peer_core = dc;
	}
	return dc;
}

/*
 * A Send alone (no receive phase) to a partner that waits for us, of no
 * higher priority than ours: as the general path does, the message goes
 * to it, it is made ready behind the threads of its priority, and we run
 * on (sched_switch_to() keeps us: caller_fit() leaves no donation or
 * delay).  Returns where the fast path does not apply.
 */
static inline __attribute__((always_inline)) void send_alone(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;
	tcb_core_t *self = t->core;

	if (__builtin_expect(self != ipc_fast_prev, 0) && !caller_fit(t))
		return;
	FRESH();
	tcb_core_t *dc = partner(t, arch_ipc_to(c));
	if (!dc)
		return;
	if (__builtin_expect(dc != ipc_fast_last, 0) && !waiting_fit(dc))
		return;
	if (dc->prio > self->prio)   /* it would run first: the general path's */
		return;
	tcb_t *dest = dc->tcb;
	if (!takes_from(dest, t))
		return;
	FRESH();
	ipc_fast_taken++;
	arch_ipc_set_tag_from(&dest->ctx, arch_ipc_tag(c),
			      dest->space == t->space ? local_id(t) : self->id);
	put_words(t, dest);
	t->cont.ipc_from = TID_NIL;
	t->cont.ipc_timeouts = arch_ipc_timeouts(c);
	arch_ipc_set_tag(&t->ctx, 0);
	/* No one waits as this IPC left it (dest may have been the last
	 * one's caller); we passed caller_fit() and still do. */
	if (ipc_fast_last)
		ipc_fast_prev = ipc_fast_last;
	ipc_fast_last = NULL;
	ipc_fast_pair_id = TID_NIL;
	make_ready(dest);   /* (settles a note first: sched.h) */
	arch_leave_to(t);   /* our space, FPU and UTCB as they are */
}

/*
 * The checks come first, in the order that leaves the common case the
 * fewest branches: most are an or of words that are all zero when the
 * fast path applies, one branch for all.
 */
static inline __attribute__((always_inline)) void ipc_fastpath(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;

	/* Untyped words only (no typed items, no flags); a Call (receive
	 * from the partner) or a ReplyWait (receive from anyone, or any
	 * thread of our space) whose receive phase will block with no
	 * timeout. */
	if (arch_ipc_tag(c) & 0xFFC0u)
		return;
	if (timeouts_rcv(arch_ipc_timeouts(c)))
		return;
	tid_t from = arch_ipc_from(c);
	tid_t to = arch_ipc_to(c);
	if (from != to) {   /* not a Call */
		FRESH();   /* (a branch: GCC would rather set flags for all three) */
		if (!tid_is_any(from)) {
			if (tid_is_nil(from)) {
				send_alone(t);
				return;
			}
			if (!tid_is_anylocal(from))
				return;
			/* Any thread of our space: the pair's answer only by a
			 * local ID (nil is never the pair's), which names a
			 * thread of our space. */
			if (to & TID_LOCAL_MASK)
				goto look_up;
		}
	}
	/* The last fast IPC's caller, answered as it was named to us, or by
	 * its global ID where that was its local one (a pair in one
	 * space): it waits as that IPC left it, for us, and takes our
	 * message now (deliver()).  (Nil, no pair, is nobody's name, and
	 * ipc_fast_last is set while there is a pair.) */
	tid_t pair = ipc_fast_pair_id;
	if (pair != TID_NIL && (to == pair || to == ipc_fast_last->id)) {
		tcb_core_t *dc = ipc_fast_last;
		deliver(t, dc, dc->tcb, true);
	}
look_up:
	FRESH();
	/* Our own state: checked once, when the fast IPC before the last
	 * left us waiting (ipc_fast_prev), it holds until the kernel does
	 * anything else (ipc_fast_forget()): the last fast IPC, which made
	 * us ready, and our user code since change none of it.  (The
	 * pair's answer above: the pair was made so, deliver().) */
	tcb_core_t *self = t->core;
	if (__builtin_expect(self != ipc_fast_prev, 0) && !caller_fit(t))
		return;
	FRESH();
	tcb_core_t *dc = partner(t, arch_ipc_to(c));
	if (!dc)
		return;
	/* dest waits as the last fast IPC left it (its caller then: that
	 * IPC checked it as caller_fit() does, nothing else ran since), or
	 * passes waiting_fit(); and has no lower priority than ours (else
	 * we run on: sched_switch_to()). */
	if (__builtin_expect(dc != ipc_fast_last, 0) && !waiting_fit(dc))
		return;
	if (dc->prio < self->prio)
		return;
	tcb_t *dest = dc->tcb;         /* TS_RECV: it has its body */
	if (!takes_from(dest, t))
		return;
	deliver(t, dc, dest, false);
}

void trap_from_user(void) __attribute__((noreturn));   /* arch/ia32/trap.c */

/* The Ipc trap from protected mode (arch/ia32/entry.asm's isr_48): the
 * fast path, then, where it does not apply, every other trap's way. */
void ipc_fast_entry(void)
{
	ipc_fastpath(current);
	trap_from_user();
}
