/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page faults and exceptions as IPC: the page-fault protocol (label -2,
 * MR1 fault address, MR2 faulting IP) and the IA-32 exception message
 * (label -5, twelve words: EIP, EFLAGS, exception, error code, EDI, ESI,
 * EBP, ESP, EBX, EDX, ECX, EAX), whose reply sets the registers.
 */
#include "tests.h"
#include "t_sync.h"

/* Tiny routines whose faulting and resuming addresses we know.  Each
 * returns EAX, which the exception handler's reply sets. */
L4_Word_t t_exc_div(void);
L4_Word_t t_exc_ud(void);
L4_Word_t t_exc_int3(void);
L4_Word_t t_exc_gp(void);
void t_pf_store(L4_Word_t addr);
extern const char t_exc_div_at[], t_exc_div_resume[];
extern const char t_exc_ud_at[], t_exc_ud_resume[];
extern const char t_exc_int3_next[];
extern const char t_exc_gp_at[], t_exc_gp_resume[];
extern const char t_pf_store_at[];

__asm__(
	"	.text\n"
	"	.globl t_exc_div, t_exc_div_at, t_exc_div_resume\n"
	"t_exc_div:\n"
	"	xorl	%ecx, %ecx\n"
	"	movl	$1, %eax\n"
	"	xorl	%edx, %edx\n"
	"t_exc_div_at:\n"
	"	divl	%ecx\n"
	"t_exc_div_resume:\n"
	"	ret\n"
	"	.globl t_exc_ud, t_exc_ud_at, t_exc_ud_resume\n"
	"t_exc_ud:\n"
	"	xorl	%eax, %eax\n"
	"t_exc_ud_at:\n"
	"	ud2\n"
	"t_exc_ud_resume:\n"
	"	ret\n"
	"	.globl t_exc_int3, t_exc_int3_next\n"
	"t_exc_int3:\n"
	"	xorl	%eax, %eax\n"
	"	int3\n"			/* not followed by a kdebug opcode */
	"t_exc_int3_next:\n"
	"	nop\n"
	"	ret\n"
	"	.globl t_exc_gp, t_exc_gp_at, t_exc_gp_resume\n"
	"t_exc_gp:\n"
	"	xorl	%eax, %eax\n"
	"t_exc_gp_at:\n"
	"	cli\n"			/* privileged at IOPL 0: #GP(0) */
	"t_exc_gp_resume:\n"
	"	ret\n"
	"	.globl t_pf_store, t_pf_store_at\n"
	"t_pf_store:\n"
	"	movl	4(%esp), %eax\n"
	"t_pf_store_at:\n"
	"	movl	$0x77, (%eax)\n"
	"	ret\n");

static unsigned char pf_page[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

#define PF_LABEL	0xffe
#define EXC_LABEL	0xffb

/* A task whose pager is main: its first instruction fetch faults to
 * main with the entry point as both address and IP. */
static const char *t_pf_first_fetch_to_pager(void)
{
	L4_ThreadId_t c = rt_task_create(t_flagger, 7, L4_Myself());
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(c));
	tag = L4_Receive(c);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag) >> 4, PF_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 2);
	CHECK_EQ(L4_TypedWords(tag), 0);
	CHECK_EQ(rt_mr(1), (L4_Word_t)t_flagger);
	CHECK_EQ(rt_mr(2), (L4_Word_t)t_flagger);
	CHECK((L4_Label(tag) & L4_Writable) == 0);
	/* Answer it and the faults that follow, for as long as the body
	 * takes to run (each serve only gives the flag a look). */
	rt_load_page_reply(rt_mr(1), L4_Label(tag) & 7);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	while (t_shared[7] == 0)
		(void)rt_serve(c, 1000, 0);
	return 0;
}

/* A write fault reports the exact byte address, the write access and
 * the IP of the storing instruction. */
static const char *t_pf_write_address_exact(void)
{
	L4_Word_t addr = (L4_Word_t)pf_page + 0x124;
	L4_ThreadId_t c, from = L4_nilthread;
	L4_MsgTag_t tag;

	rt_watch((L4_Word_t)pf_page, (L4_Word_t)pf_page + RT_PAGE_SIZE);
	c = rt_task_create(t_pf_store, addr, L4_Myself());
	CHECK(!L4_IsNilThread(c));
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, c.raw);
	CHECK_EQ(rt_mr(1), addr);
	CHECK_EQ(rt_mr(2), (L4_Word_t)t_pf_store_at);
	CHECK(L4_Label(tag) & L4_Writable);
	/* Map it: the store completes into our own page (its faults served
	 * for as long as it takes). */
	rt_load_page_reply(addr, L4_Label(tag) & 7);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	rt_watch(0, 0);
	while (pf_page[0x124] != 0x77)
		(void)rt_serve(c, 1000, 0);
	CHECK_EQ(pf_page[0x124], 0x77);
	return 0;
}

