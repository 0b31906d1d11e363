#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drive the kernel debugger over the serial line and check its answers.

Boots build/lent-kdb.iso (the root task user/kdb/main.c, kernel option
kdb=on) under QEMU with the serial line on a pipe, waits for each
debugger prompt, types commands and checks every answer exactly: the
thread list, registers, UTCBs, a dump of the KIP's magic word through the
root task's page tables and of the kernel image's Multiboot header, a
known mapping, kernel memory by kind, errors for garbage, continue,
a breakpoint, an ESC break-in among keys the root task reads (none may be
lost), a thread left without space and body, and shutdown through
isa-debug-exit; then the demo (lent.iso beside the ISO) on a machine
without COM1 must still end.  Ends with "kdb session: N passed, N failed".

    kdb_session.py [ISO] [--mem 16] [--timeout 120] [-v]
"""

import argparse
import os
import random
import re
import selectors
import subprocess
import sys

sys.dont_write_bytecode = True
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_harness  # noqa: E402  (its Clock: QEMU's processor time)

POLL = 0.5            # seconds on the wall between looks at the clock
LOG_DIR = os.environ.get("LENT_LOG_DIR", os.path.join(TOP, "build", "logs"))
PROMPT = "kdb> "
STATUS_DEBUG_EXIT_OK = 1      # isa-debug-exit with value 0
ESC = "\x1b"
ROW_RE = re.compile(r"^([ *]) ([0-9a-f]{8}) +(\d+) (\S+) +(\d+) (\S+) +(\S+) +(.*)$")


class SessionError(Exception):
    """The guest did not answer in time, or QEMU ended: the rest of the
    session cannot run."""


class Guest:
    """QEMU with the serial line on stdin/stdout.  Its waits count QEMU's
    processor time, as qemu_harness's limits do (qemu_harness.Clock), so
    that a loaded host does not fail a guest that answers."""

    def __init__(self, iso, mem, limit, echo):
        cmd = ["qemu-system-i386", "-cdrom", iso, "-boot", "d", "-m", str(mem),
               "-display", "none", "-monitor", "none", "-serial", "stdio",
               "-net", "none", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.text = ""        # everything seen, \r removed
        self.pos = 0          # what has been consumed
        self.clock = qemu_harness.Clock(self.proc.pid)
        self.deadline = limit  # on self.clock
        self.echo = echo

    def _read(self):
        for key, _ in self.sel.select(POLL):
            data = os.read(key.fd, 65536)
            if not data:
                raise SessionError("QEMU ended (status %s)" % self.proc.wait())
            chunk = data.decode("latin-1").replace("\r", "")
            if self.echo:
                sys.stdout.write(chunk)
                sys.stdout.flush()
            self.text += chunk

    def expect(self, pattern, wait=30.0):
        """Consume up to the end of the first match of regex pattern (a
        whole line must end in \\n: $ would match a line half read);
        return (what came before it, the match)."""
        until = min(self.clock.now() + wait, self.deadline)
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.text, self.pos)
            if m:
                before = self.text[self.pos:m.start()]
                self.pos = m.end()
                return before, m
            if self.clock.now() >= until:
                raise SessionError("no %r within %gs of QEMU's time; last output: %r" % (
                    pattern, wait, self.text[self.pos:][-300:]))
            self._read()

    def send(self, data):
        self.proc.stdin.write(data.encode("latin-1"))
        self.proc.stdin.flush()

    def command(self, line):
        """Type line and Enter at the prompt; the answer's lines (the
        echo and the next prompt left out)."""
        self.send(line + "\r")
        before, _ = self.expect(re.escape(PROMPT) + r"\Z")
        lines = before.split("\n")
        if lines[-1] == "":
            lines.pop()
        return lines[1:]

    def wait_exit(self, wait=15.0):
        return wait_on_clock(self.proc, self.clock, min(self.clock.now() + wait, self.deadline))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.sel.close()
        err = self.proc.stderr.read().decode("utf-8", "replace")
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc.stdin.close()
        return err


def wait_on_clock(proc, clock, until):
    """proc's exit status, or None if clock reaches until first."""
    while True:
        try:
            return proc.wait(timeout=POLL)
        except subprocess.TimeoutExpired:
            if clock.now() >= until:
                return None


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok - kdb %s" % name, flush=True)
        else:
            self.failed += 1
            self.failures.append("%s: %s" % (name, detail))
            print("not ok - kdb %s: %s" % (name, detail), flush=True)

    def equal(self, name, got, want):
        self.check(name, got == want, "got %r, want %r" % (got, want))


