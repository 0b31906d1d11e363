/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 IA-32 I/O fpages: ports owned by sigma0 at boot, handed out by the
 * sigma0 protocol, faulted in by the I/O-fault IPC (label -8 with r and
 * w, MR1 the I/O fpage of the ports, MR2 the IP), mapped, granted and
 * unmapped through the mapping database like memory.
 *
 * The ports used are COM1's (0x3F8..0x3FF; the scratch register 0x3FF
 * holds what is written to it) and COM4's (0x2E8..0x2EF, which the root
 * task never touches before the test that needs a port it lacks).
 */
#include "tests.h"
#include <l4/arch.h>
#include <lent/kmem.h>

L4_Word_t t_io_inw(L4_Word_t port);
void t_io_outl(L4_Word_t port, L4_Word_t value);
extern const char t_io_inb_at[], t_io_inw_at[], t_io_outl_at[];

__asm__(
	"	.text\n"
	"	.globl t_io_inb, t_io_inb_at, t_io_inw, t_io_inw_at\n"
	"	.globl t_io_outl, t_io_outl_at, t_io_outb\n"
	"t_io_inb:\n"
	"	movl	4(%esp), %edx\n"
	"	xorl	%eax, %eax\n"
	"t_io_inb_at:\n"
	"	inb	%dx, %al\n"
	"	ret\n"
	"t_io_inw:\n"
	"	movl	4(%esp), %edx\n"
	"	xorl	%eax, %eax\n"
	"t_io_inw_at:\n"
	"	inw	%dx, %ax\n"
	"	ret\n"
	"t_io_outl:\n"
	"	movl	4(%esp), %edx\n"
	"	movl	8(%esp), %eax\n"
	"t_io_outl_at:\n"
	"	outl	%eax, %dx\n"
	"	ret\n"
	"t_io_outb:\n"
	"	movl	4(%esp), %edx\n"
	"	movl	8(%esp), %eax\n"
	"	outb	%al, %dx\n"
	"	ret\n");

#define COM1		0x3f8
#define SCRATCH		(COM1 + 7)
#define COM4		0x2e8
#define IOFAULT_LABEL	0xff86		/* -8 << 4, r and w */
#define EXC_LABEL	0xffb
#define IO_DONE		20		/* t_shared: what the child got */
#define IO_STEP		21		/* how far it is */
#define LABEL_NEXT	0x10		/* child to main: "go on" */

static L4_Word_t iofp(L4_Word_t port, int log2)
{
	return L4_IoFpageLog2(port, log2).raw;
}

/* A child's body: each op is one access, 0 ends; between two of them it
 * calls main (LABEL_NEXT), which answers once it has done its part. */
enum { OP_END, OP_INB_SCRATCH, OP_INW_3F9, OP_OUTL_3FA, OP_INB_COM4, OP_INB_3FC, OP_SYNC,
       OP_INB_HIGH };
#define HIGH_PORT	0xc000		/* in the bitmap's second page; nothing there */
static L4_Word_t io_plan[8];

static void io_child(L4_Word_t arg)
{
	(void)arg;
	for (unsigned i = 0; i < 8 && io_plan[i] != OP_END; i++) {
		switch (io_plan[i]) {
		case OP_INB_SCRATCH: t_shared[IO_DONE] = t_io_inb(SCRATCH); break;
		case OP_INW_3F9: t_shared[IO_DONE] = t_io_inw(COM1 + 1); break;
		case OP_OUTL_3FA: t_io_outl(COM1 + 2, 0); break;
		case OP_INB_COM4: t_shared[IO_DONE] = t_io_inb(COM4); break;
		case OP_INB_3FC: t_shared[IO_DONE] = t_io_inb(COM1 + 4); break;
		case OP_INB_HIGH: t_shared[IO_DONE] = t_io_inb(HIGH_PORT); break;
		case OP_SYNC: {
			L4_MsgTag_t tag = { .raw = 0 };
			L4_Set_MsgTag(L4_MsgTagAddLabel(tag, LABEL_NEXT));
			L4_Call(L4_Pager());
			break;
		}
		}
		t_shared[IO_STEP] = i + 1;
	}
	t_shared[IO_STEP] = 100;
	for (;;)
		L4_Sleep(L4_Never);
}

