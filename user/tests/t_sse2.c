/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program built with -msse2 -mfpmath=sse (the Makefile gives this file
 * those flags): the compiler's own SSE2 code (packed and scalar double
 * arithmetic, 64-bit integer vectors) runs in two threads that switch
 * back and forth, and gets exact results.  On a CPU without SSE2 the
 * same code is an invalid opcode (6) and the x87 FPU still works.  This
 * file holds only the worker, since anything in it may use SSE2: the
 * test that runs it (after the CPUID check) is in t_sse.c.
 */
#include "tests.h"
#include "t_sse.h"

#define SSE2_ROUNDS	300

typedef double v2df __attribute__((vector_size(16)));
typedef long long v2di __attribute__((vector_size(16)));

/* Sums that integer arithmetic can check: over i < SSE2_ROUNDS,
 * 2i and 3(k + 1) in doubles, i and k in 64-bit lanes, i / 2 scalar. */
void t_sse2_worker(L4_Word_t k)
{
	v2df acc = { 0.0, 0.0 }, mul = { 2.0, 3.0 };
	v2di lanes = { 0, 0 };
	double half = 0.0;
	L4_Word_t bad = 0, other0;
	int i;

	t_fpu_meet(k);
	other0 = t_shared[F_TURNS + (k ^ 1)];
	for (i = 0; i < SSE2_ROUNDS; i++) {
		v2df x = { (double)i, (double)(k + 1) };
		v2di y = { i, (long long)k };

		acc += x * mul;
		lanes += y;
		half += (double)i / 2.0;
		L4_ThreadSwitch(L4_nilthread);
		t_shared[F_TURNS + k]++;
	}
	if (acc[0] != 89700.0 || acc[1] != 900.0 * (double)(k + 1))
		bad++;
	if (lanes[0] != 44850 || lanes[1] != 300LL * (long long)k)
		bad++;
	if (half != 22425.0)
		bad++;
	t_fpu_worker_done(k, other0, bad);
}
