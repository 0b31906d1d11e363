/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What kernel/tcb_away.c (threads away: lookup, asking for the body,
 * IPC with them) and kernel/tcb_away_page.c (taking a TCB page back and
 * bringing it back) share.  Not for other files.
 */
#ifndef KERNEL_TCB_AWAY_INT_H
#define KERNEL_TCB_AWAY_INT_H

#include <kernel/thread.h>
#include <kernel/space.h>

#define ANY_PAGE (~0u)

/* The next thread away of s whose body is in the TCB page at cid (any
 * page: ANY_PAGE), from thread number *no on; NULL after the last. */
tcb_core_t *tcb_away_next(const space_t *s, uint32_t cid, uint32_t *no);

#define FOR_EACH_AWAY(c, s, cid, no) \
	for (uint32_t no = 0; ((c) = tcb_away_next((s), (cid), &no)) != NULL;)

/* Would rcv's receive take c's send (user_only: only a user receive)? */
bool tcb_away_takes(const tcb_t *rcv, const tcb_core_t *c, bool user_only);

/* c must run: it asks its kpager for its body (once). */
void tcb_away_want(tcb_core_t *c);

#endif
