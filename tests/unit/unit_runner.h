/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The main of a host unit test that runs one list of tests (unit_runner.c):
 * the tests, in order, as one test case of one Check suite, each under
 * an optional checked fixture, and the exit status the Makefile's run
 * judges.  A test whose suite needs more of Check builds its own and
 * runs it with unit_run_suite().
 */
#ifndef TESTS_UNIT_RUNNER_H
#define TESTS_UNIT_RUNNER_H

#include <check.h>

/* Run tests (NULL-terminated) as test case `tcase` of suite `suite`.
 * setup and teardown (NULL: none) make a checked fixture: they run in
 * each test's own process, before and after it, so every test starts
 * on a fresh one.  The exit status for main. */
int unit_run(const char *suite, const char *tcase, const TTest *const *tests,
	     void (*setup)(void), void (*teardown)(void));
/* Run every test of s and free it; the exit status for main. */
int unit_run_suite(Suite *s);

#endif
