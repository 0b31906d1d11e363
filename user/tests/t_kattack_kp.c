/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test kpager of the hostile tests (t_kattack.h): one answer per
 * kernel page fault as ka.mode says, and the senders that make clients
 * fault.
 */
#include "t_kattack.h"
#include "t_sync.h"

volatile struct ka_log ka;
struct t_kp kah;
volatile struct ka_sender_state ka_snd[2];

L4_Word_t ka_send_item(L4_ThreadId_t to, L4_Word_t fpage, L4_Word_t snd_base)
{
	L4_Word_t items[2] = { (snd_base & ~0x3ffUL) | 8, fpage };

	t_load(0, 0, 0, fpage ? 2 : 0, items);
	return L4_IpcFailed(L4_Reply(to)) ? L4_ErrorCode() : 0;
}

L4_Word_t ka_page_fpage(L4_Word_t page)
{
	return L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible).raw;
}

/* An answer from the pool (pages from index 2 on), or "no memory". */
static void ka_serve(L4_ThreadId_t to)
{
	if (ka.next < KA_POOL) {
		L4_Word_t page = kah.pool + ka.next++ * RT_PAGE_SIZE;
		if (ka_send_item(to, ka_page_fpage(page), page))
			ka.failed++;
	} else {
		(void)ka_send_item(to, 0, 0);
	}
}

static void ka_fault(const struct t_kpf *f)
{
	static L4_ThreadId_t held;
	L4_ThreadId_t from = f->from;

	L4_Word_t i = ka.n++;
	ka.from[i % KA_LOG] = from.raw;
	ka.kind[i % KA_LOG] = f->kind;
	if (ka.mode == KA_HOLD)
		return;
	if (ka.mode == KA_BAD_FIRST && i == 0) {
		for (L4_Word_t b = 0; b < ka.nbad; b++)
			ka.bad_ec[b] = ka_send_item(from, ka.bad[b].fpage, ka.bad[b].snd_base);
		return;              /* the last one must have been taken */
	}
	if (ka.mode == KA_TWO_AT_ONCE && i == 0) {
		held = from;         /* answered with the second */
		return;
	}
	if (ka.mode == KA_TWO_AT_ONCE && i == 1) {
		L4_Word_t p = ka.same_page, q = kah.pool + ka.next++ * RT_PAGE_SIZE;
		ka.two_ec[0] = ka_send_item(held, ka_page_fpage(p), p);
		ka.two_ec[1] = ka_send_item(from, ka_page_fpage(p), p);
		ka.two_ec[2] = ka_send_item(from, ka_page_fpage(q), q);
		return;
	}
	ka_serve(from);
}

const char *ka_start(enum ka_mode mode)
{
	t_kp_zero(&ka, sizeof(ka));
	ka.mode = mode;
	ka.next = 2;
	return t_kp_serve(&kah, KA_POOL, ka_fault);
}

static void ka_sender(L4_Word_t k)
{
	L4_Word_t items[2] = { ka_snd[k].item0, ka_snd[k].fpage };
	L4_MsgTag_t tag;

	t_load(0x66, 0, 0, 2, items);
	tag = L4_Send((L4_ThreadId_t) { .raw = ka_snd[k].to });
	ka_snd[k].tag = tag.raw;
	ka_snd[k].ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	ka_snd[k].done = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

const char *ka_map_async(unsigned k, L4_ThreadId_t ag, L4_Word_t window, L4_Word_t page)
{
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, 0);

	RUN(t_ag_accept(ag, window, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	ka_snd[k].to = ag.raw;
	ka_snd[k].item0 = m.raw[0];
	ka_snd[k].fpage = m.raw[1];
	ka_snd[k].done = 0;
	CHECK(!L4_IsNilThread(rt_thread_create(ka_sender, k)));
	return 0;
}

const char *ka_map_done(unsigned k, L4_ThreadId_t ag)
{
	t_until(&ka_snd[k].done, 1);
	CHECK_EQ(ka_snd[k].ec, 0);
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	return 0;
}

L4_Word_t ka_value_page(L4_Word_t value)
{
	L4_Word_t p = t_page();

	if (p)
		((volatile L4_Word_t *)p)[0] = value;
	return p;
}
