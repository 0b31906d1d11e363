/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path's from-specifier check (kernel/ipc_fast.c): a
 * receiver of the caller's space takes it by local ID, by anylocal or by
 * global ID; one of another space only by global ID or anythread.  Each
 * case runs with the receiver already blocked, the fast path's shape
 * (Call or Lipc, receive timeout never), and must give the general
 * path's result.
 */
#include "tests.h"
#include <lent/kmem.h>

#define LF_LABEL	0x7b10

/*
 * Receive one message from the thread t_shared[0] names (0: anylocal),
 * count it in t_shared[arg], keep its From in t_shared[arg + 1], and
 * answer it with label LF_LABEL ^ 0xff.
 */
static void lf_closed_server(L4_Word_t arg)
{
	L4_ThreadId_t want, from = L4_nilthread;
	L4_MsgTag_t tag;

	want.raw = t_shared[0] ? t_shared[0] : L4_anylocalthread.raw;
	tag = L4_Ipc(L4_nilthread, want, L4_Timeouts(L4_Never, L4_Never), &from);
	if (L4_IpcFailed(tag))
		rt_thread_exit();
	t_shared[arg]++;
	t_shared[arg + 1] = from.raw;
	t_load(LF_LABEL ^ 0xff, 0, 0, 0, 0);
	(void)L4_Ipc(from, L4_nilthread, L4_Timeouts(L4_Never, L4_Never), &from);
	rt_thread_exit();
}

/* A receiver of our space waiting for our global ID gets the Call, and
 * sees our local ID. */
static const char *t_lf_closed_by_global(void)
{
	L4_ThreadId_t s, from = L4_nilthread;
	L4_MsgTag_t tag;

	t_shared[0] = rt_main_thread().raw;
	s = rt_thread_create(lf_closed_server, 4);
	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	t_load(LF_LABEL, 0, 0, 0, 0);
	tag = L4_Ipc(s, s, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), LF_LABEL ^ 0xff);
	CHECK_EQ(from.raw, L4_LocalIdOf(s).raw);
	CHECK_EQ(t_shared[4], 1);
	CHECK_EQ(t_shared[5], L4_MyLocalId().raw);
	return 0;
}

/* A receiver of our space waiting for another thread's local ID does
 * not take our Lipc: a zero send timeout expires, nothing arrives. */
static const char *t_lf_closed_for_other(void)
{
	L4_ThreadId_t other = rt_thread_create(lf_closed_server, 8), s, ls, from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(other));
	CHECK(t_waiting(other));          /* waits for anylocal: it stays out */
	t_shared[0] = L4_LocalIdOf(other).raw;
	s = rt_thread_create(lf_closed_server, 4);
	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	ls = L4_LocalIdOf(s);
	t_load(LF_LABEL, 0, 0, 0, 0);
	tag = L4_Lipc(ls, ls, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	CHECK_EQ(t_shared[4], 0);
	CHECK_EQ(t_shared[8], 0);
	return 0;
}

/* In another space: Call the receiver t_shared is not shared with, and
 * send main the error code it got (0 on success) as MR1. */
static void lf_foreign_caller(L4_Word_t arg)
{
	L4_ThreadId_t s, from;
	L4_MsgTag_t tag;
	L4_Word_t ec;

	s.raw = arg;
	t_load(LF_LABEL, 0, 0, 0, 0);
	tag = L4_Ipc(s, s, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	t_load(1, 1, &ec, 0, 0);
	(void)L4_Send(rt_main_thread());
	rt_thread_exit();
}

/* A receiver waiting for anylocal does not take a Call from another
 * space (its send timeout expires), then takes ours, by local ID. */
static const char *t_lf_anylocal_foreign(void)
{
	L4_ThreadId_t s, f, from;
	L4_MsgTag_t tag;

	t_shared[0] = 0;
	s = rt_thread_create(lf_closed_server, 4);
	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	f = rt_task_create(lf_foreign_caller, s.raw, rt_pager());
	CHECK(!L4_IsNilThread(f));
	tag = L4_Ipc(L4_nilthread, f, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), EC_SEND(1));
	CHECK_EQ(t_shared[4], 0);
	CHECK(t_waiting(s));
	t_load(LF_LABEL, 0, 0, 0, 0);
	tag = L4_Lcall(L4_LocalIdOf(s));
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), LF_LABEL ^ 0xff);
	CHECK_EQ(t_shared[4], 1);
	CHECK_EQ(t_shared[5], L4_MyLocalId().raw);
	return 0;
}

/* Answer LF_ROUNDS Calls of any thread of our space with their own
 * label, then end. */
#define LF_ROUNDS 4
static void lf_echo_server(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	tag = L4_Ipc(L4_nilthread, L4_anylocalthread, L4_Timeouts(L4_Never, L4_Never), &from);
	for (int i = 1; i < LF_ROUNDS && L4_IpcSucceeded(tag); i++) {
		L4_LoadMR(0, L4_Label(tag) << 16);
		tag = L4_Ipc(from, L4_anylocalthread, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	}
	L4_LoadMR(0, L4_Label(tag) << 16);
	(void)L4_Ipc(from, L4_nilthread, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	rt_thread_exit();
}

/*
 * Which path this run's IPCs take: Calls to a thread of our space that
 * waits for them (ReplyWait), the fast path's shape, are counted there
 * (KmemControl IPC_FAST), unless the kernel option ipcfast=off has every
 * IPC take the general path; then not one IPC since boot was.  The line
 * printed is what tools/testall.py looks for in the run with the option.
 */
static const char *t_lf_path_counted(void)
{
	L4_ThreadId_t s = rt_thread_create(lf_echo_server, 0);
	L4_Word_t before, after, on;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	before = lent_kmem_control(0, LENT_KMEM_IPC_FAST, 0);
	on = rt_mr(1);
	CHECK(on == 0 || on == 1);
	for (L4_Word_t i = 0; i < LF_ROUNDS; i++) {
		t_load(LF_LABEL + i, 0, 0, 0, 0);
		tag = L4_Call(s);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), LF_LABEL + i);
	}
	after = lent_kmem_control(0, LENT_KMEM_IPC_FAST, 0);
	printf("# IPC fast path %s: %lu IPCs on it in %u Calls and their replies, %lu since boot\n",
	       on ? "on" : "off", after - before, LF_ROUNDS, after);
	if (on)
		CHECK(after - before >= 1);
	else
		CHECK_EQ(after, 0);
	return 0;
}

const struct test lipc_fast_tests[] = {
	TEST(lf_closed_by_global),
	TEST(lf_closed_for_other),
	TEST(lf_anylocal_foreign),
	TEST(lf_path_counted),
	{ 0, 0 },
};
