/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * System-call fuzzing: fuzz threads run a long, deterministic
 * pseudo-random sequence of steps (t_fuzz_step.c, with arguments from
 * t_fuzz_gen.c kept safe by t_fuzz_sandbox.c) while main serves them
 * (t_fuzz_watch.c); then the kernel must still work and must have lost
 * no kernel memory.
 *
 * Test 1 runs FZ_TASKS child tasks of FZ_PER_TASK threads each: their
 * calls are unprivileged, so ThreadControl, SpaceControl,
 * ProcessorControl and MemoryControl must fail with error 1.  Test 2 runs
 * FZ_ROOT threads in the root's own space, privileged, whose
 * ThreadControl and SpaceControl only name thread numbers reserved for
 * the fuzz (FZ_RES_NO..).
 */
#include "t_fuzz.h"

struct fz_read fz;
struct fz_log fm;

/* ---- setup, checks ------------------------------------------------------ */

static void fz_setup(int root)
{
	W kip = (W)rt_kip();
	static W runs;
	int i;

	for (i = 0; i < FZ_MAX; i++) {
		struct fz_thread *t = &fz_rw.th[i];

		t->steps = t->calls = t->entries = t->priv_bad = t->clock_back = 0;
		t->entries_off_top = t->entry_sp_off = 0;
		t->priv_bad_error = t->priv_bad_step = t->priv_bad_sp[0] = t->priv_bad_sp[1] = 0;
		t->clock_lo = t->clock_hi = 0;
	}
	for (i = 0; i < (int)sizeof(fm) / (int)sizeof(W); i++)
		((W *)&fm)[i] = 0;
	for (i = 0; i < SC_N; i++)
		fz.stub[i] = kip + *(volatile W *)(kip + 0xd0 + 4 * i);
	fz.main = L4_Myself().raw;
	fz.rtpager = rt_pager().raw;
	fz.rtpager_local = rt_utcb_of(rt_pager()) + RT_UTCB_MR0_OFFSET;
	fz.nonexist = t_nonexistent().raw;
	fz.img_lo = RT_IMAGE_BASE;
	fz.img_hi = RT_IMAGE_BASE;
	while (rt_image_contains(fz.img_hi))
		fz.img_hi += RT_PAGE_SIZE;
	fz.rw_lo = (W)&fz_rw;
	fz.rw_hi = ((W)&fz_rw + sizeof(fz_rw) + RT_PAGE_SIZE - 1) & ~(RT_PAGE_SIZE - 1);
	fz.seed = FZ_SEED + runs++ * FZ_SEED_STEP;
	fz.root = root;
	fz.first = root ? FZ_CHILD : 0;
	fz.n = root ? FZ_ROOT : FZ_CHILD;
	fz.stop = 0;
	/* The root touches the whole region once (its own faults go to sigma0). */
	for (i = 0; i < (int)(sizeof(fz_rw) / sizeof(W)); i++)
		((volatile W *)&fz_rw)[i] = 0;
}

W fz_totals(W *calls, W *min_steps, const char **bad)
{
	W steps = 0;
	int j;

	*calls = 0;
	*min_steps = ~0UL;
	*bad = 0;
	for (j = fz.first; j < fz.first + fz.n; j++) {
		struct fz_thread *t = &fz_rw.th[j];

		steps += t->steps;
		*calls += t->calls;
		if (t->steps < *min_steps)
			*min_steps = t->steps;
		if (t->entries_off_top) {
			printf("#   fuzz thread %d: %lu of %lu entries at SP 0x%lx, not its stack's "
			       "top 0x%lx (the last)\n", j, t->entries_off_top, t->entries,
			       t->entry_sp_off, fz_sp(j));
			*bad = "a fuzz thread was (re)started off its stack's top";
		}
		if (t->priv_bad) {
			printf("#   fuzz thread %d: %lu privileged calls did not fail right "
			       "(last op %lu, result %lu, error %lu)\n", j, t->priv_bad,
			       t->priv_bad_what >> 24, (t->priv_bad_what >> 8) & 0xff,
			       t->priv_bad_what & 0xff);
			printf("#   its ErrorCode: 0x%lx%s; step %lu of seed 0x%lx, SP 0x%lx at the call, "
			       "0x%lx after\n", t->priv_bad_error,
			       t->priv_bad_error == FZ_EC_UNWRITTEN ? " (not written by the call)" : "",
			       t->priv_bad_step, fz.seed, t->priv_bad_sp[0], t->priv_bad_sp[1]);
			*bad = "a privileged call did not fail as X.2 says";
		}
		if (t->clock_back)
			*bad = "SystemClock went backwards";
	}
	return steps;
}

static const char *const op_name[OP_N] = {
	"ipc", "lipc", "exreg", "tc", "sc", "sched", "switch", "unmap", "clock", "procctl",
	"memctl", "int", "int30", "int31", "int3", "lock", "utcb", "iret",
};

