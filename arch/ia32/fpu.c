/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lazy x87/MMX switching: the FPU keeps the state of its last user, and
 * CR0.TS makes anyone else's first FPU instruction trap (#NM), at which
 * point the state changes hands.  Without this, one task could read and
 * corrupt another's floating-point registers.  The kernel itself never
 * touches the FPU (it is built with -mno-80387).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kernel/thread.h>

#define CR0_MP 0x02u
#define CR0_EM 0x04u
#define CR0_TS 0x08u
#define CR0_NE 0x20u

static struct tcb *fpu_owner;

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v)); }

void arch_fpu_init(void)
{
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_NE);
	__asm__ volatile("fninit");
	write_cr0(read_cr0() | CR0_TS);
}

/* On every switch: only the owner may use the FPU without a trap. */
void arch_fpu_switch(struct tcb *t)
{
	uint32_t cr0 = read_cr0();
	uint32_t want = t == fpu_owner ? (cr0 & ~CR0_TS) : (cr0 | CR0_TS);

	if (want != cr0)
		write_cr0(want);
}

/* #NM: hand the FPU to t. */
void arch_fpu_trap(struct tcb *t)
{
	__asm__ volatile("clts");
	if (fpu_owner == t)
		return;
	if (fpu_owner)
		__asm__ volatile("fnsave %0" : "=m"(fpu_owner->arch.fpu));
	if (t->arch.fpu_used)
		__asm__ volatile("frstor %0" :: "m"(t->arch.fpu));
	else
		__asm__ volatile("fninit");
	t->arch.fpu_used = 1;
	fpu_owner = t;
}

/* A dying owner's state (perhaps with an exception pending) must not
 * reach the next frstor: clear the FPU. */
void arch_thread_exit(struct tcb *t)
{
	if (fpu_owner != t)
		return;
	__asm__ volatile("clts; fninit");
	write_cr0(read_cr0() | CR0_TS);
	fpu_owner = NULL;
}
