/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The loads of the wake-up benchmark, sized as issue 5 names them: each
 * is one kernel operation whose work grows with a size the user chooses.
 *   string_ipc   one message of 31 chained string items of 4 MB - 4 KB;
 *   unmap        one Unmap of 64 whole-space fpages by a task that has a
 *                page in each of 758 different 4 MB regions;
 *   revoke       unmapping the root of a map chain 30,000 deep;
 *   delete_task  one ThreadControl deleting a task with 10,000 mappings.
 * Child tasks share the root image (rt_task_create), so they read the
 * constants and main's page addresses from it.
 */
#include "wakeup.h"

#define STR_ITEMS	31
#define STR_LEN		(0x400000UL - RT_PAGE_SIZE)
#define STR_RCV_BUF	0x10000000UL	/* 4 MB aligned, in the receiver */

#define UNMAP_FIRST	2		/* regions 8 MB .. 0xBE000000 */
#define UNMAP_END	760
#define UNMAP_FPAGES	64

#define CHAIN_HOPS	30001		/* 30,000 mappings below the root's */
#define CHAIN_BASE	0x10000000UL

#define DEL_MAPPINGS	10000
#define DEL_BASE	0x10000000UL

#define ITEMS_PER_MSG	31		/* 62 typed words + the tag */
#define BUILD_TIMEOUT_US 30000000UL

static L4_Word_t load_page;		/* a page of main's, mapped out */

/* A fresh page of main's, touched, for mapping into the load's tasks. */
static int get_load_page(void)
{
	if (!load_page)
		load_page = rt_get_pages(1);
	if (!load_page) {
		rt_set_last_error(L4_ErrNoMem);
		return 0;
	}
	*(volatile L4_Word_t *)load_page = 1;
	return 1;
}

static L4_MapItem_t map_item(L4_Word_t base, int log2, L4_Word_t rights, L4_Word_t snd_base)
{
	L4_Fpage_t fp = L4_FpageLog2(base, log2);

	L4_Set_Rights(&fp, rights);
	return L4_MapItem(fp, snd_base);
}

/* Send to t one message of u untyped words and then t typed words (w
 * holds both); 0 or the error code. */
static L4_Word_t send_words(L4_ThreadId_t to, L4_Word_t label, int u, int t, const L4_Word_t *w)
{
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	tag.X.label = label;
	tag.X.u = u;
	tag.X.t = t;
	for (i = 0; i < u + t; i++)
		L4_LoadMR(1 + i, w[i]);
	L4_LoadMR(0, tag.raw);
	tag = L4_Send_Timeout(to, L4_TimePeriod(BUILD_TIMEOUT_US));
	return L4_IpcFailed(tag) ? 0x80 | L4_ErrorCode() : 0;
}

/* For main: the same, with the error in rt_last_error. */
static int main_sends(L4_ThreadId_t to, int u, int t, const L4_Word_t *w)
{
	L4_Word_t err = send_words(to, WK_LABEL_MAP, u, t, w);

	if (err)
		rt_set_last_error(err);
	return !err;
}

/* Map load_page into t at every address from base, step apart, n times. */
static int map_many(L4_ThreadId_t t, L4_Word_t base, L4_Word_t step, L4_Word_t n)
{
	L4_Word_t i = 0, w[2 * ITEMS_PER_MSG];

	while (i < n) {
		int k;

		for (k = 0; k < ITEMS_PER_MSG && i < n; k++, i++) {
			L4_MapItem_t m = map_item(load_page, 12, L4_Readable, base + i * step);

			w[2 * k] = m.raw[0];
			w[2 * k + 1] = m.raw[1];
		}
		if (!main_sends(t, 0, 2 * k, w))
			return 0;
	}
	return 1;
}

/* A task that takes main's map messages until "go". */
static void take_maps_until_go(void)
{
	L4_MsgTag_t tag;

	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	do
		tag = L4_Receive(rt_main_thread());
	while (L4_IpcFailed(tag) || L4_Label(tag) != WK_LABEL_GO);
}

static L4_ThreadId_t new_task(rt_entry_t body, L4_Word_t arg)
{
	L4_ThreadId_t t = rt_task_create(body, arg, rt_pager());

	if (L4_IsNilThread(t) || !wk_lower(t))
		return L4_nilthread;
	return t;
}

/* ---- string_ipc ---- */

static L4_Word_t str_src;		/* 4 MB of main's */

static void str_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	int i;

	(void)arg;
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	(void)L4_Receive(rt_main_thread());	/* the buffer's mapping */
	/* One receive string of 31 substrings, all over the same 4 MB. */
	L4_LoadBR(0, L4_MapGrantItems(L4_CompleteAddressSpace).raw | 1);
	L4_LoadBR(1, (STR_LEN << 10) | ((STR_ITEMS - 1) << 4));
	for (i = 0; i < STR_ITEMS; i++)
		L4_LoadBR(2 + i, STR_RCV_BUF);
	for (;;)
		(void)L4_Wait(&from);
}

static void str_sender(L4_Word_t rcv)
{
	L4_ThreadId_t to = { .raw = rcv };
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	wk_wait_go();
	/* 31 simple string items chained into one string (the c bit). */
	for (i = 0; i < STR_ITEMS; i++) {
		L4_LoadMR(1 + 2 * i, (STR_LEN << 10) | (i + 1 < STR_ITEMS ? 1UL << 9 : 0));
		L4_LoadMR(2 + 2 * i, str_src);
	}
	tag.X.t = 2 * STR_ITEMS;
	L4_LoadMR(0, tag.raw);
	tag = L4_Send_Timeout(to, L4_TimePeriod(BUILD_TIMEOUT_US));
	wk_report_done(L4_IpcFailed(tag) ? 0x100 | L4_ErrorCode() : 0);
}

