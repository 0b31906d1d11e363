; SPDX-License-Identifier: BSD-2-Clause
; void boot_entry(void)  -- Multiboot entry, called in protected mode with
; paging off, EAX = magic, EBX = physical address of the Multiboot info.
; Maps the first 8 MB both at 0 and at 0xC0000000 with 4 KB pages, turns
; paging on, moves to the kernel stack and calls kernel_main(magic,
; mbi_phys).  Nothing here may need more than a 386 offers: kernel_main
; first checks the CPU (arch_cpu_check, arch/ia32/cpucheck.c), and only
; that check switches on the 4 MB pages (CR4.PSE) the kernel then uses.
; A CPU without them must hear why it is refused, not triple-fault here.

KERNEL_VIRT  equ 0xC0000000
MB_MAGIC     equ 0x1BADB002
MB_FLAGS     equ 0x00000003          ; page-align modules, want memory info
BOOT_MAP_PTS equ 2                   ; page tables of the boot map: 2 x 4 MB
PTE_PW       equ 0x003               ; present | write

section .multiboot
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)

section .boot.text
global boot_entry
extern kernel_main
extern boot_pdir
extern kernel_stack_top

; EAX and EBX carry the loader's hand-over: only ECX, EDX, EDI are used.
boot_entry:
	cli
	mov edi, boot_ptables - KERNEL_VIRT
	mov edx, PTE_PW                   ; frame 0
	mov ecx, BOOT_MAP_PTS * 1024
.fill:
	mov [edi], edx
	add edi, 4
	add edx, 0x1000
	loop .fill
	mov edi, boot_pdir - KERNEL_VIRT
	mov edx, boot_ptables - KERNEL_VIRT + PTE_PW
	mov [edi + 0*4], edx              ; 0-4 MB, at 0 and at KERNEL_VIRT
	mov [edi + 768*4], edx
	add edx, 0x1000
	mov [edi + 1*4], edx              ; 4-8 MB
	mov [edi + 769*4], edx
	mov cr3, edi
	mov ecx, cr0
	or ecx, 0x80010000                ; PG | WP
	mov cr0, ecx
	lea ecx, [higher_half]
	jmp ecx

section .text
higher_half:
	mov esp, [kernel_stack_top]
	push ebx
	push eax
	call kernel_main
.hang:
	hlt
	jmp .hang

; Only the boot map uses them: arch_paging_init replaces it with 4 MB pages.
section .bss nobits alloc noexec write align=4096
alignb 4096
boot_ptables:
	resb BOOT_MAP_PTS * 4096

section .note.GNU-stack noalloc noexec nowrite progbits
