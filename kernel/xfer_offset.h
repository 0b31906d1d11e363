/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The arithmetic of string transfers (X.2 "String Items", "IPC"): reading
 * a string, sent in MRs or offered as a receive buffer in BRs, into its
 * pieces of memory; which BR holds the next receive buffer (BR0's s bit,
 * each buffer's C bit); where a string is cut; the pieces one copy step
 * takes; the byte offset an error reports.  Pure: no memory but the words
 * given, so it builds for the host (tests/unit/test_xfer_offset.c).
 */
#ifndef KERNEL_XFER_OFFSET_H
#define KERNEL_XFER_OFFSET_H

#include <kernel/types.h>
#include <kernel/l4types.h>

#define XFER_MAX_SEGS 32           /* pieces of one string, all its items */
#define XFER_MAX_BRS  33           /* BR0 .. BR32 */
#define XFER_BR_NONE  0xFFu        /* cursor: no receive buffer is left */

/* One piece of a string: j + 1 substrings per item, all of its length. */
typedef struct xfer_seg {
	uint32_t addr, len;
} xfer_seg_t;

/*
 * Read the string that starts at words[i] (an item, its substring
 * addresses, and the items chained to it by c, bit 9) into segs.
 * Returns the index after it, 0 if it is malformed: not a string item,
 * running past end, or more than XFER_MAX_SEGS pieces.
 */
unsigned xfer_parse_string(const word_t *words, unsigned i, unsigned end,
			   xfer_seg_t *segs, unsigned *nsegs);

/* Bytes in a list of pieces. */
uint32_t xfer_total(const xfer_seg_t *segs, unsigned n);

/*
 * The receive buffer at BR bi (1 <= bi < XFER_MAX_BRS): its pieces, and in
 * *next the BR of the buffer after it, XFER_BR_NONE if its first item's
 * C bit (bit 0) is clear or no BR is left after it.  False if it is
 * malformed (the receive buffer then cannot take the string).
 */
bool xfer_buffer_at(const word_t *br, unsigned bi, xfer_seg_t *segs, unsigned *nsegs,
		    unsigned *next);

/* Bytes of a string of len that reach a buffer of cap: the string is cut
 * (message overflow) when that is fewer than len. */
static inline uint32_t xfer_fits(uint32_t len, uint32_t cap)
{
	return len < cap ? len : cap;
}

/*
 * The next contiguous piece of a copy between two piece lists, from byte
 * done on, at most limit - done bytes, within one page of size page
 * (a power of two) on either side.  Returns its length (0: nothing left
 * in one of the lists, or done >= limit) with its two addresses.
 */
uint32_t xfer_piece(const xfer_seg_t *src, unsigned ns, const xfer_seg_t *dst, unsigned nd,
		    uint32_t done, uint32_t limit, uint32_t page, uint32_t *sva, uint32_t *dva);

/* The ErrorCode of a failed IPC: the offset (bytes of strings transferred
 * before the error) is reported for codes 4..7 only (X.2). */
static inline uint32_t xfer_error(uint32_t code, bool receive_phase, uint32_t bytes)
{
	return ipc_error(code, receive_phase, code >= IPC_ERR_OVERFLOW ? bytes & 0x0FFFFFFFu : 0);
}

#endif
