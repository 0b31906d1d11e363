/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path: a send of untyped words to a partner that already
 * waits for us, followed by our own receive phase with no sender queued,
 * the shape of every Call and ReplyWait, and of Lipc's Lcall and
 * LreplyWait.  The partner may be named by its global ID or, in our own
 * space, by its local ID (what Lipc takes).  Anything else (typed items,
 * a partner not ready, timeouts to arm, kernel-made messages) takes the
 * general path in ipc.c, which gives the same result more slowly.
 */
#include <kernel/ipc.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/irq.h>
#include <arch/arch.h>

/* t's local ID: thread_local_id() without its check, for t runs or
 * waits in IPC, so its UTCB is placed. */
static inline tid_t local_id(const tcb_t *t)
{
	return t->utcb_location + UTCB_LOCAL_ID_OFFSET;
}

/* Is d the thread of space s whose UTCB is at utcb? */
static inline bool is_at(const tcb_t *d, const space_t *s, uint32_t utcb)
{
	return d && d->space == s && d->utcb && d->utcb_location == utcb;
}

/*
 * The thread of t's space whose local ID is local, found without the
 * general path's walk of the space's threads: t's last such partner, if
 * it is the one; else its UTCB says its global ID, which the thread
 * table then must confirm (the UTCB is the user's to write: a wrong word
 * there only sends the call to the general path).  Either way the thread
 * found is the one whose UTCB lies there now.
 */
static tcb_t *local_partner(tcb_t *t, tid_t local)
{
	space_t *s = t->space;
	uint32_t utcb = local - UTCB_LOCAL_ID_OFFSET;
	tcb_core_t *c;
	tcb_t *d;

	/* peer_local is 0 (never a concrete local ID) until the slow half
	 * below sets it, together with peer_id, a concrete global ID: no
	 * need to ask tid_is_global() of it here. */
	if (local == t->peer_local && (c = thread_core_by_number(tid_number(t->peer_id))) &&
	    c->id == t->peer_id && is_at(c->tcb, s, utcb))
		return c->tcb;

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
	return d;
}

/* Is dest blocked in a receive phase that the fast path may end: no
 * timeout armed, no kernel message, not halted, no transfer stopped, and
 * not on the work list (a receiver whose receive phase has not run yet,
 * kernel/ipc.c, may have senders queued)? */
static inline bool waits_plainly(const tcb_t *dest)
{
	return dest->core->state == TS_RECV && !kmsg_active(dest) && !dest->core->wakeup_us &&
	       !dest->cont.halted && !dest->cont.receive_pending && !xfer_linked(dest);
}

/* Does dest (of t's space if same) take a message from t? */
static inline bool takes_from(const tcb_t *dest, const tcb_t *t, bool same)
{
	tid_t from = dest->cont.ipc_from;

	if (same && (from == local_id(t) || tid_is_anylocal(from)))
		return true;
	return tid_is_any(from) || from == t->core->id;
}

/*
 * The message goes to dest, which runs next; t waits in its receive
 * phase.  Its arguments are read again from t's registers here, where
 * they are needed, rather than kept live across the checks.
 */
static void __attribute__((noreturn)) deliver(tcb_t *t, tcb_t *dest, bool same)
{
	const arch_context_t *c = &t->ctx;
	word_t tag = arch_ipc_tag(c);
	word_t *dst = dest->utcb;

	arch_copy_words(dst + 1, t->utcb + 1, msgtag_u(tag));
	/* X.2: a sender of the receiver's own space is named by its local ID. */
	arch_ipc_set_result(&dest->ctx, tag, same ? local_id(t) : t->core->id, dst[1], dst[2]);
	t->cont.ipc_from = arch_ipc_from(c);
	t->cont.ipc_timeouts = arch_ipc_timeouts(c);
	t->cont.kind = CONT_USER_IPC;
	sched_handoff(t, dest);
	t->core->state = TS_RECV;
	sched_run(dest);
}

void ipc_fastpath(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;
	tid_t to = arch_ipc_to(c), from = arch_ipc_from(c);

	/* Untyped words only (no typed items, no flags); a Call (receive
	 * from the partner) or a ReplyWait (receive from anyone, or any
	 * thread of our space) whose receive phase will block with no
	 * timeout and no sender queued. */
	if ((arch_ipc_tag(c) & 0xFFC0u) || timeouts_rcv(arch_ipc_timeouts(c)))
		return;
	if (from != to && !tid_is_any(from) && !tid_is_anylocal(from))
		return;
	/* A stopped transfer (xfer_linked()), a waiting interrupt or a space
	 * with a redirector (ipc_redirect.c): the general path.  One or of
	 * the three words, one branch. */
	if (t->core->senders || t->cont.halted ||
	    (irq_pending_lines | t->cont.xfer.partner | t->space->redirector | t->utcb_away))
		return;
	tcb_t *dest = tid_is_local(to) ? local_partner(t, to) : thread_lookup(to);
	/* (A receiver whose UTCB page is away: the general path asks for it.) */
	if (!dest || dest == t || !waits_plainly(dest) || dest->core->prio < t->core->prio ||
	    !dest->utcb)
		return;
	bool same = dest->space == t->space;
	if (takes_from(dest, t, same))
		deliver(t, dest, same);
}
