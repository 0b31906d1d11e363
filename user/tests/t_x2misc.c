/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MemoryControl, ProcessorControl and sigma0's attribute word (X.2;
 * Pistachio's glue/v4-x86/x32/memcontrol.cc and serv/sigma0/sigma0.cc).
 * The root task is privileged.  The cache mode a PTE gets cannot be read
 * from user level, so these tests assert the results, the error codes,
 * and that the memory still reads and writes under each mode.
 */
#include "tests.h"

#define A_DEFAULT 0
#define A_WB 1
#define A_WT 2
#define A_UCMINUS 3
#define A_UC 4
#define A_WC 5
#define A_WP 8

/* A success leaves ErrorCode alone: clear it first to see that. */
static void clear_error(void)
{
	*__L4_TCR(__L4_TCR_ERROR_CODE) = 0;
}

/* Whether CPUID reports a PAT, the condition for WC and WP. */
int t_cpu_has_pat(void)
{
	L4_Word_t a, b, c, d, f0, f1;

	/* CPUID exists if EFLAGS.ID can be toggled. */
	__asm__ __volatile__("pushfl; popl %0; movl %0, %1; xorl $0x200000, %0;"
			     "pushl %0; popfl; pushfl; popl %0; pushl %1; popfl"
			     : "=&r"(f0), "=&r"(f1) : : "cc");
	if (!((f0 ^ f1) & 0x200000))
		return 0;
	__asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return (d >> 16) & 1;
}

/* MemoryControl on one fpage whose low bits select attribute `sel`. */
static L4_Word_t memctl1(L4_Word_t page, unsigned sel, const L4_Word_t attr[4])
{
	L4_LoadMR(0, L4_FpageLog2(page, 12).raw | sel);
	return L4_MemoryControl(0, attr);
}

static const char *rw_check(L4_Word_t page, L4_Word_t v)
{
	volatile L4_Word_t *w = (volatile L4_Word_t *)page;

	w[0] = v;
	w[1023] = ~v;
	CHECK_EQ(w[0], v);
	CHECK_EQ(w[1023], ~v);
	return 0;
}

/* Default, write-back, write-through, uncached-minus and uncacheable
 * work on every IA-32 CPU: result 1, and the page stays usable. */
static const char *t_x2misc_memctl_basic_modes(void)
{
	static const L4_Word_t modes[] = { A_WT, A_UC, A_UCMINUS, A_WB, A_DEFAULT };
	L4_Word_t p = t_page();

	CHECK(p != 0);
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		L4_Word_t attr[4] = { modes[i], 0, 0, 0 };

		clear_error();
		CHECK_EQ(memctl1(p, 0, attr), 1);
		CHECK_EQ(L4_ErrorCode(), 0);
		RUN(rw_check(p, 0xC0DE0000UL + i));
	}
	return 0;
}

/* Write-combining and write-protected need the PAT: 1 with one, else
 * 0 with "invalid parameter". */
