/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ready queues: one circular list per priority and a bitmap of non-empty
 * levels.  A running thread stays at the head of its queue.  The kernel
 * runs with interrupts off (long operations stop at preemption points
 * instead, kernel/preempt.h), so every decision is taken on the way out
 * to user mode; that way out also goes on with receive phases left over
 * (ipc_receive_continue()).
 */
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/ipc.h>
#include <kernel/kdb.h>
#include <kernel/tcb_away.h>
#include <arch/arch.h>

tcb_core_t *sched_ready[PRIO_LEVELS];
static uint32_t ready_bitmap[PRIO_LEVELS / 32];
static tcb_core_t *timeouts;        /* sorted by wakeup time */
static uint64_t timer_due_us = ~(uint64_t)0;  /* when the next timer interrupt comes */
static uint64_t last_tick_us;       /* the last one, charged to current */

tcb_core_t *sched_lazy_from;

static void enqueue(tcb_core_t *t)
{
	if (t->rq_next)
		return;
	tcb_core_t **head = &sched_ready[t->prio];
	if (!*head) {
		t->rq_next = t->rq_prev = t;
		*head = t;
		ready_bitmap[t->prio / 32] |= 1u << (t->prio % 32);
	} else {
		t->rq_next = *head;
		t->rq_prev = (*head)->rq_prev;
		t->rq_prev->rq_next = t;
		(*head)->rq_prev = t;
	}
}

static void dequeue(tcb_core_t *t)
{
	if (!t->rq_next)
		return;
	tcb_core_t **head = &sched_ready[t->prio];
	if (t->rq_next == t) {
		*head = NULL;
		ready_bitmap[t->prio / 32] &= ~(1u << (t->prio % 32));
	} else {
		t->rq_prev->rq_next = t->rq_next;
		t->rq_next->rq_prev = t->rq_prev;
		if (*head == t)
			*head = t->rq_next;
	}
	t->rq_next = t->rq_prev = NULL;
}

/*
 * The hand-off the IPC fast path noted (sched.h): current takes the
 * place of from, which stands in the queues for it.  In the usual case
 * (one priority, from at the head of its queue, current on none) it is
 * a swap of one element of the ring; where from is current (a Call and
 * its answer), nothing.
 */
void sched_settle_slow(void)
{
	tcb_core_t *from = sched_lazy_from, *to = current->core;

	sched_lazy_from = NULL;
	if (from->prio != to->prio || to->rq_next || !from->rq_next ||
	    sched_ready[from->prio] != from) {
		if (from != to) {   /* (from is to: it stands for itself) */
			dequeue(from);
			enqueue(to);
		}
		return;
	}
	tcb_core_t *next = from->rq_next, *prev = from->rq_prev;
	if (next == from) {
		to->rq_next = to->rq_prev = to;
	} else {
		to->rq_next = next;
		to->rq_prev = prev;
		prev->rq_next = to;
		next->rq_prev = to;
	}
	sched_ready[from->prio] = to;
	from->rq_next = from->rq_prev = NULL;
}

void sched_enqueue(tcb_t *tcb)
{
	sched_settle();
	tcb->core->state = TS_READY;
	enqueue(tcb->core);
}

void sched_dequeue(tcb_t *tcb)
{
	sched_settle();
	dequeue(tcb->core);
}

void sched_rotate(tcb_t *t)
{
	tcb_core_t *c = t->core;

	sched_settle();

	if (c->rq_next && sched_ready[c->prio] == c)
		sched_ready[c->prio] = c->rq_next;
	t->ts_left_us = t->timeslice_us;
	t->delaying = 0;
}

/* Every thread on a ready queue has its body: only a whole thread is
 * made ready (kernel/thread_core.c). */
tcb_t *sched_pick(void)
{
	sched_settle();
	for (int w = PRIO_LEVELS / 32 - 1; w >= 0; w--)
		if (ready_bitmap[w])
			return sched_ready[w * 32 + 31 - __builtin_clz(ready_bitmap[w])]->tcb;
	return NULL;
}

void sched_set_prio(tcb_t *t, unsigned prio)
{
	sched_settle();
	bool queued = t->core->rq_next != NULL;

	if (queued)
		sched_dequeue(t);
	t->core->prio = (uint8_t)prio;
	if (queued)
		sched_enqueue(t);
	ipc_work_reorder(t);
}

/* Charge elapsed_us to t's total quantum, if it has one. */
static inline void quantum_charge(tcb_t *t, unsigned elapsed_us)
{
	if (t->tq_left_us != TQ_NEVER)
		t->tq_left_us = t->tq_left_us > elapsed_us ? t->tq_left_us - elapsed_us : 0;
}

