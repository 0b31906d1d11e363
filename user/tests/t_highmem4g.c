/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RAM from 3 GB up (issue 8; kernel/sigma0_high.h): the KIP
 * publishes it as conventional, and sigma0 hands it out as it hands out
 * every frame, named by its physical address in its map item, to be
 * placed wherever the client's receive window says (it has no page of its
 * own there: its space ends at 3 GB).  From there such a frame is memory
 * like any other: mapped on, copied into by string IPC (the kernel
 * reaches it through its frame window), unmapped.
 *
 * Under QEMU's PC there is RAM from 3 GB only with less than 3.5 GB in
 * all: make test runs the suite at -m 3500.  Each test skips, saying so,
 * where the boot loader reports no RAM from 3 GB.
 */
#include "t_kphelp.h"
#include "t_highmem.h"
#include <lent/kmem.h>

#define H4_LOW		0xC0000000UL	/* 3 GB: above every space's user part */
#define H4_END		0xF0000000UL	/* sigma0 hands out RAM below this */
#define H4_WIN		0x40000000UL	/* where agent A takes the frame (4 MB never used) */
#define H4_WIN2		0x44000000UL	/* where agent B takes it from A */
#define H4_MARK		0x34676221UL
#define H4_BUF		0x300UL		/* where in the page the string goes */
#define H4_LEN		700UL		/* its bytes (a multiple of 4) */
#define H4_LABEL	0x69

/* No RAM from 3 GB up to hand out here: the test has nothing to check.
 * Only the boot loader's map decides that, never the KIP under test. */
static const char *h4_no_ram(int *skip)
{
	unsigned long long other;
	long long ram;

	ram = hm_mbi_ram(H4_LOW, H4_END, &other);
	CHECK(ram >= 0);
	*skip = ram == 0;
	if (*skip)
		printf("#   skipped: the boot loader reports no RAM from 3 GB up (%lu MB of RAM; "
		       "make test runs -m 3500)\n", t_ram_mb());
	return 0;
}

#define H4_NEED_RAM()							\
	do {								\
		int skip_;						\
		RUN(h4_no_ram(&skip_));					\
		if (skip_)						\
			return 0;					\
	} while (0)

/* The page this file's test n uses: 64 KB-steps below the top of
 * conventional memory, from 3 GB up; 0 if the KIP shows none there. */
static L4_Word_t h4_page(unsigned n)
{
	L4_Word_t top = hm_top(), pa = top - (n + 1) * 0x10000UL;

	if (top < H4_LOW + 0x100000UL || pa < H4_LOW)
		return 0;
	return t_kip_type(pa) == L4_ConventionalMemoryType ? pa : 0;
}

/* Agent ag asks sigma0 for the page at pa, to be placed at win. */
static const char *h4_sigma0(L4_ThreadId_t ag, L4_Word_t pa, L4_Word_t win, L4_Fpage_t *got)
{
	L4_Word_t a[2] = { L4_FpageLog2(pa, 12).raw, L4_FpageLog2(win, 12).raw };

	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SIGMA0, 2, a)));
	CHECK_EQ(rt_mr(2), 0);             /* the IPC itself succeeded */
	got->raw = rt_mr(1);
	return 0;
}

static const char *h4_write(L4_ThreadId_t ag, L4_Word_t va, L4_Word_t w)
{
	L4_Word_t a[2] = { va, w };

	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_WRITE, 2, a)));
	return 0;
}

/* ---- the tests ---- */

/* The KIP calls all RAM the boot loader reports from 3 GB to 0xF0000000
 * conventional, up to the last byte, and nothing else there. */
static const char *t_highmem4g_kip_conventional(void)
{
	unsigned long long other;
	long long ram;

	H4_NEED_RAM();
	ram = hm_mbi_ram(H4_LOW, H4_END, &other);
	printf("#   %lu KB of RAM from 3 GB, conventional up to %lx\n", (L4_Word_t)(ram / 1024),
	       hm_top());
	CHECK_EQ(hm_kip_bytes(H4_LOW, H4_END, L4_ConventionalMemoryType),
		 (unsigned long long)ram);
	CHECK_EQ(t_kip_type(H4_LOW), L4_ConventionalMemoryType);
	CHECK(hm_top() > H4_LOW && hm_top() <= H4_END);
	CHECK_EQ(t_kip_type(hm_top() - 1), L4_ConventionalMemoryType);
	CHECK(t_kip_type(hm_top()) != L4_ConventionalMemoryType);
	return 0;
}

/*
 * Agent A asks sigma0 for a frame from 3 GB up and gets it at the
 * address of its receive window; it holds what A writes; A maps it on to
 * agent B, and each reads what the other wrote.  The root then sends B a
 * string into it, which A reads, byte for byte, up to the buffer's end
 * and not past it.  A's unmap of what it gave takes B's mapping (B's
 * access faults to its pager) and leaves A's own.
 */
