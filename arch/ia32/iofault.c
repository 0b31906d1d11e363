/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A general-protection fault from an I/O instruction on ports the space
 * may not use becomes the X.2 I/O fault (kernel/iofpage.h): to the
 * pager, or for sigma0, which owns every port, resolved on the spot.
 * Any other #GP, and one from ports the bitmap allows (it has another
 * cause), stays exception 13.
 */
#include <arch/arch.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/ipc.h>
#include <kernel/sigma0_roots.h>
#include <kernel/iofpage.h>
#include <arch/iobitmap.h>

enum io_fault arch_io_fault(tcb_t *t)
{
	arch_context_t *c = &t->ctx;
	uint8_t insn[IO_INSN_MAX];
	uint32_t n = 0, port;

	if (c->error != 0)
		return IO_FAULT_NONE;   /* a selector's fault, not a port's */
	for (; n < IO_INSN_MAX; n++) {
		int b = space_user_byte(t->space, c->eip + n);
		if (b < 0)
			break;
		insn[n] = (uint8_t)b;
	}
	uint32_t width = io_insn_decode(insn, n, c->edx, &port);
	/* Past the last port the CPU reads the bitmap's byte of ones: no
	 * mapping could ever allow that access. */
	if (!width || port + width > IO_PORTS || space_io_allowed(t->space, port, width))
		return IO_FAULT_NONE;
	if (t->space->sigma0)
		return sigma0_io_fault(t->space, port, width) ? IO_FAULT_RETRY : IO_FAULT_NONE;
	uint32_t log2 = io_cover_log2(port, port + width - 1);
	ipc_iofault(t, port & ~((1u << log2) - 1u), log2, c->eip);
	return IO_FAULT_SENT;
}
