/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread bodies taken back by their kpager, and brought back
 * (kernel/tcb_away.h).  The codec is kernel/tcb_extern.c; this file is
 * its wiring: what the kernel does with a thread whose body is out.
 *
 * A thread away keeps its resident part (64 bytes), in state TS_AWAY
 * with the state it left in, its export's serial and the ID of a send's
 * receiver (core->away, core->away_to, which reuse the ready-queue and
 * work-list links it cannot be on).  It stays where IPC partners look
 * for it: on its receiver's queue of senders while it sends, with its
 * timeout armed.  What needs it to run makes it ask its own task's
 * kpager for its TCB page, by a kernel page fault the kernel makes from
 * the resident part (MR1 the page's CID, MR2 KMEM_TCB, MR3 the thread,
 * from the thread itself), queued on the kpager like any sender's.  The
 * kpager's answer to the thread is taken as for any kernel page fault
 * (kpf_accept_wait), whose validate step checks each form in the page.
 * Taking the page and bringing it back are kernel/tcb_away_page.c.
 */
#include <kernel/tcb_away.h>
#include <kernel/tcb_away_int.h>
#include <kernel/ipc_internal.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/frame.h>
#include <kernel/syscall.h>
#include <kernel/string.h>
#include <kernel/irq.h>
#include <arch/arch.h>

_Static_assert(sizeof(tcb_core_t) <= 64 || sizeof(void *) != 4, "the resident part stays 64 bytes");

/* The next thread away of s whose body is in the TCB page at cid (any
 * page: ANY_PAGE), from thread number *no on; NULL after the last.  A
 * walk of the thread table: taking a page back and bringing it back are
 * rare. */
tcb_core_t *tcb_away_next(const space_t *s, uint32_t cid, uint32_t *no)
{
	for (; *no < THREAD_DIR_ENTRIES * LEAF_ENTRIES; (*no)++) {
		tcb_core_t **leaf = thread_dir[*no / LEAF_ENTRIES];
		if (!leaf) {
			*no |= LEAF_ENTRIES - 1;
			continue;
		}
		tcb_core_t *c = leaf[*no % LEAF_ENTRIES];
		if (c && thread_away(c) && c->space == s &&
		    (cid == ANY_PAGE || thread_body_cid(c) == cid)) {
			(*no)++;
			return c;
		}
	}
	return NULL;
}

/* Is id, as a thread of space s names it, the local ID of c (away)?  Its
 * local ID is in its body, so the resident part keeps a copy while it is
 * away (away_to.local, set by go_away). */
static bool local_id_of(const space_t *s, const tcb_core_t *c, tid_t id)
{
	return tid_is_local(id) && s == c->space && id == c->away_to.local;
}

/* A walk of the thread table, as above: only a name that no whole thread
 * of s has gets here. */
tcb_core_t *tcb_away_resolve(const space_t *s, tid_t id)
{
	if (tid_is_global(id)) {
		tcb_core_t *c = thread_core_lookup(id);
		return c && thread_away(c) ? c : NULL;
	}
	tcb_core_t *c;

	if (!tid_is_local(id))
		return NULL;
	FOR_EACH_AWAY(c, s, ANY_PAGE, no)
		if (local_id_of(s, c, id))
			return c;
	return NULL;
}

/* ---- asking for the body ---- */

/* Does rcv, in a receive phase, take a message from c?  (c's local ID
 * is the copy its resident part keeps.) */
bool tcb_away_takes(const tcb_t *rcv, const tcb_core_t *c, bool user_only)
{
	tid_t from = rcv->cont.ipc_from;

	if (rcv->core->state != TS_RECV || rcv->cont.receive_pending ||
	    (xfer_linked(rcv) && !kmsg_active(rcv)) || (user_only && kmsg_active(rcv)))
		return false;
	if (from == c->id)
		return true;
	if (kmsg_active(rcv))
		return false;
	if (tid_is_local(from))
		return local_id_of(rcv->space, c, from);
	return tid_is_any(from) || (tid_is_anylocal(from) && rcv->space == c->space);
}

