/* SPDX-License-Identifier: BSD-2-Clause */
/* The demo root task: show, step by step, what the kernel does for a
 * user-level system, then shut the machine down. */
#include "demo.h"

static const struct {
	const char *title;
	int (*run)(void);
} steps[] = {
	{ .title = "sigma0 hands out memory", .run = demo_sigma0 },
	{ .title = "a user-level pager resolves the page faults of a child task",
	  .run = demo_pager },
	{ .title = "IPC between two tasks", .run = demo_ipc },
	{ .title = "unmap revokes a chain of mappings A -> B -> C", .run = demo_unmap },
	{ .title = "a task's kernel memory, kind by kind, lent by a kpager and counted",
	  .run = demo_kmem },
};

int main(void)
{
	unsigned i, ok = 0, n = sizeof(steps) / sizeof(steps[0]);

	rt_init();
	printf("demo: Lent demo root task, thread " TID_FMT ", KIP at %p\n",
	       TID_ARGS(L4_Myself()), rt_kip());
	if (L4_IsNilThread(rt_pager_start()))
		printf("demo: could not start the pager thread (error %lu)\n",
		       rt_last_error());
	for (i = 0; i < n; i++) {
		printf("demo: [%u] %s\n", i + 1, steps[i].title);
		if (steps[i].run()) {
			ok++;
			printf("demo: [%u] done\n", i + 1);
		} else {
			printf("demo: [%u] FAILED\n", i + 1);
		}
		rt_cleanup();
	}
	printf("demo: %u of %u steps worked\n", ok, n);
	/* Booted with kdb=on (make run KDB=on), the kernel debugger stops
	 * here with every thread still there; otherwise this just prints. */
	L4_KDB_Enter("demo: done; in the debugger (kdb=on), c shuts down");
	printf("demo: shutting down\n");
	L4_KDB_Enter("shutdown");
	for (;;)
		L4_Sleep(L4_Never);
}
