/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The parts of X.2's Schedule and ThreadSwitch beyond priority and time
 * slice: the total quantum and its preemption message, delayed
 * preemption (PreemptFlags, PreemptionControl) and the time a
 * ThreadSwitch donates.  Pistachio: kernel/src/api/v4/schedule.cc,
 * api/v4/preempt.h, tcb.cc (send_preemption_ipc).
 */
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/ipc.h>
#include <kernel/l4types.h>
#include <kernel/utcb_away.h>
#include <arch/arch.h>

tcb_t *sched_donee;
uint8_t sched_donor_prio;

/* In the UTCB, or the copy kept while its page is away (utcb_away.h). */
static uint8_t *preempt_flags(tcb_t *t)
{
	return utcb_preempt_flags(t);
}

bool sched_delay_preemption(tcb_t *t, unsigned prio, bool slice_end)
{
	uint8_t *f = preempt_flags(t);

	if (!f || !(*f & PREEMPT_DELAYED))
		return false;
	/* On a granted delay the thread runs to its end (its slice). */
	if (t->delaying)
		return !slice_end;
	/* A higher priority than the sensitive one is never kept waiting;
	 * the end of the slice only delays threads of t's own level. */
	if ((!slice_end && prio > t->sens_prio) || t->delay_left_us == 0)
		return false;
	if (slice_end || t->delay_left_us < t->ts_left_us)
		t->ts_left_us = t->delay_left_us;
	t->delay_left_us = 0;
	t->delaying = 1;
	*f |= PREEMPT_PENDING;
	return true;
}

void sched_delay_refresh(tcb_t *t)
{
	uint8_t *f = preempt_flags(t);

	t->delay_left_us = t->max_delay_us;
	t->delaying = 0;
	if (f)
		*f &= (uint8_t)~PREEMPT_PENDING;
}

/*
 * The preemption message (label -3, MR1/MR2 the 64-bit SystemClock) to
 * t's scheduler, on t's behalf; t waits for the reply and then runs on
 * where the timer interrupt stopped it.  Like a page fault, the reply is
 * received into the kernel's buffer, never into t's MRs.
 */
bool sched_quantum_fault(tcb_t *t)
{
	if (t->tq_left_us != 0 || t->core->state != TS_READY)
		return false;
	tcb_t *s = thread_resolve(t, t->scheduler);
	if (!s || s == t) {
		t->tq_left_us = TQ_NEVER;   /* nobody to ask: no limit */
		return false;
	}
	uint64_t now = arch_time_us();
	t->cont.kmsg[0] = msgtag_make(LABEL_PREEMPTION, 2, 0, 0);
	t->cont.kmsg[1] = (word_t)now;
	t->cont.kmsg[2] = (word_t)(now >> 32);
	ipc_kernel_call_to(t, s, CONT_PAGEFAULT);
	return true;
}

/* to runs now on what is left of from's slice, at from's priority if
 * that is higher; from gets a fresh slice when it runs again. */
void sched_donate(tcb_t *from, tcb_t *to)
{
	sched_donor_prio = (uint8_t)sched_run_prio(from);
	sched_donee = to;
	to->ts_left_us = from->ts_left_us;
	from->ts_left_us = from->timeslice_us;
	to->delaying = 0;
}

/* t was interrupted by a device: the handler thread now ready takes
 * over as after any wake-up, unless t's delayed preemption holds it off. */
void sched_interrupted(tcb_t *t)
{
	ipc_receive_continue();
	tcb_t *best = sched_pick();

	if (best && t->core->state == TS_READY && best->core->prio > sched_run_prio(t) &&
	    sched_delay_preemption(t, best->core->prio, false))
		sched_run(t);
	sched_switch_to(t);
}
