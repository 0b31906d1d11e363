/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * System-call fuzzing.  Fuzz threads run a long, deterministic
 * pseudo-random sequence of steps: each step's arguments come from a
 * xorshift generator seeded with (FZ_SEED, thread, step number), so the
 * same step always makes the same call with the same registers whatever
 * happened before.  A step is one of the eleven X.2 calls through the KIP
 * stubs, a raw `int $N` (N = 0..255, including 0x30 and 0x31 from outside
 * the KIP), `int3` followed by random bytes, `lock; nop` (or lock on an
 * instruction that must raise #UD), a user-mode `iret` with a random
 * EFLAGS, or random writes to the thread's own BRs and TCRs (besides
 * random UTCB writes before one step in ten); arguments mix random words with
 * "interesting" values (special and real thread IDs with right and wrong
 * versions, local IDs, kernel, KIP and UTCB addresses, fpages of every
 * size, random tags with map, grant and string items, short timeouts).
 *
 * Test 1 runs FZ_TASKS child tasks of FZ_PER_TASK threads each: their
 * calls are unprivileged, so ThreadControl, SpaceControl,
 * ProcessorControl and MemoryControl must fail with error 1.  Test 2 runs
 * FZ_ROOT threads in the root's own space, privileged, whose
 * ThreadControl and SpaceControl only name thread numbers reserved for
 * the fuzz (FZ_RES_NO..).
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
 *
 * What keeps the root task safe from its fuzz threads (for a kernel that
 * follows X.2; a kernel that does not is what the test is looking for):
 * receive windows only in a fuzz area; receive string buffers never in
 * fz_rw but in the thread's own buffer (checked by parsing the BRs as the
 * kernel does); map and grant items that touch fz_rw lose the w right;
 * ExchangeRegisters on a thread of the caller's own space only ever sets
 * the fuzz re-entry SP/IP; Pager and ExceptionHandler (TCRs and
 * arguments) only name threads that never answer; no thread names
 * sigma0 or rt's pager thread; int3 is never followed by a printing or
 * debugger-entry sequence (it would disturb the TAP output or shut the
 * machine down); no random instruction bytes are ever executed.  In the
 * root phase the threads also never name the root's other threads in
 * calls that change a thread.
 *
 * Debugging: build with -DFZ_TRACE (every call is printed before it is
 * made: thread, step, op, code, registers), -DFZ_OPMASK=bits (only the
 * ops whose bits are set), -DFZ_NO_VM86 (no EFLAGS.VM in the iret op),
 * e.g. make CC='gcc -DFZ_NO_VM86' after touching this file.
 */
#include "tests.h"

#ifndef FZ_TASKS
#define FZ_TASKS	3
#define FZ_PER_TASK	3
#endif
#define FZ_CHILD	(FZ_TASKS * FZ_PER_TASK)
#ifndef FZ_ROOT
#define FZ_ROOT		3
#endif
#define FZ_MAX		(FZ_CHILD + FZ_ROOT)
#define FZ_STACK_LOG2	12
#define FZ_STACK	(1UL << FZ_STACK_LOG2)
#define FZ_SBUF		1024
#define FZ_PRIO		90
#ifndef FZ_SEED
#define FZ_SEED		0x4c656e74UL
#endif

/* Run times (µs of SystemClock) and the watchdog. */
#ifndef FZ_CHILD_US
#define FZ_CHILD_US	1200000UL
#define FZ_ROOT_US	600000UL
#endif
#define FZ_WATCH_US	2000UL
#define FZ_STUCK_US	3000UL		/* blocked or halted this long: restart */
#define FZ_HUNG_US	25000UL		/* no step this long, whatever the state */
#define FZ_MIN_STEPS	200UL
#define FZ_MAX_RUNS	20UL		/* run at most this many times as long */

/* Thread numbers ThreadControl/SpaceControl of the root phase may use. */
#define FZ_RES_NO	400
#define FZ_RES_NOS	16
#define FZ_RES_VERS	4
/* Thread numbers of the kernel-memory probe. */
#define FZ_PROBE_NO	2000
#define FZ_PROBE_MAX	1000	/* more free pages than this: no probe (too slow) */
/* Pages the fuzz may lose to a kernel-memory probe before it is a leak. */
#define FZ_LEAK_PAGES	16

/* Areas: faults of child threads there get the scratch page; receive
 * windows lie in FZ_WIN; root-phase string buffers may lie in FZ_SCR. */
#define FZ_SCR		0x40000000UL
#define FZ_SCR_SIZE	0x01000000UL
#define FZ_WIN		0x80000000UL
#define FZ_WIN_CHILD	0x01000000UL
#define FZ_WIN_ROOT	0x00400000UL
#define FZ_KIP		RT_KIP_AREA_BASE
#define FZ_UTCB		RT_UTCB_AREA_BASE

/* UTCB words relative to the UTCB pointer (docs/abi.md §3). */
#define U_TW0		(-4)
#define U_TW1		(-5)
#define U_VSENDER	(-6)
#define U_IRECV		(-7)
#define U_XFER		(-8)
#define U_ERROR		(-9)
#define U_FLAGS		(-10)
#define U_EXCH		(-11)
#define U_PAGER		(-12)
#define U_HANDLE	(-13)
#define U_PROCNO	(-14)
#define U_MYID		(-15)
#define U_BR(i)		(-16 - (i))

/* ExchangeRegisters control bits. */
#define X_h	(1UL << 0)
#define X_r	(1UL << 1)
#define X_s	(1UL << 2)
#define X_S	(1UL << 3)
#define X_I	(1UL << 4)
#define X_F	(1UL << 5)
#define X_u	(1UL << 6)
#define X_p	(1UL << 7)
#define X_H	(1UL << 8)

