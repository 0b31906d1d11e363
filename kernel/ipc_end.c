/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ends of an IPC: delivering the result per continuation, failing
 * with an error code, cancellation by ExchangeRegisters, timeouts, and
 * partners that are deleted.
 */
#include <kernel/tcb_away.h>
#include <kernel/ipc_internal.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>
#include <kernel/xfer_offset.h>
#include <kernel/utcb_away.h>
#include <arch/arch.h>

/* The kernel's own call of t (page fault, exception, start-up) cannot be
 * completed: its partner is gone.  The thread stops; its pager or handler
 * can revive it with ExchangeRegisters. */
void kernel_ipc_failed(tcb_t *t, uint32_t code)
{
	/* A receive that asked its kpager for a page and gets none fails
	 * for want of memory, whatever ended the wait (the kpager died, or
	 * the thread's SET_KPF_WAIT ran out), as if no kpager had been
	 * there to ask (kpf_receiver_asks). */
	if (t->cont.kind == CONT_PF_RECV && kpf_waiting(t))
		code = IPC_ERR_OVERFLOW;
	if (xfer_linked(t)) {
		/* The page a transfer waits for will never come. */
		xfer_abort(t, code, IPC_ERR_ABORTED);
		return;
	}
	if (t->cont.held)
		xfer_release_held(t);
	if (t->cont.kind == CONT_KPF || t->cont.kind == CONT_KPF_FAULT) {
		/* No kpager to answer: the operation fails for want of memory
		 * when it runs again. */
		uint8_t note = kcont_refusal_note(t->cont.kind);
		make_ready(t);
		t->cont.kpf.state = note;
		return;
	}
	if (t->cont.kind == CONT_PF_RECV) {
		/* The receive that waited for the page ends.  The thread's own
		 * Ipc fails; a page fault's or exception's reply the kernel
		 * waited for is not an IPC of the thread's to fail: the fault
		 * or exception recurs.  A start message is lost: below. */
		uint8_t was = t->cont.recv.kind;
		if (was == CONT_USER_IPC) {
			make_ready(t);
			utcb_set_error(t, ipc_error(code, true, 0));
			arch_ipc_set_tag_from(&t->ctx, MSGTAG_ERROR, TID_NIL);
			return;
		}
		if (was != CONT_STARTUP) {
			make_ready(t);
			return;
		}
		t->cont.kind = CONT_STARTUP;
	}
	if (t->cont.kind != CONT_STARTUP)
		kprintf("lent: thread %x: %s IPC to %x failed (error %u), thread halted\n",
			t->core->id, t->cont.kind == CONT_EXCEPTION ? "exception" : "page-fault",
			t->cont.ipc_from, code);
	kcont_kpf_over(&t->cont);
	t->cont.kind = CONT_USER_IPC;
	t->cont.halted = true;
	t->core->state = TS_HALTED;
	sched_dequeue(t);
}

/* t's own Ipc fails with code: the error in its registers, and it runs
 * again.  Never for a kernel call (fail_ipc tells them apart), so it
 * leads back to no other failure path. */
void fail_user_ipc(tcb_t *t, uint32_t code, bool receive_phase)
{
	fail_user_ipc_at(t, code, receive_phase, 0);
}

void fail_user_ipc_at(tcb_t *t, uint32_t code, bool receive_phase, uint32_t offset)
{
	timeout_cancel(t);
	if (t->core->state == TS_SEND)
		senders_remove(t);
	utcb_set_error(t, ipc_error(code, receive_phase, offset));
	arch_ipc_set_tag_from(&t->ctx, MSGTAG_ERROR, TID_NIL);
	make_ready(t);
}

void fail_ipc(tcb_t *t, uint32_t code, bool receive_phase)
{
	fail_ipc_at(t, code, receive_phase, 0);
}

void fail_ipc_at(tcb_t *t, uint32_t code, bool receive_phase, uint32_t offset)
{
	if (kmsg_active(t)) {
		timeout_cancel(t);
		if (t->core->state == TS_SEND)
			senders_remove(t);
		kernel_ipc_failed(t, code);
		return;
	}
	fail_user_ipc_at(t, code, receive_phase, offset);
}

/* Both partners of a failed transfer learn of it, each from its side. */
void fail_both(tcb_t *snd, tcb_t *rcv, int code, uint32_t bytes)
{
	int rcv_code = code == IPC_ERR_XFER_TIMEOUT_OWN ? IPC_ERR_XFER_TIMEOUT_PARTNER :
		       code == IPC_ERR_XFER_TIMEOUT_PARTNER ? IPC_ERR_XFER_TIMEOUT_OWN : code;
	uint32_t off = ipc_error_offset(xfer_error((uint32_t)code, false, bytes));

	fail_ipc_at(rcv, (uint32_t)rcv_code, true, off);
	fail_ipc_at(snd, (uint32_t)code, false, off);
}

