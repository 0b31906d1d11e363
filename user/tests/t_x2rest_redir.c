/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Chains of redirectors (kernel/ipc_redirect.c, docs/abi.md "Redirection").
 */
#include "tests.h"

const struct test x2rest_redir_tests[] = {
	{ 0 },
};
