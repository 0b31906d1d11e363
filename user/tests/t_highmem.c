/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RAM above the kernel's 896 MB direct map (LENT_KMEM_FRAME_LIMIT) is
 * conventional memory like any other (docs/abi.md §2, §9): the KIP
 * publishes it, sigma0 hands it out, and the kernel reaches it for
 * string copies through its frame window; a kpager that lends such a
 * frame is refused with LENT_KPF_NOT_ADDRESSABLE.  Each test skips, with
 * a line that says so, only on a machine whose boot loader reports no RAM
 * above 896 MB: make test runs the suite at 3,500 MB too, where they
 * assert (RAM from 3 GB up: t_highmem4g.c).
 */
#include "t_kphelp.h"
#include "t_highmem.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define HM_USER_END	0xC0000000UL	/* sigma0 maps RAM idempotently below this */
#define HM_RAM_END	0xF0000000UL	/* sigma0 hands out RAM below this */
#define HM_UTCB_REGION	0xBF000000UL	/* the root's UTCB area and KIP: not RAM pages for us */
#define HM_MARK		0x68696d65UL
#define HM_MBI_MMAP	(1UL << 6)	/* Multiboot flags: mmap_addr/length valid */

/* ---- the boot loader's word on RAM (Multiboot, found through BootInfo) ---- */

/* Map the page of physical address pa into the root at pa (sigma0's
 * idempotent mapping); 0 if sigma0 refused. */
static int hm_map(L4_Word_t pa)
{
	L4_Fpage_t got = L4_Sigma0_GetPage(rt_sigma0(), L4_FpageLog2(pa & ~0xFFFUL, 12));

	return !L4_IsNilFpage(got) && L4_Address(got) == (pa & ~0xFFFUL);
}

static int hm_map_range(L4_Word_t pa, L4_Word_t len)
{
	for (L4_Word_t p = pa & ~0xFFFUL; p < pa + len; p += RT_PAGE_SIZE)
		if (!hm_map(p))
			return 0;
	return 1;
}

/* t_highmem.h */
long long hm_mbi_ram(L4_Word_t lo, unsigned long long hi, unsigned long long *other)
{
	L4_Word_t mbi = rt_multiboot_info(), addr, len;
	unsigned long long ram = 0;

	*other = 0;
	if (!mbi || !hm_map_range(mbi, 52))
		return -1;
	if (!(((volatile L4_Word_t *)mbi)[0] & HM_MBI_MMAP))
		return -1;
	len = ((volatile L4_Word_t *)mbi)[11];
	addr = ((volatile L4_Word_t *)mbi)[12];
	if (!hm_map_range(addr, len))
		return -1;
	for (L4_Word_t e = addr; e < addr + len;) {
		volatile L4_Word_t *w = (volatile L4_Word_t *)e;
		unsigned long long base = w[1] | ((unsigned long long)w[2] << 32);
		unsigned long long end = base + (w[3] | ((unsigned long long)w[4] << 32));
		unsigned long long a = base > lo ? base : lo, b = end < hi ? end : hi;

		if (a < b) {
			if (w[5] == 1)
				ram += b - a;
			else
				*other += b - a;
		}
		e += w[0] + 4;
	}
	return (long long)ram;
}

/* t_highmem.h */
unsigned long long hm_kip_bytes(L4_Word_t lo, unsigned long long hi, L4_Word_t type)
{
	unsigned long long n = 0;

	for (unsigned long long p = lo; p < hi; p += RT_PAGE_SIZE)
		if (t_kip_type((L4_Word_t)p) == type)
			n += RT_PAGE_SIZE;
	return n;
}

/* t_highmem.h */
L4_Word_t hm_top(void)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, top = 0;

	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++)
		if (!L4_IsMemoryDescVirtual(md) &&
		    (L4_MemoryDescType(md) & 0xf) == L4_ConventionalMemoryType &&
		    L4_MemoryDescHigh(md) + 1 > top)
			top = L4_MemoryDescHigh(md) + 1;
	return top;
}

/* Where this file's high pages lie: 16 KB-steps below the top of
 * conventional memory (kept under the root's UTCB and KIP region).  0 if
 * the KIP shows no conventional memory above LENT_KMEM_FRAME_LIMIT. */
static L4_Word_t hm_page(unsigned n)
{
	L4_Word_t top = hm_top(), pa;

	if (top > HM_UTCB_REGION)
		top = HM_UTCB_REGION;
	pa = top - (n + 1) * 0x10000UL;
	if (top < LENT_KMEM_FRAME_LIMIT + 0x100000UL || pa < LENT_KMEM_FRAME_LIMIT)
		return 0;
	return t_kip_type(pa) == L4_ConventionalMemoryType &&
	       t_kip_type(pa + 0x1FFF) == L4_ConventionalMemoryType ? pa : 0;
}

