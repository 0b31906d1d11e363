/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender's ID and Lipc (X.2 "IPC", "Lipc"): the From a receiver
 * gets is the sender's local ID when the sender lives in the receiver's
 * address space, whatever the receiver waited for, and its global ID
 * otherwise; for a propagated message the same holds of the virtual
 * sender, while ActualSender names the actual sender globally (as
 * Pistachio writes it).  Lipc gives Ipc's results: the fast path Lent
 * takes for it (a local ID in the caller's space, untyped words, the
 * partner waiting) and the general path it falls back to agree.
 */
#include "tests.h"

#define PROP_LABEL	0x7a11
#define ECHO_SLOT	4	/* t_echo counts in t_shared[4], From in [5] */

static L4_ThreadId_t local_of(L4_ThreadId_t t)
{
	return L4_LocalIdOf(t);
}

/* Sends to main with the p flag, naming t_shared[1] as virtual sender. */
static void prop_sender(L4_Word_t arg)
{
	L4_ThreadId_t v;

	(void)arg;
	v.raw = t_shared[1];
	L4_Set_VirtualSender(v);
	t_load(PROP_LABEL, 0, 0, 0, 0);
	{
		L4_MsgTag_t tag;

		L4_StoreMR(0, &tag.raw);
		L4_Set_Propagation(&tag);
		L4_LoadMR(0, tag.raw);
	}
	(void)L4_Send(rt_main_thread());
}

/* A root thread waiting for anything gets a sender of its own space as
 * the sender's local ID. */
static const char *t_x2_from_local_any(void)
{
	L4_ThreadId_t a = rt_thread_create(t_send_to_main, 0), from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(a));
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 5);
	CHECK(L4_IsLocalId(from));
	CHECK_EQ(from.raw, local_of(a).raw);
	return 0;
}

/* The same when it waited for that thread by its global ID. */
static const char *t_x2_from_local_closed(void)
{
	L4_ThreadId_t a = rt_thread_create(t_send_to_main, 0), from = L4_nilthread;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(a));
	tag = L4_Ipc(L4_nilthread, a, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, local_of(a).raw);
	return 0;
}

/* A sender in another space is named by its global ID. */
static const char *t_x2_from_global_other_space(void)
{
	L4_ThreadId_t a = rt_task_create(t_send_to_main, 0, rt_pager()), from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(a));
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 5);
	CHECK_EQ(from.raw, a.raw);
	return 0;
}

/* Propagation within one space: From is the virtual sender's local ID,
 * ActualSender the actual sender's global ID, p set. */
static const char *t_x2_from_propagated(void)
{
	L4_ThreadId_t v = rt_thread_create(t_sleeper, 0), s, from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(v));
	t_shared[1] = v.raw;
	s = rt_thread_create(prop_sender, 0);
	CHECK(!L4_IsNilThread(s));
	L4_Set_VirtualSender(L4_nilthread);   /* what is there afterwards is the kernel's */
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), PROP_LABEL);
	CHECK(L4_IpcPropagated(tag));
	CHECK_EQ(from.raw, local_of(v).raw);
	CHECK_EQ(L4_ActualSender().raw, s.raw);
	return 0;
}

/* Lcall to a server of our space: the words come back, the server saw
 * our local ID, both rounds (the second finds the server waiting). */
static const char *t_x2_lipc_local(void)
{
	L4_ThreadId_t e = rt_thread_create(t_echo, ECHO_SLOT), le;
	L4_Word_t w[3] = { 0x1234, 0x5678, 0x9abc };
	L4_MsgTag_t tag;
	int round;

	CHECK(!L4_IsNilThread(e));
	le = local_of(e);
	CHECK(L4_IsLocalId(le));
	for (round = 1; round <= 2; round++) {
		t_load(0x7a20, 3, w, 0, 0);
		tag = L4_Lcall(le);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), 0x7a20 ^ 0xff);
		CHECK_EQ(L4_UntypedWords(tag), 3);
		CHECK_EQ(rt_mr(1), ~0x1234UL);
		CHECK_EQ(rt_mr(3), ~0x9abcUL);
		CHECK_EQ(t_shared[ECHO_SLOT], round);
		CHECK_EQ(t_shared[ECHO_SLOT + 1], L4_MyLocalId().raw);
	}
	/* Ipc to the same server by its local ID: the same. */
	t_load(0x7a21, 1, w, 0, 0);
	tag = L4_Call(le);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), ~0x1234UL);
	CHECK_EQ(t_shared[ECHO_SLOT], 3);
	return 0;
}

