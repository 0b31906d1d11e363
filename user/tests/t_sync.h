/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Waits that do not depend on the host's speed (t_sync.c).  A test that
 * is not about time waits for what it needs for as long as it takes: no
 * wall-clock bound decides its outcome.  If the awaited state never
 * comes, the test hangs and the harness names it (its limits count
 * QEMU's processor time, tools/qemu_harness.py).
 */
#ifndef TESTS_T_SYNC_H
#define TESTS_T_SYNC_H

#include "tests.h"

/* t in Schedule's state want (polled, 1 ms asleep between looks); 0 at
 * once if t is gone (Schedule answers error) and want is not that.
 * The sleeps are IPCs: they overwrite MR0-MR2 (load a message after). */
int t_until_state(L4_ThreadId_t t, L4_Word_t want);
/* t blocked in a receive (Schedule: waiting). */
int t_until_waiting(L4_ThreadId_t t);
/* *w == want (polled the same way). */
void t_until(volatile L4_Word_t *w, L4_Word_t want);
/* *w >= want. */
void t_until_at_least(volatile L4_Word_t *w, L4_Word_t want);

/* Test-only delays that open the windows the fixed tests once depended
 * on: build with -DT_FLAKY_DELAY=us, and each marked point spins times
 * that long (a host that takes QEMU's processor away at that point).
 * 0 (the default): nothing. */
#ifndef T_FLAKY_DELAY
#define T_FLAKY_DELAY	0
#endif
void t_flaky_delay(L4_Word_t times);

#endif