/* No RAM above 896 MB on this machine: the test has nothing to check.
 * Only the boot loader's map decides that, never the KIP under test. */
static const char *hm_no_high_ram(int *skip)
{
	unsigned long long other;
	long long ram = hm_mbi_ram(LENT_KMEM_FRAME_LIMIT, HM_USER_END, &other);

	CHECK(ram >= 0);
	*skip = ram == 0;
	if (*skip)
		printf("#   skipped: the boot loader reports no RAM above 896 MB (%lu MB of RAM)\n",
		       t_ram_mb());
	return 0;
}

/* A test's first step: pass, saying why, where there is no high RAM. */
#define HM_NEED_HIGH_RAM()						\
	do {								\
		int skip_;						\
		RUN(hm_no_high_ram(&skip_));				\
		if (skip_)						\
			return 0;					\
	} while (0)

static void hm_unmap(L4_Word_t pa, int log2)
{
	L4_Fpage_t f = L4_FpageLog2(pa, log2);

	L4_Set_Rights(&f, L4_FullyAccessible);
	L4_Flush(f);
}

/* ---- the tests ---- */

/* Every byte of RAM the boot loader reports from 896 MB to the end of
 * what sigma0 hands out is one the KIP calls conventional, and nothing
 * else is; RAM above it is reserved.  That end is 3 GB in the tree
 * build (sigma0 could not map RAM above), 0xF0000000 in the split one
 * (kernel/sigma0_high.h). */
static const char *t_highmem_kip_all_conventional(void)
{
	unsigned long long other, conv;
	long long ram;

	HM_NEED_HIGH_RAM();
	ram = hm_mbi_ram(LENT_KMEM_FRAME_LIMIT, HM_RAM_END, &other);
	conv = hm_kip_bytes(LENT_KMEM_FRAME_LIMIT, HM_RAM_END, L4_ConventionalMemoryType);
	printf("#   %lu KB of RAM from 896 MB to %lx, %lu KB of it conventional in the KIP\n",
	       (L4_Word_t)(ram / 1024), HM_RAM_END, (L4_Word_t)(conv / 1024));
	CHECK(ram > 0);
	CHECK_EQ(conv, (unsigned long long)ram);
	/* page by page: where the boot loader says RAM, the KIP says so */
	CHECK_EQ(t_kip_type(LENT_KMEM_FRAME_LIMIT), L4_ConventionalMemoryType);
	CHECK_EQ(t_kip_type(hm_top() - 1), L4_ConventionalMemoryType);
	ram = hm_mbi_ram(HM_RAM_END, 0x100000000ULL, &other);
	CHECK(ram >= 0);
	CHECK_EQ(hm_kip_bytes(HM_RAM_END, 0x100000000ULL, L4_ConventionalMemoryType), 0);
	if (ram > 0)
		CHECK_EQ(hm_kip_bytes(HM_RAM_END, 0x100000000ULL, L4_ReservedMemoryType) >=
			 (unsigned long long)ram, 1);
	return 0;
}

/* sigma0 gives the page named at a high address, mapped at that address
 * with full rights: it holds what is written, in two of its words, and a
 * page fault there after an unmap maps the same frame again. */
static const char *t_highmem_sigma0_gives_high_page(void)
{
	L4_Word_t pa = hm_page(0);
	volatile L4_Word_t *w = (volatile L4_Word_t *)pa;
	L4_Fpage_t got;

	HM_NEED_HIGH_RAM();
	CHECK(pa != 0);
	got = L4_Sigma0_GetPage(rt_sigma0(), L4_FpageLog2(pa, 12));
	CHECK(!L4_IsNilFpage(got));
	CHECK_EQ(L4_Address(got), pa);
	CHECK_EQ(L4_Size(got), RT_PAGE_SIZE);
	w[0] = HM_MARK;
	w[1023] = ~HM_MARK;
	CHECK_EQ(w[0], HM_MARK);
	CHECK_EQ(w[1023], ~HM_MARK);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pa), 0);
	/* Unmapped, the page comes back by a page fault to sigma0, the root's
	 * pager, with what it held. */
	hm_unmap(pa, 12);
	CHECK_EQ(w[0], HM_MARK);
	CHECK_EQ(w[1023], ~HM_MARK);
	hm_unmap(pa, 12);
	return 0;
}

