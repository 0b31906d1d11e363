/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kpager loop: receive a kernel page fault, check that its sender
 * really waits for our answer, ask the policy for a page for each page
 * the fault names (one, or several for a task allowed SET_KPF_PAGES),
 * answer with a map item of each, and wait for the next fault in the
 * same call (ReplyWait), as a pager does.  The kernel may refuse the
 * answer (IPC error 4, the reason and the refused item in the offset
 * field); the client then still waits, so the policy is asked again for
 * the refused page, a few times at most, before the answer becomes "no
 * memory" (a reply with no item).
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

/* Load the answer straight into the message registers: a map item of
 * each page (n 0: no page). */
static void load_answer(const L4_Word_t *page, unsigned n)
{
	L4_MsgTag_t tag = L4_Niltag;

	/* Labelled as an answer: the kernel delivers it only to a thread
	 * that waits for one (<lent/kmem.h>, LENT_KPF_NOT_WAITING). */
	tag.X.label = LENT_LABEL_KPF;
	tag.X.t = 2 * n;
	L4_LoadMR(0, tag.raw);
	for (unsigned i = 0; i < n; i++) {
		L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page[i], 12),
							      L4_FullyAccessible), page[i]);

		L4_LoadMR(1 + 2 * i, m.raw[0]);
		L4_LoadMR(2 + 2 * i, m.raw[1]);
	}
}

/* Answer the fault of `to` with the page (0: no page).  Returns 1 if the
 * kernel took the answer, else 0 with the ErrorCode in *ec. */
