/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IA-32 virtual registers.  %gs:0 holds the address of the current
 * thread's UTCB, which points at MR0: message registers are at word
 * offsets 0..63, the thread control registers below it (word -4 .. -15)
 * and the buffer registers further down (BR i at word -16 - i).
 */
#ifndef L4_IA32_VREGS_H
#define L4_IA32_VREGS_H

/* The UTCB address does not change while a thread runs, so the read is
 * not volatile and the compiler may reuse it within a function. */
L4_INLINE L4_Word_t *__L4_X86_Utcb(void)
{
	L4_Word_t *utcb;

	__asm__("movl %%gs:0, %0" : "=r"(utcb));
	return utcb;
}

/* Word offsets of the thread control registers from MR0. */
#define __L4_TCR_THREAD_WORD_0		(-4)
#define __L4_TCR_THREAD_WORD_1		(-5)
#define __L4_TCR_VIRTUAL_ACTUAL_SENDER	(-6)
#define __L4_TCR_INTENDED_RECEIVER	(-7)
#define __L4_TCR_XFER_TIMEOUT		(-8)
#define __L4_TCR_ERROR_CODE		(-9)
#define __L4_TCR_PREEMPT_FLAGS		(-10)
#define __L4_TCR_COP_FLAGS		(-10)
#define __L4_TCR_EXCEPTION_HANDLER	(-11)
#define __L4_TCR_PAGER			(-12)
#define __L4_TCR_USER_DEFINED_HANDLE	(-13)
#define __L4_TCR_PROCESSOR_NO		(-14)
#define __L4_TCR_MY_GLOBAL_ID		(-15)
#define __L4_BR_OFFSET			(-16)

/* Byte offsets the kernel's UTCB layout must match. */
_Static_assert(__L4_TCR_MY_GLOBAL_ID * 4 == -60, "MyGlobalId at UTCB-60");
_Static_assert(__L4_TCR_VIRTUAL_ACTUAL_SENDER * 4 == -24, "VirtualSender at UTCB-24");
_Static_assert(__L4_BR_OFFSET * 4 == -64, "BR0 at UTCB-64");

/* The kernel may write the TCRs while the thread is blocked, so every
 * access goes through a volatile pointer. */
L4_INLINE volatile L4_Word_t *__L4_TCR(int word)
{
	return (volatile L4_Word_t *)__L4_X86_Utcb() + word;
}

L4_INLINE L4_Word_t __L4_TCR_MyGlobalId(void) { return *__L4_TCR(__L4_TCR_MY_GLOBAL_ID); }
/* A thread's local ID is its UTCB address. */
L4_INLINE L4_Word_t __L4_TCR_MyLocalId(void) { return (L4_Word_t)__L4_X86_Utcb(); }
L4_INLINE L4_Word_t __L4_TCR_ProcessorNo(void) { return *__L4_TCR(__L4_TCR_PROCESSOR_NO); }
L4_INLINE L4_Word_t __L4_TCR_UserDefinedHandle(void) { return *__L4_TCR(__L4_TCR_USER_DEFINED_HANDLE); }
L4_INLINE void __L4_TCR_Set_UserDefinedHandle(L4_Word_t w) { *__L4_TCR(__L4_TCR_USER_DEFINED_HANDLE) = w; }
L4_INLINE L4_Word_t __L4_TCR_Pager(void) { return *__L4_TCR(__L4_TCR_PAGER); }
L4_INLINE void __L4_TCR_Set_Pager(L4_Word_t w) { *__L4_TCR(__L4_TCR_PAGER) = w; }
L4_INLINE L4_Word_t __L4_TCR_ExceptionHandler(void) { return *__L4_TCR(__L4_TCR_EXCEPTION_HANDLER); }
L4_INLINE void __L4_TCR_Set_ExceptionHandler(L4_Word_t w) { *__L4_TCR(__L4_TCR_EXCEPTION_HANDLER) = w; }
L4_INLINE L4_Word_t __L4_TCR_ErrorCode(void) { return *__L4_TCR(__L4_TCR_ERROR_CODE); }
L4_INLINE L4_Word_t __L4_TCR_XferTimeout(void) { return *__L4_TCR(__L4_TCR_XFER_TIMEOUT); }
L4_INLINE void __L4_TCR_Set_XferTimeout(L4_Word_t w) { *__L4_TCR(__L4_TCR_XFER_TIMEOUT) = w; }
L4_INLINE L4_Word_t __L4_TCR_IntendedReceiver(void) { return *__L4_TCR(__L4_TCR_INTENDED_RECEIVER); }
L4_INLINE L4_Word_t __L4_TCR_ActualSender(void) { return *__L4_TCR(__L4_TCR_VIRTUAL_ACTUAL_SENDER); }
L4_INLINE void __L4_TCR_Set_VirtualSender(L4_Word_t w) { *__L4_TCR(__L4_TCR_VIRTUAL_ACTUAL_SENDER) = w; }