static const char *t_highmem4g_frame_mapped_on_string_unmap(void)
{
	static L4_Word_t src[H4_LEN / 4];
	L4_Word_t pa = h4_page(0), items[2], a[2], sec;
	L4_ThreadId_t ag, bg;
	L4_StringItem_t str;
	L4_MsgTag_t tag;
	L4_Fpage_t got;

	H4_NEED_RAM();
	CHECK(pa != 0);
	ag = rt_agent_create(rt_main_thread());
	bg = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(ag) && !L4_IsNilThread(bg));
	RUN(h4_sigma0(ag, pa, H4_WIN, &got));
	CHECK(!L4_IsNilFpage(got));
	CHECK_EQ(L4_Address(got), pa);
	CHECK_EQ(L4_Size(got), RT_PAGE_SIZE);
	RUN(h4_write(ag, H4_WIN + 8, H4_MARK));
	RUN(t_ag_reads(ag, H4_WIN + 8, H4_MARK));
	/* no kernel memory: the frame is the agent's, not lent */
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pa), 0);

	RUN(t_ag_accept(bg, H4_WIN2, 12));
	RUN(t_ag_pass_map(ag, bg, t_map_item(H4_WIN, 12, L4_FullyAccessible, 0)));
	RUN(t_ag_reads(bg, H4_WIN2 + 8, H4_MARK));
	RUN(h4_write(bg, H4_WIN2 + 12, ~H4_MARK));
	RUN(t_ag_reads(ag, H4_WIN + 12, ~H4_MARK));

	/* A string from the root into B's buffer in the frame. */
	for (L4_Word_t i = 0; i < H4_LEN / 4; i++)
		src[i] = 0x5a000000UL + i * 0x10101UL;
	RUN(h4_write(ag, H4_WIN + H4_BUF - 4, 0xA5A5A5A5UL));
	RUN(h4_write(ag, H4_WIN + H4_BUF + H4_LEN, 0xA5A5A5A5UL));
	a[0] = H4_WIN2 + H4_BUF;
	a[1] = H4_LEN;
	CHECK(rt_agent_post(bg, RT_AG_RECV_STRING, 2, a));
	str = L4_StringItem((int)H4_LEN, (void *)src);
	items[0] = str.raw[0];
	items[1] = str.raw[1];
	CHECK(!L4_IsNilThread(t_send_async(bg, t_tag(H4_LABEL, 0, 2), items, 0)));
	tag = rt_agent_result(bg, 0);
	CHECK(t_ag_ok(tag));
	tag.raw = rt_mr(1);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), H4_LABEL);
	CHECK_EQ(L4_TypedWords(tag), 2);
	CHECK_EQ(rt_mr(4) >> 10, H4_LEN);   /* the string's length as delivered */
	t_send_async_wait(&tag, &sec);
	CHECK_EQ(sec, 0);
	for (L4_Word_t i = 0; i < H4_LEN / 4; i += 25)
		RUN(t_ag_reads(ag, H4_WIN + H4_BUF + i * 4, src[i]));
	RUN(t_ag_reads(ag, H4_WIN + H4_BUF + H4_LEN - 4, src[H4_LEN / 4 - 1]));
	RUN(t_ag_reads(ag, H4_WIN + H4_BUF - 4, 0xA5A5A5A5UL));
	RUN(t_ag_reads(ag, H4_WIN + H4_BUF + H4_LEN, 0xA5A5A5A5UL));

	/* A takes back what it gave: B faults, A keeps its own. */
	a[0] = 0;
	a[1] = L4_FpageAddRights(L4_FpageLog2(H4_WIN, 12), L4_FullyAccessible).raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_UNMAP, 2, a)));
	RUN(t_ag_reads(ag, H4_WIN + 8, H4_MARK));
	RUN(t_ag_faults(bg, H4_WIN2 + 8, 0));
	rt_release(bg);
	rt_release(ag);
	return 0;
}

/*
 * The frame asked for again, at another address of the same agent (a
 * second mapping of one root, sigma0's second sender part): both
 * addresses are the one frame.  The agent's Unmap of one with itself
 * flushed takes that one only: a touch there faults, the other stays.
 */
static const char *t_highmem4g_frame_twice_in_one_task(void)
{
	L4_Word_t pa = h4_page(1), a[2];
	L4_ThreadId_t ag;
	L4_Fpage_t got;

	H4_NEED_RAM();
	CHECK(pa != 0);
	ag = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(ag));
	RUN(h4_sigma0(ag, pa, H4_WIN, &got));
	CHECK_EQ(L4_Address(got), pa);
	RUN(h4_sigma0(ag, pa, H4_WIN2 + 0x5000, &got));
	CHECK_EQ(L4_Address(got), pa);
	CHECK_EQ(L4_Size(got), RT_PAGE_SIZE);
	RUN(h4_write(ag, H4_WIN + 0xFFC, H4_MARK ^ pa));
	RUN(t_ag_reads(ag, H4_WIN2 + 0x5FFC, H4_MARK ^ pa));
	RUN(h4_write(ag, H4_WIN2 + 0x5000, ~pa));
	RUN(t_ag_reads(ag, H4_WIN, ~pa));
	/* Unmap with f (control bit 6) of the first. */
	a[0] = 0x40;
	a[1] = L4_FpageAddRights(L4_FpageLog2(H4_WIN, 12), L4_FullyAccessible).raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_UNMAP, 2, a)));
	RUN(t_ag_reads(ag, H4_WIN2 + 0x5000, ~pa));
	RUN(t_ag_faults(ag, H4_WIN, 0));
	rt_release(ag);
	return 0;
}

const struct test highmem4g_tests[] = {
	TEST(highmem4g_kip_conventional),
	TEST(highmem4g_frame_mapped_on_string_unmap),
	TEST(highmem4g_frame_twice_in_one_task),
	{ 0, 0 },
};
