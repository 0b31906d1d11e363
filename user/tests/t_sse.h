/* SPDX-License-Identifier: BSD-2-Clause */
/* What t_sse.c shares with t_sse2.c (built with -msse2). */
#ifndef TESTS_T_SSE_H
#define TESTS_T_SSE_H

#include "tests.h"

/* t_shared: [0 + k] ready, [2 + k] turns taken, [4 + k] wrong values
 * seen, [6 + k] turns the other took meanwhile, [8 + k] done. */
enum { S_READY = 0, S_TURNS = 2, S_BAD = 4, S_OTHER = 6, S_DONE = 8 };

int t_sse_present(void);          /* CPUID: FXSR and SSE */
int t_sse2_present(void);         /* and SSE2 */
/* Wait (yielding) until the other worker is ready too. */
void t_sse_meet(L4_Word_t k);
/* Run fn(0) and fn(1) as two threads (or tasks) and check their counts. */
const char *t_sse_two_workers(rt_entry_t fn, int tasks);
/* The x87 FPU works in a fresh thread (t_shared[14], [15]). */
const char *t_sse_x87_check(void);
/* t_sse2.c, built with -msse2: exact sums, counted as above. */
void t_sse2_worker(L4_Word_t k);
/* No SSE: an SSE instruction is #UD (6), the x87 FPU works. */
const char *t_sse_absent_check(void);

#endif
