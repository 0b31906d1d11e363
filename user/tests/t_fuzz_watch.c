/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system-call fuzz's main thread (see below).
 *
 * The main thread is the fuzz threads' pager, exception handler and
 * watchdog.  As pager it maps the root image's pages into the children at
 * the same address -- read-only, except the fuzz threads' own region
 * (fz_rw: stacks, counters, string buffers) -- and a scratch page for
 * faults in the scratch areas; other faults (a write to the read-only
 * image, say) are counted and not answered.  As exception handler it
 * counts the exception and restarts the thread at its next step (EIP
 * fz_start, a fresh ESP).  As watchdog it restarts, with
 * ExchangeRegisters (abort IPC, new SP and IP, resume), every thread that
 * made no step for a few ms while blocked or halted, or for longer
 * whatever its state.
 */
#include "t_fuzz.h"

static int fz_index(W id)
{
	L4_ThreadId_t t = { .raw = id };
	int j;

	/* A thread of our own space is named by its local ID (X.2). */
	if (L4_IsLocalId(t))
		id = L4_GlobalIdOf(t).raw;

	for (j = fz.first; j < fz.first + fz.n; j++)
		if (fz.tid[j] == id)
			return j;
	return -1;
}

static void reply(L4_ThreadId_t to)
{
	(void)L4_Send_Timeout(to, L4_ZeroTime);
}

static void map_reply(W page, W rights, W at)
{
	L4_Fpage_t fp = L4_FpageLog2(page, 12);
	L4_MapItem_t item;
	L4_MsgTag_t tag = L4_Niltag;

	L4_Set_Rights(&fp, rights);
	item = L4_MapItem(fp, at);
	tag.X.t = 2;
	L4_LoadMR(0, tag.raw);
	L4_LoadMR(1, item.raw[0]);
	L4_LoadMR(2, item.raw[1]);
}

static void pagefault(L4_ThreadId_t from, W addr, W access)
{
	W page = addr & ~(RT_PAGE_SIZE - 1);
	int write = (access & L4_Writable) != 0;

	if (rt_image_contains(addr)) {
		int rw = in(addr, fz.rw_lo, fz.rw_hi);
		volatile W *p = (volatile W *)(addr & ~3UL);

		if (write && !rw && !fz.root) {
			fm.pf_ro++;		/* the image is read-only to the fuzz */
			fm.pf_last_addr = addr;
			fm.pf_last_ip = rt_mr(2);
			return;
		}
		fm.pf_img++;
		if (write)
			__asm__ __volatile__("lock; orl $0, %0" : "+m"(*p) : : "memory");
		else
			(void)*p;
		if (fz.root) {
			/* Same space: the page is there again; retry. */
			L4_LoadMR(0, 0);
		} else {
			map_reply(page, rw ? L4_FullyAccessible : L4_ReadeXecOnly, page);
		}
		reply(from);
		return;
	}
	if (!fz.root && (in(addr, FZ_SCR, FZ_SCR + FZ_SCR_SIZE) ||
			 in(addr, FZ_WIN, FZ_WIN + FZ_WIN_CHILD))) {
		fm.pf_scr++;
		map_reply(fm.scratch, L4_FullyAccessible, page);
		reply(from);
		return;
	}
	fm.pf_other++;
	fm.pf_last_addr = addr;
	fm.pf_last_ip = rt_mr(2);
}

static void exception(L4_ThreadId_t from, int j)
{
	W vec = rt_mr(3), w[12];
	int i;

	fm.exc++;
	fm.exc_vec[vec < 32 ? vec : 31]++;
	fm.exc_last_ip = rt_mr(1);
	fm.exc_last_vec = vec;
	for (i = 0; i < 12; i++)
		w[i] = 0;
	w[0] = (W)fz_start;
	w[1] = 0x202;
	w[7] = fz_sp(j);
	rt_msg(0, 12, w);
	reply(from);
}

