/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path: a send of untyped words to a partner that already
 * waits for us, followed by our own receive phase with no sender queued,
 * the shape of every Call and ReplyWait, and of Lipc's Lcall and
 * LreplyWait; and the IPCs after which we run on: a Send alone to a
 * partner that waits, and a Receive alone or a ReplyWait that a sender
 * queued on us answers at once.  The partner may be named by its global
 * ID or, in our own space, by its local ID (what Lipc takes).  Anything
 * else (typed items, a partner not ready, timeouts to arm, kernel-made
 * messages) takes the general path in ipc.c, which gives the same result
 * more slowly.  What each case asks of the threads: ipc_fast_fit.h.
 *
 * Built with ebx, esi and edi call-clobbered (Makefile): ipc_fast_entry()
 * never returns, so saving them is waste.  Hence nothing here is called
 * from C; the option and the count are ipc_fast_option.c's.
 */
#include <arch/run.h>
#include "ipc_fast_fit.h"

/* Is d a thread of space s whose UTCB is, or is to be, at utcb?  (Not
 * whether it has its UTCB: ipc_fastpath() asks that of every partner.) */
static inline bool is_at(const tcb_t *d, const space_t *s, uint32_t utcb)
{
	return d && d->space == s && d->utcb_location == utcb;
}

/*
 * The resident part of the thread of t's space whose local ID is local
 * (a word with no version bits, which may still be nil or anylocal),
 * found without the general path's walk of the space's threads: t's last
 * such partner, if it is the one; else its UTCB says its global ID, which
 * the thread table then must confirm (the UTCB is the user's to write: a
 * wrong word there only sends the call to the general path).  Either way
 * the thread found is the one whose UTCB lies there now.
 */
static tcb_core_t *local_partner(tcb_t *t, tid_t local)
{
	space_t *s = t->space;
	uint32_t utcb = local - UTCB_LOCAL_ID_OFFSET;
	tcb_core_t *c;
	tcb_t *d;

	/* peer_local is nil (never a concrete local ID) until the slow half
	 * below sets it, with peer_id, a concrete global ID, and peer_core,
	 * its resident part then (ipc_fastpath() sets the last two alone
	 * for a partner named by its global ID, and peer_local to nil).
	 * Resident parts are never given back (the reserve is the kernel's,
	 * thread_core.c) and a free one has the ID nil, so peer_core may be
	 * read while peer_id is not nil, and is the part of peer_id exactly
	 * when it has that ID: no table walk. */
	if (local == t->peer_local && local != TID_NIL) {
		c = t->peer_core;
		if (c->id == t->peer_id && is_at(c->tcb, s, utcb))
			return c;
	}
	if (!tid_is_local(local))
		return NULL;

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
	t->peer_core = d->core;
	return d->core;
}

/* Values the compiler would keep in registers across the checks are
 * read again after this from the TCBs (where they are anyway): fewer
 * live values, no spills to the stack on the way. */
#define FRESH() __asm__ volatile("" ::: "memory")

/* The message's words, MR1 on, from t's UTCB to dest's, and MR1 and MR2
 * in dest's registers.  (No words: not even rep's setup, the case the
 * figures lead with; and no MR1 and MR2 registers, which X.2 leaves
 * undefined beyond the message's words: the receiver's own EBX and EBP
 * stay.) */
static inline __attribute__((always_inline)) void put_words(const tcb_t *t, tcb_t *dest)
{
	const arch_context_t *c = &t->ctx;

	if (msgtag_u(arch_ipc_tag(c))) {
		FRESH();   /* (the test a byte's, the count read again) */
		arch_copy_words(dest->utcb + 1, t->utcb + 1, msgtag_u(arch_ipc_tag(c)));
		arch_ipc_set_mr12(&dest->ctx, dest->utcb[1], dest->utcb[2]);
	}
}

/*
 * The message goes to dest (dc its resident part; same: it is of our
 * space), which runs next, and t waits in its receive phase; nothing is
 * called.  pair: dc is the last fast IPC's caller answered
 * (ipc_fast_pair_id), so that the two stay a pair; else whether they
 * become one is asked here.
 */
