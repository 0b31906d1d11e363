/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC redirection (X.2 SpaceControl's Redirector), kernel/ipc_redirect.c.
 * The checks every send makes are inline here, so that a space without a
 * redirector pays one compare per send and one per delivery.
 */
#ifndef KERNEL_IPC_REDIRECT_H
#define KERNEL_IPC_REDIRECT_H

#include <kernel/thread.h>
#include <kernel/space.h>

tcb_t *redirect_lookup(tcb_t *t, tcb_t *dest);

/* Is thread r in s's chain of redirectors: s's redirector, the
 * redirector of that one's space, and so on (ksandstr/mung ipc.c,
 * has_redir_chain())?  The walk ends after REDIRECT_CHAIN_MAX links, so
 * a cycle ends it too. */
#define REDIRECT_CHAIN_MAX 32u
bool redirect_chain_has(const space_t *s, tid_t r);
void redirect_mark_slow(const tcb_t *snd, tcb_t *rcv, word_t *tag);

/* Where t's own send to dest goes: dest itself, or t's redirector when
 * dest lies outside the allowed set, whose global ID t->cont.ipc_intended
 * then keeps (nil when not redirected).  NULL: the redirector no longer
 * exists. */
static inline tcb_t *redirect_dest(tcb_t *t, tcb_t *dest)
{
	t->cont.ipc_intended = TID_NIL;
	if (__builtin_expect(tid_is_nil(t->space->redirector), 1))
		return dest;
	return redirect_lookup(t, dest);
}

/* Delivered from snd to rcv: a redirected message carries r and names
 * its intended receiver in rcv's IntendedReceiver TCR. */
static inline void redirect_mark(const tcb_t *snd, tcb_t *rcv, word_t *tag)
{
	if (__builtin_expect(!tid_is_nil(snd->cont.ipc_intended), 0))
		redirect_mark_slow(snd, rcv, tag);
}

#endif
