/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Threads in the root task's own address space.  ThreadControl creates
 * the thread active, with the caller as its scheduler and the caller's
 * pager (sigma0, which maps the root's memory idempotently); the thread
 * then waits for a start message from that pager, and ExchangeRegisters
 * starts it instead (cancel the wait, set SP and IP, resume).
 */
#include "rt.h"

static L4_Word_t last_error;

L4_Word_t rt_last_error(void)
{
	return last_error;
}

void rt_set_last_error(L4_Word_t err)
{
	last_error = err;
}

/* Create the thread but leave it waiting for its start message; *sp
 * receives the stack pointer its body should start with (called with arg). */
L4_ThreadId_t rt_thread_prepare(L4_Word_t arg, L4_Word_t *sp)
{
	L4_ThreadId_t tid = rt_tid_alloc();
	L4_Word_t utcb;
	void *stack;

	if (L4_IsNilThread(tid))
		return tid;
	utcb = rt_utcb_alloc();
	stack = rt_stack_alloc();
	rt_tid_attach(tid, stack, utcb);
	if (!utcb || !stack) {
		rt_release(tid);
		last_error = L4_ErrNoMem;
		return L4_nilthread;
	}
	if (L4_ThreadControl(tid, L4_Myself(), L4_Myself(), L4_Pager(),
			     (void *)utcb) != 1) {
		last_error = L4_ErrorCode();
		rt_release(tid);
		return L4_nilthread;
	}
	(void)L4_Set_Priority(tid, RT_PRIORITY);
	*sp = rt_stack_frame(stack, arg);
	return tid;
}

L4_ThreadId_t rt_thread_create(rt_entry_t fn, L4_Word_t arg)
{
	L4_Word_t sp;
	L4_ThreadId_t tid = rt_thread_prepare(arg, &sp);

	if (!L4_IsNilThread(tid))
		L4_Start_SpIp(tid, sp, (L4_Word_t)fn);
	return tid;
}