/* The kernel page fault of c, away, delivered to kp, its kpager. */
static void deliver_fault(tcb_t *kp, tcb_core_t *c)
{
	c->away.flags = (uint8_t)((c->away.flags & ~AWAY_WANTED) | AWAY_ASKED);
	kp->utcb[1] = thread_body_cid(c);
	kp->utcb[2] = KMEM_TCB;
	kp->utcb[3] = c->id;
	finish_receive(kp, c->id, msgtag_make(LENT_LABEL_KPF, LENT_KPF_WORDS(1), 0, 0));
}

/* c, away, must run: it asks its kpager for its page, at once if the
 * kpager waits, else queued on it.  A send it was in leaves its
 * receiver's queue; it is sent again when the body is back. */
void tcb_away_want(tcb_core_t *c)
{
	if (c->away.flags & (AWAY_WANTED | AWAY_ASKED | AWAY_HALTED))
		return;
	if (c->partner)
		senders_unlink(c);
	tcb_t *kp = thread_lookup(c->space->kpager);
	if (!kp || !kp->utcb) {
		c->away.flags |= AWAY_ORPHAN;    /* asked again by a system call */
		return;
	}
	c->away.flags = (uint8_t)((c->away.flags & ~AWAY_ORPHAN) | AWAY_WANTED);
	/* The deadlock rule (kpf_raise): a kpager blocked sending to c
	 * would never receive the fault. */
	if (kp->core->state == TS_SEND && kp->core->partner == c)
		fail_ipc_at(kp, IPC_ERR_ABORTED, false, LENT_KPF_DEADLOCK);
	if (tcb_away_takes(kp, c, true))
		deliver_fault(kp, c);
	else
		senders_link(kp->core, c, false);
}

int tcb_away_met(tcb_t *rcv, tcb_core_t *c)
{
	if (c->away.flags & AWAY_WANTED) {
		/* Its kernel page fault, queued on rcv, its kpager. */
		if (!tcb_away_takes(rcv, c, true))
			return AWAY_SKIP;
		senders_unlink(c);
		deliver_fault(rcv, c);
		return AWAY_DELIVERED;
	}
	/* A send: rcv would take it, so c must run. */
	if (!tcb_away_takes(rcv, c, false))
		return AWAY_SKIP;
	tcb_away_want(c);
	return rcv->core->state == TS_RECV ? AWAY_RESCAN : AWAY_DELIVERED;
}

void tcb_away_kpager_set(space_t *s)
{
	tcb_core_t *c;

	FOR_EACH_AWAY(c, s, ANY_PAGE, no) {
		uint8_t f = c->away.flags;
		if (!(f & (AWAY_ORPHAN | AWAY_WANTED | AWAY_ASKED)) || (f & AWAY_HALTED))
			continue;
		if ((f & AWAY_WANTED) && c->partner)
			senders_unlink(c);      /* off the old kpager's queue */
		c->away.flags = (uint8_t)(f & ~(AWAY_ORPHAN | AWAY_WANTED | AWAY_ASKED));
		tcb_away_want(c);
	}
}

void tcb_away_wake(tcb_core_t *c)
{
	if (c->away.state == TS_RECV)
		tcb_away_want(c);
}

void tcb_away_timeout(tcb_core_t *c)
{
	timeout_unlink_core(c);
	if (c->away.state != TS_SEND && c->away.state != TS_RECV)
		return;
	c->away.outcome = IPC_ERR_TIMEOUT;
	tcb_away_want(c);
}

