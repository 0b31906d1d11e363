/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lazy FPU switching: the FPU keeps the state of its last user, and
 * CR0.TS makes anyone else's first FPU instruction trap (#NM), at which
 * point the state changes hands.  Without this, one task could read and
 * corrupt another's floating-point registers.  The kernel itself never
 * touches the FPU (it is built with -mno-80387).
 *
 * Where CPUID reports FXSR and SSE, CR4.OSFXSR enables the SSE
 * instructions and their state, CR4.OSXMMEXCPT makes an unmasked SIMD
 * floating-point exception #XM (19) instead of #UD, and the state that
 * changes hands is fxsave's 512 bytes: x87, MMX, XMM0-7 and MXCSR
 * (Intel SDM vol. 3A, 13.1 and 13.4).  Otherwise (a Pentium) it is
 * fnsave's 108 bytes of x87/MMX state, and SSE instructions stay #UD.
 * A thread's first use loads a clean state, never what the FPU held.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <kernel/thread.h>
#include <kernel/string.h>

#define CR0_MP 0x02u
#define CR0_EM 0x04u
#define CR0_TS 0x08u
#define CR0_NE 0x20u
#define CR4_OSFXSR     0x200u
#define CR4_OSXMMEXCPT 0x400u
#define CPUID_FXSR 24
#define CPUID_SSE  25

/* The state after FNINIT, plus MXCSR's power-on value (all SIMD
 * exceptions masked, round to nearest), in each image's layout. */
#define FCW_INIT   0x037Fu
#define MXCSR_INIT 0x1F80u

struct tcb *arch_fpu_owner;
bool arch_fpu_ts_clear;
static bool use_fxsr;
static uint32_t mxcsr_mask;    /* the CPU's, from fxsave (0: none given) */
static uint8_t clean_state[FPU_STATE_BYTES] __attribute__((aligned(16)));

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v)); }

static void state_save(uint8_t *img)
{
	if (use_fxsr)
		__asm__ volatile("fxsave %0" : "=m"(*(uint8_t (*)[FPU_STATE_BYTES])img));
	else
		__asm__ volatile("fnsave %0" : "=m"(*(uint8_t (*)[108])img));
}

static void state_load(const uint8_t *img)
{
	if (use_fxsr)
		__asm__ volatile("fxrstor %0" :: "m"(*(const uint8_t (*)[FPU_STATE_BYTES])img));
	else
		__asm__ volatile("frstor %0" :: "m"(*(const uint8_t (*)[108])img));
}

/* The clean image: control word as FNINIT leaves it, every register
 * empty and zero; with fxsave's layout MXCSR at byte 24 and the abridged
 * tag word (byte 4) 0 for empty, with fnsave's the full tag word (byte
 * 8) all ones for empty. */
static void clean_state_init(void)
{
	uint16_t fcw = FCW_INIT, ftw = 0xFFFF;
	uint32_t mxcsr = MXCSR_INIT;

	memset(clean_state, 0, sizeof(clean_state));
	memcpy(clean_state, &fcw, sizeof(fcw));
	if (use_fxsr)
		memcpy(clean_state + 24, &mxcsr, sizeof(mxcsr));
	else
		memcpy(clean_state + 8, &ftw, sizeof(ftw));
}

void arch_fpu_init(void)
{
	use_fxsr = arch_cpu_has(CPUID_FXSR) && arch_cpu_has(CPUID_SSE);
	if (use_fxsr)
		write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_NE);
	__asm__ volatile("fninit");
	if (use_fxsr) {
		/* The CPU's MXCSR_MASK: bytes 28-31 of an fxsave image
		 * (Intel SDM vol. 1, 11.6.6); 0 means the default. */
		static uint8_t probe[FPU_STATE_BYTES] __attribute__((aligned(16)));
		memset(probe, 0, sizeof(probe));
		state_save(probe);
		memcpy(&mxcsr_mask, probe + 28, sizeof(mxcsr_mask));
		__asm__ volatile("fninit");
	}
	clean_state_init();
	write_cr0(read_cr0() | CR0_TS);
}

/* Clear or set CR0.TS, and remember which. */
void arch_fpu_set_ts(bool clear)
{
	uint32_t cr0 = read_cr0();

	write_cr0(clear ? (cr0 & ~CR0_TS) : (cr0 | CR0_TS));
	arch_fpu_ts_clear = clear;
}

/* #NM: hand the FPU to t. */
void arch_fpu_trap(struct tcb *t)
{
	__asm__ volatile("clts");
	arch_fpu_ts_clear = true;
	if (arch_fpu_owner == t)
		return;
	if (arch_fpu_owner)
		state_save(arch_fpu_owner->arch.fpu);
	state_load(t->arch.fpu_used ? t->arch.fpu : clean_state);
	t->arch.fpu_used = 1;
	arch_fpu_owner = t;
}

/* A dying owner's state (perhaps with an exception pending) must not
 * reach the next user: clear the FPU. */
void arch_thread_exit(struct tcb *t)
{
	if (arch_fpu_owner != t)
		return;
	__asm__ volatile("clts; fninit");
	arch_fpu_set_ts(false);
	arch_fpu_owner = NULL;
}

/* The body of t goes out: its FPU state, if live in the FPU, into it. */
void arch_fpu_release(struct tcb *t)
{
	if (arch_fpu_owner != t)
		return;
	__asm__ volatile("clts");
	state_save(t->arch.fpu);
	__asm__ volatile("fninit");
	arch_fpu_set_ts(false);
	arch_fpu_owner = NULL;
}

bool arch_fpu_fxsr(uint32_t *mask)
{
	*mask = mxcsr_mask;
	return use_fxsr;
}
