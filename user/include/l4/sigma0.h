/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client side of the sigma0 protocol.  A request carries label -6 in the
 * top 12 bits of the label and two untyped words: the fpage wanted (a base
 * of all ones asks for any free page of that size) and the memory
 * attributes (0: default).  sigma0 answers with one map item; a nil fpage
 * in it means the request was refused.
 */
#ifndef L4_SIGMA0_H
#define L4_SIGMA0_H

#include <l4/types.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/ipc.h>

#define __L4_SIGMA0_LABEL	((L4_Word_t)-6 << 4)

/* The returned fpage is the one mapped into RcvWindow, or nil. */
L4_INLINE L4_Fpage_t L4_Sigma0_GetPage_RcvWindow(L4_ThreadId_t s0, L4_Fpage_t f,
						 L4_Fpage_t RcvWindow)
{
	L4_Msg_t msg;
	L4_MsgTag_t tag;
	L4_Fpage_t got;

	/* nil: the standard sigma0, the first user thread. */
	if (L4_IsNilThread(s0))
		s0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);

	L4_MsgClear(&msg);
	L4_MsgAppendWord(&msg, f.raw);
	L4_MsgAppendWord(&msg, 0);
	L4_Set_MsgLabel(&msg, __L4_SIGMA0_LABEL);
	L4_MsgLoad(&msg);
	L4_Accept(L4_MapGrantItems(RcvWindow));

	tag = L4_Call(s0);
	if (L4_IpcFailed(tag))
		return L4_Nilpage;
	L4_StoreMR(2, &got.raw);
	return got;
}

L4_INLINE L4_Fpage_t L4_Sigma0_GetPage(L4_ThreadId_t s0, L4_Fpage_t f)
{
	return L4_Sigma0_GetPage_RcvWindow(s0, f, L4_CompleteAddressSpace);
}

L4_INLINE L4_Fpage_t L4_Sigma0_GetAny(L4_ThreadId_t s0, L4_Word_t s, L4_Fpage_t RcvWindow)
{
	return L4_Sigma0_GetPage_RcvWindow(s0, L4_FpageLog2(~0UL, s), RcvWindow);
}

/*
 * Map the memory of the first KIP memory descriptor of `type` page by page
 * (pages of `pagesize` bytes) to `address`, or idempotently when address
 * is 0.  Returns the address, or 0 if there is no such descriptor (or the
 * caller is sigma0 itself).
 */
L4_INLINE void *L4_Sigma0_GetSpecial(L4_Word_t type, void *address, L4_Word_t pagesize)
{
	void *kip = L4_GetKernelInterface();
	L4_ThreadId_t s0 = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
	L4_MemoryDesc_t *md;
	L4_Word_t i, at, to, end;

	if (L4_IsThreadEqual(L4_Myself(), s0))
		return 0;
	for (i = 0; (md = L4_MemoryDesc(kip, i)) != 0; i++) {
		if (L4_MemoryDescType(md) != type)
			continue;
		at = L4_MemoryDescLow(md);
		end = L4_MemoryDescHigh(md);
		if (address == 0)
			address = (void *)at;
		for (to = (L4_Word_t)address; at <= end && at >= L4_MemoryDescLow(md);
		     at += pagesize, to += pagesize) {
			L4_Fpage_t want = L4_Fpage(at, pagesize);

			L4_Set_Rights(&want, L4_ReadWriteOnly);
			if (L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(s0, want,
								      L4_Fpage(to, pagesize))))
				break;
		}
		return address;
	}
	return 0;
}

#endif
