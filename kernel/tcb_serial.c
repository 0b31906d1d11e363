/* SPDX-License-Identifier: BSD-2-Clause */
/* The serials of thread bodies' exports and their keys (kernel/tcb_serial.h). */
#include <kernel/tcb_serial.h>

#define COUNTS_PER_EPOCH 0xFFFFFFFFull    /* counts 1 .. 2^32 - 1 */

bool tcb_serial_room(const tcb_serial_t *s, uint32_t n)
{
	uint64_t left = (uint64_t)(TCB_SERIAL_EPOCHS - 1u - s->epoch) * COUNTS_PER_EPOCH +
			(COUNTS_PER_EPOCH - s->count);

	return left >= n;
}

void tcb_serial_next(tcb_serial_t *s)
{
	if (s->count == 0xFFFFFFFFu) {
		s->epoch++;
		s->count = 1;
	} else {
		s->count++;
	}
}

siphash_key_t tcb_serial_key(const siphash_key_t *boot, uint8_t epoch)
{
	/* Two words of a PRF under the boot key, one input each. */
	uint8_t in[4] = { 'T', 'K', epoch, 0 };
	siphash_key_t k;

	k.k0 = siphash24(boot, in, sizeof in);
	in[3] = 1;
	k.k1 = siphash24(boot, in, sizeof in);
	return k;
}
