/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SSE state (arch/ia32/fpu.c): where CPUID reports FXSR and SSE, each
 * thread has its own XMM registers and MXCSR, switched lazily with the
 * x87 state; a thread's first use finds a clean state, not its
 * predecessor's; an unmasked SIMD floating-point exception is #XM (19)
 * at the faulting instruction.  Where CPUID does not (QEMU -cpu pentium),
 * each test asserts instead that SSE instructions are invalid opcodes (6)
 * and that the x87 FPU still works.  This file is built without -msse:
 * the SSE instructions are in asm statements, which only run after the
 * CPUID check; t_sse2.c holds code the compiler built with -msse2.
 */
#include "tests.h"
#include "t_sse.h"
#include "t_sync.h"

#define EXC_LABEL	0xffb
#define SSE_ROUNDS	300
#define MXCSR_INIT	0x1F80UL
#define MXCSR_RC_DOWN	0x2000UL
#define MXCSR_RC_UP	0x4000UL
#define MXCSR_ZM	0x200UL
#define MXCSR_ZE	0x4UL
#define ONE_HALF_PLUS_2	0x40200000UL	/* 2.5f */


static L4_Word_t sse_cpuid_edx(void)
{
	L4_Word_t a = 1, b, c, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return d;
}

int t_sse_present(void)
{
	return ((sse_cpuid_edx() >> 24) & 3) == 3;		/* FXSR and SSE */
}

int t_sse2_present(void)
{
	return t_sse_present() && ((sse_cpuid_edx() >> 26) & 1);
}

/* ---- without SSE: #UD, and the x87 FPU as usual ---- */

L4_Word_t t_sse_ud_probe(void);
extern const char t_sse_ud_probe_at[];
__asm__(
	"	.text\n"
	"	.globl t_sse_ud_probe, t_sse_ud_probe_at\n"
	"t_sse_ud_probe:\n"
	"t_sse_ud_probe_at:\n"
	"	stmxcsr	-4(%esp)\n"
	"	movl	-4(%esp), %eax\n"
	"	ret\n");

static void ud_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_shared[12] = t_sse_ud_probe();
	t_shared[13] = 1;
}

/* 7 * 6 on the x87 FPU, in a fresh thread. */
static void x87_thread(L4_Word_t arg)
{
	int a = 7, b = 6, out = 0;

	(void)arg;
	__asm__ __volatile__("fninit\n\tfildl %1\n\tfimull %2\n\tfistpl %0\n\tfwait"
			     : "=m"(out) : "m"(a), "m"(b));
	t_shared[14] = (L4_Word_t)out;
	t_shared[15] = 1;
}

/* The x87 FPU works in a fresh thread. */
const char *t_sse_x87_check(void)
{
	L4_ThreadId_t x = rt_thread_create(x87_thread, 0);

	CHECK(!L4_IsNilThread(x));
	t_until(&t_shared[15], 1);
	CHECK_EQ(t_shared[14], 42);
	return 0;
}

const char *t_sse_absent_check(void)
{
	L4_ThreadId_t t = rt_thread_create(ud_thread, 0);
	L4_MsgTag_t tag;

	printf("#   no SSE on this processor: SSE is #UD, x87 works\n");
	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
	CHECK_EQ(rt_mr(3), 6);
	CHECK_EQ(rt_mr(1), (L4_Word_t)t_sse_ud_probe_at);
	CHECK_EQ(t_shared[13], 0);
	return t_sse_x87_check();
}

/* ---- two threads, each with its own XMM registers and MXCSR ---- */

static L4_Word_t cvt_2_5(void)
{
	L4_Word_t f = ONE_HALF_PLUS_2, r;

	__asm__ __volatile__("cvtss2si %1, %0" : "=r"(r) : "m"(f));
	return r;
}

static L4_Word_t get_mxcsr(void)
{
	L4_Word_t m;

	__asm__ __volatile__("stmxcsr %0" : "=m"(m));
	return m;
}

/* xmm0 .. xmm7 hold v[0..3] .. v[28..31]; MXCSR rounds down (worker 0)
 * or up (worker 1), so 2.5 converts to 2 or 3. */