static inline __attribute__((always_inline, noreturn)) void
deliver_as(tcb_t *t, tcb_core_t *dc, tcb_t *dest, bool pair, bool same)
{
	const arch_context_t *c = &t->ctx;
	tcb_core_t *self = t->core;
	/* X.2: a sender of the receiver's own space is named by its local ID. */
	tid_t sender = same ? local_id(t) : self->id;
	/*
	 * The pair ("The pair" in docs/ipc-fast-path.md): may dest, once it
	 * runs, answer us by the fast path with no check of either of us?
	 * We wait as waiting_fit() asks (ipc_fast_last), for dest (our
	 * Call's partner, any thread, or any thread of our space when dest
	 * is in it), at dest's own priority, which the answer's check (no
	 * lower than the caller's) then passes too; dest is the last fast
	 * IPC's caller, so that it passed caller_fit() and will again when
	 * it answers; and the switch back needs no work on the FPU or the
	 * I/O bitmap.  An answer within the pair keeps all of it but the
	 * receive phase, whose anylocal case ipc_fastpath() sends here only
	 * with dest in our space.
	 */
	if (!pair)
		pair = dc == ipc_fast_last && dc->prio == self->prio &&
		       (same || !tid_is_anylocal(arch_ipc_from(c))) && arch_switch_plain(t, dest);
	ipc_fast_pair_id = pair ? sender : TID_NIL;
	arch_ipc_set_tag_from(&dest->ctx, arch_ipc_tag(c), sender);
	FRESH();
	ipc_fast_taken++;
	put_words(t, dest);
	t->cont.ipc_from = arch_ipc_from(c);
	t->cont.ipc_timeouts = arch_ipc_timeouts(c);
	/* (t->cont.kind is CONT_USER_IPC: caller_fit(), or it was when the
	 * fast IPC before the last left us waiting, and the last one only
	 * ended that receive phase.) */
	FRESH();
	/* Lazy scheduling (sched.h): whoever stands in the ready queues
	 * for us now stands for dest, which runs; if that is nobody, we
	 * are in the queues, and stand for dest.  (Within the pair a note
	 * is always set: the pair's first IPC set it or found it.) */
	if (!pair && !sched_lazy_from)
		sched_lazy_from = self;
	self->state = TS_RECV;
	dc->state = TS_READY;
	/* We were checked (caller_fit(), or before: see there), and wait
	 * now as waiting_fit() asks.  (ipc_fast_prev may stay as it was
	 * within a pair: any thread that passed caller_fit() still does
	 * until the kernel does anything but fast IPCs, and then it is
	 * forgotten; ipc_fast_last must be exact.) */
	if (!pair)
		ipc_fast_prev = ipc_fast_last;
	ipc_fast_last = self;
	current = dest;
	/* Within the pair, switching is the space's alone (or nothing). */
	if (pair)
		arch_run_plain(dest, !same);
	arch_run_inline(dest);
}

/* (Whether dest shares our space, asked once and never kept: each case
 * its own copy, no value live across the rest.) */
static inline __attribute__((always_inline, noreturn)) void
deliver(tcb_t *t, tcb_core_t *dc, tcb_t *dest, bool pair)
{
	if (dest->space == t->space)
		deliver_as(t, dc, dest, pair, true);
	deliver_as(t, dc, dest, pair, false);
}

/*
 * The resident part of the partner named by to (global, or local to our
 * space), NULL where the fast path does not find one: our last partner
 * again, or the thread table's.  Its state and priority are read first,
 * and its body only then (a body away, TS_AWAY, is the general path's:
 * kernel/tcb_away.c).
 */
static inline __attribute__((always_inline)) tcb_core_t *partner(tcb_t *t, tid_t to)
{
	if (!(to & TID_LOCAL_MASK))   /* a local ID, nil or anylocal */
		return local_partner(t, to);
	/* (peer_id nil: none, and to is not nil.  No resident part has the
	 * ID TID_ANY: ThreadControl takes global IDs only.) */
	tcb_core_t *dc = t->peer_core;
	if (__builtin_expect(to != t->peer_id || dc->id != to, 0)) {
		dc = thread_core_by_number(tid_number(to));
		if (!dc || dc->id != to)
			return NULL;
		t->peer_local = TID_NIL;
		t->peer_id = to;
		t->peer_core = dc;
	}
	return dc;
}

/*
 * The IPCs after which we run on: a Send alone, a Receive alone, and a
 * reply followed by a receive that a sender queued on us answers at
 * once.  Each first asks everything (may return), then acts (does not).
 */

/* May our send go to dc (found by partner()) with dc made ready and us
 * running on?  It waits for us (waiting_fit(), or as the last fast IPC
 * left it), and its priority is not above ours (else it would run first:
 * sched_switch_to(), the general path's). */
