#!/usr/bin/env bash
# Proves scripts/setup.sh's Debian package list complete, whatever this machine
# already has installed.
#
#  1. Runs setup.sh's package selection (--debs-only) with stand-ins for
#     dpkg-query (nothing counts as installed) and apt-get (records what would
#     be installed), once as scripts/doctor calls it and once as scripts/test does.
#  2. Asks apt what installing that list does on a machine with nothing
#     installed at all (apt-get -s with an empty dpkg status): the exact set of
#     packages, alternatives and virtual packages resolved as apt resolves them.
#  3. Builds a cargo directory source from only the crates those packages ship
#     (dpkg -L for the ones installed here at that version, else the .deb itself,
#     downloaded and unpacked), in an empty CARGO_HOME.
#  4. Builds the library from a fresh clone of HEAD against it: the release
#     library for the doctor's selection; every target (tests, examples) and the
#     Windows DLL (Debian's Rust 1.63) for the test selection.
#  5. Leave one out: for each crate package the list names, the list without it
#     must no longer resolve (or the package is reported as needed by nothing).
#
# Usage: tests/packages/run.sh              (scripts/test runs it)
#        tests/packages/run.sh --drop PKG   the same with PKG taken out of the list:
#                                           must fail (shows the check can fail)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

drop=""
while [ $# -gt 0 ]; do
  case "$1" in
    --drop) drop="${2:?--drop needs a package name}"; shift 2 ;;
    *) echo "tests/packages: unknown option $1 (use --drop PKG)" >&2; exit 2 ;;
  esac
done

for tool in apt-get apt-cache dpkg dpkg-deb dpkg-query git cargo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "tests/packages: $tool is missing" >&2; exit 1; }
done

work="$root/target/packages-check"
mkdir -p "$work/debs"
rm -rf "$work/stand-ins" "$work/clone" "$work/registry-"* "$work/unpacked" "$work/cargo-home"
say() { printf -- '-- %s\n' "$*"; }

