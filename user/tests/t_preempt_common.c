/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Machinery shared by the tests of the preemption points: see
 * t_preempt.h.  Each piece was written once per test file before; the
 * tests themselves (what they load, look at and assert) stay in theirs.
 */
#include "t_preempt.h"

L4_ThreadId_t pt_low_thread(rt_entry_t fn, L4_Word_t arg)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(arg, &sp);

	if (L4_IsNilThread(t))
		return t;
	if (L4_Set_Priority(t, PT_LOW_PRIO) == L4_SCHEDRESULT_ERROR)
		return L4_nilthread;
	L4_Start_SpIp(t, sp, (L4_Word_t)fn);
	return t;
}

L4_Word_t pt_exregs(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp, L4_Word_t ip)
{
	L4_Word_t old = 0;

	(void)__L4_Exregs(t, control, sp, ip, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
	return old;
}

int pt_wait_at_least(volatile L4_Word_t *w, L4_Word_t want, L4_Word_t us)
{
	L4_Word_t start = rt_now_us();

	while (*w < want) {
		if (rt_now_us() - start > us)
			return 0;
		rt_sleep_us(1000);
	}
	return 1;
}

#define PT_COUNT_NO	3000	/* the thread numbers the count uses */
#define PT_COUNT_MAX	2000

L4_Word_t pt_free_pages(void)
{
	L4_ThreadId_t first = L4_GlobalId(PT_COUNT_NO, 1), me = L4_Myself();
	L4_Word_t ec = 0, n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return 0;
	for (n = 1; n < PT_COUNT_MAX; n++)
		if (L4_ThreadControl(L4_GlobalId(PT_COUNT_NO + n, 1), first, me, L4_nilthread,
				     (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	for (i = n; i-- > 0;)
		(void)L4_ThreadControl(L4_GlobalId(PT_COUNT_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : 0;
}

L4_Word_t pt_dl_mappings(L4_Word_t free)
{
	if (free > PT_DL_SPARE + PT_DL_MANY / PT_DL_PER_PAGE)
		return PT_DL_MANY;
	if (free > PT_DL_SPARE + 40)
		return (free - PT_DL_SPARE) * PT_DL_PER_PAGE;
	return 40 * PT_DL_PER_PAGE;
}

const char *pt_map_many(L4_ThreadId_t t, L4_Word_t label, L4_Word_t page, L4_Word_t base,
			L4_Word_t step, L4_Word_t n)
{
	L4_Word_t i = 0, w[62];

	while (i < n) {
		int k;

		for (k = 0; k < 31 && i < n; k++, i++) {
			L4_MapItem_t m = t_map_item(page, 12, L4_Readable, base + i * step);

			w[2 * k] = m.raw[0];
			w[2 * k + 1] = m.raw[1];
		}
		t_load(label, 0, 0, 2 * k, w);
		L4_MsgTag_t tag = L4_Send(t);
		/* t's kernel memory ran out: X.2's message overflow, and no
		 * further map will go through either. */
		if (L4_IpcFailed(tag) && L4_ErrorCode() == L4_ErrMsgOverflow << 1)
			return 0;
		CHECK(L4_IpcSucceeded(tag));
	}
	return 0;
}

void pt_take_maps_until(L4_Word_t go)
{
	L4_MsgTag_t tag;

	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	do
		tag = L4_Receive(rt_main_thread());
	while (L4_IpcFailed(tag) || L4_Label(tag) != go);
}

/* ---- the string load ---- */

int pt_str_buffers(struct pt_str *s, L4_Word_t max_log2, L4_Word_t min_log2)
{
	L4_Word_t log2;

	for (log2 = max_log2; log2 >= min_log2; log2--) {
		L4_Word_t n = 1UL << log2;

		if (!s->src[0])
			s->src[0] = rt_get_pages(n);
		if (!s->src[1])
			s->src[1] = rt_get_pages(n);
		if (!s->rcv)
			s->rcv = rt_get_pages(n);
		if (s->src[0] && s->src[1] && s->rcv) {
			s->len = n * RT_PAGE_SIZE;
			return 1;
		}
	}
	return 0;
}

void pt_str_fill_sources(const struct pt_str *s, L4_Word_t word)
{
	L4_Word_t i, k, words = s->len / sizeof(L4_Word_t);

	for (k = 0; k < 2; k++)
		for (i = 0; i < words; i++)
			((volatile L4_Word_t *)s->src[k])[i] = word | k;
}

void pt_str_fill(const struct pt_str *s, L4_Word_t word)
{
	volatile L4_Word_t *rcv = (volatile L4_Word_t *)s->rcv;
	L4_Word_t i, words = s->len / sizeof(L4_Word_t);

	pt_str_fill_sources(s, word);
	for (i = 0; i < words; i++)
		rcv[i] = word;
}

void pt_str_load_buffers(const struct pt_str *s)
{
	int i;

	L4_LoadBR(0, L4_StringItemsAcceptor.raw);
	L4_LoadBR(1, (s->len << 10) | ((PT_STR_ITEMS - 1) << 4));
	for (i = 0; i < PT_STR_ITEMS; i++)
		L4_LoadBR(2 + i, s->rcv);
}

void pt_str_load_message(const struct pt_str *s, L4_Word_t label)
{
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	for (i = 0; i < PT_STR_ITEMS; i++) {
		L4_LoadMR(1 + 2 * i, (s->len << 10) | (i + 1 < PT_STR_ITEMS ? 1UL << 9 : 0));
		L4_LoadMR(2 + 2 * i, s->src[i & 1]);
	}
	tag.X.label = label;
	tag.X.t = 2 * PT_STR_ITEMS;
	L4_LoadMR(0, tag.raw);
}

int pt_str_halfway(const struct pt_str *s)
{
	volatile L4_Word_t *rcv = (volatile L4_Word_t *)s->rcv;

	return rcv[0] != rcv[s->len / sizeof(L4_Word_t) - 1];
}

int pt_str_catch_halfway(const struct pt_str *s, volatile L4_Word_t *done, L4_Word_t *looks)
{
	L4_Word_t start = rt_now_us();

	while (!*done && rt_now_us() - start < PT_LIMIT_US) {
		rt_sleep_us(PT_LOOK_US);
		if (looks)
			(*looks)++;
		if (pt_str_halfway(s))
			return 1;
	}
	return 0;
}

/* ---- the Unmap load ---- */

L4_Word_t pt_um_input(void)
{
	L4_Fpage_t fp = L4_FpageLog2(PT_UM_BASE, PT_UM_LOG2);

	L4_Set_Rights(&fp, L4_FullyAccessible);
	return fp.raw;
}

const char *pt_um_start(rt_entry_t unmapper, rt_entry_t observer, L4_Word_t page,
			L4_Word_t map_label, L4_Word_t go_label, volatile L4_Word_t *tid)
{
	L4_Word_t ip, sp;
	L4_ThreadId_t u, o;
	L4_MsgTag_t tag;

	u = rt_task_create(unmapper, 0, rt_pager());
	CHECK(!L4_IsNilThread(u));
	if (tid)
		*tid = u.raw;
	o = rt_task_thread_prepare(u, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, observer, 0,
				   rt_pager(), &ip, &sp);
	CHECK(!L4_IsNilThread(o));
	CHECK(rt_pager_start_thread(o, ip, sp));
	CHECK(L4_Set_Priority(u, PT_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	RUN(pt_map_many(u, map_label, page, PT_UM_BASE, 1UL << 22, PT_UM_REGIONS));
	tag = t_tag(go_label, 0, 0);
	L4_LoadMR(0, tag.raw);
	CHECK(L4_IpcSucceeded(L4_Send(u)));
	return 0;
}

int pt_um_halfway(const volatile L4_Word_t *mr)
{
	return (mr[1] & 7) != 7 && (mr[PT_UM_FPAGES - 2] & 7) == 7;
}
