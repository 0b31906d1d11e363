/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the import paths of kernel/mapsplit*.c: the input
 * is a sequence of 16-byte operations (map, grant, unmap, export and
 * import of node pages and tables, resolves, task deaths, structure-aware
 * kpager edits) and of raw ones that overwrite an entry of an exported
 * node page or a run of node-table entries with the input's own bytes
 * before it is imported.  It runs through the hostile harness of
 * tests/unit/mapsplit_check.h, so after every operation the database's
 * invariants are checked and every translation must follow an edge a map
 * or grant made, from a translation with that frame and at least those
 * rights, and be the model's own wherever no edited task is involved;
 * at the end everything is resolved and checked once more.
 * MSK_TRACE=1 prints every operation (raw ones as "raw").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mapsplit_check.h"

#define OP_SIZE 16
#define RAW_SIZE 48
#define MAX_OPS 96

void msk_fail(const char *msg)
{
	fprintf(stderr, "fuzz_mapsplit_import: %s\n", msg);
	abort();
}

/*
 * Byte 0: kind (low 4 bits, taken mod MSK_KINDS; 0xF: a raw overwrite,
 * whose 48 bytes follow the operation), flush_self (bit 4).  Bytes 1-4:
 * task and page of source and destination.  Byte 5: rights.  Bytes 6-13:
 * what an edit changes.
 */
static msk_op_t decode(const uint8_t *b)
{
	msk_op_t op = {
		.kind = (uint8_t)((b[0] & 0xF) % MSK_KINDS),
		.flush_self = (b[0] >> 4) & 1,
		.s1 = b[1] % MSK_NTASKS, .p1 = b[2] % MSK_NPAGES,
		.s2 = b[3] % MSK_NTASKS, .p2 = b[4] % MSK_NPAGES,
		.rights = b[5],
	};
	memcpy(op.edit, b + 6, sizeof(op.edit));
	return op;
}

/* Overwrite entry b[2] of node page b[3] of task b[1] (or, b[4] odd,
 * twelve entries of its node table) with raw bytes, then import it. */
static void raw(const uint8_t *b, const uint8_t *bytes)
{
	unsigned t = 1 + b[1] % (MSK_NTASKS - 1);
	msk_task_t *task = &msk_task[t];

	if (b[4] & 1) {
		unsigned slot = b[3] % MSK_NSLOTS, at = (b[2] | b[5] << 8) % (MS_NT_ENTS - 12);

		if (task->nt[slot])
			msk_export_table(t, slot);
		if (!task->nt_stored[slot])
			return;
		memcpy(&task->nt_store[slot][at], bytes, RAW_SIZE);
		msk_import_table(t, slot);
	} else {
		unsigned n = b[3] % MSK_MAXPAGES, k = b[2] % MS_ENTS;

		if (task->pg[n])
			msk_export_page(t, n);
		if (!task->stored[n])
			return;
		memcpy(task->store[n] + k * MS_ENT_SIZE, bytes, RAW_SIZE);
		msk_import_page(t, n);
	}
	task->tainted = true;
	msk_check();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int trace = -1;
	unsigned ops = 0;

	if (trace < 0)
		trace = getenv("MSK_TRACE") != NULL;
	msk_reset(true);
	for (size_t pos = 0; pos + OP_SIZE <= size && ops < MAX_OPS; pos += OP_SIZE, ops++) {
		const uint8_t *b = data + pos;

		if ((b[0] & 0xF) == 0xF) {
			if (pos + OP_SIZE + RAW_SIZE > size)
				break;
			if (trace)
				fprintf(stderr, "%u: raw %u/%u/%u/%u\n", ops + 1, b[1], b[2], b[3], b[4]);
			raw(b, b + OP_SIZE);
			pos += RAW_SIZE;
			continue;
		}
		msk_op_t op = decode(b);
		if (trace) {
			char buf[160];

			msk_describe(&op, buf, sizeof(buf));
			fprintf(stderr, "%u: %s\n", ops + 1, buf);
		}
		msk_apply(&op);
	}
	msk_check_resolve_all();
	msk_import_all();
	msk_check_resolve_all();
	return 0;
}