static void report(const char *what, W elapsed)
{
	int j, op;

	W calls, min_steps, steps = fz_totals(&calls, &min_steps, &(const char *){ 0 });

	printf("# fuzz %s: seed 0x%lx, %d threads, %lu ms: %lu steps (min %lu), %lu calls, "
	       "%lu exceptions (#GP %lu, #BP %lu, #UD %lu, #DB %lu), %lu page faults "
	       "(%lu image, %lu scratch, %lu refused, last at 0x%lx ip 0x%lx), "
	       "%lu restarts, %lu strays\n",
	       what, fz.seed, fz.n, elapsed / 1000, steps, min_steps, calls, fm.exc,
	       fm.exc_vec[13], fm.exc_vec[3], fm.exc_vec[6], fm.exc_vec[1],
	       fm.pf_img + fm.pf_scr + fm.pf_ro + fm.pf_other, fm.pf_img, fm.pf_scr,
	       fm.pf_ro + fm.pf_other, fm.pf_last_addr, fm.pf_last_ip, fm.restarts, fm.strays);
	printf("#   calls by op:");
	for (op = 0; op < OP_N; op++) {
		W n = 0;

		for (j = fz.first; j < fz.first + fz.n; j++)
			n += fz_rw.th[j].by_op[op];
		if (op != OP_UTCB)
			printf(" %s %lu", op_name[op], n);
	}
	printf("\n");
}

/*
 * Kernel memory, measured the only way the ABI offers: create inactive
 * threads in one new space until ThreadControl fails with "out of
 * memory" (each takes a page), then delete them all.  Returns the number
 * created, or -1 if there is no answer: the first one failed, or more
 * than FZ_PROBE_MAX pages are free (large memory: the probe would take
 * too long; the kernel-memory pool is an eighth of RAM).
 */
