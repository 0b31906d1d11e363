/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile kpager roles (docs/kpager-protocol.md): a task that is its own
 * kpager, two tasks that are each other's, a kpager deleted while its
 * client waits, a kpager that unmaps a page it lent, and a string sent
 * into a lent frame.  Each test asserts what the kernel must do: a clear
 * error, or the property still holding afterwards (the lent frame
 * unreachable, nothing hung, other tasks still working).  In a
 * KMEM=pool kernel no kpager is asked; the tests check that instead
 * (kah.lent_kinds is 0 there).
 */
#include "t_kattack.h"
#include "t_kpreempt.h"
#include "t_sync.h"

/* A task that is its own kpager cannot be asked: its receive of a map
 * item fails for want of memory (and the send with it), nothing hangs,
 * and the task works on. */
static const char *t_kattack_own_kpager(void)
{
	L4_ThreadId_t ag;
	L4_Word_t value = ka_value_page(KA_VALUE);

	RUN(ka_start(KA_SERVE));
	CHECK(value != 0);
	RUN(t_kp_agent(&ag, L4_nilthread));
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPAGER, ag.raw), 1);
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	if (!kah.lent_kinds) {
		RUN(ka_map_done(0, ag));
		return t_ag_reads(ag, KA_WINDOW, KA_VALUE);
	}
	/* The receive fails for want of memory, the send with it. */
	t_until(&ka_snd[0].done, 1);
	CHECK_EQ(ka_snd[0].ec & 0xf, EC_SEND(7));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(rt_mr(2) & 0xf, EC_RECV(4));
	CHECK_EQ(ka.n, 0);
	RUN(t_ag_faults(ag, KA_WINDOW, 0));
	rt_release(ag);
	/* A fresh one with a real kpager gets the same map. */
	RUN(t_kp_agent(&ag, kah.thread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	RUN(ka_map_done(0, ag));
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	return 0;
}

/* Two agents, each the other's kpager.  The first one's kernel page
 * fault reaches the second as an ordinary message; the first is deleted
 * while it waits, and the second's answer then goes nowhere.  The map's
 * sender, the root and a third task are unharmed. */
static const char *t_kattack_mutual_kpagers_client_deleted(void)
{
	L4_ThreadId_t a, b, c;
	L4_Word_t value = ka_value_page(KA_VALUE), send[4];
	L4_MsgTag_t tag;

	RUN(ka_start(KA_SERVE));
	CHECK(value != 0);
	RUN(t_kp_agent(&a, L4_nilthread));
	RUN(t_kp_agent(&b, L4_nilthread));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPAGER, b.raw), 1);
	CHECK_EQ(lent_kmem_control(b.raw, LENT_KMEM_SET_KPAGER, a.raw), 1);
	RUN(t_ag_accept(b, 0, 0));
	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	if (!kah.lent_kinds) {
		RUN(ka_map_done(0, a));
		return t_ag_reads(a, KA_WINDOW, KA_VALUE);
	}
	tag = rt_agent_result(b, 0);
	CHECK(t_ag_ok(tag));
	L4_MsgTag_t got = { .raw = rt_mr(1) };
	CHECK_EQ(rt_mr(2), 0);
	CHECK_EQ(rt_mr(3), a.raw);
	CHECK_EQ(L4_Label(got), LENT_LABEL_KPF);
	CHECK_EQ(L4_UntypedWords(got), 3);
	/* The client goes while it waits for b's answer. */
	rt_release(a);
	t_until(&ka_snd[0].done, 1);
	CHECK(ka_snd[0].ec != 0);
	/* b answers a thread that is gone: its send fails, nothing else. */
	send[0] = a.raw;
	send[1] = t_tag(0, 0, 0).raw;
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_SEND, 2, send)));
	CHECK(rt_mr(2) != 0);
	RUN(t_ag_faults(b, KA_WINDOW, 0));
	rt_release(b);
	/* A third task with a real kpager maps as usual. */
	RUN(t_kp_agent(&c, kah.thread));
	RUN(ka_map_async(0, c, KA_WINDOW, value));
	RUN(ka_map_done(0, c));
	RUN(t_ag_reads(c, KA_WINDOW, KA_VALUE));
	return 0;
}

/* The kpager is deleted while its client waits for an answer: the
 * client's operation ends (the map item is refused), nothing hangs, and
 * a task of another kpager never notices. */
