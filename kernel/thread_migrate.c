/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Moving a thread to another space (kernel/thread_migrate.h).  What X.2
 * leaves to the kernel, and Lent's choice (docs/abi.md, ThreadControl):
 * - An IPC the thread is in ends as ExchangeRegisters with r and s ends
 *   it (Pistachio aborts it too, unwind(abort)): a wait is cancelled
 *   (error 3), a transfer under way aborted (7, both sides), and a
 *   kernel-made page fault or exception IPC goes back to user mode, where
 *   the fault recurs, now to its pager from the new space.  Only a thread
 *   still waiting for its start message goes on waiting for it.
 * - Its progress in a system call stopped at a preemption point, and a
 *   kernel-memory refusal kept for it, belong to the old task: forgotten.
 * - An inactive thread's UTCB stays behind: its location is kept and
 *   checked, in the new space, when a pager activates it.
 * - Its global ID, pager, scheduler, priority and interrupt association
 *   are kept; its local ID now names it in the new space.
 */
#include <kernel/thread_migrate.h>
#include <kernel/thread_core.h>
#include <kernel/space.h>
#include <kernel/kmem.h>
#include <kernel/kpf.h>
#include <kernel/ipc.h>
#include <kernel/preempt.h>
#include <kernel/string.h>

word_t thread_migrate_refusal(const space_t *to)
{
	thread_core_stats_t st;

	thread_core_stats(&st);
	/* The resident reserve's rule for a thread made in `to`. */
	if (!to->privileged && to->threads >= st.space_limit)
		return ERR_NO_MEMORY;
	return thread_slot_free(to) < 0 ? ERR_NO_MEMORY : 0;
}

enum sys_gather thread_migrate_gather(tcb_t *t, const space_t *to, tid_t named)
{
	int slot = thread_slot_free(to);

	return sys_gather_page(t, (space_t *)to, KMEM_TCB, thread_slot_cid(to, (uint32_t)slot),
			       named);
}

void *thread_migrate_take(const tcb_t *d, space_t *to)
{
	if (d->activated && d->utcb && !space_utcb_page(to, d->utcb_location))
		return NULL;
	return kmem_get(to, KMEM_TCB, thread_slot_cid(to, (uint32_t)thread_slot_free(to)));
}

/* The IPC d is in ends; what it kept of its old task is forgotten. */
static void leave_ipc(tcb_t *d)
{
	if (!(d->core->state == TS_RECV && d->cont.kind == CONT_STARTUP))
		ipc_cancel(d, true, true);
	xfer_forget_retry(d);
	resume_forget(d);
	(void)kpf_take_refusal(d);
	d->peer_local = d->peer_id = TID_NIL;   /* local IDs of the old space */
}

tcb_t *thread_migrate(tcb_t *d, space_t *to, void *page)
{
	leave_ipc(d);
	if (d->utcb) {
		uint8_t *old = (uint8_t *)d->utcb - UTCB_LOCAL_ID_OFFSET;
		if (d->activated) {
			/* Taken already: present now (space_utcb_page). */
			uint8_t *np = space_utcb_page(to, d->utcb_location);
			uint8_t *base = np + (d->utcb_location & ~PAGE_MASK);
			memcpy(base, old, UTCB_SIZE);
			d->utcb = (word_t *)(base + UTCB_LOCAL_ID_OFFSET);
		} else {
			d->utcb = NULL;    /* the location stays, only kept */
		}
		memset(old, 0, UTCB_SIZE);
	}
	return thread_body_move(d, to, page);
}
