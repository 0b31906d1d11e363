/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for arch/ia32/cpuneeds.c: the refusal the kernel prints on a
 * CPU that lacks what Lent needs.  The in-QEMU boots cover a Pentium
 * without PSE and one without an FPU; no QEMU CPU model lacks CPUID (its
 * EFLAGS.ID always toggles), so that refusal is shown here.
 */
#include <check.h>
#include <string.h>
#include <arch/cpucheck.h>

#define FPU (1u << 0)
#define PSE (1u << 3)
#define TSC (1u << 4)
#define NEEDS "Lent needs a CPU with CPUID, an x87 FPU and 4 MB pages (PSE): "

static char text[CPU_REFUSAL_MAX];

START_TEST(pentium_accepted)
{
	memset(text, 'x', sizeof(text));
	ck_assert_uint_eq(cpu_refusal(true, FPU | PSE | TSC, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "");
}
END_TEST

/* A 486 without the TSC has all that is needed: the TSC is optional. */
START_TEST(no_tsc_accepted)
{
	ck_assert_uint_eq(cpu_refusal(true, FPU | PSE, text, sizeof(text)), 0);
}
END_TEST

START_TEST(no_cpuid)
{
	/* Without CPUID the EDX word means nothing: only CPUID is named. */
	ck_assert_uint_eq(cpu_refusal(false, FPU | PSE, text, sizeof(text)), 1);
	ck_assert_str_eq(text, NEEDS "this one lacks CPUID\n");
	ck_assert_uint_eq(cpu_refusal(false, 0, text, sizeof(text)), 1);
	ck_assert_str_eq(text, NEEDS "this one lacks CPUID\n");
}
END_TEST

START_TEST(no_pse)
{
	ck_assert_uint_eq(cpu_refusal(true, FPU | TSC, text, sizeof(text)), 1);
	ck_assert_str_eq(text, NEEDS "this one lacks 4 MB pages (PSE)\n");
}
END_TEST

START_TEST(no_fpu)
{
	ck_assert_uint_eq(cpu_refusal(true, PSE, text, sizeof(text)), 1);
	ck_assert_str_eq(text, NEEDS "this one lacks an x87 FPU\n");
}
END_TEST

/* No leaf 1 (EDX 0): both named, joined with "and". */
START_TEST(no_features)
{
	ck_assert_uint_eq(cpu_refusal(true, 0, text, sizeof(text)), 2);
	ck_assert_str_eq(text, NEEDS "this one lacks an x87 FPU and 4 MB pages (PSE)\n");
	ck_assert_uint_lt(strlen(text) + 1, sizeof(text));
}
END_TEST

/* A short buffer is cut, never overrun (ASan watches its bounds). */
START_TEST(short_buffer)
{
	char small[12];

	ck_assert_uint_eq(cpu_refusal(true, 0, small, sizeof(small)), 2);
	ck_assert_str_eq(small, "Lent needs ");
	ck_assert_uint_eq(cpu_refusal(false, 0, small, 1), 1);
	ck_assert_str_eq(small, "");
}
END_TEST

static Suite *cpucheck_suite(void)
{
	Suite *s = suite_create("cpucheck");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, pentium_accepted);
	tcase_add_test(tc, no_tsc_accepted);
	tcase_add_test(tc, no_cpuid);
	tcase_add_test(tc, no_pse);
	tcase_add_test(tc, no_fpu);
	tcase_add_test(tc, no_features);
	tcase_add_test(tc, short_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cpucheck_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