static const char *t_kattack_kpager_deleted_while_client_waits(void)
{
	L4_ThreadId_t ag, other;
	L4_Word_t value = ka_value_page(KA_VALUE);

	RUN(ka_start(KA_HOLD));
	CHECK(value != 0);
	RUN(t_kp_agent(&ag, kah.thread));
	RUN(t_kp_agent(&other, L4_nilthread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	if (!kah.lent_kinds) {
		RUN(ka_map_done(0, ag));
		return t_ag_reads(ag, KA_WINDOW, KA_VALUE);
	}
	t_until_at_least(&ka.n, 1);
	CHECK_EQ(ka.n, 1);
	CHECK_EQ(ka.from[0], ag.raw);
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_PENDING, 0), 1);
	rt_release(kah.thread);
	t_until(&ka_snd[0].done, 1);
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_PENDING, 0), 0);
	RUN(t_ag_faults(ag, KA_WINDOW, 0));
	/* The other task, whose kpager is sigma0, maps as usual. */
	RUN(ka_map_async(1, other, KA_WINDOW2, value));
	RUN(ka_map_done(1, other));
	RUN(t_ag_reads(other, KA_WINDOW2, KA_VALUE));
	return 0;
}

/* The kpager unmaps a page it lent (a node table), with the client
 * alive: the kernel takes it back at once, localised, within that Unmap;
 * given back something that is not its form, it refuses it and the
 * client's mapping faults to its pager, which maps it again. */
static const char *t_kattack_kpager_unmaps_lent_page(void)
{
	L4_ThreadId_t ag;
	L4_Word_t value = ka_value_page(KA_VALUE);

	RUN(ka_start(KA_SERVE));
	CHECK(value);
	RUN(t_kp_agent(&ag, kah.thread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	RUN(ka_map_done(0, ag));
	if (!kah.lent_kinds)
		return t_ag_reads(ag, KA_WINDOW, KA_VALUE);
	L4_Word_t p = kah.pool + 2 * RT_PAGE_SIZE;           /* the first page lent */
	CHECK_EQ(ka.kind[0], LENT_KMEM_NT);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
	/* The kernel takes the node table back at once, localised
	 * (docs/kernel-memory.md, "Mapping nodes and node tables"); this
	 * kpager answers the fault for it with a page that is not its form,
	 * so the client's mapping in it is gone and faults to its pager. */
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 0);
	RUN(t_ag_faults(ag, KA_WINDOW, 0));
	CHECK(t_kpre_reply_map(ag, L4_FpageLog2(value, 12), KA_WINDOW));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(rt_mr(1), KA_VALUE);
	rt_release(ag);
	return 0;
}

/* A string sent into a lent frame: an agent has the frame mapped (by
 * node only, the kernel holds it) and receives a string into it.  The
 * kernel never writes there: each try is a page fault to the agent's
 * pager, however often the pager maps the frame again.  Deleting the
 * agent ends the send; the kpager's client is unharmed. */
static const char *t_kattack_string_into_lent_frame(void)
{
	L4_ThreadId_t a, y, from;
	L4_Word_t value = ka_value_page(KA_VALUE), src = ka_value_page(KA_VALUE + 2);
	L4_Word_t res[5], sec, ec, buf[2] = { KA_PEEK, 64 };
	L4_MsgTag_t tag;

	RUN(ka_start(KA_SERVE));
	CHECK(value && src);
	RUN(t_kp_agent(&a, kah.thread));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	RUN(ka_map_done(0, a));
	L4_Word_t p = kah.pool + 2 * RT_PAGE_SIZE;           /* the first page lent */
	RUN(t_kp_agent(&y, L4_nilthread));
	RUN(t_ag_accept(y, KA_PEEK, 12));
	RUN(t_ag_give_map(y, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	CHECK(rt_agent_post(y, RT_AG_RECV_STRING, 2, buf));
	L4_StringItem_t str = L4_StringItem(64, (void *)src);
	CHECK(!L4_IsNilThread(t_send_async(y, t_tag(0x66, 0, 2), str.raw, 0)));
	if (!kah.lent_kinds) {
		t_send_async_wait(&tag, &ec);
		CHECK_EQ(ec, 0);
		CHECK(t_ag_ok(rt_agent_result(y, 0)));
		return t_ag_reads(y, KA_PEEK, KA_VALUE + 2);
	}
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	for (int round = 0; round < 3; round++) {
		tag = rt_agent_result(y, &from);
		CHECK(rt_is_pagefault(tag));
		CHECK_EQ(from.raw, y.raw);
		CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), KA_PEEK);
		CHECK(L4_Label(tag) & L4_Writable);
		L4_MapItem_t again = t_map_item(p, 12, L4_FullyAccessible, KA_PEEK);
		t_load(0, 0, 0, 2, again.raw);
		CHECK(L4_IpcSucceeded(L4_Send(y)));
	}
	rt_release(y);
	t_send_async_wait(&tag, &ec);
	CHECK(ec != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	RUN(t_ag_reads(a, KA_WINDOW, KA_VALUE));
	rt_release(a);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 0);
	return 0;
}

const struct test kattack_roles_tests[] = {
	TEST(kattack_own_kpager),
	TEST(kattack_mutual_kpagers_client_deleted),
	TEST(kattack_kpager_deleted_while_client_waits),
	TEST(kattack_kpager_unmaps_lent_page),
	TEST(kattack_string_into_lent_frame),
	{ 0 }
};
