/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The user registers and FPU image of an exported thread body
 * (arch/regs_extern.h).  They are the thread's own and safe to show its
 * kpager (the paper, section 3.4); what a kpager writes back is loaded
 * by the exit path (pop of the data selectors at CPL 0, then iret) and by
 * frstor/fxrstor, so the check admits exactly what user code at CPL 3
 * could have put there itself, and nothing either instruction faults on.
 */
#include <arch/regs_extern.h>
#include <arch/segments.h>
#include <kernel/extern_le.h>
#include <kernel/string.h>

/* Where the block's general registers and selectors sit in the frame. */
#define CTX_OFF(f) ((uint8_t)__builtin_offsetof(arch_context_t, f))
static const uint8_t gpr_off[8] = {
	CTX_OFF(eax), CTX_OFF(ecx), CTX_OFF(edx), CTX_OFF(ebx),
	CTX_OFF(esp), CTX_OFF(ebp), CTX_OFF(esi), CTX_OFF(edi),
};
static const uint8_t seg_off[6] = {
	CTX_OFF(cs), CTX_OFF(ss), CTX_OFF(ds), CTX_OFF(es), CTX_OFF(fs), CTX_OFF(gs),
};

static uint32_t ctx_get(const arch_context_t *c, uint8_t off)
{
	return *(const uint32_t *)((const uint8_t *)c + off);
}

static void ctx_set(arch_context_t *c, uint8_t off, uint32_t v)
{
	*(uint32_t *)((uint8_t *)c + off) = v;
}

void arch_regs_export(const arch_context_t *c, const arch_thread_t *a,
		      const arch_fpu_caps_t *caps, uint8_t *out)
{
	memset(out, 0, ARCH_REGS_XBYTES);
	for (unsigned i = 0; i < 8; i++)
		le32_put(out + ARCH_RX_GPR + 4 * i, ctx_get(c, gpr_off[i]));
	le32_put(out + ARCH_RX_EIP, c->eip);
	/* The thread's flags: a marked frame keeps IF clear (context.h). */
	le32_put(out + ARCH_RX_EFLAGS, c->error == ARCH_ERROR_SYSENTER ? c->eflags | ARCH_EFLAGS_IF
								       : c->eflags);
	/* A pushed selector's upper half is not defined: only the low 16. */
	for (unsigned i = 0; i < 6; i++)
		le16_put(out + ARCH_RX_SEG + 2 * i, (uint16_t)ctx_get(c, seg_off[i]));
	out[ARCH_RX_VECTOR] = (uint8_t)c->vector;
	le32_put(out + ARCH_RX_ERROR, c->error);
	if (!a->fpu_used) {
		out[ARCH_RX_FPU_FMT] = ARCH_FPU_UNUSED;
	} else if (caps->fxsr) {
		out[ARCH_RX_FPU_FMT] = ARCH_FPU_FXSAVE;
		memcpy(out + ARCH_RX_FPU, a->fpu, FPU_STATE_BYTES);
	} else {
		out[ARCH_RX_FPU_FMT] = ARCH_FPU_FNSAVE;
		memcpy(out + ARCH_RX_FPU, a->fpu, ARCH_FNSAVE_BYTES);
	}
}

/* A data selector user code can load: a null one, or any of the three
 * DPL 3 descriptors with any RPL (loading checks max(CPL, RPL) <= DPL,
 * which holds for every RPL at DPL 3, and the code descriptor is
 * readable).  Each of them pops at CPL 0 without a fault; iret then
 * keeps them.  The TSS, the kernel's and any LDT selector are refused. */
static bool user_data_selector(uint16_t sel)
{
	uint16_t index = sel & ~3u;

	return index == 0 || index == (SEL_UCODE & ~3u) || index == (SEL_UDATA & ~3u) ||
	       index == (SEL_UTCB & ~3u);
}

static enum arch_regs_fault fpu_check(const uint8_t *in, const arch_fpu_caps_t *caps)
{
	uint8_t fmt = in[ARCH_RX_FPU_FMT];
	const uint8_t *img = in + ARCH_RX_FPU;