L4_ThreadId_t wk_prepare_string_ipc(void)
{
	L4_ThreadId_t r;
	L4_MapItem_t m;

	if (!str_src)
		str_src = rt_get_pages(0x400);
	if (!str_src) {
		rt_set_last_error(L4_ErrNoMem);
		return L4_nilthread;
	}
	r = new_task(str_receiver, 0);
	if (L4_IsNilThread(r))
		return r;
	m = map_item(str_src, 22, L4_ReadWriteOnly, STR_RCV_BUF);
	if (!main_sends(r, 0, 2, m.raw))
		return L4_nilthread;
	return wk_local_executor(str_sender, r.raw);
}

/* ---- unmap ---- */

static void unmap_body(L4_Word_t arg)
{
	L4_Fpage_t all = L4_CompleteAddressSpace;
	int i;

	(void)arg;
	take_maps_until_go();
	L4_Set_Rights(&all, L4_FullyAccessible);
	for (i = 0; i < UNMAP_FPAGES; i++)
		L4_LoadMR(i, all.raw);
	L4_Unmap(UNMAP_FPAGES - 1);
	wk_report_done(0);
}

L4_ThreadId_t wk_prepare_unmap(void)
{
	L4_ThreadId_t u;

	if (!get_load_page())
		return L4_nilthread;
	u = new_task(unmap_body, 0);
	if (L4_IsNilThread(u))
		return u;
	if (!map_many(u, UNMAP_FIRST << 22, 1UL << 22, UNMAP_END - UNMAP_FIRST))
		return L4_nilthread;
	return u;
}

/* ---- revoke ---- */

/* Hop k of the chain lands in task k % 2 (A even, B odd) at chain_addr(k). */
static L4_Word_t chain_addr(L4_Word_t k)
{
	return CHAIN_BASE + (k / 2) * RT_PAGE_SIZE;
}

static void chain_body(L4_Word_t role)
{
	L4_ThreadId_t peer, from;
	L4_Word_t k = role, status;
	L4_MsgTag_t tag;

	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	(void)L4_Receive(rt_main_thread());
	peer.raw = rt_mr(1);
	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		if (L4_Label(tag) == WK_LABEL_GO) {
			/* A only: revoke everything below hop 0. */
			L4_Fpage_t fp = L4_FpageLog2(chain_addr(0), 12);

			L4_Set_Rights(&fp, L4_FullyAccessible);
			(void)L4_UnmapFpage(fp);
			wk_report_done(0);
		}
		if (L4_Label(tag) != WK_LABEL_MAP)
			continue;
		status = 0;
		if (k + 1 < CHAIN_HOPS) {
			L4_MapItem_t m = map_item(chain_addr(k), 12, L4_Readable, chain_addr(k + 1));

			status = send_words(peer, WK_LABEL_MAP, 0, 2, m.raw);
			if (!status) {
				k += 2;
				continue;
			}
		}
		rt_msg(WK_LABEL_DONE, 1, &status);
		(void)L4_Send(rt_main_thread());
		k += 2;
	}
}

L4_ThreadId_t wk_prepare_revoke(void)
{
	L4_ThreadId_t a, b, from;
	L4_MapItem_t m;
	L4_MsgTag_t tag;

	if (!get_load_page())
		return L4_nilthread;
	a = new_task(chain_body, 0);
	b = new_task(chain_body, 1);
	if (L4_IsNilThread(a) || L4_IsNilThread(b))
		return L4_nilthread;
	if (!main_sends(a, 1, 0, &b.raw) || !main_sends(b, 1, 0, &a.raw))
		return L4_nilthread;
	m = map_item(load_page, 12, L4_Readable, chain_addr(0));
	if (!main_sends(a, 0, 2, m.raw))
		return L4_nilthread;
	tag = L4_Wait_Timeout(L4_TimePeriod(BUILD_TIMEOUT_US), &from);
	if (L4_IpcFailed(tag) || L4_Label(tag) != WK_LABEL_DONE || rt_mr(1)) {
		rt_set_last_error(L4_IpcFailed(tag) ? L4_ErrorCode() : rt_mr(1));
		return L4_nilthread;
	}
	return a;
}

/* ---- delete_task ---- */

static void sink_body(L4_Word_t arg)
{
	(void)arg;
	take_maps_until_go();
	for (;;)
		L4_Sleep(L4_Never);
}

static void delete_body(L4_Word_t victim)
{
	L4_ThreadId_t v = { .raw = victim };

	wk_wait_go();
	if (L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)~0UL) != 1)
		wk_report_done(0x300 | L4_ErrorCode());
	wk_report_done(0);
}

L4_ThreadId_t wk_prepare_delete_task(void)
{
	L4_ThreadId_t d;

	if (!get_load_page())
		return L4_nilthread;
	d = new_task(sink_body, 0);
	if (L4_IsNilThread(d))
		return d;
	if (!map_many(d, DEL_BASE, RT_PAGE_SIZE, DEL_MAPPINGS))
		return L4_nilthread;
	return wk_local_executor(delete_body, d.raw);
}
