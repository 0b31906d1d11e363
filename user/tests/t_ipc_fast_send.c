/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A Send alone (no receive phase) on the IPC fast path (kernel/
 * ipc_fast.c, send_alone()): to a partner that waits, of no higher
 * priority, the message goes over and the sender runs on, as the
 * general path has it (sched_switch_to()); to one of higher priority,
 * the general path's, the partner runs first.  The suite runs again with
 * ipcfast=off, where all but the count must hold the same.
 */
#include "tests.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define FS_LABEL	0x7c80

enum { FS_GOT = 10, FS_LABEL_SEEN, FS_FROM, FS_OVER, FS_ERROR, FS_RAN_FIRST };

/* Receives messages from anyone and records each: how many, the last
 * label and sender. */
static void fs_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	for (;;) {
		L4_MsgTag_t tag = L4_Wait(&from);

		t_shared[FS_LABEL_SEEN] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 1;
		t_shared[FS_FROM] = from.raw;
		t_shared[FS_GOT]++;
	}
}

#define FS_ROUNDS	8

/*
 * Sends to a thread one priority below us that waits: each succeeds
 * (tag 0), we run on before the receiver (its count is still the old
 * one just after; below us, not even a time slice's end lets it in),
 * and it gets the label from our local ID.  With the fast path on, the
 * Sends were counted on it.
 */
static const char *t_fs_runs_on(void)
{
	L4_ThreadId_t r;
	L4_Word_t before, after, on;
	L4_MsgTag_t tag;

	t_shared[FS_GOT] = t_shared[FS_LABEL_SEEN] = t_shared[FS_FROM] = 0;
	r = rt_thread_create(fs_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	CHECK(L4_Set_Priority(r, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	before = lent_kmem_control(0, LENT_KMEM_IPC_FAST, 0);
	on = rt_mr(1);
	for (L4_Word_t i = 0; i < FS_ROUNDS; i++) {
		CHECK(t_waiting(r));
		t_load(FS_LABEL + i, 0, 0, 0, 0);
		tag = L4_Send(r);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(tag.raw, 0);
		CHECK_EQ(t_shared[FS_GOT], i);           /* we ran on */
		t_until(&t_shared[FS_GOT], i + 1);
		CHECK_EQ(t_shared[FS_LABEL_SEEN], FS_LABEL + i);
		CHECK_EQ(t_shared[FS_FROM], L4_LocalIdOf(L4_Myself()).raw);
	}
	after = lent_kmem_control(0, LENT_KMEM_IPC_FAST, 0);
	if (on)
		CHECK(after - before >= 1);
	else
		CHECK_EQ(after, 0);
	CHECK(rt_release(r));
	return 0;
}

/* One priority below the receiver: its Send must let the receiver run
 * first (the general path's choice, which the fast path leaves it). */
static const char *fs_send_from_below(L4_ThreadId_t r)
{
	CHECK(L4_Set_Priority(L4_Myself(), RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	t_load(FS_LABEL + 1, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(r)));
	t_shared[FS_RAN_FIRST] = t_shared[FS_GOT];   /* 1: it ran first */
	return 0;
}

static void fs_sender(L4_Word_t r)
{
	t_shared[FS_ERROR] = (L4_Word_t)fs_send_from_below((L4_ThreadId_t){ .raw = r });
	t_shared[FS_OVER] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_fs_higher_runs_first(void)
{
	L4_ThreadId_t r, s;

	t_shared[FS_GOT] = t_shared[FS_LABEL_SEEN] = t_shared[FS_OVER] = 0;
	t_shared[FS_ERROR] = t_shared[FS_RAN_FIRST] = 0;
	r = rt_thread_create(fs_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	CHECK(t_waiting(r));
	s = rt_thread_create(fs_sender, r.raw);
	CHECK(!L4_IsNilThread(s));
	t_until(&t_shared[FS_OVER], 1);
	CHECK_EQ(t_shared[FS_ERROR], 0);
	CHECK_EQ(t_shared[FS_RAN_FIRST], 1);
	CHECK_EQ(t_shared[FS_LABEL_SEEN], FS_LABEL + 1);
	CHECK(rt_release(s));
	CHECK(rt_release(r));
	return 0;
}

const struct test ipc_fast_send_tests[] = {
	TEST(fs_runs_on),
	TEST(fs_higher_runs_first),
	{ 0, 0 },
};
