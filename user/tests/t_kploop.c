/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receive loop the test kpagers share (t_kphelp.h): wait for anyone,
 * drop what is not a kernel page fault, hand each fault to the test's
 * own answering policy.
 */
#include "t_kphelp.h"
#include <lent/kmem.h>

void t_kp_loop(L4_Word_t fault)
{
	t_kpf_fn fn = (t_kpf_fn)fault;
	struct t_kpf f;

	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		L4_MsgTag_t tag = L4_Wait(&f.from);

		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		f.u = L4_UntypedWords(tag);
		f.cid = rt_mr(1);
		f.kind = rt_mr(2);
		f.named = rt_mr(3);
		fn(&f);
	}
}

L4_ThreadId_t t_kp_thread(t_kpf_fn fault)
{
	return rt_thread_create(t_kp_loop, (L4_Word_t)fault);
}
