#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Boot the benchmark ISOs of both kernels and print their figures.

    bench.py POOL_ISO LENT_ISO [--cpu MODEL] [--mem MB] [--timeout S]

POOL_ISO is the default build (KMEM=pool: kernel memory from an in-kernel
pool), LENT_ISO the KMEM=lent build (kernel memory lent by kpagers through
kernel page faults).  QEMU runs with -icount shift=0,sleep=off: the guest's
time stamp counter then counts guest instructions, so figures repeat exactly
from run to run; sleep=off lets virtual time jump over the guest's idle
periods instead of following the host's clock, so a wake-up from idle is
exact too.  The bench root task prints "BENCH <name> <value> <unit>" per
figure and ends with "N passed, N failed" and a shutdown.

The output is one table (a column per kernel), a line comparing each figure
that has a peer's (PEERS: lipc_intra_0mr with Pistachio's), then one line
per figure:
    BENCH <name> <value> <unit>
A figure of the pool kernel keeps the name the root task gave it, one of
the lent kernel gets "_lent" after it, except the figures of issue 6:
    fig3_pool            the Fig. 3 fault, pool kernel
    fig3_kpager          the same fault, lent kernel (served by a kpager)
    fig3_ratio_permille  fig3_kpager * 1000 / fig3_pool
    fig3_kpager_ahead    the same fault, lent kernel, the frames lent ahead
                         by the kpager and bound without a kernel page fault
    fig3_ahead_ratio_permille  fig3_kpager_ahead * 1000 / fig3_pool
    tcb_resident_bytes   per thread, lent kernel (the pool's: _pool)
    kmem_task_pages      a two-thread task, lent kernel (the pool's: _pool)
    preempt_restore_<kind>_<n>  a kernel page of kind taken back from a task
                         with n live mappings and had back, lent kernel
Exits 1, loudly, if a run crashes, hangs, reports a failure or prints no
BENCH line, or if a wake-up figure (wakeup_late_max_<load>, either
kernel) exceeds WAKEUP_LATE_POLLS times the kernel's PREEMPT_POLL_COST
(kernel/preempt.h): a load may keep a sleeper of higher priority waiting
for about one stretch of work between two looks at the interrupt
controller and the way to the sleeper, not for a stretch that no
preemption point bounds.  The serial logs go to build/logs/bench-pool.log and
build/logs/bench-lent.log.
"""

import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_harness  # noqa: E402
import tap_verdict  # noqa: E402

BENCH_RE = re.compile(r"^BENCH (\S+) (\S+) (.+?)\s*$")
BUILDS = ("pool", "lent")
# Issue 6's names for figures the root task prints as <name> on both kernels.
ISSUE6 = {("fig3", "pool"): "fig3_pool", ("fig3", "lent"): "fig3_kpager",
          ("fig3_ahead", "lent"): "fig3_kpager_ahead"}
FROM_LENT = ("tcb_resident_bytes", "kmem_task_pages")
FROM_LENT_PREFIX = "preempt_restore_"   # issue 7's: the lent kernel only
# What a peer kernel measures for a figure in the same QEMU (README,
# "Figures"): printed under the table, next to Lent's.
PEERS = {"lipc_intra_0mr": "Pistachio's Lcall: 95"}
# The bound on the wake-up figures, in poll intervals: the figures sit
# between 0.5 and 4.5 of them (the timer meets the work at a phase that
# moves with the binary's layout), a stretch without a preemption point
# (such as task death's node pages going back unaccounted in the pool
# build, once 41,321) is far beyond.
WAKEUP_PREFIX = "wakeup_late_max_"
WAKEUP_LATE_POLLS = 6
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def poll_cost():
    """PREEMPT_POLL_COST of kernel/preempt.h: the kernel's own interval."""
    with open(os.path.join(ROOT, "kernel", "preempt.h")) as f:
        m = re.search(r"#define\s+PREEMPT_POLL_COST\s+(\d+)u?", f.read())
    if not m:
        raise SystemExit("bench: no PREEMPT_POLL_COST in kernel/preempt.h")
    return int(m.group(1))


def late_wakeups(values, bound):
    """The wake-up figures above bound, as problems to report."""
    return ["%s kernel: %s %s instructions, more than %d (%d poll intervals)"
            % (b, n, v, bound, WAKEUP_LATE_POLLS)
            for (n, b), v in sorted(values.items())
            if n.startswith(WAKEUP_PREFIX) and int(v) > bound]


def bench_name(name, build):
    """The BENCH name of figure `name` measured on kernel `build`."""
    if (name, build) in ISSUE6:
        return ISSUE6[(name, build)]
    if name in FROM_LENT or name.startswith(FROM_LENT_PREFIX):
        return name if build == "lent" else name + "_pool"
    return name if build == "pool" else name + "_lent"


def table(head, rows):
    """First column left-aligned, values right-aligned, last left-aligned."""
    w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]

    def line(r):
        cells = ["%-*s" % (w[0], r[0])]
        cells += ["%*s" % (w[i], r[i]) for i in range(1, len(r) - 1)]
        return "  ".join(cells + [r[-1]]).rstrip()

    return "\n".join([line(head), line(["-" * n for n in w])] + [line(r) for r in rows])


def run_one(iso, build, a):
    """Boot one ISO; its figures as [(name, value, unit)] and its problems."""
    cfg = qemu_harness.Config(iso, a.cpu, a.mem, a.timeout, a.idle,
                              name="bench-" + build,
                              extra=["-icount", "shift=0,sleep=off"])
    run = qemu_harness.run_qemu(cfg)
    figures = [m.groups() for m in map(BENCH_RE.match, run.lines) if m]
    summary = [m for m in map(tap_verdict.SUMMARY_RE.match, run.lines) if m]
    problems = []
    why = tap_verdict.run_problem(run)
    if why:
        problems.append(why)
    if not summary:
        problems.append("no summary line (N passed, N failed)")
    elif int(summary[0].group(2)):
        problems.append("the bench task reports: " + summary[0].group(0))
    if not figures:
        problems.append("no BENCH line")
    return figures, ["%s kernel: %s (serial log: %s)" % (build, p, run.log_path)
                     for p in problems]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pool_iso")
    ap.add_argument("lent_iso")
    ap.add_argument("--cpu", default=None,
                    help="QEMU -cpu model (default: QEMU's own)")
    ap.add_argument("--mem", type=int, default=128)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--idle", type=float, default=120.0)
    a = ap.parse_args()
    for iso in (a.pool_iso, a.lent_iso):
        if not os.path.exists(iso):
            print("bench: %s not found" % iso, file=sys.stderr)
            return 1

    values, units, order, problems = {}, {}, [], []
    for build, iso in zip(BUILDS, (a.pool_iso, a.lent_iso)):
        figures, why = run_one(iso, build, a)
        problems += why
        for name, value, unit in figures:
            if name not in units:
                order.append(name)
                units[name] = unit
            values[(name, build)] = value

    problems += late_wakeups(values, WAKEUP_LATE_POLLS * poll_cost())

    lines = [(bench_name(n, b), values[(n, b)], units[n])
             for n in order for b in BUILDS if (n, b) in values]
    rows = [[n] + [values.get((n, b), "-") for b in BUILDS] + [units[n]] for n in order]
    pool, lent = values.get(("fig3", "pool")), values.get(("fig3", "lent"))
    if pool and lent and int(pool) > 0:
        ratio = str(int(lent) * 1000 // int(pool))
        lines.append(("fig3_ratio_permille", ratio, "permille"))
        rows.append(["fig3_ratio_permille", "", ratio, "lent / pool"])
    elif pool or lent:
        problems.append("fig3 missing on one kernel: no fig3_ratio_permille")
    ahead = values.get(("fig3_ahead", "lent"))
    if pool and ahead and int(pool) > 0:
        ratio = str(int(ahead) * 1000 // int(pool))
        lines.append(("fig3_ahead_ratio_permille", ratio, "permille"))
        rows.append(["fig3_ahead_ratio_permille", "", ratio, "lent ahead / pool"])
    elif lent and not ahead:
        problems.append("fig3_ahead missing: no fig3_ahead_ratio_permille")

    if rows:
        print(table(["benchmark"] + ["KMEM=" + b for b in BUILDS] + ["unit"], rows))
        print()
    for name in order:
        if name in PEERS:
            print("%s: %s; Lent %s" % (name, PEERS[name],
                                      " / ".join(values.get((name, b), "-") for b in BUILDS)))
    for line in lines:
        print("BENCH %s %s %s" % line)
    for p in problems:
        print("bench: FAILED: %s" % p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
