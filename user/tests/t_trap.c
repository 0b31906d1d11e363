/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Traps with unusual state (arch/ia32/entry.asm, trap.c, syscall.c,
 * fpu.c): single-stepping (EFLAGS.TF) across a system call, EFLAGS bits
 * user code may set (AC, NT, ID) kept across kernel entries, the bits an
 * exception handler's reply may not set, x87 exceptions (#MF) that
 * belong to one thread only, SSE (enabled where CPUID has it), and the kernel-debugger
 * console's blocking read entered by the two-byte `int $3`.
 */
#include "tests.h"
#include "t_sync.h"

#define TF		0x100UL
#define IF		0x200UL
#define IOPL		0x3000UL
#define NT		0x4000UL
#define AC		0x40000UL
#define ID		0x200000UL

/* A system-call stub in the KIP, for the assembly below. */
L4_Word_t t_tr_stub;
L4_Word_t t_tr_out[2];

void t_ss_body(void);
L4_Word_t t_fl_body(void);
L4_Word_t t_fl_ud(void);
void t_mf_body(void);
extern const char t_ss_2[], t_ss_3[], t_ss_4[], t_ss_5[], t_ss_6[], t_ss_7[];
extern const char t_fl_ud_at[], t_fl_ud_resume[], t_mf_at[], t_mf_resume[];

__asm__(
	"	.text\n"
	/* Single-step a ThreadSwitch(nil) call (SystemClock no longer
	 * enters the kernel where there is a TSC: t_sysclock.c): TF on, a
	 * nop, the call, a nop, TF off.  EDX:EAX go to t_tr_out. */
	"	.globl t_ss_body, t_ss_2, t_ss_3, t_ss_4, t_ss_5, t_ss_6, t_ss_7\n"
	"t_ss_body:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	movl	t_tr_stub, %ecx\n"
	"	xorl	%eax, %eax\n"
	"	pushfl\n"
	"	orl	$0x100, (%esp)\n"
	"	popfl\n"
	"	nop\n"
	"t_ss_2:	call	*%ecx\n"
	"t_ss_3:	nop\n"
	"t_ss_4:	pushfl\n"
	"t_ss_5:	andl	$0xfffffeff, (%esp)\n"
	"t_ss_6:	popfl\n"
	"t_ss_7:	movl	%eax, t_tr_out\n"
	"	movl	%edx, t_tr_out + 4\n"
	"	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n"
	/* AC, NT and ID on, a SystemClock call, an empty Ipc (nil, nil),
	 * about 20 ms of spinning (timer interrupts), then EFLAGS as seen
	 * (returned) and the three bits off again. */
	"	.globl t_fl_body\n"
	"t_fl_body:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	pushfl\n"
	"	orl	$0x244000, (%esp)\n"
	"	popfl\n"
	"	xorl	%eax, %eax\n"		/* to: nil */
	"	xorl	%edx, %edx\n"		/* from: nil */
	"	xorl	%ecx, %ecx\n"
	"	xorl	%esi, %esi\n"		/* MR0: empty tag */
	"	movl	%gs:0, %edi\n"
	"	call	__L4_Ipc\n"
	"	movl	t_tr_stub, %ecx\n"
	"	call	*%ecx\n"
	"	movl	%eax, %ebx\n"		/* clock start */
	"1:	movl	t_tr_stub, %ecx\n"
	"	call	*%ecx\n"
	"	subl	%ebx, %eax\n"
	"	cmpl	$20000, %eax\n"
	"	jb	1b\n"
	"	pushfl\n"
	"	popl	%eax\n"
	"	pushfl\n"
	"	andl	$0xffdbbfff, (%esp)\n"
	"	popfl\n"
	"	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n"
	/* ud2, resumed by the handler at t_fl_ud_resume: EFLAGS then. */
	"	.globl t_fl_ud, t_fl_ud_at, t_fl_ud_resume\n"
	"t_fl_ud:\n"
	"t_fl_ud_at:\n"
	"	ud2\n"
	"t_fl_ud_resume:\n"
	"	pushfl\n"
	"	popl	%eax\n"
	"	ret\n"
	/* An x87 divide by zero with the exception unmasked: pending until
	 * the next waiting instruction.  Meanwhile the thread yields
	 * (t_mf_yield) so that another thread uses the FPU. */
	"	.globl t_mf_body, t_mf_at, t_mf_resume\n"
	"t_mf_body:\n"
	"	subl	$4, %esp\n"
	"	fninit\n"
	"	fnstcw	(%esp)\n"
	"	andw	$0xfffb, (%esp)\n"	/* unmask ZM */
	"	fldcw	(%esp)\n"
	"	fld1\n"
	"	fldz\n"
	"	fdivrp	%st, %st(1)\n"		/* 1/0: pending #MF */
	"	call	t_mf_yield\n"
	"t_mf_at:\n"
	"	fwait\n"
	"t_mf_resume:\n"
	"	fnclex\n"
	"	fninit\n"
	"	addl	$4, %esp\n"
	"	ret\n"
	/* An SSE instruction: #UD unless the kernel set CR4.OSFXSR. */
	"	.globl t_sse_ud, t_sse_at, t_sse_resume\n"
	"t_sse_ud:\n"
	"	xorl	%eax, %eax\n"
	"t_sse_at:\n"
	"	xorps	%xmm0, %xmm0\n"
	"t_sse_resume:\n"
	"	ret\n"
	/* The blocking console read entered through the two-byte form of
	 * the breakpoint instruction, `int $3` (CD 03).  ECX is such that
	 * the bytes from the 03 on, if executed, read t_kd_var. */
	"	.globl t_kd_cd03\n"
	"t_kd_cd03:\n"
	"	pushl	%edi\n"
	"	movl	$(t_kd_var - 0x90909090), %ecx\n"
	"	.byte	0xcd, 0x03\n"
	"	cmpb	$0x0d, %al\n"
	"	nop\n"
	"	nop\n"
	"	nop\n"
	"	nop\n"
	"	popl	%edi\n"
	"	ret\n");

