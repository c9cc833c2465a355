#!/usr/bin/env bash
# Pester 5 tests of the PowerShell module (tests/powershell/*.Tests.ps1), run by
# PowerShell 7 from scripts/pwsh. Builds what they load first: the release
# library (the module's development layout) and the packaged folder
# (scripts/package, with the Windows DLL). Prints a summary; exits non-zero on
# any failure. Usage: tests/powershell/run.sh [-- extra Pester paths/filters]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
for tool in gcc mcs; do
  command -v "$tool" >/dev/null 2>&1 || { echo "tests/powershell: $tool is missing (scripts/setup.sh --all installs it)" >&2; exit 1; }
done
cargo build --quiet --release
"$root/scripts/package" >/dev/null
# A private interop cache, so the run neither depends on nor pollutes ~/.cache.
export CSOD_CACHE_DIR="${CSOD_CACHE_DIR:-$root/target/pester-interop-cache}"
rm -rf "$CSOD_CACHE_DIR"
exec "$root/scripts/pwsh" -NoProfile -NonInteractive -File "$root/tests/powershell/Invoke-Pester.ps1" "$@"
