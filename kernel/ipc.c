/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC rendezvous: the send and receive phases, delivery and the Ipc
 * system call (the messages the kernel makes itself: ipc_kcall.c).  A
 * blocked thread keeps no kernel stack; its state, its specifiers and its
 * continuation say how to finish it (see ipc_end.c).
 */
#include <kernel/ipc_internal.h>
#include <kernel/ipc_redirect.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/preempt.h>
#include <kernel/irq.h>
#include <kernel/tcb_away.h>
#include <kernel/xfer_offset.h>
#include <arch/arch.h>

enum { SEND_DONE, SEND_BLOCKED, SEND_FAILED };

static void finish_send(tcb_t *snd);

void ipc_finish_send(tcb_t *snd)
{
	finish_send(snd);
}

/* ---- the queue of threads blocked sending to one receiver ---- */

void senders_add(tcb_t *rcv_tcb, tcb_t *snd_tcb, bool front)
{
	senders_link(rcv_tcb->core, snd_tcb->core, front);
}

void senders_link(tcb_core_t *rcv, tcb_core_t *snd, bool front)
{
	snd->partner = rcv;
	if (!rcv->senders) {
		snd->sq_next = snd->sq_prev = snd;
		rcv->senders = snd;
		return;
	}
	tcb_core_t *head = rcv->senders;
	snd->sq_next = head;
	snd->sq_prev = head->sq_prev;
	head->sq_prev->sq_next = snd;
	head->sq_prev = snd;
	if (front)
		rcv->senders = snd;
}

void senders_remove(tcb_t *snd_tcb)
{
	senders_unlink(snd_tcb->core);
}

void senders_unlink(tcb_core_t *snd)
{
	tcb_core_t *rcv = snd->partner;

	if (!rcv)
		return;
	if (snd->sq_next == snd) {
		rcv->senders = NULL;
	} else {
		snd->sq_prev->sq_next = snd->sq_next;
		snd->sq_next->sq_prev = snd->sq_prev;
		if (rcv->senders == snd)
			rcv->senders = snd->sq_next;
	}
	snd->sq_next = snd->sq_prev = NULL;
	snd->partner = NULL;
}

void make_ready(tcb_t *t)
{
	ipc_work_remove(t);          /* its receive phase is over */
	kcont_kpf_over(&t->cont);
	t->cont.kind = CONT_USER_IPC;
	if (t->cont.halted) {
		t->core->state = TS_HALTED;
		sched_dequeue(t);
	} else {
		sched_enqueue(t);
	}
}

/*
 * Absolute time at which a timeout ends.  A point in time names the clock's
 * bits e .. e+9 (m) and the parity of bit e+10 (c); it lies in the current
 * or the next 2^(e+10) µs window.
 */
uint64_t timeout_deadline(timeout_t to, uint64_t now)
{
	if (!timeout_is_point(to))
		return now + timeout_relative_us(to);
	uint32_t e = timeout_point_exp(to);
	uint64_t window = (uint64_t)1 << (e + 10);
	uint64_t base = now & ~(window - 1);
	if (((now >> (e + 10)) & 1) != timeout_point_carry(to))
		base += window;
	return base + ((uint64_t)timeout_mantissa(to) << e);
}

static void block(tcb_t *t, unsigned state, timeout_t to)
{
	t->core->state = (uint8_t)state;
	sched_dequeue(t);
	if (!timeout_is_never(to))
		timeout_set(t, timeout_deadline(to, arch_time_us()) + 1);
}

/* A message the kernel makes waits for ever, as X.2's page faults do,
 * but for a kernel page fault: that waits as long as the thread's task
 * chose (a kpager that never answers then fails the operation, as one
 * that lends nothing does). */
timeout_t ipc_kernel_call_timeout(const tcb_t *t)
{
	return kpf_waiting(t) ? t->space->kpf_wait : TIMEOUT_NEVER;
}

static bool timeout_expired_now(timeout_t to)
{
	if (timeout_is_never(to))
		return false;
	uint64_t now = arch_time_us();    /* one read: the clock is not free */
	return timeout_deadline(to, now) <= now;
}

enum { DELIVERED, SENDER_FAULTED, RECEIVER_FAULTED, DELIVERY_FAILED, SENDER_STOPPED,
       DELIVERY_REFUSED };

/* Deliver from snd to rcv, who is waiting for it.  A transfer that
 * stopped earlier between the two goes on where it stopped. */
