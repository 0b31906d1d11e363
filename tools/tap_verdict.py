# SPDX-License-Identifier: BSD-2-Clause
"""Judge the serial output of one in-QEMU run (tools/qemu_harness.py runs it).

The guest speaks the protocol of docs/team-conventions.md (the plan, a
"# test K NAME" line before each test, "ok" or "not ok" after it, the
summary, then KD# shutdown); analyse() turns every crash, hang, missing
test and plan mismatch into a named failure, cpu_refusal() and
analyse_refusal() judge a boot the kernel must refuse, and run_problem()
says why a run that is not a suite (a benchmark) did not end cleanly.
A run is anything with the attributes of qemu_harness.Run.
"""

import re
import sys

# QEMU exit statuses: isa-debug-exit turns a written value V into 2V+1;
# with -no-reboot a guest reset (triple fault included) ends QEMU with 0.
STATUS_DEBUG_EXIT_OK = 1
STATUS_RESET = 0
# The kernel's CPU refusal: CPU_REFUSED_EXIT (2) in arch/ia32/include/arch/cpucheck.h.
STATUS_CPU_REFUSED = 2 * 2 + 1

PLAN_RE = re.compile(r"^1\.\.(\d+)\s*$")
START_RE = re.compile(r"^# test (\d+) (.*?)\s*$")
OK_RE = re.compile(r"^ok (\d+)(?: - (.*?))?\s*$")
NOT_OK_RE = re.compile(r"^not ok (\d+)(?: - (.*?))?(?:: (.*?))?\s*$")
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed\s*$")
KD_RE = re.compile(r"^KD# (.*?)\s*$")
REFUSAL_RE = re.compile(r"^Lent needs a CPU with (.+?): this one lacks (.+?)\s*$")


def is_panic(line):
    return line.startswith("PANIC") or "*** kernel panic" in line


def run_problem(run):
    """The reason this run did not end cleanly (None if it did): used by
    runs that are not test suites, such as the benchmarks."""
    for line in run.lines:
        if is_panic(line):
            return "kernel panic: " + line.strip()
    if run.end == "exit" and run.status == STATUS_DEBUG_EXIT_OK:
        return None
    return run.describe_end()


def cpu_refusal(run):
    """(refusal, why): refusal is (needs, lacks) as the kernel printed
    them, or None if it printed none; why is None if the run was a clean
    refusal (the text, nothing after it but QEMU's exit with
    STATUS_CPU_REFUSED), else what was wrong."""
    found = None
    for line in run.lines:
        m = REFUSAL_RE.match(line)
        if m and found is None:
            found = (m.group(1), m.group(2))
        elif found and PLAN_RE.match(line):
            return found, "went on to the tests after the refusal"
    if found is None:
        if any(PLAN_RE.match(l) for l in run.lines):
            return None, "no CPU refusal: the kernel went on to the tests"
        return None, "no CPU refusal printed: %s" % run.describe_end()
    if run.end != "exit" or run.status != STATUS_CPU_REFUSED:
        return found, "refused, then %s" % run.describe_end()
    return found, None


def analyse_refusal(run, lacks):
    """Judge a boot on a CPU that lacks what Lent needs: one check, passed
    only if the kernel refused it naming exactly lacks, and stopped."""
    res = Result(run.config.name)
    found, why = cpu_refusal(run)
    if why is None and found[1] != lacks:
        why = "refused, but named %r instead of %r" % (found[1], lacks)
    if why is None:
        res.passed = 1
    else:
        res.fail("CPU refusal: " + why)
    return res


class Result:
    def __init__(self, name):
        self.name = name
        self.plan = None    # N of the plan line 1..N, if one was printed
        self.passed = 0
        self.failed = 0
        self.failures = []  # one description per failure counted

    def fail(self, what):
        self.failed += 1
        self.failures.append(what)


def analyse(run):
    """Turn a run's serial output into counts and named failures."""
    res = Result(run.config.name)
    plan = None
    started = {}     # K -> NAME, from "# test K NAME"
    results = {}     # K -> (passed, NAME)
    current = None   # the test started last and not yet reported
    summary = None
    panic = None     # (line, test running at the time)
    for line in run.lines:
        m = PLAN_RE.match(line)
        if m:
            if plan is None:
                plan = int(m.group(1))
            else:
                res.fail("plan printed twice (1..%d, then %s)" % (plan, line))
            continue
        m = START_RE.match(line)
        if m:
            current = int(m.group(1))
            started[current] = m.group(2)
            continue
        m = OK_RE.match(line) or NOT_OK_RE.match(line)
        if m:
            k, passed = int(m.group(1)), line.startswith("ok")
            name = m.group(2) or started.get(k, "?")
            if k in results:
                res.fail("test %d %s reported twice" % (k, name))
                continue
            results[k] = (passed, name)
            if passed:
                res.passed += 1
            else:
                reason = m.group(3) or "no reason given"
                res.fail("test %d %s: %s" % (k, name, reason))
            if current == k:
                current = None
            continue
        m = SUMMARY_RE.match(line)
        if m and summary is None:
            summary = (int(m.group(1)), int(m.group(2)))
            continue
        if is_panic(line) and panic is None:
            panic = (line.strip(), current)

    clean_end = run.end == "exit" and run.status == STATUS_DEBUG_EXIT_OK
    why = run.describe_end()
    refusal, _ = cpu_refusal(run)
    if panic:
        why = "crashed: kernel panic: " + panic[0]
    elif refusal:
        why = "the kernel refused the CPU, which lacks " + refusal[1]
    elif run.debugger and not clean_end:
        why += " (after KD# %s)" % run.debugger[-1]
    attributed = False

    # Tests that began and never reported: the last one took the run down.
    for k in sorted(started):
        if k in results:
            continue
        if k == current and not clean_end:
            res.fail("test %d %s %s" % (k, started[k], why))
            attributed = True
        else:
            res.fail("test %d %s started but never reported a result"
                     % (k, started[k]))
    if plan is None:
        if not clean_end:
            res.fail("run: %s, before the plan (1..N)" % why)
            attributed = True
        else:
            res.fail("run: no test plan (1..N) printed")
    else:
        missing = [k for k in range(1, plan + 1)
                   if k not in started and k not in results]
        for k in missing:
            res.fail("test %d missing" % k)
        attributed = attributed or bool(missing)
        extra = sorted(k for k in results if not 1 <= k <= plan)
        if extra:
            res.fail("plan 1..%d disagrees with the tests run (also ran %s)"
                     % (plan, ", ".join(map(str, extra))))
    if summary is None:
        if not attributed:
            res.fail("run: no summary line: %s" % why)
    else:
        seen = (sum(1 for p, _ in results.values() if p),
                sum(1 for p, _ in results.values() if not p))
        if summary != seen:
            res.fail("summary says %d passed, %d failed but the harness saw "
                     "%d ok, %d not ok" % (summary + seen))
        if not clean_end:
            res.fail("run: after the summary: %s" % why)
    if panic and not any(panic[0] in what for what in res.failures):
        res.fail("run: kernel panic: %s" % panic[0])
    res.plan = plan
    return res


def report(res, out=sys.stdout):
    """Print each failure with its configuration."""
    for what in res.failures:
        print("FAIL [%s] %s" % (res.name, what), file=out)

