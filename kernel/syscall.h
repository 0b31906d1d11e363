/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The generic halves of the X.2 system calls.  The arch layer decodes the
 * registers and calls these; each returns the X.2 result word and leaves
 * an error code in the caller's ErrorCode register on failure.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/types.h>
#include <kernel/l4types.h>
#include <kernel/thread.h>
#include <kernel/kmem.h>

/* X.2 error codes of the non-IPC system calls (ErrorCode TCR). */
enum sys_error {
	ERR_NO_PRIVILEGE = 1,
	ERR_INVALID_THREAD = 2,
	ERR_INVALID_SPACE = 3,
	ERR_INVALID_SCHEDULER = 4,
	ERR_INVALID_PARAM = 5,
	ERR_UTCB_AREA = 6,
	ERR_KIP_AREA = 7,
	ERR_NO_MEMORY = 8,
};

/* Fail the caller's system call: the X.2 code goes to its ErrorCode
 * register and the call's result word is 0. */
static inline word_t sys_fail(struct tcb *t, word_t code)
{
	if (t->utcb)          /* away: only where the call took it back itself */
		UTCB_TCR(t, TCR_ERROR_CODE) = code;
	return 0;
}

typedef struct exregs_args {
	word_t control, sp, ip, flags, user_handle;
	tid_t pager;
} exregs_args_t;

word_t sys_thread_control(struct tcb *t, tid_t dest, tid_t space, tid_t scheduler,
			  tid_t pager, word_t utcb_location);
word_t sys_space_control(struct tcb *t, tid_t space, word_t control, fpage_t kip_area,
			 fpage_t utcb_area, tid_t redirector, word_t *old_control);
tid_t sys_exchange_registers(struct tcb *t, tid_t dest, exregs_args_t *io);
word_t sys_schedule(struct tcb *t, tid_t dest, word_t time_ctl, word_t proc_ctl,
		    word_t prio_ctl, word_t preempt_ctl, word_t *old_time_ctl);
void sys_thread_switch(struct tcb *t, tid_t dest) __attribute__((noreturn));
uint64_t sys_system_clock(void);
/* MR0 comes and goes in a register; MR1.. are read from the UTCB. */
word_t sys_unmap(struct tcb *t, word_t control, word_t mr0);
/* MemoryControl: MR0 in a register like Unmap's; the four attributes. */
word_t sys_memory_control(struct tcb *t, word_t control, word_t mr0, const word_t attr[4]);
word_t sys_processor_control(struct tcb *t, word_t cpu, word_t internal_khz,
			     word_t external_khz, word_t voltage);

/* Lent's KmemControl extension (<lent/kmem.h>). */
word_t sys_kmem_control(struct tcb *t, tid_t task, word_t op, word_t arg);

/*
 * The gather step of a system call that needs page cid of kind for task
 * s: GATHER_OK when it is there; GATHER_FAULTED when the caller's trap
 * was rewound and a kernel page fault sent (the call must return leaving
 * its argument registers as they were, and runs again once the page is
 * lent); GATHER_NO_MEMORY when the call must fail with X.2's no memory.
 */
enum sys_gather { GATHER_OK, GATHER_FAULTED, GATHER_NO_MEMORY };
struct space;
enum sys_gather sys_gather_page(struct tcb *t, struct space *s, enum kmem_kind kind,
				uint32_t cid, tid_t named);
/* The same for the record of the task not yet made whose first thread
 * is the unhoused resident part c (kernel/thread.h): the page at (its
 * task id, LENT_CID_TASK), asked of its kpager, the fault naming c. */
struct tcb_core;
enum sys_gather sys_gather_record(struct tcb *t, const struct tcb_core *c);

/* Kernel debugger console requests (int3 protocol). */
bool kdebug_call(struct tcb *t);   /* false: an ordinary breakpoint */

#endif
