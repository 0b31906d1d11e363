/* SPDX-License-Identifier: BSD-2-Clause */
/* The Kernel Interface Page (X.2 section 1.1 and the IA-32 binding). */
#include "tests.h"

static L4_KernelInterfacePage_t *kip(void)
{
	return (L4_KernelInterfacePage_t *)rt_kip();
}

static const char *t_kip_magic(void)
{
	CHECK(kip() != 0);
	CHECK_EQ(kip()->magic, L4_MAGIC);
	return 0;
}

static const char *t_kip_api_version(void)
{
	CHECK_EQ(kip()->ApiVersion.x.version, L4_APIVERSION_X2);
	CHECK_EQ(kip()->ApiFlags.x.ee, L4_APIFLAG_LE);
	CHECK_EQ(kip()->ApiFlags.x.ww, L4_APIFLAG_32BIT);
	return 0;
}

/* `lock; nop` answers with the KIP's address (in the KIP area of the
 * caller's space), the API version, the API flags and the kernel ID. */
static const char *t_kip_lock_nop_registers(void)
{
	L4_Word_t ver, flags, id;
	void *k = L4_KernelInterface(&ver, &flags, &id);

	CHECK_EQ(k, RT_KIP_AREA_BASE);
	CHECK_EQ(ver, kip()->ApiVersion.raw);
	CHECK_EQ(flags, kip()->ApiFlags.raw);
	CHECK(kip()->KernelVerPtr != 0 && kip()->KernelVerPtr < RT_PAGE_SIZE - 16);
	CHECK_EQ(id, __L4_KernelDesc(k)->KernelId.raw);
	return 0;
}

/* The system-call fields are offsets of stubs inside the KIP page,
 * past the fixed fields, and no two calls share a stub. */
static const char *t_kip_syscall_offsets_in_page(void)
{
	L4_KernelInterfacePage_t *k = kip();
	L4_Word_t off[11] = {
		k->SpaceControl, k->ThreadControl, k->ProcessorControl,
		k->MemoryControl, k->Ipc, k->Lipc, k->Unmap,
		k->ExchangeRegisters, k->SystemClock, k->ThreadSwitch, k->Schedule,
	};
	int i, j;

	for (i = 0; i < 11; i++) {
		CHECK(off[i] >= sizeof(L4_KernelInterfacePage_t));
		CHECK(off[i] < RT_PAGE_SIZE);
		for (j = 0; j < i; j++)
			CHECK(off[i] != off[j]);
	}
	return 0;
}

/* Memory descriptors: at least one for physical conventional memory and
 * one for the user-accessible virtual address space. */
static const char *t_kip_memory_descriptors(void)
{
	void *k = rt_kip();
	L4_Word_t i, n = L4_NumMemoryDescriptors(k);
	int phys = 0, virt = 0;

	CHECK(n >= 2);
	CHECK(kip()->MemoryInfo.MemDescPtr + n * sizeof(L4_MemoryDesc_t) <= RT_PAGE_SIZE);
	for (i = 0; i < n; i++) {
		L4_MemoryDesc_t *d = L4_MemoryDesc(k, i);

		CHECK(L4_MemoryDescLow(d) < L4_MemoryDescHigh(d));
		if (L4_MemoryDescType(d) != L4_ConventionalMemoryType)
			continue;
		if (L4_IsMemoryDescVirtual(d))
			virt = 1;
		else
			phys = 1;
	}
	CHECK(phys);
	CHECK(virt);
	return 0;
}

/* ThreadInfo (team conventions: user threads from 16, below them the
 * 16 interrupt threads and no system threads); the root task is the
 * third user thread, after sigma0 and sigma1. */
static const char *t_kip_thread_info(void)
{
	void *k = rt_kip();

	CHECK_EQ(L4_ThreadIdUserBase(k), 16);
	CHECK_EQ(L4_ThreadIdSystemBase(k), 16);
	CHECK(L4_ThreadIdBits(k) >= 10 && L4_ThreadIdBits(k) <= 18);
	CHECK_EQ(L4_ThreadNo(L4_MyGlobalId()), L4_ThreadIdUserBase(k) + 2);
	return 0;
}

