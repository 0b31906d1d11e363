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
#include <arch/arch.h>

/* ---- transfers stopped by a page fault ---- */

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

void xfer_unlink(tcb_t *a)
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
	if (first || !snd->xfer_deadline_us) {
		timeout_t st = timeouts_snd(UTCB_TCR(snd, TCR_XFER_TIMEOUT));
		timeout_t rt = timeouts_rcv(UTCB_TCR(rcv, TCR_XFER_TIMEOUT));
		uint64_t now = arch_time_us(), never = ~(uint64_t)0;
		uint64_t sd = timeout_is_never(st) ? never : timeout_deadline(st, now);
		uint64_t rd = timeout_is_never(rt) ? never : timeout_deadline(rt, now);
		snd->xfer_deadline_us = rcv->xfer_deadline_us = sd <= rd ? sd : rd;
		snd->xfer_by_sender = rcv->xfer_by_sender = sd <= rd;
	}
	timeout_cancel(waiter);
	if (waiter->xfer_deadline_us && waiter->xfer_deadline_us != ~(uint64_t)0)
		timeout_set(waiter, waiter->xfer_deadline_us + 1);
}

/* Take a thread out of the page-fault IPC it makes for a transfer. */
static void drop_kernel_call(tcb_t *t)
{
	if (!t->kmsg_active)
		return;
	timeout_cancel(t);
	if (t->core->state == TS_SEND)
		senders_remove(t);
	t->kmsg_active = false;
	t->kpf_kind = KPF_NONE;
	t->cont = CONT_USER_IPC;
}

void xfer_fail_one(tcb_t *t, uint32_t code)
{
	/* The transfer was the kernel's own message to t (its pager's or
	 * exception handler's reply): t made no IPC, and its registers are
	 * not an IPC's to fail.  Back in user mode the fault recurs. */
	if (t->kmsg_active && t->xfer_role == XFER_RECEIVER && !t->xfer_rewound &&
	    (t->cont == CONT_PAGEFAULT || t->cont == CONT_EXCEPTION)) {
		timeout_cancel(t);
		make_ready(t);
		return;
	}
	drop_kernel_call(t);
	if (t->xfer_rewound) {
		arch_ipc_trap_skip(&t->ctx);      /* undo the rewind onto the trap */
		t->xfer_rewound = false;
	}
	/* t's kernel call is dropped: what is left is its own Ipc. */
	fail_user_ipc(t, code, t->xfer_role == XFER_RECEIVER);
}

/* End a stopped transfer: both partners fail, each with its own code. */
void xfer_abort(tcb_t *t, uint32_t code_t, uint32_t code_partner)
{
	tcb_t *p = t->xfer_partner;

	xfer_unlink(t);
	xfer_fail_one(t, code_t);
	if (p)
		xfer_fail_one(p, code_partner);
}

/* A page is missing in the middle of a transfer: its owner asks its pager,
 * and the transfer goes on afterwards. */
void xfer_fault(tcb_t *snd, tcb_t *rcv, const xfer_fault_t *f)
{
	bool first = snd->xfer_partner != rcv;

	xfer_link(snd, rcv);
	if (f->who == snd) {
		if (snd->core->state == TS_SEND)
			senders_remove(snd);
		timeout_cancel(snd);
		uint32_t ip = arch_ipc_trap_rewind(&snd->ctx);   /* re-execute the Ipc trap */
		snd->xfer_rewound = true;
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
		kmem_need_t need = { .space = rcv->space, .kind = f->kind, .cid = f->cid };
		kpf_receiver_asks(rcv, &need);
		return;
	}
	rcv->saved_from = rcv->ipc_from;
	rcv->saved_timeouts = rcv->ipc_timeouts;
	rcv->saved_cont = rcv->cont;
	rcv->saved_kmsg = rcv->kmsg_active;
	rcv->kpf_kind = KPF_NONE;
	timeout_cancel(rcv);
	rcv->kmsg[0] = msgtag_make(LABEL_PAGEFAULT | RIGHT_W, 2, 0, 0);
	rcv->kmsg[1] = f->addr;
	rcv->kmsg[2] = arch_ctx_ip(&rcv->ctx);
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
	timeout_t st = timeouts_snd(UTCB_TCR(snd, TCR_XFER_TIMEOUT));
	if (!timeout_is_never(st))
		timeout_set(snd, timeout_deadline(st, arch_time_us()) + 1);
	kpf_receiver_asks(rcv, need);
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
	snd->xfer_rewound = true;
	sched_enqueue(snd);
	/* A thread receiving a reply to a fault of its own takes nothing but
	 * that reply anyway: no link, which would break the one of the
	 * transfer it faulted in. */
	if (rcv->kmsg_active)
		return;
	if (snd->xfer_partner != rcv)
		snd->xfer_deadline_us = rcv->xfer_deadline_us = 0;
	xfer_link(snd, rcv);
	timeout_cancel(rcv);
	if (rcv->xfer_deadline_us && rcv->xfer_deadline_us != ~(uint64_t)0)
		timeout_set(rcv, rcv->xfer_deadline_us + 1);
}

/* The sender of a stopped transfer is halted: its partner waits for it
 * no longer than their XferTimeouts allow, as for a page fault. */
void xfer_sender_held(tcb_t *snd)
{
	tcb_t *rcv = snd->xfer_partner;

	if (rcv && snd->xfer_role == XFER_SENDER && snd->xfer_rewound)
		xfer_arm_deadline(rcv, snd, rcv, false);
}

/* The thread was sent elsewhere: it will not retry a rewound send, so
 * the progress kept for it goes. */
void xfer_forget_retry(tcb_t *t)
{
	t->xfer_rewound = false;
	t->xfer_cur_to = TID_NIL;
}
