/* SPDX-License-Identifier: BSD-2-Clause */
/* ThreadControl and ExchangeRegisters (X.2), validate first, then act. */
#include <kernel/syscall.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/preempt.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <kernel/kip_runtime.h>
#include <arch/arch.h>

#define NO_UTCB 0xFFFFFFFFu
#define GATHERING 2u      /* modify() stopped for a kernel page fault */

static bool utcb_location_ok(space_t *s, word_t loc)
{
	return (loc & (UTCB_SIZE - 1)) == 0 && space_in_utcb_area(s, loc, UTCB_SIZE);
}

static bool utcb_location_free(space_t *s, word_t loc, tcb_t *self)
{
	for (tcb_t *o = s->thread_list; o; o = o->space_next)
		if (o != self && o->utcb_location == loc)
			return false;
	return true;
}

/* A thread with pager and UTCB in an initialised space starts running
 * (or rather waiting for its start message). */
static void maybe_activate(tcb_t *d)
{
	if (!d->activated && d->utcb && !tid_is_nil(d->pager))
		thread_activate(d);
}

static word_t modify(tcb_t *t, tcb_t *d, tid_t scheduler, tid_t pager, word_t utcb)
{
	if (utcb != NO_UTCB) {
		if (d->activated && utcb != d->utcb_location)
			return sys_fail(t, ERR_UTCB_AREA);
		if (!space_areas_set(d->space) || !utcb_location_ok(d->space, utcb) ||
		    !utcb_location_free(d->space, utcb, d))
			return sys_fail(t, ERR_UTCB_AREA);
	}
	/* A pager alone cannot activate a thread that has nowhere for its UTCB. */
	if (!tid_is_nil(pager) && utcb == NO_UTCB && !d->utcb)
		return sys_fail(t, ERR_UTCB_AREA);
	if (!tid_is_nil(scheduler) && !thread_lookup(scheduler))
		return sys_fail(t, ERR_INVALID_SCHEDULER);
	if (utcb != NO_UTCB && utcb != d->utcb_location)
		switch (sys_gather_page(t, d->space, KMEM_PT, lent_cid_pt(utcb), d)) {
		case GATHER_OK: break;
		case GATHER_FAULTED: return GATHERING;
		case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
		}
	if (utcb != NO_UTCB && utcb != d->utcb_location && thread_set_utcb(d, utcb) < 0)
		return sys_fail(t, ERR_NO_MEMORY);
	if (!tid_is_nil(scheduler))
		d->scheduler = scheduler;
	if (!tid_is_nil(pager)) {
		d->pager = pager;
		if (d->utcb)
			UTCB_TCR(d, TCR_PAGER) = pager;
	}
	maybe_activate(d);
	return 1;
}

/*
 * Wait until the deleted task with this id (never 0) is freed, freeing it
 * (and any other on the list) in steps.  At a preemption point the caller's
 * ThreadControl stops, keeping the id as its progress, and goes on when
 * re-executed; it answers as it would have.  `unchanged` is the value
 * that leaves the caller's result register as it was, so that the call
 * is re-executed with the same arguments.
 */
static word_t reap(tcb_t *t, uint32_t id, word_t unchanged)
{
	while (space_dying(id)) {
		if (space_reap_dying()) {
			preempt_restart(t, &(resume_t){ .op = RESUME_REAP, .a = id });
			return unchanged;
		}
	}
	return 1;
}

static void destroy_thread(tcb_t *d)
{
	space_t *s = d->space;

	thread_destroy(d);
	if (!s->threads)
		space_destroy(s);
}

