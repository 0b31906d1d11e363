/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kpager loop: receive a kernel page fault, check that its sender
 * really waits for our answer, ask the policy for a page, answer with a
 * map item of it.  The kernel may refuse the page (IPC error 4, the
 * reason in the offset field); the client then still waits, so the
 * policy is asked again, a few times at most, before the answer becomes
 * "no memory" (a reply with no item).
 */
#include "kpager.h"

void kpager_init(struct kpager *kp, kpager_policy_t policy, void *data)
{
	volatile char *b = (volatile char *)kp;

	for (L4_Word_t i = 0; i < sizeof(*kp); i++)
		b[i] = 0;
	kp->policy = policy;
	kp->data = data;
}

L4_ThreadId_t kpager_start(struct kpager *kp)
{
	kp->thread = rt_thread_create(kpager_loop, (L4_Word_t)kp);
	return kp->thread;
}

/* Answer the fault of `to` with the page (0: no page).  Returns 1 if the
 * kernel took the answer, else 0 with the ErrorCode in *ec. */
int kpager_answer(L4_ThreadId_t to, L4_Word_t page, L4_Word_t *ec)
{
	L4_Msg_t msg;

	L4_MsgClear(&msg);
	if (page)
		L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
								       L4_FullyAccessible), page));
	L4_MsgLoad(&msg);
	if (L4_IpcSucceeded(L4_Reply(to)))
		return 1;
	*ec = L4_ErrorCode();
	return 0;
}

/* IPC error 4 in the send phase: the kernel refused the page. */
static int is_refusal(L4_Word_t ec)
{
	return (ec & 0xf) == (4u << 1);
}

static void serve(struct kpager *kp, L4_ThreadId_t from)
{
	L4_Word_t cid = rt_mr(1), kind = rt_mr(2), ec = 0;
	L4_ThreadId_t client = { .raw = rt_mr(3) };

	/* Only a thread that waits for our answer gets a page: anything else
	 * would hand the kpager's memory to whoever asks. */
	if (!lent_kmem_control(from.raw, LENT_KMEM_PENDING, 0)) {
		kp->forged++;
		return;
	}
	kp->faults++;
	if (kind < LENT_KMEM_KINDS)
		kp->kinds[kind]++;
	for (int tries = 0; tries < KPAGER_TRIES; tries++) {
		L4_Word_t page = kp->policy(kp, client, cid, (unsigned)kind);

		if (!page)
			break;
		if (kpager_answer(from, page, &ec)) {
			kp->served++;
			return;
		}
		if (!is_refusal(ec)) {
			/* The client is gone or no longer waits: the page was
			 * not taken. */
			kp->lost++;
			if (kpager_pool_owner(&kp->pool, page) != KPAGER_BAD)
				kpager_pool_set(&kp->pool, page, KPAGER_FREE);
			return;
		}
		kp->refusals++;
		kp->last_refusal = ec >> 4;
		kpager_pool_set(&kp->pool, page, KPAGER_BAD);
	}
	kp->no_memory++;
	if (!kpager_answer(from, 0, &ec))
		kp->lost++;
}

void kpager_loop(L4_Word_t arg)
{
	struct kpager *kp = (struct kpager *)arg;
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		if (L4_Label(tag) == LENT_LABEL_KPF && L4_UntypedWords(tag) == 3 &&
		    L4_TypedWords(tag) == 0)
			serve(kp, from);
		else if (kp->other)
			kp->other(kp, from, tag);
	}
}
