#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# gdb.sh ISO KERNEL_ELF [GDB ARGS...]: start QEMU halted at the first instruction with its
# GDB stub on :1234 (LENT_GDB_PORT overrides), and gdb with the kernel's
# symbols connected to it.  The serial console goes to build/logs/gdb.log
# (tail -f it in another terminal).  QEMU is killed when gdb exits.
set -euo pipefail

[ "$#" -ge 2 ] || { echo "usage: $0 ISO KERNEL_ELF [gdb args...]" >&2; exit 2; }
iso=$1
elf=$2
port=${LENT_GDB_PORT:-1234}
for f in "$iso" "$elf"; do
	[ -f "$f" ] || { echo "gdb.sh: $f not found" >&2; exit 1; }
done
if ! command -v gdb >/dev/null 2>&1; then
	echo "gdb.sh: gdb is not installed; install it with:" >&2
	echo "  sudo apt-get install gdb" >&2
	exit 1
fi

top=$(cd "$(dirname "$0")/.." && pwd)
logdir=${LENT_LOG_DIR:-$top/build/logs}
mkdir -p "$logdir"
serial=$logdir/gdb.log

qemu-system-i386 -cdrom "$iso" -boot d -m 64 -display none -net none \
	-serial "file:$serial" -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-gdb "tcp::$port" -S </dev/null &
qemu_pid=$!
trap 'kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true' EXIT

echo "gdb.sh: QEMU (pid $qemu_pid) waits on :$port; serial console in $serial"
# gdb retries the connection while QEMU opens its port (tcp auto-retry).
gdb -q "$elf" -ex "target remote :$port" "${@:3}"
