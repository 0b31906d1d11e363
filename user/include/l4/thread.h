/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Threads: the thread control registers of the current thread and the
 * operations derived from ExchangeRegisters and ThreadControl.
 */
#ifndef L4_THREAD_H
#define L4_THREAD_H

#include <l4/types.h>
#include <l4/ia32/syscalls.h>
#include <l4/ia32/vregs.h>

#define L4_ERROR_OK			0
#define L4_ERROR_NO_PRIVILEGE		1
#define L4_ERROR_INVALID_THREAD		2
#define L4_ERROR_INVALID_SPACE		3
#define L4_ERROR_INVALID_SCHEDULER	4
#define L4_ERROR_INVALID_PARAM		5
#define L4_ERROR_UTCB_AREA		6
#define L4_ERROR_KIP_AREA		7
#define L4_ERROR_NO_MEM			8

/* Control bits of ExchangeRegisters. */
#define __L4_EXREGS_HALT		(1UL << 0)	/* h: new halt state */
#define __L4_EXREGS_ABORT_RECV		(1UL << 1)	/* r */
#define __L4_EXREGS_ABORT_SEND		(1UL << 2)	/* s */
#define __L4_EXREGS_SET_SP		(1UL << 3)	/* S */
#define __L4_EXREGS_SET_IP		(1UL << 4)	/* I */
#define __L4_EXREGS_SET_FLAGS		(1UL << 5)	/* F */
#define __L4_EXREGS_SET_HANDLE		(1UL << 6)	/* U */
#define __L4_EXREGS_SET_PAGER		(1UL << 7)	/* P */
#define __L4_EXREGS_SET_HALT		(1UL << 8)	/* H: apply h */
#define __L4_EXREGS_DELIVER		(1UL << 9)	/* d: report old values */

/* State bits reported in the control word. */
typedef struct L4_ThreadState {
	L4_Word_t raw;
} L4_ThreadState_t;

L4_INLINE L4_Bool_t L4_ThreadWasHalted(L4_ThreadState_t s) { return (s.raw & 1) != 0; }
L4_INLINE L4_Bool_t L4_ThreadWasReceiving(L4_ThreadState_t s) { return (s.raw & 2) != 0; }
L4_INLINE L4_Bool_t L4_ThreadWasSending(L4_ThreadState_t s) { return (s.raw & 4) != 0; }
L4_INLINE L4_Bool_t L4_ThreadWasIpcing(L4_ThreadState_t s) { return (s.raw & 6) != 0; }

L4_INLINE L4_ThreadId_t L4_MyGlobalId(void) { return (L4_ThreadId_t) { .raw = __L4_TCR_MyGlobalId() }; }
L4_INLINE L4_ThreadId_t L4_MyLocalId(void) { return (L4_ThreadId_t) { .raw = __L4_TCR_MyLocalId() }; }
L4_INLINE L4_ThreadId_t L4_Myself(void) { return L4_MyGlobalId(); }
L4_INLINE L4_Word_t L4_ProcessorNo(void) { return __L4_TCR_ProcessorNo(); }
L4_INLINE L4_Word_t L4_UserDefinedHandle(void) { return __L4_TCR_UserDefinedHandle(); }
L4_INLINE void L4_Set_UserDefinedHandle(L4_Word_t v) { __L4_TCR_Set_UserDefinedHandle(v); }
L4_INLINE L4_ThreadId_t L4_Pager(void) { return (L4_ThreadId_t) { .raw = __L4_TCR_Pager() }; }
L4_INLINE void L4_Set_Pager(L4_ThreadId_t p) { __L4_TCR_Set_Pager(p.raw); }
L4_INLINE L4_ThreadId_t L4_ExceptionHandler(void) { return (L4_ThreadId_t) { .raw = __L4_TCR_ExceptionHandler() }; }
L4_INLINE void L4_Set_ExceptionHandler(L4_ThreadId_t h) { __L4_TCR_Set_ExceptionHandler(h.raw); }
L4_INLINE L4_Word_t L4_ErrorCode(void) { return __L4_TCR_ErrorCode(); }
L4_INLINE L4_Word_t L4_XferTimeouts(void) { return __L4_TCR_XferTimeout(); }
L4_INLINE void L4_Set_XferTimeouts(L4_Word_t v) { __L4_TCR_Set_XferTimeout(v); }
L4_INLINE L4_ThreadId_t L4_IntendedReceiver(void) { return (L4_ThreadId_t) { .raw = __L4_TCR_IntendedReceiver() }; }
L4_INLINE L4_ThreadId_t L4_ActualSender(void) { return (L4_ThreadId_t) { .raw = __L4_TCR_ActualSender() }; }
L4_INLINE void L4_Set_VirtualSender(L4_ThreadId_t t) { __L4_TCR_Set_VirtualSender(t.raw); }

/* All word bits are significant on IA-32. */
L4_INLINE L4_Word_t L4_WordSizeMask(void) { return ~0UL; }
L4_INLINE void L4_Reset_WordSizeMask(void) { }

/* Name of a ThreadControl/SpaceControl error code, for messages. */
L4_INLINE const char *L4_ErrorCode_String(L4_Word_t err)
{
	static const char *const names[] = {
		"ok", "no privilege", "invalid thread", "invalid space",
		"invalid scheduler", "invalid parameter", "UTCB area",
		"KIP area", "out of memory",
	};

	return err < sizeof(names) / sizeof(names[0]) ? names[err] : "unknown error";
}

/* ExchangeRegisters with only `control` (and the given values) applied;
 * returns the result ID and, on request, the old control word. */
