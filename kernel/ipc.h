/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synchronous IPC.  Both phases are written for explicit threads rather
 * than for "current": a transfer may be driven by either partner, and by
 * the kernel on behalf of a blocked thread (its page faults).
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/types.h>
#include <kernel/l4types.h>

struct tcb;

/* The Ipc/Lipc system call of t; ends by leaving the kernel. */
void ipc_syscall(struct tcb *t, tid_t to, tid_t from, uint32_t timeouts,
		 word_t tag, bool lipc) __attribute__((noreturn));

/* The Ipc trap (arch/ia32/entry.asm): the common Call/ReplyWait case,
 * its arguments still in the caller's registers, on the fast path
 * (kernel/ipc_fast.c); anything else on to trap_from_user(). */
void ipc_fast_entry(void) __attribute__((noreturn));
/* The kernel command line's ipcfast=off turns the fast path off: every
 * IPC then takes the general path (tools/testall.py runs the suite both
 * ways).  ipc_fast_taken counts the IPCs the fast path delivered. */
void ipc_fast_configure(const char *cmdline);
extern uint32_t ipc_fast_off, ipc_fast_taken;

/*
 * The threads the last two fast IPCs left waiting (kernel/ipc_fast.c,
 * "checked once"): the last one's caller, and the one's before.  Valid
 * only while the kernel did nothing but fast IPCs since: every other
 * entry (trap_from_user(), trap_from_kernel()) forgets them first, and
 * so whatever they may change.
 */
struct tcb_core;
extern struct tcb_core *ipc_fast_last, *ipc_fast_prev;
/* The ID by which the last fast IPC named its caller (ipc_fast_last) to
 * its receiver, now running, if the two are a pair (ipc_fast.c,
 * deliver()): that receiver's answer by this ID needs no checks.  Nil:
 * no pair. */
extern tid_t ipc_fast_pair_id;
static inline void ipc_fast_forget(void)
{
	ipc_fast_last = ipc_fast_prev = 0;
	ipc_fast_pair_id = TID_NIL;
}
/* The receive phases left for a later way out (ipc.c), NULL: none. */
extern struct tcb_core *receive_work;
void ipc_kpf_answer_fast(struct tcb *t, tid_t to, tid_t from, uint32_t timeouts, word_t tag);

/* t (in TS_RECV, ipc_from set) looks for a waiting sender, or waits. */
void ipc_receive_phase(struct tcb *t);
/* Go on with receive phases left at a preemption point (see ipc.c);
 * every way out of the kernel calls it. */
void ipc_receive_continue(void);
/* t is deleted or done: take it off that list; t's priority changed:
 * move it to its place there. */
void ipc_work_remove(struct tcb *t);
void ipc_work_reorder(struct tcb *t);

/* Kernel-made call from t to dest with t->cont.kmsg as the message. */
void ipc_kernel_call(struct tcb *t, tid_t dest, unsigned cont);
/* The same to a thread other than t that the caller has looked up by its
 * global ID (what ipc_kernel_call() would find by that ID). */
void ipc_kernel_call_to(struct tcb *t, struct tcb *dest, unsigned cont);
/* Deliver a page fault of t at addr (access rights RIGHT_*) to its pager. */
void ipc_pagefault(struct tcb *t, uint32_t addr, uint32_t access, uint32_t ip);
/* An in/out/ins/outs on ports first .. its fpage of 2^log2 ports that the
 * space may not use: the I/O-fault IPC to the pager (kernel/iofpage.h). */
void ipc_iofault(struct tcb *t, uint32_t first, uint32_t log2, uint32_t ip);
/* The page fault of a CONT_KPF_FAULT continuation, once its kernel page
 * fault is answered. */
void ipc_pagefault_kpf_done(struct tcb *t);
/* Deliver exception number vec to t's exception handler (or halt t). */
void ipc_exception(struct tcb *t, uint32_t vec, uint32_t error);

/* Abort t's IPC (ExchangeRegisters, deletion): it returns with
 * "cancelled" (or for kernel-made messages simply goes back to user). */
void ipc_cancel(struct tcb *t, bool send, bool recv);
/* ExchangeRegisters on the sender of a transfer stopped at a preemption
 * point: halted, its partner's XferTimeouts start to count; sent
 * elsewhere, it will not go on with the transfer. */
void xfer_sender_held(struct tcb *snd);
void xfer_forget_retry(struct tcb *t);
/* t is going away: fail everyone blocked sending to it. */
void ipc_detach_senders(struct tcb *t);
/* t is going away: fail everyone waiting to receive from it alone, and
 * everyone waiting for its answer to a page fault or exception. */
void ipc_detach_receivers(struct tcb *t);
/* t's IPC timeout has passed. */
void ipc_timeout(struct tcb *t);

#endif
