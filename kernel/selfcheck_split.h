/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check's rules over the split database's own
 * links (kernel/selfcheck_split.c), which kernel/selfcheck_space.c's
 * rules call: a record's chain to its parent and its list of sender
 * parts, a node page's free entries, a port's record.  Each returns 0
 * or the rule broken (and *f), as the rules of selfcheck_space.h do.
 */
#ifndef KERNEL_SELFCHECK_SPLIT_H
#define KERNEL_SELFCHECK_SPLIT_H

#include <kernel/selfcheck_space.h>

/* The record n of v at va (found there by the database): its chain,
 * if resolved and not a root (I1), and its list of parts (I2). */
uint32_t sc_split_record(const sc_space_t *v, const mapnode_t *n, uint32_t va, sc_fault_t *f);
/* v's first len node pages' free entries, and v's count of them unless
 * teardown (its node pages going back); their entries' access bits. */
uint32_t sc_split_free(const sc_space_t *v, uint32_t len, bool teardown, sc_fault_t *f);
/* May v's bitmap allow port (nt: its node table): is there a record the
 * database finds there, resolved? */
bool sc_split_port(const sc_space_t *v, const mapslot_t *nt, uint32_t port);

#endif
