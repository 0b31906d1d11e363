/* SPDX-License-Identifier: BSD-2-Clause */
/* The test kpager of the thread-body tests: see t_kpre_tcb.h. */
#include "t_kpre_tcb.h"
#include "t_kphelp.h"
#include "t_sync.h"
#include "../../kpager/kpager.h"

#define TB_POOL		24

volatile struct tb_kp tb;
L4_ThreadId_t tb_kpager;

/* The next page of the pool not lent now and not the source. */
static L4_Word_t tb_take_page(void)
{
	for (L4_Word_t i = 0; i < tb.pages; i++) {
		L4_Word_t page = tb.pool + i * RT_PAGE_SIZE;
		if (page != tb.src && !lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

/* Each fault is logged (tb.n) before it is answered: the answer may
 * wake main before this thread runs on.  Its outcome (ok, ec) is
 * written after the answer, and counted in tb.answered. */
static void tb_fault(const struct t_kpf *f)
{
	L4_Word_t i = tb.n % TB_LOG, kind = f->kind, ec = 0;

	tb.kind[i] = kind;
	tb.cid[i] = f->cid;
	tb.named[i] = f->named;
	tb.from[i] = f->from.raw;
	tb.page[i] = tb.ok[i] = tb.ec[i] = 0;
	tb.n++;
	if (tb.hold_kind == kind + 1 ||
	    (tb.hold_kind == TB_HOLD_OTHERS && kind != LENT_KMEM_TCB && !tb.release))
		while (!tb.release)
			rt_sleep_us(1000);
	L4_Word_t page = tb_take_page();
	if (page && kind == LENT_KMEM_TCB && tb.src) {
		const volatile L4_Word_t *s = (const volatile L4_Word_t *)tb.src;
		volatile L4_Word_t *d = (volatile L4_Word_t *)page;
		for (unsigned w = 0; w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
			d[w] = s[w];
		if (tb.edit_at)
			d[tb.edit_at] = tb.edit_val;
	}
	tb.page[i] = page;
	L4_Word_t ok = (L4_Word_t)kpager_answer(f->from, page, &ec);
	t_flaky_delay(1);
	tb.ok[i] = ok;
	tb.ec[i] = ec;
	tb.answered++;
}

const char *tb_start(void)
{
	L4_Word_t pool = tb.pool, pages = tb.pages;

	for (unsigned i = 0; i < sizeof(tb) / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)&tb)[i] = 0;
	tb.pool = pool;
	tb.pages = pages;
	if (!tb.pool) {
		tb.pool = rt_get_pages(TB_POOL);
		CHECK(tb.pool != 0);
		tb.pages = TB_POOL;
	}
	tb_kpager = t_kp_thread(tb_fault);
	CHECK(!L4_IsNilThread(tb_kpager));
	return 0;
}

int tb_wait_n(L4_Word_t n)
{
	t_until_at_least(&tb.n, n);
	return 1;
}

int tb_wait_answered(L4_Word_t n)
{
	t_until_at_least(&tb.answered, n);
	return 1;
}

int tb_lends(void)
{
	return (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_TCB) & 1;
}

L4_Word_t tb_page(void)
{
	L4_Word_t n = tb.n < TB_LOG ? tb.n : TB_LOG;

	for (L4_Word_t i = n; i-- > 0;)
		if (tb.kind[i] == LENT_KMEM_TCB && tb.cid[i] == TB_CID && tb.page[i] && tb.ok[i])
			return tb.page[i];
	return 0;
}

const char *tb_take_at(L4_ThreadId_t t, L4_Word_t p)
{
	CHECK(p != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 0);
	const volatile L4_Word_t *w = (const volatile L4_Word_t *)p;
	CHECK_EQ(w[0], TB_MAGIC);
	CHECK_EQ(w[TB_W_ID], t.raw);
	return 0;
}

const char *tb_take(L4_ThreadId_t t, L4_Word_t *page)
{
	L4_Word_t p = tb_page();

	RUN(tb_take_at(t, p));
	*page = p;
	return 0;
}

const char *tb_expect(L4_ThreadId_t t, L4_Word_t label)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag = rt_serve(t, RT_NEVER_US, &from);

	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, t.raw);
	CHECK_EQ(L4_Label(tag), label);
	return 0;
}

const char *tb_fault_was(L4_Word_t i, L4_ThreadId_t t, L4_ThreadId_t from)
{
	CHECK(tb_wait_answered(i + 1));
	CHECK_EQ(tb.kind[i % TB_LOG], LENT_KMEM_TCB);
	CHECK_EQ(tb.cid[i % TB_LOG], TB_CID);
	CHECK_EQ(tb.named[i % TB_LOG], t.raw);
	CHECK_EQ(tb.from[i % TB_LOG], from.raw);
	CHECK_EQ(tb.ok[i % TB_LOG], 1);
	return 0;
}

static L4_ThreadId_t tb_fill[TB_FILL];

L4_ThreadId_t tb_fill_thread(unsigned i)
{
	return tb_fill[i];
}

const char *tb_task_start(L4_ThreadId_t *t, void (*entry)(L4_Word_t))
{
	L4_Word_t old;

	for (unsigned i = 0; i < TB_FILL; i++) {
		tb_fill[i] = rt_tid_alloc();
		CHECK(!L4_IsNilThread(tb_fill[i]));
		CHECK_EQ(L4_ThreadControl(tb_fill[i], tb_fill[0], L4_Myself(), L4_nilthread,
					  (void *)-1), 1);
		if (!i) {
			CHECK_EQ(lent_kmem_control(tb_fill[0].raw, LENT_KMEM_SET_KPAGER,
						   tb_kpager.raw), 1);
			CHECK_EQ(L4_SpaceControl(tb_fill[0], 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12),
						 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2),
						 L4_nilthread, &old), 1);
		}
	}
	*t = rt_tid_alloc();
	CHECK(!L4_IsNilThread(*t));
	CHECK_EQ(L4_ThreadControl(*t, tb_fill[0], L4_Myself(), L4_Myself(),
				  (void *)RT_UTCB_AREA_BASE), 1);
	return t_kpre_run(*t, entry);
}

const char *tb_agent(L4_ThreadId_t *t, L4_Word_t *data)
{
	static L4_Word_t word;

	RUN(tb_task_start(t, rt_agent_loop));
	CHECK(L4_IpcSucceeded(rt_agent_result(*t, 0)));
	*data = (L4_Word_t)&word;
	L4_Word_t w[2] = { *data, T_KPRE_DATA };
	CHECK(t_ag_ok(rt_agent_cmd(*t, RT_AG_WRITE, 2, w)));
	return t_kpre_works(*t, *data);
}

const char *tb_end(L4_ThreadId_t t)
{
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return tb_end_fill();
}

const char *tb_end_fill(void)
{
	for (unsigned i = TB_FILL; i-- > 0;)
		CHECK_EQ(L4_ThreadControl(tb_fill[i], L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}
