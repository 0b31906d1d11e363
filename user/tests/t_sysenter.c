/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sysenter entry of Ipc and Lipc (arch/ia32/sysenter.c, entry.asm,
 * docs/abi.md §1): a sysenter from anywhere, with garbage in ESP, ECX and
 * EDX, treated as the stub's call with EBX and EBP as return address and
 * stack; the segments an Ipc by sysenter comes back with; the stubs
 * entering by sysenter exactly where SEP is usable, and the library's
 * switch to int $0x30.  What the kernel does to a frame entered by
 * sysenter is t_sysenter_frame.c's.  Where the kernel does not use
 * sysenter (no SEP, -cpu pentium) a sysenter is an exception and the
 * stub is the int one: each test checks that instead.
 */
#include "t_sysenter.h"

#define VEC_UD		6
#define VEC_GP		13
#define VEC_PF		14

L4_Word_t t_se_in[8], t_se_out[8];
L4_Word_t t_se_stub;
void t_se_segs(void);

__asm__(
	"	.text\n"
	"	.globl t_se_raw, t_se_at, t_se_back\n"
	"t_se_raw:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	movl	%esp, t_se_out + 28\n"	/* the stack to come back on */
	"	movl	t_se_in + 0, %eax\n"
	"	movl	t_se_in + 4, %ecx\n"
	"	movl	t_se_in + 8, %edx\n"
	"	movl	t_se_in + 12, %esi\n"
	"	movl	t_se_in + 16, %edi\n"
	"	movl	t_se_in + 20, %ebx\n"
	"	movl	t_se_in + 24, %ebp\n"
	"	movl	t_se_in + 28, %esp\n"
	"t_se_at:\n"
	"	sysenter\n"
	"	ud2\n"
	"t_se_back:\n"
	"	movl	%eax, t_se_out + 0\n"
	"	movl	%ecx, t_se_out + 4\n"
	"	movl	%edx, t_se_out + 8\n"
	"	movl	%esi, t_se_out + 12\n"
	"	movl	%edi, t_se_out + 16\n"
	"	movl	%ebx, t_se_out + 20\n"
	"	movl	%ebp, t_se_out + 24\n"
	"	xchgl	%esp, t_se_out + 28\n"	/* the ESP it came back with */
	"	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n"
	/* An empty Ipc (nil, nil) through the stub at t_se_stub with DS, ES
	 * and FS the user code selector (readable, flat); DS, ES and FS
	 * after it in t_se_out[0..2]. */
	"	.globl t_se_segs\n"
	"t_se_segs:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	movl	$0x1B, %eax\n"
	"	movl	%eax, %ds\n"
	"	movl	%eax, %es\n"
	"	movl	%eax, %fs\n"
	"	xorl	%eax, %eax\n"
	"	xorl	%ecx, %ecx\n"
	"	xorl	%edx, %edx\n"
	"	xorl	%esi, %esi\n"
	"	movl	%gs:0, %edi\n"
	"	call	*t_se_stub\n"
	"	movl	%ds, %eax\n"
	"	movl	%es, %ecx\n"
	"	movl	%fs, %edx\n"
	"	pushl	%ss\n"
	"	popl	%ds\n"
	"	pushl	%ss\n"
	"	popl	%es\n"
	"	pushl	%ss\n"
	"	popl	%fs\n"
	"	movl	%eax, t_se_out + 0\n"
	"	movl	%ecx, t_se_out + 4\n"
	"	movl	%edx, t_se_out + 8\n"
	"	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n");

/* A sysenter the kernel does not take: #UD on a CPU without it, #GP(0)
 * where SYSENTER_CS is 0 (QEMU's -cpu pentium runs the instruction; a
 * kernel booted with sysenter=off leaves the MSR 0). */
static const char *se_refused(const L4_Word_t *w)
{
	CHECK(w[2] == VEC_UD || (w[2] == VEC_GP && w[3] == 0));
	return 0;
}

static void raw_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_se_raw();
	t_shared[1] = 1;
}

/*
 * A sysenter outside the stub, ESP, ECX and EDX garbage, EBX a kernel
 * address: an Ipc to nobody (nil, nil) that returns there, with EBP as
 * its stack, and faults at once: exception 14 at that EIP, that ESP.
 * The kernel took nothing from ESP, ECX or EDX.  Without SEP: #UD at the
 * sysenter, ESP as it was.
 */
static const char *t_sysenter_hostile_kernel_return(void)
{
	static const L4_Word_t in[8] = { 0, 0xFFFFFFFF, 0, 0, 0, 0xC0001000, 0xFFFFFFF0, 0x13 };
	L4_Word_t w[12];
	L4_ThreadId_t t;
	int i;

	for (i = 0; i < 8; i++)
		t_se_in[i] = in[i];
	t = rt_thread_create(raw_thread, 0);
	CHECK(!L4_IsNilThread(t));
	RUN(t_exception(t, RT_NEVER_US, w));
	if (rt_ipc_kip_sysenter()) {
		CHECK_EQ(w[2], VEC_PF);
		CHECK_EQ(w[0], 0xC0001000);
		CHECK_EQ(w[7], 0xFFFFFFF0);
		CHECK(w[1] & 0x200);                /* IF */
		CHECK_EQ(w[1] & 0x3000, 0);          /* IOPL */
	} else {
		RUN(se_refused(w));
		CHECK_EQ(w[0], (L4_Word_t)t_se_at);
		CHECK_EQ(w[7], 0x13);
	}
	return 0;
}

/*
 * A sysenter outside the stub with a garbage ESP and "to" a thread that
 * does not exist: it comes back to EBX on the stack in EBP, with the
 * Ipc's result (error flag in the tag, ErrorCode 2, nonexistent partner,
 * send phase), as the int path gives for the same call, and with EDI
 * kept.  Without SEP, #UD.
 */
