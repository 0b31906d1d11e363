/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path's memory of a caller's last partner (tcb_t's
 * peer_id, peer_core and peer_local: kernel/ipc_fast.c).  It names a
 * resident part, which the partner's deletion frees and the next thread
 * made may get.  A Call by the old global ID must still find no thread,
 * and one by a local ID the thread whose UTCB is at that address now,
 * whichever path runs (the suite runs again with ipcfast=off).
 */
#include "tests.h"

#define FP_LABEL	0x7c20

/* Two Calls to s, by ID id, answered by t_echo: the fast path's shape. */
static const char *fp_calls(L4_ThreadId_t id, int lipc)
{
	for (int i = 0; i < 2; i++) {
		L4_MsgTag_t tag;

		t_load(FP_LABEL + i, 0, 0, 0, 0);
		tag = lipc ? L4_Lcall(id) : L4_Call(id);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), (FP_LABEL + i) ^ 0xff);
	}
	return 0;
}

/* The partner we last called, deleted, and a thread made after it
 * (likely on its freed resident part) waiting: a Call to the old ID
 * fails with no partner, the new thread gets nothing; by its own ID it
 * does. */
static const char *t_fp_peer_deleted(void)
{
	L4_ThreadId_t s = rt_thread_create(t_echo, 4), s2;
	const char *err;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	if ((err = fp_calls(s, 0)))
		return err;
	CHECK_EQ(t_shared[4], 2);
	CHECK(rt_release(s));
	s2 = rt_thread_create(t_echo, 8);
	CHECK(!L4_IsNilThread(s2));
	CHECK(t_waiting(s2));
	t_load(FP_LABEL, 0, 0, 0, 0);
	tag = L4_Call(s);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(2));
	CHECK_EQ(t_shared[8], 0);
	if ((err = fp_calls(s2, 0)))
		return err;
	CHECK_EQ(t_shared[8], 2);
	return 0;
}

/* The same by local ID: the partner deleted, its UTCB slot empty, an
 * Lcall to it fails with no partner; then a new thread in that slot (rt
 * gives the lowest free one) is what the local ID names, and gets it. */
static const char *t_fp_local_peer_replaced(void)
{
	L4_ThreadId_t s = rt_thread_create(t_echo, 4), s2, ls;
	const char *err;
	L4_MsgTag_t tag;
	L4_Word_t slot;

	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	ls = L4_LocalIdOf(s);
	slot = rt_utcb_of(s);
	CHECK(slot != 0);
	if ((err = fp_calls(ls, 1)))
		return err;
	CHECK_EQ(t_shared[4], 2);
	CHECK_EQ(t_shared[5], L4_MyLocalId().raw);
	CHECK(rt_release(s));
	t_load(FP_LABEL, 0, 0, 0, 0);
	tag = L4_Lcall(ls);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(2));
	s2 = rt_thread_create(t_echo, 8);
	CHECK(!L4_IsNilThread(s2));
	CHECK_EQ(rt_utcb_of(s2), slot);
	CHECK(t_waiting(s2));
	CHECK_EQ(L4_LocalIdOf(s2).raw, ls.raw);
	if ((err = fp_calls(ls, 1)))
		return err;
	CHECK_EQ(t_shared[8], 2);
	CHECK_EQ(t_shared[9], L4_MyLocalId().raw);
	CHECK_EQ(t_shared[4], 2);
	return 0;
}

const struct test ipc_fast_peer_tests[] = {
	TEST(fp_peer_deleted),
	TEST(fp_local_peer_replaced),
	{ 0, 0 },
};
