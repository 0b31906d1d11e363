/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A checked harness for kernel/mapsplit*.c, shared by the Check tests
 * (test_mapsplit*.c) and the libFuzzer target
 * (tests/fuzz/fuzz_mapsplit_import.c).
 *
 * mapsplit_fake.c implements the ms_* hooks over MSK_NTASKS fake tasks
 * (task 0 is sigma0, with a root on each of its pages) and plays every
 * task's kpager: exported pages and tables go to its store, come back
 * from it (into a fresh buffer, so a stale pointer is caught by ASan),
 * and can be edited there first.  mapsplit_model.c applies operations
 * to the database and to a reference model (a plain tree of
 * pointer-linked nodes), and checks the database's invariants and its
 * translations against the model after every step.
 */
#ifndef TESTS_MAPSPLIT_CHECK_H
#define TESTS_MAPSPLIT_CHECK_H

#include <kernel/mapsplit.h>

#define MSK_NTASKS   5
#define MSK_NPAGES   16     /* pages a task maps: 8 in each of 2 node-table slots */
#define MSK_NSLOTS   2
#define MSK_MAXPAGES 8      /* node pages a task may have */
#define MSK_FRAME0   0x100000u
#define MSK_NPOS     (MSK_NTASKS * MSK_NPAGES)

/* The virtual address of page p (0..MSK_NPAGES-1) of any task. */
static inline uint32_t msk_va(unsigned p)
{
	return (uint32_t)(p / 8) << 22 | (uint32_t)(p % 8 + 1) << PAGE_SHIFT;
}

typedef struct msk_pte {
	bool present;
	uint32_t phys, rights;
	uint32_t access;                /* MS_RIGHT_R/W: referenced, written */
	uint32_t type;                  /* memory type (MS_ATTR_TYPE) */
} msk_pte_t;

typedef struct msk_task {
	ms_space_t ms;                  /* first: the hooks cast back */
	bool alive;
	ms_ent_t *pg[MSK_MAXPAGES];     /* present node pages */
	bool stored[MSK_MAXPAGES];      /* the kpager holds its external form */
	uint8_t store[MSK_MAXPAGES][PAGE_SIZE];
	uint8_t old[MSK_MAXPAGES][PAGE_SIZE];  /* the export before the last */
	unsigned exports[MSK_MAXPAGES];
	uint32_t *nt[MSK_NSLOTS];
	bool nt_stored[MSK_NSLOTS];
	uint32_t nt_store[MSK_NSLOTS][MS_NT_ENTS];
	msk_pte_t pte[MSK_NPAGES];
	bool noted[MSK_MAXPAGES];       /* ms_page_empty() told of it since msk_trim() */
	bool tainted;                   /* its kpager has edited a page it accepted */
	bool privileged;                /* may give its pages a memory type */
} msk_task_t;

extern msk_task_t msk_task[MSK_NTASKS];

enum msk_kind {
	MSK_MAP, MSK_GRANT, MSK_UNMAP, MSK_EXPORT_PAGE, MSK_EXPORT_TABLE, MSK_IMPORT,
	MSK_RESOLVE, MSK_EDIT, MSK_KILL, MSK_KINDS
};

typedef struct msk_op {
	uint8_t kind;
	uint8_t s1, p1, s2, p2;
	uint8_t rights;
	bool flush_self;
	uint8_t edit[8];                /* MSK_EDIT: what to change, and how */
} msk_op_t;

/* Supplied by the program that links the harness; must not return. */
void msk_fail(const char *msg) __attribute__((noreturn));
void msk_failf(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define MSK_REQUIRE(c, ...) do { if (!(c)) msk_failf(__VA_ARGS__); } while (0)

/* mapsplit_fake.c */
/* ms_page_empty() calls: how many, and the last one's task and page. */
extern uint32_t msk_empty_task, msk_empty_page;
extern unsigned msk_empty_calls;
extern uint32_t msk_revoked[16];    /* frames ms_frame_revoking() was told of */
extern unsigned msk_nrevoked;
void msk_fake_reset(void);
msk_task_t *msk_of(const ms_space_t *s);
int msk_page_of(uint32_t va);       /* page index of va in the window, or -1 */
ms_space_t *msk_space(unsigned t);
/* The kpager's part: give the kernel what need names (unchanged).
 * False when it cannot (no such task, out of node pages). */
bool msk_supply(const ms_need_t *need);
bool msk_export_page(unsigned t, uint32_t n);
/* The kernel's trim (kernel/space_split_trim.c) after every operation,
 * as for pool pages: each node page ms_page_empty() told of that is
 * still wholly free goes back, from anywhere in its task's list (one
 * below the last only while none of the task's pages is away), leaving
 * a hole (ms_page_gone).  How many went back. */
unsigned msk_trim(void);
/* msk_trim keeps each task's room page (ms_space_t.room), as the
 * kernel's trim keeps the lent page the allocator fills next; off at
 * msk_reset. */
extern bool msk_trim_keeps_room;
/* Calls of the ms_page() hook (each some 100 instructions in the
 * kernel, which has no preemption point inside the database's walks). */
extern unsigned long msk_page_looks;
bool msk_export_table(unsigned t, uint32_t slot);
/* Bring back node page n (or table slot) from the store: validate,
 * install, convert; a refused page is replaced by an empty one. */
int msk_import_page(unsigned t, uint32_t n);
int msk_import_table(unsigned t, uint32_t slot);
/* Bring back everything every kpager holds. */
void msk_import_all(void);
/* Kill task t and make a fresh one (a new id) in its place; in steps
 * when preemption points stop (below).  The task being killed, or -1. */
void msk_kill(unsigned t);
extern int msk_dying;
/* The database's invariants (I1-I4 and the lists), over present memory. */
void msk_selfcheck(void);
/* Call f until it returns other than MS_NEED/MS_NOMEM/MS_UNRESOLVED,
 * supplying what it asks for; resolve_first: source to resolve. */
int msk_resolve(unsigned t, unsigned p, uint32_t *phys, uint32_t *rights);

/* Preemption points (ms_stop_due): with msk_stop_pct above 0 each one
 * stops with that chance in 100, the harness drives maps and unmaps in
 * steps, and calls msk_on_stop (when set) at every stop. */
extern unsigned msk_stop_pct;
extern unsigned long msk_stops;
void msk_stop_seed(uint32_t seed);

/* mapsplit_model.c */
extern bool msk_hostile;            /* edits allowed: check safety, not equality */
extern unsigned msk_edits_accepted, msk_edits_refused;  /* node-page edits so far */
extern unsigned msk_unbacked;       /* checks of translations the model has not */
void msk_reset(bool hostile);
void msk_apply(const msk_op_t *op);
void msk_check(void);               /* invariants and translations vs the model */
void msk_check_resolve_all(void);   /* resolve everything: exactly the model */
void msk_describe(const msk_op_t *op, char *buf, size_t len);
void msk_dump(unsigned ti, unsigned p);   /* to stderr, for debugging */
extern void (*msk_on_stop)(void);   /* between the steps of a stopped map or unmap */
bool msk_mapped(unsigned ti, unsigned p);  /* does the model map task ti's page p? */

#endif
