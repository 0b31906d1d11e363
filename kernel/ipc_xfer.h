/* SPDX-License-Identifier: BSD-2-Clause */
/* Copying one message from a sender to a receiver: MRs, map/grant items,
 * string items. */
#ifndef KERNEL_IPC_XFER_H
#define KERNEL_IPC_XFER_H

#include <kernel/types.h>
#include <kernel/kpf.h>
#include <kernel/xfer_cursor.h>

struct tcb;

typedef struct xfer_fault {
	struct tcb *who;      /* the partner whose memory is missing */
	uint32_t addr;        /* XFER_FAULT: the address; XFER_REFUSED: why */
	uint32_t access;      /* RIGHT_R to read a source, RIGHT_W to fill a buffer */
	kmem_need_t need;     /* XFER_KMEM: the receiver's kernel pages missing,
	                       * as many as its kpager takes per fault */
	bool known;           /* XFER_FAULT: the kernel knows the page; only a
	                       * table its kpager took back is missing, so no
	                       * XferTimeout of zero fails the transfer */
} xfer_fault_t;

#define XFER_OK      0
#define XFER_FAULT   (-1)
#define XFER_STOPPED (-2)   /* at a preemption point */
#define XFER_KMEM    (-3)   /* the receiver's kernel memory is missing */
#define XFER_REFUSED (-4)   /* a kpager's page was refused (kernel/kpf.c) */
#define XFER_MAP_NOMEM (-5) /* a map item's mapping could not be made for want
                             * of the receiver's kernel memory: message
                             * overflow (X.2), see ipc.c deliver() */


/*
 * Transfer snd's message to rcv, from *cur on.  Returns XFER_OK with the
 * tag the receiver sees in *tag_out; XFER_FAULT with *f filled, or
 * XFER_STOPPED at a preemption point, XFER_KMEM with f->need naming the
 * missing pages of the receiver's kernel memory, all with *cur
 * saying where to go on once the page is there or the interrupt has been
 * taken; XFER_REFUSED when the receiver waits for a kernel page and the
 * sender's map item offers one the kernel refuses (f->addr: why); or an X.2
 * IPC error code (message overflow; transfer timeouts when a partner's
 * XferTimeout forbids waiting for the page).  Mappings made and bytes
 * copied before an error stay.
 */
int ipc_transfer(struct tcb *snd, struct tcb *rcv, word_t *tag_out, xfer_fault_t *f,
		 xfer_cursor_t *cur);

#endif
