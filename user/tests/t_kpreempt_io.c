/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager takes back the I/O permission bitmap page it lent
 * (docs/kernel-memory.md, "Taking lent memory back"): the task's next
 * in or out on a port it holds faults, the kernel finds the port's
 * mapping node, asks the kpager for the bitmap page again, puts the
 * port's bit back and runs the instruction again.  The task's pager
 * sees no I/O fault, and the bitmap never shows a port the task does
 * not hold.
 */
#include "t_kpreempt.h"
#include "t_kplog.h"
#include "t_sync.h"
#include <l4/arch.h>
#include <lent/kmem.h>

L4_Word_t t_io_inb(L4_Word_t port);

#define KI_POOL		16
#define KI_SCRATCH	0x3ffUL        /* COM1's scratch register */
#define KI_LABEL_NEXT	0x11
#define KI_GOT		22             /* t_shared: what the child read */
#define KI_STEP		23

static volatile struct t_kplog ki;

/* Reads the scratch register, calls main, reads it again. */
static void ki_child(L4_Word_t arg)
{
	(void)arg;
	t_shared[KI_GOT] = t_io_inb(KI_SCRATCH);
	t_shared[KI_STEP] = 1;
	L4_Set_MsgTag(L4_MsgTagAddLabel((L4_MsgTag_t){ .raw = 0 }, KI_LABEL_NEXT));
	(void)L4_Call(L4_Pager());
	t_shared[KI_GOT + 2] = t_io_inb(KI_SCRATCH);
	t_shared[KI_STEP] = 2;
	for (;;)
		L4_Sleep(L4_Never);
}

static L4_Word_t ki_page_of(L4_Word_t cid)
{
	for (L4_Word_t i = 0; i < ki.n && i < T_KPLOG_LOG; i++)
		if (ki.cid[i] == cid && ki.page[i] && lent_kmem_control(0, LENT_KMEM_LENT, ki.page[i]))
			return ki.page[i];
	return 0;
}

static const char *t_kpreempt_io_bitmap_taken_back(void)
{
	L4_ThreadId_t c, kpager, from;
	L4_Word_t cid = lent_cid_pt(0xC0000000UL);       /* ports 0..32767 */

	t_kplog_reset(&ki, T_KPLOG_SERVE, 0);
	if (!ki.pool) {
		ki.pool = rt_get_pages(KI_POOL);
		CHECK(ki.pool != 0);
		ki.pages = KI_POOL;
	}
	kpager = rt_thread_create(t_kplog_loop, (L4_Word_t)&ki);
	CHECK(!L4_IsNilThread(kpager));
	/* main holds COM1's ports (sigma0 gives them); the scratch value. */
	CHECK(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(0x3f8, 3)).raw ==
	      (L4_IoFpageLog2(0x3f8, 3).raw | 7));
	L4_Word_t value = t_io_inb(KI_SCRATCH);
	RUN(t_kpre_start(&c, kpager, ki_child));
	/* Its first inb: an I/O fault; main maps it the scratch port. */
	L4_MsgTag_t tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == 0xff86);
	CHECK(t_kpre_reply_map(c, L4_IoFpageLog2(KI_SCRATCH, 0), 0));
	/* Its call after the first inb. */
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == KI_LABEL_NEXT);
	CHECK_EQ(t_shared[KI_GOT], value);
	int lends = (lent_kmem_control(c.raw, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_PT) & 1;
	L4_Word_t n = ki.n;
	if (lends) {
		L4_Word_t page = ki_page_of(cid);
		CHECK(page != 0);
		(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
		for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
			CHECK_EQ(((volatile L4_Word_t *)page)[i], 0);
	}
	/* Its second inb: no I/O fault reaches main. */
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	t_until(&t_shared[KI_STEP], 2);
	CHECK_EQ(t_shared[KI_GOT + 2], value);
	if (lends) {
		CHECK_EQ(ki.n, n + 1);
		CHECK_EQ(ki.cid[n % T_KPLOG_LOG], cid);
		CHECK_EQ(ki.fkind[n % T_KPLOG_LOG], LENT_KMEM_PT);
	}
	CHECK_EQ(L4_ThreadControl(c, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

const struct test kpreempt_io_tests[] = {
	TEST(kpreempt_io_bitmap_taken_back),
	{ 0 }
};