int kpager_answer(L4_ThreadId_t to, L4_Word_t page, L4_Word_t *ec)
{
	load_answer(&page, page != 0);
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

/* Count a fault of n pages (the words in mr), by kind; delta -1 takes
 * back one that turned out forged. */
static void count_fault(struct kpager *kp, const L4_Word_t *mr, unsigned n, int delta)
{
	kp->faults += (L4_Word_t)delta;
	for (unsigned i = 0; i < n; i++)
		if (mr[LENT_KPF_MR_KIND(i)] < LENT_KMEM_KINDS)
			kp->kinds[mr[LENT_KPF_MR_KIND(i)]] += (L4_Word_t)delta;
}

/* Give back to the pool pages taken for an answer the kernel did not take. */
static void untake(struct kpager *kp, const L4_Word_t *page, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (kpager_pool_owner(&kp->pool, page[i]) != KPAGER_BAD)
			kpager_pool_set(&kp->pool, page[i], KPAGER_FREE);
}

/* A page from the policy for each page the fault names; all or none. */
static int take_pages(struct kpager *kp, const L4_Word_t *mr, L4_Word_t *page, unsigned n)
{
	L4_ThreadId_t client = { .raw = mr[3] };

	for (unsigned i = 0; i < n; i++) {
		if (page[i])
			continue;
		page[i] = kp->policy(kp, client, mr[LENT_KPF_MR_CID(i)],
				     (unsigned)mr[LENT_KPF_MR_KIND(i)]);
		if (!page[i]) {
			untake(kp, page, i);
			for (unsigned j = 0; j < n; j++)
				page[j] = 0;
			return 0;
		}
	}
	return 1;
}

/*
 * Answer the kernel page fault of `from` (its words still in the message
 * registers) and wait for the next message in the same call, as a pager
 * does: returns what that wait received.  A fault names n pages; the
 * answer lends a page for each, or none.  Only a thread that waits for
 * our answer gets pages: anything else would hand the kpager's memory to
 * whoever asks.  The kernel sees to that: it refuses a labelled answer
 * to any other thread (LENT_KPF_NOT_WAITING), and the pages come back.
 */
static L4_MsgTag_t serve(struct kpager *kp, L4_ThreadId_t *from, unsigned n)
{
	L4_Word_t page[LENT_KPF_MAX_PAGES] = { 0 }, mr[1 + LENT_KPF_WORDS(LENT_KPF_MAX_PAGES)];
	L4_ThreadId_t to = *from;        /* a failed ReplyWait overwrites *from */
	L4_MsgTag_t tag;

	/* The policy may make calls of its own: the fault's words are kept. */
	for (unsigned w = 1; w <= LENT_KPF_WORDS(n); w++)
		mr[w] = rt_mr(w);
	count_fault(kp, mr, n, 1);
	/* A fault of a task we lend ahead to: its reserve ran short. */
	if (kp->ahead)
		(void)kpager_ahead_top_up(kp, (L4_ThreadId_t){ .raw = mr[3] });
	for (int tries = 0; tries < KPAGER_TRIES; tries++) {
		if (!take_pages(kp, mr, page, n))
			break;
		load_answer(page, n);
		/* Counted before the call, which returns only with the next
		 * message: whoever reads the counters once its client got on
		 * sees this answer counted. */
		kp->served++;
		tag = L4_ReplyWait(to, from);
		if (L4_IpcSucceeded(tag) || (L4_ErrorCode() & 1))
			return tag;      /* answered (a receive-phase error is the next wait's) */
		kp->served--;
		L4_Word_t ec = L4_ErrorCode();
		if (!is_refusal(ec)) {
			/* The client is gone or no longer waits: the pages were
			 * not taken. */
			kp->lost++;
			untake(kp, page, n);
			return L4_Wait(from);
		}
		/* The kernel took none of them: the refused one is never
		 * offered again, the others are offered anew. */
		L4_Word_t off = ec >> 4, bad = LENT_KPF_REFUSAL_ITEM(off);
		if (LENT_KPF_REFUSAL_WHY(off) == LENT_KPF_NOT_WAITING) {
			/* Nobody waits for it: a forged fault (or one its client
			 * gave up), which the policy must not have counted. */
			count_fault(kp, mr, n, -1);
			kp->forged++;
			untake(kp, page, n);
			return L4_Wait(from);
		}
		kp->refusals++;
		kp->last_refusal = LENT_KPF_REFUSAL_WHY(off);
		if (bad >= n || LENT_KPF_REFUSAL_WHY(off) == LENT_KPF_ITEMS) {
			untake(kp, page, n);
			break;
		}
		kpager_pool_set(&kp->pool, page[bad], KPAGER_BAD);
		page[bad] = 0;
	}
	for (unsigned i = 0; i < n; i++)
		page[i] = 0;
	kp->no_memory++;
	load_answer(page, 0);
	tag = L4_ReplyWait(to, from);
	if (L4_IpcFailed(tag) && !(L4_ErrorCode() & 1)) {
		kp->lost++;
		return L4_Wait(from);
	}
	return tag;
}

void kpager_loop(L4_Word_t arg)
{
	struct kpager *kp = (struct kpager *)arg;
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	for (;;) {
		unsigned n = LENT_KPF_PAGES(L4_UntypedWords(tag));

		if (L4_IpcSucceeded(tag) && L4_Label(tag) == LENT_LABEL_KPF && n &&
		    L4_TypedWords(tag) == 0) {
			tag = serve(kp, &from, n);
		} else if (L4_IpcSucceeded(tag) && L4_Label(tag) == KPAGER_AHEAD_LABEL) {
			/* A client asks for its reserve to be topped up. */
			L4_Word_t have = kp->ahead ? kpager_ahead_top_up(kp, from) : 0;
			L4_MsgTag_t r = L4_Niltag;

			r.X.u = 1;
			L4_LoadMR(0, r.raw);
			L4_LoadMR(1, have);
			L4_Accept(L4_UntypedWordsAcceptor);
			tag = L4_ReplyWait(from, &from);
		} else {
			if (L4_IpcSucceeded(tag) && kp->other)
				kp->other(kp, from, tag);
			L4_Accept(L4_UntypedWordsAcceptor);
			tag = L4_Wait(&from);
		}
	}
}