/* UtcbInfo and KipAreaInfo: 512-byte UTCBs (the IA-32 UTCB layout), a
 * minimal UTCB area no larger than the root's 64 KB, a one-page KIP. */
static const char *t_kip_utcb_and_kip_area_info(void)
{
	void *k = rt_kip();

	CHECK_EQ(L4_UtcbSize(k), RT_UTCB_SIZE);
	CHECK(L4_UtcbAlignmentLog2(k) <= 9);
	CHECK(L4_UtcbAreaSizeLog2(k) <= RT_UTCB_AREA_LOG2);
	CHECK_EQ(L4_KipAreaSizeLog2(k), 12);
	return 0;
}

static const char *t_kip_page_info(void)
{
	void *k = rt_kip();

	CHECK(L4_PageSizeMask(k) & (1UL << 12));
	CHECK((L4_PageRights(k) & (L4_Readable | L4_Writable)) ==
	      (L4_Readable | L4_Writable));
	return 0;
}

/* The kernel descriptor's version string ends inside the page. */
/* The pager-may-ExchangeRegisters extension is advertised, and a name
 * the kernel does not have is not. */
static const char *t_kip_feature_pagerexregs(void)
{
	CHECK(L4_HasFeature("pagerexregs"));
	CHECK(!L4_HasFeature("pagerexreg"));
	CHECK(!L4_HasFeature("smallspaces"));
	return 0;
}

static const char *t_kip_kernel_version_string(void)
{
	void *k = rt_kip();
	const char *s = L4_KernelVersionString(k);
	const char *end = (const char *)k + RT_PAGE_SIZE;

	CHECK(s > (const char *)k && s < end);
	CHECK(*s != 0);
	while (s < end && *s)
		s++;
	CHECK(s < end);
	return 0;
}

/* CPUID leaf 1 reports a time-stamp counter (EDX bit 4).  CPUID itself
 * is there: the kernel refuses to boot on a CPU without it. */
static int cpu_has_tsc(void)
{
	L4_Word_t a = 1, b, c, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return (d >> 4) & 1;
}

/* The internal frequency is the CPU clock in kHz, measured with the TSC:
 * 0 exactly when there is no TSC (docs/abi.md), else between 1 MHz (a
 * slow -icount) and 100 GHz. */
#define KIP_MIN_KHZ	1000UL
#define KIP_MAX_KHZ	100000000UL

static const char *t_kip_processor_info(void)
{
	void *k = rt_kip();
	L4_ProcDesc_t *p;
	L4_Word_t khz;

	CHECK(L4_NumProcessors(k) >= 1);
	CHECK(kip()->ProcDescPtr != 0 && kip()->ProcDescPtr < RT_PAGE_SIZE);
	p = L4_ProcDesc(k, 0);
	CHECK(p != 0);
	khz = L4_ProcDescInternalFreq(p);
	if (!cpu_has_tsc()) {
		printf("#   no TSC on this processor: the frequency must be 0\n");
		CHECK_EQ(khz, 0);
		return 0;
	}
	CHECK(khz >= KIP_MIN_KHZ);
	CHECK(khz <= KIP_MAX_KHZ);
	return 0;
}

/* The root server's descriptor covers the image we are running. */
static const char *t_kip_root_server_descriptor(void)
{
	extern char _start_image[];
	L4_KernelInterfacePage_t *k = kip();

	CHECK(k->RootServer.low <= (L4_Word_t)_start_image);
	CHECK(k->RootServer.high >= (L4_Word_t)&t_shared[0]);
	CHECK(k->Sigma0.high > k->Sigma0.low);
	return 0;
}

const struct test kip_tests[] = {
	TEST(kip_magic),
	TEST(kip_api_version),
	TEST(kip_lock_nop_registers),
	TEST(kip_syscall_offsets_in_page),
	TEST(kip_memory_descriptors),
	TEST(kip_thread_info),
	TEST(kip_utcb_and_kip_area_info),
	TEST(kip_page_info),
	TEST(kip_kernel_version_string),
	TEST(kip_feature_pagerexregs),
	TEST(kip_processor_info),
	TEST(kip_root_server_descriptor),
	{ 0 },
};
