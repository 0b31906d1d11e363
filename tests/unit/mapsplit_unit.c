/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness's failure (mapsplit_check.h) as a Check failure, and what
 * the main of each unit test of kernel/mapsplit*.c runs: its tests, in
 * order, as one test case of one suite (mapsplit_unit.h).
 */
#include <stdlib.h>
#include "mapsplit_unit.h"

void msk_fail(const char *msg)
{
	ck_abort_msg("%s", msg);
	abort();
}

int msk_run(const char *suite, const char *tcase, const TTest *const *tests)
{
	Suite *s = suite_create(suite);
	TCase *tc = tcase_create(tcase);
	SRunner *sr;
	int failed;

	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
