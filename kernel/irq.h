/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 interrupt threads (kernel/irq.c): the thread numbers below the
 * KIP's SystemBase, with version 1, name the interrupt lines.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/types.h>
#include <kernel/l4types.h>
#include <arch/arch.h>

struct tcb;

/* Bit n: line n has an interrupt that its handler has not received yet.
 * Non-zero only while one waits, so the IPC fast paths test it cheaply
 * before they let a receiver block. */
extern uint32_t irq_pending_lines;

/* Does id name an interrupt thread (number below SystemBase, version 1)? */
static inline bool irq_is_thread(tid_t id)
{
	return tid_version(id) == 1 && tid_number(id) < ARCH_IRQ_LINES;
}

/* ThreadControl on interrupt thread dest (number below SystemBase) by a
 * privileged thread t: pager names the handler, or dest itself to
 * dissociate.  The X.2 result word; 2 (invalid thread) in ErrorCode for a
 * line that is not one or not usable, or a handler that does not exist. */
word_t irq_thread_control(struct tcb *t, tid_t dest, tid_t pager);
/* The arch layer masked and acknowledged line irq's interrupt. */
void irq_raise(unsigned irq);
/* Does an interrupt wait for the handler with global ID id? */
bool irq_waits_for(tid_t id);
/* t, in a user receive phase, takes an interrupt waiting for it, if its
 * from-specifier accepts one; false if none was delivered. */
bool irq_receive(struct tcb *t);
/* t's send to interrupt thread `to`: its acknowledgement if t is the
 * handler and has received the interrupt; false (nothing changed)
 * otherwise. */
bool irq_acknowledge(struct tcb *t, tid_t to);
/* Schedule on interrupt thread id: its X.2 state as Pistachio's
 * interrupt threads report it, or 0 if id names no usable line. */
word_t irq_sched_state(tid_t id);
/* The thread with global ID id is deleted or takes another version: it
 * handles no line any more. */
void irq_handler_gone(tid_t id);
/* The self-check: lines whose record breaks a rule (the first in *first). */
uint32_t irq_selfcheck(tid_t *first);

#endif
