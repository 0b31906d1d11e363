/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fast ways for the kernel's own messages, as ipc_fast.c is for short
 * user messages: a kernel-made message of untyped words (a page fault, a
 * kernel page fault, an exception) to a thread that already waits for
 * it, and a kpager's answer to the thread whose kernel page fault it
 * answers.  Each takes only the shape whose outcome is plain, and leaves
 * everything else to the general path (ipc.c), which gives the same
 * result more slowly: they skip the general path's dispatch, not any of
 * its checks or steps.
 */
#include <kernel/ipc_internal.h>
#include <kernel/ipc_redirect.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/irq.h>
#include <arch/arch.h>

#define KFAST_MAX_MRS 64        /* the general path's bound on a message */

/*
 * finish_send() of ipc.c for a sender that never queued, since it found
 * its receiver waiting (to = its receive timeout): where its receive
 * phase would find no sender and arm no timeout, it blocks at once, as
 * receive_phase_one() would; anything else is that receive phase itself.
 */
static void sender_receives(tcb_t *t, timeout_t to)
{
	timeout_cancel(t);
	if (!kmsg_active(t) && tid_is_nil(t->cont.ipc_from)) {
		arch_ipc_set_tag(&t->ctx, 0);
		make_ready(t);
		return;
	}
	t->core->state = TS_RECV;
	if (t->core->senders || xfer_linked(t) || t->cont.receive_pending || irq_pending_lines ||
	    !timeout_is_never(to) || (!kmsg_active(t) && !tid_is_any(t->cont.ipc_from))) {
		ipc_receive_phase(t);
		return;
	}
	sched_dequeue(t);
}

/*
 * t's kernel-made message (cont.kmsg) to dest, where dest waits for it
 * in a user receive and the message is untyped words only: what
 * send_phase() and deliver() do then, without the transfer machinery.
 * Returns false, having done nothing, for any other shape.
 */
bool ipc_kernel_send_fast(tcb_t *t, tcb_t *dest)
{
	word_t tag = t->cont.kmsg[0];
	unsigned u = msgtag_u(tag);

	if (msgtag_t(tag) || u >= KMSG_WORDS || dest->cont.receive_pending ||
	    dest->core->state != TS_RECV || kmsg_active(dest) || xfer_linked(dest) ||
	    !from_matches(dest, t) || !dest->utcb)
		return false;
	arch_copy_words(dest->utcb + 1, t->cont.kmsg + 1, u);
	tag &= ~MSGTAG_FLAGS_MASK;
	redirect_mark(t, dest, &tag);
	finish_receive(dest, sender_id(dest, t), tag);
	sender_receives(t, ipc_kernel_call_timeout(t));
	return true;
}

/*
 * A kpager's answer (label LENT_LABEL_KPF, the system call's tag) sent
 * by t to a thread that waits for exactly that answer to a kernel page
 * fault: kpf_accept() as the general path calls it, the answer's words
 * into the thread's kmsg, then the thread's continuation and t's own
 * receive phase.  Returns, having done nothing, for any other shape and
 * for an answer kpf_accept() refuses (whose checks change nothing): the
 * general path then refuses it again, the same way, and says why.
 */
void ipc_kpf_answer_fast(tcb_t *t, tid_t to, tid_t from, uint32_t timeouts, word_t tag)
{
	unsigned u = msgtag_u(tag), typed = msgtag_t(tag), end = u + typed + 1;

	if (msgtag_label(tag) != LENT_LABEL_KPF || end > KFAST_MAX_MRS ||
	    xfer_linked(t) || t->cont.xfer.rewound)
		return;
	tcb_t *dest = thread_lookup(to);
	if (!dest || dest == t || dest->cont.receive_pending || dest->core->state != TS_RECV ||
	    (dest->cont.kind != CONT_KPF && dest->cont.kind != CONT_KPF_FAULT) ||
	    !kpf_waiting(dest) || xfer_linked(dest) || dest->cont.ipc_from != t->core->id)
		return;
	if (kpf_accept(t, dest, t->utcb + u + 1, typed))
		return;
	/* ipc_syscall()'s preamble for a send with nothing kept. */
	t->cont.xfer.cur_to = TID_NIL;
	arch_ipc_set_tag(&t->ctx, tag);
	t->cont.kind = CONT_USER_IPC;
	kcont_kpf_over(&t->cont);
	t->cont.ipc_from = from;
	t->cont.ipc_timeouts = timeouts;
	/* The words ipc_transfer() copies: no more than the kmsg holds. */
	unsigned last = end < KMSG_WORDS ? end : KMSG_WORDS;
	arch_copy_words(dest->cont.kmsg + 1, t->utcb + 1, last - 1);
	finish_receive(dest, t->core->id, tag & ~MSGTAG_FLAGS_MASK);
	sender_receives(t, timeouts_rcv(timeouts));
	if (t->core->state == TS_READY)
		sched_switch_to(t);
	/* sched_switch_to(dest) runs dest only if it is ready. */
	if (dest->core->state == TS_READY)
		sched_switch_to(dest);
	sched_return();
}
