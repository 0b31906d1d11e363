/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the kernel does to a frame entered by sysenter (arch/ia32/
 * sysenter.c, entry.asm, docs/abi.md §1): single-stepping (TF) through
 * the stub's sysenter; an Ipc rewound by a fault in its string's source
 * page coming back to its caller with its registers exact; IF set in
 * the flags of a thread waiting in an Ipc entered by sysenter, as
 * ExchangeRegisters reports them and once it is given a new IP.  The
 * entry itself is t_sysenter.c's.  Where the kernel does not use
 * sysenter (no SEP, -cpu pentium) the stub is the int one, and each
 * test checks the same of it.
 */
#include "t_sysenter.h"

#define TF		0x100UL
#define VEC_DB		1

/* Stepping: the stub in t_se_stub, EIPs t_se_s2..t_se_s5. */
void t_se_step(void);
extern const char t_se_s2[], t_se_s3[], t_se_s4[], t_se_s5[];
/* An Ipc through __L4_Ipc: EAX, ECX, EDX, ESI, EDI in t_se_in; after it,
 * EAX, ESI, EDI and ESP's change in t_se_out[0..3]. */
void t_se_ipc(void);

__asm__(
	"	.text\n"
	/* TF on, a nop, an empty Ipc (nil, nil) through the stub, a nop,
	 * TF off. */
	"	.globl t_se_step, t_se_s2, t_se_s3, t_se_s4, t_se_s5\n"
	"t_se_step:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	xorl	%eax, %eax\n"
	"	xorl	%ecx, %ecx\n"
	"	xorl	%edx, %edx\n"
	"	xorl	%esi, %esi\n"
	"	movl	%gs:0, %edi\n"
	"	pushfl\n"
	"	orl	$0x100, (%esp)\n"
	"	popfl\n"
	"	nop\n"
	"t_se_s2:	call	*t_se_stub\n"
	"t_se_s3:	nop\n"
	"t_se_s4:	pushfl\n"
	"	andl	$0xfffffeff, (%esp)\n"
	"	popfl\n"
	"t_se_s5:	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n"
	"	.globl t_se_ipc\n"
	"t_se_ipc:\n"
	"	pushl	%ebx\n"
	"	pushl	%esi\n"
	"	pushl	%edi\n"
	"	pushl	%ebp\n"
	"	movl	t_se_in + 0, %eax\n"
	"	movl	t_se_in + 4, %ecx\n"
	"	movl	t_se_in + 8, %edx\n"
	"	movl	t_se_in + 12, %esi\n"
	"	movl	t_se_in + 16, %edi\n"
	"	movl	%esp, t_se_out + 12\n"
	"	call	__L4_Ipc\n"
	"	movl	%eax, t_se_out + 0\n"
	"	movl	%esi, t_se_out + 4\n"
	"	movl	%edi, t_se_out + 8\n"
	"	subl	%esp, t_se_out + 12\n"
	"	popl	%ebp\n"
	"	popl	%edi\n"
	"	popl	%esi\n"
	"	popl	%ebx\n"
	"	ret\n");

static void step_thread(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(rt_main_thread());
	t_se_step();
	t_shared[1] = 1;
}

/* Step an empty Ipc through the stub at `stub`; the EIPs reported. */
static const char *step_through(L4_Word_t stub, L4_Word_t *eips, L4_Word_t *n)
{
	L4_Word_t w[12], last = 0;
	L4_ThreadId_t t;

	t_se_stub = stub;
	t_shared[1] = 0;
	*n = 0;
	t = rt_thread_create(step_thread, 0);
	CHECK(!L4_IsNilThread(t));
	/* TF is set in every frame but the last, the trap after the popf
	 * that cleared it: that frame ends the steps, not a receive that
	 * runs out (on a slow host the next step would look like none). */
	while (!last) {
		CHECK(*n < 16);
		RUN(t_exception(t, RT_NEVER_US, w));
		CHECK_EQ(w[2], VEC_DB);
		last = !(w[1] & TF);
		eips[(*n)++] = w[0];
		t_load(0, 12, w, 0, 0);
		CHECK(L4_IpcSucceeded(L4_Send(t)));   /* it waits for this answer */
	}
	/* No trap after the last: the thread ends its body. */
	CHECK(t_wait_for(&t_shared[1], 1, RT_NEVER_US));
	return 0;
}

/*
 * Single-stepping an Ipc through the KIP's stub: a #DB after every user
 * instruction, those inside the stub reported inside its slot, none from
 * the kernel, and the step after the call at the caller's next
 * instruction: the same EIPs outside the stub as through an int $0x30
 * stub.  A sysenter with TF set traps in the kernel's first instruction.
 */
static const char *t_sysenter_single_step(void)
{
	L4_Word_t *kip = rt_kip();
	L4_Word_t stub = (L4_Word_t)kip + kip[0xE0 / 4], e[16], n, i = 0;
	static const char *const after[] = { t_se_s3, t_se_s4 };
	int k;

	RUN(step_through(stub, e, &n));
	CHECK(n >= 4);
	CHECK_EQ(e[i++], (L4_Word_t)t_se_s2);
	while (i < n && e[i] >= stub && e[i] < stub + 16)
		i++;
	CHECK(i >= 2);
	for (k = 0; k < 2; k++)
		CHECK_EQ(e[i++], (L4_Word_t)after[k]);
	/* the andl, the popfl, and the trap after the popfl that cleared TF */
	CHECK_EQ(n, i + 3);
	CHECK_EQ(e[n - 1], (L4_Word_t)t_se_s5);
	return 0;
}