def rows(lines):
    """The thread list's rows by ID."""
    out = {}
    for line in lines:
        m = ROW_RE.match(line)
        if m:
            out[m.group(2)] = {"current": m.group(1) == "*", "number": int(m.group(3)),
                               "state": m.group(4), "prio": int(m.group(5)),
                               "space": m.group(6), "body": m.group(7),
                               "partner": m.group(8)}
    return out


def first_entry(g, c):
    """Boot to the first L4_KDB_Enter: the thread list, registers, UTCB,
    dumps, mappings, kernel memory."""
    _, m = g.expect(r"^kdbtask: main (\w+) receiver (\w+) breaker (\w+) inactive (\w+)\n", 60)
    main, rcv, brk, inactive = m.groups()
    g.expect(r"^KD# kdbtask: first\n")
    _, m = g.expect(r"^kdb: L4_KDB_Enter in thread (\w+) at (\w+); h for help\n" + re.escape(PROMPT))
    c.equal("entered by L4_KDB_Enter in the main thread", m.group(1), main)
    entry_ip = m.group(2)

    help_lines = g.command("h")
    names = [l.split()[0] for l in help_lines if l.startswith("  ")]
    c.equal("help lists the commands", names,
            ["h", "t", "r", "u", "s", "m", "k", "d", "du", "b", "c", "shutdown"])

    lines = g.command("t")
    threads = rows(lines)
    c.equal("thread list header", lines[0], "  thread   number state    pri space    body partner")
    c.equal("thread count line", lines[-1], "%d threads" % len(threads))
    s0 = threads.get("00040001", {})
    c.equal("sigma0 in the list", (s0.get("number"), s0.get("state"), s0.get("body"),
                                   s0.get("partner")), (16, "recv", "yes", "any"))
    root = threads.get("%08x" % int(main, 16), {})
    c.equal("root task in the list, current and ready",
            (root.get("number"), root.get("state"), root.get("current"), root.get("body")),
            (18, "ready", True, "yes"))
    r = threads.get("%08x" % int(rcv, 16), {})
    c.equal("receiver blocked on the main thread", (r.get("state"), r.get("partner")),
            ("recv", main))
    i = threads.get("%08x" % int(inactive, 16), {})
    c.equal("inactive thread", (i.get("state"), i.get("body"), i.get("partner")),
            ("inactive", "yes", "-"))
    c.check("root task's threads share its space",
            r.get("space") == root.get("space") and root.get("space") != s0.get("space"),
            "root %s, receiver %s, sigma0 %s" % (root.get("space"), r.get("space"),
                                                  s0.get("space")))

    lines = g.command("r " + main)
    c.check("registers of the main thread", len(lines) >= 2 and
            lines[0].startswith("thread %s: ready, priority " % main) and
            lines[1].startswith("eip %08x  esp " % int(entry_ip, 16)), repr(lines[:2]))
    lines = g.command("u " + main)
    c.check("UTCB of the main thread", "  MyGlobalId         %08x" % int(main, 16) in lines,
            repr(lines))
    c.equal("UTCB of an inactive thread", g.command("u " + inactive),
            ["thread %s has no UTCB" % inactive])

    lines = g.command("du %s bf3ff000 10" % main)
    c.equal("KIP magic through the root task's page tables", [l[:36] for l in lines],
            ["bf3ff000  4be6344c 84050000 00000000"])
    lines = g.command("d c0100000 8")
    # Two words of four: the two missing ones are blank, the characters
    # after them (none of the eight bytes is printable).
    c.equal("kernel image's Multiboot header", lines,
            ["c0100000  1badb002 00000003" + " " * 18 + "  ........"])
    lines = g.command("m %s 600000 600fff" % main)
    c.equal("root image's first page, mapped by sigma0", lines[1:],
            ["  00600000-00600fff -> 00600000 rwx      1 pages from space %s" % s0.get("space")])
    lines = g.command("k " + main)
    kinds = {l.split()[0]: int(l.split()[1]) for l in lines[1:]}
    c.check("root task's kernel memory by kind",
            list(kinds) == ["task", "page-directory", "page-table", "node-table", "mapping",
                            "tcb", "utcb", "kernel", "total"] and
            kinds["total"] == sum(v for k, v in kinds.items() if k != "total") and
            kinds["page-directory"] == 1 and kinds["tcb"] >= 1, repr(lines))
    lines = g.command("s")
    c.check("space list", len(lines) >= 3 and lines[-1].endswith(" spaces") and
            any(l.startswith("space %s (sigma0): " % s0.get("space")) for l in lines),
            repr(lines))


