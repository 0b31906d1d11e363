; SPDX-License-Identifier: BSD-2-Clause
;
; void __L4_SpaceControl(void) ... void __L4_Schedule(void)
;
; The entry symbols the bindings in <l4/ia32/syscalls.h> call, with the
; registers already loaded for the kernel.  Each jumps through its slot in
; __L4_SyscallEntry, which __L4_InitSyscalls (l4init.c) fills with the
; stub addresses from the KIP; the stub returns straight to the caller.
; Until then a slot points at a path that runs the initialisation with
; every register saved and jumps again.

bits 32

section .text

%macro SYSCALL 2		; name, index in the KIP's system-call fields
global __L4_%1
__L4_%1:
	jmp	[__L4_SyscallEntry + 4 * %2]
__L4_%1_first:
	pushad
	cld
	call	__L4_InitSyscalls
	popad
	jmp	[__L4_SyscallEntry + 4 * %2]
%endmacro

extern __L4_InitSyscalls

SYSCALL SpaceControl, 0
SYSCALL ThreadControl, 1
SYSCALL ProcessorControl, 2
SYSCALL MemoryControl, 3
SYSCALL Ipc, 4
SYSCALL Lipc, 5
SYSCALL Unmap, 6
SYSCALL ExchangeRegisters, 7
SYSCALL SystemClock, 8
SYSCALL ThreadSwitch, 9
SYSCALL Schedule, 10
SYSCALL KmemControl, 11		; Lent's extension (<lent/kmem.h>)

section .data
align 4
global __L4_SyscallEntry
__L4_SyscallEntry:
	dd	__L4_SpaceControl_first
	dd	__L4_ThreadControl_first
	dd	__L4_ProcessorControl_first
	dd	__L4_MemoryControl_first
	dd	__L4_Ipc_first
	dd	__L4_Lipc_first
	dd	__L4_Unmap_first
	dd	__L4_ExchangeRegisters_first
	dd	__L4_SystemClock_first
	dd	__L4_ThreadSwitch_first
	dd	__L4_Schedule_first
	dd	__L4_KmemControl_first

section .note.GNU-stack noalloc noexec nowrite progbits
