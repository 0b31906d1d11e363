/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmark root task: one "BENCH <name> <value> <unit>" line per
 * benchmark, then "N passed, N failed" (a benchmark passes when it ran to
 * the end), then the debugger with "shutdown".
 */
#include "bench.h"

static unsigned passed, failed;

static void report(const char *name, int ok, L4_Word_t value, const char *unit)
{
	if (ok) {
		printf("BENCH %s %lu %s\n", name, value, unit);
		passed++;
	} else {
		printf("# bench %s did not run (error %lx)\n", name, rt_last_error());
		failed++;
	}
	rt_cleanup();
}

/* Issue 6's figures; tools/bench.py names them by the kernel they ran
 * on (fig3 becomes fig3_pool or fig3_kpager). */
static void issue6_figures(void)
{
	L4_Word_t v = 0, pages = 0, resident = 0;
	int ok;

	/* The paper's protocol first (one page per kernel page fault), for
	 * the record; the figure is the fault with Lent's (several). */
	if (bench_fig3(1, &v))
		printf("# fig3 with one page per kernel page fault: %lu instructions\n", v);
	rt_cleanup();
	ok = bench_fig3(LENT_KPF_MAX_PAGES, &v);
	report("fig3", ok, v, "instructions");
	/* The same fault with a kpager that lent ahead: a lent kernel's only
	 * (tools/bench.py names it fig3_kpager_ahead). */
	if (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0)) {
		ok = bench_fig3_ahead(&v);
		report("fig3_ahead", ok, v, "instructions");
	}
	ok = bench_kmem_task(&pages, &resident);
	report("tcb_resident_bytes", ok, resident, "bytes");
	report("kmem_task_pages", ok, pages, "pages");
}

/* Issue 7's: a page taken back and had back, by kind and live mappings.
 * The kinds the kernel does not give back yet have no figure. */
static void issue7_figures(L4_Word_t lent)
{
	static const unsigned kinds[2] = { LENT_KMEM_PT, LENT_KMEM_PDIR };
	static const L4_Word_t live[3] = { 1, 100, 1000 };
	char name[40];
	L4_Word_t v = 0;

	if (!(lent & (1UL << LENT_KMEM_PT))) {
		printf("# preempt_restore: this kernel lends no kernel memory\n");
		return;
	}
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 3; i++) {
			int ok = bench_preempt_restore(kinds[k], live[i], &v);
			snprintf(name, sizeof(name), "preempt_restore_%s_%lu",
				 bench_kind_name(kinds[k]), live[i]);
			report(name, ok, v, "instructions");
		}
}

/*
 * One-way Ipc and Lipc by the KIP's stubs (sysenter where the kernel uses
 * it), then the same by int $0x30 ("_int"), then the string round trips.
 */
static void ipc_figures(void)
{
	static const int words[5] = { 0, 1, 2, 8, 63 };
	char name[32];
	L4_Word_t v = 0;
	int e, i, ok;

	printf("# one-way IPC = half a Call/ReplyWait round trip, %u rounds; "
	       "cycles = rdtsc ticks\n", BENCH_ROUNDS);
	printf("# the KIP's Ipc stub enters by %s; _int: by int $0x30\n",
	       rt_ipc_kip_sysenter() ? "sysenter" : "int $0x30");
	for (e = 0; e < 2; e++) {
		const char *sfx = e ? "_int" : "";

		rt_ipc_entry_int(e);
		for (i = 0; i < 5; i++) {
			ok = bench_ipc_intra(words[i], &v);
			snprintf(name, sizeof(name), "ipc_intra_%dmr%s", words[i], sfx);
			report(name, ok, v, "cycles");
		}
		for (i = 0; i < 5; i++) {
			ok = bench_lipc_intra(words[i], &v);
			snprintf(name, sizeof(name), "lipc_intra_%dmr%s", words[i], sfx);
			report(name, ok, v, "cycles");
		}
		for (i = 0; i < 5; i++) {
			ok = bench_ipc_inter(words[i], e, &v);
			snprintf(name, sizeof(name), "ipc_inter_%dmr%s", words[i], sfx);
			report(name, ok, v, "cycles");
		}
	}
	rt_ipc_entry_int(0);
	printf("# a Call carrying one string item, answered empty: round trip\n");
	ok = bench_ipc_string(64, &v);
	report("ipc_string_64b", ok, v, "cycles");
	ok = bench_ipc_string(4096, &v);
	report("ipc_string_4kb", ok, v, "cycles");
}

int main(void)
{
	char name[32];
	L4_Word_t v = 0, lent;
	int i, ok;

	rt_init();
	lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (L4_IsNilThread(rt_pager_start()))
		printf("# could not start the pager thread (error %lu)\n", rt_last_error());
	printf("# this kernel lends kinds 0x%lx by kernel page faults (0: KMEM=pool)\n", lent);
	ipc_figures();
	ok = bench_pagefault(&v);
	report("pagefault_user_pager", ok, v, "cycles");
	ok = bench_map_unmap(&v);
	report("map_unmap_page", ok, v, "cycles");
	printf("# wake-up lateness: a sleeper of higher priority than the load, "
	       "worst (wake - deadline) in rdtsc ticks\n");
	for (i = 0; i < WK_LOADS; i++) {
		ok = bench_wakeup(i, &v);
		snprintf(name, sizeof(name), "wakeup_late_max_%s", bench_wakeup_name(i));
		report(name, ok, v, "instructions");
	}
	issue6_figures();
	issue7_figures(lent);
	printf("%u passed, %u failed\n", passed, failed);
	L4_KDB_Enter("shutdown");
	for (;;)
		L4_Sleep(L4_Never);
}