def garbage(g, c, main):
    """Input the debugger must refuse with a message, and go on."""
    cases = [
        ("xyzzy", ["error: unknown command 'xyzzy' (h for help)"]),
        ("r", ["error: usage: r <thread>"]),
        ("r zz", ["error: 'zz' is no thread (hex ID, or #number)"]),
        ("r 12345", ["error: no thread 12345"]),
        ("r #999999", ["error: no thread #999999"]),
        ("r 123456789", ["error: '123456789' is no thread (hex ID, or #number)"]),
        ("du %s 0 4" % main, ["00000000  not present"]),
        ("d fffff000 4", ["fffff000  not mapped"]),
        ("d 1000", ["error: 1000 is below the kernel half (c0000000); "
                    "du <thread> <addr> for user memory"]),
        ("d c0100000 0", ["error: bytes: hex, 1 to 1000"]),
        ("m %s 5000 4000" % main, ["error: from and to: hex user addresses, from <= to"]),
        ("a b c d e f g", ["error: more than 6 words"]),
        ("x" * 100, ["error: line longer than 79 characters"]),
        ("\x01\x02\xfe\xff\x7f", []),
    ]
    for line, want in cases:
        c.equal("refuses %r" % line[:24], g.command(line), want)
    # Seeded noise: lines that can name no command (every byte but line
    # ends, after a character no command starts with) each get one error
    # line; commands with random arguments each get an answer and a prompt.
    rng = random.Random(8)
    bad = 0
    for _ in range(40):
        noise = "".join(chr(rng.choice([b for b in range(256) if b not in (10, 13, 27)]))
                        for _ in range(rng.randrange(1, 120)))
        answer = g.command(rng.choice("!#$%&*+,-./0123456789:;<=>?@[]^_{|}~") + noise)
        if len(answer) != 1 or not answer[0].startswith("error: "):
            bad += 1
    c.equal("noise lines each answered by one error", bad, 0)
    for _ in range(60):
        cmd = rng.choice(["d", "du " + main, "m " + main, "r", "u", "k", "du #%d" % rng.randrange(64)])
        args = " ".join("%x" % rng.choice([rng.getrandbits(32), rng.getrandbits(12),
                                           0xc0000000 + rng.getrandbits(26)])
                        for _ in range(rng.randrange(0, 3)))
        g.command((cmd + " " + args).strip())
    c.check("random arguments answered, the debugger still lists threads",
            "00040001" in rows(g.command("t")))


def continue_to(g, c, name, after):
    g.send("c\r")
    g.expect(r"^kdb: continue\n")
    _, m = g.expect(after)
    c.check(name, m is not None)
    return m


