/* SPDX-License-Identifier: BSD-2-Clause */
/* The 8254 PIT drives the scheduler tick and the system clock. */
#include <arch/arch.h>
#include <arch/cpu.h>

#define PIT_HZ 1193182u

static volatile uint64_t ticks;
static unsigned period_us;

void arch_timer_init(unsigned hz)
{
	uint32_t div = PIT_HZ / hz;

	period_us = 1000000u / hz;
	outb(0x43, 0x34);                 /* channel 0, lo/hi, rate generator */
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
}

void arch_timer_tick(void) { ticks++; }
unsigned arch_timer_period_us(void) { return period_us; }
uint64_t arch_time_us(void) { return ticks * period_us; }