static void sse_worker(L4_Word_t k)
{
	L4_Word_t v[32], out[32], x3[4], mxcsr = MXCSR_INIT | (k ? MXCSR_RC_UP : MXCSR_RC_DOWN);
	L4_Word_t bad = 0, other0, want = k ? 3 : 2;
	int i, n;

	for (i = 0; i < 32; i++)
		v[i] = (k + 1) * 0x01010101UL ^ ((L4_Word_t)i * 0x9E3779B1UL);
	__asm__ __volatile__("movups 0(%0), %%xmm0\n\tmovups 16(%0), %%xmm1\n\t"
			     "movups 32(%0), %%xmm2\n\tmovups 48(%0), %%xmm3\n\t"
			     "movups 64(%0), %%xmm4\n\tmovups 80(%0), %%xmm5\n\t"
			     "movups 96(%0), %%xmm6\n\tmovups 112(%0), %%xmm7\n\t"
			     "ldmxcsr %1"
			     : : "r"(v), "m"(mxcsr) : "memory");
	t_fpu_meet(k);
	other0 = t_shared[F_TURNS + (k ^ 1)];
	for (n = 0; n < SSE_ROUNDS; n++) {
		L4_ThreadSwitch(L4_nilthread);
		__asm__ __volatile__("movups %%xmm3, %0" : "=m"(x3));
		for (i = 0; i < 4; i++)
			if (x3[i] != v[12 + i])
				bad++;
		/* (the conversion sets the precision flag, bit 5) */
		if ((get_mxcsr() & ~0x3FUL) != mxcsr || cvt_2_5() != want)
			bad++;
		t_shared[F_TURNS + k]++;
	}
	__asm__ __volatile__("movups %%xmm0, 0(%0)\n\tmovups %%xmm1, 16(%0)\n\t"
			     "movups %%xmm2, 32(%0)\n\tmovups %%xmm3, 48(%0)\n\t"
			     "movups %%xmm4, 64(%0)\n\tmovups %%xmm5, 80(%0)\n\t"
			     "movups %%xmm6, 96(%0)\n\tmovups %%xmm7, 112(%0)"
			     : : "r"(out) : "memory");
	for (i = 0; i < 32; i++)
		if (out[i] != v[i])
			bad++;
	t_fpu_worker_done(k, other0, bad);
}

/* Two threads of one space keep their XMM registers and MXCSR (rounding
 * mode in effect, not just stored) across 300 switches each. */
static const char *t_sse_state_private(void)
{
	if (!t_sse_present())
		return t_sse_absent_check();
	return t_fpu_two_workers(sse_worker, 0);
}

/* The same with the two threads in two tasks. */
static const char *t_sse_state_private_tasks(void)
{
	if (!t_sse_present())
		return t_sse_absent_check();
	return t_fpu_two_workers(sse_worker, 1);
}

/* ---- a fresh thread's first FPU use finds a clean state ---- */

/* Leaves junk in every register it can reach and keeps the FPU. */
static void junk_thread(L4_Word_t arg)
{
	L4_Word_t junk[32], cw = 0x0C7F, mx = MXCSR_INIT | MXCSR_RC_UP | 0x3F;
	int i;

	(void)arg;
	for (i = 0; i < 32; i++)
		junk[i] = 0xDEAD0000UL | (L4_Word_t)i;
	__asm__ __volatile__("fninit\n\tfldcw %1\n\tfildl 0(%0)\n\tfildl 4(%0)" : : "r"(junk), "m"(cw)
			     : "memory");
	if (t_sse_present())
		__asm__ __volatile__("movups 0(%0), %%xmm0\n\tmovups 16(%0), %%xmm1\n\t"
				     "movups 32(%0), %%xmm2\n\tmovups 48(%0), %%xmm3\n\t"
				     "movups 64(%0), %%xmm4\n\tmovups 80(%0), %%xmm5\n\t"
				     "movups 96(%0), %%xmm6\n\tmovups 112(%0), %%xmm7\n\t"
				     "ldmxcsr %1"
				     : : "r"(junk), "m"(mx) : "memory");
	t_shared[1] = 1;
	while (!t_shared[3])
		L4_ThreadSwitch(L4_nilthread);
}

