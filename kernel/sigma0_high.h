/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where sigma0's roots of frames at or above 3 GB are kept (pure
 * arithmetic, host-tested in tests/unit/test_sigma0_high.c).
 *
 * sigma0's root of a frame below 3 GB is the mapping-database record of
 * its own page at virtual == physical.  A frame from 3 GB up has no such
 * page: sigma0's space ends at USER_LIMIT, and the database's pages from
 * there to IO_VA_END are every space's I/O ports (kernel/iofpage.h).  So
 * its root lives under a key of its own, in the stretch of sigma0's
 * database above the ports, where no space has a page or a port:
 *
 *     key = pa + (IO_VA_END - USER_LIMIT),   0xC0000000 <= pa < 0xF0000000
 *
 * 768 MB of keys; RAM from 0xF0000000 up (which no PC's firmware reports
 * below 4 GB: that is where the APICs, the firmware and the PCI windows
 * are) stays reserved.  A key is never a page of sigma0's: the kernel
 * makes no translation for it, and sigma0 names such a frame, as Pistachio's
 * sigma0 does every frame, by its physical address in its map items.
 */
#ifndef KERNEL_SIGMA0_HIGH_H
#define KERNEL_SIGMA0_HIGH_H

#include <kernel/types.h>
#include <kernel/iofpage.h>

#define S0_HIGH_PHYS      0xC0000000u   /* the first frame above sigma0's space */
#define S0_HIGH_PHYS_END  0xF0000000u   /* one past the last frame with a key */
#define S0_HIGH_KEYS      IO_VA_END     /* the first key: just above the ports */
#define S0_HIGH_SLOT      (S0_HIGH_KEYS >> 22)                  /* its 4 MB slot */
#define S0_HIGH_SLOTS     ((S0_HIGH_PHYS_END - S0_HIGH_PHYS) >> 22) /* 192 */

_Static_assert(S0_HIGH_KEYS == 0xD0000000u, "the keys start where the ports end");
_Static_assert(S0_HIGH_SLOT + S0_HIGH_SLOTS == 1024u, "the keys end at 4 GB");

/* RAM below this is sigma0's to hand out (the rest is reserved). */
#define SIGMA0_RAM_END    S0_HIGH_PHYS_END
/* Has the frame at pa (page-aligned or not) a key? */
static inline bool s0_high_phys_is(uint32_t pa)
{
	return pa >= S0_HIGH_PHYS && pa < S0_HIGH_PHYS_END;
}
/* Is va one of those keys (in sigma0's database; in no other)? */
static inline bool s0_high_key_is(uint32_t va)
{
	return va >= S0_HIGH_KEYS;
}
static inline uint32_t s0_high_key(uint32_t pa)
{
	return pa + (S0_HIGH_KEYS - S0_HIGH_PHYS);
}
static inline uint32_t s0_high_key_phys(uint32_t key)
{
	return key - (S0_HIGH_KEYS - S0_HIGH_PHYS);
}

/* What a map item of sigma0's names at pa (an address from 3 GB up):
 * the frame's key, or 0 where the frame has none. */
static inline uint32_t s0_key_of(uint32_t pa)
{
	return s0_high_phys_is(pa) ? s0_high_key(pa) : 0;
}

#endif
