/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's self-check, asked for by KmemControl SELF_CHECK: it walks
 * every thread and checks its continuation record (kcont_check()), the
 * links the record shares with other threads, and the queue of threads
 * sending to it.  Tests call it after
 * every test, so every state the suite leaves threads in is checked.
 */
#include <kernel/selfcheck.h>
#include <kernel/tcb_away.h>
#include <kernel/thread.h>
#include <kernel/irq.h>

typedef struct check_result {
	uint32_t bad;
	tid_t first;
	uint32_t rule;
} check_result_t;

/* No queue is longer than there can be threads: a walk that goes on
 * past this found a cycle that does not come back to its head. */
#define MAX_QUEUE (1u << 20)

/* The circular queue of threads sending to c: each names c as its
 * partner and is in its send phase, and the links agree both ways. */
static bool senders_valid(const tcb_core_t *c)
{
	const tcb_core_t *s = c->senders;
	uint32_t n = 0;

	if (!s)
		return true;
	do {
		/* A thread away (kernel/tcb_away.h) waits here in the send
		 * it left in, or at its kpager for its body. */
		bool away_ok = s->state == TS_AWAY &&
			       (s->away.state == TS_SEND || (s->away.flags & AWAY_WANTED));
		if (s->partner != c || (s->state != TS_SEND && !away_ok) || s->sq_next->sq_prev != s ||
		    ++n > MAX_QUEUE)
			return false;
		s = s->sq_next;
	} while (s != c->senders);
	return true;
}

/* Is s in the queue of threads sending to c? */
static bool queued_at(const tcb_core_t *s, const tcb_core_t *c)
{
	const tcb_core_t *q = c->senders;
	uint32_t n = 0;

	if (!q)
		return false;
	do {
		if (q == s)
			return true;
		q = q->sq_next;
	} while (q != c->senders && ++n <= MAX_QUEUE);
	return false;
}

/* A stopped transfer links two threads, each the other's partner, in
 * opposite roles; a thread blocked sending is queued at its receiver (or
 * waits in vain for an interrupt thread, queued nowhere: kernel/ipc.c),
 * and a receiver's queue holds only such threads. */
static enum kcont_fault check_links(const tcb_t *t)
{
	const tcb_t *p = xfer_partner(t);

	if (xfer_linked(t) && (!p || !xfer_linked_to(p, t) || p->cont.xfer.role == t->cont.xfer.role))
		return KCONT_BAD_LINK;
	if (t->core->state == TS_SEND &&
	    (t->core->partner ? !queued_at(t->core, t->core->partner) : !irq_is_thread(t->cont.ipc_intended)))
		return KCONT_BAD_LINK;
	if (!senders_valid(t->core))
		return KCONT_BAD_LINK;
	return KCONT_OK;
}

static void check_thread(tcb_t *t, void *arg)
{
	check_result_t *r = arg;
	enum kcont_fault rule = kcont_check(&t->cont, t->core->state);

	if (rule == KCONT_OK)
		rule = check_links(t);
	if (rule != KCONT_OK && r->bad++ == 0) {
		r->first = t->core->id;
		r->rule = rule;
	}
}

uint32_t selfcheck_threads(tid_t *first, uint32_t *rule)
{
	check_result_t r = { 0, TID_NIL, KCONT_OK };

	thread_for_each(check_thread, &r);
	/* The interrupt lines' records (kernel/irq.c), as a broken link. */
	tid_t line = TID_NIL;
	uint32_t lines_bad = irq_selfcheck(&line);
	if (lines_bad && !r.bad) {
		r.first = line;
		r.rule = KCONT_BAD_LINK;
	}
	*first = r.first;
	*rule = r.rule;
	return r.bad + lines_bad;
}
