/* SPDX-License-Identifier: BSD-2-Clause */
/* ProcessorControl, MemoryControl and the kernel-debugger console with
 * bad arguments. */
#include "tests.h"
#include "t_sync.h"

static const char *unprivileged(L4_Word_t op)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(ag));
	tag = rt_agent_cmd(ag, op, 0, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	return 0;
}

static const char *t_procctl_unprivileged_refused(void)
{
	return unprivileged(RT_AG_PROC);
}

static const char *t_memctl_unprivileged_refused(void)
{
	return unprivileged(RT_AG_MEM);
}

static const char *t_procctl_invalid_processor(void)
{
	CHECK_EQ(L4_ProcessorControl(99, ~0UL, ~0UL, ~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	return 0;
}

/* An attribute value no IA-32 memory type has: invalid parameter. */
static const char *t_memctl_garbage_attribute(void)
{
	L4_Word_t p = t_page(), attr[4] = { 0xfffffff0UL, 0, 0, 0 };

	CHECK(p != 0);
	L4_LoadMR(0, L4_FpageLog2(p, 12).raw);
	CHECK_EQ(L4_MemoryControl(0, attr), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(*(volatile L4_Word_t *)p, 0);
	return 0;
}

/* The console's print-string call with a kernel address: nothing to
 * check but that we come back. */
static const char *t_kdb_print_bad_pointer_survives(void)
{
	L4_Word_t k = t_kernel_addr();

	__asm__ __volatile__("int $3\n\tcmpb $1, %%al" : "+a"(k) : : "memory", "cc");
	printf("\n");
	CHECK(L4_IsGlobalId(L4_MyGlobalId()));
	return 0;
}

/*
 * A thread of a child task enters the debugger with "shutdown now": only
 * privileged threads (sigma0's and the root's spaces) may end the machine
 * that way, so the child simply goes on.  The sequence is L4_KDB_Enter's,
 * with a message the child reads first: the kernel reads it only if it is
 * mapped in the child's space.
 */
static const char kdb_shutdown_msg[] = "shutdown now";

static void kdb_shutdown_child(L4_Word_t arg)
{
	const volatile char *p = kdb_shutdown_msg;
	L4_Word_t i, sum = 0;

	(void)arg;
	for (i = 0; p[i]; i++)
		sum += (unsigned char)p[i];
	t_shared[1] = sum;
	__asm__ __volatile__("int $3\n\t"
			     "jmp 2f\n\t"
			     "movl %0, %%eax\n"
			     "2:" : : "i"(kdb_shutdown_msg) : "memory");
	t_shared[0] = 1;
}

static const char *t_kdb_shutdown_unprivileged_ignored(void)
{
	L4_ThreadId_t c = rt_task_create(kdb_shutdown_child, 0, rt_pager());
	L4_Word_t i, sum = 0;

	CHECK(!L4_IsNilThread(c));
	t_until(&t_shared[0], 1);
	for (i = 0; kdb_shutdown_msg[i]; i++)
		sum += (unsigned char)kdb_shutdown_msg[i];
	CHECK_EQ(t_shared[1], sum);
	return 0;
}

const struct test misc_tests[] = {
	TEST(procctl_unprivileged_refused),
	TEST(memctl_unprivileged_refused),
	TEST(procctl_invalid_processor),
	TEST(memctl_garbage_attribute),
	TEST(kdb_print_bad_pointer_survives),
	TEST(kdb_shutdown_unprivileged_ignored),
	{ 0 },
};
