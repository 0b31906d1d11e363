/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The I/O ports Lent's kernel keeps for itself on IA-32, shared by the
 * kernel (which makes no root of them, so no task can ever hold one) and
 * sigma0 (which therefore never offers them): the 8259 interrupt
 * controllers, the 8254 timer and its channel-2 gate, and QEMU's
 * isa-debug-exit port, which stops the machine.  A task reprogramming
 * the timer or the interrupt controllers would stop the kernel's clock
 * or its interrupts.  COM1 is shared: the kernel's console and user
 * programs both write it, as under Pistachio.
 */
#ifndef LENT_IOPORTS_H
#define LENT_IOPORTS_H

static inline int lent_io_port_kernel(unsigned long port)
{
	return (port >= 0x20 && port <= 0x21) ||   /* master 8259 */
	       (port >= 0x40 && port <= 0x43) ||   /* 8254 timer */
	       port == 0x61 ||                      /* timer channel 2 gate */
	       (port >= 0xa0 && port <= 0xa1) ||   /* slave 8259 */
	       (port >= 0xf4 && port <= 0xf7);      /* isa-debug-exit */
}

#endif
