/* SPDX-License-Identifier: BSD-2-Clause */
/* String-transfer arithmetic (see xfer_offset.h); pure, host-tested. */
#include <kernel/xfer_offset.h>

unsigned xfer_parse_string(const word_t *words, unsigned i, unsigned end,
			   xfer_seg_t *segs, unsigned *nsegs)
{
	*nsegs = 0;
	for (;;) {
		if (i >= end)
			return 0;
		word_t hdr = words[i++];
		if (!item_is_string(hdr))
			return 0;
		unsigned j = string_item_substrings(hdr);
		if (i + j > end || *nsegs + j > XFER_MAX_SEGS)
			return 0;
		for (unsigned k = 0; k < j; k++)
			segs[(*nsegs)++] = (xfer_seg_t){ words[i++], string_item_length(hdr) };
		if (!string_item_compound(hdr))
			return i;
	}
}

uint32_t xfer_total(const xfer_seg_t *segs, unsigned n)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += segs[i].len;
	return sum;
}

bool xfer_buffer_at(const word_t *br, unsigned bi, xfer_seg_t *segs, unsigned *nsegs,
		    unsigned *next)
{
	if (bi == 0 || bi >= XFER_MAX_BRS)
		return false;
	unsigned after = xfer_parse_string(br, bi, XFER_MAX_BRS, segs, nsegs);
	if (!after)
		return false;
	/* The C bit of a buffer's first item: another buffer follows. */
	*next = item_continue(br[bi]) && after < XFER_MAX_BRS ? after : XFER_BR_NONE;
	return true;
}

/* Byte off of a piece list: piece *idx, *in bytes into it. */
static void seek(const xfer_seg_t *s, unsigned n, uint32_t off, unsigned *idx, uint32_t *in)
{
	unsigned i = 0;

	while (i < n && off >= s[i].len) {
		off -= s[i].len;
		i++;
	}
	*idx = i;
	*in = off;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

uint32_t xfer_piece(const xfer_seg_t *src, unsigned ns, const xfer_seg_t *dst, unsigned nd,
		    uint32_t done, uint32_t limit, uint32_t page, uint32_t *sva, uint32_t *dva)
{
	unsigned si, di;
	uint32_t so, dof;

	if (done >= limit)
		return 0;
	seek(src, ns, done, &si, &so);
	seek(dst, nd, done, &di, &dof);
	if (si == ns || di == nd)
		return 0;
	*sva = src[si].addr + so;
	*dva = dst[di].addr + dof;
	uint32_t n = min32(limit - done, src[si].len - so);
	n = min32(n, dst[di].len - dof);
	n = min32(n, page - (*sva & (page - 1)));
	return min32(n, page - (*dva & (page - 1)));
}
