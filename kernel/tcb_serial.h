/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The serials of thread bodies' exports (kernel/tcb_away.c), and the key
 * each is sealed with.  A serial is an epoch (kept resident with the
 * thread away, 8 bits) and a count within it (32 bits, in the form and
 * resident).  The seal's key is derived from the boot key and the epoch,
 * so that a form of an earlier epoch whose count comes round again is
 * refused for its seal (a replay, docs/kernel-memory.md "Thread
 * bodies").  After the last count of the last epoch no serial is left:
 * the kernel then keeps TCB pages instead of taking them back, so a
 * serial never comes round to one given before.  Pure C: built for the
 * kernel and the host (tests/unit/test_tcb_serial.c).
 */
#ifndef KERNEL_TCB_SERIAL_H
#define KERNEL_TCB_SERIAL_H

#include <kernel/types.h>
#include <kernel/siphash.h>

#define TCB_SERIAL_EPOCHS 256u

typedef struct tcb_serial {
	uint32_t count;               /* the last given in this epoch; 0: none yet */
	uint8_t epoch;
} tcb_serial_t;

/* Can s give n more serials? */
bool tcb_serial_room(const tcb_serial_t *s, uint32_t n);
/* The next serial, into s (only where tcb_serial_room() said so). */
void tcb_serial_next(tcb_serial_t *s);
/* The sealing key of epoch `epoch`, derived from the boot key. */
siphash_key_t tcb_serial_key(const siphash_key_t *boot, uint8_t epoch);

#endif
