/* SPDX-License-Identifier: BSD-2-Clause */
/* The progress of a transfer that stopped (kernel/ipc_xfer.c), kept in
 * the sender's continuation record (kernel/kcont.h). */
#ifndef KERNEL_XFER_CURSOR_H
#define KERNEL_XFER_CURSOR_H

#include <kernel/types.h>

/* How far a transfer that stopped got: the typed item it is in, the
 * receive buffer register its strings go to next (XFER_BR_NONE,
 * kernel/xfer_offset.h: none is left), the bytes (of a string) or pages
 * (of a map or grant item) of that item already done, and the bytes of
 * all strings transferred so far (the offset an error reports).  Kept in
 * the sender; all zero for a transfer not begun. */
typedef struct xfer_cursor {
	uint8_t item, br;
	uint32_t done;
	uint32_t bytes;
} xfer_cursor_t;

#endif
