/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IA-32 system-call bindings.  Every call goes to a symbol __L4_<Name>
 * in libl4 that jumps to the matching stub inside the KIP (the library
 * fills the targets from the KIP's system-call offsets at start-up).  The
 * register use of each call follows Pistachio's ia32 ABI; EBP is saved
 * around every call because the kernel may use it for results.
 */
#ifndef L4_IA32_SYSCALLS_H
#define L4_IA32_SYSCALLS_H

#include <l4/types.h>
#include <l4/ia32/vregs.h>
#include <l4/message.h>

/* Entry symbols; code, not data: the bindings `call` them directly. */
extern void __L4_Ipc(void);
extern void __L4_Lipc(void);
extern void __L4_ExchangeRegisters(void);
extern void __L4_ThreadControl(void);
extern void __L4_SystemClock(void);
extern void __L4_ThreadSwitch(void);
extern void __L4_Schedule(void);
extern void __L4_Unmap(void);
extern void __L4_SpaceControl(void);
extern void __L4_ProcessorControl(void);
extern void __L4_MemoryControl(void);

/* `lock; nop` traps; the kernel answers with the KIP address in EAX, the
 * API version in ECX, the API flags in EDX and the kernel ID in ESI. */
L4_INLINE void *L4_KernelInterface(L4_Word_t *ApiVersion, L4_Word_t *ApiFlags,
				   L4_Word_t *KernelId)
{
	void *kip;
	L4_Word_t ver, flags, id;

	__asm__ __volatile__(".byte 0xf0, 0x90	/* lock; nop */"
			     : "=a"(kip), "=c"(ver), "=d"(flags), "=S"(id));
	*ApiVersion = ver;
	*ApiFlags = flags;
	*KernelId = id;
	return kip;
}

/*
 * ExchangeRegisters: EAX dest, ECX control, EDX sp, ESI ip, EDI flags,
 * EBX UserDefinedHandle, EBP pager in; the same registers out with the
 * old values and the result thread ID in EAX.  All seven registers are
 * busy, so EBX/EBP/EDI are loaded from a block whose address is kept on
 * the stack across the call.
 */
L4_INLINE L4_ThreadId_t L4_ExchangeRegisters(L4_ThreadId_t dest, L4_Word_t control,
					     L4_Word_t sp, L4_Word_t ip, L4_Word_t flags,
					     L4_Word_t UserDefHandle, L4_ThreadId_t pager,
					     L4_Word_t *old_control, L4_Word_t *old_sp,
					     L4_Word_t *old_ip, L4_Word_t *old_flags,
					     L4_Word_t *old_UserDefHandle,
					     L4_ThreadId_t *old_pager)
{
	struct { L4_Word_t edi, ebx, ebp; } blk = { flags, UserDefHandle, pager.raw };
	L4_Word_t eax = dest.raw, ecx = control, edx = sp, esi = ip, edi = (L4_Word_t)&blk;
	L4_ThreadId_t result;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"pushl	%%edi\n\t"
		"movl	8(%%edi), %%ebp\n\t"
		"movl	4(%%edi), %%ebx\n\t"
		"movl	0(%%edi), %%edi\n\t"
		"call	__L4_ExchangeRegisters\n\t"
		"xchgl	%%edi, (%%esp)\n\t"
		"movl	%%ebx, 4(%%edi)\n\t"
		"movl	%%ebp, 8(%%edi)\n\t"
		"popl	0(%%edi)\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
		:
		: "ebx", "memory", "cc");

	result.raw = eax;
	*old_control = ecx;
	*old_sp = edx;
	*old_ip = esi;
	*old_flags = blk.edi;
	*old_UserDefHandle = blk.ebx;
	old_pager->raw = blk.ebp;
	return result;
}

/* ThreadControl: EAX dest, ECX pager, EDX scheduler, ESI space specifier,
 * EDI UTCB location; result in EAX. */
L4_INLINE L4_Word_t L4_ThreadControl(L4_ThreadId_t dest, L4_ThreadId_t SpaceSpecifier,
				     L4_ThreadId_t Scheduler, L4_ThreadId_t Pager,
				     void *UtcbLocation)
{
	L4_Word_t eax = dest.raw, ecx = Pager.raw, edx = Scheduler.raw;
	L4_Word_t esi = SpaceSpecifier.raw, edi = (L4_Word_t)UtcbLocation;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_ThreadControl\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
		:
		: "ebx", "memory", "cc");
	return eax;
}

/* SystemClock: the 64-bit clock in EDX:EAX (the stub may use rdtsc). */
L4_INLINE L4_Clock_t L4_SystemClock(void)
{
	L4_Clock_t clock;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_SystemClock\n\t"
		"popl	%%ebp"
		: "=A"(clock.raw)
		:
		: "ebx", "ecx", "esi", "edi", "cc");
	return clock;
}

/* ThreadSwitch: EAX dest (nil: give up the rest of the time slice). */
L4_INLINE void L4_ThreadSwitch(L4_ThreadId_t dest)
{
	L4_Word_t eax = dest.raw;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_ThreadSwitch\n\t"
		"popl	%%ebp"
		: "+a"(eax)
		:
		: "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
}

/* Schedule: EAX dest, ECX priority control, EDX time control, ESI
 * processor control, EDI preemption control; EAX result, EDX old time
 * control. */
