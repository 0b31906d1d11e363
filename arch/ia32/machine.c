/* SPDX-License-Identifier: BSD-2-Clause */
/* Stopping the machine and waiting for interrupts. */
#include <arch/arch.h>
#include <arch/cpu.h>

#define DEBUG_EXIT_PORT 0xF4

/* Under QEMU the isa-debug-exit device ends the emulator with status
 * (code << 1) | 1; on a real PC the write is ignored and we halt. */
void arch_shutdown(int code)
{
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	arch_halt();
}

void arch_halt(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void arch_idle_wait(void)
{
	sti_hlt_cli();
}

void arch_interrupt_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}
