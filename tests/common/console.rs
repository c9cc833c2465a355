//! How a console cuts long lines, shared by the scan suites
//! (tests/common/scan.rs) and the scan bench's transcript
//! (examples/bench/unix/transcript.rs), each with a `#[path]` module.

/// Cuts every line wider than `width` console cells into lines of `width`
/// cells, as the Windows PowerShell 5.1 console does (East Asian wide
/// characters take two cells).
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut cur = String::new();
        let mut cells = 0;
        for c in line.chars() {
            let w = if csod::scan::is_wide(c) { 2 } else { 1 };
            if cells + w > width {
                out.push(std::mem::take(&mut cur));
                cells = 0;
            }
            cur.push(c);
            cells += w;
        }
        out.push(cur);
    }
    out.join("\n")
}
