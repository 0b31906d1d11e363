#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Check that every tool the build and the tests need is installed (Debian 12).
# Quiet when all is there.  Otherwise: as root, apt-get install what is
# missing; as anyone else, print the apt-get line and exit 1.
set -euo pipefail

missing=()
need() {	# need PACKAGE: add PACKAGE to the list once
	local p
	for p in "${missing[@]}"; do [ "$p" = "$1" ] && return 0; done
	missing+=("$1")
}
have() { command -v "$1" >/dev/null 2>&1; }

# A hosted -m32 compile and link proves gcc-multilib (32-bit crt and libc).
m32_works() {
	local dir rc
	dir=$(mktemp -d)
	printf 'int main(void) { return 0; }\n' >"$dir/t.c"
	rc=0
	gcc -m32 "$dir/t.c" -o "$dir/t" >/dev/null 2>&1 || rc=1
	rm -rf "$dir"
	return "$rc"
}

# clang links libFuzzer (-fsanitize=fuzzer): make test runs the fuzz
# targets (tests/fuzz) for a fixed number of runs.
fuzzer_links() {
	local dir rc
	dir=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return (int)(d[0] & n & 0); }\n' \
		>"$dir/f.c"
	rc=0
	clang -fsanitize=fuzzer,address,undefined "$dir/f.c" -o "$dir/f" >/dev/null 2>&1 || rc=1
	rm -rf "$dir"
	return "$rc"
}

check_all() {
	missing=()
	have make || need make
	if ! have gcc; then
		need build-essential
		need gcc-multilib
	elif ! m32_works; then
		need gcc-multilib
	fi
	have ld || need binutils
	have nasm || need nasm
	have grub-mkrescue || need grub-common
	[ -d /usr/lib/grub/i386-pc ] || need grub-pc-bin
	have xorriso || need xorriso
	have mformat || need mtools
	have qemu-system-i386 || need qemu-system-x86
	have python3 || need python3
	if ! have pkg-config; then
		need pkg-config
		need check
	elif ! pkg-config --exists check; then
		need check
	fi
	if ! have clang; then
		need clang
		need libclang-rt-14-dev
	elif ! fuzzer_links; then
		need libclang-rt-14-dev
	fi
}

check_all
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "  sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"

check_all
if [ "${#missing[@]}" -ne 0 ]; then
	echo "deps: still missing after apt-get install: ${missing[*]}" >&2
	exit 1
fi
