/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC: result inspection and the convenience forms derived from the Ipc
 * and Lipc system calls (C has no overloading, so the variants with
 * timeouts carry a suffix, as in the X.2 reference manual).
 */
#ifndef L4_IPC_H
#define L4_IPC_H

#include <l4/types.h>
#include <l4/ia32/syscalls.h>
#include <l4/message.h>
#include <l4/thread.h>

/* Flag bits of a received tag: E(rror) 8, X(cpu) 4, r(edirected) 2,
 * p(ropagated) 1.  On error the ErrorCode TCR holds the reason. */
L4_INLINE L4_Bool_t L4_IpcSucceeded(L4_MsgTag_t t) { return (t.X.flags & 0x8) == 0; }
L4_INLINE L4_Bool_t L4_IpcFailed(L4_MsgTag_t t) { return (t.X.flags & 0x8) != 0; }
L4_INLINE L4_Bool_t L4_IpcPropagated(L4_MsgTag_t t) { return (t.X.flags & 0x1) != 0; }
L4_INLINE L4_Bool_t L4_IpcRedirected(L4_MsgTag_t t) { return (t.X.flags & 0x2) != 0; }
L4_INLINE L4_Bool_t L4_IpcXcpu(L4_MsgTag_t t) { return (t.X.flags & 0x4) != 0; }
L4_INLINE void L4_Set_Propagation(L4_MsgTag_t *t) { t->X.flags = 1; }

/* IPC error codes (ErrorCode TCR): bit 0 is 0 for the send phase and 1
 * for the receive phase, bits 1..3 the reason; the rest is the offset
 * reached in a string transfer. */
#define L4_ErrTimeout			1
#define L4_ErrNonExist			2
#define L4_ErrCanceled			3
#define L4_ErrMsgOverflow		4
#define L4_ErrXferTimeoutOwn		5
#define L4_ErrXferTimeoutPartner	6
#define L4_ErrAborted			7

/* Send timeout in the upper, receive timeout in the lower half. */
L4_INLINE L4_Word_t L4_Timeouts(L4_Time_t SndTimeout, L4_Time_t RcvTimeout)
{
	return ((L4_Word_t)SndTimeout.raw << 16) | RcvTimeout.raw;
}

L4_INLINE L4_MsgTag_t L4_Call_Timeouts(L4_ThreadId_t to, L4_Time_t SndTimeout,
				       L4_Time_t RcvTimeout)
{
	L4_ThreadId_t from;

	return L4_Ipc(to, to, L4_Timeouts(SndTimeout, RcvTimeout), &from);
}

L4_INLINE L4_MsgTag_t L4_Call(L4_ThreadId_t to)
{
	return L4_Call_Timeouts(to, L4_Never, L4_Never);
}

L4_INLINE L4_MsgTag_t L4_Send_Timeout(L4_ThreadId_t to, L4_Time_t SndTimeout)
{
	return L4_Ipc(to, L4_nilthread, L4_Timeouts(SndTimeout, L4_Never), 0);
}

L4_INLINE L4_MsgTag_t L4_Send(L4_ThreadId_t to)
{
	return L4_Send_Timeout(to, L4_Never);
}

/* A reply never blocks: the client is expected to wait already. */
L4_INLINE L4_MsgTag_t L4_Reply(L4_ThreadId_t to)
{
	return L4_Send_Timeout(to, L4_ZeroTime);
}

L4_INLINE L4_MsgTag_t L4_Receive_Timeout(L4_ThreadId_t from, L4_Time_t RcvTimeout)
{
	L4_ThreadId_t sender;

	return L4_Ipc(L4_nilthread, from, L4_Timeouts(L4_Never, RcvTimeout), &sender);
}

L4_INLINE L4_MsgTag_t L4_Receive(L4_ThreadId_t from)
{
	return L4_Receive_Timeout(from, L4_Never);
}

L4_INLINE L4_MsgTag_t L4_Wait_Timeout(L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
	return L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, RcvTimeout), from);
}

L4_INLINE L4_MsgTag_t L4_Wait(L4_ThreadId_t *from)
{
	return L4_Wait_Timeout(L4_Never, from);
}

L4_INLINE L4_MsgTag_t L4_ReplyWait_Timeout(L4_ThreadId_t to, L4_Time_t RcvTimeout,
					   L4_ThreadId_t *from)
{
	return L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, RcvTimeout), from);
}

L4_INLINE L4_MsgTag_t L4_ReplyWait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
	return L4_ReplyWait_Timeout(to, L4_Never, from);
}

/* Sleep by waiting for a message from ourselves, which never comes; the
 * result tag is left in MR0 as a receive would leave it. */
L4_INLINE void L4_Sleep(L4_Time_t t)
{
	L4_Set_MsgTag(L4_Receive_Timeout(L4_MyGlobalId(), t));
}

L4_INLINE L4_MsgTag_t L4_Lcall(L4_ThreadId_t to)
{
	L4_ThreadId_t from;

	return L4_Lipc(to, to, L4_Timeouts(L4_Never, L4_Never), &from);
}

L4_INLINE L4_MsgTag_t L4_LreplyWait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
	return L4_Lipc(to, L4_anylocalthread, L4_Timeouts(L4_ZeroTime, L4_Never), from);
}

#endif
