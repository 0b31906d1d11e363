/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O ports (X.2 IA-32 I/O fpages).  sigma0 owns all 65,536 ports at
 * boot and gives them, like device memory, to the root-task client only:
 * on an I/O fault (label -8, MR1 the I/O fpage of the faulting ports,
 * MR2 the IP) or a sigma0 request naming an I/O fpage.  The kernel makes
 * sigma0's roots of the ports as it maps them, from sigma0's own kernel
 * memory, so the store is topped up first.  A port given stays the root
 * task's to ask for again; nobody else ever gets one from sigma0, so no
 * table of owners is needed.
 */
#include <stdio.h>
#include <l4/types.h>
#include <l4/message.h>
#include <l4/arch.h>
#include "io.h"
#include "kstore.h"

#define IO_PORTS_LOG2 16

/* The ports an I/O fpage names, or 0 for one sigma0 does not serve. */
static int io_fpage_ok(L4_Fpage_t f)
{
	return L4_IsIoFpage(f) && L4_IoFpageSizeLog2(f) <= IO_PORTS_LOG2;
}

/* One map item of the ports in f (aligned to its size), or a nil fpage. */
static void load_io_reply(L4_Fpage_t f, int ok)
{
	L4_Msg_t msg;
	L4_Word_t log2 = L4_IoFpageSizeLog2(f);

	L4_MsgClear(&msg);
	if (ok) {
		L4_Fpage_t g = L4_IoFpageLog2(L4_IoFpagePort(f) & ~((1UL << log2) - 1), (int)log2);
		L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(g, L4_FullyAccessible), 0));
	} else {
		L4_MsgAppendMapItem(&msg, L4_MapItem(L4_Nilpage, 0));
	}
	L4_MsgLoad(&msg);
}

int io_serve(L4_Fpage_t f, int is_root, int is_request)
{
	int ok = is_root && io_fpage_ok(f);

	if (ok)
		kstore_keep_for_ports(1UL << L4_IoFpageSizeLog2(f));
	if (ok || is_request)
		load_io_reply(f, ok);
	return ok;
}
