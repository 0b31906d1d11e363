/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One runner for the host unit tests' mains (unit_runner.h), so that a
 * suite is run, counted and judged the same way in every test.
 */
#include <stdlib.h>
#include "unit_runner.h"

int unit_run(const char *suite, const char *tcase, const TTest *const *tests,
	     void (*setup)(void), void (*teardown)(void))
{
	Suite *s = suite_create(suite);
	TCase *tc = tcase_create(tcase);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}

int unit_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
