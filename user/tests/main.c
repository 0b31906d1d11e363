/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test root task: runs every test in order and reports as
 * docs/team-conventions.md says: "1..N", then "# test K NAME" before and
 * "ok K - NAME" or "not ok K - NAME: reason" after each test, then
 * "N passed, N failed", then the debugger with "shutdown".
 */
#include "tests.h"

/* Groups in the order they run: the basics first, the tests that feed
 * the kernel garbage last.  A test-only build may name its own list, to
 * run one group many times or groups in another order, in a build
 * directory of its own, e.g.
 *   make B=build-only CC="gcc '-DT_GROUPS=fuzz_tests, fuzz_tests'" \
 *	build-only/lent-tests.iso */
#ifdef T_GROUPS
static const struct test *const groups[] = { T_GROUPS };
#else
static const struct test *const groups[] = {
	kip_tests, bootinfo_tests, utcb_tests, clock_tests, sysclock_tests, clock_load_tests, thread_tests, tclife_tests, space_tests,
	exreg_tests, sched_tests, sched_x2_tests, fpu_tests, sse_tests, trap_tests, ipc_tests, ipc_chain_tests,
	ipc_prop_tests, redirect_tests, redirect_kmsg_tests, redirect_attack_tests, x2rest_redir_tests, x2abi_tests, x2abi_ipc_tests, lipc_fast_tests, ipc_fast_peer_tests, ipc_fast_once_tests, ipc_fast_pair_tests, ipc_fast_send_tests, ipc_fast_recv_tests, ipc_fast_reply_tests, ipc_fast_attack_tests, x2misc_tests,
	ipc_error_tests, ipc_item_tests, string_tests, fault_tests, unmap_tests, unmap_rx_tests, mapx_tests,
	split_stop_tests, split_reap_tests, nodeback_tests,
	xstring_tests, xstring_xfer_tests, x2strings_tests, x2unmap_tests,
	tasklayout_tests,
	sysenter_tests, sysenter_frame_tests, ipc_int_on_tests, ipc_tests, lipc_fast_tests, ipc_int_off_tests,
	io_tests, irq_tests, x2rest_tests,
	preempt_tests, preempt_fix_tests, preempt_attack_xfer_tests, preempt_attack_space_tests,
	preempt_attack_map_tests,
	sigma0_tests, frames_tests, highmem_tests, highmem4g_tests, s0store_tests, split_s0part_tests, s0attack_tests, s0attack_pager_tests,
	kpf_tests, kpf_deadlock_tests, kpf_back_tests,
	kpf_multi_tests, klend_tests, kpreempt_tests, kpreempt_more_tests, kpreempt_work_tests, kpreempt_io_tests, kpre_tcb_tests, kpre_tcb_edit_tests, kpre_utcb_tests,
	x2utcb_tests,
	kpre_tcb_more_tests, kpre_map_tests, kpre_mapover_tests, kpre_left_tests,
	accessbits_away_tests,
	ktask_tests, kpfnote_tests, kpfregs_tests, kstrip_tests, kahead_tests,
	kpager_tests,
	tcb_tests,
	tcbattack_tests, tcbattack_pages_tests,
	kattack_tests, kattack_roles_tests, khostile_recv_tests, khostile_tests, khostile_bad_tests, khostile_nest_tests,
	khostile_tc_tests, knodes_tests,
	migrate_tests,
	attack_s0_tests, attack_kpre_tests, attack_kpf_tests, attack_sys_tests,
	kattack_ctl_tests, kowned_tests, selfcheck_tests, misc_tests, kdb_tests, kmem_tests,
	kmem_exhaust_tests, kmem_numbers_tests,
	fuzz_tests, kmem_last_tests,
	s0hang_tests,
	margin_tests,
};
#endif

#define NGROUPS	(sizeof(groups) / sizeof(groups[0]))

int main(void)
{
	unsigned g, k = 0, total = 0, passed = 0, failed = 0;
	const struct test *t;

	rt_init();
	for (g = 0; g < NGROUPS; g++)
		for (t = groups[g]; t->name; t++)
			total++;
	printf("1..%u\n", total);
	if (L4_IsNilThread(rt_pager_start()))
		printf("# could not start the pager thread (error %lu)\n", rt_last_error());
	for (g = 0; g < NGROUPS; g++)
		for (t = groups[g]; t->name; t++) {
			const char *reason;
			int i;

			k++;
			for (i = 0; i < T_SHARED; i++)
				t_shared[i] = 0;
			printf("# test %u %s\n", k, t->name);
			reason = t->fn();
			if (!reason)
				reason = t_selfcheck();
			rt_cleanup();
			L4_Set_XferTimeouts(0);
			L4_Accept(L4_UntypedWordsAcceptor);
			if (reason) {
				printf("not ok %u - %s: %s\n", k, t->name, reason);
				failed++;
			} else {
				printf("ok %u - %s\n", k, t->name);
				passed++;
			}
		}
	printf("%u passed, %u failed\n", passed, failed);
	L4_KDB_Enter("shutdown");
	for (;;)
		L4_Sleep(L4_Never);
}
