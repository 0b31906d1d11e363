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
#include <arch/arch.h>

/* X.2 UTCB: MyGlobalId lies 60 bytes below the address a local ID names. */
#define MY_GLOBAL_ID_BELOW 60u

/*
 * The thread of t's space whose local ID is local, found without the
 * general path's walk of the space's threads: its UTCB says its global
 * ID, which the thread table then must confirm (the UTCB is the user's
 * to write: a wrong word there only sends the call to the general path).
 */
static tcb_t *local_partner(const tcb_t *t, tid_t local)
{
	space_t *s = t->space;

	if (!space_in_utcb_area(s, local - MY_GLOBAL_ID_BELOW, sizeof(word_t)))
		return NULL;
	const word_t *gid = space_user_ptr(s, local - MY_GLOBAL_ID_BELOW, RIGHT_R);
	tcb_t *d = gid ? thread_lookup(*gid) : NULL;

	return d && d->space == s && d->utcb && thread_local_id(d) == local ? d : NULL;
}

/* Does dest's from-specifier take a message from t? */
static bool partner_waits_for(const tcb_t *dest, const tcb_t *t)
{
	tid_t from = dest->cont.ipc_from;

	/* A receiver whose receive phase has not run yet (on the work list,
	 * kernel/ipc.c) may have senders queued: the general path. */
	if (dest->core->state != TS_RECV || kmsg_active(dest) || dest->core->wakeup_us || dest->cont.halted ||
	    xfer_linked(dest) || dest->cont.receive_pending)
		return false;
	if (tid_is_any(from) || from == t->core->id)
		return true;
	return dest->space == t->space && (tid_is_anylocal(from) || from == thread_local_id(t));
}

void ipc_fastpath(tcb_t *t, tid_t to, tid_t from, uint32_t timeouts, word_t tag)
{
	/* Untyped words only (no typed items, no flags); a Call (receive
	 * from the partner) or a ReplyWait (receive from anyone, or any
	 * thread of our space) whose receive phase will block with no
	 * timeout and no sender queued. */
	if ((tag & 0xFFC0u) || (from != to && !tid_is_any(from) && !tid_is_anylocal(from)) ||
	    timeouts_rcv(timeouts))
		return;
	if (t->core->senders || t->cont.halted || xfer_linked(t))
		return;
	tcb_t *dest = tid_is_local(to) ? local_partner(t, to) : thread_lookup(to);
	if (!dest || dest == t || !partner_waits_for(dest, t) || dest->core->prio < t->core->prio)
		return;

	word_t *dst = dest->utcb;
	arch_copy_words(dst + 1, t->utcb + 1, msgtag_u(tag));
	/* X.2: a sender of the receiver's own space is named by its local ID. */
	arch_ipc_set_result(&dest->ctx, tag, dest->space == t->space ? thread_local_id(t) : t->core->id,
			    dst[1], dst[2]);

	t->cont.ipc_from = from;
	t->cont.ipc_timeouts = timeouts;
	t->cont.kind = CONT_USER_IPC;
	sched_handoff(t, dest);
	t->core->state = TS_RECV;
	sched_run(dest);
}
