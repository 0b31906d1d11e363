/* SPDX-License-Identifier: BSD-2-Clause */
/* Two workers that keep FPU state across switches: what t_fpu.c shares
 * with t_sse.c and t_sse2.c. */
#ifndef TESTS_T_FPU_H
#define TESTS_T_FPU_H

#include "tests.h"

/* t_shared: [0 + k] ready, [2 + k] turns taken, [4 + k] wrong values
 * seen, [6 + k] turns the other took meanwhile, [8 + k] done. */
enum { F_READY = 0, F_TURNS = 2, F_BAD = 4, F_OTHER = 6, F_DONE = 8 };

/* Wait (yielding) until the other worker is ready too. */
void t_fpu_meet(L4_Word_t k);
/* A worker's end: the other's turns since other0 (its count when the
 * worker began), the wrong values it saw, and done. */
void t_fpu_worker_done(L4_Word_t k, L4_Word_t other0, L4_Word_t bad);
/* Run fn(0) and fn(1) as threads of our space (or as two tasks); both
 * must end with no wrong value seen, each having seen the other run. */
const char *t_fpu_two_workers(rt_entry_t fn, int tasks);

#endif
