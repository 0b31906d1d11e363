/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attacker of the sigma0 attack tests (t_s0hang.c): an unprivileged
 * task's two threads that ask sigma0 for pages as a client that checks
 * every answer, in the three steps t_s0hang.c describes, and report what
 * they got in s0h.
 */
#include "t_s0hang.h"

volatile struct s0h_log s0h;

/* ---- requests, as a client that checks the answer ---- */

/*
 * One sigma0 request for fpage f into window.  Returns 1 if sigma0 gave
 * exactly f (any fpage of its size, for a base of all ones), 0 if it refused cleanly (an answer with a nil fpage),
 * -1 if the kernel could not make sigma0's mapping for want of our
 * kernel memory (X.2: message overflow, receive phase, offset 0); any
 * other outcome (IPC error, other items) counts as bad and returns 0.
 */
static int s0h_ask(L4_Fpage_t f, L4_Fpage_t window, L4_Fpage_t *got)
{
	L4_Word_t w[2] = { f.raw, 0 };
	int any = (f.raw >> 10) == (~0UL >> 10);
	L4_MsgTag_t tag;
	L4_Fpage_t fp;

	t_load((L4_Word_t)-6 << 4 & 0xffff, 2, w, 0, 0);
	L4_Accept(L4_MapGrantItems(window));
	tag = L4_Call(rt_sigma0());
	L4_Accept(L4_UntypedWordsAcceptor);
	fp.raw = rt_mr(2);
	if (L4_IpcFailed(tag) && L4_ErrorCode() == (L4_ErrMsgOverflow << 1 | 1))
		return -1;
	if (L4_IpcFailed(tag) || L4_TypedWords(tag) != 2 || L4_UntypedWords(tag) != 0) {
		if (!s0h.bad++)
			s0h.bad_word = L4_IpcFailed(tag) ? L4_ErrorCode() : tag.raw;
		return 0;
	}
	if (got)
		*got = fp;
	if (L4_IsNilFpage(fp))
		return 0;
	if ((!any && L4_Address(fp) != L4_Address(f)) || L4_SizeLog2(fp) != L4_SizeLog2(f)) {
		if (!s0h.bad++)
			s0h.bad_word = fp.raw;
		return 0;
	}
	return 1;
}

/* Did sigma0 give the page (mapped, or its map failed for want of our
 * kernel memory)? */
static int s0h_ask_page(L4_Word_t phys, L4_Word_t who)
{
	int r = s0h_ask(L4_FpageLog2(phys, 12), L4_FpageLog2(S0H_WINDOW, 12), 0);

	s0h.requests[who]++;
	if (r > 0)
		s0h.granted[who]++;
	else if (r < 0)
		s0h.nokmem[who]++;
	else
		s0h.refused[who]++;
	return r != 0;
}

/* Does the KIP call the page RAM (conventional or boot-loader memory)?
 * Later descriptors override earlier ones, as in sigma0. */
static int s0h_is_ram(L4_Word_t pa)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, type = 0;

	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++)
		if (!L4_IsMemoryDescVirtual(md) && pa >= L4_MemoryDescLow(md) &&
		    pa <= L4_MemoryDescHigh(md))
			type = L4_MemoryDescType(md) & 0xf;
	return type == L4_ConventionalMemoryType || type == L4_BootLoaderSpecificMemoryType;
}

/* ---- the attacker ---- */

/* Map f into the window at w, then touch the window's first and last
 * page: a window the kernel did not fill (it failed the reply, -1) faults
 * to rt's pager, which leaves the thread blocked there (the kernel's
 * refusal). */
static void s0h_flood(L4_Fpage_t f, L4_Word_t w)
{
	L4_Word_t size = L4_Size(f);

	s0h.window = w;
	if (s0h_ask(f, L4_FpageLog2(w, L4_SizeLog2(f)), 0) == 0) {
		s0h.refused[0]++;
		return;
	}
	s0h.requests[0]++;
	(void)*(volatile L4_Word_t *)w;
	(void)*(volatile L4_Word_t *)(w + size - RT_PAGE_SIZE);
}

