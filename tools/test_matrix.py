#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the in-QEMU suite on every CPU model, memory size and boot medium.

make test-matrix runs build/lent-tests.iso on each combination of
    -cpu pentium, pentium2, pentium3, qemu32, max and 486,
    -m 8, 16, 512 and 3072 (3 GB),
    booted from CD (-cdrom) and as an IDE hard disk (the ISO is a hybrid
    image),
two QEMU runs at a time, and prints a table: one row per CPU and medium,
one column per memory size.  A cell reads
    P/N                 all N tests of the plan passed,
    refused (lacks X)   a CPU below Lent's floor (the Pentium) was refused
                        cleanly: the refusal printed, then QEMU ended
                        through isa-debug-exit with the refusal's value,
    FAIL: reason        anything else (the full reasons follow the table).
It ends with "N passed, N failed", counting cells; exit status 0 only if
no cell failed.  Logs: build/logs/matrix/<cpu>-<mem>M[-hd].log.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_harness  # noqa: E402
import tap_verdict  # noqa: E402

TOP = qemu_harness.TOP
CPUS = ["pentium", "pentium2", "pentium3", "qemu32", "max", "486"]
# Below the brief's floor (a Pentium): a clean refusal is a right answer
# there (a suite that passes is too, if the model has what Lent needs).
BELOW_FLOOR = {"486"}
MEMS = [8, 16, 512, 3072]
MEDIA = {"cd": "CD", "hd": "hard disk"}


def mem_name(mb):
    return "%d GB" % (mb // 1024) if mb % 1024 == 0 else "%d MB" % mb


class Cell:
    def __init__(self, passed, text, details=()):
        self.passed = passed
        self.text = text
        self.details = list(details)


def judge(run, below_floor):
    """One cell from one run."""
    refusal, why = tap_verdict.cpu_refusal(run)
    if refusal:
        text = "refused (lacks %s)" % refusal[1]
        if why is None and below_floor:
            return Cell(True, text)
        return Cell(False, "FAIL: " + text, [
            why or "the CPU is at or above Lent's floor: no refusal expected"])
    res = tap_verdict.analyse(run)
    if res.failed == 0:
        return Cell(True, "%d/%d" % (res.passed, res.plan))
    if res.plan and res.passed < res.plan:
        short = "%d/%d" % (res.passed, res.plan)
    else:
        short = res.failures[0]
        short = short if len(short) <= 40 else short[:37] + "..."
    return Cell(False, "FAIL: " + short, res.failures)


def print_matrix(cells, cpus, mems, media, out=sys.stdout):
    rows = [(cpu, m) for cpu in cpus for m in media]
    labels = ["%s, %s" % (cpu, MEDIA[m]) for cpu, m in rows]
    width = [max([len(mem_name(mb))] + [len(cells[(c, mb, m)].text)
                                         for c, m in rows])
             for mb in mems]
    lw = max(len(l) for l in labels + ["CPU, boot"])

    def line(label, texts):
        cols = "  ".join(t.ljust(w) for t, w in zip(texts, width))
        print(("%s  %s" % (label.ljust(lw), cols)).rstrip(), file=out)

    line("CPU, boot", [mem_name(mb) for mb in mems])
    for label, (cpu, m) in zip(labels, rows):
        line(label, [cells[(cpu, mb, m)].text for mb in mems])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iso", default=os.path.join(TOP, "build",
                                                  "lent-tests.iso"))
    ap.add_argument("--cpus", default=",".join(CPUS),
                    help="CPU models, comma-separated (default: all)")
    ap.add_argument("--mems", default=",".join(map(str, MEMS)),
                    help="memory sizes in MB, comma-separated")
    ap.add_argument("--boot", default=",".join(MEDIA),
                    help="boot media: cd, hd or cd,hd")
    ap.add_argument("--jobs", type=int, default=2,
                    help="QEMU runs at a time (default 2, the most allowed)")
    ap.add_argument("--timeout", type=float,
                    default=float(os.environ.get("LENT_TEST_TIMEOUT", 300)))
    ap.add_argument("--idle", type=float,
                    default=float(os.environ.get("LENT_TEST_IDLE", 60)))
    a = ap.parse_args()
    cpus = [c for c in a.cpus.split(",") if c]
    mems = [int(m) for m in a.mems.split(",") if m]
    media = [m for m in a.boot.split(",") if m]
    bad = [m for m in media if m not in MEDIA]
    if bad or not (cpus and mems and media):
        ap.error("need CPUs, memory sizes and media among %s" % ", ".join(MEDIA))
    if not 1 <= a.jobs <= 2:
        ap.error("--jobs must be 1 or 2")
    iso = os.path.abspath(a.iso)
    if not os.path.exists(iso):
        print("%s missing: make build/lent-tests.iso" % os.path.relpath(iso, TOP))
        return 1
    qemu_harness.LOG_DIR = os.path.join(qemu_harness.LOG_DIR, "matrix")

    configs, where = [], {}
    for cpu in cpus:
        for m in media:
            for mb in mems:
                cfg = qemu_harness.Config(iso, cpu, mb, a.timeout, a.idle,
                                          boot=m)
                configs.append(cfg)
                where[cfg.name] = (cpu, mb, m)
    cells = {}

    def done(run):
        cpu, mb, m = where[run.config.name]
        cell = judge(run, cpu in BELOW_FLOOR)
        cells[(cpu, mb, m)] = cell
        print("[%s] %s (%.1f s, log %s)" % (
            run.config.name, cell.text, run.elapsed,
            os.path.relpath(run.log_path, TOP)), flush=True)

    print("== test matrix: %s, %d runs, %d at a time" % (
        os.path.relpath(iso, TOP), len(configs), a.jobs), flush=True)
    try:
        qemu_harness.run_all(configs, a.jobs, done,
                             lambda cfg: qemu_harness.end_of_suite_or_refusal)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130

    print()
    print_matrix(cells, cpus, mems, media)
    failed = [(k, c) for k, c in sorted(cells.items()) if not c.passed]
    if failed:
        print("== failing cells:")
        for (cpu, mb, m), cell in failed:
            for what in cell.details:
                print("  %s, %s, %s: %s" % (cpu, MEDIA[m], mem_name(mb), what))
    passed = len(cells) - len(failed)
    print("%d passed, %d failed" % (passed, len(failed)), flush=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
