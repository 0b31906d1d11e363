/* SPDX-License-Identifier: BSD-2-Clause */
/* Copying one message from a sender to a receiver: MRs, map/grant items,
 * string items. */
#ifndef KERNEL_IPC_XFER_H
#define KERNEL_IPC_XFER_H

#include <kernel/types.h>

struct tcb;

typedef struct xfer_fault {
	struct tcb *who;      /* the partner whose memory is missing */
	uint32_t addr;
	uint32_t access;      /* RIGHT_R to read a source, RIGHT_W to fill a buffer */
} xfer_fault_t;

#define XFER_OK    0
#define XFER_FAULT (-1)

/*
 * Transfer snd's message to rcv.  Returns XFER_OK with the tag the receiver
 * sees in *tag_out, XFER_FAULT with *f filled (nothing is final: the
 * transfer is started again once the page is there), or an X.2 IPC error
 * code (message overflow; transfer timeouts when a partner's XferTimeout
 * forbids waiting for the page).  Mappings made before an error stay.
 */
int ipc_transfer(struct tcb *snd, struct tcb *rcv, word_t *tag_out, xfer_fault_t *f);

#endif