/* System calls in the KIP's order (0xD0 ...). */
enum { SC_SPACE, SC_THREAD, SC_PROC, SC_MEM, SC_IPC, SC_LIPC, SC_UNMAP, SC_EXREG,
       SC_CLOCK, SC_SWITCH, SC_SCHED, SC_N };

typedef L4_Word_t W;

/* Registers for fz_invoke, in this order. */
struct fz_regs {
	W eax, ebx, ecx, edx, esi, edi, ebp;
};

struct fz_thread {
	volatile W steps;	/* steps begun */
	volatile W calls;	/* system calls and traps made */
	volatile W entries;	/* (re)starts at fz_start */
	volatile W priv_bad;	/* privileged calls that did not fail as X.2 says */
	volatile W priv_bad_what;
	volatile W clock_back;	/* SystemClock went backwards */
	W clock_lo, clock_hi;
	volatile W op;		/* the op of the current step */
	volatile W by_op[32];	/* calls made, by op */
	unsigned char code[64];	/* int $N, int3, lock, iret sequences run from here */
};

/*
 * Everything a fuzz thread writes (the only part of the image that child
 * threads get writable).  The stacks come first: fz_start finds its
 * thread index from its stack pointer.
 */
struct fz_rw {
	unsigned char stack[FZ_MAX][FZ_STACK];
	struct fz_thread th[FZ_MAX];
	unsigned char sbuf[FZ_MAX][FZ_SBUF];
} __attribute__((aligned(4096)));	/* whole pages: nothing else shares them */
struct fz_rw fz_rw __attribute__((aligned(4096)));

/* What the fuzz threads read (read-only in the children). */
static struct {
	W stub[SC_N];
	W main, rtpager, rtpager_local, nonexist;
	W tid[FZ_MAX], local[FZ_MAX];
	int group[FZ_MAX];		/* threads of one space share a group */
	int first, n;			/* the threads of this phase */
	int root;			/* root phase */
	W img_lo, img_hi, rw_lo, rw_hi;
	volatile W stop;
} fz;

/* Main's bookkeeping. */
static struct {
	W exc, exc_vec[32], pf_img, pf_scr, pf_ro, pf_other, restarts, strays;
	W fallback, pf_last_addr, pf_last_ip, exc_last_ip, exc_last_vec;
	W last_steps[FZ_MAX], last_change[FZ_MAX];
	W scratch;
} fm;

void fz_start(void);
void fz_main(W idx);
W fz_invoke(struct fz_regs *r, W target);

/*
 * fz_invoke(r, target): load all seven general registers from *r, call
 * target (a KIP stub or a code buffer), store the seven back.
 * fz_start: the entry and re-entry point of every fuzz thread; its stack
 * pointer (the top of its stack in fz_rw, less 16) names the thread.
 */
__asm__(
	".text\n"
	".globl fz_invoke\n"
	"fz_invoke:\n"
	"	pushl %ebp\n"
	"	pushl %ebx\n"
	"	pushl %esi\n"
	"	pushl %edi\n"
	"	movl 20(%esp), %eax\n"
	"	pushl %eax\n"
	"	pushl 28(%esp)\n"
	"	movl 4(%eax), %ebx\n"
	"	movl 8(%eax), %ecx\n"
	"	movl 12(%eax), %edx\n"
	"	movl 16(%eax), %esi\n"
	"	movl 20(%eax), %edi\n"
	"	movl 24(%eax), %ebp\n"
	"	movl 0(%eax), %eax\n"
	"	call *(%esp)\n"
	"	xchgl %eax, 4(%esp)\n"
	"	movl %ebx, 4(%eax)\n"
	"	movl %ecx, 8(%eax)\n"
	"	movl %edx, 12(%eax)\n"
	"	movl %esi, 16(%eax)\n"
	"	movl %edi, 20(%eax)\n"
	"	movl %ebp, 24(%eax)\n"
	"	addl $4, %esp\n"
	"	popl %ecx\n"
	"	movl %ecx, 0(%eax)\n"
	"	popl %edi\n"
	"	popl %esi\n"
	"	popl %ebx\n"
	"	popl %ebp\n"
	"	ret\n"
	".globl fz_start\n"
	"fz_start:\n"
	"	cld\n"
	"	movl %esp, %eax\n"
	"	subl $fz_rw, %eax\n"
	"	shrl $12, %eax\n"
	"	andl $-16, %esp\n"
	"	subl $12, %esp\n"
	"	pushl %eax\n"
	"	call fz_main\n"
	"1:	jmp 1b\n");

_Static_assert(FZ_STACK_LOG2 == 12, "fz_start shifts by 12");

static W fz_sp(int idx)
{
	return (W)fz_rw.stack[idx] + FZ_STACK - 16;
}

/* ---- random values ------------------------------------------------------ */

static W rnd(W *s)
{
	W x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static W below(W *s, W n)
{
	return rnd(s) % n;
}

static W seed_of(int idx, W step)
{
	W h = FZ_SEED ^ ((W)idx * 0x9e3779b1UL) ^ (step * 0x85ebca77UL);

	h ^= h >> 16;
	h *= 0x7feb352dUL;
	h ^= h >> 15;
	h *= 0x846ca68bUL;
	h ^= h >> 16;
	return h ? h : 1;
}

static W gid(W no, W ver)
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

static W reserved_id(W *s)
{
	return gid(FZ_RES_NO + below(s, FZ_RES_NOS), 1 + below(s, FZ_RES_VERS));
}

/* Another fuzz thread of this phase (possibly idx itself). */
static int some_thread(W *s)
{
	return fz.first + (int)below(s, (W)fz.n);
}

/* A thread ID from the interesting ones, or a random word. */
static W w_id(int idx, W *s)
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
	case 12: return reserved_id(s);
	case 13: return fz.nonexist;
	case 14: return gid(below(s, 18), 1);
	case 15: return gid(0x3ffff, 1 + below(s, 0x3ffe));
	case 16: return rnd(s) & ~0x3fUL;
	default: return rnd(s);
	}
}

