/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TEST HOOK, to be removed once I/O fpages give a task the RTC's ports:
 * KmemControl LENT_KMEM_RTC_TEST lets a privileged task (sigma0, the
 * root task) read or write one of the MC146818 RTC's control registers
 * A, B and C (through ports 0x70/0x71), which is all user/tests/t_irq.c
 * needs to make the RTC raise IRQ 8 and to end each of its interrupts.
 * Nothing else of the CMOS is reachable.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kernel/irq.h>
#include <kernel/syscall.h>
#include <kernel/space.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define RTC_REG_A  0x0A
#define RTC_REG_C  0x0C

/* arg: register in bits 0..7, value in bits 8..15, write in bit 16.
 * Returns the register's value (after a write, the value written). */
word_t sys_rtc_test(tcb_t *t, tid_t task, word_t arg)
{
	uint8_t reg = (uint8_t)arg, value = (uint8_t)(arg >> 8);

	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (!tid_is_nil(task) || reg < RTC_REG_A || reg > RTC_REG_C || (arg >> 17))
		return sys_fail(t, ERR_INVALID_PARAM);
	outb(CMOS_INDEX, reg);
	if (arg & (1u << 16)) {
		outb(CMOS_DATA, value);
		return value;
	}
	return inb(CMOS_DATA);
}
