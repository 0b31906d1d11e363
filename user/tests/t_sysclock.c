/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SystemClock served by the KIP stub (arch/ia32/kip_clock.c): on a CPU
 * with a TSC the stub reads the clock in user mode, with no kernel entry,
 * on the kernel's own time base; without one it is still the trapping
 * stub.  How "no kernel entry" is shown: the call is single-stepped
 * (EFLAGS.TF), so every instruction the thread executes is reported to
 * its exception handler before it runs, and none of those in the stub may
 * be one that enters the kernel (int n, int3, into, int1, sysenter,
 * syscall, lock-prefixed).  A trap taken by `int` would also hide the
 * instruction after it from the trace: the EIPs must step through the
 * stub in rising order straight back to the caller.
 */
#include "tests.h"
#include "t_sync.h"

#define EXC_LABEL	0xffb
#define TF		0x100UL
#define SC_MAX_STEPS	64

/* The stub the assembly below calls, and what it returned. */
L4_Word_t t_sc_stub;
L4_Word_t t_sc_out[2];

void t_sc_body(void);
extern const char t_sc_call[], t_sc_back[];

__asm__(
	"	.text\n"
	/* TF on, the call, TF off; EDX:EAX to t_sc_out. */
	"	.globl t_sc_body, t_sc_call, t_sc_back\n"
	"t_sc_body:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	movl	t_sc_stub, %ecx\n"
	"	pushfl\n"
	"	orl	$0x100, (%esp)\n"
	"	popfl\n"
	"	nop\n"
	"t_sc_call:	call	*%ecx\n"
	"t_sc_back:	pushfl\n"
	"	andl	$0xfffffeff, (%esp)\n"
	"	popfl\n"
	"	movl	%eax, t_sc_out\n"
	"	movl	%edx, t_sc_out + 4\n"
	"	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n");

static L4_Word_t *sc_kip(void)
{
	return rt_kip();
}

/* The KIP's internal frequency: 0 exactly when the CPU has no TSC. */
static L4_Word_t sc_khz(void)
{
	return L4_ProcDescInternalFreq(L4_ProcDesc(rt_kip(), 0));
}

/* Does the instruction at p enter the kernel? */
static int sc_enters_kernel(const unsigned char *p)
{
	if (p[0] == 0xCD || p[0] == 0xCC || p[0] == 0xCE || p[0] == 0xF1 || p[0] == 0xF0)
		return 1;
	return p[0] == 0x0F && (p[1] == 0x34 || p[1] == 0x05);
}

static void sc_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_sc_body();
	t_shared[1] = 1;
}

/* Single-step one SystemClock call; the EIPs reported, n of them. */
static const char *sc_trace(L4_Word_t *eips, L4_Word_t *n)
{
	L4_ThreadId_t t;
	L4_MsgTag_t tag;
	L4_Word_t w[12];
	int i;

	t_sc_stub = (L4_Word_t)sc_kip() + sc_kip()[0xF0 / 4];
	t = rt_thread_create(sc_thread, 0);
	CHECK(!L4_IsNilThread(t));
	*n = 0;
	for (;;) {
		tag = L4_Receive(t);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
		CHECK_EQ(L4_UntypedWords(tag), 12);
		for (i = 0; i < 12; i++)
			w[i] = rt_mr(i + 1);
		CHECK_EQ(w[2], 1);				/* #DB */
		CHECK(*n < SC_MAX_STEPS);
		eips[(*n)++] = w[0];
		t_load(0, 12, w, 0, 0);
		CHECK(L4_IpcSucceeded(L4_Send(t)));
		/* The last trap: after the popf that cleared TF. */
		if (!(w[1] & TF))
			break;
	}
	t_until(&t_shared[1], 1);
	return 0;
}

/*
 * With a TSC: the SystemClock field names a stub of its own, not the
 * trapping slot, and a single-stepped call runs through it without one
 * instruction that enters the kernel, and returns a clock value between
 * the readings before and after.  Without a TSC: the trapping stub
 * `int $0x31; ret`, as before.
 */
static const char *t_sysclock_stub_no_kernel_entry(void)
{
	L4_Word_t eips[SC_MAX_STEPS], n = 0, i, stub, inside = 0;
	const unsigned char *code;
	L4_Word64_t before = L4_SystemClock().raw, after, got;

	RUN(sc_trace(eips, &n));
	after = L4_SystemClock().raw;
	stub = t_sc_stub;
	code = (const unsigned char *)stub;
	CHECK(n >= 3);
	CHECK_EQ(eips[0], (L4_Word_t)t_sc_call);
	CHECK_EQ(eips[1], stub);
	got = ((L4_Word64_t)t_sc_out[1] << 32) | t_sc_out[0];
	CHECK(got >= before && got <= after);
	if (!sc_khz()) {
		printf("#   no TSC on this processor: the trapping stub\n");
		CHECK(code[0] == 0xCD && code[1] == 0x31 && code[2] == 0xC3);
		return 0;
	}
	/* Every instruction of the stub was seen before it ran: rising
	 * addresses inside the stub, then the return to the caller. */
	for (i = 1; i < n && eips[i] != (L4_Word_t)t_sc_back; i++) {
		CHECK(eips[i] >= stub && eips[i] < stub + 0x100);
		CHECK(i == 1 || eips[i] > eips[i - 1]);
		CHECK(!sc_enters_kernel((const unsigned char *)eips[i]));
		inside++;
	}
	CHECK(i < n);
	printf("#   %lu instructions in the stub at KIP offset 0x%lx, none entering the kernel\n",
	       inside, sc_kip()[0xF0 / 4]);
	CHECK(inside >= 2);
	return 0;
}