/* An any-page request gets memory below 896 MB, which the kernel can take
 * as kernel memory, while there is some: a kpager asks this way too.  The
 * suite's kpagers have got their pages so at every memory size; this
 * says where the first free page of each size comes from. */
static const char *t_highmem_sigma0_any_page_below_limit_first(void)
{
	static const int sizes[] = { 12, 16, 22 };

	HM_NEED_HIGH_RAM();
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		L4_Fpage_t got = L4_Sigma0_GetAny(rt_sigma0(), sizes[i], L4_CompleteAddressSpace);

		CHECK(!L4_IsNilFpage(got));
		CHECK_EQ(L4_SizeLog2(got), sizes[i]);
		if (L4_Address(got) + L4_Size(got) > LENT_KMEM_FRAME_LIMIT)
			printf("#   %lu KB at %lx\n", L4_Size(got) / 1024, L4_Address(got));
		CHECK(L4_Address(got) + L4_Size(got) <= LENT_KMEM_FRAME_LIMIT);
		hm_unmap(L4_Address(got), sizes[i]);
	}
	return 0;
}

/* A receiver thread: one string into the buffer at t_shared[6] of
 * t_shared[7] bytes, then records the outcome. */
static void hm_string_receiver(L4_Word_t arg)
{
	L4_StringItem_t it = L4_StringItem((int)t_shared[7], (void *)t_shared[6]);
	L4_MsgTag_t tag;

	(void)arg;
	L4_LoadBR(0, 1);
	L4_LoadBR(1, it.raw[0]);
	L4_LoadBR(2, it.raw[1]);
	L4_Set_XferTimeouts(L4_Timeouts(rt_us(T_WAIT_US), rt_us(T_WAIT_US)));
	t_shared[5] = 1;
	tag = L4_Receive(rt_main_thread());
	t_shared[0] = tag.raw;
	t_shared[1] = L4_ErrorCode();
	t_shared[2] = rt_mr(L4_UntypedWords(tag) + 1);
	t_shared[4] = 1;
}

/*
 * A string whose source runs across two high pages (the last 300 bytes of
 * one, the first 700 of the next) into a buffer in a third: the receiver
 * reads exactly the bytes sent, and the bytes around its buffer stay.
 */
static const char *t_highmem_string_between_high_frames(void)
{
	L4_Word_t src = hm_page(2), dst = hm_page(4), items[2], w = 0x77, n = 1000;
	volatile unsigned char *s = (volatile unsigned char *)src, *d;
	L4_MsgTag_t tag;
	L4_ThreadId_t r;

	HM_NEED_HIGH_RAM();
	CHECK(src != 0 && dst != 0);
	CHECK(!L4_IsNilFpage(L4_Sigma0_GetPage(rt_sigma0(), L4_FpageLog2(src, 13))));
	CHECK(hm_map(dst));
	d = (volatile unsigned char *)dst + 0x80;
	for (L4_Word_t i = 0; i < 2 * RT_PAGE_SIZE; i++)
		s[i] = (unsigned char)(i * 13 + 5);
	for (L4_Word_t i = 0; i < RT_PAGE_SIZE; i++)
		((volatile unsigned char *)dst)[i] = 0xA5;
	t_shared[6] = (L4_Word_t)d;
	t_shared[7] = n;
	r = rt_thread_create(hm_string_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	t_until(&t_shared[5], 1);
	items[0] = L4_StringItem((int)n, 0).raw[0];
	items[1] = src + RT_PAGE_SIZE - 300;
	/* A kernel that cannot reach the frames ends in a transfer timeout,
	 * not a hang. */
	L4_Set_XferTimeouts(L4_Timeouts(rt_us(T_WAIT_US), rt_us(T_WAIT_US)));
	t_load(0x90, 1, &w, 2, items);
	tag = L4_Send(r);
	L4_Set_XferTimeouts(0);
	if (L4_IpcFailed(tag))
		printf("#   send failed, ErrorCode %lx\n", t_ipc_ec());
	CHECK(L4_IpcSucceeded(tag));
	t_until(&t_shared[4], 1);
	tag.raw = t_shared[0];
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_TypedWords(tag), 2);
	CHECK_EQ(t_shared[2] >> 10, n);
	for (L4_Word_t i = 0; i < n; i++)
		if (d[i] != s[RT_PAGE_SIZE - 300 + i])
			CHECK_EQ(d[i], s[RT_PAGE_SIZE - 300 + i]);
	CHECK_EQ(d[-1], 0xA5);
	CHECK_EQ(d[n], 0xA5);
	hm_unmap(src, 13);
	hm_unmap(dst, 12);
	return 0;
}

