/* SPDX-License-Identifier: BSD-2-Clause */
/* Schedule, ThreadSwitch, SystemClock. */
#include <kernel/syscall.h>
#include <kernel/tcb_away.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/sched.h>
#include <kernel/irq.h>
#include <arch/arch.h>

#define UNCHANGED 0xFFFFFFFFu

/* X.2 thread states reported by Schedule. */
enum { SCHED_ERROR, SCHED_DEAD, SCHED_INACTIVE, SCHED_RUNNING, SCHED_PENDING_SEND,
       SCHED_SENDING, SCHED_WAITING, SCHED_RECEIVING };

static word_t encode_period(uint32_t us)
{
	uint32_t e = 0;

	while (us > 1023) {
		us >>= 1;
		e++;
	}
	return us ? (e << 10) | us : 0x0400;  /* 0 µs is the zero period */
}

/* X.2's states as Pistachio's schedule.cc tells them apart: a thread in
 * a transfer stopped half-way (a string's page fault, a preemption
 * point) is sending or receiving; one blocked before its transfer
 * began is pending send or waiting. */
static word_t sched_state(const tcb_t *d)
{
	switch (d->core->state) {
	case TS_INACTIVE:
	case TS_HALTED:
		return SCHED_INACTIVE;
	default:
		break;
	}
	if (xfer_linked(d))
		return d->cont.xfer.role == XFER_SENDER ? SCHED_SENDING : SCHED_RECEIVING;
	switch (d->core->state) {
	case TS_SEND:
		return SCHED_PENDING_SEND;
	case TS_RECV:
		return SCHED_WAITING;
	default:
		return SCHED_RUNNING;
	}
}

/* A TimeControl half: 0xFFFF leaves it alone, a time point is refused. */
static bool time_half_ok(word_t half)
{
	return half == 0xFFFF || !timeout_is_point((timeout_t)half);
}

static uint64_t time_half_us(word_t half)
{
	timeout_t ts = (timeout_t)half;
	uint64_t us = timeout_relative_us(ts);

	return timeout_is_never(ts) || us > 0xFFFFFFFFu ? 0xFFFFFFFFu : us;
}

word_t sys_schedule(tcb_t *t, tid_t dest, word_t time_ctl, word_t proc_ctl,
		    word_t prio_ctl, word_t preempt_ctl, word_t *old_time_ctl)
{
	/* A thread away comes back first: the call runs again then, with
	 * its registers as they were. */
	int away = tcb_away_gather(t, dest);
	if (away == GATHER_FAULTED) {
		*old_time_ctl = time_ctl;
		return dest;
	}
	if (away == GATHER_NO_MEMORY)
		return sys_fail(t, ERR_NO_MEMORY);
	tcb_t *d = thread_resolve(t, dest);
	word_t line = d ? 0 : irq_sched_state(dest);
	if (!d && !line)
		return sys_fail(t, ERR_INVALID_THREAD);
	/* Only threads in the address space of dest's scheduler may; an
	 * interrupt thread's scheduler is any privileged thread (Pistachio's
	 * scheduler_t::is_scheduler()). */
	tcb_t *sched = d ? thread_lookup(d->scheduler) : NULL;
	if (d ? !sched || sched->space != t->space : !t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	/* Validate everything before changing anything. */
	if (prio_ctl != UNCHANGED && ((prio_ctl & 0xFF) != prio_ctl || prio_ctl > t->core->prio))
		return sys_fail(t, ERR_INVALID_PARAM);
	if (proc_ctl != UNCHANGED && proc_ctl != 0)
		return sys_fail(t, ERR_INVALID_PARAM);
	word_t ts = time_ctl >> 16, tq = time_ctl & 0xFFFF;
	if (time_ctl != UNCHANGED && (!time_half_ok(ts) || !time_half_ok(tq)))
		return sys_fail(t, ERR_INVALID_PARAM);
	/* A sensitive priority is a priority: not above the caller's. */
	if (preempt_ctl != UNCHANGED && ((preempt_ctl >> 16) & 0xFF) > t->core->prio)
		return sys_fail(t, ERR_INVALID_PARAM);

	/* An interrupt thread runs no code (kernel/irq.c): it uses no time,
	 * and the priority it is given changes nothing. */
	if (!d) {
		*old_time_ctl = 0;
		return line;
	}
	/* What is left of the slice and of the total quantum. */
	*old_time_ctl = (encode_period(d->ts_left_us) << 16) |
			(d->tq_left_us == TQ_NEVER ? 0 : encode_period(d->tq_left_us > 0xFFFFFFFFu ?
								     0xFFFFFFFFu : (uint32_t)d->tq_left_us));
	if (time_ctl != UNCHANGED && ts != 0xFFFF) {
		uint64_t us = time_half_us(ts);
		d->timeslice_us = us ? (uint32_t)us : arch_timer_period_us();
		d->ts_left_us = d->timeslice_us;
	}
	if (time_ctl != UNCHANGED && tq != 0xFFFF)
		d->tq_left_us = timeout_is_never((timeout_t)tq) ? TQ_NEVER : time_half_us(tq);
	if (preempt_ctl != UNCHANGED) {
		d->sens_prio = (uint8_t)(preempt_ctl >> 16);
		d->max_delay_us = d->delay_left_us = (uint16_t)preempt_ctl;
	}
	if (prio_ctl != UNCHANGED)
		sched_set_prio(d, prio_ctl);
	return sched_state(d);
}

/*
 * ThreadSwitch(dest): a ready dest other than the caller runs at once on
 * what is left of the caller's slice (Pistachio: the slice's owner stays
 * the accounted thread), at the caller's priority if that is higher, so
 * a thread of the caller's priority or below does not take over until
 * that time is used up.  Otherwise (nil, not ready, not a thread) the
 * caller yields: the rest of its slice is dropped, it goes to the back
 * of its queue with a fresh slice and a fresh preemption delay.
 */
void sys_thread_switch(tcb_t *t, tid_t dest)
{
	tcb_t *d = tid_is_nil(dest) ? NULL : thread_resolve(t, dest);

	if (d == t)
		sched_switch_to(t);
	if (d && d->core->state == TS_READY) {
		sched_donate(t, d);
		sched_rotate(t);
		sched_run(d);
	}
	sched_delay_refresh(t);
	sched_rotate(t);
	sched_return();
}

uint64_t sys_system_clock(void)
{
	return arch_time_us();
}