static int kmem_probe(void)
{
	L4_ThreadId_t first = L4_GlobalId(FZ_PROBE_NO, 1), me = L4_Myself();
	W ec = 0;
	int n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return -1;
	for (n = 1; n < FZ_PROBE_MAX; n++) {
		L4_ThreadId_t t = L4_GlobalId(FZ_PROBE_NO + n, 1);

		if (L4_ThreadControl(t, first, me, L4_nilthread, (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	}
	for (i = n - 1; i >= 0; i--)
		(void)L4_ThreadControl(L4_GlobalId(FZ_PROBE_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : -1;
}

#define WB_ADDR	0x20000000UL
#define MAGIC	0x66757a7aUL

/* After the fuzz: a fresh thread, an IPC round trip with eight words, a
 * map item and an unmap, SystemClock advanced. */
static const char *kernel_works(W clock_before, W us)
{
	L4_ThreadId_t echo, ag;
	L4_Word_t w[8], res[5], sec, p;
	L4_Fpage_t fp;
	L4_MsgTag_t tag;
	int i;

	CHECK(rt_now_us() - clock_before >= us);
	echo = rt_thread_create(t_echo, 0);
	CHECK(!L4_IsNilThread(echo));
	for (i = 0; i < 8; i++)
		w[i] = 0x1000 + (L4_Word_t)i * 0x01010101UL;
	rt_msg(0x123, 8, w);
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Call(echo);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 0x123 ^ 0xff);
	CHECK_EQ(L4_UntypedWords(tag), 8);
	for (i = 0; i < 8; i++)
		CHECK_EQ(rt_mr(i + 1), ~w[i]);
	CHECK_EQ(t_shared[0], 1);

	p = t_page();
	CHECK(p != 0);
	*(volatile L4_Word_t *)p = MAGIC;
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, WB_ADDR, 12));
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_ReadWriteOnly, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(ag, WB_ADDR, MAGIC));
	fp = L4_FpageLog2(p, 12);
	L4_Set_Rights(&fp, L4_FullyAccessible);
	(void)L4_UnmapFpage(fp);
	RUN(t_ag_faults(ag, WB_ADDR, 0));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

static const char *leak_check(int before, int after)
{
	if (before < 0 || after < 0) {
		printf("# kernel-memory probe: no answer (too much free memory)\n");
		return 0;
	}
	printf("# kernel-memory probe: %d pages free before the fuzz, %d after\n", before, after);
	CHECK(after + FZ_LEAK_PAGES >= before);
	return 0;
}

/* What the threads' calls saw (each thread made FZ_MIN_STEPS steps or
 * more: fz_run waits for that). */
static const char *check_steps(void)
{
	W calls, min_steps;
	const char *bad;

	(void)fz_totals(&calls, &min_steps, &bad);
	if (bad)
		return t_fail(__FILE__, __LINE__, bad);
	return 0;
}

/* Test 1: child tasks. */
static const char *t_fuzz_syscalls_kernel_survives(void)
{
	L4_ThreadId_t me = L4_Myself();
	W clock0 = rt_now_us(), ip, sp;
	int before = kmem_probe(), after, k, j;
	const char *r;

	fz_setup(0);
	fm.scratch = t_page();
	CHECK(fm.scratch != 0);
	for (k = 0; k < FZ_TASKS; k++) {
		L4_ThreadId_t first = L4_nilthread;

		for (j = 0; j < FZ_PER_TASK; j++) {
			int idx = k * FZ_PER_TASK + j;
			L4_ThreadId_t t;
			W utcb = FZ_UTCB + (W)j * RT_UTCB_SIZE;

			if (j == 0)
				t = first = rt_task_prepare(t_sleeper, 0, me, &ip, &sp);
			else
				t = rt_task_thread_prepare(first, utcb, t_sleeper, 0, me, &ip, &sp);
			CHECK(!L4_IsNilThread(t));
			(void)L4_Set_Priority(t, FZ_PRIO);
			fz.tid[idx] = t.raw;
			fz.local[idx] = utcb + RT_UTCB_MR0_OFFSET;
			fz.group[idx] = k;
		}
	}
	for (j = 0; j < FZ_CHILD; j++) {
		L4_ThreadId_t t = { .raw = fz.tid[j] };

		CHECK(rt_start_message(t, (W)fz_start, fz_sp(j)));
	}
	fz_run(FZ_CHILD_US);
	/* Delete the fuzz threads (the first of each task last). */
	for (j = FZ_CHILD - 1; j >= 0; j--)
		rt_release((L4_ThreadId_t) { .raw = fz.tid[j] });
	report("in child tasks", rt_now_us() - clock0);
	RUN(check_steps());
	RUN(kernel_works(clock0, FZ_CHILD_US));
	rt_cleanup();
	after = kmem_probe();
	r = leak_check(before, after);
	return r;
}

/* Test 2: privileged fuzz threads in the root's own space. */
static const char *t_fuzz_privileged_reserved_threads(void)
{
	L4_ThreadId_t me = L4_Myself();
	W clock0 = rt_now_us(), sp, d;
	int before = kmem_probe(), after, j, n, v;
	L4_ThreadId_t pg;
	L4_Fpage_t win;

	fz_setup(1);
	for (j = FZ_CHILD; j < FZ_MAX; j++) {
		L4_ThreadId_t t = rt_thread_prepare(0, &sp);

		CHECK(!L4_IsNilThread(t));
		(void)L4_Set_Priority(t, FZ_PRIO);
		fz.tid[j] = t.raw;
		fz.local[j] = rt_utcb_of(t) + RT_UTCB_MR0_OFFSET;
		fz.group[j] = FZ_TASKS;
	}
	for (j = FZ_CHILD; j < FZ_MAX; j++) {
		L4_ThreadId_t t = { .raw = fz.tid[j] };

		(void)L4_ExchangeRegisters(t, X_S | X_I | X_H | X_r | X_s | X_p | X_F, fz_sp(j),
					   (W)fz_start, 0, 0, me, &d, &d, &d, &d, &d, &pg);
	}
	fz_run(FZ_ROOT_US);
	for (j = FZ_MAX - 1; j >= FZ_CHILD; j--)
		rt_release((L4_ThreadId_t) { .raw = fz.tid[j] });
	/* The threads the fuzz may have made. */
	for (n = 0; n < FZ_RES_NOS; n++)
		for (v = 1; v <= FZ_RES_VERS; v++)
			(void)L4_ThreadControl(L4_GlobalId(FZ_RES_NO + n, v), L4_nilthread,
					       L4_nilthread, L4_nilthread, (void *)~0UL);
	for (v = 1; v <= FZ_RES_VERS; v++)
		(void)L4_ThreadControl(L4_GlobalId(17, v), L4_nilthread, L4_nilthread,
				       L4_nilthread, (void *)~0UL);
	(void)L4_ThreadControl(L4_anythread, L4_nilthread, L4_nilthread, L4_nilthread,
			       (void *)~0UL);
	/* Mappings the fuzz made in the root's receive windows. */
	win = L4_FpageLog2(FZ_WIN, 22);
	L4_Set_Rights(&win, L4_FullyAccessible);
	(void)L4_UnmapFpage(win);
	report("in the root's space", rt_now_us() - clock0);
	RUN(check_steps());
	RUN(kernel_works(clock0, FZ_ROOT_US));
	rt_cleanup();
	after = kmem_probe();
	return leak_check(before, after);
}

const struct test fuzz_tests[] = {
	TEST(fuzz_syscalls_kernel_survives),
	TEST(fuzz_privileged_reserved_threads),
	{ 0 },
};