/* Monotonic over many readings, and finer than a millisecond: among the
 * first 20 changes of the value, one is a step of less than 1000 us. */
static const char *t_sysclock_monotonic_fine(void)
{
	L4_Word64_t prev = L4_SystemClock().raw, now, step, least = ~0ULL;
	int i, changes = 0;

	for (i = 0; i < 2000000 && changes < 20; i++) {
		now = L4_SystemClock().raw;
		CHECK(now >= prev);
		if (now != prev) {
			step = now - prev;
			if (step < least)
				least = step;
			changes++;
		}
		prev = now;
	}
	CHECK_EQ(changes, 20);
	printf("#   least step of the clock: %lu us\n", (L4_Word_t)least);
	CHECK(least < 1000);
	return 0;
}

/* An absolute time point for the clock value at (a multiple of 16 us,
 * within 16 ms of the clock now): e = 4, m = bits 4..13, c = bit 14. */
static L4_Time_t sc_point(L4_Word64_t at)
{
	L4_Time_t t;

	t.raw = (L4_Word16_t)(0x8000 | (4 << 11) | (((at >> 14) & 1) << 10) | ((at >> 4) & 0x3FF));
	return t;
}

/*
 * The stub's clock is the one the kernel's timeouts run on: a relative
 * timeout of N us advances it by at least N, and after a timeout at an
 * absolute point the clock reads at least that point.
 */
static const char *t_sysclock_agrees_with_timeouts(void)
{
	static const L4_Word_t periods[] = { 1000, 5000, 20000 };
	L4_Word64_t t0, t1, point;
	L4_MsgTag_t tag;
	unsigned i;

	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		L4_Time_t p = rt_us(periods[i]);

		CHECK_EQ(t_time_us(p), periods[i]);
		t0 = L4_SystemClock().raw;
		tag = L4_Receive_Timeout(L4_MyGlobalId(), p);
		t1 = L4_SystemClock().raw;
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(t_ipc_ec() & 0xF, EC_RECV(1));
		CHECK(t1 - t0 >= periods[i]);
	}
	for (i = 0; i < 5; i++) {
		t0 = L4_SystemClock().raw;
		point = (t0 + 3000 + 15) & ~15ULL;
		tag = L4_Receive_Timeout(L4_MyGlobalId(), sc_point(point));
		t1 = L4_SystemClock().raw;
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(t_ipc_ec() & 0xF, EC_RECV(1));
		CHECK(t1 >= point);
	}
	return 0;
}

/* Calls the old SystemClock slot at KIP offset 0x880 directly. */
static void old_slot_thread(L4_Word_t arg)
{
	L4_Word64_t v;

	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	__asm__ __volatile__("call *%1" : "=A"(v) : "r"((L4_Word_t)sc_kip() + 0x880)
			     : "ebx", "ecx", "esi", "edi", "memory");
	t_shared[2] = (L4_Word_t)v;
	t_shared[1] = 1;
}

/* With a TSC the slot at 0x880 (`int $0x31; ret`) is no system call any
 * more: its int is exception 13 (error 0x18a), as from outside the KIP.
 * Without a TSC it is SystemClock's stub and returns the clock. */
static const char *t_sysclock_old_slot_not_a_call(void)
{
	L4_ThreadId_t t = rt_thread_create(old_slot_thread, 0);
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	if (!sc_khz()) {
		CHECK_EQ(sc_kip()[0xF0 / 4], 0x880);
		t_until(&t_shared[1], 1);
		CHECK(t_shared[2] != 0);
		return 0;
	}
	CHECK_EQ(sc_kip()[0xF0 / 4], 0xA00);
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
	CHECK_EQ(rt_mr(3), 13);
	CHECK_EQ(rt_mr(4), 0x18a);
	CHECK_EQ(rt_mr(1), (L4_Word_t)sc_kip() + 0x882);
	CHECK_EQ(t_shared[1], 0);
	return 0;
}

const struct test sysclock_tests[] = {
	TEST(sysclock_stub_no_kernel_entry),
	TEST(sysclock_monotonic_fine),
	TEST(sysclock_agrees_with_timeouts),
	TEST(sysclock_old_slot_not_a_call),
	{ 0 },
};
