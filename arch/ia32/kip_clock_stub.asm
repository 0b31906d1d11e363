; SPDX-License-Identifier: BSD-2-Clause
; The SystemClock stub that runs in user mode, without entering the
; kernel, on a CPU with a time-stamp counter.  kip_clock.c copies the
; bytes from kip_clock_stub to kip_clock_stub_end into the KIP and fills
; the four data words at its end; user code calls the copy:
;
;   uint64_t SystemClock(void)      -- EDX:EAX, every other register kept
;
; It computes what arch_time_us() computes in the kernel, with the same
; numbers:  ((rdtsc - base) * mult) >> shift,  shift >= 32, as
;   (hi(c) * mult + ((lo(c) * mult) >> 32)) >> (shift - 32).
; The KIP lies at a different address in every space, so the data words
; are found relative to the code (call/pop).

global kip_clock_stub, kip_clock_stub_end
global kip_clock_data_offset

section .rodata
align 16
kip_clock_stub:
	push	ebx
	push	ecx
	push	esi
	push	edi
	call	.here
.here:	pop	esi
	rdtsc
	sub	eax, [esi + (.base - .here)]
	sbb	edx, [esi + (.base - .here) + 4]
	mov	ebx, edx			; hi(c)
	mul	dword [esi + (.mult - .here)]	; lo(c) * mult
	mov	edi, edx			; its upper half
	mov	eax, ebx
	mul	dword [esi + (.mult - .here)]	; hi(c) * mult
	add	eax, edi
	adc	edx, 0
	mov	ecx, [esi + (.shift - .here)]	; shift - 32, 0 .. 30
	shrd	eax, edx, cl
	shr	edx, cl
	pop	edi
	pop	esi
	pop	ecx
	pop	ebx
	ret
align 16
; Filled in the KIP by kip_clock.c (struct kip_clock_data).
.base:	dd	0, 0			; TSC value at clock 0
.mult:	dd	0			; microseconds per tick, 0.shift fixed point
.shift:	dd	0			; shift - 32
kip_clock_stub_end:

; Where the data words start, from the stub's first byte.
kip_clock_data_offset:
	dd	kip_clock_stub.base - kip_clock_stub

section .note.GNU-stack noalloc noexec nowrite progbits
