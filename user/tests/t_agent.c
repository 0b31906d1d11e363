/* SPDX-License-Identifier: BSD-2-Clause */
/* Test-side helpers for agents (rt_agent.c): the agents' pager is main. */
#include "tests.h"

L4_MsgTag_t t_tag(L4_Word_t label, int u, int t)
{
	L4_MsgTag_t tag = L4_Niltag;

	tag.X.label = label;
	tag.X.u = u;
	tag.X.t = t;
	return tag;
}

L4_MapItem_t t_map_item(L4_Word_t base, int log2, L4_Word_t rights, L4_Word_t snd_base)
{
	L4_Fpage_t fp = L4_FpageLog2(base, log2);

	L4_Set_Rights(&fp, rights);
	return L4_MapItem(fp, snd_base);
}

int t_ag_ok(L4_MsgTag_t tag)
{
	return L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT;
}

const char *t_ag_accept(L4_ThreadId_t ag, L4_Word_t window, int log2)
{
	L4_Word_t acc = window ? L4_MapGrantItems(L4_FpageLog2(window, log2)).raw : 0;

	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_ACCEPT, 1, &acc)));
	return 0;
}

/* Let the agent receive one message with the two item words, sent by a
 * root thread; res gets the agent's report, *sec the sender's error. */
const char *t_ag_give(L4_ThreadId_t ag, L4_Word_t i0, L4_Word_t i1,
			L4_Word_t *res, L4_Word_t *sec)
{
	L4_Word_t items[2] = { i0, i1 };
	L4_MsgTag_t tag;
	int i;

	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	CHECK(!L4_IsNilThread(t_send_async(ag, t_tag(0x66, 0, 2), items, 0)));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	for (i = 0; i < 5; i++)
		res[i] = rt_mr(i + 1);
	t_send_async_wait(&tag, sec);
	return 0;
}

const char *t_ag_give_map(L4_ThreadId_t ag, L4_MapItem_t m, L4_Word_t *res, L4_Word_t *sec)
{
	return t_ag_give(ag, m.raw[0], m.raw[1], res, sec);
}

/* The agent reads addr; the answer must be the word want. */
const char *t_ag_reads(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t want)
{
	L4_MsgTag_t tag = rt_agent_cmd(ag, RT_AG_READ, 1, &addr);

	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), want);
	return 0;
}

/* The agent accesses addr (a write if write); the access must fault to
 * main, its pager, at exactly addr. */
const char *t_ag_faults(L4_ThreadId_t ag, L4_Word_t addr, int write)
{
	L4_Word_t a[2] = { addr, 0x77 };
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	CHECK(rt_agent_post(ag, write ? RT_AG_WRITE : RT_AG_READ, write ? 2 : 1, a));
	tag = rt_agent_result(ag, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1), addr);
	if (write)
		CHECK(L4_Label(tag) & L4_Writable);
	return 0;
}

/* The agent receives one message of label and n typed words, sent by a
 * root thread (main stays free to page it); both ends must succeed. */
const char *t_ag_give_words(L4_ThreadId_t ag, L4_Word_t label, int n, const L4_Word_t *items)
{
	L4_MsgTag_t tag;
	L4_Word_t sec;

	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	CHECK(!L4_IsNilThread(t_send_async(ag, t_tag(label, 0, n), items, 0)));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	t_send_async_wait(&tag, &sec);
	CHECK_EQ(sec, 0);
	return 0;
}

/* Agent from sends agent `to` the map item m; to takes it. */
const char *t_ag_pass_map(L4_ThreadId_t from, L4_ThreadId_t to, L4_MapItem_t m)
{
	L4_Word_t a[4] = { to.raw, t_tag(0x68, 0, 2).raw, m.raw[0], m.raw[1] };
	L4_MsgTag_t tag;

	CHECK(rt_agent_post(to, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(from, RT_AG_SEND, 4, a));
	tag = rt_agent_result(from, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	tag = rt_agent_result(to, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = rt_mr(1) }), 2);
	return 0;
}
