/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of kernel/mapsplit*.c over the fake tasks of
 * mapsplit_check.h: one refusal per thing validation checks, with
 * hand-made hostile pages (forged frames, kernel pointers, other tasks'
 * ids, stale generations, cycles, duplicates, addresses outside the
 * slot), and accepted hostile pages giving nothing beyond the chain.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mapsplit_unit.h"

/* ---- import refusals, each thing validation checks ---- */

static uint8_t page[PAGE_SIZE];

/* A real external page of task 2: records and parts in it. */
static ms_ent_t *good_page(void)
{
	msk_reset(false);
	chain();
	map(0, 6, 2, 10, 4);
	ck_assert(msk_export_page(2, 0));
	memcpy(page, msk_task[2].store[0], PAGE_SIZE);
	ck_assert_int_eq(ms_validate_page(msk_space(2), 0, page), MS_OK);
	return (ms_ent_t *)page;
}

/* Seal every part of page e again, as the kernel would: a kpager that
 * could (it cannot: the key is the kernel's) still gains nothing. */
static void reseal(ms_ent_t *e)
{
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind == MS_PART)
			ms_part_seal(msk_space(2), &e[k]);
}

static unsigned find_kind(const ms_ent_t *e, uint8_t kind, unsigned nth)
{
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind == kind && nth-- == 0)
			return k;
	ck_abort_msg("no entry of kind %u", kind);
	return 0;
}

#define REFUSED() ck_assert_int_eq(ms_validate_page(msk_space(2), 0, page), MS_REFUSED)

START_TEST(test_refuse_header)
{
	ms_hdr_t *h = (ms_hdr_t *)good_page();

	h->magic ^= 1;
	REFUSED();
	good_page();
	h->page = 1;                                   /* another page's */
	REFUSED();
	good_page();
	h->task = msk_task[3].ms.id;                   /* another task's page */
	REFUSED();
	good_page();
	h->ent_size = 32;
	REFUSED();
	good_page();
	h->zero[2] = 1;
	REFUSED();
	good_page();
	page[PAGE_SIZE - 1] = 1;                       /* the tail */
	REFUSED();
	good_page();
	((ms_ent_t *)page)[0].k.hdr.nfree = 3;         /* in-kernel header bytes */
	REFUSED();
}
END_TEST

START_TEST(test_refuse_kernel_bytes_and_flags)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0);

	e[r].k.rec.phys = 0xC0100000u;                 /* a kernel pointer */
	REFUSED();
	e = good_page();
	e[r].k.rec.hint = MS_REF(0, 3);
	REFUSED();
	e = good_page();
	e[r].flags = MS_F_RESOLVED;                    /* forged in-kernel state */
	REFUSED();
	e = good_page();
	e[r].flags = MS_F_ROOT;                        /* forged root */
	REFUSED();
	e = good_page();
	e[r].attr = 0x80;                              /* byte 3: no such bit */
	REFUSED();
	e = good_page();
	e[find_kind(e, MS_PART, 0)].attr = 1;          /* a part's byte 3 is 0 */
	REFUSED();
	e = good_page();
	e[find_kind(e, MS_FREE, 0)].vaddr = 5;         /* junk in a free entry */
	REFUSED();
	e = good_page();
	e[r].kind = 9;
	REFUSED();
}
END_TEST

START_TEST(test_refuse_rights_addresses_generations)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0), p = find_kind(e, MS_PART, 0);

	e[r].rights = 0x0F;
	REFUSED();
	e = good_page();
	e[p].rights = 0;
	REFUSED();
	e = good_page();
	e[r].vaddr = msk_va(2) + 4;                    /* unaligned */
	REFUSED();
	e = good_page();
	e[r].vaddr = 0xC0001000u;                      /* outside the task's window */
	REFUSED();
	e = good_page();
	e[p].vaddr = 5u << 22 | PAGE_SIZE;             /* in no slot of the task */
	REFUSED();
	e = good_page();
	e[p].pvaddr = msk_va(3) + 1;
	REFUSED();
	e = good_page();
	e[r].gen = ms_gen_next;                        /* from the future */
	REFUSED();
	e = good_page();
	e[p].egen = 0;
	REFUSED();
	e = good_page();
	e[r].task = 0;                                 /* no partner */
	REFUSED();
	e = good_page();
	e[r].task = msk_task[2].ms.id;                 /* its own parent */
	e[r].pvaddr = e[r].vaddr;
	REFUSED();
}
END_TEST

