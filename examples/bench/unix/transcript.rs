//! The generated transcript the scan measures read.

use super::*;

#[path = "../../../tests/common/console.rs"]
mod console;
use console::wrap;

pub struct Rng(u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub const FIRST: &[&str] = &[
    "ken", "adele", "alex", "megan", "diego", "lidia", "nestor", "patti", "isaiah", "joni",
];
pub const LAST: &[&str] = &[
    "myer",
    "vance",
    "wilber",
    "bowen",
    "siciliani",
    "holloway",
    "wilke",
    "fernandez",
];
pub const POLICIES: &[&str] = &[
    "Tag:AllowCalling",
    "Tag:DisallowCalling",
    "Global",
    "Tag:RestrictedAnonymousAccess",
    "Tag:Kiosk",
];

/// One line (or a few) of ordinary transcript output.
pub fn noise(r: &mut Rng, out: &mut String) {
    let user = format!(
        "{}.{}{}@contoso.com",
        FIRST[r.below(FIRST.len())],
        LAST[r.below(LAST.len())],
        r.below(100)
    );
    let n = r.below(12000);
    match r.below(20) {
        0 => out.push_str(&format!("PS C:\\Scripts> .\\Sync-Voice.ps1 -Batch {}\n", n % 40)),
        1 => out.push_str(&format!(
            "VERBOSE: Performing the operation \"Grant-CsVoiceRoutingPolicy\" on target \"{}\".\n",
            user
        )),
        2 => out.push_str(&format!("VERBOSE: Processing user {} ({} of 12000)\n", user, n)),
        3 => out.push_str(&format!(
            "WARNING: User {} has no Phone System license; the policy was not assigned.\n",
            user
        )),
        4 => out.push_str(&format!(
            "2024-05-{:02}T{:02}:{:02}:{:02} INFO granted {} to {}\n",
            1 + n % 28,
            n % 24,
            n % 60,
            (n * 7) % 60,
            POLICIES[n % POLICIES.len()],
            user
        )),
        5 => out.push_str(&format!(
            "\nIdentity             : sip:{}\nDisplayName          : {}\nEnterpriseVoiceEnabled : {}\nLineURI              : tel:+1425555{:04}\n\n",
            user,
            user.split('@').next().unwrap_or(""),
            if n % 2 == 0 { "True" } else { "False" },
            n % 10000
        )),
        6 => out.push_str(
            "Id     Name            PSJobTypeName   State         HasMoreData     Location\n--     ----            -------------   -----         -----------     --------\n",
        ),
        7 => out.push_str(&format!(
            "{:<6} Session{:<8} RemoteJob       Completed     True            admin{}a.online.lync.com\n",
            n % 50,
            n % 50,
            n % 9
        )),
        8 => out.push_str(&format!(
            "Policy {} is disabled for the user {}; the module will retry later.\n",
            POLICIES[n % POLICIES.len()],
            user
        )),
        9 => out.push_str("The operation completed successfully.\n"),
        10 => out.push_str(&format!(
            "Loaded module SkypeOnlineConnector 7.0.0.0 from C:\\Program Files\\Common Files\\Skype for Business Online\\Modules\\ in {} ms\n",
            n % 900
        )),
        11 => out.push_str(&format!(
            "Le module a été chargé. L'utilisateur {} dispose d'une licence; la stratégie est désactivée pour ce test.\n",
            user
        )),
        12 => out.push('\n'),
        13 => out.push_str(&format!(
            "Set-CsUser -Identity {} -EnterpriseVoiceEnabled $true -HostedVoiceMail $true\n",
            user
        )),
        14 => out.push_str(&format!(
            "Checked {} users, {} changes pending, tenant quota at {}%.\n",
            n,
            n % 97,
            n % 100
        )),
        15 => out.push_str(&format!(
            "Name                           Value\n----                           -----\nPSVersion                      5.1.19041.{}\n",
            n
        )),
        16 => out.push_str("**********************\nCommand start time: 20240501093012\n**********************\n"),
        17 => out.push_str(&format!(
            "DEBUG: {} ms spent in Get-CsOnlineUser for page {} (system time)\n",
            n % 3000,
            n % 300
        )),
        18 => out.push_str(&format!(
            "Get-CsOnlineUser -Filter {{Department -eq 'Sales{}'}} | Select-Object DisplayName, LineURI\n",
            n % 30
        )),
        _ => out.push_str(&format!(
            "    Directory: C:\\Logs\\{:04}\n\nMode                 LastWriteTime         Length Name\n----                 -------------         ------ ----\n-a----          5/1/2024   9:30 AM         {} run-{}.txt\n",
            n, n * 13, n
        )),
    }
}

/// Writes the transcript; returns (lines, errors planted).
pub fn generate(path: &Path, size: u64) -> (u64, u64) {
    let samples: Vec<String> = corpus_texts()
        .into_iter()
        .filter(|(e, _)| e.is_some())
        .map(|(_, t)| t)
        .collect();
    if samples.is_empty() {
        fail("no corpus samples");
    }
    let f = File::create(path).unwrap_or_else(|e| fail(&format!("{}: {}", path.display(), e)));
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let mut r = Rng(0x2545F4914F6CDD1D);
    let mut written: u64 = 0;
    let mut lines: u64 = 0;
    let mut errors: u64 = 0;
    let mut chunk = String::new();
    let header = "**********************\nWindows PowerShell transcript start\nStart time: 20240501093000\nUsername: CONTOSO\\svc-voice\nRunAs User: CONTOSO\\svc-voice\nMachine: ADMIN01 (Microsoft Windows NT 10.0.19045.0)\nHost Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -File C:\\Scripts\\Sync-Voice.ps1\nProcess ID: 4242\nPSVersion: 5.1.19045.4291\n**********************\n";
    chunk.push_str(header);
    let mut next_sample = 0usize;
    // 0.1% of the lines are the first line of an error: one every 1000
    // lines on average, at random gaps.
    let mut next_error = 1 + r.below(1999) as u64;
    while written < size {
        if lines >= next_error {
            next_error = lines + 1 + r.below(1999) as u64;
            let mut e = samples[next_sample % samples.len()].clone();
            next_sample += 1;
            // As tests/common/scan.rs: a headless error follows a prompt or a
            // blank line; samples with several lines are renderings
            // already (no second wrap).
            let multi_line = e.contains('\n');
            if !csod::scan::is_error_head(e.lines().next().unwrap_or("")) {
                chunk.push_str("PS C:\\Scripts> .\\Sync-Voice.ps1 -Batch 7\n");
            }
            if !e.contains("FullyQualifiedErrorId") && r.below(2) == 0 {
                let head = e.split(" : ").next().unwrap_or("").trim();
                let cmd = if head.len() < 40 && !head.contains(' ') {
                    head.to_string()
                } else {
                    "Invoke-Sync".to_string()
                };
                e.push_str(&format!("\nAt C:\\Scripts\\Sync-Voice.ps1:88 char:9\n+         {}\n+         ~~~~~~~~~~~~~~\n    + CategoryInfo          : NotSpecified: (:) [{}], Exception\n    + FullyQualifiedErrorId : Sync.Failed,Sync-Voice.ps1", cmd, cmd));
            }
            if r.below(2) == 0 && !multi_line {
                e = wrap(&e, 120);
            }
            chunk.push_str(&e);
            chunk.push('\n');
            errors += 1;
        } else {
            noise(&mut r, &mut chunk);
        }
        lines += chunk.matches('\n').count() as u64;
        let s = chunk.replace('\n', "\r\n");
        written += s.len() as u64;
        w.write_all(s.as_bytes())
            .unwrap_or_else(|e| fail(&e.to_string()));
        chunk.clear();
    }
    w.flush().unwrap_or_else(|e| fail(&e.to_string()));
    (lines, errors)
}

pub fn slice_file(src: &Path, dst: &Path, size: u64) -> u64 {
    let mut f = File::open(src).unwrap_or_else(|e| fail(&e.to_string()));
    let mut buf = vec![0u8; size as usize];
    let mut got = 0;
    while got < buf.len() {
        let n = f.read(&mut buf[got..]).unwrap_or(0);
        if n == 0 {
            break;
        }
        got += n;
    }
    buf.truncate(got);
    if let Some(i) = buf.iter().rposition(|b| *b == b'\n') {
        buf.truncate(i + 1);
    }
    std::fs::write(dst, &buf).unwrap_or_else(|e| fail(&e.to_string()));
    buf.len() as u64
}
