/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the two string test files (t_xstring.c, t_xstring_xfer.c) share:
 * their buffers (few, since every page of the image is taken from sigma0
 * for good) and how they spell items and error codes.
 */
#ifndef TESTS_T_XSTRING_H
#define TESTS_T_XSTRING_H

#include "tests.h"

#define XS_SMALL	512

/* t_string.c's buffers, used here by other names: the root's own source
 * and buffer, and two pages whose second one a test's agent never has
 * mapped before the test touches it. */
extern unsigned char sbuf[XS_SMALL], rbuf[XS_SMALL], agbuf[2][RT_PAGE_SIZE];
#define xs_src		sbuf
#define xs_dst		rbuf
#define xs_pages	agbuf

/* A string item's first word: length, substrings, c (compound), C
 * (another receive buffer follows). */
L4_Word_t xs_item(L4_Word_t len, int subs, int compound, int more);

/* A whole ErrorCode: offset << 4 | code << 1 | receive phase. */
L4_Word_t xs_ec(L4_Word_t code, int recv, L4_Word_t offset);

/* Send t typed words to a new thread of the root that receives with
 * BR0 = acc and BR1.. = br; the send's ErrorCode (0: success) in *sec,
 * the receiver's tag, ErrorCode and MR1..MR8 in *rtag, *rec, rmr[8]. */
const char *xs_exchange(L4_Word_t acc, const L4_Word_t *br, int nbr, const L4_Word_t *items,
			int t, L4_Word_t *sec, L4_Word_t *rtag, L4_Word_t *rec, L4_Word_t *rmr);

#endif