L4_Word_t t_kd_var;
void t_kd_cd03(void);
L4_Word_t t_sse_ud(void);
extern const char t_sse_at[], t_sse_resume[];

static void tr_set_stub(void)
{
	L4_Word_t *kip = rt_kip();

	t_tr_stub = (L4_Word_t)kip + kip[0xF0 / 4];
}

/* The ThreadSwitch stub (a system call that always traps). */
static void tr_set_switch_stub(void)
{
	L4_Word_t *kip = rt_kip();

	t_tr_stub = (L4_Word_t)kip + kip[0xF4 / 4];
}

static const char *tr_reply(L4_ThreadId_t t, const L4_Word_t *w)
{
	t_load(0, 12, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	return 0;
}

static void ss_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_ss_body();
	t_shared[1] = 1;
}

/*
 * Single-stepping through a system call: a #DB (vector 1) after every
 * user instruction, the one after the stub's `int $0x31` reported at the
 * stub's `ret` or at the caller's next instruction (the int itself takes
 * no trap), none from inside the kernel; ThreadSwitch leaves EAX alone.
 */
static const char *t_trap_single_step_across_syscall(void)
{
	L4_Word_t w[12], eips[16], n = 0, i, stub, last = 0;
	L4_ThreadId_t t;

	tr_set_switch_stub();
	stub = t_tr_stub;
	t = rt_thread_create(ss_thread, 0);
	CHECK(!L4_IsNilThread(t));
	/* TF is set in every frame but the last: the trap after the popf
	 * that cleared it.  That frame ends the steps, not a receive that
	 * runs out (a slow host made the next step look like none). */
	while (!last) {
		CHECK(n < 16);
		RUN(t_exception(t, RT_NEVER_US, w));
		CHECK_EQ(w[2], 1);			/* #DB */
		last = !(w[1] & TF);
		CHECK(w[0] == (L4_Word_t)t_ss_7 || !last);
		eips[n++] = w[0];
		RUN(tr_reply(t, w));
	}
	/* No trap after the last: the thread ends its body, or a further
	 * exception message of it would wait for us. */
	while (!t_shared[1]) {
		L4_Word_t old;

		CHECK(L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old) != L4_SCHEDRESULT_PENDING_SEND);
		rt_sleep_us(1000);
	}
	i = 0;
	CHECK(n >= 7);
	CHECK_EQ(eips[i++], (L4_Word_t)t_ss_2);
	CHECK_EQ(eips[i++], stub);
	if (eips[i] == stub + 2)
		i++;
	CHECK_EQ(eips[i++], (L4_Word_t)t_ss_3);
	CHECK_EQ(eips[i++], (L4_Word_t)t_ss_4);
	CHECK_EQ(eips[i++], (L4_Word_t)t_ss_5);
	CHECK_EQ(eips[i++], (L4_Word_t)t_ss_6);
	CHECK_EQ(eips[i++], (L4_Word_t)t_ss_7);
	CHECK_EQ(n, i);
	CHECK_EQ(t_tr_out[0], 0);
	return 0;
}

