/* SPDX-License-Identifier: BSD-2-Clause */
/* 16550 UART on COM1, 115200 8N1, polled: the kernel's only console. */
#include <arch/arch.h>
#include <arch/cpu.h>

#define COM1 0x3F8

void arch_console_init(void)
{
	outb(COM1 + 1, 0x00);      /* no UART interrupts: we poll */
	outb(COM1 + 3, 0x80);      /* DLAB on */
	outb(COM1 + 0, 0x01);      /* divisor 1 = 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);      /* 8N1, DLAB off */
	outb(COM1 + 2, 0xC7);      /* FIFOs on and cleared */
	outb(COM1 + 4, 0x03);      /* DTR, RTS */
}

void arch_console_putc(char c)
{
	if (c == '\n')
		arch_console_putc('\r');
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

int arch_console_getc(void)
{
	if (inb(COM1 + 5) & 0x01)
		return inb(COM1);
	return -1;
}
