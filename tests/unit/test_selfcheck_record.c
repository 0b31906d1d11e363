/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/selfcheck_record.h: the self-check
 * finds the record a node-table entry names as the database's lookup
 * (ms_lookup) does, for the tables the database makes and for every
 * reference a damaged table may hold: any page (absent, past the
 * task's count), any entry (0, free, a part, sigma0's room, a record of
 * another address, past the page's last).
 */
#include <check.h>
#include <stdlib.h>
#include "mapsplit_check.h"

#include <kernel/selfcheck_record.h>

static void map(unsigned s1, unsigned p1, unsigned s2, unsigned p2)
{
	msk_op_t o = { .kind = MSK_MAP, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1, .s2 = (uint8_t)s2,
		       .p2 = (uint8_t)p2, .rights = MS_RIGHTS };
	msk_apply(&o);
}

/* The self-check's way: the page the reference names, as its hook gives
 * it (none at or past the task's count), then the entry. */
static const ms_ent_t *by_check(ms_space_t *s, uint32_t ref, uint32_t va)
{
	uint32_t n = MS_REF_PAGE(ref);

	return sc_ref_record(n < s->pages ? ms_page(s, n) : NULL, ref, va);
}

/* Every non-empty entry of every table of every task: the same record. */
static unsigned same_everywhere(void)
{
	unsigned seen = 0;

	for (unsigned t = 0; t < MSK_NTASKS; t++) {
		ms_space_t *s = msk_space(t);

		for (uint32_t slot = 0; msk_task[t].alive && slot < MSK_NSLOTS; slot++) {
			uint32_t *tbl = ms_table(s, slot);

			for (uint32_t j = 0; tbl && j < MS_NT_ENTS; j++) {
				uint32_t va = slot << 22 | j << PAGE_SHIFT;

				if (!tbl[j])
					continue;
				ck_assert_ptr_eq(by_check(s, tbl[j], va), ms_lookup(s, va, NULL));
				seen++;
			}
		}
	}
	return seen;
}

/* The database's own tables: sigma0's roots and a few map chains. */
START_TEST(same_record_as_the_database)
{
	msk_reset(false);
	map(0, 3, 1, 5);
	map(0, 3, 2, 6);
	map(1, 5, 3, 9);
	map(0, 4, 4, 12);
	map(3, 9, 4, 1);
	ck_assert_uint_ge(same_everywhere(), MSK_NPAGES + 5);
}
END_TEST

/* Every reference one table entry may hold (pages up to two past the
 * count, entries 0 to 127), in a task with records, parts and free
 * entries, and again with its first node page away. */
START_TEST(same_answer_for_every_reference)
{
	const unsigned t = 1, p = 5;       /* task 1's page 5: slot 0, entry 6 */
	uint32_t va = msk_va(p), found = 0;

	msk_reset(false);
	map(0, 3, 1, p);
	map(1, p, 2, 6);
	map(1, p, 3, 7);
	map(0, 4, 1, 2);
	ms_space_t *s = msk_space(t);
	uint32_t *tbl = ms_table(s, va >> 22), keep = tbl[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)];

	for (int away = 0; away < 2; away++) {
		if (away)
			ck_assert(msk_export_page(t, 0));
		for (uint32_t n = 0; n < (uint32_t)s->pages + 2; n++)
			for (uint32_t k = 0; k < 128; k++) {
				uint32_t ref = MS_REF(n, k);
				const ms_ent_t *r;

				tbl[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] = ref;
				r = ms_lookup(s, va, NULL);
				ck_assert_ptr_eq(by_check(s, ref, va), r);
				found += r != NULL;
			}
	}
	/* Only the record itself is found, and not once its page is away. */
	ck_assert_uint_eq(found, 1);
	tbl[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] = keep;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("selfcheck_record");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, same_record_as_the_database);
	tcase_add_test(tc, same_answer_for_every_reference);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