static void fl_thread(L4_Word_t arg)
{
	(void)arg;
	t_shared[2] = t_fl_body();
	t_shared[1] = 1;
}

/* AC, NT and ID (where CPUID exists) set by user code survive a system
 * call, an Ipc and timer interrupts; the kernel's own iret is not
 * disturbed by NT. */
static const char *t_trap_user_flags_kept(void)
{
	L4_ThreadId_t t;
	L4_Word_t f;

	tr_set_stub();
	t = rt_thread_create(fl_thread, 0);
	CHECK(!L4_IsNilThread(t));
	t_until(&t_shared[1], 1);
	f = t_shared[2];
	CHECK(f & AC);
	CHECK(f & NT);
	CHECK(f & ID);
	CHECK(f & IF);
	CHECK_EQ(f & IOPL, 0);
	return 0;
}

static void fl_ud_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_shared[2] = t_fl_ud();
	t_shared[1] = 1;
}

/* An exception handler's reply sets only the arithmetic flags, TF and
 * DF: not IOPL, NT, AC, ID, VM or IF. */
static const char *t_trap_exception_reply_flags_masked(void)
{
	L4_ThreadId_t t = rt_thread_create(fl_ud_thread, 0);
	L4_Word_t w[12], f;

	CHECK(!L4_IsNilThread(t));
	RUN(t_exception(t, RT_NEVER_US, w));
	CHECK_EQ(w[0], (L4_Word_t)t_fl_ud_at);
	CHECK_EQ(w[2], 6);
	w[0] = (L4_Word_t)t_fl_ud_resume;
	w[1] = ~TF;				/* everything but TF */
	RUN(tr_reply(t, w));
	t_until(&t_shared[1], 1);
	f = t_shared[2];
	CHECK_EQ(f & (IOPL | NT | AC | ID | TF), 0);
	CHECK(f & IF);
	CHECK_EQ(f & 0xcd5, 0xcd5);		/* CF PF AF ZF SF DF OF as sent */
	return 0;
}

/* t_shared: [1] A done, [2] B's fwaits done, [3] B done. */
void t_mf_yield(void)
{
	t_shared[4] = 1;
	while (!t_shared[3])
		L4_ThreadSwitch(L4_nilthread);
}

static void mf_a(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_mf_body();
	t_shared[1] = 1;
}

/* B: the FPU after A left an exception pending in its own state. */
static void mf_b(L4_Word_t arg)
{
	int v = 7, out = 0;

	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	while (!t_shared[4])
		L4_ThreadSwitch(L4_nilthread);
	__asm__ __volatile__("fninit\n\tfildl %1\n\tfwait\n\tfistpl %0\n\tfwait"
			     : "=m"(out) : "m"(v));
	t_shared[2] = (L4_Word_t)out;
	t_shared[3] = 1;
}

/*
 * An x87 exception pending in thread A's FPU state is A's alone: thread B,
 * using the FPU meanwhile, gets no #MF; A gets #MF (vector 16) at its next
 * waiting instruction, after the FPU came back to it.
 */
static const char *t_trap_fpu_exception_stays_with_thread(void)
{
	L4_ThreadId_t a = rt_thread_create(mf_a, 0), b = rt_thread_create(mf_b, 0);
	L4_Word_t w[12];

	CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
	RUN(t_exception(a, RT_NEVER_US, w));
	CHECK_EQ(w[2], 16);
	CHECK_EQ(w[0], (L4_Word_t)t_mf_at);
	CHECK(t_shared[3]);
	CHECK_EQ(t_shared[2], 7);
	w[0] = (L4_Word_t)t_mf_resume;
	RUN(tr_reply(a, w));
	t_until(&t_shared[1], 1);
	return 0;
}

