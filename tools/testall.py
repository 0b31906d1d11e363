#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run every test of Lent and end with one line "N passed, N failed".

1. The host unit tests: make -C tests/unit, counted from Check's summary
   lines "NN%: Checks: X, Failures: Y, Errors: Z".  Then every libFuzzer
   target for a fixed number of runs (make -C tests/fuzz short, needs
   clang): each target without a finding counts once.
2. The in-QEMU suite (build/lent-tests.iso) under seven configurations:
   QEMU's default CPU and -cpu pentium, each with -m 16 and -m 512, and
   -cpu pentium with -m 8 (the brief's floor), the default CPU with
   -m 3500 (RAM above the kernel's 896 MB direct map, user/tests/
   t_highmem.c, and from 3 GB up, t_highmem4g.c: QEMU's PC has RAM there
   only below 3.5 GB in all), and once more at 16 MB with every
   preemption point taken (build/lent-tests-preempt.iso), and once
   more at 16 MB with the IPC fast path off (build/lent-tests-ipcslow.iso,
   the kernel option ipcfast=off: every IPC takes the general path, and
   its log must say so, IPCSLOW_LINE), two at a time.  Each in-QEMU test counts once per configuration.
   The other kernel-memory build (KMEM=pool beside the default lent one,
   or the other way round, --also-iso) runs the same suite at 16 MB
   under the default CPU and at 512 MB under -cpu pentium.
3. The CPU check: boots on CPUs that lack what Lent needs (a Pentium
   without 4 MB pages, one without an FPU) must print the refusal and
   stop; each counts once.
4. The kernel-debugger session (tools/kdb_session.py on lent-kdb.iso,
   beside the test ISO), and the demo (lent.iso) booted without a serial
   port: each of its checks counts once.
Exit status 0 only if nothing failed.  With --build, the kernel and the ISO
are built first (a failed build is a failure); make test builds them itself.
Timeouts per QEMU run: LENT_TEST_TIMEOUT (default 300 s) in all, and
LENT_TEST_IDLE (default 60 s) without serial output.
"""

import argparse
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdb_session  # noqa: E402
import qemu_harness  # noqa: E402
import tap_verdict  # noqa: E402

TOP = qemu_harness.TOP
CONFIGS = [(None, 16), (None, 512), ("pentium", 16), ("pentium", 512),
           ("pentium", 8), (None, 3500)]
# (-cpu, what the refusal must name): CPUs the kernel must refuse.
REFUSALS = [("pentium,-pse", "4 MB pages (PSE)"),
            ("pentium,-fpu", "an x87 FPU")]
REFUSAL_MEM = 16
# The same suite once more with every preemption point taken
# (the kernel command line "preempt=always", kernel/preempt.h).
PREEMPT_ISO = "lent-tests-preempt.iso"
# The same suite with the IPC fast path off (the kernel command line
# "ipcfast=off", kernel/ipc_fast.c); its test lf_path_counted prints
# this line only if the kernel says the fast path is off and no IPC took
# it (user/tests/t_lipc_fast.c).
IPCSLOW_ISO = "lent-tests-ipcslow.iso"
IPCSLOW_NAME = "ipcslow-16M"
IPCSLOW_LINE = re.compile(r"^# IPC fast path off: 0 IPCs on it in \d+ Calls and their replies, 0 since boot$")
# The kernel-debugger session's ISO (kdb=on), beside the test ISO.
KDB_ISO = "lent-kdb.iso"
# The other kernel-memory build: (-cpu, MB) it runs under.
ALSO_CONFIGS = [(None, 16), ("pentium", 512)]

CHECK_SUMMARY_RE = re.compile(
    r"^\d+%: Checks: (\d+), Failures: (\d+), Errors: (\d+)")
# Check's CK_NORMAL report of one failed test: file:line:F|E:tcase:test:iter: msg
CHECK_FAIL_RE = re.compile(
    r"^(.*?):(\d+):([FE]):([^:]*):([^:]*):(-?\d+):\s?(.*)$")
SANITIZER_RE = re.compile(r"runtime error:|ERROR: (Address|Leak)Sanitizer")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def fail(self, what):
        self.failed += 1
        self.failures.append(what)
        print("FAIL " + what, flush=True)


def run_streaming(cmd, cwd=TOP):
    """Run cmd, echo its output as it comes, return (status, lines)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        print(line, flush=True)
        lines.append(line)
    return proc.wait(), lines


def host_unit_tests(tally, unit_dir):
    print("== host unit tests: make -C %s" % os.path.relpath(unit_dir, TOP),
          flush=True)
    if not os.path.exists(os.path.join(unit_dir, "Makefile")):
        tally.fail("[host] host unit tests missing")
        return
    status, lines = run_streaming(["make", "--no-print-directory", "-C",
                                   unit_dir])
    checks = failures = errors = 0
    summaries = 0
    for line in lines:
        m = CHECK_SUMMARY_RE.match(line)
        if m:
            summaries += 1
            checks += int(m.group(1))
            failures += int(m.group(2))
            errors += int(m.group(3))
    named = [m for m in map(CHECK_FAIL_RE.match, lines) if m]
    tally.passed += checks - failures - errors
    for m in named[:failures + errors]:
        kind = "failed" if m.group(3) == "F" else "error"
        tally.fail("[host] %s:%s %s (%s:%s): %s" % (
            m.group(4), m.group(5), kind, m.group(1), m.group(2), m.group(7)))
    for _ in range(len(named), failures + errors):
        tally.fail("[host] a unit test failed (see the Check output above)")
    if failures + errors == 0:
        reports = sorted({l.strip() for l in lines if SANITIZER_RE.search(l)})
        for r in reports:
            tally.fail("[host] sanitizer: %s" % r)
        if status != 0 and not reports:
            tally.fail("[host] make -C tests/unit failed (status %d%s)" % (
                status, "" if summaries else ", no Check summary"))


def build(tally, iso, also_iso=None, also_kmem=None):
    target = os.path.relpath(iso, TOP)
    preempt = os.path.join(os.path.dirname(target), PREEMPT_ISO)
    ipcslow = os.path.join(os.path.dirname(target), IPCSLOW_ISO)
    kdb = os.path.join(os.path.dirname(target), KDB_ISO)
    demo = os.path.join(os.path.dirname(target), "lent.iso")
    print("== build: make all %s %s %s %s %s" % (target, preempt, ipcslow, kdb, demo),
          flush=True)
    status, _ = run_streaming(["make", "--no-print-directory", "all", target,
                               preempt, ipcslow, kdb, demo])
    if status != 0:
        tally.fail("[build] make all %s failed (status %d)" % (target, status))
        return False
    if also_iso:
        other = os.path.relpath(also_iso, TOP)
        print("== build: make KMEM=%s all %s" % (also_kmem, other), flush=True)
        status, _ = run_streaming(["make", "--no-print-directory",
                                   "KMEM=%s" % also_kmem, "all", other])
        if status != 0:
            tally.fail("[build] make KMEM=%s all %s failed (status %d)" % (
                also_kmem, other, status))
            return False
    return True


def qemu_suite(tally, iso, timeout, idle, jobs, also_iso=None, also_kmem=None):
    print("== QEMU suite: %s" % os.path.relpath(iso, TOP), flush=True)
    if not os.path.exists(iso):
        tally.fail("[qemu] %s missing" % os.path.relpath(iso, TOP))
        return
    # The self-check after every test walks sigma0's roots over all of
    # RAM: at 3 GB a run takes about 130 s on an idle machine, so a
    # loaded one gets three times the limit there (a hang still ends).
    configs = [qemu_harness.Config(iso, cpu, mem, timeout * (3 if mem >= 1024 else 1), idle)
               for cpu, mem in CONFIGS]
    configs.append(qemu_harness.Config(
        os.path.join(os.path.dirname(iso), PREEMPT_ISO), None, 16, timeout,
        idle, name="preempt-16M"))
    configs.append(qemu_harness.Config(
        os.path.join(os.path.dirname(iso), IPCSLOW_ISO), None, 16, timeout,
        idle, name=IPCSLOW_NAME))
    if also_iso:
        for cpu, mem in ALSO_CONFIGS:
            configs.append(qemu_harness.Config(
                also_iso, cpu, mem, timeout, idle,
                name="%s-%s-%dM" % (also_kmem, cpu or "default", mem)))
    refusals = {}   # config name -> what the refusal must name
    for cpu, lacks in REFUSALS:
        cfg = qemu_harness.Config(iso, cpu, REFUSAL_MEM, timeout, idle)
        refusals[cfg.name] = lacks
        configs.append(cfg)

    def stop_for(cfg):
        # A refused boot ends at the refusal, or at the plan if the kernel
        # wrongly went on; a suite at its summary.
        if cfg.name in refusals:
            return qemu_harness.refused_or_started
        return qemu_harness.end_of_suite

    def done(run):
        name = run.config.name
        if name in refusals:
            res = tap_verdict.analyse_refusal(run, refusals[name])
        else:
            res = tap_verdict.analyse(run)
        print("[%s] %d passed, %d failed (%.1f s, log %s)" % (
            res.name, res.passed, res.failed, run.elapsed,
            os.path.relpath(run.log_path, TOP)), flush=True)
        tally.passed += res.passed
        for what in res.failures:
            tally.fail("[%s] %s" % (res.name, what))
        if name == IPCSLOW_NAME:
            if any(IPCSLOW_LINE.match(l) for l in run.lines):
                tally.passed += 1
            else:
                tally.fail("[%s] no line says the IPC fast path was off "
                           "(user/tests/t_lipc_fast.c, lf_path_counted)" % name)

    qemu_harness.run_all(configs, jobs, done, stop_for)


def kdb_checks(tally, iso):
    kdb = os.path.join(os.path.dirname(iso), KDB_ISO)
    print("== kdb session: %s" % os.path.relpath(kdb, TOP), flush=True)
    if not os.path.exists(kdb):
        tally.fail("[kdb] %s missing" % os.path.relpath(kdb, TOP))
        return
    res = kdb_session.session(kdb, 16, 120.0, False)
    kdb_session.without_com1(os.path.join(os.path.dirname(iso), "lent.iso"), res)
    print("kdb session: %d passed, %d failed" % (res.passed, res.failed), flush=True)
    tally.passed += res.passed
    for what in res.failures:
        tally.fail("[kdb] %s" % what)


FUZZ_TARGET_RE = re.compile(r"^== (fuzz_\w+): (\d+) runs")
FUZZ_FINDINGS_RE = re.compile(r"^fuzz-short: FINDINGS in (.*?) \(")


def host_fuzz_short(tally, fuzz_dir):
    """Each libFuzzer target for a fixed number of runs: one pass each."""
    print("== host fuzzing: make -C %s short" % os.path.relpath(fuzz_dir, TOP),
          flush=True)
    status, lines = run_streaming(["make", "--no-print-directory", "-C",
                                   fuzz_dir, "short"])
    targets = [m.group(1) for m in map(FUZZ_TARGET_RE.match, lines) if m]
    found = set()
    for m in map(FUZZ_FINDINGS_RE.match, lines):
        if m:
            found.update(m.group(1).split())
    for t in targets:
        if t in found:
            tally.fail("[host] %s found an input that breaks it (see %s/build/"
                       "artifacts/)" % (t, os.path.relpath(fuzz_dir, TOP)))
        else:
            tally.passed += 1
    if status != 0 and not found:
        tally.fail("[host] make -C tests/fuzz short failed (status %d%s)" % (
            status, "" if targets else ": no fuzz target ran; is clang with "
            "libFuzzer installed? (make deps)"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", action="store_true",
                    help="make all and the test ISO first")
    ap.add_argument("--iso", default=os.path.join(TOP, "build",
                                                  "lent-tests.iso"))
    ap.add_argument("--also-iso", help="the other kernel-memory build's ISO")
    ap.add_argument("--also-kmem", default="pool",
                    help="its KMEM value (default pool)")
    ap.add_argument("--unit-dir", default=os.path.join(TOP, "tests", "unit"))
    ap.add_argument("--fuzz-dir", default=os.path.join(TOP, "tests", "fuzz"))
    ap.add_argument("--jobs", type=int, default=2,
                    help="QEMU runs at a time (default 2)")
    ap.add_argument("--timeout", type=float,
                    default=float(os.environ.get("LENT_TEST_TIMEOUT", 300)))
    ap.add_argument("--idle", type=float,
                    default=float(os.environ.get("LENT_TEST_IDLE", 60)))
    a = ap.parse_args()
    iso = os.path.abspath(a.iso)
    also = os.path.abspath(a.also_iso) if a.also_iso else None

    tally = Tally()
    try:
        host_unit_tests(tally, os.path.abspath(a.unit_dir))
        host_fuzz_short(tally, os.path.abspath(a.fuzz_dir))
        if not a.build or build(tally, iso, also, a.also_kmem):
            qemu_suite(tally, iso, a.timeout, a.idle, a.jobs, also, a.also_kmem)
            kdb_checks(tally, iso)
    except KeyboardInterrupt:
        qemu_harness.kill_all()
        print("\ninterrupted", file=sys.stderr)
        return 130

    if tally.failures:
        print("== %d failure%s:" % (len(tally.failures),
                                    "" if len(tally.failures) == 1 else "s"))
        for what in tally.failures:
            print("  " + what)
    print("%d passed, %d failed" % (tally.passed, tally.failed), flush=True)
    return 0 if tally.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
