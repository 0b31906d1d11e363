/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 I/O fpages on IA-32, as pure arithmetic (host-tested in
 * tests/unit/test_iofpage.c): the fpage format, where the mapping
 * database keeps ports, the I/O permission bitmap, and which ports an
 * I/O instruction touches.
 *
 * An I/O fpage (X.2 reference manual, IA-32 "I/O fpage"; Pistachio
 * glue/v4-x86/io_fpage.h) holds the base port p in bits 16..31, the size
 * 2^s ports in bits 10..15, the marker 2 in bits 4..9 (where a memory
 * fpage holds its size, which is never 2) and rights in bits 0..3, which
 * carry no meaning for ports.
 *
 * The mapping database knows only pages of a space, so port p of a space
 * is the "page" at IO_VA_BASE + p * 4 KB of that space: 65,536 ports fill
 * 256 MB from 0xC0000000, where no user page can be (user space ends
 * there).  A space's node tables for that stretch are its 64 I/O node
 * tables; its "page table" there is its I/O permission bitmap, two pages
 * of 32,768 ports each, lent at the page-table CIDs of page-directory
 * slots 768 and 769 (no user page table has those).
 */
#ifndef KERNEL_IOFPAGE_H
#define KERNEL_IOFPAGE_H

#include <kernel/types.h>

#define IO_PORTS            65536u
#define IO_PORTS_LOG2       16u
#define IOFPAGE_MARK        2u
#define IO_VA_BASE          0xC0000000u
#define IO_VA_END           (IO_VA_BASE + (IO_PORTS << 12))
#define IO_NODE_PDES        (IO_PORTS >> 10)          /* 64 node tables */
#define IO_BITMAP_PAGES     2u
#define IO_PORTS_PER_BITMAP_PAGE 32768u
#define IO_BITMAP_PT_SLOT   (IO_VA_BASE >> 22)       /* 768, 769: the CIDs */
#define LABEL_IOFAULT       0xFF80u                  /* -8 << 4, low bits rw */
#define IO_INSN_MAX         15u                      /* an instruction's bytes */

typedef uint32_t iofpage_t;

static inline bool iofpage_is(uint32_t f) { return ((f >> 4) & 0x3Fu) == IOFPAGE_MARK; }
static inline uint32_t iofpage_log2(uint32_t f) { return (f >> 10) & 0x3Fu; }
/* Usable: a size of at most all 65,536 ports. */
static inline bool iofpage_valid(uint32_t f) { return iofpage_is(f) && iofpage_log2(f) <= IO_PORTS_LOG2; }
/* The first port, aligned down to the size (as a memory fpage's base). */
static inline uint32_t iofpage_port(uint32_t f)
{
	uint32_t s = iofpage_log2(f) > IO_PORTS_LOG2 ? IO_PORTS_LOG2 : iofpage_log2(f);

	return (f >> 16) & ~((1u << s) - 1u);
}
static inline uint32_t iofpage_make(uint32_t port, uint32_t log2, uint32_t rights)
{
	return (port << 16) | (log2 << 10) | (IOFPAGE_MARK << 4) | (rights & 0xFu);
}

/*
 * The ports an I/O map item moves: those of the send fpage, and where
 * the receive window is itself an I/O fpage, only those inside it too
 * (ports map onto themselves, X.2).  False: none.
 */
static inline bool iofpage_span(uint32_t snd, uint32_t window, uint32_t *first, uint32_t *count)
{
	if (!iofpage_valid(snd))
		return false;
	uint32_t lo = iofpage_port(snd), hi = lo + (1u << iofpage_log2(snd));
	if (iofpage_is(window)) {
		if (!iofpage_valid(window))
			return false;
		uint32_t wlo = iofpage_port(window), whi = wlo + (1u << iofpage_log2(window));
		lo = lo > wlo ? lo : wlo;
		hi = hi < whi ? hi : whi;
		if (lo >= hi)
			return false;
	}
	*first = lo;
	*count = hi - lo;
	return true;
}