static void handle(L4_ThreadId_t from, L4_MsgTag_t tag)
{
	int j = fz_index(from.raw);
	W label = L4_Label(tag);

	if (j < 0 || L4_TypedWords(tag) != 0) {
		fm.strays++;
		return;
	}
	if ((label >> 4) == 0xffe && L4_UntypedWords(tag) == 2)
		pagefault(from, rt_mr(1), label & 7);
	else if (label == 0xffb0 && L4_UntypedWords(tag) == 12)
		exception(from, j);
	else
		fm.strays++;
}

static void restart(int j)
{
	L4_ThreadId_t t = { .raw = fz.tid[j] }, pg, me = L4_Myself();
	W ctl = X_S | X_I | X_H | X_r | X_s | X_p | X_F, d;
	L4_ThreadId_t res;

	res = L4_ExchangeRegisters(t, ctl, fz_sp(j), (W)fz_start, 0, 0, me,
				   &d, &d, &d, &d, &d, &pg);
	if (L4_IsNilThread(res)) {
		/* Its Pager TCR no longer names main: set the pager again. */
		fm.fallback++;
		(void)L4_ThreadControl(t, t, L4_nilthread, me, (void *)~0UL);
		(void)L4_ExchangeRegisters(t, ctl, fz_sp(j), (W)fz_start, 0, 0, me,
					   &d, &d, &d, &d, &d, &pg);
	}
	fm.restarts++;
	if (fz.root) {
		/* Undo what the fuzz's Schedule calls did to any of them. */
		int k;

		for (k = fz.first; k < fz.first + fz.n; k++)
			(void)L4_Schedule((L4_ThreadId_t) { .raw = fz.tid[k] },
					  L4_TimePeriod(10000).raw << 16 | 0xffff, ~0UL,
					  FZ_PRIO, ~0UL, &d);
	}
}

static void watchdog(W now)
{
	int j;

	for (j = fz.first; j < fz.first + fz.n; j++) {
		W st = fz_rw.th[j].steps, d, ctl = 0;
		L4_ThreadId_t t = { .raw = fz.tid[j] }, pg;

		if (st != fm.last_steps[j]) {
			fm.last_steps[j] = st;
			fm.last_change[j] = now;
			continue;
		}
		if (now - fm.last_change[j] < FZ_STUCK_US)
			continue;
		if (L4_IsNilThread(L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread,
							&ctl, &d, &d, &d, &d, &pg)))
			ctl = X_h;
		if ((ctl & (X_h | X_r | X_s)) || now - fm.last_change[j] >= FZ_HUNG_US) {
			restart(j);
			fm.last_change[j] = now;
		}
	}
}

/* Has the fuzz run long enough: `us` of SystemClock, and then until every
 * thread has made FZ_MIN_STEPS steps, however long a slow host takes.  No
 * clock bound ends the wait for a thread short of them (that made the
 * outcome depend on the host's speed): a thread the kernel starves for
 * good is a hang, which the harness names. */
static int run_done(W start, W now, W us)
{
	W calls, min_steps;
	const char *bad = 0;

	if (now - start < us)
		return 0;
	(void)fz_totals(&calls, &min_steps, &bad);
	return min_steps >= FZ_MIN_STEPS;
}

void fz_run(W us)
{
	W start = rt_now_us(), now = start, last_watch = start;
	int j;

	for (j = fz.first; j < fz.first + fz.n; j++) {
		fm.last_steps[j] = 0;
		fm.last_change[j] = start;
	}
	while (!run_done(start, now, us)) {
		L4_ThreadId_t from = L4_nilthread;
		L4_MsgTag_t tag;

		L4_Accept(L4_UntypedWordsAcceptor);
		tag = L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, rt_us(1000)), &from);
		if (L4_IpcSucceeded(tag))
			handle(from, tag);
		now = rt_now_us();
		if (now - last_watch >= FZ_WATCH_US) {
			watchdog(now);
			last_watch = now;
		}
	}
	fz.stop = 1;
}
