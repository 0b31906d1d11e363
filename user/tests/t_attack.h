/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the hostile tests of t_attack_*.c (docs/attack-surface.md). */
#ifndef TESTS_T_ATTACK_H
#define TESTS_T_ATTACK_H

#include "tests.h"

/* Write word into the root's page p, map p with full rights to agent ag
 * at addr (a 4 KB window), and check that ag reads word there. */
const char *t_attack_map_marked(L4_ThreadId_t ag, L4_Word_t p, L4_Word_t addr, L4_Word_t word);

#endif