/* One Lcall of 1 word to local ID l: its answer must be the echo's. */
static const char *lcall_echo(L4_ThreadId_t l, L4_Word_t w)
{
	L4_MsgTag_t tag;

	t_load(0x7a40, 1, &w, 0, 0);
	tag = L4_Lcall(l);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), ~w);
	return 0;
}

/* The fast path finds a local partner by the MyGlobalId word in its UTCB
 * (or by its last such partner), which the thread table must confirm:
 * a forged word, or a partner gone and replaced at the same UTCB, still
 * reaches the thread whose UTCB it is. */
static const char *t_x2_lipc_forged_and_stale(void)
{
	L4_ThreadId_t a = rt_thread_create(t_echo, 4), b = rt_thread_create(t_echo, 6), la, c;
	volatile L4_Word_t *gid;

	CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
	la = local_of(a);
	CHECK(t_waiting(a) && t_waiting(b));
	gid = (volatile L4_Word_t *)(la.raw - 60);   /* a's MyGlobalId TCR */
	CHECK_EQ(*gid, a.raw);
	*gid = b.raw;
	RUN(lcall_echo(la, 0x51));
	*gid = a.raw;
	CHECK_EQ(t_shared[4], 1);
	CHECK_EQ(t_shared[6], 0);
	/* Remembered now: a goes, c takes its UTCB, the call reaches c. */
	CHECK(t_waiting(a));
	RUN(lcall_echo(la, 0x52));
	CHECK_EQ(t_shared[4], 2);
	CHECK(rt_release(a));
	c = rt_thread_create(t_echo, 8);
	CHECK(!L4_IsNilThread(c));
	if (local_of(c).raw != la.raw)
		return "the new thread did not get the old UTCB";
	CHECK(t_waiting(c));
	RUN(lcall_echo(la, 0x53));
	CHECK_EQ(t_shared[8], 1);
	CHECK_EQ(t_shared[4], 2);
	CHECK_EQ(t_shared[6], 0);
	return 0;
}

/* Lipc outside its restrictions behaves as Ipc: a global ID in another
 * space, a local ID nobody has, a partner that does not wait. */
static const char *t_x2_lipc_fallbacks(void)
{
	L4_ThreadId_t e = rt_task_create(t_echo, ECHO_SLOT, rt_pager()), nobody, from;
	L4_ThreadId_t s = rt_thread_create(t_sleeper, 0);
	L4_Word_t w[1] = { 7 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(e) && !L4_IsNilThread(s));
	t_load(0x7a30, 1, w, 0, 0);
	tag = L4_Lipc(e, e, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, e.raw);
	CHECK_EQ(rt_mr(1), ~7UL);
	/* A UTCB slot no thread has. */
	nobody.raw = rt_utcb_alloc();
	CHECK(nobody.raw != 0);
	rt_utcb_free(nobody.raw);
	nobody.raw += RT_UTCB_MR0_OFFSET;
	CHECK(L4_IsNilThread(L4_GlobalIdOf(nobody)));
	t_load(0x7a31, 0, 0, 0, 0);
	tag = L4_Lipc(nobody, L4_nilthread, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(2));
	/* s sleeps without receiving: a zero send timeout expires. */
	t_load(0x7a32, 0, 0, 0, 0);
	tag = L4_Lipc(local_of(s), L4_nilthread, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	return 0;
}

const struct test x2abi_ipc_tests[] = {
	TEST(x2_from_local_any),
	TEST(x2_from_local_closed),
	TEST(x2_from_global_other_space),
	TEST(x2_from_propagated),
	TEST(x2_lipc_local),
	TEST(x2_lipc_forged_and_stale),
	TEST(x2_lipc_fallbacks),
	{ 0, 0 },
};
