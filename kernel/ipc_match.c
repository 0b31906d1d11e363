/* SPDX-License-Identifier: BSD-2-Clause */
/* Who may talk to whom: from-specifiers, local IDs and propagation. */
#include <kernel/ipc_internal.h>
#include <kernel/ipc_redirect.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>
#include <arch/arch.h>

/* ---- who may talk to whom ---- */

/* Does t's from-specifier name exactly snd? */
bool waits_for_id(const tcb_t *t, const tcb_t *snd)
{
	return t->cont.ipc_from == snd->core->id ||
	       (t->space == snd->space && t->cont.ipc_from == thread_local_id(snd));
}

/* Is t in a user receive that waits for exactly snd? */
bool waits_for(const tcb_t *t, const tcb_t *snd)
{
	return t->core->state == TS_RECV && !kmsg_active(t) && waits_for_id(t, snd);
}

/* Does rcv's from-specifier name who? */
static bool accepts(const tcb_t *rcv, const tcb_t *who)
{
	tid_t from = rcv->cont.ipc_from;

	if (tid_is_any(from))
		return true;
	if (tid_is_anylocal(from))
		return who->space == rcv->space;
	if (tid_is_local(from))
		return who->space == rcv->space && thread_local_id(who) == from;
	return who->core->id == from;
}

/*
 * Propagation (X.2 "Ipc", Pistachio api/v4/ipc.cc): a sender may name a
 * virtual sender in its VirtualSender TCR; the receiver then sees that
 * thread as the sender.  Allowed when the virtual sender lives in the
 * sender's space, when sender and receiver share a space, or when the
 * sender is in the chain of redirectors of the virtual sender's space
 * (forwarding a redirected message, maybe redirected again on its way:
 * ipc_redirect.c).  Returns the virtual sender, or NULL.
 */
static tcb_t *virtual_sender(tcb_t *snd, const tcb_t *rcv)
{
	if (kmsg_active(snd) || !(arch_ipc_tag(&snd->ctx) & MSGTAG_PROPAGATED))
		return NULL;
	/* (A sender whose UTCB is away names none.) */
	tcb_t *vs = snd->utcb ? thread_resolve(snd, UTCB_TCR(snd, TCR_ACTUAL_SENDER)) : NULL;
	if (!vs)
		return NULL;
	if (vs->space == snd->space || snd->space == rcv->space ||
	    redirect_chain_has(vs->space, snd->core->id))
		return vs;
	return NULL;
}

/*
 * rcv waits in a call the kernel made for it, for its partner vs: may
 * snd bring the answer in vs's name (X.2 propagation)?  Only the answer
 * to a page fault or an exception, and only from a redirector of vs's
 * space, forwarding vs's redirected answer: no other thread restarts a
 * thread in its handler's name with registers of its own choosing.
 * Never a kernel page fault's: the kernel takes the pages of that
 * answer from the kpager alone.
 */
static bool kernel_reply_forwarded(const tcb_t *rcv, const tcb_t *snd, const tcb_t *vs)
{
	return (rcv->cont.kind == CONT_PAGEFAULT || rcv->cont.kind == CONT_PF_RECV ||
		rcv->cont.kind == CONT_EXCEPTION) && !kpf_waiting(rcv) &&
	       redirect_chain_has(vs->space, snd->core->id);
}

/* Does rcv take snd's message as from the virtual sender it names?  Out
 * of line: the common case is a sender rcv accepts as it is. */
static __attribute__((noinline)) bool propagated_match(const tcb_t *rcv, tcb_t *snd)
{
	tcb_t *vs = virtual_sender(snd, rcv);

	return vs && accepts(rcv, vs) && (!kmsg_active(rcv) || kernel_reply_forwarded(rcv, snd, vs));
}

bool from_matches(const tcb_t *rcv, tcb_t *snd)
{
	/* A redirected message is for the redirector's own receive, never
	 * the reply to a call the kernel made for it, which its pager or
	 * handler alone may give (the same thread may send the first in a
	 * space the redirector serves). */
	if (kmsg_active(rcv) && !tid_is_nil(snd->cont.ipc_intended))
		return false;
	/* A receive whose transfer stopped on a page fault waits for that
	 * sender only; the page-fault IPC it makes meanwhile is separate. */
	if (xfer_linked(rcv) && !kmsg_active(rcv))
		return xfer_linked_to(rcv, snd);
	return accepts(rcv, snd) || propagated_match(rcv, snd);
}

/* The sender's ID as the receiver sees it (X.2 "Ipc", From): local when
 * the sender lives in the receiver's space, whatever the receiver waited
 * for, global otherwise. */
tid_t sender_id(const tcb_t *rcv, const tcb_t *snd)
{
	return snd->space == rcv->space ? thread_local_id(snd) : snd->core->id;
}

/* The receiver sees the virtual sender; one that waited for the sender
 * now waits for the receiver, so that the reply reaches it directly. */
void propagate(tcb_t *snd, tcb_t *rcv, tid_t *from, word_t *tag)
{
	tcb_t *vs = virtual_sender(snd, rcv);

	if (!vs)
		return;
	if (vs != snd && waits_for(vs, snd))
		vs->cont.ipc_from = rcv->core->id;
	*from = sender_id(rcv, vs);
	*tag |= MSGTAG_PROPAGATED;
	if (rcv->utcb)
		UTCB_TCR(rcv, TCR_ACTUAL_SENDER) = snd->core->id;
}
