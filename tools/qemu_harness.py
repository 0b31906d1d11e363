#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run one in-QEMU test configuration and judge its serial output.

The guest speaks the protocol of docs/team-conventions.md:
    1..N                      the plan
    # test K NAME             test K starts
    ok K - NAME               test K passed
    not ok K - NAME: reason   test K failed
    P passed, F failed        the root task's summary, then KD# shutdown
The harness stops at the summary (after a short wait for isa-debug-exit),
at QEMU's exit or at a timeout, and turns every crash, triple fault, hang,
missing test and plan mismatch into a named failure (tools/tap_verdict.py
judges).  The full serial log goes to build/logs/<config>.log
(LENT_LOG_DIR overrides the folder).
Both limits, the whole run's (--timeout) and the silence's (--idle), count
the processor time QEMU got, not the time on the wall: on a loaded host a
guest that is working gets less of the processor, and its run must not
fail for that.  A guest that hangs spinning uses the processor and meets
the limit as soon as on an idle host; one that hangs halted uses almost
none, so each limit also ends a run after WALL_FACTOR times as long on
the wall.
A kernel that refuses the CPU prints "Lent needs a CPU with ...: this one
lacks ..." and ends through isa-debug-exit with value 2: cpu_refusal()
judges such a boot.  The ISO is a hybrid image: it boots from CD (-cdrom)
or as an IDE hard disk (--boot hd).

Used by tools/testall.py, tools/test_matrix.py and tools/bench.py; also a
command of its own:
    qemu_harness.py ISO [--cpu pentium] [--mem 16] [--boot hd] [--timeout 300]
    qemu_harness.py --replay LOG [--end debug-exit|cpu-refused|reset|timeout|idle]