static unsigned char se_src[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));
static unsigned char se_dst[64];

static void rewound_sender(L4_Word_t arg)
{
	L4_StringItem_t s = L4_StringItem(40, se_src + 8);
	L4_Word_t mr[2];

	(void)arg;
	mr[0] = s.raw[0];
	mr[1] = s.raw[1];
	/* a send of one string item, its source page never touched */
	L4_LoadMR(1, mr[0]);
	L4_LoadMR(2, mr[1]);
	t_se_in[0] = rt_main_thread().raw;
	t_se_in[1] = L4_Timeouts(L4_Never, L4_Never);   /* main waits for it */
	t_se_in[2] = 0;
	t_se_in[3] = t_tag(0x515, 0, 2).raw;
	t_se_in[4] = (L4_Word_t)__L4_X86_Utcb();
	t_se_ipc();
	t_shared[1] = 1;
}

/*
 * An Ipc whose string's source page is not mapped: the copy faults in
 * the sender's space, its Ipc is rewound onto the stub's sysenter, its
 * pager maps the page, and the Ipc runs again.  The sender comes back to
 * its caller once, on its stack, EDI kept, its tag without error; the
 * receiver has the bytes.
 */
static const char *t_sysenter_rewound_ipc_exact(void)
{
	L4_StringItem_t buf = L4_StringItem(sizeof(se_dst), se_dst);
	L4_ThreadId_t t, from;
	L4_MsgTag_t tag;
	unsigned i;

	t = rt_thread_create(rewound_sender, 0);
	CHECK(!L4_IsNilThread(t));
	L4_LoadBR(0, 1);
	L4_LoadBR(1, buf.raw[0]);
	L4_LoadBR(2, buf.raw[1]);
	tag = L4_Wait(&from);
	L4_LoadBR(0, 0);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, L4_LocalIdOf(t).raw);      /* same space: local ID */
	CHECK_EQ(L4_Label(tag), 0x515);
	t_until(&t_shared[1], 1);
	CHECK_EQ(t_se_out[1] & 0x8000, 0);           /* the tag: no error */
	CHECK_EQ(t_se_out[2], t_se_in[4]);           /* EDI kept */
	CHECK_EQ(t_se_out[3], 0);                    /* ESP as before */
	for (i = 0; i < 40; i++)
		CHECK_EQ(se_dst[i], se_src[8 + i]);
	return 0;
}

/* A thread that waits in a Receive from main by the KIP's stub, and
 * the IP ExchangeRegisters gives it: its flags into t_shared[1]. */
static void se_waiter(L4_Word_t arg)
{
	(void)arg;
	(void)L4_Receive(rt_main_thread());
	t_shared[2] = 1;
	for (;;)
		(void)L4_Receive(rt_main_thread());
}

static L4_Word_t se_probe_stack[256] __attribute__((aligned(16)));
static void __attribute__((noreturn)) se_probe(void)
{
	L4_Word_t fl;

	__asm__ __volatile__("pushfl; popl %0" : "=r"(fl));
	t_shared[1] = fl | 0x80000000UL;
	for (;;)
		(void)L4_Receive(rt_main_thread());
}

/*
 * A thread waiting in an Ipc it entered by sysenter has IF set as any
 * thread has: in the flags ExchangeRegisters reports, and when given a
 * new IP and SP, in the flags it runs with (its frame, which keeps IF
 * clear while it is the sysenter's, entry.asm, has it again once it is
 * not).  By int $0x30 the same.
 */
static const char *t_sysenter_exreg_flags_if(void)
{
	L4_Word_t ctl, sp, ip, fl = 0, h;
	L4_ThreadId_t x, p;

	rt_ipc_entry_int(0);
	t_shared[1] = t_shared[2] = 0;
	x = rt_thread_create(se_waiter, 0);
	CHECK(!L4_IsNilThread(x));
	CHECK(t_ipc_blocked(x, __L4_EXREGS_ABORT_RECV));
	CHECK(!L4_IsNilThread(__L4_Exregs(x, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread,
					  &ctl, &sp, &ip, &fl, &h, &p)));
	CHECK(fl & 0x200);
	L4_Start_SpIp(x, (L4_Word_t)&se_probe_stack[252], (L4_Word_t)se_probe);
	/* It runs the probe, which ends waiting for main again. */
	CHECK(t_ipc_blocked(x, __L4_EXREGS_ABORT_RECV));
	CHECK(t_shared[1] & 0x80000000UL);
	CHECK(t_shared[1] & 0x200);
	CHECK_EQ(t_shared[2], 0);
	CHECK(rt_release(x));
	return 0;
}

const struct test sysenter_frame_tests[] = {
	TEST(sysenter_single_step),
	TEST(sysenter_rewound_ipc_exact),
	TEST(sysenter_exreg_flags_if),
	{ 0 },
};