static int deliver(tcb_t *snd, tcb_t *rcv)
{
	word_t tag = 0;
	xfer_fault_t f;

	/* The cursor belongs to snd's transfer to one receiver; messages the
	 * kernel makes for snd (its page faults) neither use nor touch it. */
	bool mine = !kmsg_active(snd) && snd->cont.xfer.cur_to == rcv->core->id;
	/* The receiver of snd's stopped transfer is where snd's fault goes
	 * (its pager, or its space's redirector, which every send of a
	 * redirected thread to outside reaches): it takes the fault as a
	 * message of its own, and the stopped send gives way, to start
	 * over once the fault is answered (its trap is rewound).  Kept,
	 * the link would make the receiver's next Ipc, the answer or the
	 * forward of that very fault, abort the send. */
	if (kmsg_active(snd) && xfer_linked_to(snd, rcv) && snd->cont.xfer.role == XFER_SENDER &&
	    !kmsg_active(rcv)) {
		xfer_unlink(snd);
		snd->cont.xfer.cur_to = TID_NIL;
	}
	if (rcv->cont.held == tid_number(snd->core->id))
		rcv->cont.held = 0;      /* the reply it held is taken up */
	xfer_cursor_t cur = mine ? snd->cont.xfer.cur : (xfer_cursor_t){ 0 };
	int r = ipc_transfer(snd, rcv, &tag, &f, &cur);

	if (r == XFER_STOPPED || r == XFER_FAULT || r == XFER_KMEM) {
		snd->cont.xfer.cur = cur;
		snd->cont.xfer.cur_to = rcv->core->id;
	} else if (mine) {
		snd->cont.xfer.cur_to = TID_NIL;
	}
	if (r == XFER_STOPPED) {
		xfer_stop(snd, rcv);
		return SENDER_STOPPED;
	}
	if (r == XFER_FAULT) {
		xfer_fault(snd, rcv, &f);
		return f.who == snd ? SENDER_FAULTED : RECEIVER_FAULTED;
	}
	if (r == XFER_KMEM) {
		kpf_in_transfer(snd, rcv, &f);
		return RECEIVER_FAULTED;
	}
	if (r == XFER_REFUSED) {
		/* Only the kpager learns: its client waits for a page on.
		 * But a page of thread bodies it could not give (their forms
		 * refused, kernel/tcb_away.c) ends the wait as an answer with
		 * no page: the call fails for want of memory. */
		fail_ipc_at(snd, IPC_ERR_OVERFLOW, false, f.addr);
		if (LENT_KPF_REFUSAL_WHY(f.addr) == LENT_KPF_BAD_CONTENT)
			finish_receive(rcv, snd->core->id, msgtag_make(LENT_LABEL_KPF, 0, 0, 0));
		return DELIVERY_REFUSED;
	}
	if (xfer_linked_to(snd, rcv) && !kmsg_active(snd))
		xfer_unlink(snd);      /* the stopped transfer is over */
	if (r == XFER_MAP_NOMEM && kmsg_active(rcv)) {
		/* The reply to a kernel call (a page fault's) is no IPC of its
		 * thread's to fail: the reply ends, the access is made again;
		 * the sender learns of the overflow. */
		fail_ipc_at(snd, IPC_ERR_OVERFLOW, false,
			    ipc_error_offset(xfer_error(IPC_ERR_OVERFLOW, false, cur.bytes)));
		finish_receive(rcv, sender_id(rcv, snd), arch_ipc_tag(&snd->ctx) & ~MSGTAG_FLAGS_MASK);
		return DELIVERY_FAILED;
	}
	if (r == XFER_MAP_NOMEM)
		r = IPC_ERR_OVERFLOW;
	if (r != XFER_OK) {
		fail_both(snd, rcv, r, cur.bytes);
		return DELIVERY_FAILED;
	}
	tid_t from = sender_id(rcv, snd);
	if (arch_ipc_tag(&snd->ctx) & MSGTAG_PROPAGATED && !kmsg_active(snd) && !kmsg_active(rcv))
		propagate(snd, rcv, &from, &tag);
	redirect_mark(snd, rcv, &tag);
	finish_receive(rcv, from, tag);
	finish_send(snd);
	return DELIVERED;
}

/* ---- the two phases ---- */

static void receive_phase_one(tcb_t *t);

int send_phase(tcb_t *t, tcb_t *dest)
{
	/* A receiver whose receive phase was left on the work list takes
	 * the senders queued before us first. */
	if (dest->cont.receive_pending) {
		ipc_work_remove(dest);
		if (dest->core->state == TS_RECV)
			receive_phase_one(dest);
	}
	if (dest->core->state == TS_RECV && from_matches(dest, t)) {
		deliver(t, dest);
		return SEND_DONE;
	}
	ipc_queue_send(t, dest->core);
	return t->core->state == TS_SEND ? SEND_BLOCKED : SEND_FAILED;
}

