/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Start-up support: find the KIP and aim the system-call entry symbols
 * (syscalls.asm) at the stubs inside it; the idle loop a program ends in.
 */
#include <l4/kip.h>
#include <l4/ipc.h>
#include <l4/schedule.h>
#include <l4/kdebug.h>

/* Targets of __L4_SpaceControl ... __L4_Schedule, in the order of the
 * KIP's system-call fields (0xD0 .. 0xF8), then Lent's KmemControl in
 * the reserved word after them (0xFC).  Defined in syscalls.asm. */
#define SYSCALL_COUNT 12       /* X.2's eleven, then Lent's KmemControl */
extern L4_Word_t __L4_SyscallEntry[SYSCALL_COUNT];

_Static_assert(__builtin_offsetof(L4_KernelInterfacePage_t, Schedule) -
	       __builtin_offsetof(L4_KernelInterfacePage_t, SpaceControl) ==
	       (SYSCALL_COUNT - 2) * sizeof(L4_Word_t),
	       "the entry table mirrors the KIP's system-call fields");

/* The KIP as found at start-up, for programs that want it cheaply. */
L4_KernelInterfacePage_t *__L4_KIP;

/* Called by _start before main, and by the first system call made before
 * that (the entry symbols start out pointing at a path that calls this).
 * Without a valid KIP no system call can work: stop in the debugger. */
void __L4_InitSyscalls(void)
{
	L4_KernelInterfacePage_t *kip = L4_GetKernelInterface();
	const L4_Word_t *offset;
	int i;

	if (kip == 0 || kip->magic != L4_MAGIC) {
		for (;;)
			L4_KDB_Enter("libl4: no kernel interface page");
	}
	offset = &kip->SpaceControl;
	for (i = 0; i < SYSCALL_COUNT; i++)
		__L4_SyscallEntry[i] = (L4_Word_t)kip + offset[i];
	__L4_KIP = kip;
}

/* Where a program goes when main returns: block for good, yielding if
 * the kernel ever ends the sleep. */
void __L4_Exit(int status)
{
	(void)status;
	for (;;) {
		L4_Sleep(L4_Never);
		L4_Yield();
	}
}
