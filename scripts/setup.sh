#!/usr/bin/env bash
# Installs what the project needs, and nothing when it is all there.
# Sourced or run by scripts/doctor and scripts/test; safe to run again.
#
#   scripts/setup.sh            Rust build (Debian crates when the public registry is unreachable)
#   scripts/setup.sh --pwsh     also PowerShell 7.6.9 and Pester 5.7.1 (NuGet) under .tools/
#   scripts/setup.sh --all      also everything the test suite needs
#   scripts/setup.sh --fuzz     also clang-19 and libFuzzer (scripts/fuzz)
#   --debs-only                 stop after the Debian packages (tests/packages/run.sh runs the
#                               selection this way with stand-ins for dpkg-query and apt-get)
#
# Nothing is assumed on the machine beyond what the README says (Debian 12, the
# .NET SDK, rustup's cargo): every other tool a script uses is in a list below.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

want_all=0
want_pwsh=0
want_fuzz=0
debs_only=0
for a in "$@"; do
  case "$a" in
    --all) want_all=1; want_pwsh=1 ;;
    --pwsh) want_pwsh=1 ;;
    --fuzz) want_fuzz=1 ;;
    --debs-only) debs_only=1 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages -----------------------------------------------------------
# The crates, as Debian packages them. A crate's base package (librust-X-dev)
# carries the crate and the dependencies of its non-optional parts; the
# features a crate is built with come in feature packages (librust-X+F-dev)
# that pull in the crates those features need. Cargo.toml uses:
#   regex (default features: perf, unicode -> aho-corasick, memchr, regex-syntax+unicode),
#   aho-corasick (the classifier's lexicon, default features), memchr (the scanner's
#   line search, default features),
#   serde (derive -> serde_derive), serde_json, libc, widestring, once_cell (default
#   features, all provided by their base packages), cbindgen (build, no default features),
#   on Unix socket2 (no features) and nix (feature poll, provided by its base package):
#   the cancellable connect's socket calls.
# tests/packages/run.sh proves this list complete on a machine where nothing counts
# as installed, and that dropping any package from it breaks the build.
crate_debs=(librust-regex-dev librust-regex+default-dev librust-aho-corasick-dev
            librust-memchr-dev librust-serde-dev librust-serde+serde-derive-dev
            librust-serde-json-dev librust-libc-dev librust-widestring-dev
            librust-once-cell-dev librust-cbindgen-dev librust-socket2-dev
            librust-nix-dev)
# The C linker cargo calls; Debian's Rust 1.63 when rustup's cargo is absent.
debs=("${crate_debs[@]}" gcc libc6-dev)
if ! command -v cargo >/dev/null 2>&1; then
  debs+=(rustc cargo)
fi
if [ "$want_all" = 1 ]; then
  # tests/c (gcc, valgrind, ASan's runtime comes with gcc), tests/windows (Debian's
  # Rust 1.63 for x86_64-pc-windows-gnu, mingw, wine, python3), the Pester suite
  # (mcs compiles the interop as C# 5), scripts/bench (ripgrep), the network and
  # stress tests (strace, iproute2, util-linux), and git for tests/packages.
  debs+=(valgrind rustc cargo libstd-rust-dev-windows gcc-mingw-w64-x86-64-posix wine64 wine
         mono-mcs ripgrep python3 strace iproute2 util-linux git)
fi
if [ "$want_fuzz" = 1 ]; then
  debs+=(clang-19 libclang-rt-19-dev)
fi
missing=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "$debs_only" = 1 ] && exit 0

# Cargo ---------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  # rustup's cargo missing: Debian's 1.63 toolchain builds everything too.
  export PATH="/usr/bin:$PATH"
fi
if [ ! -f .cargo/config.toml ]; then
  # Can the public crate registry be reached? Ask cargo itself, quickly.
  if CARGO_NET_RETRY=0 CARGO_HTTP_TIMEOUT=15 timeout 60 cargo fetch --quiet >/dev/null 2>&1; then
    :
  else
    say "public crate registry unreachable: using Debian's packaged crates (.cargo/config.toml, gitignored)"
    mkdir -p .cargo
    cat > .cargo/config.toml <<'TOML'
# Written by scripts/setup.sh because the public crate registry was unreachable.
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "/usr/share/cargo/registry"

[net]
offline = true
TOML
  fi
fi

# PowerShell 7 and Pester, from NuGet, into .tools/ (gitignored) --------------
if [ "$want_pwsh" = 1 ]; then
  if [ -z "${DOTNET_ROOT:-}" ] && command -v dotnet >/dev/null 2>&1; then
    export DOTNET_ROOT=$(dirname "$(readlink -f "$(command -v dotnet)")")
  fi
  if [ ! -x .tools/pwsh/pwsh ]; then
    say "installing PowerShell 7.6.9 (dotnet tool) into .tools/pwsh"
    dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 >/dev/null
  fi
  if [ ! -f .tools/pester/pester/5.7.1/tools/Pester.psd1 ]; then
    say "installing Pester 5.7.1 (NuGet) into .tools/pester"
    proj=$(mktemp -d)
    cat > "$proj/pester.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[5.7.1]" /></ItemGroup>
</Project>
XML
    dotnet restore "$proj/pester.csproj" --packages "$root/.tools/pester" >/dev/null
    rm -rf "$proj"
  fi
  # Two real builds of the Microsoft sign-in library (MSAL.NET), which the
  # Pester suite loads into one session to prove the assembly-conflict
  # check (issue 13); NuGet packages, into .tools/nuget.
  for msal in 4.61.3 4.65.0; do
    if [ ! -f ".tools/nuget/microsoft.identity.client/$msal/lib/net6.0/Microsoft.Identity.Client.dll" ]; then
      say "installing Microsoft.Identity.Client $msal (NuGet) into .tools/nuget"
      proj=$(mktemp -d)
      cat > "$proj/msal.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Microsoft.Identity.Client" Version="[$msal]" /></ItemGroup>
</Project>
XML
      dotnet restore "$proj/msal.csproj" --packages "$root/.tools/nuget" >/dev/null
      rm -rf "$proj"
    fi
  done
  # A module folder named like the module, so Import-Module Pester finds it.
  mkdir -p .tools/modules
  [ -e .tools/modules/Pester ] || ln -s ../pester/pester/5.7.1/tools .tools/modules/Pester
fi
