; SPDX-License-Identifier: BSD-2-Clause
; Trap, interrupt and system-call entry; the exit to user mode.
;
;   void isr_N(void)                          -- one stub per vector
;   arch_iret_frame, arch_sysexit_frame  -- jumped to with ESP at a frame
;
; A trap from user mode lands with ESP0 just past the current thread's
; arch_context_t (inside its TCB), so the pushes below fill that frame.
; Then we switch to the single kernel stack and call trap_from_user(),
; which never returns: it leaves through arch_iret_frame (or, for a
; sysenter's frame, arch_sysexit_frame: arch/run.h) for
; whichever thread should run next.  A trap from kernel mode (only the
; idle loop takes interrupts) stays on the kernel stack and irets.

extern trap_from_user
extern ipc_fast_entry
extern trap_from_kernel
extern kernel_stack_top
extern arch_tss
extern kernel_stack
global arch_iret_frame
global arch_sysexit_frame
global sysenter_entry
global sysenter_stepped
global isr_table

CTX_VECTOR equ 48
CTX_ERROR  equ 52          ; offsetof(arch_context_t, ...), asserted in context.h
CTX_EIP    equ 56
CTX_CS     equ 60
CTX_EFLAGS equ 64
CTX_ESP    equ 68
CTX_SIZE   equ 76
EFLAGS_VM  equ 0x20000
EFLAGS_IF  equ 0x200
EFLAGS_IOPL equ 0x3000
KDATA_SEL  equ 0x10
UCODE_SEL  equ 0x1B
UDATA_SEL  equ 0x23
UTCB_SEL   equ 0x33
VEC_IPC    equ 0x30
ERROR_SYSENTER equ 0x80000000   ; ARCH_ERROR_SYSENTER, asserted in context.h
TSS_ESP0   equ 4
KSTACK_SIZE equ 8192             ; sizeof(kernel_stack), asserted in cpu.c

%macro ISR 1
%if %1 != VEC_IPC               ; VEC_SYSCALL_IPC: isr_48 below
isr_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17)
	; the CPU pushed an error code
%else
	push dword 0
%endif
	push dword %1
	jmp trap_common
%endif
%endmacro

; The rest of an int's frame (arch_context_t): the general registers and
; the user's segments, then the kernel's data segments.  Those are the
; user's flat data segment, UDATA_SEL, not KDATA_SEL (SS only): the same
; base and limit, usable at CPL 0, and what a sysenter frame gives back,
; so that arch_sysexit_frame need not load DS and ES.  Every entry loads
; them: the kernel never runs on a DS or ES it did not load.
%macro SAVE_FRAME 0
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, UDATA_SEL
	mov ds, ax
	mov es, ax
%endmacro

section .text
%assign v 0
%rep 50
ISR v
%assign v v+1
%endrep

trap_common:
	SAVE_FRAME
	test dword [esp + CTX_EFLAGS], EFLAGS_VM
	jnz .from_vm86
	test byte [esp + CTX_CS], 3
	jz .from_kernel
.from_user:
	mov esp, [kernel_stack_top]
	cld
	call trap_from_user
	; not reached
.from_vm86:
	; Virtual-8086 mode (which no Pentium lets user code enter, but QEMU
	; does on a user-mode iret): the CPU pushed ES, DS, FS and GS above
	; SS, so the frame sits 16 bytes below the thread's context.  Slide it
	; up over them; trap_from_user() then turns the thread back into a
	; protected-mode one.
	lea esi, [esp + CTX_SIZE - 4]
	lea edi, [esp + CTX_SIZE - 4 + 16]
	mov ecx, CTX_SIZE / 4
	std
	rep movsd
	cld
	add esp, 16
	jmp .from_user
.from_kernel:
	cld
	push esp
	call trap_from_kernel
	add esp, 4
	jmp restore_frame

; Ipc and Lipc by int $0x30 (VEC_SYSCALL_IPC), the IPC fast path's way in
; (kernel/ipc_fast.c; it goes on to trap_from_user() where it does not
; apply): trap_common's work without its tests that cannot fail here.
; Only user code executes int $0x30 (the kernel never does, and no
; interrupt or exception has that vector), so the trap is from user mode;
; from virtual-8086 mode it is trap_common's.
isr_48:
	push dword 0
	push dword VEC_IPC
	SAVE_FRAME
	test dword [esp + CTX_EFLAGS], EFLAGS_VM
	jnz trap_common.from_vm86
	mov esp, [kernel_stack_top]
	cld
	call ipc_fast_entry
	; not reached

; sysenter from the KIP's Ipc/Lipc stub (arch/ia32/sysenter.c): EBX is the
; return address, EBP the caller's ESP.  The CPU cleared IF, VM and RF and
; put ESP at the empty kernel stack, where the user's flags go first; then
; the kernel's own (TF, NT, DF, AC clear; a #DB of the user's TF lands at
; or after the pushf: trap.c).  The frame is an int $0x30's, marked in
; the error slot, with flat user segments, the user's flags with IF clear
; as sysenter left it (a marked frame keeps it so: arch/context.h; the
; exit sets it) and IOPL 0 (3 after QEMU's virtual-8086 mode:
; docs/security.md).  A frame still marked from the thread's last entry
; has all but EIP, ESP, the flags and the general registers as this
; entry would write them (nothing changes a marked frame's other slots:
; arch/context.h), so only those are written.
sysenter_entry:
	pushf
sysenter_stepped:
	push dword 2
	popf
	mov esp, [ss:arch_tss + TSS_ESP0]   ; ss: DS is still the user's
	cmp dword [ss:esp - CTX_SIZE + CTX_ERROR], ERROR_SYSENTER
	jne .whole
	sub esp, CTX_SIZE - CTX_VECTOR     ; over SS .. the vector
	pusha                              ; ESP at EDI, 16
	mov ax, UDATA_SEL
	mov ds, ax
	mov es, ax
	mov eax, [kernel_stack + KSTACK_SIZE - 4]
	and eax, ~EFLAGS_IOPL
	mov [esp + CTX_EIP - 16], ebx
	mov [esp + CTX_EFLAGS - 16], eax
	mov [esp + CTX_ESP - 16], ebp
	mov esp, [kernel_stack_top]
	call ipc_fast_entry
.whole:
	push dword UDATA_SEL
	push ebp
	push dword [ss:kernel_stack + KSTACK_SIZE - 4]
	and dword [esp], ~EFLAGS_IOPL
	push dword UCODE_SEL
	push ebx
	push dword ERROR_SYSENTER
	push dword VEC_IPC
	pusha
	push dword UDATA_SEL
	push dword UDATA_SEL
	push dword UDATA_SEL
	push dword UTCB_SEL
	mov ax, UDATA_SEL
	mov ds, ax
	mov es, ax
	mov esp, [kernel_stack_top]
	call ipc_fast_entry

; The way back for a frame still marked (arch/run.h): its ES and DS are
; UDATA_SEL, which the kernel's are already (SAVE_FRAME); EIP to EDX, ESP
; to ECX, the flags by popf (IF is clear in a marked frame), then sti,
; whose one-instruction delay keeps interrupts out until sysexit is done.
arch_sysexit_frame:
	pop gs
	pop fs
	add esp, 8
	popa
	mov edx, [esp + 8]
	mov ecx, [esp + 20]
	add esp, 16
	popf
	sti
	sysexit

arch_iret_frame:
restore_frame:
	pop gs
	pop fs
	pop es
	pop ds
	popa
	add esp, 8
	iret

section .rodata
align 4
isr_table:
%assign v 0
%rep 50
	dd isr_ %+ v
%assign v v+1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