"""

import argparse
import concurrent.futures
import os
import re
import selectors
import subprocess
import sys
import threading
import time

# The judging is tools/tap_verdict.py's.
from tap_verdict import (
    STATUS_DEBUG_EXIT_OK, STATUS_RESET, STATUS_CPU_REFUSED,
    PLAN_RE, SUMMARY_RE, KD_RE, REFUSAL_RE,
    is_panic, analyse_refusal, analyse, report)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG_DIR = os.environ.get("LENT_LOG_DIR", os.path.join(TOP, "build", "logs"))

SHUTDOWN_GRACE = 5.0  # seconds between the summary and isa-debug-exit
# A limit in QEMU's processor time also ends a run after this many times
# as long on the wall (a guest halted for good uses no processor time).
WALL_FACTOR = 6

_live = set()            # QEMU processes running now, for kill_all()
_live_lock = threading.Lock()

ANSI_RE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")


def end_of_suite(line):
    """The default stop line: the summary, or a panic (nothing follows)."""
    return bool(SUMMARY_RE.match(line)) or is_panic(line)


def end_of_suite_or_refusal(line):
    """The stop line of a boot that may be refused: the refusal too."""
    return end_of_suite(line) or bool(REFUSAL_RE.match(line))


def refused_or_started(line):
    """The stop line of a boot that must be refused: the refusal, or the
    test plan (the kernel went on past the CPU check), or a panic."""
    return (bool(REFUSAL_RE.match(line)) or bool(PLAN_RE.match(line))
            or is_panic(line))


BOOT_MEDIA = ("cd", "hd")


class Config:
    """One way to boot the ISO: CPU model (None = QEMU's default, else a
    -cpu argument such as "pentium,-pse"), memory in MB, and medium:
    "cd" (-cdrom) or "hd" (the hybrid image as an IDE hard disk)."""

    def __init__(self, iso, cpu=None, mem=64, timeout=300.0, idle=60.0,
                 name=None, extra=(), boot="cd"):
        if boot not in BOOT_MEDIA:
            raise ValueError("boot medium %r is not one of %s" % (
                boot, ", ".join(BOOT_MEDIA)))
        self.iso = iso
        self.cpu = cpu
        self.mem = mem
        self.timeout = timeout
        self.idle = idle
        self.extra = list(extra)
        self.boot = boot
        self.name = name or "%s-%dM%s" % (cpu or "default", mem,
                                          "" if boot == "cd" else "-" + boot)

    def media(self):
        if self.boot == "hd":
            # snapshot=on: QEMU writes to a temporary overlay and opens the
            # image read-only, so that runs at the same time can share it.
            return ["-drive", "file=%s,format=raw,if=ide,snapshot=on"
                    % self.iso.replace(",", ",,"), "-boot", "c"]
        return ["-cdrom", self.iso, "-boot", "d"]

    def command(self):
        cmd = ["qemu-system-i386"] + self.media() + [
               "-m", str(self.mem), "-display", "none", "-monitor", "none",
               "-serial", "stdio", "-net", "none", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if self.cpu:
            cmd += ["-cpu", self.cpu]
        return cmd + self.extra


class Run:
    """What one boot produced: serial lines and how it ended.

    end is "exit" (QEMU ended by itself; see status), "timeout" (the
    whole run took too long), "idle" (no output for too long),
    "no-exit" (the stop line came but QEMU did not end) or "error".
    debugger lists the KD# messages other than shutdown (named when a
    run ends badly after one)."""

    def __init__(self, config):
        self.config = config
        self.lines = []
        self.status = None
        self.end = None
        self.elapsed = 0.0
        self.stderr = ""
        self.log_path = None
        self.stop_line = None
        self.debugger = []

    def describe_end(self):
        c = self.config
        if self.end == "timeout":
            return "hung (no end after %gs of QEMU's processor time: timeout)" % c.timeout
        if self.end == "idle":
            return "hung (no serial output for %gs of QEMU's processor time)" % c.idle
        if self.end == "no-exit":
            return "QEMU did not end within %gs of: %s" % (
                SHUTDOWN_GRACE, self.stop_line)
        if self.end == "error":
            return "QEMU could not run: %s" % self.stderr.strip()[-300:]
        if self.status == STATUS_RESET:
            return "crashed: triple fault or reset (QEMU exited under -no-reboot)"
        if self.status == STATUS_DEBUG_EXIT_OK:
            return "shut down through isa-debug-exit"
        if self.status == STATUS_CPU_REFUSED:
            return "stopped after refusing the CPU (isa-debug-exit value 2)"
        if self.status is not None and self.status % 2 == 1 and self.status < 128:
            return "isa-debug-exit with value %d" % ((self.status - 1) // 2)
        return "QEMU failed with status %s: %s" % (
            self.status, self.stderr.strip()[-300:])


def clean(raw):
    return ANSI_RE.sub("", raw.decode("utf-8", "replace")).replace("\r", "")


def cpu_seconds(pid):
    """Processor time (user + system) the process pid has had so far, in
    seconds; None where /proc cannot tell (then the wall counts)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Clock:
    """How long QEMU has run: processor time where /proc has it, and
    the wall (divided by WALL_FACTOR, so that it counts only when the
    processor time cannot) otherwise."""

    def __init__(self, pid):
        self.pid = pid
        self.wall0 = time.monotonic()

    def now(self):
        wall = (time.monotonic() - self.wall0) / WALL_FACTOR
        cpu = cpu_seconds(self.pid)
        if cpu is None:
            return time.monotonic() - self.wall0
        return max(cpu, wall)


