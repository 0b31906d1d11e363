/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system-call fuzz's random arguments.  A fuzz step's arguments come
 * from a xorshift generator seeded with (the run's seed, thread, step number), so
 * the same step always makes the same call with the same registers
 * whatever happened before; they mix random words with "interesting"
 * values (special and real thread IDs with right and wrong versions,
 * local IDs, kernel, KIP and UTCB addresses, fpages of every size, random
 * tags with map, grant and string items, short timeouts).  Whatever they
 * name, t_fuzz_sandbox.c makes safe before a call is made.
 */
#include "t_fuzz.h"

/* ---- random values ------------------------------------------------------ */

W fz_seed_of(int idx, W step)
{
	W h = fz.seed ^ ((W)idx * 0x9e3779b1UL) ^ (step * 0x85ebca77UL);

	h ^= h >> 16;
	h *= 0x7feb352dUL;
	h ^= h >> 15;
	h *= 0x846ca68bUL;
	h ^= h >> 16;
	return h ? h : 1;
}

W fz_gid(W no, W ver)
{
	return (no << 14) | (ver & 0x3fff);
}

static W wrong_version(W id)
{
	W v = ((id & 0x3fff) + 1 + (id & 7)) & 0x3fff;

	if ((v & 0x3f) == 0)
		v |= 1;
	return (id & ~0x3fffUL) | v;
}

W fz_reserved_id(W *s)
{
	return fz_gid(FZ_RES_NO + below(s, FZ_RES_NOS), 1 + below(s, FZ_RES_VERS));
}

/* Another fuzz thread of this phase (possibly idx itself). */
static int some_thread(W *s)
{
	return fz.first + (int)below(s, (W)fz.n);
}

/* A thread ID from the interesting ones, or a random word. */
W fz_w_id(int idx, W *s)
{
	int j = some_thread(s);

	switch (below(s, 18)) {
	case 0: return 0;
	case 1: return ~0UL;
	case 2: return 0xffffffc0UL;
	case 3: return fz.tid[idx];
	case 4: return fz.local[idx];
	case 5: return fz.main;
	case 6: return wrong_version(fz.main);
	case 7: case 8: return fz.tid[j];
	case 9: return wrong_version(fz.tid[j]);
	case 10: return fz.local[j];
	case 11: return FZ_UTCB + 256 + below(s, RT_UTCB_SLOTS) * RT_UTCB_SIZE;
	case 12: return fz_reserved_id(s);
	case 13: return fz.nonexist;
	case 14: return fz_gid(below(s, 18), 1);
	case 15: return fz_gid(0x3ffff, 1 + below(s, 0x3ffe));
	case 16: return rnd(s) & ~0x3fUL;
	default: return rnd(s);
	}
}

W fz_w_addr(int idx, W *s)
{
	switch (below(s, 16)) {
	case 0: return 0;
	case 1: return ~0UL - below(s, 8);
	case 2: return 0xC0000000UL + (rnd(s) & 0x3fffffffUL);
	case 3: return FZ_KIP + below(s, 0x1000);
	case 4: return FZ_UTCB + below(s, 0x10000);
	case 5: return fz.img_lo + below(s, fz.img_hi - fz.img_lo);
	case 6: return (W)fz_start;
	case 7: return fz.rw_lo + below(s, fz.rw_hi - fz.rw_lo);
	case 8: return (W)fz_rw.sbuf[idx] + below(s, FZ_SBUF);
	case 9: return FZ_SCR + below(s, FZ_SCR_SIZE);
	case 10: return FZ_WIN + below(s, FZ_WIN_CHILD);
	case 11: return fz_sp(idx) - below(s, 64);
	case 12: return below(s, 0x2000);
	default: return rnd(s);
	}
}

W fz_fpage(W base, W log2, W rights)
{
	W b = log2 >= 32 ? 0 : base & ~((1UL << log2) - 1) & ~0x3ffUL;

	return b | ((log2 & 0x3f) << 4) | (rights & 0xf);
}

W fz_w_fpage(int idx, W *s)
{
	W r = below(s, 8) ? below(s, 8) : below(s, 16);

	switch (below(s, 10)) {
	case 0: return 0;
	case 1: return (1UL << 4) | r;			/* complete */
	case 2: return fz_fpage(fz_w_addr(idx, s), below(s, 64), r);
	case 3: return rnd(s);
	case 4: return fz_fpage(fz_w_addr(idx, s), 12, r);
	default: return fz_fpage(fz_w_addr(idx, s), 12 + below(s, 21), r);
	}
}

static W w_timeout(W *s)
{
	switch (below(s, 20)) {
	case 0: case 1: return 0;				/* never */
	case 2: case 3: case 4: case 5: case 6: case 7: case 8:
		return 0x0400;					/* zero */
	case 9: case 10: case 11: case 12: case 13: case 14: case 15:
		return (below(s, 2) << 10) | (50 + below(s, 950));	/* < 2 ms */
	case 16: return 0x8000 | (rnd(s) & 0x7fff);		/* a point */
	default: return rnd(s) & 0xffff;
	}
}

W fz_w_timeouts(W *s)
{
	return (w_timeout(s) << 16) | w_timeout(s);
}

/* Any word: random, or one of the interesting kinds. */
W fz_w_any(int idx, W *s)
{
	switch (below(s, 8)) {
	case 0: return fz_w_id(idx, s);
	case 1: return fz_w_addr(idx, s);
	case 2: return fz_w_fpage(idx, s);
	case 3: return below(s, 70);
	case 4: return ~0UL;
	default: return rnd(s);
	}
}

/* A pager or exception handler: a thread that never answers. */
W fz_w_pager(int idx, W *s)
{
	(void)idx;
	switch (below(s, 6)) {
	case 0: return 0;
	case 1: return fz.main;
	case 2: return wrong_version(fz.main);
	case 3: return fz.nonexist;
	case 4: return fz_reserved_id(s);
	default: return FZ_UTCB + 0x140 + below(s, 32) * RT_UTCB_SIZE;	/* no UTCB starts there */
	}
}

/* A typed item (or garbage) at u[i..]; returns the words it took. */
static unsigned w_item(int idx, W *s, W *u, unsigned i, unsigned room)
{
	switch (below(s, 6)) {
	case 0: case 1: case 2:				/* map or grant */
		if (room < 2)
			break;
		u[i] = (fz_w_addr(idx, s) & ~0x3ffUL) | (below(s, 4) ? 0x8 : 0xa) | below(s, 2);
		u[i + 1] = fz_w_fpage(idx, s);
		return 2;
	case 3: case 4: {				/* a string */
		W j = below(s, 4) ? 0 : below(s, 3), len, k;

		if (room < j + 2)
			break;
		len = below(s, 3) ? below(s, 256) : rnd(s) >> 10;
		u[i] = (len << 10) | (below(s, 3) ? 0 : 1UL << 9) | (j << 4) |
		       (below(s, 4) << 1) | below(s, 2);
		for (k = 0; k <= j; k++)
			u[i + 1 + k] = fz_w_addr(idx, s);
		return (unsigned)j + 2;
	}
	default:
		break;
	}
	u[i] = rnd(s);
	return 1;
}

/* Random BRs: an acceptor and receive buffers (made safe later). */
void fz_w_brs(int idx, W *s, W *u)
{
	W n = below(s, 4), i;

	switch (below(s, 5)) {
	case 0: u[U_BR(0)] = 0; break;
	case 1: u[U_BR(0)] = fz_w_fpage(idx, s) | below(s, 2); break;
	case 2: u[U_BR(0)] = rnd(s); break;
	default:
		u[U_BR(0)] = fz_fpage(FZ_WIN + (rnd(s) & (FZ_WIN_ROOT - 1)), 12 + below(s, 11), 0) |
			     below(s, 2);
		break;
	}
	for (i = 1; i <= n * 2 + 1; i++) {
		W sb = (W)fz_rw.sbuf[idx];

		switch (below(s, 6)) {
		case 0: u[U_BR(i)] = (below(s, FZ_SBUF / 2) << 10) | (below(s, 3) << 4) |
				     (below(s, 2) << 9); break;
		case 1: case 2: u[U_BR(i)] = sb + below(s, FZ_SBUF / 4); break;
		case 3: u[U_BR(i)] = fz_w_addr(idx, s); break;
		default: u[U_BR(i)] = rnd(s); break;
		}
	}
}

/* Random writes to the UTCB's BRs and TCRs. */
void fz_w_utcb(int idx, W *s, W *u, W n)
{
	while (n--) {
		switch (below(s, 16)) {
		case 0: case 1: case 2: u[U_BR(below(s, 33))] = fz_w_any(idx, s); break;
		case 3: fz_w_brs(idx, s, u); break;
		case 4: case 5: u[U_XFER] = fz_w_timeouts(s); break;
		case 6: u[U_ERROR] = rnd(s); break;
		case 7: u[U_VSENDER] = fz_safe_id(fz_w_id(idx, s)); break;
		case 8: u[U_IRECV] = fz_w_id(idx, s); break;
		case 9: u[below(s, 2) ? U_TW0 : U_TW1] = rnd(s); break;
		case 10: u[U_HANDLE] = rnd(s); break;
		case 11: ((volatile unsigned char *)&u[U_FLAGS])[below(s, 2)] = (unsigned char)rnd(s); break;
		case 12: u[U_PROCNO] = fz_w_any(idx, s); break;
		case 13: u[U_MYID] = fz_w_id(idx, s); break;
		default:
			/* Rarely: each such fault halts the thread with a
			 * kernel log line until the watchdog comes. */
			if (below(s, 16) == 0)
				u[below(s, 2) ? U_EXCH : U_PAGER] = fz_w_pager(idx, s);
			break;
		}
	}
}

/* A message: tag (returned) and MRs. */
W fz_w_message(int idx, W *s, W *u)
{
	W label, nu, nt = 0, flags = 0, i;

	switch (below(s, 8)) {
	case 0: label = 0xffe0 | below(s, 8); break;		/* page fault */
	case 1: label = 0xffb0; break;				/* exception */
	case 2: label = 0xffa0 | below(s, 16); break;		/* sigma0 */
	case 3: label = 0xfff0; break;				/* interrupt */
	default: label = rnd(s) & 0xffff; break;
	}
	switch (below(s, 10)) {
	case 0: nu = below(s, 64); break;
	case 1: case 2: nu = 5 + below(s, 16); break;
	default: nu = below(s, 5); break;
	}
	if (below(s, 5) == 0)
		flags = rnd(s) & 0xf;
	if (below(s, 8) == 0)
		flags |= 1;					/* propagate */
	for (i = 1; i <= nu && i < 64; i++)
		u[i] = fz_w_any(idx, s);
	if (below(s, 2)) {
		W want = below(s, 8) ? 1 + below(s, 8) : below(s, 64);
		unsigned at = (unsigned)nu + 1;

		while (at < 64 && nt < want) {
			unsigned k = w_item(idx, s, u, at, 64 - at);

			at += k;
			nt += k;
		}
		if (below(s, 16) == 0)
			nt = below(s, 64);
	}
	if (flags & 1)
		u[U_VSENDER] = fz_safe_id(fz_w_id(idx, s));
	return (label << 16) | (flags << 12) | ((nt & 0x3f) << 6) | (nu & 0x3f);
}
