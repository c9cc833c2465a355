//! OS probes outside Windows: the registry, the service control manager and
//! WinHTTP do not exist here, so those facts are `not_applicable` with the
//! reason. The network and proxy-environment probes (net.rs) apply
//! everywhere. One fact is Unix's own: `pwsh.wsman_client`, whether the
//! PowerShell 7 installed here has the WSMan client libraries next to it
//! (docs/facts.md#wsman-client-outside-windows).

use serde_json::json;
use std::path::{Path, PathBuf};

use super::{Fact, OsProbe, OS_FACT_IDS};

/// The probes: every Windows fact as `not_applicable` (nothing there can
/// block), and the WSMan client libraries (file lookups).
pub(crate) fn probes() -> Vec<OsProbe> {
    vec![
        OsProbe {
            key: "os.not_windows",
            facts: OS_FACT_IDS,
            run: facts,
        },
        OsProbe {
            key: WSMAN_FACT[0].0,
            facts: WSMAN_FACT,
            run: || vec![wsman_client(&SystemFiles)],
        },
    ]
}

pub fn facts() -> Vec<Fact> {
    OS_FACT_IDS
        .iter()
        .map(|(id, source)| {
            Fact::not_applicable(
                id,
                source,
                &format!("Windows only: this library runs on {}", super::os_name()),
            )
        })
        .collect()
}

const WSMAN_FACT: &[(&str, &str)] = &[(
    "pwsh.wsman_client",
    "libmi and libpsrpclient in the folder of pwsh (PATH, else /opt/microsoft/powershell/7, /usr/local/microsoft/powershell/7)",
)];

/// The folders PowerShell 7's packages install to: Linux packages under
/// /opt/microsoft/powershell, the macOS package under
/// /usr/local/microsoft/powershell (docs/facts.md#wsman-client-outside-windows).
const INSTALL_DIRS: &[&str] = &[
    "/opt/microsoft/powershell/7",
    "/opt/microsoft/powershell/7-preview",
    "/usr/local/microsoft/powershell/7",
    "/usr/local/microsoft/powershell/7-preview",
];

/// The WSMan client libraries PowerShell loads from `$PSHOME`.
const LIBRARIES: &[&str] = &["libmi", "libpsrpclient"];

/// What the probe reads of the file system (a trait so the tests give
/// their own).
pub(crate) trait Files {
    /// The environment variable `PATH`.
    fn path_var(&self) -> Option<String>;
    /// The path with every symbolic link resolved, if it exists.
    fn resolve(&self, p: &Path) -> Option<PathBuf>;
    fn is_file(&self, p: &Path) -> bool;
}

struct SystemFiles;

impl Files for SystemFiles {
    fn path_var(&self) -> Option<String> {
        std::env::var("PATH").ok()
    }
    fn resolve(&self, p: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(p).ok()
    }
    fn is_file(&self, p: &Path) -> bool {
        p.is_file()
    }
}

/// The shared-library suffix of this OS.
fn library_suffix() -> &'static str {
    if cfg!(target_os = "macos") {
        ".dylib"
    } else {
        ".so"
    }
}

/// `$PSHOME` of the PowerShell 7 found: the folder of `pwsh` on `PATH`
/// (links resolved: packages link /usr/bin/pwsh or /usr/local/bin/pwsh to
/// it), else the first install folder holding `pwsh`; and how it was found.
fn pshome(files: &dyn Files) -> Option<(PathBuf, String)> {
    if let Some(path) = files.path_var() {
        for dir in path.split(':').filter(|d| !d.is_empty()) {
            let candidate = Path::new(dir).join("pwsh");
            if files.is_file(&candidate) {
                if let Some(real) = files.resolve(&candidate) {
                    if let Some(home) = real.parent() {
                        let how = format!(
                            "pwsh on PATH: {} -> {}",
                            candidate.display(),
                            real.display()
                        );
                        return Some((home.to_path_buf(), how));
                    }
                }
            }
        }
    }
    INSTALL_DIRS
        .iter()
        .map(Path::new)
        .find(|d| files.is_file(&d.join("pwsh")))
        .map(|d| (d.to_path_buf(), format!("folder {}", d.display())))
}

