/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 interrupt threads.  Thread number n below the KIP's SystemBase,
 * version 1, is interrupt line n (X.2 "Interrupts"; Pistachio
 * threadid_t::irqthread() and api/v4/interrupt.cc).  An interrupt thread
 * has no TCB: each line is a record here that names its handler by
 * global ID, never by pointer, so nothing is left pointing at a deleted
 * handler.  The table has one record per hardware line, a size no user
 * can change.
 *
 * An interrupt masks its line and reaches the handler as a message from
 * the interrupt thread with label -1 and no words (tag 0xFFF00000,
 * Pistachio msg_tag_t::irq_tag()); until the handler receives it, it
 * waits here.  The handler's send to the interrupt thread acknowledges
 * it and opens the line again; any other send waits in vain until its
 * timeout (kernel/ipc.c), as Pistachio's.  An interrupt belongs to its
 * line, not to its handler: associating another handler hands the new one an
 * interrupt not yet acknowledged, and only dissociation (or the
 * handler's end) drops it, with the line masked.
 */
#include <kernel/irq.h>
#include <kernel/ipc_internal.h>
#include <kernel/syscall.h>
#include <kernel/tcb_away.h>

enum irq_state {
	IRQ_OFF,          /* no handler; masked */
	IRQ_OPEN,         /* a handler; unmasked, waiting for the device */
	IRQ_PENDING,      /* raised, not yet received; masked */
	IRQ_DELIVERED,    /* received, not yet acknowledged; masked */
};

typedef struct irq_line {
	tid_t handler;    /* nil while IRQ_OFF */
	uint8_t state;    /* enum irq_state */
} irq_line_t;

static irq_line_t lines[ARCH_IRQ_LINES];
uint32_t irq_pending_lines;

static tid_t irq_tid(unsigned n)
{
	return tid_make(n, 1);
}

static void set_state(unsigned n, enum irq_state s)
{
	lines[n].state = (uint8_t)s;
	if (s == IRQ_PENDING)
		irq_pending_lines |= 1u << n;
	else
		irq_pending_lines &= ~(1u << n);
}

/* Is h in a receive of its own that takes a message from line n now? */
static bool takes(const tcb_t *h, unsigned n)
{
	tid_t from = h->cont.ipc_from;

	return h->core->state == TS_RECV && !kmsg_active(h) && !xfer_linked(h) &&
	       !h->cont.receive_pending && (tid_is_any(from) || from == irq_tid(n));
}

static void deliver(unsigned n, tcb_t *h)
{
	set_state(n, IRQ_DELIVERED);
	finish_receive(h, irq_tid(n), msgtag_make(LABEL_INTERRUPT, 0, 0, 0));
}

/* A handler exists with or without its body (kernel/tcb_away.c): the
 * line names it by global ID, and the body comes back when needed. */
static bool handler_exists(tid_t id)
{
	const tcb_core_t *c = thread_core_lookup(id);

	return c && (c->tcb || thread_away(c));
}

/* Line n's interrupt waits: its handler takes it now if it can.  A
 * handler away in a receive must run (as for a send that reaches it):
 * it asks for its body, and its receive phase takes the interrupt when
 * it is back. */
static void offer(unsigned n)
{
	tcb_core_t *c = thread_core_lookup(lines[n].handler);

	if (c && thread_away(c))
		tcb_away_wake(c);
	else if (c && c->tcb && takes(c->tcb, n))
		deliver(n, c->tcb);
}

void irq_raise(unsigned n)
{
	if (n >= ARCH_IRQ_LINES || lines[n].state != IRQ_OPEN)
		return;               /* stays masked (the arch layer masked it) */
	set_state(n, IRQ_PENDING);
	offer(n);
}

bool irq_waits_for(tid_t id)
{
	for (unsigned n = 0; n < ARCH_IRQ_LINES; n++)
		if ((irq_pending_lines >> n) & 1 && lines[n].handler == id)
			return true;
	return false;
}

bool irq_receive(tcb_t *t)
{
	if (!irq_pending_lines || kmsg_active(t) || xfer_linked(t))
		return false;
	tid_t from = t->cont.ipc_from;
	for (unsigned n = 0; n < ARCH_IRQ_LINES; n++)
		if ((irq_pending_lines >> n) & 1 && lines[n].handler == t->core->id &&
		    (tid_is_any(from) || from == irq_tid(n))) {
			deliver(n, t);
			return true;
		}
	return false;
}

bool irq_acknowledge(tcb_t *t, tid_t to)
{
	unsigned n = tid_number(to);

	if (lines[n].state != IRQ_DELIVERED || lines[n].handler != t->core->id)
		return false;
	set_state(n, IRQ_OPEN);
	arch_irq_unmask(n);
	return true;
}

static void dissociate(unsigned n)
{
	arch_irq_mask(n);
	lines[n].handler = TID_NIL;
	set_state(n, IRQ_OFF);
}

word_t irq_thread_control(tcb_t *t, tid_t dest, tid_t pager)
{
	unsigned n = tid_number(dest);

	/* Check: a usable line, and a handler that exists (X.2: the pager
	 * is the handler; the interrupt thread itself dissociates). */
	if (!irq_is_thread(dest) || !arch_irq_usable(n))
		return sys_fail(t, ERR_INVALID_THREAD);
	if (pager != dest && !handler_exists(pager))
		return sys_fail(t, ERR_INVALID_THREAD);
	/* Act. */
	irq_line_t *l = &lines[n];
	if (pager == dest) {
		dissociate(n);
		return 1;
	}
	if (l->handler == pager)
		return 1;             /* nothing changes */
	l->handler = pager;
	switch (l->state) {
	case IRQ_OFF:
		set_state(n, IRQ_OPEN);
		arch_irq_unmask(n);
		break;
	case IRQ_DELIVERED:
		/* The old handler's acknowledgement no longer counts: the
		 * interrupt waits for the new one, the line still masked. */
		set_state(n, IRQ_PENDING);
		offer(n);
		break;
	case IRQ_PENDING:
		offer(n);
		break;
	default:
		break;
	}
	return 1;
}

/* X.2 Schedule states: a line without handler is dead (Pistachio's
 * aborted interrupt thread), one waiting for its device inactive
 * (halted), an interrupt not yet received a pending send (queued at the
 * handler), one received waiting for its acknowledgement. */
word_t irq_sched_state(tid_t id)
{
	static const uint8_t state[] = {
		[IRQ_OFF] = 1, [IRQ_OPEN] = 2, [IRQ_PENDING] = 4, [IRQ_DELIVERED] = 6,
	};
	unsigned n = tid_number(id);

	if (!irq_is_thread(id) || !arch_irq_usable(n))
		return 0;
	return state[lines[n].state];
}

void irq_handler_gone(tid_t id)
{
	for (unsigned n = 0; n < ARCH_IRQ_LINES; n++)
		if (lines[n].state != IRQ_OFF && lines[n].handler == id)
			dissociate(n);
}

/* A line's record: masked unless open, a handler that exists unless off,
 * and the pending bit exactly when pending. */
static bool line_ok(unsigned n)
{
	const irq_line_t *l = &lines[n];
	bool pending = (irq_pending_lines >> n) & 1;

	if (l->state == IRQ_OFF)
		return tid_is_nil(l->handler) && !pending && arch_irq_masked(n);
	return arch_irq_usable(n) && handler_exists(l->handler) &&
	       pending == (l->state == IRQ_PENDING) && arch_irq_masked(n) == (l->state != IRQ_OPEN);
}

uint32_t irq_selfcheck(tid_t *first)
{
	uint32_t bad = 0;

	if (irq_pending_lines >> ARCH_IRQ_LINES)
		bad++;
	for (unsigned n = 0; n < ARCH_IRQ_LINES; n++)
		if (arch_irq_usable(n) && !line_ok(n) && bad++ == 0)
			*first = irq_tid(n);
	if (bad && tid_is_nil(*first))
		*first = irq_tid(0);
	return bad;
}
