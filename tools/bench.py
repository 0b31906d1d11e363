#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Boot the benchmark ISO and print its figures as a table.

    bench.py ISO [--cpu MODEL] [--mem MB] [--timeout S]

QEMU runs with -icount shift=0,sleep=off: the guest's time stamp counter
then counts guest instructions, so figures repeat exactly from run to run;
sleep=off lets virtual time jump over the guest's idle periods instead of
following the host's clock, so a wake-up from idle is exact too.  The bench
root task prints "BENCH <name> <value> <unit>" per figure and ends with
"N passed, N failed" and a shutdown.  Exits 1, loudly, if the run crashes,
hangs, reports a failure or prints no BENCH line.  The serial log goes to
build/logs/bench.log.
"""

import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_harness  # noqa: E402

BENCH_RE = re.compile(r"^BENCH (\S+) (\S+) (.+?)\s*$")


def table(rows):
    """Name left-aligned, value right-aligned, unit left-aligned."""
    head = ("benchmark", "value", "unit")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(3)]
    out = ["%-*s  %*s  %s" % (w[0], head[0], w[1], head[1], head[2]),
           "%s  %s  %s" % ("-" * w[0], "-" * w[1], "-" * w[2])]
    out += ["%-*s  %*s  %s" % (w[0], n, w[1], v, u) for n, v, u in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("iso")
    ap.add_argument("--cpu", default=None,
                    help="QEMU -cpu model (default: QEMU's own)")
    ap.add_argument("--mem", type=int, default=128)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--idle", type=float, default=120.0)
    a = ap.parse_args()
    if not os.path.exists(a.iso):
        print("bench: %s not found" % a.iso, file=sys.stderr)
        return 1

    cfg = qemu_harness.Config(a.iso, a.cpu, a.mem, a.timeout, a.idle,
                              name="bench", extra=["-icount", "shift=0,sleep=off"])
    run = qemu_harness.run_qemu(cfg)
    rows = [m.groups() for m in map(BENCH_RE.match, run.lines) if m]
    summary = [m for m in map(qemu_harness.SUMMARY_RE.match, run.lines) if m]

    problems = []
    why = qemu_harness.run_problem(run)
    if why:
        problems.append(why)
    if not summary:
        problems.append("no summary line (N passed, N failed)")
    elif int(summary[0].group(2)):
        problems.append("the bench task reports: " + summary[0].group(0))
    if not rows:
        problems.append("no BENCH line")

    if rows:
        print(table(rows))
    for p in problems:
        print("bench: FAILED: %s (serial log: %s)" % (p, run.log_path),
              file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