def session(iso, mem, timeout, echo):
    c = Checks()
    g = Guest(iso, mem, timeout, echo)
    try:
        first_entry(g, c)
        main = re.search(r"kdbtask: main (\w+)", g.text).group(1)
        brk = re.search(r"breaker (\w+)", g.text).group(1)
        garbage(g, c, main)
        continue_to(g, c, "continue resumes the thread", r"^kdbtask: continued\n")

        _, m = g.expect(r"^kdb: breakpoint \(int3\) in thread (\w+) at (\w+); h for help\n"
                        + re.escape(PROMPT))
        c.equal("breakpoint of a thread without exception handler", m.group(1), brk)
        lines = g.command("r " + brk)
        c.check("registers at the breakpoint", len(lines) >= 2 and
                lines[1].startswith("eip %08x " % int(m.group(2), 16)), repr(lines[:2]))
        continue_to(g, c, "the thread goes on after its breakpoint",
                    r"^kdbtask: after the breakpoint\n")

        g.expect(r"^kdbtask: type keys, '\.' ends\n")
        g.send("xy" + ESC)
        g.expect(r"^kdb: break-in \(ESC\) in thread \w+ at \w+; h for help\n" + re.escape(PROMPT))
        c.check("ESC breaks in", True)
        g.send("c\r")
        g.expect(r"^kdb: continue\n")
        g.send("w.")
        _, m = g.expect(r"^kdbtask: keys \[(.*)\]\n")
        c.equal("keys around the break-in all reach the program, ESC not", m.group(1), "xyw")

        before, _ = g.expect(r"^KD# kdbtask: last\n")
        g.expect(r"^kdb: L4_KDB_Enter in thread \w+ at \w+; h for help\n" + re.escape(PROMPT))
        m = re.search(r"^kdbtask: unhoused (\w+)$", g.text, re.M)
        if m:
            u = m.group(1)
            row = rows(g.command("t")).get("%08x" % int(u, 16), {})
            c.check("thread without space and body in the list",
                    row.get("space", "").startswith("new:") and row.get("body") == "no" and
                    row.get("state") == "inactive", repr(row))
            lines = g.command("r " + u)
            c.equal("registers of a thread without body", lines[1:],
                    ["thread %s has no body (being made, or its TCB page not lent yet)" % u])
            c.equal("UTCB of a thread without body", g.command("u " + u),
                    ["thread %s has no body (being made, or its TCB page not lent yet)" % u])
            lines = g.command("m " + u)
            c.check("mappings of a thread without space", len(lines) == 1 and
                    lines[0].startswith("thread %s has no space yet (task " % u), repr(lines))
        continue_to(g, c, "continue after the last entry",
                    r"^kdbtask: still running after the last entry\n")
        # Once every thread has blocked, ESC enters from the idle loop.
        # The task prints its last line just before it blocks, so on a
        # slow host the ESC may still land in a thread: continue and
        # press it again (each try waits for the kernel's answer, so
        # the host's speed decides only how many tries it takes).
        for _ in range(50):
            g.send(ESC)
            _, m = g.expect(r"^kdb: break-in \(ESC\)( in thread \w+ at \w+)?; h for help\n" +
                            re.escape(PROMPT))
            if not m.group(1):
                break
            g.send("c\r")
            g.expect(r"^kdb: continue\n")
        threads = rows(g.command("t"))
        c.check("break-in from the idle loop: no thread current",
                threads and not any(r["current"] for r in threads.values()), repr(threads))
        g.send("shutdown\r")
        g.expect(r"^kdb: shutdown\n")
        status = g.wait_exit()
        c.equal("shutdown ends QEMU through isa-debug-exit", status, STATUS_DEBUG_EXIT_OK)
    except SessionError as e:
        c.check("session", False, str(e))
    finally:
        err = g.close()
        os.makedirs(LOG_DIR, exist_ok=True)
        with open(os.path.join(LOG_DIR, "kdb-session.log"), "w") as f:
            f.write(g.text)
            if err:
                f.write("\n=== qemu stderr ===\n" + err)
    return c


def without_com1(demo_iso, c, wait=60.0):
    """A PC without COM1 reads its port as a line that always has a key:
    the break-in poll at every timer interrupt must not spin on it.  The
    demo, booted with no serial port, must reach its shutdown."""
    if not os.path.exists(demo_iso):
        c.check("boot without COM1", False, "%s missing" % demo_iso)
        return
    cmd = ["qemu-system-i386", "-cdrom", demo_iso, "-boot", "d", "-m", "16",
           "-display", "none", "-monitor", "none", "-serial", "none", "-net", "none",
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    status = wait_on_clock(proc, qemu_harness.Clock(proc.pid), wait)
    if status is None:
        proc.kill()
        proc.wait()
        status = "hung for %gs of QEMU's time" % wait
    c.equal("the demo without COM1 ends through isa-debug-exit", status, STATUS_DEBUG_EXIT_OK)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("iso", nargs="?", default=os.path.join(TOP, "build", "lent-kdb.iso"))
    ap.add_argument("--mem", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds of QEMU's processor time for the whole session")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the serial line")
    a = ap.parse_args()
    c = session(a.iso, a.mem, a.timeout, a.verbose)
    without_com1(os.path.join(os.path.dirname(os.path.abspath(a.iso)), "lent.iso"), c)
    print("kdb session: %d passed, %d failed" % (c.passed, c.failed))
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
