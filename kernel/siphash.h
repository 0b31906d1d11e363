/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit message
 * authentication code for short inputs.  The kernel seals with it the
 * parts of an exported page that a kpager may read but must not change
 * (kernel/tcb_extern.c; the paper's section 2.2 names sealing as the way
 * to export sensitive data).  Pure C: built for the kernel and the host.
 */
#ifndef KERNEL_SIPHASH_H
#define KERNEL_SIPHASH_H

#include <kernel/types.h>

/* The 128-bit key, as the algorithm reads it: bytes 0-7 and 8-15 of the
 * key, each a little-endian 64-bit word. */
typedef struct siphash_key {
	uint64_t k0, k1;
} siphash_key_t;

uint64_t siphash24(const siphash_key_t *key, const void *data, size_t len);

#endif