/* Start a child task on the plan, with main as its pager. */
static L4_ThreadId_t io_start(const L4_Word_t *plan, unsigned n)
{
	for (unsigned i = 0; i < 8; i++)
		io_plan[i] = i < n ? plan[i] : OP_END;
	return rt_task_create(io_child, 0, L4_Myself());
}

/* The next message from c that is not a page fault in the image. */
static L4_MsgTag_t io_next(L4_ThreadId_t c)
{
	return rt_serve(c, RT_NEVER_US, 0);
}

/* Serve c's page faults until it has done its plan, with no I/O fault
 * (which would stop the wait). */
static int io_finish(L4_ThreadId_t c)
{
	while (t_shared[IO_STEP] != 100 && L4_IpcSucceeded(rt_serve(c, 500000, 0)))
		;
	return t_shared[IO_STEP] == 100;
}

/* Answer the fault the MRs hold with one I/O map (or grant) item. */
static int io_answer(L4_ThreadId_t c, L4_Word_t fpage, int grant)
{
	L4_Fpage_t f = { .raw = fpage | L4_FullyAccessible };
	L4_Msg_t msg;

	L4_MsgClear(&msg);
	if (grant)
		L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, 0));
	else
		L4_MsgAppendMapItem(&msg, L4_MapItem(f, 0));
	L4_MsgLoad(&msg);
	return L4_IpcSucceeded(L4_Send(c));
}

/* Main holds all of COM1's ports, asked of sigma0 as one fpage. */
static int io_own_com1(void)
{
	return L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(COM1, 3)).raw == (iofp(COM1, 3) | 7);
}

static int io_is_fault(L4_MsgTag_t tag, L4_Word_t fpage, const char *ip)
{
	return L4_IpcSucceeded(tag) && L4_Label(tag) == IOFAULT_LABEL && L4_UntypedWords(tag) == 2 &&
	       L4_TypedWords(tag) == 0 && rt_mr(1) == fpage && rt_mr(2) == (L4_Word_t)ip;
}

/* The root task, whose pager is sigma0, does port I/O with no set-up at
 * all: the first outb faults to sigma0, which maps the port, and the
 * instruction runs again.  The scratch register gives back what was
 * written, and the line below reaches the console by plain outb. */
static const char *t_io_root_plain_outb(void)
{
	static const char line[] = "# io: this line was written with outb\n";

	t_io_outb(SCRATCH, 0x5a);
	CHECK_EQ(t_io_inb(SCRATCH), 0x5a);
	t_io_outb(SCRATCH, 0xa5);
	CHECK_EQ(t_io_inb(SCRATCH), 0xa5);
	for (const char *p = line; *p; p++) {
		for (unsigned spin = 0; spin < 100000 && !(t_io_inb(COM1 + 5) & 0x20); spin++)
			;
		t_io_outb(COM1, (L4_Word_t)(unsigned char)*p);
	}
	return 0;
}

/* A task without ports gets the I/O fault, not a #GP: the exact X.2
 * message for a byte, a word straddling two ports and a dword over four
 * (the smallest aligned fpage holding them all). */
static const char *t_io_fault_message_exact(void)
{
	static const L4_Word_t plan[] = { OP_INB_SCRATCH, OP_INW_3F9, OP_OUTL_3FA };
	L4_ThreadId_t c;
	L4_MsgTag_t tag;

	CHECK(io_own_com1());
	t_io_outb(SCRATCH, 0x3c);
	c = io_start(plan, 3);
	CHECK(!L4_IsNilThread(c));
	tag = io_next(c);
	CHECK_EQ(L4_Label(tag), IOFAULT_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 2);
	CHECK_EQ(L4_TypedWords(tag), 0);
	CHECK_EQ(rt_mr(1), iofp(SCRATCH, 0));
	CHECK_EQ(rt_mr(1), 0x03ff0020);
	CHECK_EQ(rt_mr(2), (L4_Word_t)t_io_inb_at);
	CHECK(io_answer(c, iofp(SCRATCH, 0), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM1, 2), t_io_inw_at));   /* 0x3f9, 0x3fa */
	CHECK_EQ(t_shared[IO_DONE], 0x3c);                     /* the byte was read */
	CHECK(io_answer(c, iofp(COM1, 2), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM1, 3), t_io_outl_at));  /* 0x3fa .. 0x3fd */
	CHECK(io_answer(c, iofp(COM1, 3), 0));
	CHECK(io_finish(c));
	return 0;
}

