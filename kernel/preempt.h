/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Preemption points.  The kernel runs with interrupts off on one stack, so
 * an operation whose work grows with a size the user chose (a string copy,
 * the map or unmap of a large fpage, revoking a deep tree, tearing down a
 * task, a long debugger print) stops at bounded intervals when an
 * interrupt is waiting.  It keeps its progress and rewinds the caller's
 * trap; the interrupt is taken on the way out to user mode, and when the
 * caller runs again it re-executes the trap and the operation continues
 * where it stopped.  Nothing is started again from the beginning.
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include <kernel/types.h>

struct tcb;

/* Roughly how many instructions of work may pass between two looks at
 * the interrupt controller (two port accesses, about 2 µs on a Pentium's
 * ISA bus): some 40 µs on a 100 MHz Pentium.  Each caller counts its work
 * in the same units; the figures were fitted to make bench's wake-up
 * lateness under -icount. */
#define PREEMPT_POLL_COST 4096u

/* The kernel command line may say "preempt=always": then an operation
 * stops every PREEMPT_POLL_COST units of work whether an interrupt waits
 * or not, so that a test run takes every way of continuing a stopped
 * operation. */
void preempt_configure(const char *cmdline);

/* Account cost units (about one instruction each) of work just done;
 * true when an interrupt waits and the caller must stop at this point. */
bool preempt_due(unsigned cost);

/* What a system call stopped at a preemption point continues with. */
enum resume_op {
	RESUME_NONE,
	RESUME_UNMAP,    /* a: fpage index, b: byte offset in it, c: access bits */
	RESUME_REAP,     /* a: id of a deleted task whose memory is being freed */
	RESUME_PRINT,    /* a: characters of a debugger string printed */
	RESUME_CREATE,   /* a: number of the thread a ThreadControl creation
	                  * gathers pages for (kernel/sys_thread.c) */
	RESUME_OPS
};

typedef struct resume {
	uint8_t op;                  /* enum resume_op */
	uint8_t vector;              /* the trap that is to be re-executed */
	uint32_t at;                 /* its address */
	uint32_t a, b, c;
} resume_t;

/* Stop t's system call here: keep r as its progress and rewind its trap,
 * leaving t ready to run (and to re-execute the call). */
void preempt_restart(struct tcb *t, const resume_t *r);
/* The progress t's current system call left, if this entry re-executes
 * the trap that was rewound; NULL for a fresh call. */
resume_t *resume_of(struct tcb *t, enum resume_op op);
/* Forget t's progress: it entered the kernel in another way, or its
 * registers were changed from outside.  (A task it was freeing is freed
 * all the same: see kernel/space_reap.c.) */
void resume_forget(struct tcb *t);

#endif
