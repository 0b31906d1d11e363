/* SPDX-License-Identifier: BSD-2-Clause */
/* Preemption points and the progress of stopped system calls. */
#include <kernel/preempt.h>
#include <kernel/cmdline.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/kprintf.h>
#include <arch/arch.h>

static unsigned work_since_poll;
static bool stop_always;

void preempt_configure(const char *cmdline)
{
	if (cmdline_has(cmdline, "preempt=always")) {
		stop_always = true;
		kprintf("preemption points: stop at every one\n");
	}
}

bool preempt_due(unsigned cost)
{
	work_since_poll += cost;
	if (work_since_poll < PREEMPT_POLL_COST)
		return false;
	work_since_poll = 0;
	return stop_always || arch_irq_pending();
}

void preempt_restart(tcb_t *t, const resume_t *r)
{
	t->cont.resume = *r;
	t->cont.resume.vector = (uint8_t)t->ctx.vector;
	t->cont.resume.at = arch_trap_rewind(t);
}

resume_t *resume_of(tcb_t *t, enum resume_op op)
{
	if (t->cont.resume.op != op)
		return NULL;
	if (!arch_trap_reentered(t, t->cont.resume.vector, t->cont.resume.at)) {
		resume_forget(t);
		return NULL;
	}
	return &t->cont.resume;
}

void resume_forget(tcb_t *t)
{
	t->cont.resume.op = RESUME_NONE;
}
