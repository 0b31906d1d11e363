/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scheduling: forms derived from Schedule and ThreadSwitch.  Schedule
 * leaves every parameter that is all ones unchanged.
 */
#ifndef L4_SCHEDULE_H
#define L4_SCHEDULE_H

#include <l4/types.h>
#include <l4/ia32/syscalls.h>

/* Thread states in the low bits of Schedule's result. */
#define L4_SCHEDRESULT_ERROR		0
#define L4_SCHEDRESULT_DEAD		1
#define L4_SCHEDRESULT_INACTIVE		2
#define L4_SCHEDRESULT_RUNNING		3
#define L4_SCHEDRESULT_PENDING_SEND	4
#define L4_SCHEDRESULT_SENDING		5
#define L4_SCHEDRESULT_WAITING		6
#define L4_SCHEDRESULT_RECEIVING	7

#define __L4_SCHED_KEEP	(~0UL)

L4_INLINE void L4_Yield(void)
{
	L4_ThreadSwitch(L4_nilthread);
}

L4_INLINE L4_Word_t L4_Set_Priority(L4_ThreadId_t tid, L4_Word_t prio)
{
	L4_Word_t old;

	return L4_Schedule(tid, __L4_SCHED_KEEP, __L4_SCHED_KEEP, prio & 0xff,
			   __L4_SCHED_KEEP, &old);
}

L4_INLINE L4_Word_t L4_Set_ProcessorNo(L4_ThreadId_t tid, L4_Word_t cpu_no)
{
	L4_Word_t old;

	return L4_Schedule(tid, __L4_SCHED_KEEP, cpu_no & 0xffff, __L4_SCHED_KEEP,
			   __L4_SCHED_KEEP, &old);
}

/* Time control: time slice in the upper, total quantum in the lower half. */
L4_INLINE L4_Word_t L4_Set_Timeslice(L4_ThreadId_t tid, L4_Time_t timeslice,
				     L4_Time_t totalquantum)
{
	L4_Word_t old;

	return L4_Schedule(tid, ((L4_Word_t)timeslice.raw << 16) | totalquantum.raw,
			   __L4_SCHED_KEEP, __L4_SCHED_KEEP, __L4_SCHED_KEEP, &old);
}

L4_INLINE L4_Word_t L4_Timeslice(L4_ThreadId_t tid, L4_Time_t *timeslice,
				 L4_Time_t *totalquantum)
{
	L4_Word_t tc;
	L4_Word_t res = L4_Schedule(tid, __L4_SCHED_KEEP, __L4_SCHED_KEEP, __L4_SCHED_KEEP,
				    __L4_SCHED_KEEP, &tc);

	timeslice->raw = (L4_Word16_t)(tc >> 16);
	totalquantum->raw = (L4_Word16_t)tc;
	return res;
}

/* Preemption control: sensitive priority in bits 16..23, maximum delay
 * (microseconds) in bits 0..15. */
L4_INLINE L4_Word_t L4_Set_PreemptionDelay(L4_ThreadId_t tid, L4_Word_t sensitivePrio,
					   L4_Word_t maxDelay)
{
	L4_Word_t old;

	return L4_Schedule(tid, __L4_SCHED_KEEP, __L4_SCHED_KEEP, __L4_SCHED_KEEP,
			   ((sensitivePrio & 0xff) << 16) | (maxDelay & 0xffff), &old);
}

#endif
