#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mkiso.sh KIND OUT: build a hybrid (CD and USB) BIOS GRUB image OUT that
# boots the kernel with sigma0 and the root task of KIND (demo|tests|bench).
# GRUB talks on COM1 at 115200 8N1 as well as on the screen, so a PC with
# only a serial console can be driven.  The other kinds whose root task has
# been built are further menu entries.  LENT_BUILD_DIR overrides build/;
# LENT_KERNEL_ARGS is the kernel's command line (e.g. preempt=always).
set -euo pipefail

usage() { echo "usage: $0 demo|tests|bench OUT.iso" >&2; exit 2; }
[ "$#" -eq 2 ] || usage
kind=$1
out=$2
case "$kind" in demo|tests|bench) ;; *) usage ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
build=${LENT_BUILD_DIR:-$top/build}
grubdir=/usr/lib/grub/i386-pc

for f in kernel.elf sigma0.elf "root-$kind.elf"; do
	[ -f "$build/$f" ] || { echo "mkiso: $build/$f not built" >&2; exit 1; }
done
[ -d "$grubdir" ] || { echo "mkiso: $grubdir missing (apt-get install grub-pc-bin)" >&2; exit 1; }

# One staging tree per output file, so that parallel make jobs do not meet.
stage=$build/iso-stage/$(basename "$out" .iso)
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
# The modules go in without their debug sections (gdb reads build/):
# GRUB packs modules one after the other from the kernel's end up, and
# the test root task with its debug information would reach sigma0's
# link address (0x400000), where the kernel must load sigma0.
module() { strip --strip-debug -o "$stage/boot/$1" "$build/$1"; }
cp "$build/kernel.elf" "$stage/boot/"
module sigma0.elf

# Tests and benchmarks boot at once; the demo leaves a second to choose.
timeout=1
[ "$kind" = demo ] || timeout=0

entry() {	# entry KIND: one menu entry booting root-KIND
	cat <<EOF

menuentry "Lent: $1" {
	multiboot /boot/kernel.elf ${LENT_KERNEL_ARGS:-}
	module /boot/sigma0.elf sigma0
	module /boot/root-$1.elf root
	boot
}
EOF
}

{
	cat <<EOF
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
set timeout=$timeout
set default=0
EOF
	module "root-$kind.elf"
	entry "$kind"
	for other in demo tests bench; do
		if [ "$other" = "$kind" ] || [ ! -f "$build/root-$other.elf" ]; then
			continue
		fi
		module "root-$other.elf"
		entry "$other"
	done
} >"$stage/boot/grub/grub.cfg"

mkdir -p "$(dirname "$out")"
log=$stage.log
if ! grub-mkrescue --directory="$grubdir" -o "$out" "$stage" >"$log" 2>&1; then
	cat "$log" >&2
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
echo "mkiso: $out ($kind)"
