/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path's pair (kernel/ipc_fast.c, deliver(); docs/
 * ipc-fast-path.md, "The pair"): the answer to the last fast IPC's
 * caller, by the ID it was named by, is delivered with no checks, for
 * what the checks would ask was asked when the pair formed.  Each test
 * holds a case where the pair must not form, and what goes wrong if it
 * does.  The suite runs again with ipcfast=off, where the same holds.
 */
#include "tests.h"
#include <l4/arch.h>

void t_io_outb(L4_Word_t port, L4_Word_t value);
L4_Word_t t_io_inb(L4_Word_t port);

#define COM1_SCRATCH	(0x3f8 + 7)
#define IOFAULT_LABEL	0xff86		/* -8 << 4, r and w */
#define FP_ROUNDS	20
#define FP_DONE_LABEL	0x7c60

enum { FP_SERVER = 10, FP_GOT, FP_READ, FP_CALLING, FP_OVER, FP_ERROR, FP_FIRST, FP_PEER };

/* Calls the server (a task without ports) FP_ROUNDS times, each answer
 * followed by a read of COM1's scratch register, which only its own
 * space may use; then tells its pager it is done.  An I/O fault after
 * the first (answered with the port) is a window left showing the
 * server's bitmap. */
static void fp_port_user(L4_Word_t arg)
{
	L4_ThreadId_t s = { .raw = t_shared[FP_SERVER] };
	L4_MsgTag_t tag = { .raw = 0 };

	(void)arg;
	t_shared[FP_READ] = t_io_inb(COM1_SCRATCH);
	for (int i = 0; i < FP_ROUNDS; i++) {
		L4_LoadMR(0, 0);
		if (L4_IpcFailed(L4_Call(s)))
			break;
		t_shared[FP_READ] = t_io_inb(COM1_SCRATCH);
	}
	L4_Set_MsgTag(L4_MsgTagAddLabel(tag, FP_DONE_LABEL));
	L4_Call(L4_Pager());
	for (;;)
		L4_Sleep(L4_Never);
}

/*
 * A space with a port and one without, calling each other by the fast
 * path: their bitmaps differ, so each switch must show the I/O bitmap
 * of the space it enters, and the two never become a pair
 * (arch_switch_plain()).  With the bitmaps left out of that check, the
 * answers by the pair left the window on the server's (no ports), and
 * the caller's next read of its own port faulted.
 */
static const char *t_pair_io_bitmaps_differ(void)
{
	L4_ThreadId_t s = rt_task_create(t_echo, 4, rt_pager()), c;
	L4_MsgTag_t tag;
	L4_Msg_t msg;

	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	t_io_outb(COM1_SCRATCH, 0x6b);
	t_shared[4] = 0;
	t_shared[FP_SERVER] = s.raw;
	c = rt_task_create(fp_port_user, 0, L4_Myself());
	CHECK(!L4_IsNilThread(c));
	tag = rt_serve(c, T_WAIT_US, 0);        /* its first read */
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == IOFAULT_LABEL);
	L4_MsgClear(&msg);
	L4_MsgAppendMapItem(&msg, L4_MapItem((L4_Fpage_t){ .raw = L4_IoFpageLog2(COM1_SCRATCH, 0).raw |
								      L4_FullyAccessible }, 0));
	L4_MsgLoad(&msg);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(c, rt_us(T_WAIT_US))));
	tag = rt_serve(c, T_WAIT_US, 0);        /* done, or an I/O fault */
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FP_DONE_LABEL);
	CHECK_EQ(t_shared[4], FP_ROUNDS);
	CHECK_EQ(t_shared[FP_READ], 0x6b);
	CHECK(rt_release(c));
	CHECK(rt_release(s));
	return 0;
}

/* Waits for anything; its first message is from the other task's
 * waiter: then it calls that waiter at once (no kernel entry between,
 * so that a pair, if formed, is still there). */
static void fp_caller(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	t_shared[FP_CALLING] = 0;     /* (its page faulted in before) */
	tag = L4_Wait(&from);
	if (L4_IpcFailed(tag))
		return;
	t_shared[FP_CALLING] = 1;
	L4_LoadMR(0, 0);
	(void)L4_Call(from);
	t_shared[FP_CALLING] = 2;
	for (;;)
		L4_Sleep(L4_Never);
}

/* Waits for the coordinator's go (a new thread's first IPC is the general
 * path's: caller_fit() asks for the continuation a wake-up leaves), then
 * sends to the caller, of another task, and waits for any thread of its
 * own space; records that it got a message. */
static void fp_local_waiter(L4_Word_t caller)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	if (L4_IpcFailed(L4_Wait(&from)))
		return;
	L4_LoadMR(0, 0);
	tag = L4_Ipc((L4_ThreadId_t){ .raw = caller }, L4_anylocalthread,
		     L4_Timeouts(L4_Never, L4_Never), &from);
	t_shared[FP_GOT] = L4_IpcSucceeded(tag) ? 1 : 3;
	for (;;)
		L4_Sleep(L4_Never);
}

/* One priority below the two tasks, so that it goes on only once both
 * wait: a's go, then what came of it. */
