#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Print the paper's Fig. 2 table from a running Lent system's serial output.

Reads lines of the form (printed by user/demo and user/bench from
KmemControl's STATS, docs/kpager-protocol.md):

    kmem-task <name> id=<thread id, hex> threads=<n> resident=<user pages>
        task=<n> pdir=<n> pt=<n> nt=<n> map=<n> tcb=<n> utcb=<n> tcb-bytes=<n>

(one line each), and prints for every task: its threads, its resident
user memory, the pages of page tables (#P, the page directory counted
with them, as the paper did), node tables (#N), mapping-database pages
(#M) and thread pages (#U: TCBs and UTCBs), and its kernel memory in all
(the task record too).  The last line for a task wins, so a log of a run
that printed a task several times shows its latest state.

Usage: kmem_report.py [LOG]   (standard input without LOG)
"""

import re
import sys

sys.dont_write_bytecode = True

LINE_RE = re.compile(r"kmem-task\s+(\S+)\s+(.*)$")
FIELD_RE = re.compile(r"([a-z-]+)=(\S+)")
PAGE_KB = 4


def parse(lines):
    tasks = {}
    order = []
    for line in lines:
        m = LINE_RE.search(line)
        if not m:
            continue
        fields = dict(FIELD_RE.findall(m.group(2)))
        try:
            rec = {k: int(v, 16) if k == "id" else int(v) for k, v in fields.items()}
        except ValueError:
            continue
        name = m.group(1)
        if name not in tasks:
            order.append(name)
        tasks[name] = rec
    return [(n, tasks[n]) for n in order]


def row(name, r):
    p = r.get("pt", 0) + r.get("pdir", 0)
    n = r.get("nt", 0)
    mp = r.get("map", 0)
    u = r.get("tcb", 0) + r.get("utcb", 0)
    total = p + n + mp + u + r.get("task", 0)
    return (name, "%x" % r.get("id", 0), r.get("threads", 0),
            "%dk" % (r.get("resident", 0) * PAGE_KB), p, n, mp, u,
            "%dk" % (total * PAGE_KB))


def main():
    src = open(sys.argv[1], errors="replace") if len(sys.argv) > 1 else sys.stdin
    rows = [row(n, r) for n, r in parse(src)]
    if not rows:
        print("kmem_report: no kmem-task lines found", file=sys.stderr)
        return 1
    head = ("Application", "Space", "Threads", "Resident", "#P", "#N", "#M", "#U",
            "Metadata")
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join("%%-%ds" % w if i < 2 else "%%%ds" % w
                    for i, w in enumerate(widths))
    print("Kernel memory by task (the paper's Fig. 2)")
    print(fmt % head)
    for r in rows:
        print(fmt % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
