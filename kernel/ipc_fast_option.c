/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path's option and count (kernel/ipc_fast.c).  Apart from
 * it because that file is built with ebx, esi and edi call-clobbered
 * (Makefile): what is called from C lives here.
 */
#include <kernel/ipc.h>
#include <kernel/cmdline.h>
#include <kernel/kprintf.h>

/* The kernel option ipcfast=off: every IPC takes the general path
 * (non-zero), and how many IPCs the fast path delivered (published by
 * KmemControl, <lent/kmem.h>, so that a test sees which path ran). */
uint32_t ipc_fast_off;
uint32_t ipc_fast_taken;
struct tcb_core *ipc_fast_last, *ipc_fast_prev;
tid_t ipc_fast_pair_id;

void ipc_fast_configure(const char *cmdline)
{
	if (cmdline_has(cmdline, "ipcfast=off")) {
		ipc_fast_off = 1;
		kprintf("IPC fast path: off\n");
	}
}