def run_qemu(config, stop=end_of_suite, echo=None):
    """Boot config, collect serial lines until stop(line) is true (then
    wait SHUTDOWN_GRACE for QEMU to end), QEMU exits, or a timeout fires.
    QEMU is always gone when this returns.  echo(line) sees each line."""
    run = Run(config)
    raw = bytearray()
    err = bytearray()
    start = time.monotonic()
    try:
        proc = subprocess.Popen(config.command(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as e:
        run.end, run.stderr = "error", str(e)
        save_log(run, b"")
        return run
    with _live_lock:
        _live.add(proc)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, raw)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    pending = b""
    clock = Clock(proc.pid)
    last_output = 0.0
    stop_at = None
    try:
        while sel.get_map():
            if stop_at is not None:
                when, why, now = stop_at, "no-exit", time.monotonic()
            else:
                # The limits in QEMU's processor time (Clock), looked at
                # again at least once a second.
                now = clock.now()
                limits = [(config.timeout, "timeout")]
                if config.idle:
                    limits.append((last_output + config.idle, "idle"))
                when, why = min(limits)
            if now >= when:
                run.end = why
                break
            for key, _ in sel.select(min(when - now, 1.0)):
                data = os.read(key.fd, 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                key.data.extend(data)
                if key.data is err:
                    continue
                last_output = clock.now()
                pending += data
                *complete, pending = pending.split(b"\n")
                for chunk in complete:
                    line = clean(chunk)
                    run.lines.append(line)
                    if echo:
                        echo(line)
                    if stop_at is None and stop and stop(line):
                        stop_at = time.monotonic() + SHUTDOWN_GRACE
                        run.stop_line = line.strip()
                    m = KD_RE.match(line)
                    if m and not m.group(1).startswith("shutdown"):
                        run.debugger.append(m.group(1))
        if run.end is None:
            run.end = "exit"
            run.status = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with _live_lock:
            _live.discard(proc)
        sel.close()
        proc.stdout.close()
        proc.stderr.close()
    if pending:
        run.lines.append(clean(pending))
    run.elapsed = time.monotonic() - start
    run.stderr = err.decode("utf-8", "replace")
    save_log(run, bytes(raw))
    return run


def run_all(configs, jobs, done, stop_for=lambda config: end_of_suite):
    """Boot every config, at most jobs at a time, each with the stop line
    stop_for(config), and call done(run) for each as it ends (in the order
    they end).  On Ctrl-C every QEMU goes."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_qemu, cfg, stop_for(cfg)) for cfg in configs]
        try:
            for fut in concurrent.futures.as_completed(futures):
                done(fut.result())
        except KeyboardInterrupt:
            for fut in futures:
                fut.cancel()
            kill_all()
            raise


def kill_all():
    """Kill every QEMU still running (on Ctrl-C); their runs then end."""
    with _live_lock:
        for proc in _live:
            if proc.poll() is None:
                proc.kill()


def save_log(run, raw):
    os.makedirs(LOG_DIR, exist_ok=True)
    run.log_path = os.path.join(LOG_DIR, run.config.name + ".log")
    with open(run.log_path, "wb") as f:
        f.write(raw)
        if run.stderr:
            f.write(b"\n=== qemu stderr ===\n" + run.stderr.encode())
        f.write(("\n=== harness: %s; %s; %.1fs\n" % (
            " ".join(run.config.command()), run.describe_end(),
            run.elapsed)).encode())



def replay(path, end, name):
    """Analyse a recorded serial log as if a run had ended with end."""
    run = Run(Config(path, name=name))
    with open(path, "rb") as f:
        data = f.read()
    data = data.split(b"\n=== qemu stderr ===\n")[0]
    data = data.split(b"\n=== harness: ")[0]
    run.lines = [clean(chunk) for chunk in data.split(b"\n")]
    run.debugger = [m.group(1) for m in map(KD_RE.match, run.lines)
                    if m and not m.group(1).startswith("shutdown")]
    run.end, run.status = {
        "debug-exit": ("exit", STATUS_DEBUG_EXIT_OK),
        "cpu-refused": ("exit", STATUS_CPU_REFUSED),
        "reset": ("exit", STATUS_RESET),
        "timeout": ("timeout", None),
        "idle": ("idle", None),
    }[end]
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("iso", nargs="?")
    ap.add_argument("--cpu", default=None, help="QEMU -cpu model")
    ap.add_argument("--mem", type=int, default=64, help="QEMU -m, in MB")
    ap.add_argument("--boot", default="cd", choices=BOOT_MEDIA,
                    help="boot the ISO from CD or as a hard disk")
    ap.add_argument("--refused", metavar="LACKS",
                    help="expect the CPU refusal naming LACKS, not a suite")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--idle", type=float, default=60.0,
                    help="seconds without serial output that mean a hang")
    ap.add_argument("--name", help="configuration name (log file name)")
    ap.add_argument("--replay", metavar="LOG",
                    help="analyse a recorded serial log instead of booting")
    ap.add_argument("--end", default="debug-exit",
                    choices=["debug-exit", "cpu-refused", "reset", "timeout",
                             "idle"],
                    help="how the replayed run ended")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo the serial console")
    ap.add_argument("qemu_args", nargs="*", help="after --: more QEMU args")
    a = ap.parse_args()
    if a.replay:
        run = replay(a.replay, a.end, a.name or "replay")
    elif a.iso:
        cfg = Config(a.iso, a.cpu, a.mem, a.timeout, a.idle, a.name,
                     a.qemu_args, a.boot)
        run = run_qemu(cfg, refused_or_started if a.refused else end_of_suite,
                       echo=print if a.verbose else None)
    else:
        ap.error("an ISO or --replay LOG is needed")
    res = analyse_refusal(run, a.refused) if a.refused else analyse(run)
    report(res)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 0 if res.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
