/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC rendezvous: send phase, receive phase, their completion, failure,
 * cancellation and timeouts.  A blocked thread keeps no kernel stack; its
 * state, its specifiers and its continuation say how to finish it.
 */
#include <kernel/ipc.h>
#include <kernel/ipc_xfer.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>
#include <arch/arch.h>

enum { SEND_DONE, SEND_BLOCKED, SEND_FAILED };

#define LABEL_EXCEPTION 0xFFB0u   /* -5 << 4: IA-32 exception message */

static void finish_send(tcb_t *snd);
static void xfer_abort(tcb_t *t, uint32_t code_t, uint32_t code_partner);

/* ---- who may talk to whom ---- */

/* Does t's from-specifier name exactly snd? */
static bool waits_for_id(const tcb_t *t, const tcb_t *snd)
{
	return t->ipc_from == snd->id ||
	       (t->space == snd->space && t->ipc_from == thread_local_id(snd));
}

/* Is t in a user receive that waits for exactly snd? */
static bool waits_for(const tcb_t *t, const tcb_t *snd)
{
	return t->state == TS_RECV && !t->kmsg_active && waits_for_id(t, snd);
}

/* Does rcv's from-specifier name who? */
static bool accepts(const tcb_t *rcv, const tcb_t *who)
{
	tid_t from = rcv->ipc_from;

	if (tid_is_any(from))
		return true;
	if (tid_is_anylocal(from))
		return who->space == rcv->space;
	if (tid_is_local(from))
		return who->space == rcv->space && thread_local_id(who) == from;
	return who->id == from;
}

/*
 * Propagation (X.2): a sender may name a virtual sender in its
 * VirtualSender TCR; the receiver then sees that thread as the sender.
 * Allowed when the virtual sender lives in the sender's space or waits for
 * a message from the sender.  Returns the virtual sender, or NULL.
 */
static tcb_t *virtual_sender(tcb_t *snd)
{
	if (snd->kmsg_active || !(snd->ctx.esi & MSGTAG_PROPAGATED))
		return NULL;
	tcb_t *vs = thread_resolve(snd, UTCB_TCR(snd, TCR_ACTUAL_SENDER));
	if (!vs)
		return NULL;
	if (vs->space == snd->space || waits_for(vs, snd))
		return vs;
	return NULL;
}

static bool from_matches(const tcb_t *rcv, tcb_t *snd)
{
	/* A receive whose transfer stopped on a page fault waits for that
	 * sender only; the page-fault IPC it makes meanwhile is separate. */
	if (rcv->xfer_partner && !rcv->kmsg_active)
		return rcv->xfer_partner == snd;
	if (accepts(rcv, snd))
		return true;
	tcb_t *vs = rcv->kmsg_active ? NULL : virtual_sender(snd);
	return vs && accepts(rcv, vs);
}

/* The sender's ID as the receiver sees it: local if it asked locally. */
static tid_t sender_id(const tcb_t *rcv, const tcb_t *snd)
{
	if (snd->space == rcv->space &&
	    (tid_is_anylocal(rcv->ipc_from) || tid_is_local(rcv->ipc_from)))
		return thread_local_id(snd);
	return snd->id;
}

/* The receiver sees the virtual sender; one that waited for the sender
 * now waits for the receiver, so that the reply reaches it directly. */
static void propagate(tcb_t *snd, tcb_t *rcv, tid_t *from, word_t *tag)
{
	tcb_t *vs = virtual_sender(snd);

	if (!vs)
		return;
	if (vs != snd && waits_for(vs, snd))
		vs->ipc_from = rcv->id;
	*from = sender_id(rcv, vs);
	*tag |= MSGTAG_PROPAGATED;
	UTCB_TCR(rcv, TCR_ACTUAL_SENDER) = snd->id;
}

/* ---- the queue of threads blocked sending to one receiver ---- */