void tcb_away_detach(tcb_core_t *c, tcb_core_t *dying)
{
	senders_unlink(c);
	if (c->away.flags & AWAY_WANTED) {
		/* Its kpager is deleted: nobody to ask now. */
		c->away.flags = (uint8_t)((c->away.flags & ~AWAY_WANTED) | AWAY_ORPHAN);
		return;
	}
	/* Its receiver is deleted: X.2's "no partner" when it is back. */
	if (c->wakeup_us)
		timeout_unlink_core(c);
	c->away.outcome = IPC_ERR_NOPARTNER;
	if (c->space->kpager != dying->id)
		tcb_away_want(c);
	else
		c->away.flags |= AWAY_ORPHAN;
}

/* The kpager t answers c's kernel page fault: its pages are taken (and
 * the bodies converted back) or refused, as for any kernel page fault. */
static void answer(tcb_t *t, tcb_core_t *c, word_t tag)
{
	unsigned u = msgtag_u(tag), typed = msgtag_t(tag);
	kpf_wait_t k = { .state = KPF_ASKED, .pages = 1, .kinds = { KMEM_TCB },
			 .cid = { thread_body_cid(c) }, .task = c->space->id, .named = c->id };

	if (u + typed + 1 > 64) {
		fail_ipc(t, IPC_ERR_OVERFLOW, false);
		return;
	}
	uint32_t why = kpf_accept_wait(t, &k, t->utcb + u + 1, typed);
	if (why) {
		fail_ipc_at(t, IPC_ERR_OVERFLOW, false, why);
		return;
	}
	/* No page: the thread is halted; a system call naming it asks again. */
	if (k.state != KPF_LENT && thread_away(c))
		c->away.flags = (uint8_t)((c->away.flags & AWAY_ACTIVE) | AWAY_HALTED);
	ipc_finish_send(t);
}

bool tcb_away_send(tcb_t *t, tid_t to, word_t tag)
{
	tcb_core_t *c = tcb_away_resolve(t->space, to);

	if (!c)
		return false;
	if (msgtag_label(tag) == LENT_LABEL_KPF && (c->away.flags & AWAY_ASKED) &&
	    t->core->id == c->space->kpager) {
		answer(t, c, tag);
		return true;
	}
	/* X.2: c does not receive now; t waits, as long as its timeout
	 * says.  A receiver must run: the message may be the one it waits
	 * for (a kpager's answer with a zero timeout is lost, and c asks
	 * again once back: back()).  Pages for a thread that waits for no
	 * kernel page fault's answer are refused when delivered, as ever. */
	ipc_queue_send(t, c);
	tcb_away_wake(c);
	return true;
}

/* A receiver that waits for exactly the deleted thread c (by its global
 * ID, or by the local ID its resident part keeps) fails, as
 * thread_destroy's do. */
static void fail_waiting_for(tcb_t *w, void *arg)
{
	const tcb_core_t *c = arg;
	tid_t from = w->cont.ipc_from;

	if (w->core->state == TS_RECV && (from == c->id || local_id_of(w->space, c, from)))
		ipc_fail_no_partner(w);
}

void tcb_away_delete(tcb_core_t *c)
{
	space_t *s = c->space;

	if (c->partner)
		senders_unlink(c);
	if (c->wakeup_us)
		timeout_unlink_core(c);
	while (c->senders) {
		tcb_core_t *q = c->senders;
		if (!q->tcb) {
			tcb_away_detach(q, c);
			continue;
		}
		senders_remove(q->tcb);
		q->state = TS_READY;
		fail_ipc(q->tcb, IPC_ERR_NOPARTNER, false);
	}
	irq_handler_gone(c->id);
	thread_for_each(fail_waiting_for, c);
	if (c->away.flags & AWAY_ACTIVE)
		s->active_threads--;
	thread_core_destroy(c);
}

int tcb_away_gather(tcb_t *t, tid_t id)
{
	tcb_core_t *c = tcb_away_resolve(t->space, id);

	if (!c)
		return GATHER_OK;
	return sys_gather_page(t, c->space, KMEM_TCB, thread_body_cid(c), c->id);
}
