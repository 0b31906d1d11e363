/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0 and frames that are not RAM (issue 6).  The kernel decides what
 * is RAM with its frame table (kernel/frame.c): sigma0's roots cover
 * exactly the frames frame_is_ram() accepts, and the KIP describes the
 * same boot map.  What user level must see:
 *   - a RAM request (any page, a page fault, or a named page with the
 *     default attributes) yields conventional or boot-loader RAM only;
 *   - a device frame (one no descriptor describes) goes to the root-task
 *     client alone, and only when it names it;
 *   - a reserved frame (page 0, firmware, the kernel's image, pool, boot
 *     reserve and frame table, RAM above the direct map) goes to nobody.
 * These tests show the property; no hole was found (see the report in
 * docs/kernel-memory.md, "The frame table").
 */
#include "tests.h"

#define FR_LABEL_PF_READ 0xffe4UL	/* page fault (-2), read access */
#define FR_NO_REPLY_US	200000UL	/* sigma0 never answers a refused fault */
#define FR_TYPE_NONE	T_KIP_TYPE_NONE

static int fr_is_ram_type(L4_Word_t type)
{
	return type == L4_ConventionalMemoryType || type == L4_BootLoaderSpecificMemoryType;
}

/* Every page of [base, base + size) is RAM by the KIP. */
static int fr_all_ram(L4_Word_t base, L4_Word_t size)
{
	for (L4_Word_t pa = base; pa - base < size; pa += RT_PAGE_SIZE)
		if (!fr_is_ram_type(t_kip_type(pa)) ||
		    !fr_is_ram_type(t_kip_type(pa + RT_PAGE_SIZE - 1)))
			return 0;
	return 1;
}

/* The first whole page from `from` up whose KIP type is `type`, or 0. */
static L4_Word_t fr_find_page(L4_Word_t type, L4_Word_t from)
{
	for (L4_Word_t pa = from; pa < 0xC0000000UL; pa += RT_PAGE_SIZE)
		if (t_kip_type(pa) == type && t_kip_type(pa + RT_PAGE_SIZE - 1) == type)
			return pa;
	return 0;
}

/*
 * The root's receive window: the address of a page it got from sigma0
 * (idempotent, so its page table and node table exist already), emptied.
 * A window in a region of its own would cost the root two pages of
 * kernel memory for good, which the tests of sigma0 under attack at 8 MB
 * cannot spare.
 */
static L4_Word_t fr_window;

static void fr_clear_window(void)
{
	L4_Fpage_t w = L4_FpageLog2(fr_window, 12);

	L4_Set_Rights(&w, L4_FullyAccessible);
	L4_Flush(w);
}

static int fr_window_init(void)
{
	fr_window = t_page();
	if (fr_window)
		fr_clear_window();
	return fr_window != 0;
}

/* The root asks sigma0 for the page at pa by name, into its window.
 * Returns the fpage sigma0 sent (nil on refusal). */
static L4_Fpage_t fr_named(L4_Word_t pa)
{
	L4_Fpage_t got;

	fr_clear_window();
	got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(pa, 12),
					  L4_FpageLog2(fr_window, 12));
	fr_clear_window();
	return got;
}

/* An unprivileged task (an agent, a client of its own) asks the same. */
static const char *fr_agent_named(L4_ThreadId_t ag, L4_Fpage_t want, L4_Fpage_t *got)
{
	L4_Word_t w[2] = { want.raw, L4_FpageLog2(0x40000000UL, 22).raw };
	L4_MsgTag_t tag = rt_agent_cmd(ag, RT_AG_SIGMA0, 2, w);

	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	got->raw = rt_mr(1);
	return 0;
}

/*
 * The root sends sigma0 a page fault at addr.  Returns 1 if sigma0
 * answered with a map item of the page at addr, 0 if it did not answer
 * within timeout_us (its way of refusing a fault: FR_NO_REPLY_US), -1
 * otherwise.  A fault sigma0 must answer waits with RT_NEVER_US: no
 * clock bound on the answer (t_sync.h).
 */
static int fr_fault(L4_Word_t addr, L4_Word_t timeout_us)
{
	L4_Word_t w[2] = { addr, 0x1234 };
	L4_MsgTag_t tag;
	L4_Fpage_t sent;
	int answer;

	fr_clear_window();
	t_load(FR_LABEL_PF_READ, 2, w, 0, 0);
	L4_Accept(L4_MapGrantItems(L4_FpageLog2(fr_window, 12)));
	tag = L4_Call_Timeouts(rt_sigma0(), L4_Never,
			       timeout_us == RT_NEVER_US ? L4_Never : rt_us(timeout_us));
	L4_Accept(L4_UntypedWordsAcceptor);
	if (L4_IpcFailed(tag)) {
		answer = t_ipc_ec() == EC_RECV(L4_ErrTimeout) ? 0 : -1;
	} else {
		sent.raw = rt_mr(2);
		answer = L4_TypedWords(tag) == 2 && !L4_IsNilFpage(sent) &&
			 L4_Address(sent) == (addr & ~(RT_PAGE_SIZE - 1)) ? 1 : -1;
	}
	fr_clear_window();
	return answer;
}