static void senders_add(tcb_t *rcv, tcb_t *snd, bool front)
{
	snd->partner = rcv;
	if (!rcv->senders) {
		snd->sq_next = snd->sq_prev = snd;
		rcv->senders = snd;
		return;
	}
	tcb_t *head = rcv->senders;
	snd->sq_next = head;
	snd->sq_prev = head->sq_prev;
	head->sq_prev->sq_next = snd;
	head->sq_prev = snd;
	if (front)
		rcv->senders = snd;
}

static void senders_remove(tcb_t *snd)
{
	tcb_t *rcv = snd->partner;

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

/* ---- completion ---- */

static void make_ready(tcb_t *t)
{
	t->kmsg_active = false;
	t->cont = CONT_USER_IPC;
	if (t->halted) {
		t->state = TS_HALTED;
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
static uint64_t timeout_deadline(timeout_t to, uint64_t now)
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
	t->state = (uint8_t)state;
	sched_dequeue(t);
	if (!timeout_is_never(to))
		timeout_set(t, timeout_deadline(to, arch_time_us()) + 1);
}

static bool timeout_expired_now(timeout_t to)
{
	return !timeout_is_never(to) && timeout_deadline(to, arch_time_us()) <= arch_time_us();
}

/* The kernel's own call of t (page fault, exception, start-up) cannot be
 * completed: its partner is gone.  The thread stops; its pager or handler
 * can revive it with ExchangeRegisters. */
static void kernel_ipc_failed(tcb_t *t, uint32_t code)
{
	if (t->xfer_partner) {
		/* The page a transfer waits for will never come. */
		xfer_abort(t, code, IPC_ERR_ABORTED);
		return;
	}
	if (t->cont == CONT_PF_RECV) {
		t->kmsg_active = false;
		t->cont = CONT_USER_IPC;
		UTCB_TCR(t, TCR_ERROR_CODE) = ipc_error(code, true, 0);
		t->ctx.esi = MSGTAG_ERROR;
		t->ctx.eax = TID_NIL;
		make_ready(t);
		return;
	}
	if (t->cont != CONT_STARTUP)
		kprintf("lent: thread %x: %s IPC to %x failed (error %u), thread halted\n",
			t->id, t->cont == CONT_EXCEPTION ? "exception" : "page-fault",
			t->ipc_from, code);
	t->kmsg_active = false;
	t->cont = CONT_USER_IPC;
	t->halted = true;
	t->state = TS_HALTED;
	sched_dequeue(t);
}

static void fail_ipc(tcb_t *t, uint32_t code, bool receive_phase)
{
	timeout_cancel(t);
	if (t->state == TS_SEND)
		senders_remove(t);
	if (t->kmsg_active) {
		kernel_ipc_failed(t, code);
		return;
	}
	UTCB_TCR(t, TCR_ERROR_CODE) = ipc_error(code, receive_phase, 0);
	t->ctx.esi = MSGTAG_ERROR;
	t->ctx.eax = TID_NIL;
	make_ready(t);
}

/* Both partners of a failed transfer learn of it, each from its side. */
static void fail_both(tcb_t *snd, tcb_t *rcv, int code)
{
	int rcv_code = code == IPC_ERR_XFER_TIMEOUT_OWN ? IPC_ERR_XFER_TIMEOUT_PARTNER :
		       code == IPC_ERR_XFER_TIMEOUT_PARTNER ? IPC_ERR_XFER_TIMEOUT_OWN : code;
	fail_ipc(rcv, (uint32_t)rcv_code, true);
	fail_ipc(snd, (uint32_t)code, false);
}

static void load_exception_reply(tcb_t *t, word_t tag)
{
	arch_context_t *c = &t->ctx;

	if (msgtag_u(tag) < 12)
		return;
	c->eip = t->kmsg[1];
	c->eflags = (c->eflags & ~0x00000DD5u) | (t->kmsg[2] & 0x00000DD5u);
	c->edi = t->kmsg[5]; c->esi = t->kmsg[6]; c->ebp = t->kmsg[7]; c->esp = t->kmsg[8];
	c->ebx = t->kmsg[9]; c->edx = t->kmsg[10]; c->ecx = t->kmsg[11]; c->eax = t->kmsg[12];
}

static void finish_receive(tcb_t *rcv, tid_t from, word_t tag)
{
	timeout_cancel(rcv);
	switch (rcv->cont) {
	case CONT_USER_IPC:
		rcv->ctx.esi = tag;
		rcv->ctx.eax = from;
		rcv->ctx.ebx = rcv->utcb[1];
		rcv->ctx.ebp = rcv->utcb[2];
		break;
	case CONT_PF_RECV:
		/* The buffer page is there now: take up the interrupted receive. */
		rcv->kmsg_active = false;
		rcv->cont = CONT_USER_IPC;
		rcv->ipc_from = rcv->saved_from;
		rcv->ipc_timeouts = rcv->saved_timeouts;
		rcv->state = TS_RECV;
		ipc_receive_phase(rcv);
		return;
	case CONT_EXCEPTION:
		load_exception_reply(rcv, tag);
		break;
	case CONT_STARTUP:
		if (msgtag_u(tag) >= 2) {
			rcv->ctx.eip = rcv->kmsg[1];
			rcv->ctx.esp = rcv->kmsg[2];
		}
		break;
	default:                        /* CONT_PAGEFAULT: retry the access */
		break;
	}
	make_ready(rcv);
}

/* ---- transfers stopped by a page fault ---- */

static void xfer_unlink(tcb_t *a);

static void xfer_link(tcb_t *snd, tcb_t *rcv)
{
	/* A thread is in one transfer at a time: forget any older link. */
	if (snd->xfer_partner && snd->xfer_partner != rcv)
		xfer_unlink(snd);
	if (rcv->xfer_partner && rcv->xfer_partner != snd)
		xfer_unlink(rcv);
	snd->xfer_partner = rcv;
	snd->xfer_role = XFER_SENDER;
	rcv->xfer_partner = snd;
	rcv->xfer_role = XFER_RECEIVER;
}

static void xfer_unlink(tcb_t *a)
{
	tcb_t *b = a->xfer_partner;

	a->xfer_partner = NULL;
	if (b)
		b->xfer_partner = NULL;
}

/*
 * The partner that merely waits while the other asks its pager carries the
 * transfer's deadline: the shorter of the sender's and the receiver's
 * XferTimeouts, counted from the first fault of the transfer.
 */
static void xfer_arm_deadline(tcb_t *waiter, tcb_t *snd, tcb_t *rcv, bool first)
{
	if (first) {
		timeout_t st = timeouts_snd(UTCB_TCR(snd, TCR_XFER_TIMEOUT));
		timeout_t rt = timeouts_rcv(UTCB_TCR(rcv, TCR_XFER_TIMEOUT));
		uint64_t now = arch_time_us(), never = ~(uint64_t)0;
		uint64_t sd = timeout_is_never(st) ? never : timeout_deadline(st, now);
		uint64_t rd = timeout_is_never(rt) ? never : timeout_deadline(rt, now);
		snd->xfer_deadline_us = rcv->xfer_deadline_us = sd <= rd ? sd : rd;
		snd->xfer_by_sender = rcv->xfer_by_sender = sd <= rd;
	}
	timeout_cancel(waiter);
	if (waiter->xfer_deadline_us != ~(uint64_t)0)
		timeout_set(waiter, waiter->xfer_deadline_us + 1);
}

/* Take a thread out of the page-fault IPC it makes for a transfer. */
static void drop_kernel_call(tcb_t *t)
{
	if (!t->kmsg_active)
		return;
	timeout_cancel(t);
	if (t->state == TS_SEND)
		senders_remove(t);
	t->kmsg_active = false;
	t->cont = CONT_USER_IPC;
}

static void xfer_fail_one(tcb_t *t, uint32_t code)
{
	drop_kernel_call(t);
	if (t->xfer_rewound) {
		t->ctx.eip += 2;                  /* undo the rewind onto the trap */
		t->xfer_rewound = false;
	}
	fail_ipc(t, code, t->xfer_role == XFER_RECEIVER);
}

/* End a stopped transfer: both partners fail, each with its own code. */
static void xfer_abort(tcb_t *t, uint32_t code_t, uint32_t code_partner)
{
	tcb_t *p = t->xfer_partner;

	xfer_unlink(t);
	xfer_fail_one(t, code_t);
	if (p)
		xfer_fail_one(p, code_partner);
}

/* A page is missing in the middle of a transfer: its owner asks its pager,
 * and the transfer starts again from the beginning afterwards. */
static void xfer_fault(tcb_t *snd, tcb_t *rcv, const xfer_fault_t *f)
{
	bool first = snd->xfer_partner != rcv;

	xfer_link(snd, rcv);
	if (f->who == snd) {
		if (snd->state == TS_SEND)
			senders_remove(snd);
		timeout_cancel(snd);
		snd->ctx.eip -= 2;                 /* re-execute the Ipc trap */
		snd->xfer_rewound = true;
		xfer_arm_deadline(rcv, snd, rcv, first);
		ipc_pagefault(snd, f->addr, RIGHT_R, snd->ctx.eip);
		return;
	}
	if (snd->state != TS_SEND) {
		snd->state = TS_SEND;
		sched_dequeue(snd);
	}
	senders_add(rcv, snd, true);
	xfer_arm_deadline(snd, snd, rcv, first);
	rcv->saved_from = rcv->ipc_from;
	rcv->saved_timeouts = rcv->ipc_timeouts;
	timeout_cancel(rcv);
	rcv->kmsg[0] = msgtag_make(LABEL_PAGEFAULT | RIGHT_W, 2, 0, 0);
	rcv->kmsg[1] = f->addr;
	rcv->kmsg[2] = rcv->ctx.eip;
	ipc_kernel_call(rcv, thread_pager(rcv), CONT_PF_RECV);
}

enum { DELIVERED, SENDER_FAULTED, RECEIVER_FAULTED, DELIVERY_FAILED };

/* Deliver from snd to rcv, who is waiting for it. */
static int deliver(tcb_t *snd, tcb_t *rcv)
{
	word_t tag = 0;
	xfer_fault_t f;
	int r = ipc_transfer(snd, rcv, &tag, &f);

	if (r == XFER_FAULT) {
		xfer_fault(snd, rcv, &f);
		return f.who == snd ? SENDER_FAULTED : RECEIVER_FAULTED;
	}
	if (snd->xfer_partner == rcv)
		xfer_unlink(snd);      /* the stopped transfer is over */
	if (r != XFER_OK) {
		fail_both(snd, rcv, r);
		return DELIVERY_FAILED;
	}
	tid_t from = sender_id(rcv, snd);
	if (snd->ctx.esi & MSGTAG_PROPAGATED && !snd->kmsg_active && !rcv->kmsg_active)
		propagate(snd, rcv, &from, &tag);
	finish_receive(rcv, from, tag);
	finish_send(snd);
	return DELIVERED;
}

/* ---- the two phases ---- */

static int send_phase(tcb_t *t, tcb_t *dest)
{
	if (dest->state == TS_RECV && from_matches(dest, t)) {
		deliver(t, dest);
		return SEND_DONE;
	}
	timeout_t to = t->kmsg_active ? 0 : timeouts_snd(t->ipc_timeouts);
	if (timeout_expired_now(to)) {
		fail_ipc(t, IPC_ERR_TIMEOUT, false);
		return SEND_FAILED;
	}
	senders_add(dest, t, false);
	block(t, TS_SEND, to);
	return SEND_BLOCKED;
}

/*
 * Receive phases are run from a work list, not by recursion: completing
 * one send can start the sender's receive phase, which can complete
 * another send, and so on along a chain of any length.
 */
static tcb_t *receive_work;
static bool receive_draining;

static void finish_send(tcb_t *snd)
{
	if (snd->state == TS_SEND)
		senders_remove(snd);
	timeout_cancel(snd);
	if (snd->kmsg_active || !tid_is_nil(snd->ipc_from)) {
		snd->state = TS_RECV;
		ipc_receive_phase(snd);
	} else {
		snd->ctx.esi = 0;
		make_ready(snd);
	}
}

static void receive_phase_one(tcb_t *t)
{
	tid_t from = t->ipc_from;

	if (!t->kmsg_active && !tid_is_any(from) && !tid_is_anylocal(from) &&
	    !thread_resolve(t, from)) {
		fail_ipc(t, IPC_ERR_NOPARTNER, true);
		return;
	}
rescan:
	for (tcb_t *s = t->senders; s; s = s->sq_next == t->senders ? NULL : s->sq_next) {
		if (!from_matches(t, s))
			continue;
		senders_remove(s);
		/* That sender left the queue to fetch its page; t waits on,
		 * unless t (as that sender's pager) has just received the
		 * page fault itself. */
		if (deliver(s, t) == SENDER_FAULTED && t->state == TS_RECV && !t->kmsg_active)
			goto rescan;
		return;
	}
	if (t->xfer_partner) {
		/* Waiting for a faulted transfer: its deadline is armed already. */
		t->state = TS_RECV;
		sched_dequeue(t);
		return;
	}
	timeout_t to = t->kmsg_active ? 0 : timeouts_rcv(t->ipc_timeouts);
	if (timeout_expired_now(to)) {
		fail_ipc(t, IPC_ERR_TIMEOUT, true);
		return;
	}
	block(t, TS_RECV, to);
}

void ipc_receive_phase(tcb_t *t)
{
	t->work_next = receive_work;
	receive_work = t;
	if (receive_draining)
		return;
	receive_draining = true;
	while (receive_work) {
		tcb_t *w = receive_work;
		receive_work = w->work_next;
		w->work_next = NULL;
		if (w->state == TS_RECV)
			receive_phase_one(w);
	}
	receive_draining = false;
}

void ipc_syscall(tcb_t *t, tid_t to, tid_t from, uint32_t timeouts, word_t tag, bool lipc)
{
	tcb_t *dest = NULL;

	if (t->xfer_partner) {
		/* Only the very retry of a rewound send keeps its transfer. */
		tcb_t *p = t->xfer_partner;
		bool retry = t->xfer_rewound && t->xfer_role == XFER_SENDER &&
			     !tid_is_nil(to) && thread_resolve(t, to) == p;
		if (!retry) {
			xfer_unlink(t);
			xfer_fail_one(p, IPC_ERR_ABORTED);
		}
	}
	t->ctx.esi = tag;
	t->xfer_rewound = false;
	t->cont = CONT_USER_IPC;
	t->kmsg_active = false;
	t->ipc_to = to;
	t->ipc_from = from;
	t->ipc_timeouts = timeouts;
	t->ipc_local = lipc;

	if (!tid_is_nil(to)) {
		dest = thread_resolve(t, to);
		if (!dest || dest == t) {
			fail_ipc(t, IPC_ERR_NOPARTNER, false);
			sched_switch_to(t);
		}
		send_phase(t, dest);
	} else if (!tid_is_nil(from)) {
		t->state = TS_RECV;
		ipc_receive_phase(t);
	} else {
		t->ctx.esi = 0;
	}
	if (t->state == TS_READY)
		sched_switch_to(t);
	sched_switch_to(dest);
}

/* ---- messages the kernel makes ---- */

void ipc_kernel_call(tcb_t *t, tid_t dest_id, unsigned cont)
{
	t->kmsg_active = true;
	t->cont = (uint8_t)cont;
	t->ipc_from = dest_id;
	t->ipc_timeouts = 0;
	t->state = TS_READY;
	tcb_t *dest = tid_is_nil(dest_id) ? NULL : thread_resolve(t, dest_id);
	if (!dest || dest == t) {
		kernel_ipc_failed(t, IPC_ERR_NOPARTNER);
		return;
	}
	send_phase(t, dest);
}

void ipc_pagefault(tcb_t *t, uint32_t addr, uint32_t access, uint32_t ip)
{
	t->kmsg[0] = msgtag_make(LABEL_PAGEFAULT | access, 2, 0, 0);
	t->kmsg[1] = addr;
	t->kmsg[2] = ip;
	ipc_kernel_call(t, thread_pager(t), CONT_PAGEFAULT);
}

void ipc_exception(tcb_t *t, uint32_t vec, uint32_t error)
{
	const arch_context_t *c = &t->ctx;
	tid_t handler = thread_exc_handler(t);

	if (tid_is_nil(handler) || !thread_resolve(t, handler)) {
		kprintf("lent: thread %x: exception %u at %x (error %x), no handler: halted\n",
			t->id, vec, c->eip, error);
		t->halted = true;
		t->state = TS_HALTED;
		sched_dequeue(t);
		return;
	}
	word_t *m = t->kmsg;
	m[0] = msgtag_make(LABEL_EXCEPTION, 12, 0, 0);
	m[1] = c->eip; m[2] = c->eflags; m[3] = vec; m[4] = error;
	m[5] = c->edi; m[6] = c->esi; m[7] = c->ebp; m[8] = c->esp;
	m[9] = c->ebx; m[10] = c->edx; m[11] = c->ecx; m[12] = c->eax;
	ipc_kernel_call(t, handler, CONT_EXCEPTION);
}

/* ---- cancellation and timeouts ---- */

void ipc_cancel(tcb_t *t, bool send, bool recv)
{
	bool in_send = t->state == TS_SEND, in_recv = t->state == TS_RECV;

	if (t->xfer_partner) {
		/* Abort in the middle of a transfer: both sides learn of it. */
		if ((send && t->xfer_role == XFER_SENDER) || (recv && t->xfer_role == XFER_RECEIVER))
			xfer_abort(t, IPC_ERR_ABORTED, IPC_ERR_ABORTED);
		return;
	}
	if (!(in_send && send) && !(in_recv && recv))
		return;
	timeout_cancel(t);
	if (in_send)
		senders_remove(t);
	if (t->kmsg_active && t->cont != CONT_PF_RECV) {
		/* Back to user mode: a page fault or exception simply recurs. */
		make_ready(t);
		return;
	}
	/* A receive interrupted by its buffer's page fault is still a receive. */
	bool receive_phase = in_recv || t->cont == CONT_PF_RECV;
	t->kmsg_active = false;
	t->cont = CONT_USER_IPC;
	fail_ipc(t, IPC_ERR_CANCELED, receive_phase);
}

void ipc_detach_senders(tcb_t *t)
{
	while (t->senders) {
		tcb_t *s = t->senders;
		senders_remove(s);
		s->state = TS_READY;
		fail_ipc(s, IPC_ERR_NOPARTNER, false);
	}
}

static void fail_if_waiting_for(tcb_t *w, void *arg)
{
	tcb_t *dying = arg;

	if (w == dying || w->state != TS_RECV || !waits_for_id(w, dying))
		return;
	if (w->kmsg_active) {
		timeout_cancel(w);
		kernel_ipc_failed(w, IPC_ERR_NOPARTNER);
	} else {
		fail_ipc(w, IPC_ERR_NOPARTNER, true);
	}
}

void ipc_detach_receivers(tcb_t *t)
{
	thread_for_each(fail_if_waiting_for, t);
}

void ipc_timeout(tcb_t *t)
{
	if (t->xfer_partner) {
		bool own = (t->xfer_role == XFER_SENDER) == t->xfer_by_sender;
		xfer_abort(t, own ? IPC_ERR_XFER_TIMEOUT_OWN : IPC_ERR_XFER_TIMEOUT_PARTNER,
			   own ? IPC_ERR_XFER_TIMEOUT_PARTNER : IPC_ERR_XFER_TIMEOUT_OWN);
		return;
	}
	if (t->state == TS_SEND)
		fail_ipc(t, IPC_ERR_TIMEOUT, false);
	else if (t->state == TS_RECV)
		fail_ipc(t, IPC_ERR_TIMEOUT, true);
}
