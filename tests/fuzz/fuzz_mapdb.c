/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for kernel/mapdb.c: the input is a sequence of 7-byte
 * operations (root, map, grant, unmap, access bits, with allocation
 * failures), applied through the same harness as tests/unit's property
 * test (tests/unit/mapdb_check.h): after every operation the whole tree is
 * checked against its invariants and a reference model.  A failure prints
 * the operations up to the one that failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "mapdb_check.h"

#define OP_SIZE 7
#define MAX_OPS 1024

static mdb_op_t ops[MAX_OPS];
static unsigned nops;

void mdb_fail(const char *msg)
{
	char buf[128];

	fprintf(stderr, "fuzz_mapdb: %s\noperations:\n", msg);
	for (unsigned i = 0; i < nops; i++) {
		mdb_describe(&ops[i], buf, sizeof(buf));
		fprintf(stderr, "  %u: %s\n", i + 1, buf);
	}
	abort();
}

/*
 * Byte 0: kind (low 3 bits, taken mod 5), flush_self (bit 3), allocation
 * failures (bits 4-6), an unaligned address (bit 7, low bits from byte 6).
 * Bytes 1-4: space and page of source and destination.  Byte 5: rights
 * (with junk above them) and, shifted, the frame of a root.
 */
static mdb_op_t decode(const uint8_t *b)
{
	return (mdb_op_t){
		.kind = (uint8_t)((b[0] & 7) % MDB_KINDS),
		.flush_self = (b[0] >> 3) & 1,
		.fail = (b[0] >> 4) & 7,
		.s1 = b[1], .p1 = b[2], .s2 = b[3], .p2 = b[4],
		.rights = b[5],
		.frame = (uint8_t)(b[5] >> 3),
		.offset = (uint16_t)(b[0] & 0x80 ? b[6] << 4 | b[6] >> 4 : 0),
	};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mdb_reset();
	nops = 0;
	for (size_t pos = 0; pos + OP_SIZE <= size && nops < MAX_OPS; pos += OP_SIZE) {
		ops[nops] = decode(data + pos);
		nops++;
		mdb_apply(&ops[nops - 1]);
	}
	mdb_clear_all();
	mdb_check();
	return 0;
}
