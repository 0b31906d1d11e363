; SPDX-License-Identifier: BSD-2-Clause
; Trap, interrupt and system-call entry; the exit to user mode.
;
;   void isr_N(void)                          -- one stub per vector
;   void arch_return_to_user(arch_context_t *ctx)   -- never returns
;
; A trap from user mode lands with ESP0 just past the current thread's
; arch_context_t (inside its TCB), so the pushes below fill that frame.
; Then we switch to the single kernel stack and call trap_from_user(),
; which never returns: it leaves through arch_return_to_user() for
; whichever thread should run next.  A trap from kernel mode (only the
; idle loop takes interrupts) stays on the kernel stack and irets.

extern trap_from_user
extern ipc_fast_entry
extern trap_from_kernel
extern kernel_stack_top
global arch_return_to_user
global restore_frame           ; arch/run.h leaves by it
global isr_table

CTX_CS     equ 60          ; offsetof(arch_context_t, cs), asserted in context.h
CTX_EFLAGS equ 64
CTX_SIZE   equ 76
EFLAGS_VM  equ 0x20000
KDATA_SEL  equ 0x10

%macro ISR 1
%if %1 != 0x30                  ; VEC_SYSCALL_IPC: isr_48 below
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

section .text
%assign v 0
%rep 50
ISR v
%assign v v+1
%endrep

trap_common:
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, KDATA_SEL
	mov ds, ax
	mov es, ax
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

; Ipc and Lipc (VEC_SYSCALL_IPC), the IPC fast path's way in
; (kernel/ipc_fast.c; it goes on to trap_from_user() where it does not
; apply): trap_common's work without its tests that cannot fail here.
; Only user code executes int $0x30 (the kernel never does, and no
; interrupt or exception has that vector), so the trap is from user mode;
; from virtual-8086 mode it is trap_common's.
isr_48:
	push dword 0
	push dword 0x30
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, KDATA_SEL
	mov ds, ax
	mov es, ax
	test dword [esp + CTX_EFLAGS], EFLAGS_VM
	jnz trap_common.from_vm86
	mov esp, [kernel_stack_top]
	cld
	call ipc_fast_entry
	; not reached

arch_return_to_user:
	mov esp, [esp + 4]
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
