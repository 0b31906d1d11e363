/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a thread body's external form (kernel/tcb_extern.h) needs of the
 * hardware when the kernel wires it (kernel/tcb_away.c): the FPU state
 * saved into the body, the CPU's FPU image format and MXCSR mask, and a
 * key for the seal drawn at boot.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <arch/regs_extern.h>
#include <kernel/thread.h>

void arch_fpu_release(struct tcb *t);
bool arch_fpu_fxsr(uint32_t *mask);

void arch_thread_away(struct tcb *t)
{
	arch_fpu_release(t);
	/* NT is a task-linking flag the kernel never gives; user code can
	 * set it with popf, where it only makes an iret fault.  The import
	 * refuses it, so the export leaves it out.  Bit 1 is always 1 in
	 * EFLAGS; a frame the kernel made itself (arch_context_init) may
	 * lack it, which iret ignores and the import would not. */
	t->ctx.eflags = (t->ctx.eflags & ~EFLAGS_NT) | 0x2u;
}

void arch_fpu_caps(struct arch_fpu_caps *caps)
{
	uint32_t mask;

	caps->fxsr = arch_fpu_fxsr(&mask);
	caps->mxcsr_mask = mask;
}

/* SipHash's key is kept from user level, so what matters is that a
 * kpager cannot guess it: the TSC at boot (which counts from power-on,
 * through firmware and boot loader, at a rate only this machine has),
 * mixed with CPUID's identification.  Where CPUID offers RDRAND it would
 * add more; the TSC read at four points of the mixing spreads its
 * unpredictable low bits over every word. */
void arch_boot_key(uint32_t key[4])
{
	uint32_t a = 0, b = 0, c = 0, d = 0;

	if (cpuid_present())
		cpuid(1, &a, &b, &c, &d);
	uint64_t t0 = rdtsc();
	key[0] = (uint32_t)t0 ^ a;
	key[1] = (uint32_t)(t0 >> 32) ^ b ^ 0x9E3779B9u;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t t = rdtsc();
		key[(i + 2) % 4] ^= (uint32_t)t * 0x85EBCA6Bu ^ (key[i] << 7 | key[i] >> 25);
		key[i] += c ^ d ^ (uint32_t)(t >> 13);
	}
}