/* "Any page" requests, the root's and an unprivileged task's, of two
 * sizes: every page of every answer is RAM by the KIP.  (Few and small:
 * sigma0 never takes memory back, and at 8 MB the suite needs it all.) */
static const char *t_frames_any_page_is_ram(void)
{
	static const int sizes[] = { 12, 13 };
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Fpage_t fp;
	unsigned i;

	CHECK(!L4_IsNilThread(ag));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fp = L4_Sigma0_GetAny(rt_sigma0(), sizes[i], L4_CompleteAddressSpace);
		CHECK(!L4_IsNilFpage(fp));
		CHECK_EQ(L4_SizeLog2(fp), sizes[i]);
		if (!fr_all_ram(L4_Address(fp), L4_Size(fp)))
			printf("#   any page of 2^%d: %lx is not RAM\n", sizes[i], L4_Address(fp));
		CHECK(fr_all_ram(L4_Address(fp), L4_Size(fp)));

		RUN(fr_agent_named(ag, L4_FpageLog2(~0UL, sizes[i]), &fp));
		CHECK(!L4_IsNilFpage(fp));
		if (!fr_all_ram(L4_Address(fp), L4_Size(fp)))
			printf("#   agent's page of 2^%d: %lx is not RAM\n", sizes[i], L4_Address(fp));
		CHECK(fr_all_ram(L4_Address(fp), L4_Size(fp)));
	}
	return 0;
}

/* A page fault at a device or a reserved frame gets no answer; one at a
 * RAM page of the client's own does (so a refusal is not a lost reply). */
static const char *t_frames_fault_never_maps_non_ram(void)
{
	L4_Word_t device = fr_find_page(FR_TYPE_NONE, RT_PAGE_SIZE);
	L4_Word_t reserved = fr_find_page(L4_ReservedMemoryType, RT_PAGE_SIZE);
	L4_Word_t own = t_page();

	CHECK(device != 0 && reserved != 0 && own != 0 && fr_window_init());
	CHECK_EQ(fr_fault(device, FR_NO_REPLY_US), 0);
	CHECK_EQ(fr_fault(device + 0x123, FR_NO_REPLY_US), 0);
	CHECK_EQ(fr_fault(reserved, FR_NO_REPLY_US), 0);
	CHECK_EQ(fr_fault(own + 8, RT_NEVER_US), 1);
	return 0;
}

/* A device frame goes out only to the root-task client, and only by
 * name: an unprivileged task's named request is refused, the root's is
 * served.  (Not the page the fault test used: nobody may own this one.) */
static const char *t_frames_device_only_to_root(void)
{
	L4_Word_t first = fr_find_page(FR_TYPE_NONE, RT_PAGE_SIZE);
	L4_Word_t device = first ? fr_find_page(FR_TYPE_NONE, first + RT_PAGE_SIZE) : 0;
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Fpage_t got;

	CHECK(device != 0 && !L4_IsNilThread(ag) && fr_window_init());
	RUN(fr_agent_named(ag, L4_FpageLog2(device, 12), &got));
	CHECK(L4_IsNilFpage(got));
	got = fr_named(device);
	CHECK(!L4_IsNilFpage(got));
	CHECK_EQ(L4_Address(got), device);
	/* the root has it now; the agent still does not get it */
	RUN(fr_agent_named(ag, L4_FpageLog2(device, 12), &got));
	CHECK(L4_IsNilFpage(got));
	return 0;
}

/* Every reserved descriptor (page 0, firmware, the kernel's memory --
 * its frame table among it -- and RAM above the direct map): its first,
 * middle and last page are refused to the root by name. */
static const char *t_frames_reserved_to_nobody(void)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, tried = 0;

	CHECK(fr_window_init());
	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++) {
		L4_Word_t low = L4_MemoryDescLow(md), high = L4_MemoryDescHigh(md);
		L4_Word_t pages[3] = { low, low + ((high - low) / 2 & ~(RT_PAGE_SIZE - 1)),
				       high & ~(RT_PAGE_SIZE - 1) };

		if (L4_IsMemoryDescVirtual(md) ||
		    (L4_MemoryDescType(md) & 0xf) != L4_ReservedMemoryType)
			continue;
		for (int i = 0; i < 3; i++) {
			if (t_kip_type(pages[i]) != L4_ReservedMemoryType)
				continue;   /* a later descriptor says otherwise */
			L4_Fpage_t got = fr_named(pages[i]);

			if (!L4_IsNilFpage(got))
				printf("#   reserved page %lx handed out\n", pages[i]);
			CHECK(L4_IsNilFpage(got));
			tried++;
		}
	}
	/* page 0, the kernel and the firmware at least */
	CHECK(tried >= 3);
	return 0;
}

const struct test frames_tests[] = {
	TEST(frames_any_page_is_ram),
	TEST(frames_fault_never_maps_non_ram),
	TEST(frames_device_only_to_root),
	TEST(frames_reserved_to_nobody),
	{ 0 },
};
