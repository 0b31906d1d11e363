/* SPDX-License-Identifier: BSD-2-Clause */
/* The logging test kpager: see t_kplog.h. */
#include "t_kplog.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

void t_kplog_reset(volatile struct t_kplog *k, L4_Word_t mode, L4_Word_t kind)
{
	L4_Word_t pool = k->pool, pages = k->pages;

	for (unsigned i = 0; i < sizeof(*k) / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)k)[i] = 0;
	k->pool = pool;
	k->pages = pages;
	k->mode = mode;
	k->kind = kind;
}

L4_Word_t t_kplog_take(volatile struct t_kplog *k)
{
	while (k->next < k->pages) {
		L4_Word_t page = k->pool + k->next++ * RT_PAGE_SIZE;
		if (!lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

L4_Word_t t_kplog_count(L4_ThreadId_t task, unsigned kind)
{
	lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + kind);
}

const char *t_kplog_fault_was(volatile struct t_kplog *k, L4_Word_t i, L4_ThreadId_t task,
			      unsigned kind, L4_Word_t cid)
{
	CHECK(k->n > i);
	CHECK_EQ(k->fkind[i], kind);
	CHECK_EQ(k->cid[i], cid);
	CHECK_EQ((L4_Word_t)lent_cid_kind(k->cid[i]), kind);
	CHECK_EQ(k->task[i], task.raw);
	return 0;
}

void t_kplog_loop(L4_Word_t arg)
{
	volatile struct t_kplog *k = (volatile struct t_kplog *)arg;
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	L4_Word_t ec;

	k->up = 1;
	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = k->n % T_KPLOG_LOG, kind = rt_mr(2);
		k->cid[i] = rt_mr(1);
		k->fkind[i] = kind;
		k->task[i] = rt_mr(3);
		k->page[i] = 0;
		k->n++;
		if (k->mode == T_KPLOG_HOLD_KIND && kind == k->kind)
			while (!k->release)
				rt_sleep_us(1000);
		if (!(k->mode == T_KPLOG_REFUSE_KIND && kind == k->kind))
			k->page[i] = t_kplog_take(k);
		if (!kpager_answer(from, k->page[i], &ec))
			k->failed++;
	}
}

const char *t_kplog_start(volatile struct t_kplog *k, L4_Word_t pages, L4_ThreadId_t *thread)
{
	t_kplog_reset(k, T_KPLOG_SERVE, 0);
	if (!k->pool) {
		k->pool = rt_get_pages(pages);
		CHECK(k->pool != 0);
		k->pages = pages;
	}
	for (L4_Word_t p = 0; p < k->pages; p++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, k->pool + p * RT_PAGE_SIZE), 0);
	*thread = rt_thread_create(t_kplog_loop, (L4_Word_t)k);
	CHECK(!L4_IsNilThread(*thread));
	return 0;
}

L4_Word_t t_kplog_lent_for(volatile struct t_kplog *k, unsigned kind, L4_Word_t cid)
{
	L4_Word_t n = k->n < T_KPLOG_LOG ? k->n : T_KPLOG_LOG;

	for (L4_Word_t i = 0; i < n; i++)
		if (k->fkind[i] == kind && k->cid[i] == cid && k->page[i] &&
		    lent_kmem_control(0, LENT_KMEM_LENT, k->page[i]))
			return k->page[i];
	return 0;
}

L4_Word_t t_pool_next_unlent(L4_Word_t pool, L4_Word_t from, L4_Word_t pages)
{
	for (L4_Word_t i = from; i < pages; i++)
		if (!lent_kmem_control(0, LENT_KMEM_LENT, pool + i * RT_PAGE_SIZE))
			return pool + i * RT_PAGE_SIZE;
	return 0;
}