/* Step 1: a page of our own into the top page of every region, then a
 * larger fpage of our own into the rest of each region, until the
 * kernel refuses (and the thread stays blocked at that window). */
static void s0h_step1(void)
{
	L4_Fpage_t page, big = L4_Nilpage;
	L4_Word_t r, off, log2;

	if (s0h_ask(L4_FpageLog2(~0UL, 12), L4_FpageLog2(S0H_WINDOW, 12), &page) <= 0 ||
	    L4_IsNilFpage(page))
		return;
	page = L4_FpageLog2(L4_Address(page), 12);
	for (r = S0H_REGION_FIRST; r < S0H_REGION_END; r++)
		s0h_flood(page, (r << 22) + S0H_TOP_PAGE);
	for (log2 = 20; log2 >= 12 && L4_IsNilFpage(big); log2 -= 4)
		if (s0h_ask(L4_FpageLog2(~0UL, log2), L4_FpageLog2(S0H_REGION_FIRST << 22, log2),
			    &big) <= 0)
			big = L4_Nilpage;
	if (L4_IsNilFpage(big))
		return;
	big = L4_FpageLog2(L4_Address(big), L4_SizeLog2(big));
	s0h.big_log2 = L4_SizeLog2(big);
	for (r = S0H_REGION_FIRST; r < S0H_REGION_END; r++)
		for (off = 0; off + L4_Size(big) <= S0H_TOP_PAGE; off += L4_Size(big))
			s0h_flood(big, (r << 22) + off);
}

/* Step 2: one page in every 4 MB of physical memory (a few candidates
 * in each, since some pages are the kernel's or the root's). */
static void s0h_step2(void)
{
	static const L4_Word_t cand[S0H_CANDIDATES] = { S0H_TOP_PAGE, 0x200000, 0x1000 };
	L4_Word_t r;
	int c;

	for (r = 0; r < 1024; r++)
		for (c = 0; c < S0H_CANDIDATES; c++) {
			L4_Word_t pa = (r << 22) + cand[c];

			if (s0h_ask_page(pa, 1)) {
				if (!s0h_is_ram(pa))
					s0h.device++;
				break;
			}
		}
}

/* Step 3: every other page of conventional memory, upwards, to its end
 * (at 512 MB the table fills long before), or until sigma0 has refused
 * S0H_REFUSALS_END times in a row: its table is full, and the rest would
 * be the same refusal again, several hundred thousand times at 3 GB.
 * Records where sigma0 first refused S0H_REFUSALS times in a row. */
static void s0h_step3(void)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, row = 0;

	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++) {
		L4_Word_t pa, lo = L4_MemoryDescLow(md), hi = L4_MemoryDescHigh(md);

		if (L4_IsMemoryDescVirtual(md) ||
		    (L4_MemoryDescType(md) & 0xf) != L4_ConventionalMemoryType)
			continue;
		for (pa = (lo + 0x1fff) & ~0x1fffUL; pa < hi && pa >= lo; pa += 0x2000) {
			if (s0h_ask_page(pa, 1))
				row = 0;
			else if (++row == S0H_REFUSALS && !s0h.full_at)
				s0h.full_at = pa;
			else if (row == S0H_REFUSALS_END)
				return;
		}
	}
}

/* Body of both threads: touch the image, say so, wait for main's word,
 * then run step 1 (thread 0) or steps 2 and 3 (thread 1). */
void s0h_attacker(L4_Word_t who)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	t_touch_image();
	s0h.ready[who] = 1;
	L4_Accept(L4_UntypedWordsAcceptor);
	do
		tag = L4_Wait_Timeout(L4_Never, &from);
	while (L4_IpcFailed(tag) || !L4_IsThreadEqual(from, rt_main_thread()));
	if (who == 0) {
		s0h_step1();
	} else {
		s0h_step2();
		s0h.step2_done = 1;	/* main checks, then sends the word for step 3 */
		do
			tag = L4_Wait_Timeout(L4_Never, &from);
		while (L4_IpcFailed(tag) || !L4_IsThreadEqual(from, rt_main_thread()));
		s0h_step3();
	}
	s0h.done[who] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}