L4_INLINE L4_ThreadId_t __L4_Exregs(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp,
				    L4_Word_t ip, L4_Word_t flags, L4_Word_t handle,
				    L4_ThreadId_t pager, L4_Word_t *old_control,
				    L4_Word_t *old_sp, L4_Word_t *old_ip,
				    L4_Word_t *old_flags, L4_Word_t *old_handle,
				    L4_ThreadId_t *old_pager)
{
	L4_Word_t c, s, i, f, h;
	L4_ThreadId_t p, r;

	r = L4_ExchangeRegisters(t, control, sp, ip, flags, handle, pager,
				 &c, &s, &i, &f, &h, &p);
	if (old_control) *old_control = c;
	if (old_sp) *old_sp = s;
	if (old_ip) *old_ip = i;
	if (old_flags) *old_flags = f;
	if (old_handle) *old_handle = h;
	if (old_pager) *old_pager = p;
	return r;
}

/* A query with no control bits translates between local and global IDs. */
L4_INLINE L4_ThreadId_t L4_GlobalIdOf(L4_ThreadId_t t)
{
	if (!L4_IsLocalId(t))
		return t;
	return __L4_Exregs(t, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE L4_ThreadId_t L4_LocalIdOf(L4_ThreadId_t t)
{
	if (!L4_IsGlobalId(t))
		return t;
	return __L4_Exregs(t, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE L4_Bool_t L4_SameThreads(L4_ThreadId_t l, L4_ThreadId_t r)
{
	return L4_GlobalIdOf(l).raw == L4_GlobalIdOf(r).raw;
}

L4_INLINE L4_Word_t L4_UserDefinedHandleOf(L4_ThreadId_t t)
{
	L4_Word_t h;

	__L4_Exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, &h, 0);
	return h;
}

L4_INLINE void L4_Set_UserDefinedHandleOf(L4_ThreadId_t t, L4_Word_t handle)
{
	__L4_Exregs(t, __L4_EXREGS_SET_HANDLE, 0, 0, 0, handle, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE L4_ThreadId_t L4_PagerOf(L4_ThreadId_t t)
{
	L4_ThreadId_t p;

	__L4_Exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, &p);
	return p;
}

L4_INLINE void L4_Set_PagerOf(L4_ThreadId_t t, L4_ThreadId_t p)
{
	__L4_Exregs(t, __L4_EXREGS_SET_PAGER, 0, 0, 0, 0, p, 0, 0, 0, 0, 0, 0);
}

/* Start: clear the halt flag and abort any IPC the thread was in. */
#define __L4_EXREGS_START (__L4_EXREGS_SET_HALT | __L4_EXREGS_ABORT_SEND | __L4_EXREGS_ABORT_RECV)

L4_INLINE void L4_Start(L4_ThreadId_t t)
{
	__L4_Exregs(t, __L4_EXREGS_START, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE void L4_Start_SpIp(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip)
{
	__L4_Exregs(t, __L4_EXREGS_START | __L4_EXREGS_SET_SP | __L4_EXREGS_SET_IP,
		    sp, ip, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE void L4_Start_SpIpFlags(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags)
{
	__L4_Exregs(t, __L4_EXREGS_START | __L4_EXREGS_SET_SP | __L4_EXREGS_SET_IP |
		    __L4_EXREGS_SET_FLAGS, sp, ip, flags, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

/* Stop variants: halt the thread (optionally aborting its IPC) and
 * report its state and, for the _SpIpFlags forms, sp, ip and flags. */
L4_INLINE L4_ThreadState_t __L4_StopWith(L4_ThreadId_t t, L4_Word_t abort,
					 L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
	L4_ThreadState_t s;

	__L4_Exregs(t, __L4_EXREGS_HALT | __L4_EXREGS_SET_HALT | __L4_EXREGS_DELIVER | abort,
		    0, 0, 0, 0, L4_nilthread, &s.raw, sp, ip, flags, 0, 0);
	return s;
}

L4_INLINE L4_ThreadState_t L4_Stop(L4_ThreadId_t t)
{
	return __L4_StopWith(t, 0, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_Stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip,
					     L4_Word_t *flags)
{
	return __L4_StopWith(t, 0, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop(L4_ThreadId_t t)
{
	return __L4_StopWith(t, __L4_EXREGS_ABORT_RECV, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp,
							      L4_Word_t *ip, L4_Word_t *flags)
{
	return __L4_StopWith(t, __L4_EXREGS_ABORT_RECV, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop(L4_ThreadId_t t)
{
	return __L4_StopWith(t, __L4_EXREGS_ABORT_SEND, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp,
							   L4_Word_t *ip, L4_Word_t *flags)
{
	return __L4_StopWith(t, __L4_EXREGS_ABORT_SEND, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop(L4_ThreadId_t t)
{
	return __L4_StopWith(t, __L4_EXREGS_ABORT_SEND | __L4_EXREGS_ABORT_RECV, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp,
							  L4_Word_t *ip, L4_Word_t *flags)
{
	return __L4_StopWith(t, __L4_EXREGS_ABORT_SEND | __L4_EXREGS_ABORT_RECV, sp, ip, flags);
}

/* Interrupt threads: ThreadControl with the interrupt as its own space
 * and a UTCB location of -1; the pager field names the handler (the
 * interrupt thread itself to detach). */
L4_INLINE L4_Word_t L4_AssociateInterrupt(L4_ThreadId_t InterruptThread,
					  L4_ThreadId_t HandlerThread)
{
	return L4_ThreadControl(InterruptThread, InterruptThread, L4_nilthread,
				HandlerThread, (void *)-1);
}

L4_INLINE L4_Word_t L4_DeassociateInterrupt(L4_ThreadId_t InterruptThread)
{
	return L4_ThreadControl(InterruptThread, InterruptThread, L4_nilthread,
				InterruptThread, (void *)-1);
}

#endif
