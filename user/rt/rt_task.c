/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A thread in a new address space (X.2 ThreadControl / SpaceControl):
 *   1. ThreadControl(t, t, me, nil, -1)        new space, thread inactive
 *   2. SpaceControl(t, KIP area, UTCB area)    the same layout as the root
 *   3. ThreadControl(t, t, nil, pager, utcb)   activate: t waits for pager
 *   4. the pager sends the start message: MR1 = IP, MR2 = SP.
 * The task's code, data and stack are the root image's own pages, which
 * its pager maps at the same addresses as they fault in.
 */
#include "rt.h"
#include <lent/kmem.h>

/* As rt_task_prepare, with a UTCB area of 2^utcb_log2 bytes (at
 * RT_UTCB_AREA_BASE, below the KIP in the same 4 MB region, so at most
 * 2^21) for tasks of many threads. */
static L4_ThreadId_t prepare(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
			     L4_ThreadId_t kpager, int utcb_log2, L4_Word_t *ip, L4_Word_t *sp)
{
	L4_ThreadId_t tid = rt_tid_alloc();
	L4_Word_t control;
	void *stack;

	if (L4_IsNilThread(tid))
		return tid;
	stack = rt_stack_alloc();
	rt_tid_attach(tid, stack, 0);
	if (!stack) {
		rt_set_last_error(L4_ErrNoMem);
		goto fail;
	}
	if (L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)~0UL) != 1)
		goto fail_err;
	/* Its kpager before SpaceControl: every page of the task's kernel
	 * memory, its page directory first, comes from it. */
	if (!L4_IsNilThread(kpager) &&
	    lent_kmem_control(tid.raw, LENT_KMEM_SET_KPAGER, kpager.raw) != 1)
		goto fail_err;
	if (L4_SpaceControl(tid, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
			    L4_FpageLog2(RT_UTCB_AREA_BASE, utcb_log2),
			    L4_nilthread, &control) != 1)
		goto fail_err;
	if (L4_ThreadControl(tid, tid, L4_nilthread, pager,
			     (void *)RT_UTCB_AREA_BASE) != 1)
		goto fail_err;
	(void)L4_Set_Priority(tid, RT_PRIORITY);
	*ip = (L4_Word_t)fn;
	*sp = rt_stack_frame(stack, arg);
	return tid;

fail_err:
	rt_set_last_error(L4_ErrorCode());
fail:
	rt_release(tid);
	return L4_nilthread;
}

L4_ThreadId_t rt_task_prepare_area(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
				   int utcb_log2, L4_Word_t *ip, L4_Word_t *sp)
{
	return prepare(fn, arg, pager, L4_nilthread, utcb_log2, ip, sp);
}

L4_ThreadId_t rt_task_prepare_kpager(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
				     L4_ThreadId_t kpager, L4_Word_t *ip, L4_Word_t *sp)
{
	return prepare(fn, arg, pager, kpager, RT_UTCB_AREA_LOG2, ip, sp);
}

L4_ThreadId_t rt_task_prepare(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
			      L4_Word_t *ip, L4_Word_t *sp)
{
	return rt_task_prepare_area(fn, arg, pager, RT_UTCB_AREA_LOG2, ip, sp);
}

/*
 * One more thread in the space of `space` (a task thread rt made), with
 * its UTCB at utcb (in that space's UTCB area, not slot 0, which the
 * first thread has), a small stack, and the given pager; like a task's
 * first thread it waits for its start message (rt_pager_start_thread).
 */
L4_ThreadId_t rt_task_thread_prepare(L4_ThreadId_t space, L4_Word_t utcb, rt_entry_t fn,
				     L4_Word_t arg, L4_ThreadId_t pager,
				     L4_Word_t *ip, L4_Word_t *sp)
{
	L4_ThreadId_t tid = rt_tid_alloc();
	void *stack;

	if (L4_IsNilThread(tid))
		return tid;
	stack = rt_small_stack_alloc();
	rt_tid_attach(tid, stack, 0);
	if (!stack) {
		rt_set_last_error(L4_ErrNoMem);
		rt_release(tid);
		return L4_nilthread;
	}
	if (L4_ThreadControl(tid, space, L4_Myself(), pager, (void *)utcb) != 1) {
		rt_set_last_error(L4_ErrorCode());
		rt_release(tid);
		return L4_nilthread;
	}
	(void)L4_Set_Priority(tid, RT_PRIORITY);
	*ip = (L4_Word_t)fn;
	*sp = rt_stack_frame(stack, arg);
	return tid;
}

/* The start message; only the thread's pager may send it.  Returns 1 if
 * the new thread took it.  No timeout: an activated thread waits for it
 * from the start, however long the host takes to get there. */
int rt_start_message(L4_ThreadId_t tid, L4_Word_t ip, L4_Word_t sp)
{
	L4_Word_t w[2] = { ip, sp };
	L4_MsgTag_t tag;

	rt_msg(0, 2, w);
	tag = L4_Send(tid);
	if (L4_IpcFailed(tag)) {
		rt_set_last_error(L4_ErrorCode());
		return 0;
	}
	return 1;
}

/* Ask rt's pager thread, the thread's pager, to send it the start
 * message.  Returns 1 if the thread took it.  No timeouts: the pager
 * always answers (it may be busy with others' faults for a while). */
int rt_pager_start_thread(L4_ThreadId_t tid, L4_Word_t ip, L4_Word_t sp)
{
	L4_Word_t w[3] = { tid.raw, ip, sp };
	L4_MsgTag_t tag;

	rt_msg(RT_LABEL_START, 3, w);
	tag = L4_Call(rt_pager());
	if (L4_IpcFailed(tag)) {
		rt_set_last_error(L4_ErrorCode());
		return 0;
	}
	if (rt_mr(1) != 0) {
		rt_set_last_error(rt_mr(1));
		return 0;
	}
	return 1;
}

/* Create and start the task.  With the caller as pager, the caller sends
 * the start message; with rt's pager thread, that thread is asked to.  Any
 * other pager must start the task itself: use rt_task_prepare. */
L4_ThreadId_t rt_task_create(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager)
{
	L4_Word_t ip, sp;
	L4_ThreadId_t tid;
	int ok;

	if (!L4_IsThreadEqual(pager, L4_Myself()) && !L4_IsThreadEqual(pager, rt_pager())) {
		rt_set_last_error(L4_ErrInvalidParam);
		return L4_nilthread;
	}
	tid = rt_task_prepare(fn, arg, pager, &ip, &sp);
	if (L4_IsNilThread(tid))
		return tid;
	if (L4_IsThreadEqual(pager, L4_Myself()))
		ok = rt_start_message(tid, ip, sp);
	else
		ok = rt_pager_start_thread(tid, ip, sp);
	if (!ok) {
		rt_release(tid);
		return L4_nilthread;
	}
	return tid;
}
