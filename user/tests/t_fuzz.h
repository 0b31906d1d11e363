/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system-call fuzz's shared part: its sizes, areas and run times,
 * the region its threads write (fz_rw), what they read (fz) and main's
 * bookkeeping (fm).  The fuzz is in five files: t_fuzz_gen.c makes the
 * random arguments, t_fuzz_sandbox.c keeps them from harming the root
 * task, t_fuzz_step.c makes one step (a call, a trap or an instruction)
 * and is the fuzz threads' body, t_fuzz_watch.c is main as their pager,
 * exception handler and watchdog, and t_fuzz.c has the tests.
 */
#ifndef TESTS_T_FUZZ_H
#define TESTS_T_FUZZ_H

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
/* Added to the seed at each run of a fuzz test after the first: 0 (every
 * run the same steps) but in test-only builds that repeat the group
 * (user/tests/main.c, T_GROUPS), e.g. -DFZ_SEED_STEP=0x9e3779b9. */
#ifndef FZ_SEED_STEP
#define FZ_SEED_STEP	0UL
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
/* ErrorCode before a call that must fail: a value no failure writes, so
 * that a failure report tells "not written" from "written wrong". */
#define FZ_EC_UNWRITTEN	0xec0dec0dUL
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
	volatile W entries_off_top;	/* of them, at an SP other than its stack's top */
	volatile W entry_sp_off;	/* the last such SP */
	volatile W priv_bad;	/* privileged calls that did not fail as X.2 says */
	volatile W priv_bad_what;
	volatile W priv_bad_error;	/* its whole ErrorCode (FZ_EC_UNWRITTEN: the kernel wrote none) */
	volatile W priv_bad_step;	/* its step (replayable: fz_seed_of) */
	volatile W priv_bad_sp[2];	/* the stack pointer before and after the call */
	volatile W call_sp;		/* the stack pointer at the current call */
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
extern struct fz_rw fz_rw;

/* What the fuzz threads read (read-only in the children). */
struct fz_read {
	W stub[SC_N];
	W main, rtpager, rtpager_local, nonexist;
	W tid[FZ_MAX], local[FZ_MAX];
	int group[FZ_MAX];		/* threads of one space share a group */
	int first, n;			/* the threads of this phase */
	int root;			/* root phase */
	W img_lo, img_hi, rw_lo, rw_hi;
	W seed;				/* this run's (FZ_SEED, FZ_SEED_STEP) */
	volatile W stop;
};
extern struct fz_read fz;

/* Main's bookkeeping. */
struct fz_log {
	W exc, exc_vec[32], pf_img, pf_scr, pf_ro, pf_other, restarts, strays;
	W fallback, pf_last_addr, pf_last_ip, exc_last_ip, exc_last_vec;
	W last_steps[FZ_MAX], last_change[FZ_MAX];
	W scratch;
};
extern struct fz_log fm;

/* The ops a step may be (t_fuzz_step.c), in the order of fz_thread.by_op. */
enum { OP_IPC, OP_LIPC, OP_EXREG, OP_TC, OP_SC, OP_SCHED, OP_SWITCH, OP_UNMAP, OP_CLOCK,
       OP_PROC, OP_MEM, OP_INTN, OP_INT30, OP_INT31, OP_INT3, OP_KI, OP_UTCB, OP_IRET, OP_N };

/* t_fuzz_step.c: the entry points (see there). */
void fz_start(void);
void fz_main(W idx, W entry_sp);
W fz_invoke(struct fz_regs *r, W target);

/* The initial stack pointer of fuzz thread idx. */
static inline W fz_sp(int idx)
{
	return (W)fz_rw.stack[idx] + FZ_STACK - 16;
}

static inline W rnd(W *s)
{
	W x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static inline W below(W *s, W n)
{
	return rnd(s) % n;
}

static inline int in(W a, W lo, W hi)
{
	return a >= lo && a < hi;
}

/* t_fuzz_gen.c: the random arguments. */
W fz_seed_of(int idx, W step);
W fz_gid(W no, W ver);
W fz_reserved_id(W *s);
W fz_w_id(int idx, W *s);
W fz_w_addr(int idx, W *s);
W fz_fpage(W base, W log2, W rights);
W fz_w_fpage(int idx, W *s);
W fz_w_timeouts(W *s);
W fz_w_any(int idx, W *s);
W fz_w_pager(int idx, W *s);
void fz_w_brs(int idx, W *s, W *u);
void fz_w_utcb(int idx, W *s, W *u, W n);
W fz_w_message(int idx, W *s, W *u);

/* t_fuzz_sandbox.c: what keeps the root task safe from its fuzz threads. */
W fz_safe_id(W id);
W fz_safe_target(W id);
int fz_own_space_thread(int idx, W id);
void fz_sanitize_brs(int idx, W *u);
void fz_sanitize_items(W *u, W tag);

/* t_fuzz_watch.c: main serves the fuzz threads for `us` of SystemClock
 * and then until every thread has made FZ_MIN_STEPS steps, then stops
 * them. */
void fz_run(W us);

/* t_fuzz.c: steps (returned), calls and the fewest steps of a thread of
 * this phase; *bad says why a thread's calls went wrong, or is 0. */
W fz_totals(W *calls, W *min_steps, const char **bad);

#endif
