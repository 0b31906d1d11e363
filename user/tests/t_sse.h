/* SPDX-License-Identifier: BSD-2-Clause */
/* What t_sse.c shares with t_sse2.c (built with -msse2). */
#ifndef TESTS_T_SSE_H
#define TESTS_T_SSE_H

#include "tests.h"
#include "t_fpu.h"

int t_sse_present(void);          /* CPUID: FXSR and SSE */
int t_sse2_present(void);         /* and SSE2 */
/* The x87 FPU works in a fresh thread (t_shared[14], [15]). */
const char *t_sse_x87_check(void);
/* t_sse2.c, built with -msse2: exact sums, counted as above. */
void t_sse2_worker(L4_Word_t k);
/* No SSE: an SSE instruction is #UD (6), the x87 FPU works. */
const char *t_sse_absent_check(void);

#endif