word_t sys_thread_control(tcb_t *t, tid_t dest, tid_t space_spec, tid_t scheduler,
			  tid_t pager, word_t utcb)
{
	resume_t *r = resume_of(t, RESUME_REAP);

	if (r) {
		uint32_t id = r->a;
		t->resume.op = RESUME_NONE;
		if (id)
			return reap(t, id, dest);
	}
	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	/* The memory of deleted tasks comes back before ThreadControl asks
	 * for any or counts on any being free (progress 0: none of ours). */
	if (space_reap_dying()) {
		preempt_restart(t, &(resume_t){ .op = RESUME_REAP, .a = 0 });
		return dest;
	}
	if (!tid_is_global(dest) || tid_number(dest) < kip_user_base())
		return sys_fail(t, ERR_INVALID_THREAD);
	tcb_t *d = thread_by_number(tid_number(dest));

	if (tid_is_nil(space_spec)) {                  /* delete */
		if (!d || d->id != dest || d == t)
			return sys_fail(t, ERR_INVALID_THREAD);
		space_t *s = d->space;
		thread_destroy(d);
		if (s->threads)
			return 1;
		space_reap_later(s);
		return reap(t, s->id, dest);
	}
	tcb_t *sp = thread_lookup(space_spec);
	if (d) {                                       /* modify */
		if (!sp || sp->space != d->space)
			return sys_fail(t, ERR_INVALID_SPACE);
		word_t r = modify(t, d, scheduler, pager, utcb);
		if (r == GATHERING)
			return dest;            /* runs again once the page is lent */
		if (r && d->id != dest)
			thread_set_version(d, dest);   /* same number, new version */
		return r;
	}
	/* create */
	space_t *s;
	bool new_space = space_spec == dest;
	if (!new_space && !sp)
		return sys_fail(t, ERR_INVALID_SPACE);
	if (tid_is_nil(scheduler) || !thread_lookup(scheduler))
		return sys_fail(t, ERR_INVALID_SCHEDULER);
	if (new_space) {
		s = space_create();
		if (!s)
			return sys_fail(t, ERR_NO_MEMORY);
		s->kpager = t->space->kpager;   /* a new task inherits its creator's */
		s->kpf_pages = t->space->kpf_pages;
	} else {
		s = sp->space;
		if (utcb != NO_UTCB && (!space_areas_set(s) || !utcb_location_ok(s, utcb) ||
					!utcb_location_free(s, utcb, NULL)))
			return sys_fail(t, ERR_UTCB_AREA);
		/* Gather before creating anything: the UTCB's page table. */
		if (utcb != NO_UTCB)
			switch (sys_gather_page(t, s, KMEM_PT, lent_cid_pt(utcb), sp)) {
			case GATHER_OK: break;
			case GATHER_FAULTED: return dest;
			case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
			}
	}
	d = thread_create(dest, s, scheduler);
	if (!d) {
		if (new_space)
			space_destroy(s);
		return sys_fail(t, ERR_NO_MEMORY);
	}
	word_t ok = modify(t, d, TID_NIL, pager, utcb);
	if (!ok)
		destroy_thread(d);   /* a new thread: nothing mapped, quick */
	return ok;
}

/* ---- ExchangeRegisters ---- */

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

	if (d->halted || d->state == TS_HALTED || d->state == TS_INACTIVE)
		s |= EX_HALT_FLAG;
	if (d->state == TS_RECV)
		s |= EX_ABORT_RECV;
	if (d->state == TS_SEND)
		s |= EX_ABORT_SEND;
	return s;
}

tid_t sys_exchange_registers(tcb_t *t, tid_t dest, exregs_args_t *io)
{
	tcb_t *d = thread_resolve(t, dest);
	word_t ctl = io->control;

	/* An activated thread of the same space, or (X.2 extension) one
	 * whose pager, as ThreadControl gave it, is the caller. */
	if (!d || !d->activated || (d->space != t->space && !thread_is_assigned_pager(d, t))) {
		sys_fail(t, ERR_INVALID_THREAD);
		return TID_NIL;
	}
	exregs_args_t old = {
		.control = thread_status(d), .sp = arch_ctx_sp(&d->ctx), .ip = arch_ctx_ip(&d->ctx),
		.flags = arch_ctx_flags(&d->ctx), .user_handle = d->utcb ? UTCB_TCR(d, TCR_USER_HANDLE) : 0,
		.pager = thread_pager(d),
	};

	if (ctl & (EX_ABORT_SEND | EX_ABORT_RECV))
		ipc_cancel(d, ctl & EX_ABORT_SEND, ctl & EX_ABORT_RECV);
	/* A new SP or IP ends a transfer the thread would otherwise retry. */
	if ((ctl & (EX_SP | EX_IP)) && d->xfer_partner)
		ipc_cancel(d, true, true);
	if (ctl & (EX_SP | EX_IP))
		xfer_forget_retry(d);
	/* A system call stopped at a preemption point is not re-executed by
	 * a thread sent elsewhere: forget its progress.  (A new SP or flags
	 * leave it on its trap, to go on.) */
	if (ctl & EX_IP)
		resume_forget(d);
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
	if ((ctl & (EX_SP | EX_IP)) && d->state == TS_RECV && d->cont == CONT_STARTUP)
		ipc_cancel(d, false, true);
	if (ctl & EX_HALT) {
		if (ctl & EX_HALT_FLAG) {
			d->halted = true;
			xfer_sender_held(d);
			if (d->state == TS_READY) {
				d->state = TS_HALTED;
				sched_dequeue(d);
			}
		} else {
			d->halted = false;
			if (d->state == TS_HALTED && d->activated)
				sched_enqueue(d);
		}
	}
	*io = old;
	/* X.2: the answer names the thread in the other form. */
	return tid_is_local(dest) ? d->id : thread_local_id(d);
}
