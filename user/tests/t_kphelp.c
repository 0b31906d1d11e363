/* SPDX-License-Identifier: BSD-2-Clause */
/* Starting a test kpager and its agents (t_kphelp.h). */
#include "t_kphelp.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

void t_kp_zero(volatile void *log, L4_Word_t bytes)
{
	for (L4_Word_t i = 0; i < bytes / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)log)[i] = 0;
}

static const char *kp_start(struct t_kp *kp, L4_Word_t pages, rt_entry_t body, L4_Word_t arg)
{
	kp->lent_kinds = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (!kp->pool) {
		kp->pool = rt_get_pages(pages);
		CHECK(kp->pool != 0);
	}
	for (L4_Word_t i = 0; i < pages; i++) {
		/* None may still be lent from an earlier test: its task is gone. */
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp->pool + i * RT_PAGE_SIZE), 0);
		((volatile L4_Word_t *)(kp->pool + i * RT_PAGE_SIZE))[0] = i;
	}
	kp->thread = rt_thread_create(body, arg);
	CHECK(!L4_IsNilThread(kp->thread));
	return 0;
}

const char *t_kp_start(struct t_kp *kp, L4_Word_t pages, rt_entry_t body)
{
	return kp_start(kp, pages, body, 0);
}

const char *t_kp_serve(struct t_kp *kp, L4_Word_t pages, t_kpf_fn fault)
{
	return kp_start(kp, pages, t_kp_loop, (L4_Word_t)fault);
}

const char *t_kp_agent(L4_ThreadId_t *ag, L4_ThreadId_t kpager)
{
	*ag = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(*ag));
	if (!L4_IsNilThread(kpager)) {
		CHECK_EQ(lent_kmem_control(ag->raw, LENT_KMEM_SET_KPAGER, kpager.raw), 1);
		CHECK_EQ(lent_kmem_control(ag->raw, LENT_KMEM_GET_KPAGER, 0), kpager.raw);
	}
	return 0;
}

const char *t_ag_faults_posted(L4_ThreadId_t ag, L4_Word_t addr)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag = rt_agent_result(ag, &from);

	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1), addr);
	return 0;
}

volatile struct t_kp_pdir t_kp_pdir;

static L4_Word_t pdir_take(void)
{
	volatile struct t_kp_pdir *k = &t_kp_pdir;

	while (k->next < k->pool_pages) {
		L4_Word_t page = k->kp->pool + k->next++ * RT_PAGE_SIZE;
		if (page != k->first && page != k->second &&
		    !lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

void t_kp_pdir_loop(L4_Word_t arg)
{
	volatile struct t_kp_pdir *k = &t_kp_pdir;
	L4_ThreadId_t from;
	L4_Word_t ec = 0;

	(void)arg;
	for (;;) {
		L4_MsgTag_t tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		k->n++;
		if (rt_mr(2) != LENT_KMEM_PDIR) {
			if (!kpager_answer(from, pdir_take(), &ec))
				k->failed++;
			continue;
		}
		if (kpager_answer(from, k->first, &ec)) {
			k->took_first = 1;
			continue;
		}
		k->ec_first = ec;
		if (kpager_answer(from, k->second, &ec))
			k->took_second = 1;
		else
			k->ec_second = ec;
	}
}
