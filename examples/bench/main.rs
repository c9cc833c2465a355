//! The benchmark behind `scripts/bench`: prints one table, every figure
//! measured in this run on the same data.
//!
//! - classify latency through the C ABI (`csod_classify`) over the corpus;
//! - scan throughput on a generated transcript (noise plus 0.1% error lines
//!   from every corpus sample, so every problem and language) against
//!   ripgrep (`rg -c -F -i -f patterns.txt`) and PowerShell 7's
//!   `Select-String -SimpleMatch` with the same literal patterns: the
//!   scanner's prefilter pieces, which come from the catalog;
//! - `Import-Module` of powershell/CsOnlineDiagnostics.psd1, cold (first
//!   import in a new pwsh) and warm (again after `Remove-Module`), against a
//!   trivial script module;
//! - the first answer: `Import-Module` plus the first diagnosis of a caught
//!   error in a fresh pwsh (interop cache warm), against importing a
//!   trivial script module and calling it the same way;
//! - `csod_diagnose` with every endpoint black-holed, against its timeout;
//! - Ctrl-C: `PowerShell.Stop()` of a running health check whose endpoint
//!   is black-holed (-TimeoutSec 20), against 500 ms;
//! - the peak memory (max RSS) of each, every measure running in its own
//!   child process (`wait4`).
//!
//! Usage (release build): `scripts/bench [--size-mb 256] [--slice-mb 32]
//! [--timeout-ms 2000] [--runs 3]`.
//!
//! Layout: `unix/mod.rs` the arguments and the measured child process,
//! `unix/child.rs` the measures each child runs, `unix/transcript.rs` the
//! generated transcript, `unix/parent.rs` the table.

#[cfg(not(unix))]
fn main() {
    eprintln!("the bench runs on Linux (it measures child processes with wait4)");
    std::process::exit(2);
}

#[cfg(unix)]
fn main() {
    unix::main()
}

#[cfg(unix)]
mod unix;