void ipc_queue_send(tcb_t *t, tcb_core_t *dest)
{
	timeout_t to = kmsg_active(t) ? ipc_kernel_call_timeout(t) : timeouts_snd(t->cont.ipc_timeouts);
	if (timeout_expired_now(to)) {
		fail_ipc(t, IPC_ERR_TIMEOUT, false);
		return;
	}
	senders_link(dest, t->core, false);
	block(t, TS_SEND, to);
}

/*
 * Receive phases are run from a work list, not by recursion: completing
 * one send can start the sender's receive phase, which can complete
 * another send, and so on along a chain of any length.  So the list is a
 * preemption point too: what is left on it when an interrupt waits, or
 * when a thread of higher priority than the next one on it is ready,
 * stays there, and the kernel goes on with it on a later way out to user
 * mode (ipc_receive_continue()).  A thread on the list is in its receive
 * phase (TS_RECV) and off the ready queues.
 */
tcb_core_t *receive_work;            /* linked by work_next, work_prev; the
					     * fast path asks whether it is empty */
static bool receive_draining;

#define RECEIVE_PHASE_COST 256u         /* about the instructions of one */


/* Highest priority first, the newest first among equals (the list is
 * short but for what higher priorities kept waiting). */
static void work_push(tcb_t *tcb)
{
	tcb_core_t *t = tcb->core, *prev = NULL, *next = receive_work;

	if (tcb->cont.receive_pending)
		return;
	while (next && next->prio > t->prio) {
		prev = next;
		next = next->work_next;
	}
	tcb->cont.receive_pending = true;
	t->work_prev = prev;
	t->work_next = next;
	if (next)
		next->work_prev = t;
	if (prev)
		prev->work_next = t;
	else
		receive_work = t;
}

void ipc_work_add(tcb_t *t)
{
	work_push(t);
}

void ipc_work_remove(tcb_t *tcb)
{
	tcb_core_t *t = tcb->core;

	if (!tcb->cont.receive_pending)
		return;
	if (t->work_prev)
		t->work_prev->work_next = t->work_next;
	else
		receive_work = t->work_next;
	if (t->work_next)
		t->work_next->work_prev = t->work_prev;
	t->work_next = t->work_prev = NULL;
	tcb->cont.receive_pending = false;
}

static void finish_send(tcb_t *snd)
{
	if (snd->core->state == TS_SEND)
		senders_remove(snd);
	timeout_cancel(snd);
	if (kmsg_active(snd) || !tid_is_nil(snd->cont.ipc_from)) {
		snd->core->state = TS_RECV;
		ipc_receive_phase(snd);
	} else {
		arch_ipc_set_tag(&snd->ctx, 0);
		make_ready(snd);
	}
}

static void receive_phase_one(tcb_t *t)
{
	tid_t from = t->cont.ipc_from;

	if (!kmsg_active(t) && !tid_is_any(from) && !tid_is_anylocal(from) &&
	    !thread_resolve(t, from) && !irq_is_thread(from) && !thread_away_id(t->space, from)) {
		fail_ipc(t, IPC_ERR_NOPARTNER, true);
		return;
	}
	/* An interrupt waiting for t comes first (kernel/irq.c). */
	if (irq_pending_lines && irq_receive(t))
		return;
rescan:
	for (tcb_core_t *c = t->core->senders; c; c = c->sq_next == t->core->senders ? NULL : c->sq_next) {
		tcb_t *s = c->tcb;

		if (!s) {              /* a thread away (kernel/tcb_away.c) */
			int met = tcb_away_met(t, c);
			if (met == AWAY_DELIVERED)
				return;
			if (met == AWAY_RESCAN)
				goto rescan;
			continue;
		}
		if (!from_matches(t, s))
			continue;
		senders_remove(s);
		/* That sender left the queue to fetch its page; t waits on,
		 * unless t (as that sender's pager) has just received the
		 * page fault itself. */
		int how = deliver(s, t);
		if (how == SENDER_STOPPED || (how == DELIVERY_REFUSED && t->core->state == TS_RECV) ||
		    (how == SENDER_FAULTED && t->core->state == TS_RECV && !kmsg_active(t)))
			goto rescan;
		return;
	}
	if (xfer_linked(t)) {
		/* Waiting for a faulted transfer: its deadline is armed already. */
		t->core->state = TS_RECV;
		sched_dequeue(t);
		return;
	}
	timeout_t to = kmsg_active(t) ? ipc_kernel_call_timeout(t) : timeouts_rcv(t->cont.ipc_timeouts);
	if (timeout_expired_now(to)) {
		fail_ipc(t, IPC_ERR_TIMEOUT, true);
		return;
	}
	block(t, TS_RECV, to);
}