/* A pager's reply far longer than a page fault needs (62 untyped words,
 * no map item) is a reply with no page: the thread makes the access
 * again and faults again.  The kernel takes a reply to its own message
 * into the thread's kernel message, of 14 words, and must copy no more:
 * it did, over the rest of the thread's TCB body (its GDT descriptor
 * for %gs among it). */
static void pf_store_then_self(L4_Word_t addr)
{
	*(volatile unsigned char *)addr = 0x77;
	t_shared[9] = L4_Myself().raw;   /* read through the UTCB segment */
	t_shared[10] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_pf_long_reply_to_fault(void)
{
	L4_Word_t addr = (L4_Word_t)pf_page + 0x200, w[62];
	L4_ThreadId_t c, from = L4_nilthread;
	L4_MsgTag_t tag;

	for (unsigned i = 0; i < 62; i++)
		w[i] = ~0UL;
	rt_watch((L4_Word_t)pf_page, (L4_Word_t)pf_page + RT_PAGE_SIZE);
	c = rt_task_create(pf_store_then_self, addr, L4_Myself());
	CHECK(!L4_IsNilThread(c));
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(rt_mr(1), addr);
	t_load(0, 62, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, c.raw);
	CHECK_EQ(rt_mr(1), addr);
	rt_load_page_reply(addr, L4_Label(tag) & 7);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	rt_watch(0, 0);
	while (!t_shared[10])
		(void)rt_serve(c, 1000, 0);
	CHECK_EQ(pf_page[0x200], 0x77);
	CHECK_EQ(t_shared[9], c.raw);
	return 0;
}

static void raise_exc(L4_Word_t which)
{
	L4_Word_t r = 0;

	L4_Set_ExceptionHandler(rt_main_thread());
	switch (which) {
	case 0: r = t_exc_div(); break;
	case 1: r = t_exc_ud(); break;
	case 2: r = t_exc_int3(); break;
	case 3: r = t_exc_gp(); break;
	}
	t_shared[0] = r;
	t_shared[1] = 1;
}

/*
 * Receive the exception message of thread t, check it, and answer with
 * EIP = resume and EAX = 0x1234abcd; t must then go on from there.
 */
static const char *exception(L4_ThreadId_t t, L4_Word_t no, const char *at,
			     const char *resume)
{
	L4_Word_t w[12];
	L4_MsgTag_t tag = L4_Receive(t);
	int i;

	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 12);
	CHECK_EQ(rt_mr(1), (L4_Word_t)at);
	CHECK_EQ(rt_mr(3), no);
	CHECK(rt_mr(2) & 0x200);		/* interrupts were enabled */
	if (no == 13)
		CHECK_EQ(rt_mr(4), 0);
	for (i = 0; i < 12; i++)
		w[i] = rt_mr(i + 1);
	w[0] = (L4_Word_t)resume;
	w[11] = 0x1234abcd;
	t_load(0, 12, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(t)));
	t_until(&t_shared[1], 1);
	CHECK_EQ(t_shared[0], 0x1234abcd);
	return 0;
}

static const char *t_exc_divide_error(void)
{
	L4_ThreadId_t t = rt_thread_create(raise_exc, 0);

	CHECK(!L4_IsNilThread(t));
	return exception(t, 0, t_exc_div_at, t_exc_div_resume);
}

static const char *t_exc_invalid_opcode(void)
{
	L4_ThreadId_t t = rt_thread_create(raise_exc, 1);

	CHECK(!L4_IsNilThread(t));
	return exception(t, 6, t_exc_ud_at, t_exc_ud_resume);
}

/* int3 without a kdebug opcode after it is a breakpoint exception; EIP
 * is the instruction after the int3. */
static const char *t_exc_breakpoint(void)
{
	L4_ThreadId_t t = rt_thread_create(raise_exc, 2);

	CHECK(!L4_IsNilThread(t));
	return exception(t, 3, t_exc_int3_next, t_exc_int3_next);
}

static const char *t_exc_general_protection(void)
{
	L4_ThreadId_t t = rt_thread_create(raise_exc, 3);

	CHECK(!L4_IsNilThread(t));
	return exception(t, 13, t_exc_gp_at, t_exc_gp_resume);
}

/* An exception in another space goes to a handler in ours. */
static const char *t_exc_handler_in_other_space(void)
{
	L4_ThreadId_t c = rt_task_create(raise_exc, 1, rt_pager());

	CHECK(!L4_IsNilThread(c));
	return exception(c, 6, t_exc_ud_at, t_exc_ud_resume);
}

const struct test fault_tests[] = {
	TEST(pf_first_fetch_to_pager),
	TEST(pf_write_address_exact),
	TEST(pf_long_reply_to_fault),
	TEST(exc_divide_error),
	TEST(exc_invalid_opcode),
	TEST(exc_breakpoint),
	TEST(exc_general_protection),
	TEST(exc_handler_in_other_space),
	{ 0 },
};