START_TEST(test_refuse_duplicates)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0), p = find_kind(e, MS_PART, 0);
	unsigned f = find_kind(e, MS_FREE, 0);

	e[f] = e[r];                                   /* one address's record twice */
	e[f].gen = 1;
	REFUSED();
	e = good_page();
	e[f] = e[p];                                   /* one edge's part twice */
	REFUSED();
	e = good_page();
	e[f] = e[p];                                   /* an older edge to that page: */
	e[f].gen = 1;                                  /* can be (its part waits to go) */
	REFUSED();                                     /* but not with the old seal */
	reseal(e);
	ck_assert_int_eq(ms_validate_page(msk_space(2), 0, page), MS_OK);
}
END_TEST

START_TEST(test_refuse_table)
{
	static uint32_t t[MS_NT_ENTS];

	msk_reset(false);
	chain();
	ck_assert(msk_export_table(2, 0));
	memcpy(t, msk_task[2].nt_store[0], sizeof(t));
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_OK);
	t[2] = MS_REF(7, 1);                           /* a page the task has not */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
	t[2] = MS_REF(0, 0);
	t[3] = MS_REF(0, MS_ENTS);                     /* an entry past the page */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
	t[3] = 0;
	t[100] = MS_REF(0, 1);                         /* an address outside the window */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
	t[100] = 0;
	t[5] = 0xC0100000u;                            /* a kernel pointer */
	ck_assert_int_eq(ms_validate_table(msk_space(2), 0, t), MS_REFUSED);
}
END_TEST

/* ---- accepted hostile pages give nothing beyond the chain ---- */

/* Import page 0 of task 2 as `page` says, then resolve t:p. */
static int import_and_resolve(unsigned t, unsigned p, uint32_t *phys, uint32_t *rights)
{
	memcpy(msk_task[2].store[0], page, PAGE_SIZE);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	msk_check();
	return resolve(t, p, phys, rights);
}

START_TEST(test_forged_rights_narrowed_by_the_chain)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();

	for (unsigned k = 1; k < MS_ENTS; k++)
		if (e[k].kind != MS_FREE)
			e[k].rights = MS_RIGHTS;               /* every right everywhere */
	REFUSED();                                     /* a part no longer sealed */
	reseal(e);
	ck_assert_int_eq(import_and_resolve(2, 2, &phys, &rights), MS_OK);
	ck_assert_uint_eq(rights, 6);                  /* what task 1's part gives */
	ck_assert_int_eq(resolve(3, 3, &phys, &rights), MS_OK);
	ck_assert_uint_eq(rights, 4);                  /* task 3's own part says R */
	ck_assert_uint_eq(phys, F(1));
}
END_TEST

START_TEST(test_forged_frame_and_parent)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0);

	/* "My page came from sigma0's page 9" (its frame F(9)): sigma0 never
	 * mapped it so, so there is no partner part. */
	e[r].task = msk_task[0].ms.id;
	e[r].pvaddr = msk_va(9);
	ck_assert_int_eq(import_and_resolve(2, e[r].vaddr == msk_va(2) ? 2 : 10, &phys, &rights),
			 MS_NONE);
	ck_assert(!pte(2, 2)->present || pte(2, 2)->phys != F(9));
	ck_assert(!pte(2, 10)->present || pte(2, 10)->phys != F(9));
}
END_TEST

START_TEST(test_forged_lender_not_told)
{
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0), p = e[r].vaddr == msk_va(2) ? 2 : 10;
	ms_need_t need;

	/* Task 2's record claims to sit below sigma0's root of frame 9 (a
	 * frame another task may have lent the kernel): unmapping it must
	 * not make the kernel give that frame back. */
	e[r].task = msk_task[0].ms.id;
	e[r].pvaddr = msk_va(9);
	e[r].gen = 1000 < ms_gen_next ? 1000 : ms_gen_next - 1;
	memcpy(msk_task[2].store[0], page, PAGE_SIZE);
	ck_assert_int_eq(msk_import_page(2, 0), MS_OK);
	msk_nrevoked = 0;
	ck_assert_int_eq(ms_unmap(msk_space(2), msk_va(p), MS_RIGHTS, true, &(uint32_t){0}, &need),
			 MS_OK);
	ck_assert_uint_eq(msk_nrevoked, 0);
}
END_TEST

