/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task of the kernel-debugger session (tools/kdb_session.py,
 * booted with kdb=on).  It sets up threads the debugger should show, then
 * enters the debugger in each way a program can, printing a line after
 * each that the session waits for:
 *   1. L4_KDB_Enter with a worker blocked receiving from us, an inactive
 *      thread (no pager, no UTCB) and a thread waiting to hit int3;
 *   2. that thread's int3: it has no exception handler;
 *   3. keys: what it reads with the console calls while the session
 *      types, with an ESC break-in among them, must come in order with
 *      nothing lost;
 *   4. with a thread left half-made (its new task's record asked of a
 *      kpager that never answers; lent build only), L4_KDB_Enter once
 *      more; then it sleeps, and the session breaks in with ESC from
 *      the idle loop and ends it with the debugger's shutdown.
 */
#include <stdio.h>
#include <l4/types.h>
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/kdebug.h>
#include <lent/kmem.h>
#include "../rt/rt.h"

#define LABEL_GO 0x60

extern char _start_image[], _end[];

static volatile L4_Word_t kpf_seen, breakpoint_passed, breaker_prints;
static L4_ThreadId_t main_id, unhoused_id;

/* Blocked in a receive from the main thread for good: the thread list
 * shows it "recv" with the main thread as partner. */
static void receiver(L4_Word_t arg)
{
	(void)arg;
	for (;;)
		(void)L4_Receive(main_id);
}

/* Hits a plain int3 (no console call after it) once told to.  Says it
 * passed only once its line is out: the kernel prints a string a
 * character at a time with a preemption point after each, so main's
 * next line, printed as soon as it sees the flag, would otherwise cut
 * into this one ("kdbkdbtask: after the breakpoint"). */
static void breaker(L4_Word_t arg)
{
	(void)arg;
	(void)L4_Receive(main_id);
	__asm__ volatile("int3\n\tnop");
	rt_flaky_every(&breaker_prints, 1, 1);  /* -DRT_FLAKY_DELAY: a slow print */
	printf("kdbtask: after the breakpoint\n");
	breakpoint_passed = 1;
	for (;;)
		(void)L4_Receive(main_id);
}

/* A kpager that takes the kernel page fault and never answers it. */
static void silent_kpager(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	(void)L4_Wait(&from);
	kpf_seen = 1;
	for (;;)
		(void)L4_Receive(main_id);
}

/* Makes the first thread of a new task, whose record the silent kpager
 * never lends: that thread stays without space and body. */
static void task_maker(L4_Word_t arg)
{
	(void)arg;
	(void)L4_Receive(main_id);
	(void)L4_ThreadControl(unhoused_id, unhoused_id, main_id, L4_nilthread, (void *)~0UL);
	kpf_seen = 1;      /* the pool build lends nothing: it is made at once */
	for (;;)
		(void)L4_Receive(main_id);
}

/* Every page of the image present before the kpager goes silent: a page
 * fault of ours may need a page of mapping nodes from it. */
static void touch_image(void)
{
	for (volatile char *p = _start_image; p < _end; p += RT_PAGE_SIZE)
		(void)*p;
}

static void go(L4_ThreadId_t t)
{
	L4_LoadMR(0, (L4_Word_t)LABEL_GO << 16);
	(void)L4_Send(t);
}

static void keys(void)
{
	char got[16];
	unsigned n = 0;

	printf("kdbtask: type keys, '.' ends\n");
	for (;;) {
		char c = L4_KDB_ReadChar_Blocked();
		if (c == '.' || n == sizeof(got) - 1)
			break;
		got[n++] = c;
	}
	got[n] = '\0';
	printf("kdbtask: keys [%s]\n", got);
}

int main(void)
{
	L4_ThreadId_t inactive;

	rt_init();
	main_id = L4_Myself();
	L4_ThreadId_t rcv = rt_thread_create(receiver, 0);
	L4_ThreadId_t brk = rt_thread_create(breaker, 0);
	inactive = rt_tid_alloc();
	(void)L4_ThreadControl(inactive, inactive, main_id, L4_nilthread, (void *)~0UL);
	printf("kdbtask: main %lx receiver %lx breaker %lx inactive %lx\n", main_id.raw,
	       rcv.raw, brk.raw, inactive.raw);

	L4_KDB_Enter("kdbtask: first");
	printf("kdbtask: continued\n");

	go(brk);
	while (!breakpoint_passed)
		L4_Yield();

	keys();

	/* Everything this thread needs of our kernel memory is made before
	 * our kpager goes silent. */
	L4_ThreadId_t kp = rt_thread_create(silent_kpager, 0);
	L4_ThreadId_t maker = rt_thread_create(task_maker, 0);
	unhoused_id = rt_tid_alloc();
	touch_image();
	if (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) != 0 &&
	    lent_kmem_control(0, LENT_KMEM_SET_KPAGER, kp.raw) == 1)
		printf("kdbtask: unhoused %lx\n", unhoused_id.raw);
	go(maker);
	while (!kpf_seen)
		L4_Yield();
	L4_KDB_Enter("kdbtask: last");
	printf("kdbtask: still running after the last entry\n");
	for (;;)
		L4_Sleep(L4_Never);
}