L4_INLINE L4_Word_t L4_Schedule(L4_ThreadId_t dest, L4_Word_t TimeControl,
				L4_Word_t ProcessorControl, L4_Word_t PrioControl,
				L4_Word_t PreemptionControl, L4_Word_t *old_TimeControl)
{
	L4_Word_t eax = dest.raw, ecx = PrioControl, edx = TimeControl;
	L4_Word_t esi = ProcessorControl, edi = PreemptionControl;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_Schedule\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
		:
		: "ebx", "memory", "cc");
	*old_TimeControl = edx;
	return eax;
}

/*
 * Ipc and Lipc: EAX to, ECX timeouts, EDX from specifier, ESI MR0, EDI
 * UTCB address in; EAX from, ESI MR0, EBX MR1, EBP MR2 out.  MR3 and up
 * travel in the UTCB.  After a receive phase the library writes MR0 back
 * so that the UTCB holds the whole received message: Lent's kernel puts
 * MR1 and up there itself (docs/abi.md §5, "MR1.. also in the UTCB"),
 * so EBX and EBP are only clobbered.  The call goes through the entry's
 * slot (syscalls.asm's __L4_SyscallEntry, index 4 Ipc, 5 Lipc) at once,
 * not through __L4_Ipc's jump, as Pistachio's binding calls through its
 * pointer.
 */
extern L4_Word_t __L4_SyscallEntry[];
#define __L4_IPC_BODY(slot)						\
	L4_Word_t *utcb = __L4_X86_Utcb();				\
	L4_Word_t eax = to.raw, ecx = Timeouts, edx = FromSpecifier.raw;\
	L4_Word_t esi = utcb[0], edi = (L4_Word_t)utcb;			\
	L4_MsgTag_t tag;						\
									\
	__asm__ __volatile__(						\
		"pushl	%%ebp\n\t"					\
		"call	*__L4_SyscallEntry + 4 * " slot "\n\t"	\
		"popl	%%ebp"						\
		: "+a"(eax), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)\
		:							\
		: "ebx", "memory", "cc");				\
									\
	tag.raw = esi;							\
	if (!L4_IsNilThread(FromSpecifier)) {				\
		if (from)						\
			from->raw = eax;				\
		utcb[0] = esi;						\
	}								\
	return tag

L4_INLINE L4_MsgTag_t L4_Ipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier,
			     L4_Word_t Timeouts, L4_ThreadId_t *from)
{
	__L4_IPC_BODY("4");
}

L4_INLINE L4_MsgTag_t L4_Lipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier,
			      L4_Word_t Timeouts, L4_ThreadId_t *from)
{
	__L4_IPC_BODY("5");
}

#undef __L4_IPC_BODY

/* Unmap: EAX control, ESI MR0, EDI UTCB address; the fpages (with their
 * status bits) come back in MR0 (ESI) and the UTCB. */
L4_INLINE void L4_Unmap(L4_Word_t control)
{
	L4_Word_t *utcb = __L4_X86_Utcb();
	L4_Word_t eax = control, esi = utcb[0], edi = (L4_Word_t)utcb;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_Unmap\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+S"(esi), "+D"(edi)
		:
		: "ebx", "ecx", "edx", "memory", "cc");
	utcb[0] = esi;
}

/* SpaceControl: EAX space specifier, ECX control, EDX KIP area, ESI UTCB
 * area, EDI redirector; EAX result, ECX old control. */
L4_INLINE L4_Word_t L4_SpaceControl(L4_ThreadId_t SpaceSpecifier, L4_Word_t control,
				    L4_Fpage_t KernelInterfacePageArea, L4_Fpage_t UtcbArea,
				    L4_ThreadId_t redirector, L4_Word_t *old_control)
{
	L4_Word_t eax = SpaceSpecifier.raw, ecx = control, edx = KernelInterfacePageArea.raw;
	L4_Word_t esi = UtcbArea.raw, edi = redirector.raw;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_SpaceControl\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
		:
		: "ebx", "memory", "cc");
	*old_control = ecx;
	return eax;
}

/* ProcessorControl: EAX processor, ECX internal and EDX external
 * frequency, ESI voltage; EAX result. */
L4_INLINE L4_Word_t L4_ProcessorControl(L4_Word_t ProcessorNo, L4_Word_t InternalFrequency,
					L4_Word_t ExternalFrequency, L4_Word_t voltage)
{
	L4_Word_t eax = ProcessorNo, ecx = InternalFrequency, edx = ExternalFrequency;
	L4_Word_t esi = voltage;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"call	__L4_ProcessorControl\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+c"(ecx), "+d"(edx), "+S"(esi)
		:
		: "ebx", "edi", "memory", "cc");
	return eax;
}

/* MemoryControl: EAX control, ECX/EDX/EBX/EBP attributes 0..3, ESI MR0,
 * EDI UTCB address (the fpages are in MR0..); EAX result. */
L4_INLINE L4_Word_t L4_MemoryControl(L4_Word_t control, const L4_Word_t *attributes)
{
	L4_Word_t *utcb = __L4_X86_Utcb();
	L4_Word_t eax = control, ecx = attributes[0], edx = attributes[1];
	L4_Word_t ebx = (L4_Word_t)attributes, esi = utcb[0], edi = (L4_Word_t)utcb;

	__asm__ __volatile__(
		"pushl	%%ebp\n\t"
		"movl	12(%%ebx), %%ebp\n\t"
		"movl	8(%%ebx), %%ebx\n\t"
		"call	__L4_MemoryControl\n\t"
		"popl	%%ebp"
		: "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
		:
		: "memory", "cc");
	return eax;
}

#endif
