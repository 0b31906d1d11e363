/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IA-32 specifics beyond the generic API: I/O fpages, which name a range
 * of 2^s I/O ports starting at port p (bits 4..9 of the fpage hold the
 * marker 2 where memory fpages hold their size).
 */
#ifndef L4_IA32_ARCH_H
#define L4_IA32_ARCH_H

#include <l4/ia32/specials.h>
#include <l4/kip.h>
#include <l4/ipc.h>

typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t rwx : 4;
		L4_Word_t __two : 6;
		L4_Word_t s : 6;
		L4_Word_t p : 16;
	} X;
} L4_IoFpage_t;

L4_INLINE L4_Fpage_t L4_IoFpageLog2(L4_Word_t BasePort, int FpageSize)
{
	L4_IoFpage_t io;
	L4_Fpage_t f;

	io.raw = 0;
	io.X.p = BasePort;
	io.X.__two = 2;
	io.X.s = FpageSize;
	f.raw = io.raw;
	return f;
}

/* Round the number of ports up to a power of two. */
L4_INLINE L4_Fpage_t L4_IoFpage(L4_Word_t BasePort, int FpageSize)
{
	int log2 = 0;

	while ((1L << log2) < FpageSize && log2 < 16)
		log2++;
	return L4_IoFpageLog2(BasePort, log2);
}

L4_INLINE L4_Word_t L4_IoFpagePort(L4_Fpage_t f)
{
	L4_IoFpage_t io = { .raw = f.raw };

	return io.X.p;
}

L4_INLINE L4_Word_t L4_IoFpageSizeLog2(L4_Fpage_t f)
{
	L4_IoFpage_t io = { .raw = f.raw };

	return io.X.s;
}

L4_INLINE L4_Word_t L4_IoFpageSize(L4_Fpage_t f)
{
	return 1UL << L4_IoFpageSizeLog2(f);
}

L4_INLINE L4_Bool_t L4_IsIoFpage(L4_Fpage_t f)
{
	L4_IoFpage_t io = { .raw = f.raw };

	return io.X.__two == 2;
}

#endif
