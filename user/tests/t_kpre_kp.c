/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test kpager of the take-back tests (t_kpreempt.c,
 * t_kpreempt_more.c): a logging kpager thread of the root (t_kplog.c)
 * that lends marked pages of the root's to a task made by hand; the root
 * takes them back with an Unmap of its own page.
 */
#include "t_kpre_kp.h"
#include <lent/kmem.h>

#define KP_POOL		24
#define KP_MARK		0x6b707274UL

volatile struct t_kplog kpre;
L4_ThreadId_t kpre_thread;

const char *kpre_start(void)
{
	RUN(t_kplog_start(&kpre, KP_POOL, &kpre_thread));
	/* Marked, so that a page that comes back shows it was zeroed. */
	for (L4_Word_t p = 0; p < KP_POOL; p++) {
		volatile L4_Word_t *w = (volatile L4_Word_t *)(kpre.pool + p * RT_PAGE_SIZE);
		for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
			w[i] = KP_MARK;
	}
	return 0;
}

const char *kpre_task(L4_ThreadId_t *t, L4_Word_t *data)
{
	return t_kpre_task(t, kpre_thread, data);
}

/* The page our kpager lent for (kind, cid), or 0. */
L4_Word_t kpre_page_of(unsigned kind, L4_Word_t cid)
{
	return t_kplog_lent_for(&kpre, kind, cid);
}

/* Take page back from the kernel: an Unmap of our own page that keeps
 * our mapping and takes rights (read or write is enough) from what was
 * derived from it.  It must come back vacant, no longer lent, and ours
 * to read (the first read puts our translation back). */
const char *kpre_take_back_rights(L4_Word_t page, L4_Word_t rights)
{
	L4_Fpage_t fp = L4_FpageAddRights(L4_FpageLog2(page, 12), rights);

	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 1);
	(void)L4_UnmapFpage(fp);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	const volatile L4_Word_t *w = (const volatile L4_Word_t *)page;
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(w[i], 0);
	return 0;
}

const char *kpre_take_back(L4_Word_t page)
{
	return kpre_take_back_rights(page, L4_FullyAccessible);
}

/* The same, where any page fault to the pager (main) fails it: the
 * kernel must put back what it knows by itself. */
const char *kpre_agent_works_unaided(L4_ThreadId_t t, L4_Word_t data)
{
	rt_watch(0, ~0UL);
	const char *r = t_kpre_works(t, data);
	rt_watch(0, 0);
	return r;
}

const char *kpre_end(L4_ThreadId_t t)
{
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

/* A pool kernel lends nothing: nothing to take back. */
int kpre_lends(void)
{
	return (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_PT) & 1;
}

/* Take back the page lent for (kind, cid): the task's count of kind
 * drops by one; the task then works unaided, with exactly one kernel page
 * fault, for that content identifier, after which the count is back. */
const char *kpre_one_back_rights(L4_ThreadId_t t, L4_Word_t data, unsigned kind,
				 L4_Word_t cid, L4_Word_t rights)
{
	L4_Word_t page = kpre_page_of(kind, cid);

	CHECK(page != 0);
	L4_Word_t count = t_kplog_count(t, kind), n = kpre.n;
	RUN(kpre_take_back_rights(page, rights));
	CHECK_EQ(t_kplog_count(t, kind), count - 1);
	RUN(kpre_agent_works_unaided(t, data));
	CHECK_EQ(kpre.n, n + 1);
	RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, kind, cid));
	CHECK_EQ(t_kplog_count(t, kind), count);
	return 0;
}

const char *kpre_one_back(L4_ThreadId_t t, L4_Word_t data, unsigned kind, L4_Word_t cid)
{
	return kpre_one_back_rights(t, data, kind, cid, L4_FullyAccessible);
}

/* A task made by hand with our kpager, or 0 and *skip in a kernel that
 * lends no kernel memory (KMEM=pool): nothing to take back there. */
const char *kpre_begin(L4_ThreadId_t *t, L4_Word_t *data, int *skip)
{
	RUN(kpre_start());
	RUN(kpre_task(t, data));
	*skip = !kpre_lends();
	return 0;
}

