/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/kmem_order.h, the fault-ordering rule: a page is
 * asked for only after every page it depends on.  The dependencies are
 * written out here from docs/kernel-memory.md, apart from the code:
 * a page of mapping nodes is reached through the node table, and the
 * page table, which makes a mapping visible, needs both.
 */
#include <check.h>
#include <kernel/kmem_order.h>
#include <user/include/lent/kmem.h>

static const unsigned map_kinds[] = { LENT_KMEM_NT, LENT_KMEM_MAP, LENT_KMEM_PT };

/* Does a page of kind a need the page of kind b first (mapping one page)? */
static int depends(unsigned a, unsigned b)
{
	if (a == LENT_KMEM_MAP)
		return b == LENT_KMEM_NT;
	if (a == LENT_KMEM_PT)
		return b == LENT_KMEM_NT || b == LENT_KMEM_MAP;
	return 0;
}

static uint32_t expected_cid(unsigned kind, uint32_t va, uint32_t map_pages)
{
	if (kind == LENT_KMEM_NT)
		return 0x00800000u + ((va >> 22) << 12);
	if (kind == LENT_KMEM_PT)
		return 0x00400000u + ((va >> 22) << 12);
	return 0x01000000u + (map_pages << 12);
}

static void check_one(uint32_t va, uint32_t map_pages, unsigned missing, unsigned max)
{
	kmem_page_t out[4];
	unsigned wanted = 0, n = kmem_order_for_map(va, map_pages, missing, max, out);

	for (unsigned k = 0; k < 3; k++)
		wanted += !!(missing & KMEM_ORDER_BIT(map_kinds[k]));
	/* As many as are missing, up to max. */
	ck_assert_uint_eq(n, wanted < max ? wanted : max);
	for (unsigned i = 0; i < n; i++) {
		/* Only missing pages, each once, with its own CID. */
		ck_assert(missing & KMEM_ORDER_BIT(out[i].kind));
		for (unsigned j = 0; j < i; j++)
			ck_assert_uint_ne(out[j].kind, out[i].kind);
		ck_assert_uint_eq(out[i].cid, expected_cid(out[i].kind, va, map_pages));
		/* Every missing page it depends on comes before it. */
		for (unsigned k = 0; k < 3; k++) {
			unsigned dep = map_kinds[k];
			if (!depends(out[i].kind, dep) || !(missing & KMEM_ORDER_BIT(dep)))
				continue;
			int before = 0;
			for (unsigned j = 0; j < i; j++)
				before |= out[j].kind == dep;
			ck_assert_msg(before, "kind %u asked for before kind %u", out[i].kind, dep);
		}
	}
}

START_TEST(every_missing_set_in_fault_order)
{
	static const uint32_t vas[] = { 0x00000000u, 0x00401234u, 0x40000000u, 0xBFFFF000u };

	for (unsigned v = 0; v < 4; v++)
		for (unsigned missing = 0; missing < 8; missing++) {
			unsigned bits = 0;
			for (unsigned k = 0; k < 3; k++)
				if (missing & (1u << k))
					bits |= KMEM_ORDER_BIT(map_kinds[k]);
			for (unsigned max = 1; max <= LENT_KPF_MAX_PAGES; max++)
				check_one(vas[v], 7, bits, max);
		}
}
END_TEST

START_TEST(one_page_per_fault_asks_the_first_dependency)
{
	kmem_page_t out[1];
	unsigned all = KMEM_ORDER_BIT(LENT_KMEM_NT) | KMEM_ORDER_BIT(LENT_KMEM_MAP) |
		       KMEM_ORDER_BIT(LENT_KMEM_PT);

	/* The paper's protocol: the node table first, then (once it is lent)
	 * the mapping nodes, then the page table. */
	ck_assert_uint_eq(kmem_order_for_map(0x40000000u, 0, all, 1, out), 1);
	ck_assert_uint_eq(out[0].kind, LENT_KMEM_NT);
	all &= ~KMEM_ORDER_BIT(LENT_KMEM_NT);
	ck_assert_uint_eq(kmem_order_for_map(0x40000000u, 0, all, 1, out), 1);
	ck_assert_uint_eq(out[0].kind, LENT_KMEM_MAP);
	all &= ~KMEM_ORDER_BIT(LENT_KMEM_MAP);
	ck_assert_uint_eq(kmem_order_for_map(0x40000000u, 0, all, 1, out), 1);
	ck_assert_uint_eq(out[0].kind, LENT_KMEM_PT);
	ck_assert_uint_eq(kmem_order_for_map(0x40000000u, 0, 0, 3, out), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kmem_order");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_missing_set_in_fault_order);
	tcase_add_test(tc, one_page_per_fault_asks_the_first_dependency);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
