#!/usr/bin/env bash
# Builds tests/c/test_*.c (test_csod.c: the table and main; the tests by
# theme in test_classify.c, test_diagnose.c, test_scan.c; test_csod.h) into one
# program against include/csod.h and target/debug/libcsod.so,
# then runs it three ways: plain, under valgrind (0 errors, 0 bytes definitely
# lost, both read from valgrind's summary), and built with AddressSanitizer
# (with LeakSanitizer) on the C side. Also checks that every function the header
# declares has a row in the program's EXPORTS table.
# Usage: tests/c/run.sh            (scripts/test runs it)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
for tool in gcc valgrind; do
  command -v "$tool" >/dev/null || { echo "tests/c: $tool is missing (scripts/setup.sh --all installs it)" >&2; exit 1; }
done

cargo build --quiet --lib
lib="$root/target/debug"
out="$root/target/c"
mkdir -p "$out"
cflags=(-std=c11 -g -O1 -Wall -Wextra -Werror -pedantic -pthread -Wmissing-prototypes -I"$root/include")
sources=(tests/c/test_*.c)
gcc "${cflags[@]}" "${sources[@]}" -L"$lib" -Wl,-rpath,"$lib" -lcsod -o "$out/test_csod"

echo "-- every export of include/csod.h has a test"
declared=$(grep -oE '\bcsod_[a-z0-9_]+\(' include/csod.h | tr -d '(' | sort -u)
tested=$("$out/test_csod" --list | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$tested"))
if [ -n "$missing" ]; then
  echo "tests/c: exports without a test in tests/c/ (add a test_<name> and a row to EXPORTS in test_csod.c): $missing" >&2
  exit 1
fi
echo "$(echo "$declared" | wc -l) exports declared, all in the table"

echo "-- plain run"
"$out/test_csod"

echo "-- valgrind (3 rounds of the whole table)"
# valgrind runs against a library whose dependencies are not optimised
# (Cargo's default debug profile; Cargo.toml optimises them for test speed):
# with regex 1.7.1 optimised, memcheck reports "use of uninitialised value
# of size 8" inside regex's backtracking matcher (origin: a reused stack
# slot). ASan and the results are clean; see docs/hardening.md.
vg_target="$root/target/c-valgrind"
cargo build --quiet --lib --target-dir "$vg_target" --config 'profile.dev.opt-level=0' --config 'profile.dev.package."*".opt-level=0'
gcc "${cflags[@]}" "${sources[@]}" -L"$vg_target/debug" -Wl,-rpath,"$vg_target/debug" -lcsod \
  -o "$out/test_csod_vg"
log="$out/valgrind.log"
status=0
valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
  --log-file="$log" "$out/test_csod_vg" 3 || status=$?
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost:|still reachable:|no leaks are possible' "$log" | sed 's/^==[0-9]*== */valgrind: /'
if [ "$status" != 0 ]; then
  cat "$log" >&2
  echo "tests/c: valgrind failed (exit $status)" >&2
  exit 1
fi
grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$log" || { cat "$log" >&2; echo "tests/c: valgrind reported errors" >&2; exit 1; }
# Either "definitely lost: 0 bytes in 0 blocks" or, with nothing allocated at exit, "no leaks are possible".
if ! grep -qE 'definitely lost: 0 bytes in 0 blocks|All heap blocks were freed -- no leaks are possible' "$log"; then
  cat "$log" >&2
  echo "tests/c: valgrind: bytes definitely lost" >&2
  exit 1
fi

echo "-- the leak checks can fail: a result dropped on purpose must show as definitely lost"
if valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
     --log-file="$out/canary.log" "$out/test_csod_vg" --leak-canary >/dev/null; then
  echo "tests/c: valgrind did not see the deliberate leak" >&2; exit 1
fi
grep -q 'definitely lost: [1-9]' "$out/canary.log" || { echo "tests/c: no leak in the canary's valgrind log" >&2; exit 1; }

echo "-- AddressSanitizer + LeakSanitizer (C side instrumented; ASan's allocator serves the Rust library too)"
gcc "${cflags[@]}" -fsanitize=address -fno-omit-frame-pointer "${sources[@]}" \
  -L"$lib" -Wl,-rpath,"$lib" -lcsod -o "$out/test_csod_asan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=23
"$out/test_csod_asan" 3
if "$out/test_csod_asan" --leak-canary >/dev/null 2>"$out/asan-canary.log"; then
  echo "tests/c: ASan did not see the deliberate leak" >&2; exit 1
fi
grep -q 'Direct leak of' "$out/asan-canary.log" || { cat "$out/asan-canary.log" >&2; echo "tests/c: ASan canary failed otherwise" >&2; exit 1; }
echo "ASan: 0 errors, 0 leaks (and the deliberate leak was caught)"
echo "tests/c: passed (plain, valgrind, ASan)"