/// The fact `pwsh.wsman_client`: `{"pshome", "found_by", "libmi",
/// "libpsrpclient", "available"}`, or `pshome` null when no PowerShell 7 is
/// found.
pub(crate) fn wsman_client(files: &dyn Files) -> Fact {
    let (id, source) = WSMAN_FACT[0];
    let (home, how) = match pshome(files) {
        Some(h) => h,
        None => {
            return Fact::known(
                id,
                json!({"pshome": null, "searched": INSTALL_DIRS}),
                source,
            )
        }
    };
    let mut v = serde_json::Map::new();
    v.insert("pshome".into(), json!(home.display().to_string()));
    v.insert("found_by".into(), json!(how));
    let mut all = true;
    for lib in LIBRARIES {
        let present = files.is_file(&home.join(format!("{}{}", lib, library_suffix())));
        all &= present;
        v.insert((*lib).into(), json!(present));
    }
    v.insert("available".into(), json!(all));
    Fact::known(id, serde_json::Value::Object(v), source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[derive(Default)]
    struct Fake {
        path: Option<String>,
        links: BTreeMap<PathBuf, PathBuf>,
        files: BTreeSet<PathBuf>,
    }

    impl Files for Fake {
        fn path_var(&self) -> Option<String> {
            self.path.clone()
        }
        fn resolve(&self, p: &Path) -> Option<PathBuf> {
            let p = self
                .links
                .get(p)
                .cloned()
                .unwrap_or_else(|| p.to_path_buf());
            self.files.contains(&p).then_some(p)
        }
        fn is_file(&self, p: &Path) -> bool {
            self.files.contains(p) || self.links.contains_key(p)
        }
    }

    fn lib(dir: &str, name: &str) -> PathBuf {
        Path::new(dir).join(format!("{}{}", name, library_suffix()))
    }

    #[test]
    fn the_libraries_are_looked_for_next_to_the_pwsh_found() {
        // pwsh on PATH is a link into the package's folder.
        let home = "/opt/microsoft/powershell/7";
        let mut f = Fake {
            path: Some("/usr/local/sbin:/usr/bin".into()),
            ..Default::default()
        };
        f.links
            .insert("/usr/bin/pwsh".into(), Path::new(home).join("pwsh"));
        f.files.insert(Path::new(home).join("pwsh"));
        let x = wsman_client(&f);
        assert_eq!(x.value["pshome"], home);
        assert_eq!(x.value["available"], false);
        assert_eq!(x.value["libmi"], false);
        assert!(x.value["found_by"]
            .as_str()
            .unwrap()
            .contains("/usr/bin/pwsh ->"));
        // Both libraries (as PSWSMan installs them): available.
        f.files.insert(lib(home, "libmi"));
        f.files.insert(lib(home, "libpsrpclient"));
        assert_eq!(wsman_client(&f).value["available"], true);
        // One alone is not enough.
        f.files.remove(&lib(home, "libmi"));
        assert_eq!(wsman_client(&f).value["available"], false);
    }

    #[test]
    fn without_pwsh_on_path_the_install_folders_then_nothing() {
        let mut f = Fake::default();
        f.files
            .insert("/usr/local/microsoft/powershell/7/pwsh".into());
        let x = wsman_client(&f);
        assert_eq!(x.value["pshome"], "/usr/local/microsoft/powershell/7");
        assert_eq!(
            x.value["found_by"],
            "folder /usr/local/microsoft/powershell/7"
        );
        let x = wsman_client(&Fake::default());
        assert_eq!(x.value["pshome"], serde_json::Value::Null);
        assert_eq!(x.state, crate::probe::State::Known);
    }
}
