/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receive_chain load: CHAIN_THREADS threads of one task, thread i
 * blocked sending to thread i - 1 (and then to receive from anyone), the
 * first sending to the executor.  One receive by the executor completes
 * the first send, which starts the first thread's receive phase, which
 * takes the second thread's message, and so on down the whole chain, all
 * inside that one system call.  The links then send again, so the
 * executor pulls the chain CHAIN_PULLS times, CHAIN_GAP_US apart.
 */
#include "wakeup.h"

#define CHAIN_THREADS	240		/* rt numbers at most 256 threads */
#define CHAIN_AREA_LOG2	17		/* 256 UTCBs */
#define CHAIN_WAIT_US	5000000UL
#define CHAIN_PULLS	20
#define CHAIN_GAP_US	20000UL

static L4_ThreadId_t chain_first, chain_last;

/* Thread i: its message goes to thread i - 1 (prev), and it waits for
 * thread i + 1's. */
static void link_body(L4_Word_t prev)
{
	L4_ThreadId_t to = { .raw = prev }, from;

	for (;;) {
		L4_LoadMR(0, 0);
		(void)L4_Ipc(to, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
	}
}

/* The last link has nobody to wait for. */
static void last_body(L4_Word_t prev)
{
	L4_ThreadId_t to = { .raw = prev };

	for (;;) {
		L4_LoadMR(0, 0);
		(void)L4_Send(to);
	}
}

static void unwind_body(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	wk_wait_go();
	for (int k = 0; k < CHAIN_PULLS; k++) {
		if (k)
			rt_sleep_us(CHAIN_GAP_US);
		tag = L4_Ipc(L4_nilthread, chain_first, L4_Timeouts(L4_Never, L4_Never), &from);
		if (L4_IpcFailed(tag))
			wk_report_done(0x400 | L4_ErrorCode());
	}
	wk_report_done(0);
}

static L4_ThreadId_t start_link(L4_Word_t i, L4_ThreadId_t prev)
{
	rt_entry_t body = i + 1 < CHAIN_THREADS ? link_body : last_body;
	L4_ThreadId_t t;
	L4_Word_t ip, sp;

	if (i == 0)
		t = rt_task_prepare_area(body, prev.raw, rt_pager(), CHAIN_AREA_LOG2, &ip, &sp);
	else
		t = rt_task_thread_prepare(chain_first, RT_UTCB_AREA_BASE + i * RT_UTCB_SIZE,
					   body, prev.raw, rt_pager(), &ip, &sp);
	if (L4_IsNilThread(t) || !wk_lower(t) || !rt_pager_start_thread(t, ip, sp))
		return L4_nilthread;
	return t;
}

L4_ThreadId_t wk_prepare_receive_chain(void)
{
	L4_ThreadId_t exec = wk_local_executor(unwind_body, 0), prev = exec;
	L4_Word_t i, old, t0;

	if (L4_IsNilThread(exec))
		return exec;
	for (i = 0; i < CHAIN_THREADS; i++) {
		L4_ThreadId_t t = start_link(i, prev);

		if (L4_IsNilThread(t)) {
			printf("# receive_chain: thread %lu could not start (error %lu)\n", i,
			       rt_last_error());
			return t;
		}
		if (i == 0)
			chain_first = t;
		prev = chain_last = t;
	}
	/* Every link must be in its send before the chain is pulled. */
	t0 = rt_now_us();
	while (L4_Schedule(chain_last, ~0UL, ~0UL, ~0UL, ~0UL, &old) != L4_SCHEDRESULT_PENDING_SEND) {
		if (rt_now_us() - t0 > CHAIN_WAIT_US) {
			rt_set_last_error(L4_ErrTimeout);
			return L4_nilthread;
		}
		rt_sleep_us(1000);
	}
	return exec;
}
