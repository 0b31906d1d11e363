#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# run-qemu.sh ISO [QEMU ARGS...]: boot ISO in qemu-system-i386 with the
# serial console on this terminal (Ctrl-A X quits QEMU).  Exits 0 when the
# guest ends through isa-debug-exit with value 0 (QEMU status 1).
# LENT_TIMEOUT (seconds, default 120, 0 = none) bounds the run.
# LENT_RUN_LOG, if set, gets a copy of the serial output.
set -euo pipefail

[ "$#" -ge 1 ] || { echo "usage: $0 ISO [qemu args...]" >&2; exit 2; }
iso=$1
shift
[ -f "$iso" ] || { echo "run-qemu: $iso not found" >&2; exit 1; }
limit=${LENT_TIMEOUT:-120}

# shellcheck disable=SC2054  # the commas belong to -device
qemu=(qemu-system-i386 -cdrom "$iso" -boot d -m 64 -nographic -net none
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot "$@")

# --foreground lets QEMU read the terminal when run from an interactive make.
status=0
if [ "$limit" != 0 ]; then
	qemu=(timeout --foreground "$limit" "${qemu[@]}")
fi
if [ -n "${LENT_RUN_LOG:-}" ]; then
	"${qemu[@]}" > >(tee "$LENT_RUN_LOG") || status=$?
else
	"${qemu[@]}" || status=$?
fi

case "$status" in
1)	exit 0 ;;
0)	echo "run-qemu: QEMU ended without isa-debug-exit (guest reset or triple fault, or quit by hand)" >&2
	exit 1 ;;
124)	echo "run-qemu: timed out after ${limit}s (LENT_TIMEOUT=0 for no limit)" >&2
	exit 124 ;;
*)	if [ $((status % 2)) -eq 1 ] && [ "$status" -lt 128 ]; then
		echo "run-qemu: guest exited with isa-debug-exit value $(((status - 1) / 2))" >&2
	else
		echo "run-qemu: QEMU failed (status $status)" >&2
	fi
	exit "$status" ;;
esac
