/* SPDX-License-Identifier: BSD-2-Clause */
/* What the kernel debugger (kernel/kdb*.c) asks of the hardware: which
 * kernel addresses are mapped, a thread's registers by name, and a pause
 * while it polls the serial line. */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kernel/kprintf.h>

#define PDE_P  0x001u
#define PDE_PS 0x080u

/* Asked of the page directory the MMU uses now (the kernel half is the
 * same in every space: 4 MB pages of the physical-memory window), with
 * a 4 KB table followed too, should the kernel half ever have one. */
bool arch_kernel_readable(uint32_t va)
{
	const uint32_t *pdir = phys_to_virt(read_cr3() & PAGE_MASK);
	uint32_t pde;

	if (va < KERNEL_VIRT)
		return false;
	pde = pdir[va >> 22];
	if (!(pde & PDE_P))
		return false;
	if (pde & PDE_PS)
		return true;
	if ((pde & PAGE_MASK) >= PHYSMAP_LIMIT)
		return false;
	return (((const uint32_t *)phys_to_virt(pde & PAGE_MASK))[(va >> 12) & 1023] & PDE_P) != 0;
}

void arch_kdb_print_regs(const arch_context_t *c)
{
	kprintf("eip %08x  esp %08x  eflags %08x  (last trap %u, error %x)\n", c->eip, c->esp,
		c->eflags, c->vector, c->error);
	kprintf("eax %08x  ebx %08x  ecx %08x  edx %08x\n", c->eax, c->ebx, c->ecx, c->edx);
	kprintf("esi %08x  edi %08x  ebp %08x\n", c->esi, c->edi, c->ebp);
	kprintf("cs %04x  ss %04x  ds %04x  es %04x  fs %04x  gs %04x\n", c->cs, c->ss, c->ds,
		c->es, c->fs, c->gs);
}

/* rep; nop: PAUSE on CPUs that know it, a plain NOP on a Pentium. */
void arch_cpu_relax(void)
{
	__asm__ volatile("rep; nop" ::: "memory");
}
