/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Transfers stopped by a page fault or at a preemption point.  The
 * partner whose page is missing asks its pager; a preempted sender steps
 * aside until the interrupt has been taken.  Either way the transfer then
 * goes on from where it stopped (the sender's xfer_cur); until then the
 * two are linked, share one deadline and end together.
 */
#include <kernel/ipc_internal.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>
#include <kernel/xfer_offset.h>
#include <kernel/utcb_away.h>
#include <arch/arch.h>

/* ---- transfers stopped by a page fault ---- */

static void xfer_link(tcb_t *snd, tcb_t *rcv)
{
	/* A thread is in one transfer at a time: forget any older link. */
	if (xfer_linked(snd) && !xfer_linked_to(snd, rcv))
		xfer_unlink(snd);
	if (xfer_linked(rcv) && !xfer_linked_to(rcv, snd))
		xfer_unlink(rcv);
	snd->cont.xfer.partner = tid_number(rcv->core->id);
	snd->cont.xfer.role = XFER_SENDER;
	rcv->cont.xfer.partner = tid_number(snd->core->id);
	rcv->cont.xfer.role = XFER_RECEIVER;
}

void xfer_unlink(tcb_t *a)
{
	tcb_t *b = xfer_partner(a);

	a->cont.xfer.partner = 0;
	if (b)
		b->cont.xfer.partner = 0;
}

/*
 * The partner that merely waits while the other asks its pager carries the
 * transfer's deadline: the shorter of the sender's and the receiver's
 * XferTimeouts, counted from the first fault of the transfer.
 */
static void xfer_arm_deadline(tcb_t *waiter, tcb_t *snd, tcb_t *rcv, bool first)
{
	if (first || !snd->cont.xfer.deadline_us) {
		timeout_t st = timeouts_snd(utcb_xfer_timeout(snd));
		timeout_t rt = timeouts_rcv(utcb_xfer_timeout(rcv));
		uint64_t now = arch_time_us(), never = ~(uint64_t)0;
		uint64_t sd = timeout_is_never(st) ? never : timeout_deadline(st, now);
		uint64_t rd = timeout_is_never(rt) ? never : timeout_deadline(rt, now);
		snd->cont.xfer.deadline_us = rcv->cont.xfer.deadline_us = sd <= rd ? sd : rd;
	}
	timeout_cancel(waiter);
	if (waiter->cont.xfer.deadline_us && waiter->cont.xfer.deadline_us != ~(uint64_t)0)
		timeout_set(waiter, waiter->cont.xfer.deadline_us + 1);
}

/* Take a thread out of the page-fault IPC it makes for a transfer. */
static void drop_kernel_call(tcb_t *t)
{
	if (!kmsg_active(t))
		return;
	timeout_cancel(t);
	if (t->core->state == TS_SEND)
		senders_remove(t);
	kcont_kpf_over(&t->cont);
	t->cont.kind = CONT_USER_IPC;
	if (t->cont.held)
		xfer_release_held(t);
}

/* t's transfer is linked to its partner still: the sender's cursor
 * says how many bytes of strings it had transferred. */
uint32_t xfer_bytes(tcb_t *t)
{
	tcb_t *p = xfer_partner(t);

	if (!p)
		return 0;
	tcb_t *snd = t->cont.xfer.role == XFER_SENDER ? t : p;
	tcb_t *rcv = snd == t ? p : t;
	return snd->cont.xfer.cur_to == rcv->core->id ? snd->cont.xfer.cur.bytes : 0;
}

void xfer_fail_one(tcb_t *t, uint32_t code, uint32_t bytes)
{
	/* The transfer was the kernel's own message, to t (its pager's or
	 * exception handler's reply; also while t waits for its kpager's
	 * page for that reply, CONT_PF_RECV, queued there in its send phase)
	 * or from t (a fault or exception that waited, linked, for its
	 * receiver's UTCB page: kpf_in_transfer()), unless t's own send,
	 * rewound, made it: t made no IPC, and its registers are not an
	 * IPC's to fail.  Back in user mode the fault recurs. */
	bool to_t = t->cont.xfer.role == XFER_RECEIVER;
	uint8_t kind = to_t && t->cont.kind == CONT_PF_RECV ? t->cont.recv.kind : t->cont.kind;
	if (kmsg_active(t) && !t->cont.xfer.rewound &&
	    (kind == CONT_PAGEFAULT || kind == CONT_EXCEPTION)) {
		drop_kernel_call(t);
		make_ready(t);
		return;
	}
	drop_kernel_call(t);
	if (t->cont.xfer.rewound) {
		arch_ipc_trap_skip(&t->ctx);      /* undo the rewind onto the trap */
		t->cont.xfer.rewound = false;
	}
	/* t's kernel call is dropped: what is left is its own Ipc. */
	bool rcv = t->cont.xfer.role == XFER_RECEIVER;
	fail_user_ipc_at(t, code, rcv, ipc_error_offset(xfer_error(code, rcv, bytes)));
}

/* End a stopped transfer: both partners fail, each with its own code. */
void xfer_abort(tcb_t *t, uint32_t code_t, uint32_t code_partner)
{
	tcb_t *p = xfer_partner(t);
	uint32_t bytes = xfer_bytes(t);

	xfer_unlink(t);
	xfer_fail_one(t, code_t, bytes);
	if (p)
		xfer_fail_one(p, code_partner, bytes);
}

/* A page is missing in the middle of a transfer: its owner asks its pager,
 * and the transfer goes on afterwards. */
void xfer_fault(tcb_t *snd, tcb_t *rcv, const xfer_fault_t *f)
{
	bool first = !xfer_linked_to(snd, rcv);

	xfer_link(snd, rcv);
	snd->cont.xfer.fault_snd = rcv->cont.xfer.fault_snd = f->who == snd;
	if (f->who == snd) {
		if (snd->core->state == TS_SEND)
			senders_remove(snd);
		timeout_cancel(snd);
		uint32_t ip = arch_ipc_trap_rewind(&snd->ctx);   /* re-execute the Ipc trap */
		snd->cont.xfer.rewound = true;
		xfer_arm_deadline(rcv, snd, rcv, first);
		ipc_pagefault(snd, f->addr, RIGHT_R, ip);
		return;
	}
	if (snd->core->state != TS_SEND) {
		snd->core->state = TS_SEND;
		sched_dequeue(snd);
	}
	senders_add(rcv, snd, true);
	xfer_arm_deadline(snd, snd, rcv, first);
	if (!f->access) {
		/* A page of its kernel memory: its kpager is asked. */
		kpf_receiver_asks(rcv, &f->need);
		return;
	}
	rcv->cont.recv.from = rcv->cont.ipc_from;
	rcv->cont.recv.timeouts = rcv->cont.ipc_timeouts;
	rcv->cont.recv.kind = rcv->cont.kind;
	rcv->cont.recv.again = TID_NIL;
	kcont_kpf_over(&rcv->cont);
	timeout_cancel(rcv);
	rcv->cont.kmsg[0] = msgtag_make(LABEL_PAGEFAULT | RIGHT_W, 2, 0, 0);
	rcv->cont.kmsg[1] = f->addr;
	rcv->cont.kmsg[2] = arch_ctx_ip(&rcv->ctx);
	ipc_kernel_call(rcv, thread_pager(rcv), CONT_PF_RECV);
}

/*
 * rcv waits for a reply the kernel asked for (its pager's answer to a
 * fault in a transfer rcv itself sends), and that reply needs rcv's
 * kernel memory.  rcv's own transfer keeps its link: the replying sender
 * waits queued, unlinked, no longer than its XferTimeout allows, while
 * rcv asks its kpager; the reply then goes on where it stopped.
 */
void xfer_kmem_unlinked(tcb_t *snd, tcb_t *rcv, const kmem_need_t *need)
{
	if (snd->core->state != TS_SEND) {
		snd->core->state = TS_SEND;
		sched_dequeue(snd);
	}
	senders_add(rcv, snd, true);
	timeout_cancel(snd);
	timeout_t st = timeouts_snd(utcb_xfer_timeout(snd));
	if (!timeout_is_never(st))
		timeout_set(snd, timeout_deadline(st, arch_time_us()) + 1);
	rcv->cont.held = tid_number(snd->core->id);
	kpf_receiver_asks(rcv, need);
}

/*
 * t's kernel call ends other than by taking the reply it held (it was
 * aborted, its partner died, it ran out of time): that reply's sender,
 * queued on t since its transfer stopped, is not left behind to be taken
 * by t's next, unrelated receive.  Its send fails as an aborted transfer
 * does.
 */
void xfer_release_held(tcb_t *t)
{
	tcb_t *s = thread_by_number(t->cont.held);

	t->cont.held = 0;
	if (!s || s->core->state != TS_SEND || s->core->partner != t->core)
		return;
	senders_remove(s);
	xfer_forget_retry(s);
	fail_user_ipc(s, IPC_ERR_ABORTED, false);   /* its reply: its own Ipc */
}

/* The transfer stopped at a preemption point.  The sender re-executes its
 * Ipc once it runs again (after the interrupt) and goes on; the receiver
 * waits for it as for a faulted transfer, under the deadline of an
 * earlier fault if there was one: a preemption sets none. */
void xfer_stop(tcb_t *snd, tcb_t *rcv)
{
	if (snd->core->state == TS_SEND)
		senders_remove(snd);
	timeout_cancel(snd);
	(void)arch_ipc_trap_rewind(&snd->ctx);   /* re-execute the Ipc trap */
	snd->cont.xfer.rewound = true;
	sched_enqueue(snd);
	/* A thread receiving a reply to a fault of its own takes nothing but
	 * that reply anyway: no link, which would break the one of the
	 * transfer it faulted in. */
	if (kmsg_active(rcv))
		return;
	if (!xfer_linked_to(snd, rcv))
		snd->cont.xfer.deadline_us = rcv->cont.xfer.deadline_us = 0;
	xfer_link(snd, rcv);
	timeout_cancel(rcv);
	if (rcv->cont.xfer.deadline_us && rcv->cont.xfer.deadline_us != ~(uint64_t)0)
		timeout_set(rcv, rcv->cont.xfer.deadline_us + 1);
}

/* The sender of a stopped transfer is halted: its partner waits for it
 * no longer than their XferTimeouts allow, as for a page fault. */
void xfer_sender_held(tcb_t *snd)
{
	tcb_t *rcv = xfer_partner(snd);

	if (rcv && snd->cont.xfer.role == XFER_SENDER && snd->cont.xfer.rewound) {
		/* The sender holds the transfer up, as a page missing in its
		 * space would: a timeout gives it 5, the receiver 6. */
		snd->cont.xfer.fault_snd = rcv->cont.xfer.fault_snd = 1;
		xfer_arm_deadline(rcv, snd, rcv, false);
	}
}

/* The thread was sent elsewhere: it will not retry a rewound send, so
 * the progress kept for it goes. */
void xfer_forget_retry(tcb_t *t)
{
	t->cont.xfer.rewound = false;
	t->cont.xfer.cur_to = TID_NIL;
}