/* A pager that maps only some ports: the others still fault. */
static const char *t_io_partial_map(void)
{
	static const L4_Word_t plan[] = { OP_INW_3F9, OP_INB_3FC };
	L4_ThreadId_t c;
	L4_MsgTag_t tag;

	CHECK(io_own_com1());
	c = io_start(plan, 2);
	CHECK(!L4_IsNilThread(c));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM1, 2), t_io_inw_at));
	CHECK(io_answer(c, iofp(COM1, 2), 0));                  /* 0x3f8 .. 0x3fb */
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM1 + 4, 0), t_io_inb_at));
	CHECK_EQ(t_shared[IO_STEP], 1);
	CHECK(io_answer(c, iofp(COM1 + 4, 0), 0));
	CHECK(io_finish(c));
	return 0;
}

/* Main holds COM1; a child reads the scratch port, which main answers
 * with all of COM1 (mapped, or with grant granted), and then waits in a
 * call to main (LABEL_NEXT) before it reads it again. */
static const char *io_given_then_waiting(L4_ThreadId_t *c, int grant)
{
	static const L4_Word_t plan[] = { OP_INB_SCRATCH, OP_SYNC, OP_INB_SCRATCH };
	L4_MsgTag_t tag;

	CHECK(io_own_com1());
	*c = io_start(plan, 3);
	CHECK(!L4_IsNilThread(*c));
	tag = io_next(*c);
	CHECK(io_is_fault(tag, iofp(SCRATCH, 0), t_io_inb_at));
	CHECK(io_answer(*c, iofp(COM1, 3), grant));
	tag = io_next(*c);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), LABEL_NEXT);                    /* no second fault */
	CHECK_EQ(t_shared[IO_STEP], 1);
	return 0;
}

/* Let the child that waits in a call to main go on. */
static int io_go_on(L4_ThreadId_t c)
{
	rt_msg(0, 0, 0);
	return L4_IpcSucceeded(L4_Send(c));
}

/* Unmap of an I/O fpage takes the port away from every task the
 * unmapper gave it to: the next in faults again. */
static const char *t_io_unmap_takes_port(void)
{
	L4_ThreadId_t c;

	RUN(io_given_then_waiting(&c, 0));
	L4_UnmapFpage(L4_IoFpageLog2(COM1, 3));                 /* theirs, not ours */
	CHECK(io_go_on(c));
	CHECK(io_is_fault(io_next(c), iofp(SCRATCH, 0), t_io_inb_at));
	CHECK_EQ(t_shared[IO_STEP], 2);
	/* Ours stayed: no fault (or it would reach sigma0, which maps it
	 * again without our noticing; the scratch value tells nothing). */
	t_io_outb(SCRATCH, 0x11);
	CHECK_EQ(t_io_inb(SCRATCH), 0x11);
	CHECK(io_answer(c, iofp(SCRATCH, 0), 0));
	CHECK(io_finish(c));
	CHECK_EQ(t_shared[IO_DONE], 0x11);
	return 0;
}

/* A grant moves main's mapping of the ports to the child: main's Unmap
 * afterwards reaches nothing of the child's, where after a map it took
 * the port away (above). */
static const char *t_io_grant_moves_ports(void)
{
	L4_ThreadId_t c;

	RUN(io_given_then_waiting(&c, 1));
	L4_UnmapFpage(L4_IoFpageLog2(COM1, 3));
	CHECK(io_go_on(c));
	CHECK(io_finish(c));   /* no fault */
	(void)t_io_inb(SCRATCH);   /* ours comes back from sigma0 */
	return 0;
}

