/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC redirection (X.2 SpaceControl's Redirector): a thread of a space
 * with a redirector may send directly only to threads of its own space
 * and of its redirector's space; any other destination of its own Ipc
 * is replaced by the redirector, which receives the message with the r
 * flag set in its tag and the intended receiver's global ID in its
 * IntendedReceiver TCR, and may forward it by propagation
 * (ipc_match.c).  The messages the kernel makes for a thread (page
 * faults, exceptions) are not redirected.
 */
#include <kernel/ipc_internal.h>
#include <kernel/space.h>

/* Where t's send to dest goes: dest itself, or t's redirector when dest
 * lies outside the allowed set; *intended is then dest's global ID (nil
 * when not redirected).  NULL: the redirector no longer exists (its
 * thread was deleted or took a new version), and the send fails as one
 * to a thread that does not exist. */
tcb_t *redirect_dest(tcb_t *t, tcb_t *dest, tid_t *intended)
{
	tid_t redir = t->space->redirector;

	*intended = TID_NIL;
	if (tid_is_nil(redir) || dest->space == t->space)
		return dest;
	tcb_t *r = thread_lookup(redir);
	if (r == t || (r && dest->space == r->space))
		return dest;       /* the redirector's own sends go where they say */
	*intended = dest->core->id;
	return r;
}

/* Delivered from snd to rcv: a redirected message carries r and names
 * its intended receiver in rcv's IntendedReceiver TCR. */
void redirect_mark(const tcb_t *snd, tcb_t *rcv, word_t *tag)
{
	if (kmsg_active(snd) || tid_is_nil(snd->cont.ipc_intended))
		return;
	*tag |= MSGTAG_REDIRECTED;
	UTCB_TCR(rcv, TCR_INTENDED_RCV) = snd->cont.ipc_intended;
}