# 1. setup.sh's selection with stand-ins ---------------------------------------
stand="$work/stand-ins"
mkdir -p "$stand"
cat > "$stand/dpkg-query" <<'SH'
#!/bin/sh
# Stand-in: no package is installed.
echo "dpkg-query: no packages found matching $*" >&2
exit 1
SH
cat > "$stand/apt-get" <<'SH'
#!/bin/sh
# Stand-in: records what would be installed, installs nothing.
[ "$1" = update ] && exit 0
echo "$@" >> "$CSOD_APT_RECORD"
SH
cat > "$stand/sudo" <<'SH'
#!/bin/sh
exec "$@"
SH
chmod +x "$stand"/*

# selection NAME SETUP-ARGS... -> prints the package names setup.sh asked for
selection() {
  local name=$1; shift
  local record="$work/apt-$name.txt"
  : > "$record"
  CSOD_APT_RECORD="$record" PATH="$stand:$PATH" "$root/scripts/setup.sh" "$@" --debs-only
  # "install -y -qq --no-install-recommends pkg..." -> pkg...
  tr ' ' '\n' < "$record" | grep -v -e '^-' -e '^install$' -e '^$' | sort -u
}
say "setup.sh's selection with nothing installed (stand-ins for dpkg-query and apt-get)"
doctor_list=$(selection doctor --pwsh)
test_list=$(selection test --all)
if [ -n "$drop" ]; then
  echo "taking $drop out of the list"
  doctor_list=$(grep -vxF "$drop" <<<"$doctor_list" || true)
  test_list=$(grep -vxF "$drop" <<<"$test_list" || true)
fi
echo "doctor: $(wc -l <<<"$doctor_list") packages; test: $(wc -l <<<"$test_list") packages"
[ -n "$doctor_list" ] || { echo "FAIL: setup.sh selected no package with nothing installed" >&2; exit 1; }

# 2. what apt installs for that list on an empty machine -------------------------
empty_status="$work/empty-status"
: > "$empty_status"
# closure PKG... -> every librust package apt would install (name=version)
closure() {
  apt-get -s -o Dir::State::status="$empty_status" -o Debug::NoLocking=1 \
    --no-install-recommends install "$@" 2>"$work/apt-sim.err" |
    awk '$1 == "Inst" && $2 ~ /^librust-/ { v = $3; gsub(/[()]/, "", v); print $2 "=" v }' |
    sort -u || { cat "$work/apt-sim.err" >&2; return 1; }
}

# 3. a directory source from those packages' crates ------------------------------
# registry NAME PKG=VER... -> builds $work/registry-NAME with a link per crate
registry() {
  local name=$1; shift
  local dir="$work/registry-$name"
  mkdir -p "$dir" "$work/unpacked"
  local pv pkg ver files
  for pv in "$@"; do
    pkg=${pv%%=*}
    ver=${pv#*=}
    if [ "$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null)" = "install ok installed $ver" ]; then
      files=$(dpkg -L "$pkg")
    else
      local deb
      deb=$(ls "$work/debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
      if [ -z "$deb" ]; then
        (cd "$work/debs" && apt-get download -qq "$pkg=$ver" >/dev/null)
        deb=$(ls "$work/debs/${pkg}_"*.deb | head -n1)
      fi
      dpkg-deb -x "$deb" "$work/unpacked"
      files=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's#^\./#/#')
    fi
    # The crate folders: /usr/share/cargo/registry/<crate>-<version>
    local crate
    while IFS= read -r crate; do
      [ -n "$crate" ] || continue
      local src="$crate"
      [ -d "$src" ] || src="$work/unpacked$crate"
      ln -sfn "$src" "$dir/$(basename "$crate")"
    done < <(grep -E '^/usr/share/cargo/registry/[^/]+/?$' <<<"$files" | sed 's#/$##' | sort -u)
  done
  echo "$dir"
}

# 4. a fresh clone built against it -----------------------------------------------
say "fresh clone of HEAD"
git clone -q --no-local "$root" "$work/clone"
export CARGO_HOME="$work/cargo-home"
mkdir -p "$CARGO_HOME"
# rustup's proxies live in the real CARGO_HOME; the toolchain in RUSTUP_HOME.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
cargo_bin=$(command -v cargo)

use_registry() {
  mkdir -p "$work/clone/.cargo"
  cat > "$work/clone/.cargo/config.toml" <<TOML
[source.crates-io]
replace-with = "packages"
[source.packages]
directory = "$1"
[net]
offline = true
TOML
  rm -f "$work/clone/Cargo.lock"
}

say "doctor's selection: the release library"
mapfile -t doctor_closure < <(closure $doctor_list)
echo "${#doctor_closure[@]} crate packages"
use_registry "$(registry doctor "${doctor_closure[@]}")"
(cd "$work/clone" && "$cargo_bin" build --quiet --release --lib --target-dir "$work/target")

say "test selection: every target, and the Windows DLL with Debian's Rust 1.63"
mapfile -t test_closure < <(closure $test_list)
echo "${#test_closure[@]} crate packages"
use_registry "$(registry test "${test_closure[@]}")"
(cd "$work/clone" && "$cargo_bin" build --quiet --all-targets --target-dir "$work/target")
rm -f "$work/clone/Cargo.lock"
(cd "$work/clone" && RUSTC=/usr/bin/rustc /usr/bin/cargo build --quiet --lib \
   --target x86_64-pc-windows-gnu --target-dir "$work/target-win")

if [ -n "$drop" ]; then
  echo "the build passed without $drop: it is not needed" >&2
  exit 0
fi

# 5. leave one out -------------------------------------------------------------------
say "leave one out: each crate package of the list is needed"
unneeded=0
full_crates=$(ls "$work/registry-test" | sort)
for pkg in $(grep '^librust-' <<<"$test_list"); do
  others=$(grep -vxF "$pkg" <<<"$test_list")
  mapfile -t c < <(closure $others)
  rm -rf "$work/registry-leave"
  leave=$(registry leave "${c[@]}")
  if [ "$(ls "$leave" | sort)" = "$full_crates" ]; then
    echo "  $pkg: its crates also come with other packages of the list (kept: Cargo.toml names it)"
    continue
  fi
  use_registry "$leave"
  if (cd "$work/clone" && "$cargo_bin" generate-lockfile --offline >"$work/leave.log" 2>&1); then
    echo "  FAIL: without $pkg the crates still resolve: it is not needed" >&2
    unneeded=1
  else
    echo "  $pkg: without it, $(grep -m1 -o 'no matching package named `[^`]*`' "$work/leave.log" || head -n1 "$work/leave.log")"
  fi
done
[ "$unneeded" = 0 ] || exit 1
say "package list complete"