/* A map item of ports the sender does not hold maps nothing: the root
 * task never touched COM4, so its answer leaves the child faulting. */
static const char *t_io_map_unowned_does_nothing(void)
{
	static const L4_Word_t plan[] = { OP_INB_COM4 };
	L4_ThreadId_t c;
	L4_MsgTag_t tag;

	c = io_start(plan, 1);
	CHECK(!L4_IsNilThread(c));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM4, 0), t_io_inb_at));
	CHECK(io_answer(c, iofp(COM4, 3), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM4, 0), t_io_inb_at));
	CHECK_EQ(t_shared[IO_STEP], 0);
	return 0;
}

/* Hostile fpages: a size above 2^16 maps nothing; a base not aligned
 * to the size is aligned down, as a memory fpage's is. */
static const char *t_io_bad_fpages(void)
{
	static const L4_Word_t plan[] = { OP_INB_SCRATCH, OP_INB_3FC };
	L4_ThreadId_t c;
	L4_MsgTag_t tag;

	CHECK(io_own_com1());
	c = io_start(plan, 2);
	CHECK(!L4_IsNilThread(c));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(SCRATCH, 0), t_io_inb_at));
	CHECK(io_answer(c, (SCRATCH << 16) | (17 << 10) | (2 << 4), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(SCRATCH, 0), t_io_inb_at));
	CHECK(io_answer(c, (0xffffUL << 16) | (63 << 10) | (2 << 4), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(SCRATCH, 0), t_io_inb_at));
	/* 0x3fd with size 4: ports 0x3fc .. 0x3ff. */
	CHECK(io_answer(c, ((COM1 + 5) << 16) | (2 << 10) | (2 << 4), 0));
	CHECK(io_finish(c));                                    /* 0x3fc too */
	return 0;
}

/* sigma0 gives ports to the root task only, and to it again and again;
 * anybody else's request for them, any malformed one, and one for the
 * kernel's own ports is refused with a nil fpage. */
static const char *t_io_sigma0_requests(void)
{
	L4_Word_t win = L4_CompleteAddressSpace.raw, a[2];
	L4_ThreadId_t ag;
	L4_MsgTag_t tag;

	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(COM1, 3)).raw, iofp(COM1, 3) | 7);
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(COM1, 3)).raw, iofp(COM1, 3) | 7);
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, (L4_Fpage_t){ .raw = (17 << 10) | (2 << 4) }).raw, 0);
	/* The kernel's own ports (timer, interrupt controllers, debug exit)
	 * are nobody's, alone or in a larger fpage. */
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(0x40, 0)).raw, 0);
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(0xa0, 1)).raw, 0);
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(0, 16)).raw, 0);
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	a[0] = iofp(COM1, 3);
	a[1] = win;
	tag = rt_agent_cmd(ag, RT_AG_SIGMA0, 2, a);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), 0);
	a[0] = iofp(0, 16);
	tag = rt_agent_cmd(ag, RT_AG_SIGMA0, 2, a);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), 0);
	return 0;
}

/* Nothing gives IOPL 3: ExchangeRegisters' flags keep IOPL 0, and a
 * thread so "raised" still faults on a port it lacks. */
static const char *t_io_no_iopl(void)
{
	static const L4_Word_t plan[] = { OP_INB_COM4 };
	L4_Word_t control, sp, ip, flags, handle;
	L4_ThreadId_t c, pager, r;
	L4_MsgTag_t tag;

	c = io_start(plan, 1);
	CHECK(!L4_IsNilThread(c));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM4, 0), t_io_inb_at));
	/* F (bit 5) sets the flags: ask for IOPL 3 and IF. */
	r = L4_ExchangeRegisters(c, 1UL << 5, 0, 0, 0x3202, 0, L4_nilthread, &control, &sp, &ip,
				 &flags, &handle, &pager);
	CHECK(!L4_IsNilThread(r));
	r = L4_ExchangeRegisters(c, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp, &ip, &flags,
				 &handle, &pager);
	CHECK(!L4_IsNilThread(r));
	CHECK_EQ(flags & 0x3000, 0);
	/* Answer with nothing: the access runs again and faults again. */
	CHECK(io_go_on(c));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM4, 0), t_io_inb_at));
	CHECK(L4_Label(tag) >> 4 != EXC_LABEL);
	return 0;
}

