/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness's failure (mapsplit_check.h) as a Check failure, for the
 * unit tests of kernel/mapsplit*.c and of the self-check's record lookup
 * (all but test_mapsplit_random.c, whose failure names its seed).
 */
#include <stdlib.h>
#include "mapsplit_unit.h"

void msk_fail(const char *msg)
{
	ck_abort_msg("%s", msg);
	abort();
}
