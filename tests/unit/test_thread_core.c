/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/thread_core.c, the resident reserve: its size
 * from RAM, a resident part's size, and its containment rule (one
 * unprivileged space cannot take what other tasks need).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/thread_core.h>

#define M (1024ull * 1024)

static void *reserve;
static thread_core_stats_t st;

static void setup_reserve(uint64_t ram)
{
	uint32_t bytes = thread_core_reserve_bytes(ram);

	reserve = malloc(bytes);
	memset(reserve, 0xA5, bytes);           /* the kernel gives it uncleared */
	thread_core_init(reserve, bytes);
	thread_core_stats(&st);
}

/* A space as the reserve sees it. */
typedef struct { bool privileged; uint32_t threads; } space_t;

/* Take resident parts for s until the reserve refuses (counting them in
 * s->threads, as thread_core_create does); how many were had. */
static uint32_t take_all(space_t *s, tcb_core_t **got, uint32_t max)
{
	uint32_t n = 0;

	while (n < max) {
		tcb_core_t *c = thread_core_alloc(s->privileged, s->threads);
		if (!c)
			break;
		for (size_t i = 0; i < sizeof *c; i++)
			ck_assert_int_eq(((uint8_t *)c)[i], 0);
		got[n++] = c;
		s->threads++;
	}
	return n;
}

START_TEST(reserve_grows_with_ram_within_bounds)
{
	uint32_t small = thread_core_reserve_bytes(4 * M);
	uint32_t mid = thread_core_reserve_bytes(64 * M);
	uint32_t big = thread_core_reserve_bytes(3072 * M);

	ck_assert_uint_ge(small / sizeof(tcb_core_t), 512);
	ck_assert_uint_gt(mid, small);
	ck_assert_uint_ge(big, mid);
	ck_assert_uint_le(big / sizeof(tcb_core_t), 32768 + 64);
	ck_assert_uint_eq(big % 4096, 0);
}
END_TEST

/* The thread table's leaves: a page per 64 resident parts, at least 16,
 * at most one per leaf of the table; each is had once, zeroed, and comes
 * back. */
START_TEST(leaves_bounded_and_returned)
{
	uint32_t small = thread_leaf_reserve_bytes(4 * M);
	uint32_t mid = thread_leaf_reserve_bytes(256 * M);
	uint32_t big = thread_leaf_reserve_bytes(3072 * M);

	ck_assert_uint_eq(small, 16 * 4096);
	ck_assert_uint_eq(mid, thread_core_reserve_bytes(256 * M) / sizeof(tcb_core_t) / 64 * 4096);
	ck_assert_uint_eq(big, THREAD_DIR_ENTRIES * 4096);

	void *area = aligned_alloc(4096, small);
	memset(area, 0xA5, small);
	thread_leaf_init(area, small);
	void *got[17];
	for (unsigned i = 0; i < 16; i++) {
		got[i] = thread_leaf_alloc();
		ck_assert_ptr_nonnull(got[i]);
		for (unsigned b = 0; b < 4096; b++)
			ck_assert_int_eq(((uint8_t *)got[i])[b], 0);
	}
	ck_assert_ptr_null(thread_leaf_alloc());
	thread_core_stats(&st);
	ck_assert_uint_eq(st.leaves - st.leaves_free, 16);
	thread_leaf_free(got[3]);
	got[16] = thread_leaf_alloc();
	ck_assert_ptr_eq(got[16], got[3]);
	for (unsigned i = 0; i < 16; i++)
		thread_leaf_free(got[i]);
	thread_core_stats(&st);
	ck_assert_uint_eq(st.leaves_free, st.leaves);
	free(area);
}
END_TEST

START_TEST(one_space_cannot_take_all)
{
	static space_t hog, other, root;
	static tcb_core_t *got[40000];

	setup_reserve(16 * M);
	uint32_t n = take_all(&hog, got, 40000);
	ck_assert_uint_eq(n, st.space_limit);
	ck_assert_uint_lt(n, st.total - st.privileged);
	/* Another unprivileged task still has threads made... */
	uint32_t m = take_all(&other, got + n, 40000 - n);
	ck_assert_uint_gt(m, 0);
	/* ...and the privileged reserve is left for sigma0 and the root. */
	root.privileged = true;
	uint32_t r = take_all(&root, got + n + m, 40000 - n - m);
	ck_assert_uint_ge(r, st.privileged);
	thread_core_stats(&st);
	ck_assert_uint_eq(st.free, 0);
	/* Everything comes back. */
	for (uint32_t i = 0; i < n + m + r; i++)
		thread_core_free(got[i]);
	thread_core_stats(&st);
	ck_assert_uint_eq(st.free, st.total);
	free(reserve);
}
END_TEST

START_TEST(freed_part_is_had_again)
{
	static space_t s;
	static tcb_core_t *got[40000];

	setup_reserve(8 * M);
	uint32_t n = take_all(&s, got, 40000);
	ck_assert_ptr_null(thread_core_alloc(s.privileged, s.threads));
	thread_core_free(got[n / 2]);
	s.threads--;
	tcb_core_t *again = thread_core_alloc(s.privileged, s.threads);
	ck_assert_ptr_eq(again, got[n / 2]);
	free(reserve);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("thread_core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, reserve_grows_with_ram_within_bounds);
	tcase_add_test(tc, leaves_bounded_and_returned);
	tcase_add_test(tc, one_space_cannot_take_all);
	tcase_add_test(tc, freed_part_is_had_again);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