static const char *fp_go_and_look(L4_ThreadId_t a)
{
	CHECK(L4_Set_Priority(L4_Myself(), RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(a)));
	/* Here both wait: a for its own space, b's Call for a. */
	CHECK_EQ(t_shared[FP_CALLING], 1);
	CHECK_EQ(t_shared[FP_GOT], 0);
	return 0;
}

static void fp_coordinator(L4_Word_t a)
{
	t_shared[FP_ERROR] = (L4_Word_t)fp_go_and_look((L4_ThreadId_t){ .raw = a });
	t_shared[FP_OVER] = 1;
}

/*
 * A receive phase from any thread of one's own space, after a send to a
 * thread of another: that thread's answer (a Call right away) is not
 * for it, so the two are no pair; the Call waits in its send phase.
 * Both are tasks of their own (no I/O bitmap, as a pair needs).  With
 * the pair formed regardless of the anylocal case, the waiter took the
 * other task's message (t_shared[FP_GOT] 1).
 */
static const char *t_pair_anylocal_other_space(void)
{
	L4_ThreadId_t b, a, c;

	t_shared[FP_GOT] = t_shared[FP_CALLING] = t_shared[FP_OVER] = t_shared[FP_ERROR] = 0;
	b = rt_task_create(fp_caller, 0, rt_pager());
	CHECK(!L4_IsNilThread(b));
	a = rt_task_create(fp_local_waiter, b.raw, rt_pager());
	CHECK(!L4_IsNilThread(a));
	c = rt_thread_create(fp_coordinator, a.raw);
	CHECK(!L4_IsNilThread(c));
	CHECK(t_wait_for(&t_shared[FP_OVER], 1, T_WAIT_US));
	CHECK(rt_release(c));
	CHECK(rt_release(b));
	CHECK(rt_release(a));
	return (const char *)t_shared[FP_ERROR];
}

/* Takes a Call, waits for main's go (main_id's), then answers it and echoes
 * whatever comes next (by ReplyWait, the fast path's shape). */
static void fp_slow_answer(L4_Word_t main_id)
{
	L4_ThreadId_t from, caller;
	L4_MsgTag_t tag;

	if (L4_IpcFailed(L4_Wait(&caller)))
		return;
	if (L4_IpcFailed(L4_Receive((L4_ThreadId_t){ .raw = main_id })))
		return;
	L4_LoadMR(0, 0);
	tag = L4_ReplyWait(caller, &from);
	for (;;) {
		L4_LoadMR(0, 0);
		tag = L4_IpcSucceeded(tag) ? L4_ReplyWait(from, &from) : L4_Wait(&from);
	}
}

/* Calls the answerer, then answers it back and waits for anyone: whose
 * message comes first goes to t_shared[FP_FIRST]. */
static void fp_busy_server(L4_Word_t arg)
{
	L4_ThreadId_t y = { .raw = t_shared[FP_PEER] }, from;
	L4_MsgTag_t tag;

	(void)arg;
	L4_LoadMR(0, 0);
	if (L4_IpcFailed(L4_Call(y)))
		return;
	L4_LoadMR(0, 0);
	tag = L4_ReplyWait(y, &from);
	t_shared[FP_FIRST] = L4_IpcSucceeded(tag) ? from.raw : 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static void fp_queued_sender(L4_Word_t s)
{
	L4_LoadMR(0, 0);
	(void)L4_Send((L4_ThreadId_t){ .raw = s });
	for (;;)
		L4_Sleep(L4_Never);
}

/*
 * A thread answered by the fast path while a sender waits for it (it
 * was in a Call, not taking that sender): it did not pass caller_fit()
 * (no sender queued) when it last called, so the two are no pair.  Its
 * next ReplyWait must take the waiting sender at once, as the general
 * path does.  With the pair formed without that (the answered thread
 * not the last fast IPC's caller), its ReplyWait went by the pair, and
 * the answerer's echo came first.
 */
static const char *t_pair_partner_with_sender(void)
{
	L4_ThreadId_t y, s, x;

	t_shared[FP_FIRST] = 0;
	y = rt_thread_create(fp_slow_answer, L4_Myself().raw);
	CHECK(!L4_IsNilThread(y));
	CHECK(t_waiting(y));
	t_shared[FP_PEER] = y.raw;
	s = rt_thread_create(fp_busy_server, 0);
	CHECK(!L4_IsNilThread(s));
	CHECK(t_ipc_blocked(y, __L4_EXREGS_ABORT_RECV));   /* waits for the go */
	CHECK(t_ipc_blocked(s, __L4_EXREGS_ABORT_RECV));   /* its Call's answer */
	x = rt_thread_create(fp_queued_sender, s.raw);
	CHECK(!L4_IsNilThread(x));
	CHECK(t_ipc_blocked(x, __L4_EXREGS_ABORT_SEND));
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(y)));
	while (!t_shared[FP_FIRST])      /* (a hang is the harness's to name) */
		rt_sleep_us(1000);
	CHECK_EQ(t_shared[FP_FIRST], L4_LocalIdOf(x).raw);
	CHECK(rt_release(x));
	CHECK(rt_release(s));
	CHECK(rt_release(y));
	return 0;
}

const struct test ipc_fast_pair_tests[] = {
	TEST(pair_io_bitmaps_differ),
	TEST(pair_anylocal_other_space),
	TEST(pair_partner_with_sender),
	{ 0, 0 },
};
