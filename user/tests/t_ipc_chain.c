/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A chain of senders: thread i sends to thread i - 1 (thread 0 is main)
 * and then waits for anyone, each send queued while its receiver is
 * itself blocked sending.  One receive by main must let the whole chain
 * unwind (every thread's send completes, then its receive phase takes
 * the send queued on it), however long the chain.  The threads share one
 * task with room for 256 UTCBs (rt has 256 thread numbers, so 250 is
 * about as long as a chain can get); t_shared[20] counts the threads done,
 * [21] those whose message was right, [22] names the first that was not.
 *
 * From 64 MB of RAM up the kernel memory holds all 250.  Below that (the
 * brief's floor is 8 MB, whose 1 MB of kernel memory holds about 140 of
 * them; at 16 MB the pool, an eighth of the RAM left after the boot
 * modules, may end a few threads short, depending on the size of this
 * very program) the chain is as long as the kernel allows: the thread
 * that no longer fits must be refused cleanly (ThreadControl fails with
 * error 8 and leaves no thread behind), and the chain made so far must
 * still unwind and give its memory back.
 */
#include "tests.h"
#include "t_sync.h"

#define CHAIN_N		250
#define CHAIN_MIN	64		/* shorter is no long chain */
#define CHAIN_FULL_RAM	0x4000000UL	/* from 64 MB up: all CHAIN_N */
#define CHAIN_LABEL	0xc4a1
#define CHAIN_DONE	20
#define CHAIN_OK	21
#define CHAIN_BAD	22

static L4_ThreadId_t chain_ids[CHAIN_N + 1];
static volatile L4_Word_t chain_ready[CHAIN_N + 1];
static L4_Word_t chain_n;	/* this run's length: CHAIN_N, or what fits */

static void count(volatile L4_Word_t *w)
{
	__asm__ __volatile__("lock; incl %0" : "+m"(*w) : : "memory");
}

static void chain_link(L4_Word_t i)
{
	L4_ThreadId_t from = L4_nilthread, want;
	L4_MsgTag_t tag;
	L4_Word_t w = i;

	t_load(CHAIN_LABEL, 1, &w, 0, 0);
	chain_ready[i] = 1;
	if (i == 2)
		t_flaky_delay(4);       /* a slow start of its send */
	tag = L4_Ipc(chain_ids[i - 1], L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
	want = i < chain_n ? chain_ids[i + 1] : rt_main_thread();
	if (L4_IpcSucceeded(tag) && L4_Label(tag) == CHAIN_LABEL &&
	    L4_UntypedWords(tag) == 1 && rt_mr(1) == i + 1 &&
	    L4_GlobalIdOf(from).raw == want.raw)   /* local from the chain's own space */
		count(&t_shared[CHAIN_OK]);
	else if (!t_shared[CHAIN_BAD])
		t_shared[CHAIN_BAD] = i;
	count(&t_shared[CHAIN_DONE]);
}

static L4_Word_t sched_state(L4_ThreadId_t t)
{
	L4_Word_t old;

	return L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old);
}

/* Thread i has reached its send and is blocked in it: the flag, then
 * the state, for as long as it takes (t_sync.h; a thread that never
 * gets there is a hang the harness names).  0 if it is gone. */
static int chain_blocked(L4_Word_t i)
{
	t_until(&chain_ready[i], 1);
	return t_until_state(chain_ids[i], L4_SCHEDRESULT_PENDING_SEND);
}

/* How much RAM the machine has: where the physical memory descriptors
 * end, of any type (the kernel's own memory is reserved, not
 * conventional), leaving out the firmware's top 256 MB below 4 GB. */
#define CHAIN_FIRMWARE	0xF0000000UL

static L4_Word_t ram_top(void)
{
	void *kip = rt_kip();
	L4_Word_t i, top = 0;

	for (i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
		L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);

		if (!L4_IsMemoryDescVirtual(d) && L4_MemoryDescLow(d) < CHAIN_FIRMWARE &&
		    L4_MemoryDescHigh(d) + 1 > top)
			top = L4_MemoryDescHigh(d) + 1;
	}
	return top;
}