static W w_addr(int idx, W *s)
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

static W fpage(W base, W log2, W rights)
{
	W b = log2 >= 32 ? 0 : base & ~((1UL << log2) - 1) & ~0x3ffUL;

	return b | ((log2 & 0x3f) << 4) | (rights & 0xf);
}

static W w_fpage(int idx, W *s)
{
	W r = below(s, 8) ? below(s, 8) : below(s, 16);

	switch (below(s, 10)) {
	case 0: return 0;
	case 1: return (1UL << 4) | r;			/* complete */
	case 2: return fpage(w_addr(idx, s), below(s, 64), r);
	case 3: return rnd(s);
	case 4: return fpage(w_addr(idx, s), 12, r);
	default: return fpage(w_addr(idx, s), 12 + below(s, 21), r);
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

static W w_timeouts(W *s)
{
	return (w_timeout(s) << 16) | w_timeout(s);
}

/* Any word: random, or one of the interesting kinds. */
static W w_any(int idx, W *s)
{
	switch (below(s, 8)) {
	case 0: return w_id(idx, s);
	case 1: return w_addr(idx, s);
	case 2: return w_fpage(idx, s);
	case 3: return below(s, 70);
	case 4: return ~0UL;
	default: return rnd(s);
	}
}

/* ---- keeping the fuzz in its sandbox ------------------------------------ */

static int in(W a, W lo, W hi)
{
	return a >= lo && a < hi;
}

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

static W safe_id(W id)
{
	return untouchable(id) ? fz.nonexist : id;
}

static W safe_target(W id)
{
	return untouchable(id) || root_protected(id) ? fz.nonexist : id;
}

/* A pager or exception handler: a thread that never answers. */
static W w_pager(int idx, W *s)
{
	(void)idx;
	switch (below(s, 6)) {
	case 0: return 0;
	case 1: return fz.main;
	case 2: return wrong_version(fz.main);
	case 3: return fz.nonexist;
	case 4: return reserved_id(s);
	default: return FZ_UTCB + 0x140 + below(s, 32) * RT_UTCB_SIZE;	/* no UTCB starts there */
	}
}

/* The fuzz thread of the caller's own space that id names, or -1. */
static int own_space_thread(int idx, W id)
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
static void sanitize_brs(int idx, W *u)
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
static void sanitize_items(W *u, W tag)
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

/* ---- the steps ---------------------------------------------------------- */

static W *utcb_of(int idx)
{
	return (W *)fz.local[idx];
}

/* A typed item (or garbage) at u[i..]; returns the words it took. */
static unsigned w_item(int idx, W *s, W *u, unsigned i, unsigned room)
{
	switch (below(s, 6)) {
	case 0: case 1: case 2:				/* map or grant */
		if (room < 2)
			break;
		u[i] = (w_addr(idx, s) & ~0x3ffUL) | (below(s, 4) ? 0x8 : 0xa) | below(s, 2);
		u[i + 1] = w_fpage(idx, s);
		return 2;
	case 3: case 4: {				/* a string */
		W j = below(s, 4) ? 0 : below(s, 3), len, k;

		if (room < j + 2)
			break;
		len = below(s, 3) ? below(s, 256) : rnd(s) >> 10;
		u[i] = (len << 10) | (below(s, 3) ? 0 : 1UL << 9) | (j << 4) |
		       (below(s, 4) << 1) | below(s, 2);
		for (k = 0; k <= j; k++)
			u[i + 1 + k] = w_addr(idx, s);
		return (unsigned)j + 2;
	}
	default:
		break;
	}
	u[i] = rnd(s);
	return 1;
}

/* Random BRs: an acceptor and receive buffers (made safe later). */
static void w_brs(int idx, W *s, W *u)
{
	W n = below(s, 4), i;

	switch (below(s, 5)) {
	case 0: u[U_BR(0)] = 0; break;
	case 1: u[U_BR(0)] = w_fpage(idx, s) | below(s, 2); break;
	case 2: u[U_BR(0)] = rnd(s); break;
	default:
		u[U_BR(0)] = fpage(FZ_WIN + (rnd(s) & (FZ_WIN_ROOT - 1)), 12 + below(s, 11), 0) |
			     below(s, 2);
		break;
	}
	for (i = 1; i <= n * 2 + 1; i++) {
		W sb = (W)fz_rw.sbuf[idx];

		switch (below(s, 6)) {
		case 0: u[U_BR(i)] = (below(s, FZ_SBUF / 2) << 10) | (below(s, 3) << 4) |
				     (below(s, 2) << 9); break;
		case 1: case 2: u[U_BR(i)] = sb + below(s, FZ_SBUF / 4); break;
		case 3: u[U_BR(i)] = w_addr(idx, s); break;
		default: u[U_BR(i)] = rnd(s); break;
		}
	}
}

/* Random writes to the UTCB's BRs and TCRs. */
static void w_utcb(int idx, W *s, W *u, W n)
{
	while (n--) {
		switch (below(s, 16)) {
		case 0: case 1: case 2: u[U_BR(below(s, 33))] = w_any(idx, s); break;
		case 3: w_brs(idx, s, u); break;
		case 4: case 5: u[U_XFER] = w_timeouts(s); break;
		case 6: u[U_ERROR] = rnd(s); break;
		case 7: u[U_VSENDER] = safe_id(w_id(idx, s)); break;
		case 8: u[U_IRECV] = w_id(idx, s); break;
		case 9: u[below(s, 2) ? U_TW0 : U_TW1] = rnd(s); break;
		case 10: u[U_HANDLE] = rnd(s); break;
		case 11: ((volatile unsigned char *)&u[U_FLAGS])[below(s, 2)] = (unsigned char)rnd(s); break;
		case 12: u[U_PROCNO] = w_any(idx, s); break;
		case 13: u[U_MYID] = w_id(idx, s); break;
		default:
			/* Rarely: each such fault halts the thread with a
			 * kernel log line until the watchdog comes. */
			if (below(s, 16) == 0)
				u[below(s, 2) ? U_EXCH : U_PAGER] = w_pager(idx, s);
			break;
		}
	}
}

/* A message: tag (returned) and MRs. */
static W w_message(int idx, W *s, W *u)
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
		u[i] = w_any(idx, s);
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
		u[U_VSENDER] = safe_id(w_id(idx, s));
	return (label << 16) | (flags << 12) | ((nt & 0x3f) << 6) | (nu & 0x3f);
}

static void priv_check(struct fz_thread *me, W res, W *u, W op, W want_ec)
{
	if (res != 0 || u[U_ERROR] != want_ec) {
		me->priv_bad++;
		me->priv_bad_what = (op << 24) | ((res & 0xff) << 8) | (u[U_ERROR] & 0xff);
	}
}

enum { OP_IPC, OP_LIPC, OP_EXREG, OP_TC, OP_SC, OP_SCHED, OP_SWITCH, OP_UNMAP, OP_CLOCK,
       OP_PROC, OP_MEM, OP_INTN, OP_INT30, OP_INT31, OP_INT3, OP_KI, OP_UTCB, OP_IRET, OP_N };
static const unsigned char op_weight[OP_N] = {
	[OP_IPC] = 14, [OP_LIPC] = 4, [OP_EXREG] = 6, [OP_TC] = 5, [OP_SC] = 3,
	[OP_SCHED] = 3, [OP_SWITCH] = 2, [OP_UNMAP] = 4, [OP_CLOCK] = 2, [OP_PROC] = 1,
	[OP_MEM] = 1, [OP_INTN] = 4, [OP_INT30] = 2, [OP_INT31] = 1, [OP_INT3] = 3,
	[OP_KI] = 1, [OP_UTCB] = 3, [OP_IRET] = 1,
};

/* Debugging aids: -DFZ_OPMASK=bits limits the ops (bit i: op i), and
 * -DFZ_TRACE prints every call before it is made. */
#ifndef FZ_OPMASK
#define FZ_OPMASK	((1UL << OP_N) - 1)
#endif

static W weight(W i)
{
	return (FZ_OPMASK >> i) & 1 ? op_weight[i] : 0;
}

static W pick_op(W *s)
{
	W total = 0, r, i;

	for (i = 0; i < OP_N; i++)
		total += weight(i);
	r = below(s, total);
	for (i = 0; r >= weight(i); i++)
		r -= weight(i);
	return i;
}

#ifdef FZ_TRACE
static void tr_hex(char *p, W v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

/* "F<thread> step op target code[0..3] eax ebx ecx edx esi edi ebp" */
static void trace(int idx, W step, W op, const struct fz_regs *r, W target)
{
	char *b = (char *)fz_rw.sbuf[idx] + FZ_SBUF - 128;
	W w[11] = { step, op, target, *(W *)fz_rw.th[idx].code,
		    r->eax, r->ebx, r->ecx, r->edx, r->esi, r->edi, r->ebp };
	int i, n = 0;

	b[n++] = 'F';
	b[n++] = (char)('a' + idx);
	for (i = 0; i < 11; i++, n += 8) {
		b[n++] = ' ';
		tr_hex(b + n, w[i]);
	}
	b[n++] = '\n';
	b[n] = 0;
	__asm__ __volatile__("int $3\n\tcmpb $1, %%al" : : "a"(b) : "memory", "cc");
}
#endif

/* push imm32 */
static unsigned char *push_imm(unsigned char *p, W v)
{
	*p++ = 0x68;
	*p++ = (unsigned char)v;
	*p++ = (unsigned char)(v >> 8);
	*p++ = (unsigned char)(v >> 16);
	*p++ = (unsigned char)(v >> 24);
	return p;
}

/* Registers and MRs of an Ipc (also used for int $0x30 from anywhere). */
static void ipc_regs(int idx, W *s, W *u, struct fz_regs *r)
{
	if (below(s, 4) == 0)
		w_brs(idx, s, u);
	if (below(s, 2))
		u[U_XFER] = w_timeouts(s);
	r->esi = u[0] = w_message(idx, s, u);
	r->eax = safe_id(w_id(idx, s));
	r->edx = safe_id(w_id(idx, s));
	r->ecx = w_timeouts(s);
	r->edi = below(s, 8) ? fz.local[idx] : w_any(idx, s);
	sanitize_items(u, r->esi);
	sanitize_brs(idx, u);
}

/* Root phase: a thread ID for ThreadControl / SpaceControl: reserved
 * numbers, number 17 (sigma1, not created) or IDs the kernel refuses. */
static W tc_dest(W *s)
{
	switch (below(s, 12)) {
	case 0: return 0;
	case 1: return ~0UL;
	case 2: return 0xffffffc0UL;
	case 3: return gid(below(s, 16), 1);
	case 4: return gid(17, 1 + below(s, FZ_RES_VERS));
	case 5: return gid(FZ_RES_NO + below(s, FZ_RES_NOS), 0);	/* local form */
	default: return reserved_id(s);
	}
}

/* A random word that names no thread of the root (ThreadControl args). */
static W tc_word(W *s)
{
	W w = rnd(s), no = w >> 14;

	if (no < 20 || (no >= RT_FIRST_THREAD_NO && no < RT_FIRST_THREAD_NO + RT_THREAD_NOS) ||
	    (no >= FZ_RES_NO && no < FZ_RES_NO + FZ_RES_NOS) || (no == 0x3ffff) ||
	    in(w, FZ_UTCB, FZ_UTCB + 0x10000))
		return fz.nonexist;
	return w;
}

static void fz_step(int idx, struct fz_thread *me, W step)
{
	W s0 = seed_of(idx, step), *s = &s0, *u = utcb_of(idx), op;
	struct fz_regs r;
	W target = 0;
	int j;

	r.eax = w_any(idx, s);
	r.ebx = w_any(idx, s);
	r.ecx = w_any(idx, s);
	r.edx = w_any(idx, s);
	r.esi = w_any(idx, s);
	r.edi = w_any(idx, s);
	r.ebp = w_any(idx, s);
	op = pick_op(s);
	me->op = op;
	if (below(s, 10) == 0)
		w_utcb(idx, s, u, 1 + below(s, 4));

	switch (op) {
	case OP_IPC:
	case OP_LIPC:
		ipc_regs(idx, s, u, &r);
		target = fz.stub[op == OP_IPC ? SC_IPC : SC_LIPC];
		break;
	case OP_EXREG:
		r.eax = safe_target(w_id(idx, s));
		r.ecx = below(s, 8) ? rnd(s) & 0x3ff : rnd(s);
		r.ebp = w_pager(idx, s);
		j = own_space_thread(idx, r.eax);
		if (j >= 0) {
			r.edx = fz_sp(j);
			r.esi = (W)fz_start;
			r.edi &= ~0x400UL;			/* DF would confuse C */
		}
		target = fz.stub[SC_EXREG];
		break;
	case OP_TC:
		if (fz.root) {
			r.eax = tc_dest(s);
			switch (below(s, 5)) {
			case 0: r.esi = 0; break;
			case 1: r.esi = r.eax; break;
			case 2: r.esi = tc_word(s); break;
			default: r.esi = tc_dest(s); break;
			}
			r.edx = below(s, 3) ? fz.main : below(s, 2) ? tc_dest(s) : tc_word(s);
			r.ecx = below(s, 2) ? w_pager(idx, s) : below(s, 2) ? tc_dest(s) : tc_word(s);
			switch (below(s, 5)) {
			case 0: r.edi = ~0UL; break;
			case 1: r.edi = FZ_UTCB + below(s, RT_UTCB_SLOTS) * RT_UTCB_SIZE; break;
			case 2: r.edi = rnd(s) & ~0x1ffUL; break;
			case 3: r.edi = w_addr(idx, s); break;
			default: r.edi = rnd(s); break;
			}
		}
		target = fz.stub[SC_THREAD];
		break;
	case OP_SC:
		if (fz.root) {
			r.eax = tc_dest(s);
			r.edx = below(s, 2) ? fpage(FZ_KIP, 12, 0) : w_fpage(idx, s);
			r.esi = below(s, 2) ? fpage(FZ_UTCB, 12 + below(s, 8), 0) : w_fpage(idx, s);
			r.edi = w_any(idx, s);
		}
		target = fz.stub[SC_SPACE];
		break;
	case OP_SCHED:
		r.eax = safe_target(w_id(idx, s));
		if (below(s, 2))
			r.ecx = below(s, 2) ? ~0UL : below(s, 256);
		if (below(s, 2))
			r.edx = below(s, 2) ? ~0UL : rnd(s);
		if (below(s, 2))
			r.esi = below(s, 2) ? ~0UL : 0;
		target = fz.stub[SC_SCHED];
		break;
	case OP_SWITCH:
		r.eax = safe_id(w_id(idx, s));
		target = fz.stub[SC_SWITCH];
		break;
	case OP_UNMAP: {
		W k = below(s, 4) ? below(s, 4) : below(s, 64), i;

		r.eax = below(s, 6) ? (k | (below(s, 2) << 6)) : rnd(s);
		for (i = 0; i < 64; i++)
			if (i <= k || below(s, 8) == 0)
				u[i] = w_fpage(idx, s);
		r.esi = u[0];
		r.edi = below(s, 8) ? fz.local[idx] : w_any(idx, s);
		target = fz.stub[SC_UNMAP];
		break;
	}
	case OP_CLOCK:
		target = fz.stub[SC_CLOCK];
		break;
	case OP_PROC:
		target = fz.stub[SC_PROC];
		break;
	case OP_MEM:
		if (below(s, 2))
			u[0] = w_fpage(idx, s);
		target = fz.stub[SC_MEM];
		break;
	case OP_INTN:
	case OP_INT30:
	case OP_INT31: {
		W n = op == OP_INT30 ? 0x30 : op == OP_INT31 ? 0x31 : below(s, 256);

		if (n == 0x30)
			ipc_regs(idx, s, u, &r);
		me->code[0] = 0xcd;
		me->code[1] = (unsigned char)n;
		me->code[2] = 0xc3;
		target = (W)me->code;
		break;
	}
	case OP_INT3: {
		unsigned char b1 = (unsigned char)rnd(s), b2 = (unsigned char)rnd(s);

		if (below(s, 3) == 0) {
			static const unsigned char ops[] = { 0x02, 0x08, 0x08, 0x02, 0x0d, 0x77 };

			b1 = 0x3c;
			b2 = ops[below(s, sizeof(ops))];
		}
		if (b1 == 0x3c && (b2 == 0x00 || b2 == 0x01))
			b2 = 0x02;		/* no printing: it would garble the TAP output */
		me->code[0] = 0xcc;
		me->code[1] = b1;
		me->code[2] = b2;
		me->code[3] = 0xc3;		/* never 0xb8: no "jmp; mov $msg" */
		target = (W)me->code;
		break;
	}
	case OP_KI: {
		/* lock; nop (KernelInterface), or lock on something that
		 * must raise #UD (or, where a CPU ignores the prefix, does
		 * no harm): no other instruction is ever executed. */
		static const unsigned char seq[][3] = {
			{ 0x90, 0xc3 }, { 0x90, 0xc3 }, { 0x90, 0xc3 }, { 0x0f, 0x0b },
			{ 0xc3 }, { 0x40, 0xc3 }, { 0xf0, 0x90, 0xc3 }, { 0x66, 0x90, 0xc3 },
		};
		const unsigned char *q = seq[below(s, sizeof(seq) / sizeof(seq[0]))];

		me->code[0] = 0xf0;
		me->code[1] = q[0];
		me->code[2] = q[1] ? q[1] : 0xc3;
		me->code[3] = q[2] ? q[2] : 0xc3;
		me->code[4] = 0xc3;
		target = (W)me->code;
		break;
	}
	case OP_IRET: {
		/*
		 * iret from user mode with a random EFLAGS (and, now and
		 * then, a random CS): a frame for the return to virtual-8086
		 * mode too (GS FS DS ES SS ESP EFLAGS CS EIP), though at
		 * CPL 3 a CPU ignores EFLAGS.VM.  EIP is the landing below,
		 * which drops the six words a same-level iret leaves.
		 */
		unsigned char *p = me->code;
		W land = (W)me->code + 9 * 5 + 1, fl = rnd(s), i;

		if (below(s, 2))
			fl = (fl & 0x00274fd5UL) | 0x202;	/* arithmetic, TF, DF, NT, RF, VM, AC, ID */
#ifdef FZ_NO_VM86
		fl &= ~0x20000UL;
#endif
		for (i = 0; i < 6; i++)
			p = push_imm(p, below(s, 2) ? rnd(s) & 0xffff : 0x23);
		p = push_imm(p, fl);
		p = push_imm(p, below(s, 4) ? 0x1b : rnd(s) & 0xffff);
		p = push_imm(p, land);
		*p++ = 0xcf;				/* iret */
		*p++ = 0x83; *p++ = 0xc4; *p++ = 0x18;	/* add $24, %esp */
		*p++ = 0xc3;
		target = (W)me->code;
		break;
	}
	default:
		w_utcb(idx, s, u, 1 + below(s, 8));
		return;
	}
	/* Whatever else happened, receive buffers stay safe. */
	sanitize_brs(idx, u);
	me->calls++;
	me->by_op[op]++;
#ifdef FZ_TRACE
	trace(idx, step, op, &r, target);
#endif
	(void)fz_invoke(&r, target);

	switch (op) {
	case OP_TC:
	case OP_SC:
		if (!fz.root)
			priv_check(me, r.eax, u, op, L4_ErrNoPrivilege);
		break;
	case OP_PROC:
	case OP_MEM:
		priv_check(me, r.eax, u, op, fz.root ? L4_ErrInvalidParam : L4_ErrNoPrivilege);
		break;
	case OP_CLOCK:
		if (r.edx < me->clock_hi || (r.edx == me->clock_hi && r.eax < me->clock_lo))
			me->clock_back++;
		me->clock_lo = r.eax;
		me->clock_hi = r.edx;
		break;
	default:
		break;
	}
}

void fz_main(W idx)
{
	struct fz_thread *me;

	if (idx >= FZ_MAX)
		for (;;)
			;
	me = &fz_rw.th[idx];
	me->entries++;
	for (;;) {
		W *u = utcb_of((int)idx);

		u[U_MYID] = fz.tid[idx];
		u[U_EXCH] = fz.main;
		u[U_PAGER] = fz.main;
		if (fz.stop) {
			struct fz_regs r = { .edx = fz.tid[idx] };

			(void)fz_invoke(&r, fz.stub[SC_IPC]);	/* receive from self: for ever */
			continue;
		}
		fz_step((int)idx, me, ++me->steps);
	}
}

/* ---- main: pager, exception handler, watchdog --------------------------- */

static int fz_index(W id)
{
	int j;

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

static W totals(W *calls, W *min_steps, const char **bad);

/* Has the fuzz run long enough: `us` of SystemClock, and then until every
 * thread has made FZ_MIN_STEPS steps, so that a slow host makes the run
 * longer instead of failing it; a thread still short of them after
 * FZ_MAX_RUNS times `us` is starved, and check_steps() says so. */
static int run_done(W start, W now, W us)
{
	W calls, min_steps;
	const char *bad = 0;

	if (now - start < us)
		return 0;
	if (now - start >= FZ_MAX_RUNS * us)
		return 1;
	(void)totals(&calls, &min_steps, &bad);
	return min_steps >= FZ_MIN_STEPS;
}

static void run(W us)
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

/* ---- setup, checks ------------------------------------------------------ */

static void fz_setup(int root)
{
	W kip = (W)rt_kip();
	int i;

	for (i = 0; i < FZ_MAX; i++) {
		struct fz_thread *t = &fz_rw.th[i];

		t->steps = t->calls = t->entries = t->priv_bad = t->clock_back = 0;
		t->clock_lo = t->clock_hi = 0;
	}
	for (i = 0; i < (int)sizeof(fm) / (int)sizeof(W); i++)
		((W *)&fm)[i] = 0;
	for (i = 0; i < SC_N; i++)
		fz.stub[i] = kip + *(volatile W *)(kip + 0xd0 + 4 * i);
	fz.main = L4_Myself().raw;
	fz.rtpager = rt_pager().raw;
	fz.rtpager_local = rt_utcb_of(rt_pager()) + RT_UTCB_MR0_OFFSET;
	fz.nonexist = t_nonexistent().raw;
	fz.img_lo = RT_IMAGE_BASE;
	fz.img_hi = RT_IMAGE_BASE;
	while (rt_image_contains(fz.img_hi))
		fz.img_hi += RT_PAGE_SIZE;
	fz.rw_lo = (W)&fz_rw;
	fz.rw_hi = ((W)&fz_rw + sizeof(fz_rw) + RT_PAGE_SIZE - 1) & ~(RT_PAGE_SIZE - 1);
	fz.root = root;
	fz.first = root ? FZ_CHILD : 0;
	fz.n = root ? FZ_ROOT : FZ_CHILD;
	fz.stop = 0;
	/* The root touches the whole region once (its own faults go to sigma0). */
	for (i = 0; i < (int)(sizeof(fz_rw) / sizeof(W)); i++)
		((volatile W *)&fz_rw)[i] = 0;
}

static W totals(W *calls, W *min_steps, const char **bad)
{
	W steps = 0;
	int j;

	*calls = 0;
	*min_steps = ~0UL;
	*bad = 0;
	for (j = fz.first; j < fz.first + fz.n; j++) {
		struct fz_thread *t = &fz_rw.th[j];

		steps += t->steps;
		*calls += t->calls;
		if (t->steps < *min_steps)
			*min_steps = t->steps;
		if (t->priv_bad) {
			printf("#   fuzz thread %d: %lu privileged calls did not fail right "
			       "(last op %lu, result %lu, error %lu)\n", j, t->priv_bad,
			       t->priv_bad_what >> 24, (t->priv_bad_what >> 8) & 0xff,
			       t->priv_bad_what & 0xff);
			*bad = "a privileged call did not fail as X.2 says";
		}
		if (t->clock_back)
			*bad = "SystemClock went backwards";
	}
	return steps;
}

static const char *const op_name[OP_N] = {
	"ipc", "lipc", "exreg", "tc", "sc", "sched", "switch", "unmap", "clock", "procctl",
	"memctl", "int", "int30", "int31", "int3", "lock", "utcb", "iret",
};

static void report(const char *what, W elapsed)
{
	int j, op;

	W calls, min_steps, steps = totals(&calls, &min_steps, &(const char *){ 0 });

	printf("# fuzz %s: seed 0x%lx, %d threads, %lu ms: %lu steps (min %lu), %lu calls, "
	       "%lu exceptions (#GP %lu, #BP %lu, #UD %lu, #DB %lu), %lu page faults "
	       "(%lu image, %lu scratch, %lu refused, last at 0x%lx ip 0x%lx), "
	       "%lu restarts, %lu strays\n",
	       what, FZ_SEED, fz.n, elapsed / 1000, steps, min_steps, calls, fm.exc,
	       fm.exc_vec[13], fm.exc_vec[3], fm.exc_vec[6], fm.exc_vec[1],
	       fm.pf_img + fm.pf_scr + fm.pf_ro + fm.pf_other, fm.pf_img, fm.pf_scr,
	       fm.pf_ro + fm.pf_other, fm.pf_last_addr, fm.pf_last_ip, fm.restarts, fm.strays);
	printf("#   calls by op:");
	for (op = 0; op < OP_N; op++) {
		W n = 0;

		for (j = fz.first; j < fz.first + fz.n; j++)
			n += fz_rw.th[j].by_op[op];
		if (op != OP_UTCB)
			printf(" %s %lu", op_name[op], n);
	}
	printf("\n");
}

/*
 * Kernel memory, measured the only way the ABI offers: create inactive
 * threads in one new space until ThreadControl fails with "out of
 * memory" (each takes a page), then delete them all.  Returns the number
 * created, or -1 if there is no answer: the first one failed, or more
 * than FZ_PROBE_MAX pages are free (large memory: the probe would take
 * too long; the kernel-memory pool is an eighth of RAM).
 */
static int kmem_probe(void)
{
	L4_ThreadId_t first = L4_GlobalId(FZ_PROBE_NO, 1), me = L4_Myself();
	W ec = 0;
	int n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return -1;
	for (n = 1; n < FZ_PROBE_MAX; n++) {
		L4_ThreadId_t t = L4_GlobalId(FZ_PROBE_NO + n, 1);

		if (L4_ThreadControl(t, first, me, L4_nilthread, (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	}
	for (i = n - 1; i >= 0; i--)
		(void)L4_ThreadControl(L4_GlobalId(FZ_PROBE_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : -1;
}

#define WB_ADDR	0x20000000UL
#define MAGIC	0x66757a7aUL

/* After the fuzz: a fresh thread, an IPC round trip with eight words, a
 * map item and an unmap, SystemClock advanced. */
static const char *kernel_works(W clock_before, W us)
{
	L4_ThreadId_t echo, ag;
	L4_Word_t w[8], res[5], sec, p;
	L4_Fpage_t fp;
	L4_MsgTag_t tag;
	int i;

	CHECK(rt_now_us() - clock_before >= us);
	echo = rt_thread_create(t_echo, 0);
	CHECK(!L4_IsNilThread(echo));
	for (i = 0; i < 8; i++)
		w[i] = 0x1000 + (L4_Word_t)i * 0x01010101UL;
	rt_msg(0x123, 8, w);
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Call_Timeouts(echo, rt_us(T_WAIT_US), rt_us(T_WAIT_US));
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 0x123 ^ 0xff);
	CHECK_EQ(L4_UntypedWords(tag), 8);
	for (i = 0; i < 8; i++)
		CHECK_EQ(rt_mr(i + 1), ~w[i]);
	CHECK_EQ(t_shared[0], 1);

	p = t_page();
	CHECK(p != 0);
	*(volatile L4_Word_t *)p = MAGIC;
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, WB_ADDR, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_ReadWriteOnly, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, WB_ADDR, MAGIC));
	fp = L4_FpageLog2(p, 12);
	L4_Set_Rights(&fp, L4_FullyAccessible);
	(void)L4_UnmapFpage(fp);
	RUN(t_ag_faults(ag, WB_ADDR, 0));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

static const char *leak_check(int before, int after)
{
	if (before < 0 || after < 0) {
		printf("# kernel-memory probe: no answer (too much free memory)\n");
		return 0;
	}
	printf("# kernel-memory probe: %d pages free before the fuzz, %d after\n", before, after);
	CHECK(after + FZ_LEAK_PAGES >= before);
	return 0;
}

static const char *check_steps(void)
{
	W calls, min_steps;
	const char *bad;

	(void)totals(&calls, &min_steps, &bad);
	if (bad)
		return t_fail(__FILE__, __LINE__, bad);
	CHECK(min_steps >= FZ_MIN_STEPS);
	return 0;
}

/* Test 1: child tasks. */
static const char *t_fuzz_syscalls_kernel_survives(void)
{
	L4_ThreadId_t me = L4_Myself();
	W clock0 = rt_now_us(), ip, sp;
	int before = kmem_probe(), after, k, j;
	const char *r;

	fz_setup(0);
	fm.scratch = t_page();
	CHECK(fm.scratch != 0);
	for (k = 0; k < FZ_TASKS; k++) {
		L4_ThreadId_t first = L4_nilthread;

		for (j = 0; j < FZ_PER_TASK; j++) {
			int idx = k * FZ_PER_TASK + j;
			L4_ThreadId_t t;
			W utcb = FZ_UTCB + (W)j * RT_UTCB_SIZE;

			if (j == 0)
				t = first = rt_task_prepare(t_sleeper, 0, me, &ip, &sp);
			else
				t = rt_task_thread_prepare(first, utcb, t_sleeper, 0, me, &ip, &sp);
			CHECK(!L4_IsNilThread(t));
			(void)L4_Set_Priority(t, FZ_PRIO);
			fz.tid[idx] = t.raw;
			fz.local[idx] = utcb + RT_UTCB_MR0_OFFSET;
			fz.group[idx] = k;
		}
	}
	for (j = 0; j < FZ_CHILD; j++) {
		L4_ThreadId_t t = { .raw = fz.tid[j] };

		CHECK(rt_start_message(t, (W)fz_start, fz_sp(j)));
	}
	run(FZ_CHILD_US);
	/* Delete the fuzz threads (the first of each task last). */
	for (j = FZ_CHILD - 1; j >= 0; j--)
		rt_release((L4_ThreadId_t) { .raw = fz.tid[j] });
	report("in child tasks", rt_now_us() - clock0);
	RUN(check_steps());
	RUN(kernel_works(clock0, FZ_CHILD_US));
	rt_cleanup();
	after = kmem_probe();
	r = leak_check(before, after);
	return r;
}

/* Test 2: privileged fuzz threads in the root's own space. */
static const char *t_fuzz_privileged_reserved_threads(void)
{
	L4_ThreadId_t me = L4_Myself();
	W clock0 = rt_now_us(), sp, d;
	int before = kmem_probe(), after, j, n, v;
	L4_ThreadId_t pg;
	L4_Fpage_t win;

	fz_setup(1);
	for (j = FZ_CHILD; j < FZ_MAX; j++) {
		L4_ThreadId_t t = rt_thread_prepare(0, &sp);

		CHECK(!L4_IsNilThread(t));
		(void)L4_Set_Priority(t, FZ_PRIO);
		fz.tid[j] = t.raw;
		fz.local[j] = rt_utcb_of(t) + RT_UTCB_MR0_OFFSET;
		fz.group[j] = FZ_TASKS;
	}
	for (j = FZ_CHILD; j < FZ_MAX; j++) {
		L4_ThreadId_t t = { .raw = fz.tid[j] };

		(void)L4_ExchangeRegisters(t, X_S | X_I | X_H | X_r | X_s | X_p | X_F, fz_sp(j),
					   (W)fz_start, 0, 0, me, &d, &d, &d, &d, &d, &pg);
	}
	run(FZ_ROOT_US);
	for (j = FZ_MAX - 1; j >= FZ_CHILD; j--)
		rt_release((L4_ThreadId_t) { .raw = fz.tid[j] });
	/* The threads the fuzz may have made. */
	for (n = 0; n < FZ_RES_NOS; n++)
		for (v = 1; v <= FZ_RES_VERS; v++)
			(void)L4_ThreadControl(L4_GlobalId(FZ_RES_NO + n, v), L4_nilthread,
					       L4_nilthread, L4_nilthread, (void *)~0UL);
	for (v = 1; v <= FZ_RES_VERS; v++)
		(void)L4_ThreadControl(L4_GlobalId(17, v), L4_nilthread, L4_nilthread,
				       L4_nilthread, (void *)~0UL);
	(void)L4_ThreadControl(L4_anythread, L4_nilthread, L4_nilthread, L4_nilthread,
			       (void *)~0UL);
	/* Mappings the fuzz made in the root's receive windows. */
	win = L4_FpageLog2(FZ_WIN, 22);
	L4_Set_Rights(&win, L4_FullyAccessible);
	(void)L4_UnmapFpage(win);
	report("in the root's space", rt_now_us() - clock0);
	RUN(check_steps());
	RUN(kernel_works(clock0, FZ_ROOT_US));
	rt_cleanup();
	after = kmem_probe();
	return leak_check(before, after);
}

const struct test fuzz_tests[] = {
	TEST(fuzz_syscalls_kernel_survives),
	TEST(fuzz_privileged_reserved_threads),
	{ 0 },
};
