/* SPDX-License-Identifier: BSD-2-Clause */
/* Fixed-priority round-robin scheduling and IPC timeouts (X.2 Schedule). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>
#include <kernel/thread.h>

#define PRIO_LEVELS 256
#define DEFAULT_PRIO 100
#define ROOT_PRIO 255
#define DEFAULT_TIMESLICE_US 10000u
#define TQ_NEVER (~(uint64_t)0)     /* total quantum without limit */

/* Bits of the PreemptFlags byte (TCR_PREEMPT_FLAGS; X.2, Pistachio
 * api/v4/preempt.h). */
#define PREEMPT_DELAYED   0x40u       /* d: the thread asks for delay */
#define PREEMPT_PENDING   0x80u       /* I: a preemption was delayed */

void sched_enqueue(struct tcb *t);          /* make READY and queue it */
void sched_dequeue(struct tcb *t);
void sched_rotate(struct tcb *t);           /* to the back of its queue */
struct tcb *sched_pick(void);               /* highest-priority ready thread */
void sched_set_prio(struct tcb *t, unsigned prio);
/* Account a timer tick to the current thread: true if it must give way. */
bool sched_tick(unsigned elapsed_us);
/* The timer interrupt: expire the timeouts that are due, charge the time
 * since the last interrupt to the current thread and ask for the next
 * interrupt.  True if the current thread must give way. */
bool sched_timer_interrupt(void);
/* Leave the kernel: run the best ready thread (idling until there is one). */
void sched_return(void) __attribute__((noreturn));
/* Leave the kernel into t, which must be ready and the best choice. */
void sched_run(struct tcb *t) __attribute__((noreturn));
/* Run t next if it is ready, else the best thread. */
void sched_switch_to(struct tcb *t) __attribute__((noreturn));

/* Head of the ready queue of each priority. */
extern tcb_core_t *sched_ready[PRIO_LEVELS];

/*
 * from blocks and to becomes ready, to run now: to takes from's place in
 * the ready queues.  The IPC fast path does not do it at once but notes
 * it (lazy scheduling): sched_lazy_from is the resident part that stands
 * in the queues in current's place (NULL: current itself, or no one).
 * A fast IPC leaves it as it is (whoever stood for the caller stands for
 * the partner that runs now) or, where it was NULL, notes the caller:
 * a Call and its answers touch no queue, and end where they began.
 * What is noted is done before anything reads or changes the queues
 * (sched_settle(): every function of sched.c that does, a thread's
 * resident part freed or its body sent away, the self-check); states are
 * always true at once.  Only the fast path notes, and it makes its
 * partner current; everything else that changes current settles first
 * (sched_run()'s callers, sched_pick() or sched_rotate()).
 */
extern tcb_core_t *sched_lazy_from;
void sched_settle_slow(void);
static inline void sched_settle(void)
{
	if (sched_lazy_from)
		sched_settle_slow();
}

/* X.2's total quantum, delayed preemption and time-slice donation
 * (kernel/sched_x2.c). */
/* Preempting t now would pass over a thread of priority prio (the slice
 * end: t's own).  True if t's PreemptFlags and PreemptionControl delay
 * it instead: I is set, and t runs on for at most its delay. */
bool sched_delay_preemption(struct tcb *t, unsigned prio, bool slice_end);
/* After a device interrupt: t runs on, or gives way (delay permitting). */
void sched_interrupted(struct tcb *t) __attribute__((noreturn));
/* t yields (ThreadSwitch): its delay is whole again and I is cleared. */
void sched_delay_refresh(struct tcb *t);
/* The current thread, back in user mode after the timer interrupt, with
 * its total quantum used up: send the preemption message to its
 * scheduler.  False if it has none to send. */
bool sched_quantum_fault(struct tcb *t);
/* The thread running on time ThreadSwitch donated, and its donor's
 * priority (kernel/sched_x2.c). */
extern struct tcb *sched_donee;
extern uint8_t sched_donor_prio;
/* A tick charged to t (NULL: t's donated slice is over): a donation to
 * another thread ends. */
static inline void sched_donation_end(const struct tcb *t)
{
	if (t != sched_donee)
		sched_donee = NULL;
}

/* The priority t runs at: its donor's, on donated time, if higher. */
static inline unsigned sched_run_prio(const struct tcb *t)
{
	unsigned p = t->core->prio;

	return t == sched_donee && sched_donor_prio > p ? sched_donor_prio : p;
}
void sched_donate(struct tcb *from, struct tcb *to);

void timeout_set(struct tcb *t, uint64_t wakeup_us);
/* Take an armed timeout off the queue (timeout_cancel's slow half). */
void timeout_unlink(struct tcb *t);
void timeout_unlink_core(struct tcb_core *t);
/* Cancel t's timeout, if it has one; inline, because every IPC asks. */
static inline void timeout_cancel(struct tcb *t)
{
	if (t->core->wakeup_us)
		timeout_unlink(t);
}
void timeout_expire(uint64_t now_us);

#endif
