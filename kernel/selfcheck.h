/* SPDX-License-Identifier: BSD-2-Clause */
/* The kernel's self-check of its own structures (kernel/selfcheck.c). */
#ifndef KERNEL_SELFCHECK_H
#define KERNEL_SELFCHECK_H

#include <kernel/types.h>
#include <kernel/l4types.h>

/* Check every thread's kernel state: the threads that break a rule, the
 * first of them and its rule (enum kcont_fault) in *first and *rule. */
uint32_t selfcheck_threads(tid_t *first, uint32_t *rule);
/* Check every other kernel structure (kernel/selfcheck_walk.c): 0, or 1
 * with the first rule broken (enum lent_selfcheck_rule) in *rule, a
 * thread of the task concerned in *first (nil: none), where in *where,
 * the task's number in *task. */
uint32_t selfcheck_structures(tid_t *first, uint32_t *rule, uint32_t *where, uint32_t *task);

#endif