static const char *t_x2misc_memctl_pat_modes(void)
{
	L4_Word_t p = t_page(), wc[4] = { A_WC, 0, 0, 0 }, wp[4] = { A_WP, 0, 0, 0 };
	L4_Word_t back[4] = { A_DEFAULT, 0, 0, 0 };

	CHECK(p != 0);
	if (t_cpu_has_pat()) {
		CHECK_EQ(memctl1(p, 0, wc), 1);
		RUN(rw_check(p, 0x3c3c3c3c));
		CHECK_EQ(memctl1(p, 0, wp), 1);
		CHECK_EQ(((volatile L4_Word_t *)p)[0], 0x3c3c3c3c);
	} else {
		CHECK_EQ(memctl1(p, 0, wc), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
		CHECK_EQ(memctl1(p, 0, wp), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	}
	CHECK_EQ(memctl1(p, 0, back), 1);
	RUN(rw_check(p, 0x5a5a5a5a));
	return 0;
}

/* Values no IA-32 memory type has (6, 7, 9 and up): invalid parameter. */
static const char *t_x2misc_memctl_bad_values(void)
{
	static const L4_Word_t bad[] = { 6, 7, 9, 0x10, ~0UL };
	L4_Word_t p = t_page();

	CHECK(p != 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		L4_Word_t attr[4] = { bad[i], A_WB, A_WB, A_WB };

		clear_error();
		CHECK_EQ(memctl1(p, 0, attr), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	}
	RUN(rw_check(p, 0x600d));
	return 0;
}

/* The fpage's low two bits pick the attribute; an unused bad attribute
 * is no error, a used one is, even after a good fpage (checked first). */
static const char *t_x2misc_memctl_selector(void)
{
	L4_Word_t p = t_page(), q = t_page();
	L4_Word_t attr[4] = { 9, A_WT, A_UC, A_DEFAULT };

	CHECK(p != 0 && q != 0);
	for (unsigned sel = 1; sel < 4; sel++) {
		clear_error();
		CHECK_EQ(memctl1(p, sel, attr), 1);
		CHECK_EQ(L4_ErrorCode(), 0);
	}
	CHECK_EQ(memctl1(p, 0, attr), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	/* Two fpages: MR0 good (3: default), MR1 selecting the bad one. */
	L4_LoadMR(0, L4_FpageLog2(p, 12).raw | 3);
	L4_LoadMR(1, L4_FpageLog2(q, 12).raw | 0);
	CHECK_EQ(L4_MemoryControl(1, attr), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	/* Both good, and nil fpages are passed over whatever they select. */
	L4_LoadMR(0, L4_FpageLog2(p, 12).raw | 2);
	L4_LoadMR(1, L4_Nilpage.raw);
	L4_LoadMR(2, L4_FpageLog2(q, 12).raw | 3);
	CHECK_EQ(L4_MemoryControl(2, attr), 1);
	RUN(rw_check(p, 1));
	RUN(rw_check(q, 2));
	L4_LoadMR(0, L4_FpageLog2(p, 12).raw | 3);
	CHECK_EQ(L4_MemoryControl(0, attr), 1);
	return 0;
}

/* k is at most 63: a larger control word is invalid. */
static const char *t_x2misc_memctl_control_range(void)
{
	L4_Word_t attr[4] = { A_DEFAULT, 0, 0, 0 };
	unsigned i;

	for (i = 0; i < 64; i++)
		L4_LoadMR(i, L4_Nilpage.raw);
	CHECK_EQ(L4_MemoryControl(63, attr), 1);
	CHECK_EQ(L4_MemoryControl(64, attr), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	return 0;
}

/* A large fpage (4 MB around our image) with pages mapped and unmapped
 * in it: every mapped page changes, the call returns 1. */
static const char *t_x2misc_memctl_large_fpage(void)
{
	L4_Word_t p = t_page(), attr[4] = { A_WT, 0, 0, A_DEFAULT };

	CHECK(p != 0);
	L4_LoadMR(0, L4_FpageLog2(p & ~0x3fffffUL, 22).raw);
	CHECK_EQ(L4_MemoryControl(0, attr), 1);
	RUN(rw_check(p, 0x44));
	L4_LoadMR(0, L4_FpageLog2(p & ~0x3fffffUL, 22).raw | 3);
	CHECK_EQ(L4_MemoryControl(0, attr), 1);
	RUN(rw_check(p, 0x45));
	return 0;
}

/* A sigma0 request with an attribute word: sigma0 sets it with
 * MemoryControl on its own mapping before it maps the page (Pistachio's
 * sigma0); one the kernel refuses gets a nil fpage, and the page stays
 * the client's, so asking again without attributes gets it. */
static L4_Fpage_t s0_request(L4_Fpage_t f, L4_Word_t attributes)
{
	L4_Msg_t msg;
	L4_MsgTag_t tag;
	L4_Fpage_t got;

	L4_MsgClear(&msg);
	L4_MsgAppendWord(&msg, f.raw);
	L4_MsgAppendWord(&msg, attributes);
	L4_Set_MsgLabel(&msg, __L4_SIGMA0_LABEL);
	L4_MsgLoad(&msg);
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	tag = L4_Call(rt_sigma0());
	if (L4_IpcFailed(tag))
		return L4_Nilpage;
	L4_StoreMR(2, &got.raw);
	return got;
}

static const char *t_x2misc_sigma0_attributes(void)
{
	L4_Fpage_t any = L4_FpageLog2(~0UL, 12), fp, again;

	fp = s0_request(any, A_WT);
	CHECK(!L4_IsNilFpage(fp));
	CHECK_EQ(L4_Size(fp), RT_PAGE_SIZE);
	RUN(rw_check(L4_Address(fp), 0x7777));
	fp = s0_request(any, A_UC);
	CHECK(!L4_IsNilFpage(fp));
	RUN(rw_check(L4_Address(fp), 0x8888));
	/* Asked again without attributes (sigma0 then leaves the mode as
	 * it is): the same page, still usable. */
	again = s0_request(L4_FpageLog2(L4_Address(fp), 12), A_DEFAULT);
	CHECK_EQ(L4_Address(again), L4_Address(fp));
	RUN(rw_check(L4_Address(fp), 0x9999));
	return 0;
}

static const char *t_x2misc_sigma0_bad_attribute(void)
{
	L4_Word_t p = t_page();
	L4_Fpage_t fp;

	CHECK(p != 0);
	fp = s0_request(L4_FpageLog2(p, 12), 6);
	CHECK(L4_IsNilFpage(fp));
	fp = s0_request(L4_FpageLog2(p, 12), A_DEFAULT);
	CHECK_EQ(L4_Address(fp), p);
	RUN(rw_check(p, 0x1234));
	return 0;
}

/* ProcessorControl: processor 0 with -1 everywhere, or the internal
 * frequency the KIP publishes, is honoured (1); any other processor,
 * frequency or voltage is "invalid parameter". */
static const char *t_x2misc_procctl(void)
{
	L4_KernelInterfacePage_t *k = L4_GetKernelInterface();
	L4_Word_t khz = ((L4_Word_t *)((L4_Word_t)k + k->ProcDescPtr))[1];

	clear_error();
	CHECK_EQ(L4_ProcessorControl(0, ~0UL, ~0UL, ~0UL), 1);
	CHECK_EQ(L4_ErrorCode(), 0);
	if (khz) {
		CHECK_EQ(L4_ProcessorControl(0, khz, ~0UL, ~0UL), 1);
		CHECK_EQ(L4_ProcessorControl(0, khz + 1, ~0UL, ~0UL), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	}
	CHECK_EQ(L4_ProcessorControl(0, 1, ~0UL, ~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(L4_ProcessorControl(0, ~0UL, 33000, ~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(L4_ProcessorControl(0, ~0UL, ~0UL, 1200), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	CHECK_EQ(L4_ProcessorControl(1, ~0UL, ~0UL, ~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
	return 0;
}

/* The feature strings name what the kernel has, in Pistachio's words. */
static const char *t_x2misc_kip_features(void)
{
	CHECK(L4_HasFeature("pagerexregs"));
	CHECK(L4_HasFeature("ioflexpages"));
	CHECK(!L4_HasFeature("smallspaces"));
	return 0;
}

const struct test x2misc_tests[] = {
	TEST(x2misc_memctl_basic_modes),
	TEST(x2misc_memctl_pat_modes),
	TEST(x2misc_memctl_bad_values),
	TEST(x2misc_memctl_selector),
	TEST(x2misc_memctl_control_range),
	TEST(x2misc_memctl_large_fpage),
	TEST(x2misc_sigma0_attributes),
	TEST(x2misc_sigma0_bad_attribute),
	TEST(x2misc_procctl),
	TEST(x2misc_kip_features),
	{ 0 },
};