/* ThreadWord n (0 or 1) is stored downwards from word -4. */
L4_INLINE L4_Word_t __L4_TCR_ThreadWord(L4_Word_t n)
{
	return *__L4_TCR(__L4_TCR_THREAD_WORD_0 - (int)n);
}

L4_INLINE void __L4_TCR_Set_ThreadWord(L4_Word_t n, L4_Word_t w)
{
	*__L4_TCR(__L4_TCR_THREAD_WORD_0 - (int)n) = w;
}

/* Coprocessor flags live in bits 8.. of the flags word. */
L4_INLINE void L4_Set_CopFlag(L4_Word_t n) { *__L4_TCR(__L4_TCR_COP_FLAGS) |= 1UL << (8 + n); }
L4_INLINE void L4_Clr_CopFlag(L4_Word_t n) { *__L4_TCR(__L4_TCR_COP_FLAGS) &= ~(1UL << (8 + n)); }

/* Preemption flags: bit 5 signal-on-delay (s), bit 6 delay preemption (d),
 * bit 7 preemption pending (I).  Each helper returns the bit's old value. */
L4_INLINE L4_Bool_t __L4_PreemptBit(int bit, int set)
{
	volatile L4_Word_t *f = __L4_TCR(__L4_TCR_PREEMPT_FLAGS);
	L4_Word_t old = (*f >> bit) & 1;

	if (set)
		*f |= 1UL << bit;
	else
		*f &= ~(1UL << bit);
	return old;
}

L4_INLINE L4_Bool_t L4_EnablePreemptionFaultException(void) { return __L4_PreemptBit(5, 0); }
L4_INLINE L4_Bool_t L4_DisablePreemptionFaultException(void) { return __L4_PreemptBit(5, 1); }
L4_INLINE L4_Bool_t L4_EnablePreemption(void) { return __L4_PreemptBit(6, 0); }
L4_INLINE L4_Bool_t L4_DisablePreemption(void) { return __L4_PreemptBit(6, 1); }
L4_INLINE L4_Bool_t L4_PreemptionPending(void) { return __L4_PreemptBit(7, 0); }

/* Message registers MR0..MR63. */
L4_INLINE void L4_StoreMR(int i, L4_Word_t *w) { *w = __L4_X86_Utcb()[i]; }
L4_INLINE void L4_LoadMR(int i, L4_Word_t w) { __L4_X86_Utcb()[i] = w; }

L4_INLINE void L4_StoreMRs(int i, int k, L4_Word_t *w)
{
	const L4_Word_t *mr = __L4_X86_Utcb() + i;

	while (k-- > 0)
		*w++ = *mr++;
}

L4_INLINE void L4_LoadMRs(int i, int k, const L4_Word_t *w)
{
	L4_Word_t *mr = __L4_X86_Utcb() + i;

	while (k-- > 0)
		*mr++ = *w++;
}

/* Buffer registers BR0..BR32, growing downwards in memory. */
L4_INLINE void L4_StoreBR(int i, L4_Word_t *w) { *w = __L4_X86_Utcb()[__L4_BR_OFFSET - i]; }
L4_INLINE void L4_LoadBR(int i, L4_Word_t w) { __L4_X86_Utcb()[__L4_BR_OFFSET - i] = w; }

L4_INLINE void L4_StoreBRs(int i, int k, L4_Word_t *w)
{
	const L4_Word_t *br = __L4_X86_Utcb() + __L4_BR_OFFSET - i;

	while (k-- > 0)
		*w++ = *br--;
}

L4_INLINE void L4_LoadBRs(int i, int k, const L4_Word_t *w)
{
	L4_Word_t *br = __L4_X86_Utcb() + __L4_BR_OFFSET - i;

	while (k-- > 0)
		*br-- = *w++;
}

#endif