static void mf_pending_only(L4_Word_t arg)
{
	(void)arg;
	__asm__ __volatile__("subl $4, %%esp\n\tfninit\n\tfnstcw (%%esp)\n\t"
			     "andw $0xfffb, (%%esp)\n\tfldcw (%%esp)\n\taddl $4, %%esp\n\t"
			     "fld1\n\tfldz\n\tfdivrp %%st, %%st(1)" ::: "memory");
	t_shared[4] = 1;
	for (;;)
		L4_ThreadSwitch(L4_nilthread);
}

/* The FPU's owner dies with an exception pending: the next thread to use
 * the FPU starts clean. */
static const char *t_trap_fpu_owner_deleted_pending(void)
{
	L4_ThreadId_t a = rt_thread_create(mf_pending_only, 0), b;

	CHECK(!L4_IsNilThread(a));
	t_until(&t_shared[4], 1);
	CHECK(rt_release(a));
	t_shared[4] = 1;
	t_shared[3] = 0;
	b = rt_thread_create(mf_b, 0);
	CHECK(!L4_IsNilThread(b));
	t_until(&t_shared[3], 1);
	CHECK_EQ(t_shared[2], 7);
	return 0;
}

static void sse_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_shared[2] = t_sse_ud();
	t_shared[1] = 1;
}

static int tr_has_sse(void)
{
	L4_Word_t a = 1, b, c, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return ((d >> 24) & 3) == 3;		/* FXSR and SSE */
}

/* SSE is enabled exactly where CPUID reports FXSR and SSE: there an SSE
 * instruction runs (no exception message; EAX as the code left it),
 * elsewhere it is an invalid opcode (6) at that instruction. */
static const char *t_trap_sse_enabled_only_with_cpuid(void)
{
	L4_ThreadId_t t = rt_thread_create(sse_thread, 0);
	L4_Word_t w[12];

	CHECK(!L4_IsNilThread(t));
	if (tr_has_sse()) {
		t_until(&t_shared[1], 1);
		CHECK_EQ(t_shared[2], 0);
		CHECK(L4_IpcFailed(L4_Receive_Timeout(t, L4_ZeroTime)));
		return 0;
	}
	printf("#   no SSE on this processor: #UD\n");
	RUN(t_exception(t, RT_NEVER_US, w));
	CHECK_EQ(w[2], 6);
	CHECK_EQ(w[0], (L4_Word_t)t_sse_at);
	w[0] = (L4_Word_t)t_sse_resume;
	w[11] = 0x55e;
	RUN(tr_reply(t, w));
	t_until(&t_shared[1], 1);
	CHECK_EQ(t_shared[2], 0x55e);
	return 0;
}

static void kd_reader(L4_Word_t arg)
{
	(void)arg;
	t_kd_cd03();
	t_shared[1] = 1;
}

/*
 * The blocking console read (int3; cmpb $0x0d, %al) waits for a key, here
 * for ever: the serial line stays silent.  The kernel, to wait, backs the
 * thread up onto its breakpoint instruction; entered by `int $3`, the
 * two-byte form, the thread must still wait there, not resume inside
 * the instruction.
 */
static const char *t_trap_kdb_blocking_read_int_imm(void)
{
	L4_ThreadId_t t = rt_thread_create(kd_reader, 0);

	CHECK(!L4_IsNilThread(t));
	rt_sleep_us(100000);
	CHECK_EQ(t_shared[1], 0);
	return 0;
}

const struct test trap_tests[] = {
	TEST(trap_single_step_across_syscall),
	TEST(trap_user_flags_kept),
	TEST(trap_exception_reply_flags_masked),
	TEST(trap_fpu_exception_stays_with_thread),
	TEST(trap_fpu_owner_deleted_pending),
	TEST(trap_sse_enabled_only_with_cpuid),
	TEST(trap_kdb_blocking_read_int_imm),
	{ 0 },
};
