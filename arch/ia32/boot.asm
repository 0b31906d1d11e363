; SPDX-License-Identifier: BSD-2-Clause
; void boot_entry(void)  -- Multiboot entry, called in protected mode with
; paging off, EAX = magic, EBX = physical address of the Multiboot info.
; Builds a boot page directory that maps the first 8 MB both at 0 and at
; 0xC0000000 with 4 MB pages (PSE: every Pentium has it), turns paging on,
; moves to the kernel stack and calls kernel_main(magic, mbi_phys).

KERNEL_VIRT  equ 0xC0000000
MB_MAGIC     equ 0x1BADB002
MB_FLAGS     equ 0x00000003          ; page-align modules, want memory info

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

boot_entry:
	cli
	mov edi, boot_pdir - KERNEL_VIRT
	; 4 MB pages: present | write | PS
	mov dword [edi + 0*4], 0x00000083
	mov dword [edi + 1*4], 0x00400083
	mov dword [edi + 768*4], 0x00000083
	mov dword [edi + 769*4], 0x00400083
	mov ecx, cr4
	or ecx, 0x10                      ; CR4.PSE
	mov cr4, ecx
	mov cr3, edi
	mov ecx, cr0
	or ecx, 0x80010000                ; PG | WP
	mov cr0, ecx
	lea ecx, [higher_half]
	jmp ecx

section .text
higher_half:
	mov esp, kernel_stack_top
	push ebx
	push eax
	call kernel_main
.hang:
	hlt
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
