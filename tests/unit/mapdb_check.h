/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A checked harness for kernel/mapdb.c, shared by the Check property test
 * (test_mapdb_random.c) and the libFuzzer target (tests/fuzz/fuzz_mapdb.c).
 *
 * mapdb_fake.c implements the space_* hooks over MDB_NSPACES small fake
 * spaces, with a node pool that catches double frees, frees to the wrong
 * space and writes after free, and switches that make allocations fail.
 * mapdb_model.c applies one operation to the database and to a reference
 * model of it, then checks the whole tree against its invariants and
 * against the model.  Any violation ends in mdb_fail(), which the program
 * that links the harness supplies.
 */
#ifndef TESTS_MAPDB_CHECK_H
#define TESTS_MAPDB_CHECK_H

#include <kernel/mapdb.h>

#define MDB_NSPACES  6
#define MDB_NPAGES   32     /* pages per fake space; page MDB_NPAGES is out of range */
#define MDB_NT_PAGES 8      /* pages covered by one fake node table */
#define MDB_NPOS     (MDB_NSPACES * MDB_NPAGES)
#define MDB_POOL     512    /* nodes; freed ones queue FIFO before reuse */
#define MDB_FRAME0   0x100000u
#define MDB_NFRAMES  8

typedef struct mdb_pte {
	bool present;
	uint32_t phys, rights, access;
} mdb_pte_t;

struct space {
	int id;
	mapnode_t *slot[MDB_NPAGES];
	bool table[MDB_NPAGES / MDB_NT_PAGES];
	mdb_pte_t pte[MDB_NPAGES];
	int nodes;                 /* nodes charged to this space */
};

enum mdb_kind { MDB_ROOT, MDB_MAP, MDB_GRANT, MDB_UNMAP, MDB_TOUCH, MDB_KINDS };

/* Allocation failures switched on for one operation. */
#define MDB_FAIL_TABLE 1u
#define MDB_FAIL_NODE  2u
#define MDB_FAIL_PTE   4u

typedef struct mdb_op {
	uint8_t kind;              /* enum mdb_kind */
	uint8_t s1, p1;            /* space and page operated on (map: source) */
	uint8_t s2, p2;            /* map, grant: destination */
	uint8_t rights;            /* RIGHT_* (touch: access bits to set) */
	uint8_t frame;             /* root: frame index */
	bool flush_self;           /* unmap */
	uint8_t fail;              /* MDB_FAIL_* */
	uint16_t offset;           /* low address bits the caller adds to vaddrs */
} mdb_op_t;

extern space_t mdb_space[MDB_NSPACES];
extern unsigned mdb_fail_now;  /* MDB_FAIL_* in force */
/* Stop every n-th preemption point of a walk (0: never). */
extern unsigned mdb_stop_every;

/* Supplied by the program that links the harness; must not return. */
void mdb_fail(const char *msg) __attribute__((noreturn));

/* mapdb_fake.c */
void mdb_fake_reset(void);
void mdb_fake_check(int live);       /* pool against the slots */
bool mdb_node_live(const mapnode_t *n);

/* mapdb_model.c */
/* Fail with the current operation's number and description in front. */
void mdb_failf(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void mdb_reset(void);                /* empty database, fake and model */
void mdb_apply(const mdb_op_t *op);  /* one operation, then every check */
void mdb_check(void);                /* the tree's invariants alone */
void mdb_clear_all(void);            /* unmap everything; no node may remain */
void mdb_describe(const mdb_op_t *op, char *buf, size_t len);

#define MDB_REQUIRE(c, ...) do { if (!(c)) mdb_failf(__VA_ARGS__); } while (0)

#endif