/* Reads, as its very first FPU instructions, the control word and the
 * tag word, then mm0 (where there is MMX), the XMM registers and MXCSR. */
static L4_Word_t fresh_xmm[32], fresh_mm0[2];
static void fresh_thread(L4_Word_t arg)
{
	L4_Word_t env[7] = { 0 }, cw = 0;

	(void)arg;
	while (!t_shared[1])
		L4_ThreadSwitch(L4_nilthread);
	__asm__ __volatile__("fnstcw %0\n\tfnstenv %1" : "=m"(cw), "=m"(env));
	t_shared[4] = cw & 0xFFFF;
	t_shared[5] = env[2] & 0xFFFF;			/* tag word */
	if ((sse_cpuid_edx() >> 23) & 1)
		__asm__ __volatile__("movq %%mm0, %0\n\temms" : "=m"(fresh_mm0));
	if (t_sse_present()) {
		__asm__ __volatile__("movups %%xmm0, 0(%0)\n\tmovups %%xmm1, 16(%0)\n\t"
				     "movups %%xmm2, 32(%0)\n\tmovups %%xmm3, 48(%0)\n\t"
				     "movups %%xmm4, 64(%0)\n\tmovups %%xmm5, 80(%0)\n\t"
				     "movups %%xmm6, 96(%0)\n\tmovups %%xmm7, 112(%0)"
				     : : "r"(fresh_xmm) : "memory");
		t_shared[6] = get_mxcsr();
	}
	t_shared[3] = 1;
}

/*
 * Thread A fills the x87, MMX and XMM registers and MXCSR with its own
 * values and keeps the FPU; thread B's first FPU instructions then see
 * the state after FNINIT (control word 0x037F, all registers empty), mm0
 * zero, XMM registers zero and MXCSR 0x1F80: nothing of A's.
 */
static const char *t_sse_fresh_state_clean(void)
{
	L4_ThreadId_t a = rt_thread_create(junk_thread, 0), b;
	int i;

	CHECK(!L4_IsNilThread(a));
	t_until(&t_shared[1], 1);
	for (i = 0; i < 32; i++)
		fresh_xmm[i] = 0x55555555;
	fresh_mm0[0] = fresh_mm0[1] = 0x55555555;
	if (!((sse_cpuid_edx() >> 23) & 1))
		fresh_mm0[0] = fresh_mm0[1] = 0;
	b = rt_thread_create(fresh_thread, 0);
	CHECK(!L4_IsNilThread(b));
	t_until(&t_shared[3], 1);
	CHECK_EQ(t_shared[4], 0x037F);
	CHECK_EQ(t_shared[5], 0xFFFF);
	CHECK_EQ(fresh_mm0[0], 0);
	CHECK_EQ(fresh_mm0[1], 0);
	if (!t_sse_present())
		return t_sse_absent_check();
	for (i = 0; i < 32; i++)
		CHECK_EQ(fresh_xmm[i], 0);
	CHECK_EQ(t_shared[6], MXCSR_INIT);
	return 0;
}

/* ---- #XM ---- */

L4_Word_t t_xm_body(void);
extern const char t_xm_at[], t_xm_resume[];
__asm__(
	"	.text\n"
	/* 1.0 / 0.0 with division by zero unmasked; MXCSR as it was
	 * afterwards in EAX. */
	"	.globl t_xm_body, t_xm_at, t_xm_resume\n"
	"t_xm_body:\n"
	"	subl	$4, %esp\n"
	"	movl	$0x1d80, (%esp)\n"		/* MXCSR_INIT without ZM */
	"	ldmxcsr	(%esp)\n"
	"	movl	$0x3f800000, (%esp)\n"		/* 1.0f */
	"	movss	(%esp), %xmm0\n"
	"	xorps	%xmm1, %xmm1\n"
	"t_xm_at:\n"
	"	divss	%xmm1, %xmm0\n"
	"t_xm_resume:\n"
	"	stmxcsr	(%esp)\n"
	"	movl	(%esp), %eax\n"
	"	movl	$0x1f80, (%esp)\n"
	"	ldmxcsr	(%esp)\n"
	"	addl	$4, %esp\n"
	"	ret\n");

