/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which entry the library's Ipc and Lipc take: the KIP's stubs (sysenter
 * where the kernel chose it, docs/abi.md §1) or an "int $0x30; ret" of
 * the program's own, which the kernel takes from any address: the int
 * path, for the figures and tests that compare the two entries.  The
 * switch is the library's entry table (user/lib/syscalls.asm), so it
 * holds for every thread of the calling space.
 */
#include <l4/kip.h>
#include "rt.h"

extern L4_Word_t __L4_SyscallEntry[];
extern L4_KernelInterfacePage_t *__L4_KIP;
void __L4_InitSyscalls(void);
void rt_ipc_int_stub(void);

__asm__(".text\n"
	".globl rt_ipc_int_stub\n"
	"rt_ipc_int_stub:\n"
	"\tint $0x30\n"
	"\tret\n");

#define ENTRY_IPC  4           /* the KIP's system-call fields, in order */
#define ENTRY_LIPC 5

void rt_ipc_entry_int(int on)
{
	L4_KernelInterfacePage_t *kip;

	if (!__L4_KIP)
		__L4_InitSyscalls();
	kip = __L4_KIP;
	__L4_SyscallEntry[ENTRY_IPC] = on ? (L4_Word_t)rt_ipc_int_stub : (L4_Word_t)kip + kip->Ipc;
	__L4_SyscallEntry[ENTRY_LIPC] = on ? (L4_Word_t)rt_ipc_int_stub : (L4_Word_t)kip + kip->Lipc;
}

/* Does the KIP's Ipc stub enter by sysenter (anything but int $0x30)? */
int rt_ipc_kip_sysenter(void)
{
	if (!__L4_KIP)
		__L4_InitSyscalls();
	return *(const unsigned char *)((L4_Word_t)__L4_KIP + __L4_KIP->Ipc) != 0xCD;
}