static const char *t_sysenter_hostile_anywhere_returns(void)
{
	static L4_Word_t stack[64];
	L4_Word_t w[12], tag_int, err_int;
	L4_ThreadId_t t;

	/* The same call by int $0x30 first, for the result to match. */
	rt_ipc_entry_int(1);
	L4_LoadMR(0, 0);
	tag_int = L4_Send_Timeout((L4_ThreadId_t){ .raw = 0xDEAD0001 }, L4_ZeroTime).raw;
	err_int = L4_ErrorCode();
	rt_ipc_entry_int(0);
	CHECK(tag_int & 0x8000);

	t_se_in[0] = 0xDEAD0001;                       /* to: nobody */
	t_se_in[1] = 0;                                /* timeouts: never, never */
	t_se_in[2] = 0;                                /* from: nil */
	t_se_in[3] = 0;                                /* MR0: empty tag */
	t_se_in[4] = 0x5EED1234;                       /* EDI */
	t_se_in[5] = (L4_Word_t)t_se_back;
	t_se_in[6] = (L4_Word_t)&stack[48];
	t_se_in[7] = 0x7;                              /* ESP: garbage */
	t = rt_thread_create(raw_thread, 0);
	CHECK(!L4_IsNilThread(t));
	if (!rt_ipc_kip_sysenter()) {
		RUN(t_exception(t, RT_NEVER_US, w));
		RUN(se_refused(w));
		return 0;
	}
	t_until(&t_shared[1], 1);
	CHECK_EQ(t_se_out[3], tag_int);                /* ESI: the tag */
	CHECK_EQ(t_se_out[4], 0x5EED1234);             /* EDI kept */
	CHECK_EQ(t_se_out[28 / 4], (L4_Word_t)&stack[48]);
	CHECK_EQ(t_se_out[2], (L4_Word_t)t_se_back);   /* EDX: where it went */
	CHECK_EQ(t_se_out[1], (L4_Word_t)&stack[48]);  /* ECX: its stack */
	(void)err_int;
	return 0;
}

/*
 * The IPC groups run a second time with the library's Ipc and Lipc by
 * int $0x30 (user/tests/main.c): these two switch the entry, and check
 * that an Ipc by the new entry works and that it is the one asked for.
 */
extern L4_Word_t __L4_SyscallEntry[];

static const char *entry_switch(int use_int)
{
	L4_Word_t *kip = rt_kip();
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	rt_ipc_entry_int(use_int);
	CHECK_EQ(__L4_SyscallEntry[4] == (L4_Word_t)kip + kip[0xE0 / 4], !use_int);
	CHECK_EQ(__L4_SyscallEntry[5] == (L4_Word_t)kip + kip[0xE4 / 4], !use_int);
	L4_LoadMR(0, 0);
	tag = L4_Ipc(L4_nilthread, L4_nilthread, 0, &from);
	CHECK(L4_IpcSucceeded(tag));
	return 0;
}

static const char *t_ipc_entry_int_on(void)
{
	return entry_switch(1);
}

static const char *t_ipc_entry_int_off(void)
{
	return entry_switch(0);
}

/*
 * The KIP's Ipc and Lipc stubs enter by sysenter exactly where CPUID
 * reports a usable SEP (Intel's rule: not on family 6 with model and
 * stepping below 3), by int $0x30 elsewhere: the suite's kernels boot
 * without sysenter=off, so sysenter is what they must choose.
 */
static const char *t_sysenter_default_where_sep(void)
{
	L4_Word_t a = 1, b, c, d, family, model, stepping;
	L4_Word_t *kip = rt_kip();
	const unsigned char *lipc = (const unsigned char *)kip + kip[0xE4 / 4];
	int usable;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	family = (a >> 8) & 0xF, model = (a >> 4) & 0xF, stepping = a & 0xF;
	usable = ((d >> 11) & 1) && !(family == 6 && model < 3 && stepping < 3);
	printf("#   SEP %s: the stubs enter by %s\n", usable ? "usable" : "absent or unusable",
	       rt_ipc_kip_sysenter() ? "sysenter" : "int $0x30");
	CHECK_EQ(rt_ipc_kip_sysenter(), usable);
	CHECK_EQ(*lipc != 0xCD, usable);           /* 0xCD: int imm8 */
	return 0;
}

/*
 * DS, ES and FS after an Ipc by sysenter are the flat user data selector
 * whatever the caller had (abi.md §1): the exit gives back the kernel's
 * DS and ES, which every entry loads with that selector (entry.asm).  By
 * int $0x30 they come back as they were.
 */
static const char *t_sysenter_segments_flat(void)
{
	L4_Word_t *kip = rt_kip();
	L4_Word_t want = rt_ipc_kip_sysenter() ? 0x23 : 0x1B;

	t_se_stub = (L4_Word_t)kip + kip[0xE0 / 4];
	t_se_out[0] = t_se_out[1] = t_se_out[2] = 0;
	t_se_segs();
	CHECK_EQ(t_se_out[0] & 0xFFFF, want);
	CHECK_EQ(t_se_out[1] & 0xFFFF, want);
	CHECK_EQ(t_se_out[2] & 0xFFFF, want);
	return 0;
}

const struct test ipc_int_on_tests[] = { TEST(ipc_entry_int_on), { 0 } };
const struct test ipc_int_off_tests[] = { TEST(ipc_entry_int_off), { 0 } };

const struct test sysenter_tests[] = {
	TEST(sysenter_hostile_kernel_return),
	TEST(sysenter_hostile_anywhere_returns),
	TEST(sysenter_default_where_sep),
	TEST(sysenter_segments_flat),
	{ 0 },
};
