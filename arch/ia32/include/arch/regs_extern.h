/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IA-32 part of a thread body's external form (kernel/tcb_extern.h):
 * the user registers and the FPU image, in a block of ARCH_REGS_XBYTES
 * that the generic form holds without looking inside.  Pure C (built
 * for the kernel and the host, arch/ia32/regs_extern.c); the layout is
 * in docs/tcb-external-form.md.
 */
#ifndef ARCH_REGS_EXTERN_H
#define ARCH_REGS_EXTERN_H

#include <kernel/types.h>
#include <arch/context.h>
#include <arch/regs.h>

/* Byte offsets in the block. */
#define ARCH_RX_GPR       0     /* eax ecx edx ebx esp ebp esi edi: 8 x u32 */
#define ARCH_RX_EIP       32
#define ARCH_RX_EFLAGS    36
#define ARCH_RX_SEG       40    /* cs ss ds es fs gs: 6 x u16 */
#define ARCH_RX_VECTOR    52    /* u8: the thread's last trap */
#define ARCH_RX_FPU_FMT   53    /* u8: enum arch_fpu_format */
#define ARCH_RX_PAD0      54    /* u16, zero */
#define ARCH_RX_ERROR     56    /* u32: the last trap's error code */
#define ARCH_RX_PAD1      60    /* u32, zero */
#define ARCH_RX_FPU       64    /* the FPU image: FPU_STATE_BYTES */
#define ARCH_REGS_XBYTES  (ARCH_RX_FPU + FPU_STATE_BYTES)

/* What the FPU image is. */
enum arch_fpu_format {
	ARCH_FPU_UNUSED,   /* the thread never used the FPU: image all zero */
	ARCH_FPU_FNSAVE,   /* fnsave's 108 bytes, the rest zero (no FXSR) */
	ARCH_FPU_FXSAVE,   /* fxsave's 512 bytes (FXSR and SSE) */
	ARCH_FPU_FORMATS
};
#define ARCH_FNSAVE_BYTES 108
/* MXCSR in an fxsave image, and the mask of its bits the CPU has when
 * CPUID or the image does not say (Intel SDM vol. 1, 11.6.6: DAZ is the
 * bit older SSE CPUs lack). */
#define ARCH_FXSAVE_MXCSR 24
#define ARCH_MXCSR_MASK_DEFAULT 0xFFBFu

/* What the CPU takes: FXSR (fxsave images) or not, and its MXCSR_MASK
 * (0: the default). */
typedef struct arch_fpu_caps {
	bool fxsr;
	uint32_t mxcsr_mask;
} arch_fpu_caps_t;

/* Why arch_regs_check() refused a block. */
enum arch_regs_fault {
	ARCH_RX_OK,
	ARCH_RX_BAD_CS,          /* not the user code selector */
	ARCH_RX_BAD_SS,          /* not the user data selector */
	ARCH_RX_BAD_DATA_SEL,    /* DS, ES, FS or GS: one user code cannot load */
	ARCH_RX_BAD_EFLAGS,      /* IF clear, or a bit user level never holds */
	ARCH_RX_BAD_FPU_FORMAT,  /* not a format, or not this CPU's */
	ARCH_RX_BAD_MXCSR,       /* bits fxrstor would fault on */
	ARCH_RX_BAD_FPU_IMAGE,   /* bytes past an fnsave image, or an unused
	                          * FPU's image, not zero */
	ARCH_RX_BAD_PAD,         /* a padding field not zero */
};

/* The EFLAGS bits a thread may hold at CPL 3 with IOPL 0: what user
 * code sets (ARCH_USER_FLAGS), AC and ID (POPF sets them at any CPL),
 * RF (the CPU sets it in the frame of every fault), IF (the kernel keeps
 * it set) and bit 1 (always 1). */
#define ARCH_EFLAGS_ALWAYS   0x00000202u   /* bit 1 and IF */
#define ARCH_EFLAGS_ALLOWED  (ARCH_EFLAGS_ALWAYS | ARCH_USER_FLAGS | 0x00010000u | \
			      0x00040000u | 0x00200000u)

/* Write c's registers and the FPU image a (fpu_used: its format, by
 * caps) into the block at out.  Cannot fail.  The FPU image must be the
 * thread's current one: save the FPU's first if the thread owns it. */
void arch_regs_export(const arch_context_t *c, const arch_thread_t *a,
		      const arch_fpu_caps_t *caps, uint8_t *out);
/* Validate: ARCH_RX_OK or the first rule broken.  Pure. */
enum arch_regs_fault arch_regs_check(const uint8_t *in, const arch_fpu_caps_t *caps);
/* Load a block arch_regs_check() accepted into c and a: the registers,
 * the image and fpu_used.  Cannot fail; utcb_desc is not touched. */
void arch_regs_apply(const uint8_t *in, arch_context_t *c, arch_thread_t *a);

#endif