/* Runs `lock; nop; ret` at the code address in t_shared[6]: the kernel
 * reads the two bytes of the instruction from that page to know it. */
static void hm_kip_caller(L4_Word_t arg)
{
	L4_Word_t a, c;

	(void)arg;
	__asm__ volatile("call *%2" : "=a"(a), "=c"(c) : "r"(t_shared[6]) : "edx", "esi", "memory");
	t_shared[1] = a;
	t_shared[2] = c;
	t_shared[0] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* The kernel reads user code in a high frame: `lock; nop` there is the
 * KernelInterface call (KIP address in EAX, API version in ECX), not an
 * invalid opcode. */
static const char *t_highmem_kip_call_from_high_frame(void)
{
	L4_Word_t pa = hm_page(8);
	volatile unsigned char *code = (volatile unsigned char *)pa + 0x7F0;

	HM_NEED_HIGH_RAM();
	CHECK(pa != 0);
	CHECK(hm_map(pa));
	code[0] = 0xF0;   /* lock */
	code[1] = 0x90;   /* nop */
	code[2] = 0xC3;   /* ret */
	t_shared[6] = (L4_Word_t)code;
	CHECK(!L4_IsNilThread(rt_thread_create(hm_kip_caller, 0)));
	t_until(&t_shared[0], 1);
	CHECK_EQ(t_shared[1], (L4_Word_t)rt_kip());
	CHECK_EQ(t_shared[2], 0x84050000UL);
	hm_unmap(pa, 12);
	return 0;
}

/* ---- a kpager that offers a high frame ---- */

#define HK_POOL 6
static struct t_kp hk_kp;
/* The page directory is offered the high page first (t_kp_pdir.first),
 * then a low one of the pool (.second); every other page comes from the
 * rest of the pool (t_kp_pdir_loop). */
static volatile struct t_kp_pdir *const hk = &t_kp_pdir;

/*
 * The kpager's answer with a high page fails its send with IPC error 4
 * and LENT_KPF_NOT_ADDRESSABLE for item 0; nothing is lent, the page
 * stays the kpager's with what it held, and its client keeps waiting:
 * the next answer, a page below 896 MB, is taken and SpaceControl
 * succeeds.
 */
static const char *t_highmem_kpager_high_frame_refused(void)
{
	L4_ThreadId_t t;
	L4_Word_t old;

	HM_NEED_HIGH_RAM();
	t_kp_zero(hk, sizeof(*hk));
	hk->kp = &hk_kp;
	hk->pool_pages = HK_POOL;
	hk->first = hm_page(6);
	CHECK(hk->first != 0);
	CHECK(hm_map(hk->first));
	((volatile L4_Word_t *)hk->first)[0] = HM_MARK;
	RUN(t_kp_start(&hk_kp, HK_POOL, t_kp_pdir_loop));
	hk->second = hk_kp.pool;
	CHECK(hk_kp.pool + HK_POOL * RT_PAGE_SIZE <= LENT_KMEM_FRAME_LIMIT);
	t = rt_tid_alloc();
	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, hk_kp.thread.raw), 1);
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
				 L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2), L4_nilthread,
				 &old), 1);
	if (!((hk_kp.lent_kinds >> LENT_KMEM_PDIR) & 1)) {
		CHECK_EQ(hk->n, 0);         /* KMEM=pool: nobody is asked */
		rt_release(t);
		hm_unmap(hk->first, 12);
		return 0;
	}
	CHECK_EQ(hk->took_first, 0);
	CHECK_EQ(hk->ec_first & 0xF, 4u << 1);     /* error 4, in the send phase */
	CHECK_EQ(LENT_KPF_REFUSAL_WHY(hk->ec_first >> 4), LENT_KPF_NOT_ADDRESSABLE);
	CHECK_EQ(LENT_KPF_REFUSAL_ITEM(hk->ec_first >> 4), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, hk->first), 0);
	CHECK_EQ(((volatile L4_Word_t *)hk->first)[0], HM_MARK);
	CHECK_EQ(hk->ec_second, 0);
	CHECK_EQ(hk->took_second, 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, hk->second), 1);
	CHECK_EQ(hk->failed, 0);
	rt_release(t);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, hk->second), 0);
	hm_unmap(hk->first, 12);
	return 0;
}

const struct test highmem_tests[] = {
	TEST(highmem_kip_all_conventional),
	TEST(highmem_sigma0_gives_high_page),
	TEST(highmem_sigma0_any_page_below_limit_first),
	TEST(highmem_string_between_high_frames),
	TEST(highmem_kip_call_from_high_frame),
	TEST(highmem_kpager_high_frame_refused),
	{ 0, 0 },
};
