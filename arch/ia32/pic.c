/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The 8259A pair: the master's line 0 is the kernel's timer, line 2 the
 * slave's cascade, and every other line is an X.2 interrupt thread's
 * (kernel/irq.c).  A device interrupt is masked and acknowledged here,
 * then handed to the generic kernel; the line stays masked until the
 * handler acknowledges it.  Facts from Intel's 8259A data sheet: OCW3
 * reads the IRR (0x0A) or the ISR (0x0B); a request withdrawn before the
 * CPU acknowledges it comes as line 7 of the chip that lost it, with that
 * line's ISR bit clear, and takes no EOI from that chip.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <kernel/irq.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define OCW2_EOI      0x20
#define OCW3_READ_IRR 0x0A
#define OCW3_READ_ISR 0x0B
#define IRQ_TIMER   0
#define IRQ_CASCADE 2
#define KERNEL_LINES ((1u << IRQ_TIMER) | (1u << IRQ_CASCADE))

/* What the two mask registers hold: the timer and the cascade open,
 * every device line masked until a handler is associated with it. */
static uint8_t imr[2] = { (uint8_t)~KERNEL_LINES, 0xFF };

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); outb(PIC2_CMD, 0x11);     /* ICW1: edge, cascade, ICW4 */
	outb(PIC1_DATA, IRQ_BASE); outb(PIC2_DATA, IRQ_BASE + 8);
	outb(PIC1_DATA, 0x04); outb(PIC2_DATA, 0x02);   /* master/slave wiring */
	outb(PIC1_DATA, 0x01); outb(PIC2_DATA, 0x01);   /* 8086 mode */
	outb(PIC1_DATA, imr[0]); outb(PIC2_DATA, imr[1]);
}

/* The master's interrupt request register, less the masked lines (the
 * slave's unmasked requests arrive as line 2).  Kernel code runs with
 * interrupts off, so this is how a preemption point learns that one
 * waits. */
bool arch_irq_pending(void)
{
	outb(PIC1_CMD, OCW3_READ_IRR);
	return (inb(PIC1_CMD) & (uint8_t)~imr[0]) != 0;
}

void arch_pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

bool arch_irq_usable(unsigned irq)
{
	return irq < ARCH_IRQ_LINES && !((KERNEL_LINES >> irq) & 1);
}

static void imr_write(unsigned irq)
{
	outb(irq < 8 ? PIC1_DATA : PIC2_DATA, imr[irq >> 3]);
}

void arch_irq_mask(unsigned irq)
{
	imr[irq >> 3] |= (uint8_t)(1u << (irq & 7));
	imr_write(irq);
}

void arch_irq_unmask(unsigned irq)
{
	imr[irq >> 3] &= (uint8_t)~(1u << (irq & 7));
	imr_write(irq);
}

bool arch_irq_masked(unsigned irq)
{
	return (imr[irq >> 3] >> (irq & 7)) & 1;
}

static bool in_service_7(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return (inb(cmd) & 0x80) != 0;
}

/* Line irq's interrupt: a spurious one is dropped (the slave's still
 * ends the master's cascade request); a real one masks its line, which
 * only the handler's acknowledgement opens again, ends at both chips,
 * and goes to the interrupt thread. */
void pic_device_interrupt(unsigned irq)
{
	if (irq == 7 && !in_service_7(PIC1_CMD))
		return;
	if (irq == 15 && !in_service_7(PIC2_CMD)) {
		outb(PIC1_CMD, OCW2_EOI);
		return;
	}
	if (!arch_irq_usable(irq)) {          /* never the timer's vector */
		arch_pic_eoi(irq);
		return;
	}
	arch_irq_mask(irq);
	arch_pic_eoi(irq);
	irq_raise(irq);
}
