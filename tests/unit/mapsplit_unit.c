/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness's failure (mapsplit_check.h) as a Check failure, and the
 * main of each unit test of kernel/mapsplit*.c (mapsplit_unit.h).
 */
#include <stdlib.h>
#include "mapsplit_unit.h"

void msk_fail(const char *msg)
{
	ck_abort_msg("%s", msg);
	abort();
}

int msk_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