#define XM_DONE_LABEL	0x77

/* Runs the divide, then tells main it is done (by IPC, so that main
 * waits for whichever comes first: the exception or this). */
static void xm_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_shared[2] = t_xm_body();
	t_shared[1] = 1;
	rt_msg(XM_DONE_LABEL, 0, 0);
	(void)L4_Send(rt_main_thread());
}

/*
 * An unmasked SIMD floating-point exception reaches the exception
 * handler as vector 19 at the faulting divss (CR4.OSXMMEXCPT: not #UD),
 * with the ZE flag set in MXCSR; the handler resumes the thread after it.
 * QEMU's TCG (7.2) does not raise SIMD exceptions at all: the divide then
 * just sets ZE, and the test can check only that (and that nothing else,
 * such as #UD, came instead).
 */
static const char *t_sse_simd_exception_xm(void)
{
	L4_ThreadId_t t;
	L4_MsgTag_t tag;
	L4_Word_t w[12];
	int i;

	if (!t_sse_present())
		return t_sse_absent_check();
	t = rt_thread_create(xm_thread, 0);
	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	if (L4_Label(tag) == XM_DONE_LABEL) {
		printf("#   this processor raised no #XM (QEMU TCG does not model SIMD exceptions)\n");
		CHECK(t_shared[2] & MXCSR_ZE);
		CHECK_EQ(t_shared[2] & MXCSR_ZM, 0);
		return 0;
	}
	CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 12);
	for (i = 0; i < 12; i++)
		w[i] = rt_mr(i + 1);
	CHECK_EQ(w[2], 19);
	CHECK_EQ(w[0], (L4_Word_t)t_xm_at);
	w[0] = (L4_Word_t)t_xm_resume;
	t_load(0, 12, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), XM_DONE_LABEL);
	CHECK(t_shared[2] & MXCSR_ZE);
	CHECK_EQ(t_shared[2] & MXCSR_ZM, 0);
	return 0;
}

#define SSE2_DONE_LABEL	0x78

/* The -msse2 worker alone, then a message to main that it finished. */
static void sse2_alone(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_shared[F_READY + 1] = 1;		/* no partner to wait for */
	t_sse2_worker(0);
	rt_msg(SSE2_DONE_LABEL, 0, 0);
	(void)L4_Send(rt_main_thread());
}

/*
 * Two threads run code built with -msse2 (t_sse2.c) at once and both get
 * exact sums.  Without SSE2 that code is not for this CPU: without SSE
 * at all (CR4.OSFXSR clear) it stops at its first SSE instruction with
 * exception 6; with SSE but not SSE2 a real CPU raises 6 as well, while
 * QEMU (7.2) runs SSE2 instructions whenever SSE is on, and then the
 * sums must still be exact.  Either way the x87 FPU works.
 */
static const char *t_sse_sse2_program_runs(void)
{
	L4_ThreadId_t t;
	L4_MsgTag_t tag;

	if (t_sse2_present())
		return t_fpu_two_workers(t_sse2_worker, 0);
	t = rt_thread_create(sse2_alone, 0);
	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	if (L4_Label(tag) == SSE2_DONE_LABEL) {
		printf("#   no SSE2 in CPUID, yet SSE2 code ran (an emulator): exact sums, x87 works\n");
		CHECK(t_sse_present());
		CHECK_EQ(t_shared[F_DONE], 1);
		CHECK_EQ(t_shared[F_BAD], 0);
		return t_sse_x87_check();
	}
	printf("#   no SSE2 on this processor: -msse2 code is #UD, x87 works\n");
	CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
	CHECK_EQ(rt_mr(3), 6);
	CHECK_EQ(t_shared[F_DONE], 0);
	return t_sse_x87_check();
}

const struct test sse_tests[] = {
	TEST(sse_state_private),
	TEST(sse_state_private_tasks),
	TEST(sse_fresh_state_clean),
	TEST(sse_simd_exception_xm),
	TEST(sse_sse2_program_runs),
	{ 0 },
};