START_TEST(test_forged_other_task_and_stale_generation)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned r = find_kind(e, MS_REC, 0);
	unsigned p = e[r].vaddr == msk_va(2) ? 2 : 10;

	e[r].task = msk_task[4].ms.id;                 /* another task, same address */
	ck_assert_int_eq(import_and_resolve(2, p, &phys, &rights), MS_NONE);
	e = good_page();
	e[r].gen -= 1;                                 /* an older generation */
	ck_assert_int_eq(import_and_resolve(2, p, &phys, &rights), MS_NONE);
}
END_TEST

START_TEST(test_forged_part_to_another_task)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned p = find_kind(e, MS_PART, 0), f = find_kind(e, MS_FREE, 0);

	/* A part that says task 2 mapped page 2 to task 1's page 1 (which
	 * came from sigma0): task 1 does not take it. */
	e[f] = e[p];
	e[f].task = msk_task[1].ms.id;
	e[f].pvaddr = msk_va(1);
	e[f].gen = rec(1, 1)->gen;
	REFUSED();
	reseal(e);
	ck_assert_int_eq(import_and_resolve(1, 1, &phys, &rights), MS_OK);
	ck_assert_uint_eq(phys, F(1));
	ck_assert_uint_eq(rec(1, 1)->task, msk_task[0].ms.id);
}
END_TEST

START_TEST(test_forged_cycle)
{
	uint32_t phys, rights;
	ms_ent_t *e = good_page();
	unsigned a = find_kind(e, MS_FREE, 0), b = find_kind(e, MS_FREE, 1);
	unsigned pa = find_kind(e, MS_FREE, 2), pb = find_kind(e, MS_FREE, 3);
	uint32_t id = msk_task[2].ms.id;

	/* Pages 5 and 6 of task 2 each derived from the other, with both
	 * parts: only generations that grow downwards count, so no walk
	 * can go round. */
	e[a] = (ms_ent_t){ .kind = MS_REC, .rights = 7, .vaddr = msk_va(5), .task = id,
			   .pvaddr = msk_va(6), .gen = 3, .egen = 3 };
	e[b] = (ms_ent_t){ .kind = MS_REC, .rights = 7, .vaddr = msk_va(6), .task = id,
			   .pvaddr = msk_va(5), .gen = 4, .egen = 4 };
	e[pa] = (ms_ent_t){ .kind = MS_PART, .rights = 7, .vaddr = msk_va(6), .task = id,
			    .pvaddr = msk_va(5), .gen = 3, .egen = 4 };
	e[pb] = (ms_ent_t){ .kind = MS_PART, .rights = 7, .vaddr = msk_va(5), .task = id,
			    .pvaddr = msk_va(6), .gen = 4, .egen = 3 };
	/* The table must name them: write it as the task's kpager would. */
	msk_task[2].nt[0][(msk_va(5) >> PAGE_SHIFT) & 1023] = MS_REF(0, a);
	msk_task[2].nt[0][(msk_va(6) >> PAGE_SHIFT) & 1023] = MS_REF(0, b);
	REFUSED();                                     /* parts the kernel never sealed */
	reseal(e);                                     /* as if the kpager could */
	ck_assert_int_eq(import_and_resolve(2, 5, &phys, &rights), MS_NONE);
	ck_assert_int_eq(resolve(2, 6, &phys, &rights), MS_NONE);
	op(MSK_UNMAP, 2, 5, 0, 0, MS_RIGHTS, true);
	msk_check_resolve_all();
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		test_refuse_header,
		test_refuse_kernel_bytes_and_flags,
		test_refuse_rights_addresses_generations,
		test_refuse_duplicates,
		test_refuse_table,
		test_forged_rights_narrowed_by_the_chain,
		test_forged_frame_and_parent,
		test_forged_other_task_and_stale_generation,
		test_forged_lender_not_told,
		test_forged_part_to_another_task,
		test_forged_cycle,
		NULL
	};

	return unit_run("mapsplit_hostile", "hostile pages", tests, NULL, NULL);
}
