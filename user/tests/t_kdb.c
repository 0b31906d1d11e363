/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel debugger is built into every kernel, but a boot without
 * kdb=on (every test run) must never stop in it, for nobody types at it:
 * L4_KDB_Enter prints and goes on, an int3 of a thread without exception
 * handler halts that thread as X.2 says, and the console read finds no
 * key, for the timer tick's look at the serial line (for ESC) keeps no
 * key that was not typed.  The debugger itself is tested over the serial
 * line by tools/kdb_session.py.
 */
#include "tests.h"
#include "t_sync.h"

L4_Word_t t_kdb_int3(void);
extern const char t_kdb_int3_next[];

__asm__(".text\n"
	"	.globl t_kdb_int3, t_kdb_int3_next\n"
	"t_kdb_int3:\n"
	"	int3\n"			/* nop after it: no console call */
	"t_kdb_int3_next:\n"
	"	nop\n"
	"	ret\n");

static const char *t_kdb_enter_goes_on(void)
{
	L4_Word_t before = t_shared[0] = 0x4b44;

	L4_KDB_Enter("kdb test: no debugger without kdb=on, the root task goes on");
	CHECK_EQ(t_shared[0], before);
	return 0;
}

static const char *t_kdb_readchar_no_key(void)
{
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(L4_KDB_ReadChar(), 0);
		rt_sleep_us(2000);     /* timer ticks come between the reads */
	}
	return 0;
}

static void breaks(L4_Word_t arg)
{
	(void)arg;
	L4_Set_ExceptionHandler(L4_nilthread);
	t_shared[0] = 1;
	(void)t_kdb_int3();
	t_shared[1] = 1;
}

/* Old control word of t (a pure query with d, so the old IP comes back). */
static L4_Word_t status_of(L4_ThreadId_t t, L4_Word_t *ip)
{
	L4_Word_t control = 0;

	(void)__L4_Exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &control, 0, ip,
			  0, 0, 0);
	return control;
}

static const char *t_kdb_breakpoint_unhandled_halts(void)
{
	L4_ThreadId_t t = rt_thread_create(breaks, 0);
	L4_Word_t ip = 0;

	CHECK(!L4_IsNilThread(t));
	t_until(&t_shared[0], 1);
	/* Halted once it reaches the int3, however long that takes. */
	while (!(status_of(t, &ip) & __L4_EXREGS_HALT))
		rt_sleep_us(1000);
	CHECK_EQ(ip, (L4_Word_t)t_kdb_int3_next);
	rt_sleep_us(2000);
	CHECK_EQ(t_shared[1], 0);
	CHECK_EQ(status_of(t, &ip) & __L4_EXREGS_HALT, __L4_EXREGS_HALT);
	return 0;
}

const struct test kdb_tests[] = {
	TEST(kdb_enter_goes_on),
	TEST(kdb_readchar_no_key),
	TEST(kdb_breakpoint_unhandled_halts),
	{ 0 },
};
