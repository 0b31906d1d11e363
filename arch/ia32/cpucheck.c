/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CPU check at boot: the first thing kernel_main does after it can
 * print.  A processor that lacks what Lent needs (cpuneeds.c) is refused
 * in words on the serial line and the machine stops, instead of taking a
 * fault at the first instruction it does not have (with no IDT yet: a
 * triple fault and a silent reset).  boot.asm maps the kernel with 4 KB
 * pages, which every IA-32 CPU has; 4 MB pages are switched on here, once
 * the CPU is known to have them, before arch_paging_init uses them.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/cpucheck.h>
#include <kernel/kprintf.h>

#define CR4_PSE 0x10u

void arch_cpu_check(void)
{
	uint32_t a = 0, b, c, d = 0;
	bool has_cpuid = cpuid_present();
	char text[CPU_REFUSAL_MAX];

	if (has_cpuid)
		cpuid(0, &a, &b, &c, &d);
	/* Leaf 1 (the feature flags) is there only if leaf 0 says so. */
	d = 0;
	if (has_cpuid && a >= 1)
		cpuid(1, &a, &b, &c, &d);
	if (cpu_refusal(has_cpuid, d, text, sizeof(text))) {
		kputs(text);
		arch_shutdown(CPU_REFUSED_EXIT);
	}
	write_cr4(read_cr4() | CR4_PSE);
}
