/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path: a send of untyped words to a partner that already
 * waits for us, followed by our own receive phase with no sender queued,
 * the shape of every Call and ReplyWait.  Anything else (typed items, a
 * partner not ready, timeouts to arm, kernel-made messages) takes the
 * general path in ipc.c, which gives the same result more slowly.
 */
#include <kernel/ipc.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/irq.h>
#include <arch/arch.h>

static bool partner_waits_for(const tcb_t *dest, const tcb_t *t)
{
	tid_t from = dest->cont.ipc_from;

	/* A receiver whose receive phase has not run yet (on the work list,
	 * kernel/ipc.c) may have senders queued: the general path. */
	if (dest->core->state != TS_RECV || kmsg_active(dest) || dest->core->wakeup_us || dest->cont.halted ||
	    xfer_linked(dest) || dest->cont.receive_pending)
		return false;
	if (tid_is_any(from))
		return true;
	return from == t->core->id;
}

void ipc_fastpath(tcb_t *t, tid_t to, tid_t from, uint32_t timeouts, word_t tag)
{
	/* Untyped words only (no typed items, no flags); a Call (receive
	 * from the partner) or a ReplyWait (receive from anyone) whose
	 * receive phase will block with no timeout and no sender queued. */
	if ((tag & 0xFFC0u) || (from != to && !tid_is_any(from)) || timeouts_rcv(timeouts))
		return;
	if (t->core->senders || t->cont.halted || xfer_linked(t) || irq_pending_lines)
		return;
	tcb_t *dest = thread_lookup(to);
	if (!dest || dest == t || !partner_waits_for(dest, t) || dest->core->prio < t->core->prio)
		return;

	word_t *dst = dest->utcb;
	arch_copy_words(dst + 1, t->utcb + 1, msgtag_u(tag));
	arch_ipc_set_result(&dest->ctx, tag, t->core->id, dst[1], dst[2]);

	t->cont.ipc_from = from;
	t->cont.ipc_timeouts = timeouts;
	t->cont.kind = CONT_USER_IPC;
	sched_handoff(t, dest);
	t->core->state = TS_RECV;
	sched_run(dest);
}
