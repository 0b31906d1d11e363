/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's self-check, asked for by KmemControl SELF_CHECK: it walks
 * every thread and checks its continuation record (kcont_check()) and
 * the links the record shares with other threads.  Tests call it after
 * every test, so every state the suite leaves threads in is checked.
 */
#include <kernel/selfcheck.h>
#include <kernel/thread.h>

typedef struct check_result {
	uint32_t bad;
	tid_t first;
	uint32_t rule;
} check_result_t;

/* A stopped transfer links two threads, each the other's partner, in
 * opposite roles; a thread blocked sending is queued at its receiver. */
static enum kcont_fault check_links(const tcb_t *t)
{
	const tcb_t *p = xfer_partner(t);

	if (xfer_linked(t) && (!p || !xfer_linked_to(p, t) || p->cont.xfer.role == t->cont.xfer.role))
		return KCONT_BAD_LINK;
	if (t->core->state == TS_SEND && !t->core->partner)
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
	*first = r.first;
	*rule = r.rule;
	return r.bad;
}
