/* SPDX-License-Identifier: BSD-2-Clause */
/* Fixed-priority round-robin scheduling and IPC timeouts (X.2 Schedule). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>

struct tcb;

#define PRIO_LEVELS 256
#define DEFAULT_PRIO 100
#define ROOT_PRIO 255
#define DEFAULT_TIMESLICE_US 10000u

void sched_enqueue(struct tcb *t);          /* make READY and queue it */
void sched_dequeue(struct tcb *t);
void sched_rotate(struct tcb *t);           /* to the back of its queue */
void sched_handoff(struct tcb *from, struct tcb *to);
struct tcb *sched_pick(void);               /* highest-priority ready thread */
void sched_set_prio(struct tcb *t, unsigned prio);
/* Account a timer tick to the current thread: true if it must give way. */
bool sched_tick(unsigned elapsed_us);
/* Leave the kernel: run the best ready thread (idling until there is one). */
void sched_return(void) __attribute__((noreturn));
/* Leave the kernel into t, which must be ready and the best choice. */
void sched_run(struct tcb *t) __attribute__((noreturn));
/* Run t next if it is ready, else the best thread. */
void sched_switch_to(struct tcb *t) __attribute__((noreturn));

void timeout_set(struct tcb *t, uint64_t wakeup_us);
void timeout_cancel(struct tcb *t);
void timeout_expire(uint64_t now_us);

#endif