/*
 * A thread gives way at the end of its slice, or to a thread of higher
 * priority than it runs at (a donor's, on donated time), unless its
 * PreemptFlags delay that (kernel/sched_x2.c).
 */
bool sched_tick(unsigned elapsed_us)
{
	tcb_t *t = current;

	if (!t || t->core->state != TS_READY)
		return false;
	sched_donation_end(t);
	quantum_charge(t, elapsed_us);
	if (t->ts_left_us > elapsed_us) {
		t->ts_left_us -= elapsed_us;
		tcb_t *best = sched_pick();
		if (best == t || best->core->prio <= sched_run_prio(t))
			return false;
		return !sched_delay_preemption(t, best->core->prio, false);
	}
	if (sched_delay_preemption(t, t->core->prio, true))
		return false;
	sched_donation_end(NULL);
	sched_rotate(t);
	return true;
}

void sched_run(tcb_t *t)
{
	/* (Every caller has settled: sched_pick(), sched_rotate().  So the
	 * note, which stands for current, stands for no one here: current
	 * changes only with no note, but in the IPC fast path, which makes
	 * its note stand for the thread it makes current; sched.h.) */
	current = t;
	arch_run(t);
}

void sched_return(void)
{
	for (;;) {
		ipc_receive_continue();
		tcb_t *t = sched_pick();
		if (t)
			sched_run(t);
		current = NULL;
		/* Nothing to run: finish deleted tasks whose deleter went
		 * away, letting interrupts in between the steps. */
		if (space_reap_dying())
			arch_interrupt_window();
		else
			arch_idle_wait();
	}
}

/* Direct switch: t runs now if it may (same or higher priority than the
 * best other thread, counting a donor's), as L4's IPC path expects. */
void sched_switch_to(tcb_t *t)
{
	ipc_receive_continue();
	tcb_t *best = sched_pick();

	if (t && t->core->state == TS_READY && (!best || sched_run_prio(t) >= best->core->prio))
		sched_run(t);
	sched_return();
}

static void timer_arm(uint64_t when_us)
{
	timer_due_us = arch_timer_event_at(when_us);
}

/*
 * The next timer interrupt: at the first timeout, and while a thread is
 * ready, at the end of its time slice but at least every scheduling tick
 * (a switch between interrupts is not charged until the next one, as
 * with a periodic tick).  With nothing to run, only timeouts matter.
 */
static void timer_rearm(uint64_t now)
{
	uint64_t next = now + arch_timer_event_max_us();
	tcb_t *t = sched_pick();

	if (t) {
		uint32_t slice = arch_timer_period_us();
		if (t->ts_left_us < slice)
			slice = t->ts_left_us;
		if (t->tq_left_us < slice)
			slice = (uint32_t)t->tq_left_us;
		next = now + slice;
	}
	if (timeouts && timeouts->wakeup_us < next)
		next = timeouts->wakeup_us;
	timer_arm(next);
}

bool sched_timer_interrupt(void)
{
	kdb_tick();
	uint64_t now = arch_time_us();
	uint64_t elapsed = now - last_tick_us;

	last_tick_us = now;
	timeout_expire(now);
	bool give_way = sched_tick(elapsed > 0xFFFFFFFFu ? 0xFFFFFFFFu : (unsigned)elapsed);
	timer_rearm(now);
	return give_way;
}

void timeout_set(tcb_t *tcb, uint64_t wakeup_us)
{
	tcb_core_t *t = tcb->core;

	timeout_cancel(tcb);
	t->wakeup_us = wakeup_us;
	tcb_core_t **pp = &timeouts, *prev = NULL;
	while (*pp && (*pp)->wakeup_us <= wakeup_us) {
		prev = *pp;
		pp = &(*pp)->tq_next;
	}
	t->tq_next = *pp;
	t->tq_prev = prev;
	if (*pp)
		(*pp)->tq_prev = t;
	*pp = t;
	/* A new first timeout before the next interrupt brings it forward. */
	if (timeouts == t && wakeup_us < timer_due_us)
		timer_arm(wakeup_us);
}

void timeout_unlink(tcb_t *tcb)
{
	timeout_unlink_core(tcb->core);
}

void timeout_unlink_core(tcb_core_t *t)
{
	if (t->tq_prev)
		t->tq_prev->tq_next = t->tq_next;
	else
		timeouts = t->tq_next;
	if (t->tq_next)
		t->tq_next->tq_prev = t->tq_prev;
	t->tq_next = t->tq_prev = NULL;
	t->wakeup_us = 0;
}

void timeout_expire(uint64_t now_us)
{
	while (timeouts && timeouts->wakeup_us <= now_us) {
		tcb_t *t = timeouts->tcb;
		if (!t) {
			tcb_away_timeout(timeouts);     /* its body is out */
			continue;
		}
		timeout_cancel(t);
		ipc_timeout(t);
	}
}