	if (fmt >= ARCH_FPU_FORMATS)
		return ARCH_RX_BAD_FPU_FORMAT;
	if (fmt == ARCH_FPU_UNUSED)
		return extern_zero(img, FPU_STATE_BYTES) ? ARCH_RX_OK : ARCH_RX_BAD_FPU_IMAGE;
	/* Each CPU takes one format: fxrstor of an fnsave image, or frstor
	 * of an fxsave one, would load garbage. */
	if ((fmt == ARCH_FPU_FXSAVE) != caps->fxsr)
		return ARCH_RX_BAD_FPU_FORMAT;
	if (fmt == ARCH_FPU_FNSAVE)
		return extern_zero(img + ARCH_FNSAVE_BYTES, FPU_STATE_BYTES - ARCH_FNSAVE_BYTES) ?
		       ARCH_RX_OK : ARCH_RX_BAD_FPU_IMAGE;
	/* fxrstor raises #GP for an MXCSR bit the CPU does not have (Intel
	 * SDM vol. 1, 11.6.6): at CPL 0, in the kernel's #NM handler. */
	uint32_t mask = caps->mxcsr_mask ? caps->mxcsr_mask : ARCH_MXCSR_MASK_DEFAULT;
	if (le32_get(img + ARCH_FXSAVE_MXCSR) & ~mask)
		return ARCH_RX_BAD_MXCSR;
	return ARCH_RX_OK;
}

enum arch_regs_fault arch_regs_check(const uint8_t *in, const arch_fpu_caps_t *caps)
{
	/* iret to CPL 3 needs CS and SS of RPL 3 and DPL 3: exactly the
	 * user selectors (any other faults in the kernel's exit path). */
	if (le16_get(in + ARCH_RX_SEG) != SEL_UCODE)
		return ARCH_RX_BAD_CS;
	if (le16_get(in + ARCH_RX_SEG + 2) != SEL_UDATA)
		return ARCH_RX_BAD_SS;
	for (unsigned i = 2; i < 6; i++)
		if (!user_data_selector(le16_get(in + ARCH_RX_SEG + 2 * i)))
			return ARCH_RX_BAD_DATA_SEL;
	/* A frame marked as a sysenter's leaves by sysexit with the kernel's
	 * DS and ES, the flat user selector (entry.asm), and its next
	 * sysenter keeps its FS, GS and vector slots: all are what its entry
	 * wrote (context.h), and one marked with others would not come back
	 * as it went. */
	if (le32_get(in + ARCH_RX_ERROR) == ARCH_ERROR_SYSENTER &&
	    (le16_get(in + ARCH_RX_SEG + 4) != SEL_UDATA || le16_get(in + ARCH_RX_SEG + 6) != SEL_UDATA ||
	     le16_get(in + ARCH_RX_SEG + 8) != SEL_UDATA || le16_get(in + ARCH_RX_SEG + 10) != SEL_UTCB ||
	     in[ARCH_RX_VECTOR] != VEC_SYSCALL_IPC))
		return ARCH_RX_BAD_DATA_SEL;
	uint32_t fl = le32_get(in + ARCH_RX_EFLAGS);
	if ((fl & ARCH_EFLAGS_ALWAYS) != ARCH_EFLAGS_ALWAYS || (fl & ~ARCH_EFLAGS_ALLOWED))
		return ARCH_RX_BAD_EFLAGS;
	if (le16_get(in + ARCH_RX_PAD0) || le32_get(in + ARCH_RX_PAD1))
		return ARCH_RX_BAD_PAD;
	return fpu_check(in, caps);
}

void arch_regs_apply(const uint8_t *in, arch_context_t *c, arch_thread_t *a)
{
	for (unsigned i = 0; i < 8; i++)
		ctx_set(c, gpr_off[i], le32_get(in + ARCH_RX_GPR + 4 * i));
	c->esp_unused = 0;
	c->eip = le32_get(in + ARCH_RX_EIP);
	c->eflags = le32_get(in + ARCH_RX_EFLAGS);
	if (le32_get(in + ARCH_RX_ERROR) == ARCH_ERROR_SYSENTER)
		c->eflags &= ~ARCH_EFLAGS_IF;   /* a marked frame keeps it clear: context.h */
	for (unsigned i = 0; i < 6; i++)
		ctx_set(c, seg_off[i], le16_get(in + ARCH_RX_SEG + 2 * i));
	c->vector = in[ARCH_RX_VECTOR];
	c->error = le32_get(in + ARCH_RX_ERROR);
	memcpy(a->fpu, in + ARCH_RX_FPU, FPU_STATE_BYTES);
	a->fpu_used = in[ARCH_RX_FPU_FMT] != ARCH_FPU_UNUSED;
}
