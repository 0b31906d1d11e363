/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The KIP's BootInfo word (kernel/bootinfo.c): X.2 generic boot-
 * information records, read as a program built against Pistachio's
 * <l4/bootinfo.h> reads them (L4_BootInfo_Valid, L4_BootInfo_FirstEntry,
 * L4_BootRec_Next, ...).  Every Multiboot module has its Module record,
 * in order, with the same start, size and command line, and the Multiboot
 * record leads to the Multiboot information the boot loader gave.
 */
#include "tests.h"
#include <string.h>
#include <l4/bootinfo.h>
#include <l4/kipaccess.h>

/* Multiboot 1: flags at 0 (bit 3: modules), mods_count at 20, mods_addr
 * at 24; each module 16 bytes: start, end, string, reserved. */
#define MBI_FLAG_MODS	(1UL << 3)

static const char *t_bootinfo_valid(void)
{
	L4_Word_t bi = L4_BootInfo(rt_kip());

	CHECK(bi != 0);
	CHECK(L4_BootInfo_Valid((void *)bi));
	CHECK_EQ(((L4_BootInfo_t *)bi)->magic, 0x14b0021d);
	CHECK_EQ(((L4_BootInfo_t *)bi)->version, 1);
	CHECK_EQ(((L4_BootInfo_t *)bi)->first_entry, sizeof(L4_BootInfo_t));
	/* It lies in memory the KIP calls boot-loader specific, which is
	 * why sigma0 hands it to us. */
	CHECK_EQ(t_kip_type(bi), L4_BootLoaderSpecificMemoryType);
	CHECK_EQ(t_kip_type(bi + L4_BootInfo_Size((void *)bi) - 1),
		 L4_BootLoaderSpecificMemoryType);
	CHECK_EQ(rt_bootinfo(), (void *)bi);
	return 0;
}

static const char *t_bootinfo_modules_and_multiboot(void)
{
	void *bi = rt_bootinfo();
	L4_BootRec_t *r, *mbi_rec = 0, *mods[16];
	L4_Word_t i, n, nmods = 0, end, mbi, *mbi_w, *m;

	CHECK(bi != 0);
	n = L4_BootInfo_Entries(bi);
	end = (L4_Word_t)bi + L4_BootInfo_Size(bi);
	r = L4_BootInfo_FirstEntry(bi);
	for (i = 0; i < n; i++, r = L4_BootRec_Next(r)) {
		CHECK((L4_Word_t)r + 3 * sizeof(L4_Word_t) <= end);
		CHECK_EQ(r->version, 1);
		switch (L4_BootRec_Type(r)) {
		case L4_BootInfo_Module:
			CHECK(nmods < 16);
			mods[nmods++] = r;
			break;
		case L4_BootInfo_Multiboot:
			CHECK(mbi_rec == 0);
			mbi_rec = r;
			break;
		default:
			return t_fail_eq(__FILE__, __LINE__, "record type", L4_BootRec_Type(r), 0);
		}
	}
	CHECK_EQ((L4_Word_t)r, end);		/* the chain fills the size exactly */
	CHECK(mbi_rec != 0);
	mbi = L4_MBI_Address(mbi_rec);
	CHECK_EQ(rt_multiboot_info(), mbi);
	mbi_w = (L4_Word_t *)mbi;
	CHECK(mbi_w[0] & MBI_FLAG_MODS);
	/* sigma0, the root task and nothing else in the test ISO */
	CHECK_EQ(mbi_w[5], 2);
	CHECK_EQ(nmods, mbi_w[5]);
	CHECK_EQ(n, nmods + 1);
	m = (L4_Word_t *)mbi_w[6];
	for (i = 0; i < nmods; i++, m += 4) {
		const char *cmd = L4_Module_Cmdline(mods[i]);

		CHECK_EQ(L4_Module_Start(mods[i]), m[0]);
		CHECK_EQ(L4_Module_Size(mods[i]), m[1] - m[0]);
		CHECK(cmd != 0);
		CHECK((L4_Word_t)cmd + strlen(cmd) < end);
		CHECK(strcmp(cmd, (const char *)m[2]) == 0);
	}
	CHECK(strcmp(L4_Module_Cmdline(mods[0]), "sigma0") == 0);
	CHECK(strcmp(L4_Module_Cmdline(mods[1]), "root") == 0);
	/* The root task's module holds the image we run from. */
	CHECK_EQ(*(L4_Word_t *)L4_Module_Start(mods[1]), 0x464C457F);	/* ELF */
	return 0;
}

const struct test bootinfo_tests[] = {
	TEST(bootinfo_valid),
	TEST(bootinfo_modules_and_multiboot),
	{ 0 },
};
