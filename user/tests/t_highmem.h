/* SPDX-License-Identifier: BSD-2-Clause */
/* What t_highmem.c shares with t_highmem4g.c: RAM by the boot loader's
 * word and by the KIP's. */
#ifndef T_HIGHMEM_H
#define T_HIGHMEM_H

#include <l4/types.h>

/* Bytes of available RAM (Multiboot type 1) in [lo, hi) by the boot
 * loader's memory map, and of other ranges there in *other; -1 if the
 * map cannot be read. */
long long hm_mbi_ram(L4_Word_t lo, unsigned long long hi, unsigned long long *other);
/* Bytes in [lo, hi) that the KIP's physical descriptors (the last one
 * covering a page wins) give the type `type`, counted page by page. */
unsigned long long hm_kip_bytes(L4_Word_t lo, unsigned long long hi, L4_Word_t type);
/* One past the highest byte of conventional memory the KIP describes. */
L4_Word_t hm_top(void);

#endif
