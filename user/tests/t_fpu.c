/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Each thread has its own x87 and MMX registers: two threads (or two
 * tasks) fill them with their own numbers, yield to each other many
 * times, reading their registers after every turn, and find their own
 * numbers still there at the end.
 */
#include "tests.h"
#include "t_fpu.h"
#include "t_sync.h"

#define FPU_ROUNDS	500

void t_fpu_meet(L4_Word_t k)
{
	int i;

	t_shared[F_READY + k] = 1;
	for (i = 0; i < 100000 && !t_shared[F_READY + (k ^ 1)]; i++)
		L4_ThreadSwitch(L4_nilthread);
}

/* x87: st(0) .. st(7) hold v[7] .. v[0]. */
static void x87_worker(L4_Word_t k)
{
	int v[8], out[8], top, i, n;
	L4_Word_t bad = 0, other0;

	for (i = 0; i < 8; i++)
		v[i] = (int)((k + 1) * 1000 + i * 7 + 1);
	__asm__ __volatile__("fninit\n\t"
			     "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\tfildl 12(%0)\n\t"
			     "fildl 16(%0)\n\tfildl 20(%0)\n\tfildl 24(%0)\n\tfildl 28(%0)"
			     : : "r"(v) : "memory");
	t_fpu_meet(k);
	other0 = t_shared[F_TURNS + (k ^ 1)];
	for (n = 0; n < FPU_ROUNDS; n++) {
		L4_ThreadSwitch(L4_nilthread);
		__asm__ __volatile__("fistl %0" : "=m"(top));
		if (top != v[7])
			bad++;
		t_shared[F_TURNS + k]++;
	}
	__asm__ __volatile__("fistpl 0(%0)\n\tfistpl 4(%0)\n\tfistpl 8(%0)\n\tfistpl 12(%0)\n\t"
			     "fistpl 16(%0)\n\tfistpl 20(%0)\n\tfistpl 24(%0)\n\tfistpl 28(%0)"
			     : : "r"(out) : "memory");
	for (i = 0; i < 8; i++)
		if (out[i] != v[7 - i])
			bad++;
	t_fpu_worker_done(k, other0, bad);
}

/* MMX: mm0 .. mm7 hold v[0] .. v[7]. */
static void mmx_worker(L4_Word_t k)
{
	unsigned long long v[8], out[8], m3;
	L4_Word_t bad = 0, other0;
	int i, n;

	for (i = 0; i < 8; i++)
		v[i] = 0x0101010101010101ULL * (k + 1) + ((unsigned long long)i << 40) + i;
	__asm__ __volatile__("movq 0(%0), %%mm0\n\tmovq 8(%0), %%mm1\n\t"
			     "movq 16(%0), %%mm2\n\tmovq 24(%0), %%mm3\n\t"
			     "movq 32(%0), %%mm4\n\tmovq 40(%0), %%mm5\n\t"
			     "movq 48(%0), %%mm6\n\tmovq 56(%0), %%mm7"
			     : : "r"(v) : "memory");
	t_fpu_meet(k);
	other0 = t_shared[F_TURNS + (k ^ 1)];
	for (n = 0; n < FPU_ROUNDS; n++) {
		L4_ThreadSwitch(L4_nilthread);
		__asm__ __volatile__("movq %%mm3, %0" : "=m"(m3));
		if (m3 != v[3])
			bad++;
		t_shared[F_TURNS + k]++;
	}
	__asm__ __volatile__("movq %%mm0, 0(%0)\n\tmovq %%mm1, 8(%0)\n\t"
			     "movq %%mm2, 16(%0)\n\tmovq %%mm3, 24(%0)\n\t"
			     "movq %%mm4, 32(%0)\n\tmovq %%mm5, 40(%0)\n\t"
			     "movq %%mm6, 48(%0)\n\tmovq %%mm7, 56(%0)\n\temms"
			     : : "r"(out) : "memory");
	for (i = 0; i < 8; i++)
		if (out[i] != v[i])
			bad++;
	t_fpu_worker_done(k, other0, bad);
}

void t_fpu_worker_done(L4_Word_t k, L4_Word_t other0, L4_Word_t bad)
{
	t_shared[F_OTHER + k] = t_shared[F_TURNS + (k ^ 1)] - other0;
	t_shared[F_BAD + k] = bad;
	t_shared[F_DONE + k] = 1;
}

const char *t_fpu_two_workers(rt_entry_t fn, int tasks)
{
	L4_Word_t k;

	for (k = 0; k < 2; k++) {
		L4_ThreadId_t t = tasks ? rt_task_create(fn, k, rt_pager()) : rt_thread_create(fn, k);

		CHECK(!L4_IsNilThread(t));
	}
	t_until(&t_shared[F_DONE], 1);
	t_until(&t_shared[F_DONE + 1], 1);
	CHECK_EQ(t_shared[F_BAD], 0);
	CHECK_EQ(t_shared[F_BAD + 1], 0);
	/* They did take turns: each saw the other run meanwhile. */
	CHECK(t_shared[F_OTHER] > 0);
	CHECK(t_shared[F_OTHER + 1] > 0);
	return 0;
}

static const char *t_fpu_state_private(void)
{
	return t_fpu_two_workers(x87_worker, 0);
}

static const char *t_fpu_state_private_tasks(void)
{
	return t_fpu_two_workers(x87_worker, 1);
}

static int have_mmx(void)
{
	L4_Word_t a = 1, b, c, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return (d >> 23) & 1;
}

static const char *t_fpu_mmx_state_private(void)
{
	if (!have_mmx()) {
		printf("#   no MMX on this processor: nothing to check\n");
		return 0;
	}
	return t_fpu_two_workers(mmx_worker, 0);
}

const struct test fpu_tests[] = {
	TEST(fpu_state_private),
	TEST(fpu_state_private_tasks),
	TEST(fpu_mmx_state_private),
	{ 0 },
};
