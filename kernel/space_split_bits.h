/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The access bits and memory type a record keeps for its translation,
 * across a page table taken back (kernel/space_split_bits.c,
 * docs/mapdb-split.md "Access bits and memory type").
 */
#ifndef KERNEL_SPACE_SPLIT_BITS_H
#define KERNEL_SPACE_SPLIT_BITS_H

#include <kernel/space.h>
#include <kernel/mapdb.h>

/* s's page table for 4 MB slot pde is about to go vacant: the access
 * bits of its translations go to their records.  Needs no memory. */
void space_split_keep_bits(space_t *s, uint32_t pde);
/* The cache mode (PTE bits) of the mapping n: the record's type. */
uint32_t space_split_mode_of(const mapnode_t *n);
/* MemoryControl: the records of s's pages from va on, pages in all,
 * take mode (those whose node table or node page is away keep theirs). */
void space_split_type_set(space_t *s, uint32_t va, uint64_t pages, uint32_t mode);

#endif
