/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lending a frame removes every translation of it in one step, with no
 * preemption point (kernel/kpf.c), so the kernel bounds how many there
 * may be: a page whose kpager mapping and those derived from it are more
 * than LENT_KPF_MAX_MAPPINGS is refused with LENT_KPF_MAPPED_WIDELY
 * (docs/kpager-protocol.md), and nothing changes; one with exactly that
 * many is taken.  The test kpager, a thread of the root, maps its pages
 * on in the root's own space (to a window of another root thread)
 * before it lends them.
 */
#include "t_kphelp.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"
#include "t_sync.h"

#define KS_POOL		6
#define KS_WINDOW	0x50000000UL	/* the root's, above any RAM the suite runs with */
#define KS_WINDOW_LOG2	21
#define KS_OK_SLOT	256		/* where the second page's copies start */
#define KS_MARK		0x57a1d0e5UL

static struct t_kp ks_kp;
static volatile struct {
	L4_Word_t received;
} ks;
/* The page directory is offered the widely mapped page first, then the
 * other (t_kp_pdir.first and .second); every other page comes from the
 * rest of the pool (t_kp_pdir_loop). */
static volatile struct t_kp_pdir *const kp = &t_kp_pdir;

/* A root thread that takes map items into the window, for good. */
static void ks_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	for (;;) {
		L4_Accept(L4_MapGrantItems(L4_FpageLog2(KS_WINDOW, KS_WINDOW_LOG2)));
		if (L4_IpcSucceeded(L4_Wait(&from)))
			ks.received++;
	}
}

/* Map page on to the receiver, count times, at window slots from first. */
static const char *ks_map_on(L4_ThreadId_t r, L4_Word_t page, L4_Word_t first, L4_Word_t count)
{
	for (L4_Word_t i = 0; i < count; i++) {
		L4_MapItem_t m = t_map_item(page, 12, L4_ReadWriteOnly, (first + i) * RT_PAGE_SIZE);

		t_load(0, 0, 0, 2, m.raw);
		CHECK(L4_IpcSucceeded(L4_Send(r)));
	}
	return 0;
}

/* Take back every mapping derived from page (its own stays). */
static void ks_unmap_on(L4_Word_t page)
{
	L4_Fpage_t f = L4_FpageLog2(page, 12);

	L4_Set_Rights(&f, L4_FullyAccessible);
	(void)L4_UnmapFpage(f);
}

static const char *ks_run(L4_ThreadId_t r)
{
	L4_ThreadId_t t = rt_tid_alloc();
	L4_Word_t old, max = LENT_KPF_MAX_MAPPINGS;
	volatile L4_Word_t *first = (volatile L4_Word_t *)KS_WINDOW;
	volatile L4_Word_t *last = (volatile L4_Word_t *)(KS_WINDOW + (max - 1) * RT_PAGE_SIZE);

	CHECK(!L4_IsNilThread(t));
	/* One mapping more than allowed, and exactly as many. */
	RUN(ks_map_on(r, kp->first, 0, max));
	RUN(ks_map_on(r, kp->second, KS_OK_SLOT, max - 1));
	/* Each send returned once its map was done; the count follows. */
	t_until_at_least(&ks.received, 2 * max - 1);
	CHECK_EQ(ks.received, 2 * max - 1);
	CHECK_EQ(*first, KS_MARK);
	CHECK_EQ(*last, KS_MARK);
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, ks_kp.thread.raw), 1);
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread,
				 &old), 1);
	if (!((ks_kp.lent_kinds >> LENT_KMEM_PDIR) & 1)) {
		CHECK_EQ(kp->n, 0);         /* KMEM=pool: nobody is asked */
		return 0;
	}
	CHECK_EQ(kp->took_first, 0);
	CHECK_EQ(kp->ec_first & 0xF, 4u << 1);     /* error 4, in the send phase */
	CHECK_EQ(LENT_KPF_REFUSAL_WHY(kp->ec_first >> 4), LENT_KPF_MAPPED_WIDELY);
	CHECK_EQ(LENT_KPF_REFUSAL_ITEM(kp->ec_first >> 4), 0);
	CHECK_EQ(kp->ec_second, 0);
	CHECK_EQ(kp->took_second, 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp->second), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp->first), 0);
	/* The refused page lost nothing: every copy still reads. */
	CHECK_EQ(*first, KS_MARK);
	CHECK_EQ(*last, KS_MARK);
	CHECK_EQ(kp->failed, 0);
	/* The task dies: the page it was lent comes back. */
	rt_release(t);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kp->second), 0);
	return 0;
}

static const char *t_kstrip_widely_mapped_page_refused(void)
{
	L4_ThreadId_t r;
	const char *why;

	t_kp_zero(&ks, sizeof(ks));
	t_kp_zero(kp, sizeof(*kp));
	kp->kp = &ks_kp;
	kp->pool_pages = KS_POOL;
	RUN(t_kp_start(&ks_kp, KS_POOL, t_kp_pdir_loop));
	kp->first = ks_kp.pool;
	kp->second = ks_kp.pool + RT_PAGE_SIZE;
	((volatile L4_Word_t *)kp->first)[0] = KS_MARK;
	((volatile L4_Word_t *)kp->second)[0] = KS_MARK;
	r = rt_thread_create(ks_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	why = ks_run(r);
	ks_unmap_on(kp->first);
	ks_unmap_on(kp->second);
	return why;
}

const struct test kstrip_tests[] = {
	TEST(kstrip_widely_mapped_page_refused),
	{ 0, 0 },
};
