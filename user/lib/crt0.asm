; SPDX-License-Identifier: BSD-2-Clause
;
; void _start(void)
;
; Entry of every Lent user program.  The kernel starts the first thread
; here with every register zero and no stack: take the stack in .bss, aim
; the system-call entries at the KIP, run main(0, NULL, NULL), and if
; main returns, block for good in __L4_Exit(status).

bits 32

CRT0_STACK_SIZE equ 16384

extern __L4_InitSyscalls
extern __L4_Exit
extern main

section .text
global _start
_start:
	mov	esp, crt0_stack_top
	xor	ebp, ebp
	cld
	call	__L4_InitSyscalls
	sub	esp, 4			; keep esp 16-byte aligned at the call
	push	0			; envp
	push	0			; argv
	push	0			; argc
	call	main
	add	esp, 16
	push	eax
	call	__L4_Exit
.hang:
	jmp	.hang

section .bss
align 16
crt0_stack:
	resb	CRT0_STACK_SIZE
crt0_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
