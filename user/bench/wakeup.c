/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Wake-up lateness under load.  A sleeper thread at the root's priority
 * sleeps WK_SLEEP_US again and again (a receive timeout) while a thread
 * of lower priority keeps the kernel busy with one long operation.  For
 * each sleep the sleeper reads the time stamp counter just before the
 * system call and just after it returns; its deadline is the first
 * reading plus the sleep converted with the KIP's processor frequency,
 * so the figure is (wake - deadline) on one clock.  The kernel computes
 * its own deadline a little after the first reading, so the figure is,
 * if anything, too high by the cost of entering the kernel.
 *
 * The load's executor is a thread at WK_LOAD_PRIO that waits for "go"
 * from main, runs its one operation and reports "done"; main waits for
 * that report, so nothing but the sleeper can run ahead of the load.
 */
#include "wakeup.h"

#define WK_SLEEP_US	200UL
#define WK_IDLE_US	20000UL

static struct {
	volatile L4_Word_t stop, done;
	volatile L4_Word_t wakes, early;
	volatile L4_Word64_t max_late;
	L4_Word64_t sleep_tsc;
} wk;

static L4_Word_t cpu_khz(void)
{
	return L4_ProcDescInternalFreq(L4_ProcDesc(rt_kip(), 0));
}

static void sleeper(L4_Word_t arg)
{
	L4_Word64_t max = 0, t0, slept;
	L4_Word_t wakes = 0, early = 0;

	(void)arg;
	while (!wk.stop) {
		t0 = bench_rdtsc();
		(void)L4_Receive_Timeout(L4_MyGlobalId(), L4_TimePeriod(WK_SLEEP_US));
		slept = bench_rdtsc() - t0;
		wakes++;
		if (slept < wk.sleep_tsc)
			early++;
		else if (slept - wk.sleep_tsc > max)
			max = slept - wk.sleep_tsc;
	}
	wk.max_late = max;
	wk.wakes = wakes;
	wk.early = early;
	wk.done = 1;
}

void wk_wait_go(void)
{
	L4_MsgTag_t tag;

	do
		tag = L4_Receive(rt_main_thread());
	while (L4_IpcFailed(tag) || L4_Label(tag) != WK_LABEL_GO);
}

void wk_report_done(L4_Word_t status)
{
	rt_msg(WK_LABEL_DONE, 1, &status);
	(void)L4_Send(rt_main_thread());
	for (;;)
		L4_Sleep(L4_Never);
}

int wk_lower(L4_ThreadId_t t)
{
	if (L4_Set_Priority(t, WK_LOAD_PRIO) == 0) {
		rt_set_last_error(L4_ErrorCode());
		return 0;
	}
	return 1;
}

/* A thread of the root's space at the load's priority, waiting for "go". */
L4_ThreadId_t wk_local_executor(rt_entry_t body, L4_Word_t arg)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(arg, &sp);

	if (L4_IsNilThread(t))
		return t;
	if (!wk_lower(t))
		return L4_nilthread;
	L4_Start_SpIp(t, sp, (L4_Word_t)body);
	return t;
}

/* Send "go" to exec and wait for its "done"; status in *status. */
static int run_executor(L4_ThreadId_t exec, L4_Word_t *status)
{
	L4_MsgTag_t tag;

	rt_msg(WK_LABEL_GO, 0, 0);
	tag = L4_Send_Timeout(exec, L4_TimePeriod(5000000));
	if (L4_IpcFailed(tag)) {
		rt_set_last_error(L4_ErrorCode());
		return 0;
	}
	tag = L4_Receive(exec);
	if (L4_IpcFailed(tag) || L4_Label(tag) != WK_LABEL_DONE) {
		rt_set_last_error(L4_IpcFailed(tag) ? L4_ErrorCode() : tag.raw);
		return 0;
	}
	*status = rt_mr(1);
	return 1;
}

static const struct wk_load {
	const char *name;
	L4_ThreadId_t (*prepare)(void);  /* 0: idle */
} loads[WK_LOADS] = {
	{ "idle", 0 },
	{ "string_ipc", wk_prepare_string_ipc },
	{ "unmap", wk_prepare_unmap },
	{ "revoke", wk_prepare_revoke },
	{ "delete_task", wk_prepare_delete_task },
	{ "receive_chain", wk_prepare_receive_chain },
};

const char *bench_wakeup_name(int load)
{
	return loads[load].name;
}

int bench_wakeup(int load, L4_Word_t *result)
{
	L4_ThreadId_t exec = L4_nilthread, s;
	L4_Word_t status = 0, khz = cpu_khz();
	int ok = 1;

	if (!khz) {
		printf("# wakeup: no processor frequency in the KIP (no TSC)\n");
		rt_set_last_error(0);
		return 0;
	}
	wk.stop = wk.done = 0;
	wk.sleep_tsc = bench_div((L4_Word64_t)WK_SLEEP_US * khz, 1000);
	if (loads[load].prepare) {
		exec = loads[load].prepare();
		if (L4_IsNilThread(exec))
			return 0;
	}
	s = rt_thread_create(sleeper, 0);
	if (L4_IsNilThread(s))
		return 0;
	if (L4_IsNilThread(exec))
		rt_sleep_us(WK_IDLE_US);
	else
		ok = run_executor(exec, &status);
	wk.stop = 1;
	while (!wk.done)
		rt_sleep_us(1000);
	if (!ok)
		return 0;
	if (status) {
		printf("# wakeup %s: the load failed (%lx)\n", loads[load].name, status);
		rt_set_last_error(status);
		return 0;
	}
	printf("# wakeup %s: %lu sleeps of %lu us, %lu woke early\n", loads[load].name,
	       wk.wakes, WK_SLEEP_US, wk.early);
	*result = wk.max_late > 0xFFFFFFFFULL ? ~0UL : (L4_Word_t)wk.max_late;
	return 1;
}
