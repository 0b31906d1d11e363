/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Keeping the system-call fuzz in its sandbox.
 *
 * What keeps the root task safe from its fuzz threads (for a kernel that
 * follows X.2; a kernel that does not is what the test is looking for):
 * receive windows only in a fuzz area; receive string buffers never in
 * fz_rw but in the thread's own buffer (checked by parsing the BRs as the
 * kernel does); map and grant items that touch fz_rw lose the w right;
 * ExchangeRegisters on a thread of the caller's own space only ever sets
 * the fuzz re-entry SP and IP, both or neither; Pager and ExceptionHandler (TCRs and
 * arguments) only name threads that never answer; no thread names
 * sigma0 or rt's pager thread; int3 is never followed by a printing or
 * debugger-entry sequence (it would disturb the TAP output or shut the
 * machine down); no random instruction bytes are ever executed.  In the
 * root phase the threads also never name the root's other threads in
 * calls that change a thread.
 */
#include "t_fuzz.h"

/* [a, a+len) within [lo, hi) / meeting it; 64-bit so nothing wraps. */
static int within(W a, W len, W lo, W hi)
{
	return a >= lo && (unsigned long long)a + len <= hi;
}

static int meets(W a, W len, W lo, W hi)
{
	return (unsigned long long)a + len > lo && a < hi;
}

/* Named in no call: sigma0 and rt's pager thread (and, as a local ID in
 * the root's space, the pager thread). */
static int untouchable(W id)
{
	W no = id >> 14;

	if ((id & 0x3f) == 0 && id != 0 && id != 0xffffffc0UL)
		return fz.root && id == fz.rtpager_local;
	return no == 16 || no == (fz.rtpager >> 14);
}

/* Root phase: the root's threads other than the fuzz threads, which calls
 * that change a thread must not name. */
static int root_protected(W id)
{
	W no = id >> 14;
	int j;

	if (!fz.root)
		return 0;
	if ((id & 0x3f) == 0 && id != 0 && id != 0xffffffc0UL) {
		for (j = fz.first; j < fz.first + fz.n; j++)
			if (id == fz.local[j])
				return 0;
		return in(id, FZ_UTCB, FZ_UTCB + (1UL << RT_UTCB_AREA_LOG2));
	}
	if (no >= 16 && no <= 18)
		return 1;
	if (no >= RT_FIRST_THREAD_NO && no < RT_FIRST_THREAD_NO + RT_THREAD_NOS) {
		for (j = fz.first; j < fz.first + fz.n; j++)
			if (no == (fz.tid[j] >> 14))
				return 0;
		return 1;
	}
	return 0;
}

W fz_safe_id(W id)
{
	return untouchable(id) ? fz.nonexist : id;
}

W fz_safe_target(W id)
{
	return untouchable(id) || root_protected(id) ? fz.nonexist : id;
}

/* The fuzz thread of the caller's own space that id names, or -1. */
int fz_own_space_thread(int idx, W id)
{
	int j;

	for (j = fz.first; j < fz.first + fz.n; j++)
		if (fz.group[j] == fz.group[idx] && (id == fz.tid[j] || id == fz.local[j]))
			return j;
	return -1;
}

/* A receive buffer segment the kernel may write to. */
static int segment_ok(int idx, W a, W len)
{
	W sb = (W)fz_rw.sbuf[idx];

	if (!len || within(a, len, sb, sb + FZ_SBUF))
		return 1;
	if (!fz.root)
		return !meets(a, len, fz.rw_lo, fz.rw_hi);
	/* The root's space: only the scratch area, or where the kernel
	 * refuses buffers (the UTCB and KIP areas and the kernel). */
	return within(a, len, FZ_SCR, FZ_SCR + FZ_SCR_SIZE) || a >= FZ_UTCB;
}

/* As the kernel parses one string (an item and its compound
 * continuations) from words[i..end): the index after it, or 0. */
static unsigned parse_string(const W *w, unsigned i, unsigned end, int idx, int *bad)
{
	unsigned nsegs = 0;

	for (;;) {
		W hdr, j, k;

		if (i >= end)
			return 0;
		hdr = w[i++];
		if (((hdr >> 1) & 4) != 0)
			return 0;
		j = ((hdr >> 4) & 0x1f) + 1;
		if (i + j > end || nsegs + j > 32)
			return 0;
		for (k = 0; k < j; k++, nsegs++)
			if (bad && !segment_ok(idx, w[i + k], hdr >> 10))
				*bad = 1;
		i += j;
		if (!(hdr & (1UL << 9)))
			return i;
	}
}

/* Make the acceptor and buffer registers safe (see the top). */
void fz_sanitize_brs(int idx, W *u)
{
	W br[33], acc = u[U_BR(0)], win = acc & ~0xfUL, lo = FZ_WIN;
	W hi = FZ_WIN + (fz.root ? FZ_WIN_ROOT : FZ_WIN_CHILD);
	W log2 = (win >> 4) & 0x3f;
	unsigned i, next = 1;
	int bad = 0;

	if (win) {
		int ok;

		if (log2 >= 12 && log2 < 32)
			ok = within(win & ~0x3ffUL & ~((1UL << log2) - 1), 1UL << log2, lo, hi);
		else if (log2 < 12 && !(log2 == 1 && (win & ~0x3ffUL) == 0))
			ok = !fz.root || in(win & ~0x3ffUL, lo, hi);
		else
			ok = 0;
		if (!ok)
			acc &= 0xf;
	}
	if (acc & 1) {
		for (i = 0; i < 33; i++)
			br[i] = u[U_BR(i)];
		while (next < 33 && !bad) {
			unsigned n = parse_string(br, next, 33, idx, &bad);

			if (!n)
				break;
			next = n;
		}
		if (bad)
			acc &= ~1UL;
	}
	u[U_BR(0)] = acc;
}

/* Map and grant items of the message in the MRs (as the kernel walks
 * them) whose fpage meets fz_rw lose the w right. */
void fz_sanitize_items(W *u, W tag)
{
	unsigned nu = tag & 0x3f, nt = (tag >> 6) & 0x3f, end = nu + nt + 1, i;

	if (end > 64)
		return;
	for (i = nu + 1; i < end;) {
		W w0 = u[i], t = (w0 >> 1) & 7;

		if (t == 4 || t == 5) {
			W f, log2, base;

			if (i + 1 >= end)
				return;
			f = u[i + 1];
			log2 = (f >> 4) & 0x3f;
			base = log2 >= 32 ? 0 : f & ~0x3ffUL & ~((1UL << log2) - 1);
			if ((log2 == 1 && base == 0) || log2 >= 32 ||
			    meets(base, 1UL << log2, fz.rw_lo, fz.rw_hi) ||
			    in(f & ~0x3ffUL, fz.rw_lo, fz.rw_hi))
				u[i + 1] = f & ~2UL;
			i += 2;
			continue;
		}
		i = parse_string(u, i, end, 0, 0);
		if (!i)
			return;
	}
}
