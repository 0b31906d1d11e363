/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O ports (X.2 IA-32 I/O fpages).  sigma0 owns all 65,536 ports at
 * boot and gives them, like device memory, to the root-task client only:
 * on an I/O fault (label -8, MR1 the I/O fpage of the faulting ports,
 * MR2 the IP) or a sigma0 request naming an I/O fpage.  The kernel makes
 * sigma0's roots of the ports as it maps them, from sigma0's own kernel
 * memory, so the store is topped up first, for the ports never given
 * before (their roots stay).  A port given stays the root task's to ask
 * for again; nobody else ever gets one from sigma0, so no table of owners
 * is needed.
 */
#include <stdio.h>
#include <l4/types.h>
#include <l4/message.h>
#include <l4/arch.h>
#include <lent/ioports.h>
#include "io.h"
#include "kstore.h"

#define IO_PORTS_LOG2 16

/* An I/O fpage sigma0 serves: of at most all ports, none of them the
 * kernel's (which the kernel would not map: a fault on one answered
 * would only come back, at sigma0's priority, for ever). */
static int io_fpage_ok(L4_Fpage_t f)
{
	L4_Word_t log2 = L4_IoFpageSizeLog2(f), first, p;

	if (!L4_IsIoFpage(f) || log2 > IO_PORTS_LOG2)
		return 0;
	first = L4_IoFpagePort(f) & ~((1UL << log2) - 1);
	for (p = first; p < first + (1UL << log2); p++)
		if (lent_io_port_kernel(p))
			return 0;
	return 1;
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

/* Ports given before: their roots exist already and cost nothing more. */
static unsigned char given[65536 / 8];

/* Mark f's ports given; how many were not before. */
static L4_Word_t give_ports(L4_Fpage_t f)
{
	L4_Word_t log2 = L4_IoFpageSizeLog2(f), n = 0;
	L4_Word_t first = L4_IoFpagePort(f) & ~((1UL << log2) - 1);

	for (L4_Word_t p = first; p < first + (1UL << log2); p++)
		if (!(given[p >> 3] & (1u << (p & 7)))) {
			given[p >> 3] |= (unsigned char)(1u << (p & 7));
			n++;
		}
	return n;
}

int io_serve(L4_Fpage_t f, int is_root, int is_request)
{
	int ok = is_root && io_fpage_ok(f);
	L4_Word_t fresh = ok ? give_ports(f) : 0;

	if (fresh)
		kstore_keep_for_ports(fresh);
	if (ok || is_request)
		load_io_reply(f, ok);
	return ok;
}
