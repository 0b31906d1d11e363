/* SPDX-License-Identifier: BSD-2-Clause */
/* sigma0 pays for its own kernel memory (kstore.c). */
#ifndef SIGMA0_KSTORE_H
#define SIGMA0_KSTORE_H

#include <l4/types.h>

/* At start: give the kernel's store of sigma0's kernel memory its first
 * batch of frames. */
void kstore_init(void);
/* sigma0 is about to map the 2^log2-byte fpage at base: make sure the
 * store holds what the roots the kernel may have to make for it cost,
 * with the low mark to spare. */
void kstore_keep_for(L4_Word_t base, unsigned log2);
/* sigma0 is about to map to task (a thread of it) a 2^log2-byte fpage
 * it holds already, in part or whole: make sure the store holds a sender
 * part per page (the split mapping database). */
void kstore_keep_for_again(L4_Word_t task, unsigned log2);
/* The same before count ports are mapped (io.c). */
void kstore_keep_for_ports(L4_Word_t count);
/* Free pages of the store now (KmemControl STATS). */
L4_Word_t kstore_level(void);
/* Give one more page the usual way; its address, or 0 if none. */
L4_Word_t kstore_give_one(void);

#endif
