/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A thread's user register frame.  It lives inside the TCB: the TSS points
 * ESP0 just past it, so the CPU and the entry stubs push a thread's
 * registers straight into its own TCB on every kernel entry, and the exit
 * path pops them from there.  The order below is the push order reversed.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <kernel/types.h>

typedef struct arch_context {
	uint32_t gs, fs, es, ds;                          /* pushed by the stub */
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax; /* pusha */
	uint32_t vector, error;                           /* stub / CPU */
	uint32_t eip, cs, eflags, esp, ss;                /* CPU, from user mode */
} arch_context_t;

/* Per-thread hardware state beyond the registers: the x87/MMX/SSE state,
 * switched lazily (the first FPU instruction after a switch traps).  It
 * lives in the TCB body (a page the task's kpager lends), not in the
 * resident part: fxsave's 512-byte image where the CPU has FXSR and SSE,
 * else fnsave's 108 bytes in the same place (arch/ia32/fpu.c). */
#define FPU_STATE_BYTES 512
typedef struct arch_thread {
	uint32_t utcb_desc[2];     /* GDT descriptor whose base is the UTCB */
	uint8_t fpu[FPU_STATE_BYTES] __attribute__((aligned(16)));  /* fxsave needs 16 */
	uint8_t fpu_used;
} arch_thread_t;

/* The error slot of a frame that sysenter built (arch/ia32/sysenter.c):
 * no CPU error code has bit 31.  Such a frame keeps IF clear in its
 * EFLAGS (sysexit's way out sets it: entry.asm); the thread has it set,
 * and the frame does again once unmarked (arch/regs.h).  Its segment
 * and vector slots are what the entry wrote: the next sysenter writes
 * only EIP, ESP, the flags and the general registers (entry.asm), so
 * nothing may change them and keep the mark (arch_regs_check() refuses
 * a marked image with others). */
#define ARCH_ERROR_SYSENTER 0x80000000u
#define ARCH_EFLAGS_IF      0x00000200u

#define CTX_SIZE 76
_Static_assert(sizeof(arch_context_t) == CTX_SIZE, "entry.asm depends on the frame size");
_Static_assert(__builtin_offsetof(arch_context_t, vector) == 48, "entry.asm: CTX_VECTOR");
_Static_assert(__builtin_offsetof(arch_context_t, error) == 52, "entry.asm: CTX_ERROR");
_Static_assert(__builtin_offsetof(arch_context_t, eip) == 56, "entry.asm: CTX_EIP");
_Static_assert(__builtin_offsetof(arch_context_t, cs) == 60, "entry.asm: CTX_CS");
_Static_assert(__builtin_offsetof(arch_context_t, esp) == 68, "entry.asm: CTX_ESP");
_Static_assert(__builtin_offsetof(arch_context_t, eflags) == 64, "entry.asm: CTX_EFLAGS");

#endif
