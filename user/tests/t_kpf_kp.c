/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test kpager of the kernel-page-fault tests (t_kpf.h): one answer
 * per fault, with a page of its pool, a bad one, or nothing, as kp.mode
 * says; and the steps the tests share.
 */
#include "t_kpf.h"
#include "../../kpager/kpager.h"

volatile struct kp_log kp;
struct t_kp kph;

void kp_answer(L4_ThreadId_t to, L4_Word_t page)
{
	L4_Word_t ec;

	if (!kpager_answer(to, page, &ec))
		kp.reply_ec[kp.failed++ % KP_LOG] = ec;
}

/* The test kpager: one answer per fault, as kp.mode says. */
static void kp_fault(const struct t_kpf *f)
{
	L4_ThreadId_t from = f->from;

	L4_Word_t i = kp.n++ % KP_LOG;
	kp.cid[i] = f->cid;
	kp.kind[i] = f->kind;
	kp.task[i] = f->named;
	kp.from[i] = from.raw;
	if (kp.mode == KP_REFUSE) {
		kp_answer(from, 0);
		return;
	}
	if ((kp.mode == KP_FIRST_ONLY && kp.n > 1) || kp.mode == KP_HOLD)
		return;              /* the client waits for good */
	if (kp.mode == KP_UNMAPPED_FIRST && kp.failed == 0) {
		kp_answer(from, 0x3f000000UL);    /* nothing of ours there */
		i = 0;
	} else if (kp.mode == KP_LENT_FIRST && kp.failed == 0 && kp.nlent) {
		kp_answer(from, kp.lent[0]);      /* lent already */
		i = 0;
	} else {
		i = 1;
	}
	if (i == 0) {
		/* The refused answer left the fault waiting: answer it again. */
		if (kp.nlent < KP_POOL) {
			L4_Word_t page = kph.pool + kp.nlent * RT_PAGE_SIZE;
			kp.lent[kp.nlent++] = page;
			kp_answer(from, page);
		}
		return;
	}
	if (kp.nlent < KP_POOL) {
		L4_Word_t page = kph.pool + kp.nlent * RT_PAGE_SIZE;
		kp.lent[kp.nlent++] = page;
		kp_answer(from, page);
	} else {
		kp_answer(from, 0);
	}
}

/* A fresh log and a kpager thread. */
const char *kp_start(enum kp_mode mode)
{
	t_kp_zero(&kp, sizeof(kp));
	kp.mode = mode;
	return t_kp_serve(&kph, KP_POOL, kp_fault);
}

L4_Word_t kp_count(L4_ThreadId_t task, unsigned kind)
{
	lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + kind);
}

/* Main maps one page of its own into the agent's window, which lies in a
 * 4 MB region the agent has no kernel memory for yet. */
const char *kp_map_into(L4_ThreadId_t ag, L4_Word_t window)
{
	L4_Word_t page = t_page(), res[5], sec;

	((volatile L4_Word_t *)page)[0] = KP_VALUE;
	RUN(t_ag_accept(ag, window, 12));
	RUN(t_ag_give_map(ag, t_map_item(page, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	return 0;
}