/* Thread i of the chain did not fit: was that the kernel's clean
 * refusal, and where is it allowed?  Asks ThreadControl directly, since
 * rt's error 8 could also mean rt had no stack left. */
static const char *chain_refused(L4_Word_t i)
{
	L4_ThreadId_t t = rt_tid_alloc();
	int refused;

	printf("#   thread %lu of the chain: error %lu, RAM %lu KB\n", i, rt_last_error(),
	       ram_top() / 1024);
	CHECK(ram_top() < CHAIN_FULL_RAM);
	CHECK(i - 1 >= CHAIN_MIN);
	CHECK(!L4_IsNilThread(t));
	refused = L4_ThreadControl(t, chain_ids[1], L4_Myself(), rt_pager(),
				   (void *)(RT_UTCB_AREA_BASE + (i - 1) * RT_UTCB_SIZE)) == 0 &&
		  L4_ErrorCode() == L4_ErrNoMem;
	CHECK(sched_state(t) == L4_SCHEDRESULT_ERROR);	/* no thread made */
	(void)rt_release(t);
	CHECK(refused);
	return 0;
}

static const char *t_ipc_long_sender_chain(void)
{
	L4_ThreadId_t t, from = L4_nilthread;
	L4_Word_t i, ip, sp, w;
	L4_MsgTag_t tag;

	chain_ids[0] = L4_Myself();
	chain_n = CHAIN_N;
	for (i = 1; i <= CHAIN_N; i++) {
		chain_ready[i] = 0;
		if (i == 1)
			t = rt_task_prepare_area(chain_link, i, rt_pager(), 17, &ip, &sp);
		else
			t = rt_task_thread_prepare(chain_ids[1],
						   RT_UTCB_AREA_BASE + (i - 1) * RT_UTCB_SIZE,
						   chain_link, i, rt_pager(), &ip, &sp);
		if (L4_IsNilThread(t) && i > 1 && rt_last_error() == L4_ErrNoMem) {
			RUN(chain_refused(i));
			chain_n = i - 1;
			break;
		}
		if (L4_IsNilThread(t))
			printf("#   thread %lu of the chain: error %lu\n", i, rt_last_error());
		CHECK(!L4_IsNilThread(t));
		chain_ids[i] = t;
		CHECK(rt_pager_start_thread(t, ip, sp));
		CHECK(chain_blocked(i));
	}
	w = chain_n + 1;
	rt_sleep_us(10000);
	for (i = 1; i <= chain_n; i++)
		CHECK_EQ(sched_state(chain_ids[i]), L4_SCHEDRESULT_PENDING_SEND);
	CHECK_EQ(t_shared[CHAIN_DONE], 0);
	/* The first receive: the whole chain unwinds. */
	tag = L4_Ipc(L4_nilthread, chain_ids[1], L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, chain_ids[1].raw);
	CHECK_EQ(L4_Label(tag), CHAIN_LABEL);
	CHECK_EQ(rt_mr(1), 1);
	t_until(&t_shared[CHAIN_DONE], chain_n - 1);
	/* The last one waits for anyone (its receive phase may still be on
	 * the kernel's work list as the others finish): main ends it. */
	CHECK(t_until_waiting(chain_ids[chain_n]));
	t_load(CHAIN_LABEL, 1, &w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(chain_ids[chain_n])));
	t_until(&t_shared[CHAIN_DONE], chain_n);
	CHECK_EQ(t_shared[CHAIN_BAD], 0);
	CHECK_EQ(t_shared[CHAIN_OK], chain_n);
	/* Clean up: the threads, then (with the last) their space go. */
	for (i = chain_n; i >= 1; i--)
		CHECK(rt_release(chain_ids[i]));
	CHECK_EQ(sched_state(chain_ids[1]), L4_SCHEDRESULT_ERROR);
	if (chain_n < CHAIN_N) {
		/* The memory came back: a new task fits again. */
		t = rt_task_prepare(chain_link, CHAIN_N, rt_pager(), &ip, &sp);
		CHECK(!L4_IsNilThread(t));
		CHECK(rt_release(t));
	}
	return 0;
}

const struct test ipc_chain_tests[] = {
	TEST(ipc_long_sender_chain),
	{ 0 },
};