static inline __attribute__((always_inline)) bool send_fit(const tcb_t *t, const tcb_core_t *dc)
{
	if (!dc || (__builtin_expect(dc != ipc_fast_last, 0) && !waiting_fit(dc)))
		return false;
	return dc->prio <= t->core->prio && takes_from(dc->tcb, t);
}

/* Our message to dest, made ready behind the threads of its priority. */
static inline __attribute__((always_inline)) void send_over(tcb_t *t, tcb_t *dest)
{
	arch_ipc_set_tag_from(&dest->ctx, arch_ipc_tag(&t->ctx), sender_as_seen(dest, t));
	put_words(t, dest);
	/* No one waits as the last fast IPC left it now (dest may have been
	 * its caller, which passed caller_fit() and still does). */
	if (ipc_fast_last)
		ipc_fast_prev = ipc_fast_last;
	ipc_fast_last = NULL;
	ipc_fast_pair_id = TID_NIL;
	make_ready(dest);   /* (settles a note first: sched.h) */
}

/*
 * Do we take the message of sc (queued_fit(), the first sender queued on
 * us) by a receive from from, with the general path's result for sc
 * (ipc.c, finish_send())?  After a Send alone, sc is made ready behind
 * the threads of its priority, which must not be above ours (it would
 * run first); after a Call (or any send with a receive phase), it waits,
 * as its receive phase would leave it: with no senders of its own to
 * take, no timeout to arm, and waiting for us, anyone, or anyone of its
 * space (what the general path would find to exist).  (Not us: the
 * general path looks further down the queue.)
 */
static inline __attribute__((always_inline)) bool take_fit(const tcb_t *t, const tcb_core_t *sc,
							   tid_t from)
{
	const tcb_t *s = sc->tcb;

	if (!accepts_from(from, t, s))
		return false;
	if (tid_is_nil(s->cont.ipc_from))
		return sc->prio <= t->core->prio;
	return !sc->senders && !timeouts_rcv(s->cont.ipc_timeouts) && takes_from(s, t);
}

/* Our receive phase (our trap's FromSpecifier and timeouts) takes sc's
 * message (take_fit()), and sc goes on as its IPC says. */
static inline __attribute__((always_inline)) void take_over(tcb_t *t, tcb_core_t *sc)
{
	tcb_t *s = sc->tcb;

	t->cont.ipc_from = arch_ipc_from(&t->ctx);
	t->cont.ipc_timeouts = arch_ipc_timeouts(&t->ctx);
	senders_unlink(sc);
	arch_ipc_set_tag_from(&t->ctx, arch_ipc_tag(&s->ctx), sender_as_seen(t, s));
	put_words(s, t);
	if (tid_is_nil(s->cont.ipc_from)) {
		arch_ipc_set_tag(&s->ctx, 0);
		make_ready(s);
	} else {
		sc->state = TS_RECV;
	}
}

/* A Send alone (no receive phase) to a partner that waits for us
 * (sched_switch_to() keeps us: caller_fit() leaves no donation or
 * delay). */
static inline __attribute__((always_inline)) void send_alone(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;

	if (__builtin_expect(t->core != ipc_fast_prev, 0) && !caller_fit(t))
		return;
	FRESH();
	tcb_core_t *dc = partner(t, arch_ipc_to(c));
	if (!send_fit(t, dc))
		return;
	FRESH();
	ipc_fast_taken++;
	send_over(t, dc->tcb);
	t->cont.ipc_from = TID_NIL;
	t->cont.ipc_timeouts = arch_ipc_timeouts(c);
	arch_ipc_set_tag(&t->ctx, 0);
	arch_leave_to(t);   /* our space, FPU and UTCB as they are */
}

/*
 * A Receive alone (no send phase) that finds its partner waiting: the
 * first sender queued on us.  Whatever our receive timeout, we wait for
 * nothing.  The fast IPCs' notes stay (ipc_fast_last, ipc_fast_prev, the
 * pair): no thread they name is touched, and with senders queued on us
 * there is no pair (only the general path queues, and forgets).
 */
static inline __attribute__((always_inline)) void receive_alone(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;
	tcb_core_t *sc = t->core->senders;

	if (!sc || !receiver_fit(t) || !queued_fit(sc) || !take_fit(t, sc, arch_ipc_from(c)))
		return;
	FRESH();
	ipc_fast_taken++;
	take_over(t, sc);
	arch_leave_to(t);
}

/*
 * A send to a partner that waits, then a receive that a sender queued on
 * us answers: a server's ReplyWait under load, which the Call-shaped
 * fast path leaves alone (caller_fit() asks for no senders).  As the
 * general path has it, the partner takes our message and is made ready,
 * then we take the queued one's, and run on.
 */
