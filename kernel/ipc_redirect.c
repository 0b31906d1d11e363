/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC redirection (X.2 SpaceControl's Redirector): a thread of a space
 * with a redirector may send directly only to threads of its own space
 * and of its redirector's space; any other destination of its own Ipc
 * is replaced by the redirector, which receives the message with the r
 * flag set in its tag and the intended receiver's global ID in its
 * IntendedReceiver TCR, and may forward it by propagation
 * (ipc_match.c).  The messages the kernel makes for a thread to its
 * pager or exception handler (page and I/O faults, exceptions) are
 * redirected the same way (ipc_kcall.c): the thread names those
 * partners itself, so unredirected they would let it send past its
 * redirector.
 */
#include <kernel/ipc_internal.h>
#include <kernel/ipc_redirect.h>

/* dest as seen from t, whose space has a redirector (redirect_dest()). */
tcb_t *redirect_lookup(tcb_t *t, tcb_t *dest)
{
	if (dest->space == t->space)
		return dest;
	tcb_t *r = thread_lookup(t->space->redirector);
	if (r == t || (r && dest->space == r->space))
		return dest;       /* the redirector's own sends go where they say */
	t->cont.ipc_intended = dest->core->id;
	return r;
}

void redirect_mark_slow(const tcb_t *snd, tcb_t *rcv, word_t *tag)
{
	*tag |= MSGTAG_REDIRECTED;
	if (rcv->utcb)           /* away: a reply to its kernel call */
		UTCB_TCR(rcv, TCR_INTENDED_RCV) = snd->cont.ipc_intended;
}

bool redirect_chain_has(const space_t *s, tid_t r)
{
	for (unsigned i = 0; i < REDIRECT_CHAIN_MAX && !tid_is_nil(s->redirector); i++) {
		if (s->redirector == r)
			return true;
		const tcb_t *next = thread_lookup(s->redirector);
		if (!next)
			return false;
		s = next->space;
	}
	return false;
}
