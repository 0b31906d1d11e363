/* SPDX-License-Identifier: BSD-2-Clause */
/* ExchangeRegisters (X.2), validate first, then act. */
#include <kernel/syscall.h>
#include <kernel/tcb_away.h>
#include <kernel/thread.h>
#include <kernel/preempt.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <kernel/kpf.h>
#include <kernel/utcb_away.h>
#include <arch/arch.h>

#define EX_HALT_FLAG   (1u << 0)
#define EX_ABORT_RECV  (1u << 1)
#define EX_ABORT_SEND  (1u << 2)
#define EX_SP          (1u << 3)
#define EX_IP          (1u << 4)
#define EX_FLAGS       (1u << 5)
#define EX_USER        (1u << 6)
#define EX_PAGER       (1u << 7)
#define EX_HALT        (1u << 8)
#define EX_DELIVER     (1u << 9)

/* Old state as X.2 reports it in the control word. */
static word_t thread_status(const tcb_t *d)
{
	word_t s = 0;

	if (d->cont.halted || d->core->state == TS_HALTED || d->core->state == TS_INACTIVE)
		s |= EX_HALT_FLAG;
	if (d->core->state == TS_RECV)
		s |= EX_ABORT_RECV;
	if (d->core->state == TS_SEND)
		s |= EX_ABORT_SEND;
	return s;
}

tid_t sys_exchange_registers(tcb_t *t, tid_t dest, exregs_args_t *io)
{
	/* A thread away comes back first: the call runs again then. */
	int away = tcb_away_gather(t, dest);
	if (away == GATHER_FAULTED)
		return dest;
	if (away == GATHER_NO_MEMORY) {
		sys_fail(t, ERR_NO_MEMORY);
		return TID_NIL;
	}
	tcb_t *d = thread_resolve(t, dest);
	word_t ctl = io->control;

	/* An activated thread of the same space, or (X.2 extension) one
	 * whose pager, as ThreadControl gave it, is the caller. */
	if (!d || !d->activated || (d->space != t->space && !thread_is_assigned_pager(d, t))) {
		sys_fail(t, ERR_INVALID_THREAD);
		return TID_NIL;
	}
	/* d's UTCB page taken back is asked for first (the call runs again
	 * with its arguments as they were); refused, the call goes on
	 * without its UTCB words. */
	if (utcb_gather(t, d) == GATHER_FAULTED)
		return dest;
	exregs_args_t old = {
		.control = thread_status(d), .sp = arch_ctx_sp(&d->ctx), .ip = arch_ctx_ip(&d->ctx),
		.flags = arch_ctx_flags(&d->ctx), .user_handle = d->utcb ? UTCB_TCR(d, TCR_USER_HANDLE) : 0,
		.pager = thread_pager(d),
	};

	if (ctl & (EX_ABORT_SEND | EX_ABORT_RECV))
		ipc_cancel(d, ctl & EX_ABORT_SEND, ctl & EX_ABORT_RECV);
	/* A new SP or IP ends a transfer the thread would otherwise retry. */
	if ((ctl & (EX_SP | EX_IP)) && xfer_linked(d))
		ipc_cancel(d, true, true);
	if (ctl & (EX_SP | EX_IP))
		xfer_forget_retry(d);
	/* A system call stopped at a preemption point is not re-executed by
	 * a thread sent elsewhere: forget its progress.  (A new SP or flags
	 * leave it on its trap, to go on.) */
	if (ctl & EX_IP) {
		resume_forget(d);
		d->utcb_trap = 0;            /* nor reports a trap kept */
		(void)kpf_take_refusal(d);   /* nor fails for want of memory */
	}
	if (ctl & EX_SP)
		arch_ctx_set_sp(&d->ctx, io->sp);
	if (ctl & EX_IP)
		arch_ctx_set_ip(&d->ctx, io->ip);
	if (ctl & EX_FLAGS)
		arch_ctx_set_user_flags(&d->ctx, io->flags);
	if ((ctl & EX_USER) && d->utcb)
		UTCB_TCR(d, TCR_USER_HANDLE) = io->user_handle;
	/* Only the Pager TCR: where faults go.  The pager that may
	 * ExchangeRegisters the thread changes by ThreadControl alone. */
	if ((ctl & EX_PAGER) && d->utcb)
		UTCB_TCR(d, TCR_PAGER) = io->pager;
	/* A thread still waiting for its start message starts at the new IP. */
	if ((ctl & (EX_SP | EX_IP)) && d->core->state == TS_RECV && d->cont.kind == CONT_STARTUP)
		ipc_cancel(d, false, true);
	if (ctl & EX_HALT) {
		if (ctl & EX_HALT_FLAG) {
			d->cont.halted = true;
			xfer_sender_held(d);
			if (d->core->state == TS_READY) {
				d->core->state = TS_HALTED;
				sched_dequeue(d);
			}
		} else {
			d->cont.halted = false;
			if (d->core->state == TS_HALTED && d->activated)
				sched_enqueue(d);
		}
	}
	/* The old values only with d (X.2); without it the registers stay
	 * as the caller loaded them.  The thread's state always comes back. */
	if (ctl & EX_DELIVER)
		*io = old;
	else
		io->control = old.control;
	/* X.2: the answer names the thread in the other form. */
	return tid_is_local(dest) ? d->core->id : thread_local_id(d);
}