void finish_receive(tcb_t *rcv, tid_t from, word_t tag)
{
	timeout_cancel(rcv);
	if (kpf_waiting(rcv))
		kpf_answered(rcv);
	switch (rcv->cont.kind) {
	case CONT_USER_IPC:
		/* No UTCB (away): a message of no words, an interrupt's. */
		arch_ipc_set_result(&rcv->ctx, tag, from, rcv->utcb ? rcv->utcb[1] : 0,
				    rcv->utcb ? rcv->utcb[2] : 0);
		break;
	case CONT_PF_RECV:
		if (!tid_is_nil(rcv->cont.recv.again)) {
			/* The kernel page the pager's answer needed is
			 * lent: receive that answer again, then go on. */
			rcv->cont.ipc_from = rcv->cont.recv.again;
			rcv->cont.ipc_timeouts = 0;
			rcv->cont.recv.again = TID_NIL;
			rcv->core->state = TS_RECV;
			ipc_receive_phase(rcv);
			return;
		}
		/* The buffer page is there now: take up the interrupted receive. */
		rcv->cont.kind = rcv->cont.recv.kind;
		rcv->cont.ipc_from = rcv->cont.recv.from;
		rcv->cont.ipc_timeouts = rcv->cont.recv.timeouts;
		rcv->core->state = TS_RECV;
		ipc_receive_phase(rcv);
		return;
	case CONT_KPF_FAULT:
		/* The pages are lent (or refused): the page fault that needed
		 * them goes to the pager now, without a way out to user mode
		 * to make the access again.  A thread halted meanwhile makes
		 * the access again when it is resumed, if ever. */
		if (rcv->cont.halted)
			break;
		rcv->cont.kind = CONT_USER_IPC;
		rcv->core->state = TS_READY;
		ipc_pagefault_kpf_done(rcv);
		return;
	case CONT_EXCEPTION:
		arch_exception_load(&rcv->ctx, rcv->cont.kmsg, msgtag_u(tag));
		resume_forget(rcv);      /* new registers: no call to go on with */
		break;
	case CONT_STARTUP:
		if (msgtag_u(tag) >= 2) {
			arch_ctx_set_ip(&rcv->ctx, rcv->cont.kmsg[1]);
			arch_ctx_set_sp(&rcv->ctx, rcv->cont.kmsg[2]);
		}
		break;
	default:                        /* CONT_PAGEFAULT: retry the access */
		break;
	}
	make_ready(rcv);
}

/* ---- cancellation and timeouts ---- */

void ipc_cancel(tcb_t *t, bool send, bool recv)
{
	bool in_send = t->core->state == TS_SEND, in_recv = t->core->state == TS_RECV;

	if (xfer_linked(t)) {
		/* Abort in the middle of a transfer: both sides learn of it. */
		if ((send && t->cont.xfer.role == XFER_SENDER) || (recv && t->cont.xfer.role == XFER_RECEIVER))
			xfer_abort(t, IPC_ERR_ABORTED, IPC_ERR_ABORTED);
		return;
	}
	if (!(in_send && send) && !(in_recv && recv))
		return;
	timeout_cancel(t);
	if (in_send)
		senders_remove(t);
	if (t->cont.held)
		xfer_release_held(t);
	if (kmsg_active(t) && !(t->cont.kind == CONT_PF_RECV && t->cont.recv.kind == CONT_USER_IPC)) {
		/* Back to user mode: a page fault or exception simply recurs
		 * (a start message not yet taken is not waited for, as X.2's
		 * abort of a thread waiting for it).  A system call waiting
		 * for its kpager's page would recur as well, ask again and
		 * wait again: it fails with "no memory" instead, the way out
		 * of a kpager that never answers. */
		bool call = t->cont.kind == CONT_KPF;
		make_ready(t);
		t->utcb_trap = 0;   /* as for a cancelled exception IPC */
		if (call)
			t->cont.kpf.state = KPF_REFUSED;
		return;
	}
	/* A receive interrupted by its buffer's page fault is still a receive. */
	bool receive_phase = in_recv || t->cont.kind == CONT_PF_RECV;
	kcont_kpf_over(&t->cont);
	t->cont.kind = CONT_USER_IPC;
	fail_ipc(t, IPC_ERR_CANCELED, receive_phase);
}

void ipc_detach_senders(tcb_t *t)
{
	while (t->core->senders) {
		tcb_t *s = t->core->senders->tcb;
		if (!s) {
			tcb_away_detach(t->core->senders, t->core);
			continue;
		}
		senders_remove(s);
		s->core->state = TS_READY;
		fail_ipc(s, IPC_ERR_NOPARTNER, false);
	}
}

static void fail_if_waiting_for(tcb_t *w, void *arg)
{
	tcb_t *dying = arg;

	if (w == dying || w->core->state != TS_RECV || !waits_for_id(w, dying))
		return;
	ipc_fail_no_partner(w);
}

void ipc_fail_no_partner(tcb_t *w)
{
	if (kmsg_active(w)) {
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
	/* A receiver in a stopped transfer that asks its kpager for a page
	 * has only its own SET_KPF_WAIT armed (the partner carries the
	 * transfer's deadline): its end is no transfer timeout, but the
	 * kernel page fault's, which fails the receive for want of memory
	 * (kernel_ipc_failed) and aborts the partner's send. */
	if (xfer_linked(t) && !(t->cont.kind == CONT_PF_RECV && kpf_waiting(t))) {
		/* X.2: 5 to the partner in whose space the page is missing. */
		bool own = (t->cont.xfer.role == XFER_SENDER) == t->cont.xfer.fault_snd;
		xfer_abort(t, own ? IPC_ERR_XFER_TIMEOUT_OWN : IPC_ERR_XFER_TIMEOUT_PARTNER,
			   own ? IPC_ERR_XFER_TIMEOUT_PARTNER : IPC_ERR_XFER_TIMEOUT_OWN);
		return;
	}
	if (t->core->state == TS_SEND)
		fail_ipc(t, IPC_ERR_TIMEOUT, false);
	else if (t->core->state == TS_RECV)
		fail_ipc(t, IPC_ERR_TIMEOUT, true);
}