/* ---- ports as pages of the mapping database ---- */
static inline uint32_t io_va(uint32_t port) { return IO_VA_BASE + (port << 12); }
static inline bool io_va_is(uint32_t va) { return va >= IO_VA_BASE && va < IO_VA_END; }
static inline uint32_t io_va_port(uint32_t va) { return (va - IO_VA_BASE) >> 12; }
/* Which bitmap page holds port's bit. */
static inline uint32_t io_bitmap_index(uint32_t port) { return port / IO_PORTS_PER_BITMAP_PAGE; }
/* The page-table CID slot of the bitmap page for the port at va. */
static inline uint32_t io_bitmap_pt_slot(uint32_t va) { return IO_BITMAP_PT_SLOT + io_bitmap_index(io_va_port(va)); }

/*
 * An I/O fault is kept where a page fault keeps its address (the
 * thread's continuation): the fault fpage's first port as its page in
 * the database, with the fpage's size in the low bits.
 */
static inline uint32_t iofault_addr(uint32_t port, uint32_t log2) { return io_va(port) | log2; }
static inline uint32_t iofault_fpage(uint32_t addr)
{
	return iofpage_make(io_va_port(addr & ~0xFFFu), addr & 0x1Fu, 0);
}

/* ---- the I/O permission bitmap: a set bit denies the port ---- */
/* One bitmap page (NULL: all denied); port is taken modulo its 32,768 ports. */
static inline void iobm_allow(uint8_t *page, uint32_t port)
{
	port %= IO_PORTS_PER_BITMAP_PAGE;
	page[port >> 3] &= (uint8_t)~(1u << (port & 7));
}
static inline void iobm_deny(uint8_t *page, uint32_t port)
{
	port %= IO_PORTS_PER_BITMAP_PAGE;
	page[port >> 3] |= (uint8_t)(1u << (port & 7));
}
static inline bool iobm_allowed(const uint8_t *page, uint32_t port)
{
	port %= IO_PORTS_PER_BITMAP_PAGE;
	return page && !(page[port >> 3] & (1u << (port & 7)));
}

/* The smallest size-aligned fpage (log2) that holds ports first..last. */
static inline uint32_t io_cover_log2(uint32_t first, uint32_t last)
{
	uint32_t s = 0;

	while ((first >> s) != (last >> s))
		s++;
	return s;
}

/*
 * Which ports an instruction accesses: in/out with an immediate port or
 * DX, and ins/outs, after any prefixes (operand size 66 makes the wide
 * forms 2 bytes instead of 4).  bytes: the n bytes readable at its EIP.
 * Returns the width (1, 2 or 4) and sets *port, or 0: not such an
 * instruction, or not readable.
 */
static inline uint32_t io_insn_decode(const uint8_t *bytes, uint32_t n, uint32_t edx, uint32_t *port)
{
	bool opsize = false;
	uint32_t i = 0;

	for (; i < n && i < IO_INSN_MAX; i++) {
		uint8_t b = bytes[i];
		if (b == 0x66)
			opsize = true;
		else if (!(b == 0x67 || b == 0xF2 || b == 0xF3 || b == 0x26 || b == 0x2E ||
			   b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65))
			break;
	}
	if (i >= n || i >= IO_INSN_MAX)
		return 0;
	uint32_t wide = opsize ? 2u : 4u;
	switch (bytes[i]) {
	case 0xE4: case 0xE6: case 0xE5: case 0xE7:     /* in/out with imm8 */
		if (i + 1 >= n || i + 1 >= IO_INSN_MAX)
			return 0;
		*port = bytes[i + 1];
		return (bytes[i] & 1) ? wide : 1u;
	case 0xEC: case 0xEE: case 0x6C: case 0x6E:     /* byte, port in DX */
		*port = edx & 0xFFFFu;
		return 1u;
	case 0xED: case 0xEF: case 0x6D: case 0x6F:     /* word/dword, DX */
		*port = edx & 0xFFFFu;
		return wide;
	default:
		return 0;
	}
}

#endif
