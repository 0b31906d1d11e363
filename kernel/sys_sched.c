/* SPDX-License-Identifier: BSD-2-Clause */
/* Schedule, ThreadSwitch, SystemClock. */
#include <kernel/syscall.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/sched.h>
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

static word_t sched_state(const tcb_t *d)
{
	switch (d->core->state) {
	case TS_INACTIVE:
	case TS_HALTED:
		return SCHED_INACTIVE;
	case TS_SEND:
		return SCHED_PENDING_SEND;
	case TS_RECV:
		return SCHED_WAITING;
	default:
		return SCHED_RUNNING;
	}
}

word_t sys_schedule(tcb_t *t, tid_t dest, word_t time_ctl, word_t proc_ctl,
		    word_t prio_ctl, word_t preempt_ctl, word_t *old_time_ctl)
{
	(void)preempt_ctl;
	tcb_t *d = thread_resolve(t, dest);
	if (!d)
		return sys_fail(t, ERR_INVALID_THREAD);
	/* Only threads in the address space of dest's scheduler may. */
	tcb_t *sched = thread_lookup(d->scheduler);
	if (!sched || sched->space != t->space)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	/* Validate everything before changing anything. */
	if (prio_ctl != UNCHANGED && ((prio_ctl & 0xFF) != prio_ctl || prio_ctl > t->core->prio))
		return sys_fail(t, ERR_INVALID_PARAM);
	if (proc_ctl != UNCHANGED && proc_ctl != 0)
		return sys_fail(t, ERR_INVALID_PARAM);
	timeout_t ts = (timeout_t)(time_ctl >> 16);
	if (time_ctl != UNCHANGED && ts != 0xFFFF && timeout_is_point(ts))
		return sys_fail(t, ERR_INVALID_PARAM);

	*old_time_ctl = (encode_period(d->timeslice_us) << 16) | 0;  /* quantum: never */
	if (time_ctl != UNCHANGED && ts != 0xFFFF) {
		uint64_t us = timeout_relative_us(ts);
		if (timeout_is_never(ts) || us > 0xFFFFFFFFu)
			us = 0xFFFFFFFFu;
		d->timeslice_us = us ? (uint32_t)us : arch_timer_period_us();
		d->ts_left_us = d->timeslice_us;
	}
	if (prio_ctl != UNCHANGED)
		sched_set_prio(d, prio_ctl);
	return sched_state(d);
}

void sys_thread_switch(tcb_t *t, tid_t dest)
{
	tcb_t *d = tid_is_nil(dest) ? NULL : thread_resolve(t, dest);

	sched_rotate(t);
	/* A runnable dest gets the rest of our time, whatever its priority. */
	if (d && d->core->state == TS_READY)
		sched_run(d);
	sched_return();
}

uint64_t sys_system_clock(void)
{
	return arch_time_us();
}