void ipc_work_reorder(tcb_t *t)
{
	if (!t->cont.receive_pending)
		return;
	ipc_work_remove(t);
	work_push(t);
}

void ipc_receive_continue(void)
{
	if (receive_draining)
		return;
	receive_draining = true;
	while (receive_work) {
		tcb_t *w = receive_work->tcb;
		if (w != current) {
			tcb_t *best = sched_pick();
			if (best && best->core->prio > w->core->prio)
				break;  /* its turn comes when that one blocks */
		}
		ipc_work_remove(w);
		if (w->core->state == TS_RECV)
			receive_phase_one(w);
		if (receive_work && preempt_due(RECEIVE_PHASE_COST))
			break;
	}
	/* What is left waits off the ready queues; only the thread in its
	 * system call can still be on one (the others were blocked). */
	if (current && current->cont.receive_pending && current->core->state == TS_RECV)
		sched_dequeue(current);
	receive_draining = false;
}

void ipc_receive_phase(tcb_t *t)
{
	work_push(t);
	ipc_receive_continue();
}

void ipc_syscall(tcb_t *t, tid_t to, tid_t from, uint32_t timeouts, word_t tag, bool lipc)
{
	/* A kpager's answer to a kernel page fault has a way of its own
	 * (ipc_kfast.c), which returns where it does not apply. */
	if (msgtag_label(tag) == LENT_LABEL_KPF && msgtag_t(tag))
		ipc_kpf_answer_fast(t, to, from, timeouts, tag);
	tcb_t *dest = tid_is_nil(to) ? NULL : thread_resolve(t, to);
	bool lost_redirector = false;
	if (dest && dest != t) {
		dest = redirect_dest(t, dest);
		lost_redirector = !dest;
	} else {
		t->cont.ipc_intended = TID_NIL;
	}
	/* Only the very retry of a rewound send keeps its transfer. */
	bool retry = t->cont.xfer.rewound && dest && dest->core->id == t->cont.xfer.cur_to;

	if (xfer_linked(t) && (!retry || t->cont.xfer.role != XFER_SENDER || !xfer_linked_to(t, dest))) {
		tcb_t *p = xfer_partner(t);
		uint32_t bytes = xfer_bytes(t);
		xfer_unlink(t);
		xfer_fail_one(p, IPC_ERR_ABORTED, bytes);
	}
	if (!retry)
		t->cont.xfer.cur_to = TID_NIL;
	arch_ipc_set_tag(&t->ctx, tag);
	t->cont.xfer.rewound = false;
	t->cont.kind = CONT_USER_IPC;
	kcont_kpf_over(&t->cont);
	t->cont.ipc_from = from;
	t->cont.ipc_timeouts = timeouts;
	(void)lipc;   /* Lipc gives Ipc's results; its own case is on the fast path */

	if (!tid_is_nil(to) && irq_is_thread(to)) {
		/* A handler's acknowledgement (kernel/irq.c).  The interrupt
		 * thread takes nothing else: any other send waits for it in
		 * vain until its send timeout (error 1) or an abort, as
		 * Pistachio's does (api/v4/ipc.cc), queued nowhere. */
		if (irq_acknowledge(t, to)) {
			finish_send(t);
		} else if (timeout_expired_now(timeouts_snd(timeouts))) {
			fail_ipc(t, IPC_ERR_TIMEOUT, false);
		} else {
			t->cont.ipc_intended = to;
			block(t, TS_SEND, timeouts_snd(timeouts));
		}
	} else if (!tid_is_nil(to)) {
		if (!dest && tcb_away_send(t, to, tag))
			sched_switch_to(t);    /* queued, answered or failed */
		if (!dest || dest == t || lost_redirector) {
			fail_ipc(t, IPC_ERR_NOPARTNER, false);
			sched_switch_to(t);
		}
		send_phase(t, dest);
	} else if (!tid_is_nil(from)) {
		t->core->state = TS_RECV;
		ipc_receive_phase(t);
	} else {
		arch_ipc_set_tag(&t->ctx, 0);
	}
	if (t->core->state == TS_READY)
		sched_switch_to(t);
	sched_switch_to(dest);
}