static inline __attribute__((always_inline)) void reply_and_receive(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;
	tcb_core_t *sc = t->core->senders;

	if (!sc || !receiver_fit(t) || t->space->redirector || !queued_fit(sc))
		return;
	tcb_core_t *dc = partner(t, arch_ipc_to(c));
	if (!send_fit(t, dc) || !take_fit(t, sc, arch_ipc_from(c)))
		return;
	FRESH();
	ipc_fast_taken++;
	send_over(t, dc->tcb);
	take_over(t, sc);
	arch_leave_to(t);
}

/*
 * The checks come first, in the order that leaves the common case the
 * fewest branches: most are an or of words that are all zero when the
 * fast path applies, one branch for all.
 */
static inline __attribute__((always_inline)) void ipc_fastpath(tcb_t *t)
{
	const arch_context_t *c = &t->ctx;

	/* Untyped words only (no typed items, no flags); a Call (receive
	 * from the partner) or a ReplyWait (receive from anyone, or any
	 * thread of our space) whose receive phase will block with no
	 * timeout; or a Receive alone (to the end), which sends no tag. */
	if (arch_ipc_tag(c) & 0xFFC0u) {
		if (!tid_is_nil(arch_ipc_to(c)))   /* typed items sent */
			return;
		goto receive;
	}
	if (timeouts_rcv(arch_ipc_timeouts(c)))
		goto receive;
	tid_t from = arch_ipc_from(c);
	tid_t to = arch_ipc_to(c);
	if (from != to) {   /* not a Call */
		FRESH();   /* (a branch: GCC would rather set flags for all three) */
		if (!tid_is_any(from)) {
			if (tid_is_nil(from)) {
				send_alone(t);
				return;
			}
			if (!tid_is_anylocal(from))
				goto receive;
			/* Any thread of our space: the pair's answer only by a
			 * local ID (nil is never the pair's), which names a
			 * thread of our space. */
			if (to & TID_LOCAL_MASK)
				goto look_up;
		}
	}
	/* The last fast IPC's caller, answered as it was named to us, or by
	 * its global ID where that was its local one (a pair in one
	 * space): it waits as that IPC left it, for us, and takes our
	 * message now (deliver()).  (Nil, no pair, is nobody's name, and
	 * ipc_fast_last is set while there is a pair.) */
	tid_t pair = ipc_fast_pair_id;
	if (pair != TID_NIL && (to == pair || to == ipc_fast_last->id)) {
		tcb_core_t *dc = ipc_fast_last;
		deliver(t, dc, dc->tcb, true);
	}
look_up:
	FRESH();
	/* Our own state: checked once, when the fast IPC before the last
	 * left us waiting (ipc_fast_prev), it holds until the kernel does
	 * anything else (ipc_fast_forget()): the last fast IPC, which made
	 * us ready, and our user code since change none of it.  (The
	 * pair's answer above: the pair was made so, deliver().) */
	tcb_core_t *self = t->core;
	if (__builtin_expect(self != ipc_fast_prev, 0) && !caller_fit(t))
		goto receive;
	FRESH();
	tcb_core_t *dc = partner(t, arch_ipc_to(c));
	if (!dc)
		return;
	/* dest waits as the last fast IPC left it (its caller then: that
	 * IPC checked it as caller_fit() does, nothing else ran since), or
	 * passes waiting_fit(); and has no lower priority than ours (else
	 * we run on: sched_switch_to()). */
	if (__builtin_expect(dc != ipc_fast_last, 0) && !waiting_fit(dc))
		return;
	if (dc->prio < self->prio)
		return;
	tcb_t *dest = dc->tcb;         /* TS_RECV: it has its body */
	if (!takes_from(dest, t))
		return;
	deliver(t, dc, dest, false);
receive:
	/* With a sender queued on us, which fails caller_fit() (and no
	 * ipc_fast_prev is us: only the general path queues, and forgets),
	 * a receive phase whatever its timeout waits for nothing. */
	if (tid_is_nil(arch_ipc_to(c)))
		receive_alone(t);
	else if (!tid_is_nil(arch_ipc_from(c)))
		reply_and_receive(t);
}

void trap_from_user(void) __attribute__((noreturn));   /* arch/ia32/trap.c */

/* The Ipc trap from protected mode (arch/ia32/entry.asm's isr_48): the
 * fast path, then, where it does not apply, every other trap's way. */
void ipc_fast_entry(void)
{
	ipc_fastpath(current);
	trap_from_user();
}