static L4_Word_t io_count(L4_ThreadId_t task, unsigned kind)
{
	lent_kmem_control(task.raw, LENT_KMEM_STATS, 0);
	return rt_mr(1 + kind);
}

/* The pages lent to tasks and the pool's pages charged to them. */
static L4_Word_t io_tasks_pages(void)
{
	lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	return rt_mr(LENT_KMEM_OWN_LENT) + rt_mr(LENT_KMEM_OWN_POOL_TASKS);
}

/* One child that is given three ports, two in the bitmap's first page,
 * one in its second; deleted at the end. */
static const char *io_kmem_cycle(int check)
{
	static const L4_Word_t plan[] = { OP_SYNC, OP_INB_SCRATCH, OP_INB_3FC, OP_INB_HIGH };
	L4_ThreadId_t c;
	L4_MsgTag_t tag;

	c = io_start(plan, 4);
	CHECK(!L4_IsNilThread(c));
	tag = io_next(c);
	CHECK_EQ(L4_Label(tag), LABEL_NEXT);
	/* What it holds before it touches a port.  (A lent page may come
	 * before the fault that needs it reaches us: the kernel asks the
	 * kpager first.) */
	L4_Word_t pt = io_count(c, LENT_KMEM_PT), nt = io_count(c, LENT_KMEM_NT);
	CHECK(io_go_on(c));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(SCRATCH, 0), t_io_inb_at));
	CHECK(io_answer(c, iofp(SCRATCH, 0), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(COM1 + 4, 0), t_io_inb_at));
	if (check) {
		/* Its first ports: a bitmap page and a node table, its own. */
		CHECK_EQ(io_count(c, LENT_KMEM_PT), pt + 1);
		CHECK_EQ(io_count(c, LENT_KMEM_NT), nt + 1);
	}
	CHECK(io_answer(c, iofp(COM1 + 4, 0), 0));
	tag = io_next(c);
	CHECK(io_is_fault(tag, iofp(HIGH_PORT, 0), t_io_inb_at));
	CHECK(io_answer(c, iofp(HIGH_PORT, 0), 0));
	CHECK(io_finish(c));
	if (check) {
		CHECK_EQ(io_count(c, LENT_KMEM_PT), pt + 2);     /* the second half */
		CHECK_EQ(io_count(c, LENT_KMEM_NT), nt + 2);
	}
	CHECK_EQ(rt_release(c), 1);
	return 0;
}

/* A space's ports cost its own kernel memory, as pages do: a bitmap page
 * per half of the ports it holds any of and a node table per 1,024 ports
 * (lent by its kpager, or from the pool), and all of it comes back when
 * it dies. */
static const char *t_io_kmem_charged_and_returned(void)
{
	CHECK(io_own_com1());
	CHECK_EQ(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(HIGH_PORT, 0)).raw,
		 iofp(HIGH_PORT, 0) | 7);
	RUN(io_kmem_cycle(0));              /* whatever the root needs once */
	L4_Word_t before = io_tasks_pages();
	RUN(io_kmem_cycle(1));
	CHECK_EQ(io_tasks_pages(), before);
	return 0;
}

const struct test io_tests[] = {
	TEST(io_root_plain_outb),
	TEST(io_fault_message_exact),
	TEST(io_partial_map),
	TEST(io_unmap_takes_port),
	TEST(io_grant_moves_ports),
	TEST(io_map_unowned_does_nothing),
	TEST(io_bad_fpages),
	TEST(io_sigma0_requests),
	TEST(io_no_iopl),
	TEST(io_kmem_charged_and_returned),
	{ 0 },
};
