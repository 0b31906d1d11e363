/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UTCB pages a kpager takes back (docs/kernel-memory.md, "UTCB pages").
 * The page goes back as it is: the kernel drops the task's translation
 * of it and its own pointers into it (t->utcb becomes NULL, and
 * t->utcb_away says the thread still has a UTCB there), and gives the
 * frame back unchanged.  Whatever frame comes back at the same content
 * identifier is taken as it is, and the fields the kernel keeps in a
 * UTCB are written again.  Every kernel use of a UTCB checks t->utcb;
 * one that finds it NULL while t->utcb_away asks for the page first.
 */
#ifndef KERNEL_UTCB_AWAY_H
#define KERNEL_UTCB_AWAY_H

#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/syscall.h>

/* t->utcb_away bits. */
#define UTCB_AWAY          1u   /* the page is with the kpager */
#define UTCB_ERROR_PENDING 2u   /* t->utcb_error goes to ErrorCode on return */

/* Has t a UTCB placed, whether its page is here or away? */
static inline bool utcb_placed(const tcb_t *t)
{
	return t->utcb || (t->utcb_away & UTCB_AWAY);
}

/* The user address of the page t's UTCB lies in. */
static inline uint32_t utcb_page_va(const tcb_t *t)
{
	return t->utcb_location & PAGE_MASK;
}

/* The kernel address of MR0 of the UTCB at user address loc, in the
 * page (its kernel address) that holds it. */
static inline word_t *utcb_mr0_in(void *page, uint32_t loc)
{
	return (word_t *)((uint8_t *)page + (loc & ~PAGE_MASK) + UTCB_LOCAL_ID_OFFSET);
}

/* Take the UTCB page lent at cid (frame pa) out of s: cannot fail. */
void utcb_export(space_t *s, uint32_t cid, uint32_t pa);
/* The frame pa is being lent to s at cid, of kind: if it is a UTCB page
 * whose threads wait for it, point them at it and write the kernel's
 * fields again, and return true (the frame is not zeroed). */
bool utcb_import(space_t *s, unsigned kind, uint32_t cid, uint32_t pa);
/* Write again the words of t's UTCB (present) that the kernel keeps:
 * when its page came back, and when its body did (kernel/tcb_away.c),
 * since a page that came back while the body was away did not name it. */
void utcb_rederive(tcb_t *t);
/* Does a thread of s have its UTCB in the page at va, taken back? */
bool utcb_page_away(const space_t *s, uint32_t va);
/* Has d's UTCB page come back meanwhile?  Attach it if so; true when
 * d->utcb may be used (or d has no UTCB). */
bool utcb_attach(tcb_t *d);
/* t's IPC ended with code while its UTCB is away: ErrorCode gets it
 * when the page is back.  Otherwise written at once. */
void utcb_set_error(tcb_t *t, word_t code);
/* t's XferTimeouts register; while its page is away, the copy taken
 * when it went (the thread cannot change it meanwhile: any touch of its
 * UTCB brings the page back first). */
static inline word_t utcb_xfer_timeout(const tcb_t *t)
{
	return t->utcb ? UTCB_TCR(t, TCR_XFER_TIMEOUT) : t->utcb_xfer;
}

/* t's PreemptFlags byte, or the copy kept while its page is away (the
 * kernel's I bit set there goes to the page when it is back); NULL
 * where t has no UTCB. */
static inline uint8_t *utcb_preempt_flags(tcb_t *t)
{
	if (t->utcb)
		return (uint8_t *)&UTCB_TCR(t, TCR_PREEMPT_FLAGS);
	return (t->utcb_away & UTCB_AWAY) ? &t->utcb_pflags : NULL;
}

/* Does t's body hold state for its UTCB away that a body's external form
 * does not carry (kernel/tcb_away.c keeps such a body)? */
static inline bool utcb_kept_state(const tcb_t *t)
{
	return (t->utcb_away & UTCB_ERROR_PENDING) || t->utcb_trap ||
	       ((t->utcb_away & UTCB_AWAY) && (t->utcb_xfer || t->utcb_pflags));
}

/* A trap t took while its UTCB page was away, whose instruction will not
 * run again (#DB, #OF: the CPU reports them after it): kept, and
 * reported once the page is back (utcb_trap_report()).  0: none. */
static inline void utcb_trap_keep(tcb_t *t, uint32_t vector)
{
	t->utcb_trap = (uint8_t)vector;
}

/* t's UTCB page came back for the fault its entry made: report a trap
 * kept meanwhile, as an exception IPC, instead of going on (true). */
bool utcb_trap_report(tcb_t *t);

/* A system call of t's reads or writes d's UTCB: its gather step
 * (kernel/syscall.h).  GATHER_OK also where d has none. */
enum sys_gather utcb_gather(tcb_t *t, tcb_t *d);

struct xfer_fault;
/* ipc_transfer() found the sender's or the receiver's UTCB away: the
 * XFER_ result (or IPC error) to return, *f filled. */
int utcb_xfer_away(struct tcb *snd, struct tcb *rcv, struct xfer_fault *f);

#endif
