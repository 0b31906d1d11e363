/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The page-fault protocol.  The kernel sends the pager a message with
 * label -2 in the top 12 bits and the faulting access (r = 4, w = 2,
 * x = 1) in the low 4 bits of the label, and two untyped words: the
 * fault address and the faulting instruction pointer.  The pager answers
 * with one map or grant item (or nothing: an empty reply maps nothing).
 */
#ifndef L4_PAGEFAULT_H
#define L4_PAGEFAULT_H

#include <l4/message.h>

typedef union L4_PfRequest {
	L4_Word_t raw[3];
	struct {
		L4_Word_t u : 6;		/* 2 */
		L4_Word_t t : 6;		/* 0 */
		L4_Word_t __zero : 4;
		L4_Word_t wrx : 4;		/* access rights of the fault */
		L4_Word_t __label : 12;		/* -2 */
		L4_Word_t fault_address;
		L4_Word_t fault_ip;
	} X;
} L4_PfRequest_t;

typedef union L4_PfReply {
	L4_Word_t raw[3];
	struct {
		L4_Word_t u : 6;		/* 0 */
		L4_Word_t t : 6;		/* 2 */
		L4_Word_t __zero : 4;
		L4_Word_t __label : 16;		/* 0 */
		L4_MapItem_t MapItem;
	} X;
} L4_PfReply_t;

_Static_assert(sizeof(L4_PfRequest_t) == 12, "page-fault message is MR0..MR2");
_Static_assert(sizeof(L4_PfReply_t) == 12, "page-fault reply is MR0..MR2");

#endif
