//! Rules: facts to findings. Pure functions of the facts (no OS calls, no
//! clock), so the same facts give the same findings on every OS.
//!
//! One finding per checked cause. Each names the catalog problem it checks
//! (or none), a status, a summary in the output language, the evidence it
//! used, and when something is wrong the resolution steps and fix command
//! (from the catalog, in the output language, sometimes preceded by a step
//! specific to what was found).
//!
//! Finding ids (stable; the PowerShell module reads them from the result and
//! must not depend on more than this list):
//!
//! | id | problem | checks |
//! | --- | --- | --- |
//! | `execution_policy.windows_powershell` | `execution_policy` | effective policy of Windows PowerShell (host list, else registry; all Undefined is Restricted): Restricted/AllSigned fail |
//! | `execution_policy.powershell7` | `execution_policy` | the same for PowerShell 7 (host list when the host is Core, else the probe's scopes: policy keys per hive and powershell.config.json) |
//! | `powershell.version` | `powershell_version` | the connector needs PowerShell 3.0 or later |
//! | `winrm.basic_auth` | `winrm_basic_auth` | WinRM client Basic: Group Policy AllowBasic wins over local auth_basic (fix per the WinRM service) |
//! | `wsman.client` | none | outside Windows: a WSMan client library for New-PSSession |
//! | `sign_in_assistant.installed` | `liveid_module_load_failed` | msoidsvc service, MSOIdentityCRL key (64/32-bit view) and version, judged against what needs it |
//! | `sign_in_assistant.service` | `liveid_connect_failed` | msoidsvc running, judged against what needs it |
//! | `network.<name>` | `liveid_connect_failed` for sign-in hosts, else none | DNS and TCP reachability of each endpoint |
//! | `proxy.environment` | none | HTTP(S)_PROXY / ALL_PROXY / NO_PROXY parse and apply |
//! | `proxy.windows` | `liveid_connect_failed` | WinHTTP (sign-in assistant, WinRM) versus the user's IE proxy |
//! | `sessions.count` | `shells_per_user` | open sessions to the service in this PowerShell (3 is the limit) |
//! | `sessions.age` | `session_expired` | sessions 60 minutes old or broken |
//! | `connector.installed` | `connector_retired` | SkypeOnlineConnector / LyncOnlineConnector present or loaded |
//!
//! What each rule relies on, with its sources: docs/facts/advice.md.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::catalog;
use crate::probe::{net, Fact, State};

/// Status of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Problem,
    Warning,
    Unknown,
    NotApplicable,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub id: String,
    pub problem: Option<String>,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<String>,
    pub resolution: Option<Vec<String>>,
    pub fix: Option<String>,
    /// Ids of the error's matches this finding explains (set by diagnose).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explains: Vec<String>,
}

/// Hosts whose failure means the sign-in (Live ID / Entra ID) servers are
/// out of reach.
pub const SIGN_IN_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
];

/// The per-user limit of concurrent remote PowerShell sessions (docs/facts.md#quotas).
pub(crate) const SHELLS_PER_USER: usize = 3;
/// Minutes after which the service closes a session (docs/facts.md#session-timeout).
pub(crate) const SESSION_MINUTES: f64 = 60.0;
/// Minutes from which a session is close to its end (a warning).
pub(crate) const SESSION_WARN_MINUTES: f64 = 50.0;

fn tr(lang: &str, en: String, fr: String) -> String {
    if lang == "fr" {
        fr
    } else {
        en
    }
}

/// `t!(lang, "english {x}", "français {x}", x = value)`: the text in the
/// output language; named values are captured by both strings.
macro_rules! t {
    ($lang:expr, $en:expr, $fr:expr $(, $k:ident = $v:expr)* $(,)?) => {{
        $(let $k = $v;)*
        tr($lang, format!($en), format!($fr))
    }};
}

struct Facts<'a>(&'a [Fact]);

impl<'a> Facts<'a> {
    fn get(&self, id: &str) -> Option<&'a Fact> {
        self.0.iter().find(|f| f.id == id)
    }
    fn known(&self, id: &str) -> Option<&'a Value> {
        self.get(id)
            .filter(|f| f.state == State::Known)
            .map(|f| &f.value)
    }
    fn host_str(&self, key: &str) -> Option<&'a str> {
        self.known(&format!("host.{}", key))
            .and_then(|v| v.as_str())
    }
    fn reason(&self, id: &str) -> String {
        self.get(id)
            .and_then(|f| f.reason.clone())
            .unwrap_or_else(|| format!("{} not gathered", id))
    }
}

fn finding(id: &str, problem: Option<&str>, status: Status, summary: String) -> Finding {
    Finding {
        id: id.to_string(),
        problem: problem.map(str::to_string),
        status,
        summary,
        evidence: Vec::new(),
        resolution: None,
        fix: None,
        explains: Vec::new(),
    }
}

impl Finding {
    fn with_evidence(mut self, e: Vec<String>) -> Finding {
        self.evidence = e;
        self
    }

    /// Adds the catalog's resolution and fix for the finding's problem, after
    /// `first` (steps specific to what was found).
    fn with_catalog_resolution(mut self, lang: &str, first: Vec<String>) -> Finding {
        let mut steps = first;
        let mut fix = None;
        if let Some(p) = self
            .problem
            .as_deref()
            .and_then(|id| catalog::get().ok().and_then(|c| c.problem(id)))
        {
            if let Some(t) = p.text.get(lang) {
                steps.extend(t.resolution.iter().cloned());
                fix = t.fix.clone();
            }
        }
        self.resolution = Some(steps);
        self.fix = fix;
        self
    }

    fn with_fix(mut self, fix: Option<String>) -> Finding {
        self.fix = fix;
        self
    }
}

/// The OS the PowerShell host runs on: the host's own word when handed in,
/// else the probe's.
fn platform_is_windows(f: &Facts) -> bool {
    match f.host_str("os") {
        Some(os) => ["windows", "win32nt", "win"]
            .iter()
            .any(|w| os.eq_ignore_ascii_case(w)),
        None => f
            .known("os")
            .and_then(|v| v.as_str())
            .map(|s| s == "windows")
            .unwrap_or(false),
    }
}

fn platform_name(f: &Facts) -> String {
    let raw = f
        .host_str("os")
        .map(str::to_string)
        .or_else(|| f.known("os").and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_else(|| "?".into());
    match raw.to_ascii_lowercase().as_str() {
        "linux" => "Linux".into(),
        "macos" | "osx" | "darwin" => "macOS".into(),
        "windows" => "Windows".into(),
        _ => raw,
    }
}

/// Evaluates every rule. The order is the natural reading order; diagnose
/// moves the findings that explain an error to the front.
pub fn evaluate(facts: &[Fact], lang: &str) -> Vec<Finding> {
    let f = Facts(facts);
    let mut out = vec![
        execution_policy_windows_powershell(&f, lang),
        execution_policy_powershell7(&f, lang),
        powershell_version(&f, lang),
        winrm_basic_auth(&f, lang),
        wsman_client(&f, lang),
        sign_in_assistant_installed(facts, lang, false),
        sign_in_assistant_service(facts, lang, false),
    ];
    for fact in facts.iter().filter(|x| x.id.starts_with("network.")) {
        out.push(network(&f, fact, lang));
    }
    out.push(proxy_environment(&f, lang));
    out.push(proxy_windows(&f, lang));
    out.push(sessions_count(&f, lang));
    out.push(sessions_age(&f, lang));
    out.push(connector_installed(&f, lang));
    out
}

// ---------------------------------------------------------------- execution policy

/// Scopes in the order PowerShell evaluates them (docs/facts.md#execution-policy-scopes).
pub const SCOPES: [&str; 5] = [
    "MachinePolicy",
    "UserPolicy",
    "Process",
    "CurrentUser",
    "LocalMachine",
];

const POLICIES: [&str; 6] = [
    "Unrestricted",
    "RemoteSigned",
    "AllSigned",
    "Restricted",
    "Bypass",
    "Undefined",
];

/// Canonical policy name; `Default` and anything unrecognised are Restricted
/// (PowerShell's ParseExecutionPolicy does the same).
pub fn canonical_policy(s: &str) -> &'static str {
    let t = s.trim();
    if t.eq_ignore_ascii_case("default") {
        return "Restricted";
    }
    POLICIES
        .iter()
        .find(|p| p.eq_ignore_ascii_case(t))
        .copied()
        .unwrap_or("Restricted")
}

/// Whether the connector's unsigned implicit-remoting module can load.
pub fn policy_allows_connector(p: &str) -> bool {
    matches!(
        canonical_policy(p),
        "RemoteSigned" | "Unrestricted" | "Bypass"
    )
}

/// The effective policy of a scope list and the scope that decided it
/// (`None` when every scope is Undefined and `fallback` applies).
pub fn effective_policy(
    scopes: &Map<String, Value>,
    fallback: &'static str,
) -> (&'static str, Option<&'static str>) {
    for scope in SCOPES {
        let v = scopes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(scope))
            .and_then(|(_, v)| v.as_str());
        if let Some(v) = v {
            let p = canonical_policy(v);
            if p != "Undefined" {
                return (p, Some(scope));
            }
        }
    }
    (fallback, None)
}

fn scope_list(scopes: &Map<String, Value>) -> String {
    SCOPES
        .iter()
        .map(|s| {
            let v = scopes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(s))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("Undefined");
            format!("{}={}", s, v)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Is the handed-in host this edition? (`Desktop` = Windows PowerShell.)
/// Without edition or version, the host is taken for Windows PowerShell,
/// where the connector runs.
fn host_is_edition(f: &Facts, desktop: bool) -> bool {
    if let Some(e) = f.host_str("edition") {
        return e.eq_ignore_ascii_case("desktop") == desktop;
    }
    f.host_str("version")
        .and_then(version_major)
        .map(|m| (m <= 5) == desktop)
        .unwrap_or(desktop)
}

/// Whether the host handed in is PowerShell 7 (Core) rather than Windows
/// PowerShell (the default when neither edition nor version is given).
pub fn host_is_powershell7(facts: &[Fact]) -> bool {
    host_is_edition(&Facts(facts), false)
}

fn policy_finding(
    f: &Facts,
    lang: &str,
    id: &str,
    product: &str,
    desktop: bool,
    registry_fact: &str,
) -> Finding {
    if !platform_is_windows(f) {
        return finding(
            id,
            Some("execution_policy"),
            Status::NotApplicable,
            t!(
                lang,
                "{product}: execution policies are not enforced on {os}.",
                "{product} : les stratégies d'exécution ne s'appliquent pas sous {os}.",
                os = platform_name(f)
            ),
        )
        .with_evidence(vec![format!("os: {}", platform_name(f))]);
    }
    let host_list = f
        .known("host.execution_policy")
        .and_then(|v| v.as_object())
        .filter(|_| host_is_edition(f, desktop));
    // Where a policy scope's value came from, when the probe knows
    // (PowerShell 7: Group Policy or powershell.config.json).
    let mut origin = Map::new();
    let (scopes, source) = if let Some(list) = host_list {
        (list.clone(), "Get-ExecutionPolicy -List (host)")
    } else {
        match f.get(registry_fact) {
            Some(fact) if fact.state == State::Known => {
                let v = fact.value.as_object().cloned().unwrap_or_default();
                if v.get("installed") == Some(&Value::Bool(false)) {
                    return finding(
                        id,
                        Some("execution_policy"),
                        Status::NotApplicable,
                        t!(
                            lang,
                            "{product} is not installed.",
                            "{product} n'est pas installé."
                        ),
                    )
                    .with_evidence(vec![format!("{}: {}", fact.source, "not found")]);
                }
                if let Some(o) = v.get("origin").and_then(|o| o.as_object()) {
                    origin = o.clone();
                }
                let scopes: Map<String, Value> = v
                    .into_iter()
                    .filter(|(k, _)| SCOPES.contains(&k.as_str()))
                    .collect();
                (scopes, "registry")
            }
            _ => {
                return finding(
                    id,
                    Some("execution_policy"),
                    Status::Unknown,
                    t!(
                        lang,
                        "The {product} execution policy could not be read.",
                        "La stratégie d'exécution de {product} n'a pas pu être lue."
                    ),
                )
                .with_evidence(vec![f.reason(registry_fact)]);
            }
        }
    };
    // Every scope Undefined is Restricted on every edition of Windows,
    // Server included (SecuritySupport.cs GetExecutionPolicy has no other
    // fallback; a server is RemoteSigned because its image sets LocalMachine).
    let (mut effective, scope) = effective_policy(&scopes, "Restricted");
    let mut evidence = vec![format!("{}: {}", source, scope_list(&scopes))];
    if host_list.is_some() {
        if let Some(e) = f.host_str("effective_execution_policy") {
            effective = canonical_policy(e);
            evidence.push(format!("Get-ExecutionPolicy (host): {}", e));
        }
    }
    let from_file = scope
        .and_then(|s| origin.get(s))
        .filter(|o| o.get("kind").and_then(|k| k.as_str()) == Some("config_file"))
        .and_then(|o| o.get("place"))
        .and_then(|p| p.as_str())
        .map(str::to_string);
    match scope {
        Some(s) => {
            let place = origin
                .get(s)
                .and_then(|o| o.get("place"))
                .and_then(|p| p.as_str());
            evidence.push(match (place, &from_file) {
                (Some(p), Some(_)) => format!(
                    "effective: {} (scope {}, from PowerShellPolicies.ScriptExecution in {})",
                    effective, s, p
                ),
                (Some(p), None) => format!("effective: {} (scope {}, from {})", effective, s, p),
                (None, _) => format!("effective: {} (scope {})", effective, s),
            })
        }
        None => evidence.push(format!(
            "effective: {} (every scope Undefined: PowerShell's default on every edition of Windows, Server included)",
            effective
        )),
    }
    if policy_allows_connector(effective) {
        return finding(
            id,
            Some("execution_policy"),
            Status::Ok,
            t!(
                lang,
                "{product} execution policy is {effective}: the connector module can load.",
                "La stratégie d'exécution de {product} est {effective} : le module du connecteur peut se charger."
            ),
        )
        .with_evidence(evidence);
    }
    let by_policy = matches!(scope, Some("MachinePolicy") | Some("UserPolicy"));
    let mut first = Vec::new();
    let fix;
    if let Some(place) = &from_file {
        first.push(t!(
            lang,
            "The {s} scope comes from PowerShellPolicies.ScriptExecution in {place}: Set-ExecutionPolicy cannot override it. Edit that file (the one in $PSHOME from an elevated prompt): set EnableScripts to true and ExecutionPolicy to RemoteSigned, or remove ScriptExecution.",
            "La portée {s} vient de PowerShellPolicies.ScriptExecution dans {place} : Set-ExecutionPolicy ne peut pas la remplacer. Modifiez ce fichier (celui de $PSHOME depuis une invite élevée) : mettez EnableScripts à true et ExecutionPolicy à RemoteSigned, ou supprimez ScriptExecution.",
            s = scope.unwrap_or("")
        ));
        fix = None;
    } else if by_policy {
        first.push(t!(
            lang,
            "Group Policy sets this policy ({s}): Set-ExecutionPolicy cannot override it. Ask the policy's owner to set \"Turn on Script Execution\" to \"Allow local scripts and remote signed scripts\".",
            "Une stratégie de groupe impose cette valeur ({s}) : Set-ExecutionPolicy ne peut pas la remplacer. Demandez au propriétaire de la stratégie de régler « Activer l'exécution des scripts » sur « Autoriser les scripts locaux et les scripts signés distants ».",
            s = scope.unwrap_or("")
        ));
        fix = None;
    } else if scope == Some("Process") {
        // Setting CurrentUser here writes the value, then fails with
        // ExecutionPolicyOverride: the Process scope still wins.
        first.push(t!(
            lang,
            "The Process scope decides (the PSExecutionPolicyPreference variable, set by powershell -ExecutionPolicy or Set-ExecutionPolicy -Scope Process): a CurrentUser or LocalMachine value would be overridden. Start PowerShell without -ExecutionPolicy, or set RemoteSigned for this window only: Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process.",
            "La portée Process décide (la variable PSExecutionPolicyPreference, posée par powershell -ExecutionPolicy ou Set-ExecutionPolicy -Scope Process) : une valeur CurrentUser ou LocalMachine serait supplantée. Démarrez PowerShell sans -ExecutionPolicy, ou définissez RemoteSigned pour cette seule fenêtre : Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process."
        ));
        fix = Some("Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process".to_string());
    } else {
        // Each edition keeps its own CurrentUser value (Windows PowerShell:
        // the registry; PowerShell 7: powershell.config.json), so the fix
        // starts the right one whatever shell it is pasted into.
        let exe = if desktop { "powershell.exe" } else { "pwsh" };
        first.push(if desktop {
            t!(
                lang,
                "Set it in Windows PowerShell (powershell.exe): run from PowerShell 7, Set-ExecutionPolicy changes only PowerShell 7's own setting (powershell.config.json). The fix starts powershell.exe to do it.",
                "Définissez-la dans Windows PowerShell (powershell.exe) : exécuté depuis PowerShell 7, Set-ExecutionPolicy ne change que le réglage propre à PowerShell 7 (powershell.config.json). La commande proposée lance powershell.exe pour le faire."
            )
        } else {
            t!(
                lang,
                "Set it in PowerShell 7 (pwsh): run from Windows PowerShell, Set-ExecutionPolicy changes only Windows PowerShell's setting (registry). The fix starts pwsh to do it.",
                "Définissez-la dans PowerShell 7 (pwsh) : exécuté depuis Windows PowerShell, Set-ExecutionPolicy ne change que le réglage de Windows PowerShell (registre). La commande proposée lance pwsh pour le faire."
            )
        });
        fix = Some(format!(
            "{} -NoProfile -Command \"Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force\"",
            exe
        ));
    }
    finding(
        id,
        Some("execution_policy"),
        Status::Problem,
        t!(
            lang,
            "{product} execution policy is {effective}: the connector module cannot be imported (RemoteSigned or less strict is needed).",
            "La stratégie d'exécution de {product} est {effective} : le module du connecteur ne peut pas être importé (RemoteSigned ou moins strict est nécessaire)."
        ),
    )
    .with_evidence(evidence)
    .with_catalog_resolution(lang, first)
    .with_fix(fix)
}

fn execution_policy_windows_powershell(f: &Facts, lang: &str) -> Finding {
    policy_finding(
        f,
        lang,
        "execution_policy.windows_powershell",
        "Windows PowerShell",
        true,
        "windows_powershell.execution_policy",
    )
}

fn execution_policy_powershell7(f: &Facts, lang: &str) -> Finding {
    policy_finding(
        f,
        lang,
        "execution_policy.powershell7",
        "PowerShell 7",
        false,
        "powershell7.execution_policy",
    )
}

// ---------------------------------------------------------------- version

/// The major number of a version string ("5.1.19041.4648" -> 5).
pub fn version_major(v: &str) -> Option<u64> {
    v.trim()
        .trim_start_matches(['v', 'V'])
        .split(['.', '-', ' '])
        .next()
        .and_then(|m| m.parse().ok())
}

fn powershell_version(f: &Facts, lang: &str) -> Finding {
    let id = "powershell.version";
    let (version, source) = match f.host_str("version") {
        Some(v) => (
            Some(v.to_string()),
            "$PSVersionTable.PSVersion (host)".to_string(),
        ),
        None => match f.get("windows_powershell.engine_version") {
            Some(fact) if fact.state == State::Known => match fact.value.as_str() {
                Some(v) => (Some(v.to_string()), fact.source.clone()),
                None => {
                    return finding(
                        id,
                        Some("powershell_version"),
                        Status::Problem,
                        t!(
                            lang,
                            "No Windows PowerShell 3.0 or later is registered on this machine.",
                            "Aucun Windows PowerShell 3.0 ou ultérieur n'est enregistré sur cet ordinateur."
                        ),
                    )
                    .with_evidence(vec![format!("{}: absent", fact.source)])
                    .with_catalog_resolution(lang, Vec::new());
                }
            },
            _ => {
                return finding(
                    id,
                    Some("powershell_version"),
                    Status::Unknown,
                    t!(
                        lang,
                        "The PowerShell version is unknown: hand in $PSVersionTable.PSVersion.",
                        "La version de PowerShell est inconnue : transmettez $PSVersionTable.PSVersion."
                    ),
                )
                .with_evidence(vec![f.reason("windows_powershell.engine_version")]);
            }
        },
    };
    let version = version.unwrap_or_default();
    let evidence = vec![format!("{}: {}", source, version)];
    match version_major(&version) {
        None => finding(
            id,
            Some("powershell_version"),
            Status::Unknown,
            t!(
                lang,
                "PowerShell version {version:?} is not a version number.",
                "La version de PowerShell {version:?} n'est pas un numéro de version."
            ),
        )
        .with_evidence(evidence),
        Some(m) if m < 3 => finding(
            id,
            Some("powershell_version"),
            Status::Problem,
            t!(
                lang,
                "PowerShell {version} is too old: the connector needs 3.0 or later (5.1 recommended).",
                "PowerShell {version} est trop ancien : le connecteur demande la version 3.0 ou ultérieure (5.1 recommandée)."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new()),
        Some(_) => finding(
            id,
            Some("powershell_version"),
            Status::Ok,
            t!(
                lang,
                "PowerShell {version} meets the connector's minimum (3.0).",
                "PowerShell {version} satisfait le minimum du connecteur (3.0)."
            ),
        )
        .with_evidence(evidence),
    }
}

// ---------------------------------------------------------------- WinRM

fn dword(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// The command that allows Basic for the WinRM client.
const WINRM_SET_BASIC: &str = "winrm set winrm/config/client/auth '@{Basic=\"true\"}'";

fn winrm_service_evidence(f: &Facts) -> String {
    match f.known("service.winrm") {
        Some(v) if service_installed(v) => format!(
            "service WinRM: state {}, start type {}",
            v.get("state").and_then(|x| x.as_str()).unwrap_or("unknown"),
            v.get("start_type")
                .and_then(|x| x.as_str())
                .unwrap_or("unknown")
        ),
        Some(_) => "service WinRM: not installed".to_string(),
        None => format!("service WinRM: {}", f.reason("service.winrm")),
    }
}

/// The step and the fix that allow WinRM client Basic locally. `winrm set`
/// talks to the WinRM service, which must run, and writes HKLM, which needs
/// an elevated prompt; the service is disabled by default on Windows
/// clients, and Start-Service fails on a disabled service, so its start
/// type comes first when it is disabled (or not known).
fn winrm_enable_basic(f: &Facts, lang: &str) -> (String, String) {
    let svc = f.known("service.winrm").filter(|v| service_installed(v));
    let state = svc.and_then(|v| v.get("state")).and_then(|x| x.as_str());
    let start = svc
        .and_then(|v| v.get("start_type"))
        .and_then(|x| x.as_str());
    let prefix = match (state, start) {
        (Some("running"), _) => String::new(),
        (Some(_), Some("disabled")) => {
            "Set-Service -Name WinRM -StartupType Manual; Start-Service -Name WinRM; ".to_string()
        }
        (Some(_), Some(_)) => "Start-Service -Name WinRM; ".to_string(),
        _ => "if ((Get-Service -Name WinRM).StartType -eq 'Disabled') { Set-Service -Name WinRM -StartupType Manual }; Start-Service -Name WinRM; ".to_string(),
    };
    let step = t!(
        lang,
        "Run the fix from an elevated prompt (Run as administrator): winrm set writes the machine's WinRM configuration through the WinRM service, which must be running; that service is disabled by default on Windows clients, so it is allowed to start (Set-Service -StartupType Manual) and started first. Without the service, an elevated prompt can write the value directly: Set-ItemProperty -Path HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client -Name auth_basic -Value 1.",
        "Exécutez la commande depuis une invite élevée (Exécuter en tant qu'administrateur) : winrm set écrit la configuration WinRM de l'ordinateur par le service WinRM, qui doit s'exécuter ; ce service est désactivé par défaut sur les postes clients Windows, il faut donc d'abord autoriser son démarrage (Set-Service -StartupType Manual) et le démarrer. Sans le service, une invite élevée peut écrire la valeur directement : Set-ItemProperty -Path HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client -Name auth_basic -Value 1."
    );
    (step, format!("{}{}", prefix, WINRM_SET_BASIC))
}

fn winrm_basic_auth(f: &Facts, lang: &str) -> Finding {
    let id = "winrm.basic_auth";
    let p = Some("winrm_basic_auth");
    if !platform_is_windows(f) {
        return finding(
            id,
            p,
            Status::NotApplicable,
            t!(
                lang,
                "The WinRM client configuration exists on Windows only.",
                "La configuration du client WinRM n'existe que sous Windows."
            ),
        )
        .with_evidence(vec![format!("os: {}", platform_name(f))]);
    }
    let policy = f.get("winrm.client.allow_basic_policy");
    let local = f.get("winrm.client.auth_basic");
    let (policy, local) = match (policy, local) {
        (Some(pf), Some(lf)) if pf.state == State::Known && lf.state == State::Known => (pf, lf),
        _ => {
            return finding(
                id,
                p,
                Status::Unknown,
                t!(
                    lang,
                    "The WinRM client configuration could not be read.",
                    "La configuration du client WinRM n'a pas pu être lue."
                ),
            )
            .with_evidence(vec![
                f.reason("winrm.client.allow_basic_policy"),
                f.reason("winrm.client.auth_basic"),
            ]);
        }
    };
    let show = |fact: &Fact| match dword(&fact.value) {
        Some(n) => format!("{} = {}", fact.source, n),
        None => format!("{}: not set", fact.source),
    };
    let evidence = vec![show(policy), show(local)];
    if let Some(n) = dword(&policy.value) {
        if n == 0 {
            return finding(
                id,
                p,
                Status::Problem,
                t!(
                    lang,
                    "Group Policy disables WinRM client Basic authentication (AllowBasic = 0); local settings cannot override it.",
                    "Une stratégie de groupe désactive l'authentification de base du client WinRM (AllowBasic = 0) ; la configuration locale ne peut pas la remplacer."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new())
            .with_fix(None);
        }
        return finding(
            id,
            p,
            Status::Ok,
            t!(
                lang,
                "Group Policy allows WinRM client Basic authentication.",
                "Une stratégie de groupe autorise l'authentification de base du client WinRM."
            ),
        )
        .with_evidence(evidence);
    }
    match dword(&local.value) {
        Some(0) => {
            let (step, fix) = winrm_enable_basic(f, lang);
            let mut evidence = evidence;
            evidence.push(winrm_service_evidence(f));
            finding(
                id,
                p,
                Status::Problem,
                t!(
                    lang,
                    "WinRM client Basic authentication is disabled in the local configuration (auth_basic = 0).",
                    "L'authentification de base du client WinRM est désactivée dans la configuration locale (auth_basic = 0)."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, vec![step])
            .with_fix(Some(fix))
        }
        Some(_) => finding(
            id,
            p,
            Status::Ok,
            t!(
                lang,
                "WinRM client Basic authentication is allowed (local configuration).",
                "L'authentification de base du client WinRM est autorisée (configuration locale)."
            ),
        )
        .with_evidence(evidence),
        None => finding(
            id,
            p,
            Status::Ok,
            t!(
                lang,
                "WinRM client Basic authentication is allowed (neither policy nor local setting: the default is allowed).",
                "L'authentification de base du client WinRM est autorisée (ni stratégie ni réglage local : autorisée par défaut)."
            ),
        )
        .with_evidence(evidence),
    }
}

fn wsman_client(f: &Facts, lang: &str) -> Finding {
    let id = "wsman.client";
    if platform_is_windows(f) {
        return finding(
            id,
            None,
            Status::NotApplicable,
            t!(
                lang,
                "Windows has its own WSMan client.",
                "Windows a son propre client WSMan."
            ),
        );
    }
    match f.known("host.wsman_client").and_then(|v| v.as_bool()) {
        Some(true) => finding(
            id,
            None,
            Status::Ok,
            t!(
                lang,
                "A WSMan client library is available for remote sessions.",
                "Une bibliothèque cliente WSMan est disponible pour les sessions distantes."
            ),
        )
        .with_evidence(vec!["wsman_client (host): true".into()]),
        Some(false) => {
            let mut out = finding(
                id,
                None,
                Status::Warning,
                t!(
                    lang,
                    "No WSMan client library was found: PowerShell on {os} cannot open a remote session to the service.",
                    "Aucune bibliothèque cliente WSMan n'a été trouvée : PowerShell sous {os} ne peut pas ouvrir de session distante vers le service.",
                    os = platform_name(f)
                ),
            )
            .with_evidence(vec!["wsman_client (host): false".into()]);
            out.resolution = Some(vec![t!(
                lang,
                "Use the MicrosoftTeams module (Connect-MicrosoftTeams), which needs no WSMan, or run the connector from Windows PowerShell on Windows.",
                "Utilisez le module MicrosoftTeams (Connect-MicrosoftTeams), qui n'a pas besoin de WSMan, ou exécutez le connecteur depuis Windows PowerShell sous Windows."
            )]);
            out.fix = Some("Install-Module -Name MicrosoftTeams -Scope CurrentUser".into());
            out
        }
        None => finding(
            id,
            None,
            Status::Unknown,
            t!(
                lang,
                "Whether a WSMan client library is usable is known only to PowerShell (hand in wsman_client).",
                "Seul PowerShell sait si une bibliothèque cliente WSMan est utilisable (transmettez wsman_client)."
            ),
        ),
    }
}

// ---------------------------------------------------------------- sign-in assistant

fn windows_only(f: &Facts, id: &str, problem: &str, lang: &str, fact: &str) -> Option<Finding> {
    if !platform_is_windows(f) {
        return Some(
            finding(
                id,
                Some(problem),
                Status::NotApplicable,
                t!(
                    lang,
                    "The sign-in assistant exists on Windows only.",
                    "L'Assistant de connexion n'existe que sous Windows."
                ),
            )
            .with_evidence(vec![format!("os: {}", platform_name(f))]),
        );
    }
    match f.get(fact) {
        Some(x) if x.state == State::Known => None,
        _ => Some(
            finding(
                id,
                Some(problem),
                Status::Unknown,
                t!(
                    lang,
                    "The sign-in assistant could not be checked.",
                    "L'Assistant de connexion n'a pas pu être vérifié."
                ),
            )
            .with_evidence(vec![f.reason(fact)]),
        ),
    }
}

fn service_installed(v: &Value) -> bool {
    v.get("installed")
        .and_then(|x| x.as_bool())
        .unwrap_or(false)
}

/// The sign-in assistant version the connector needs: "Microsoft Online
/// Services Sign-In Assistant for IT Professionals RTW" (docs/facts.md#sign-in-assistant; the
/// connector's documentation links this release, Download Center id 28177).
pub const SIGN_IN_ASSISTANT_MIN_VERSION: &str = "7.250.4303.0";

/// The numbers of a dotted version ("7.250.4303.0"), or `None`.
fn version_parts(v: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = v.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// Whether `v` is older than `min` (missing parts are 0); `None` when one
/// is not a version.
pub fn version_older(v: &str, min: &str) -> Option<bool> {
    let (mut a, mut b) = (version_parts(v)?, version_parts(min)?);
    let n = a.len().max(b.len());
    a.resize(n, 0);
    b.resize(n, 0);
    Some(a < b)
}

/// What needs the sign-in assistant here: the retired connector modules
/// found (only they sign in through it; MicrosoftTeams does not), and the
/// error when it names the sign-in assistant. Empty: nothing needs it;
/// `None`: the installed modules are unknown.
fn sign_in_assistant_needed_by(f: &Facts, named_by_error: bool) -> Option<Vec<String>> {
    let mut known = named_by_error;
    let mut out = Vec::new();
    if named_by_error {
        out.push("the error is a Live ID sign-in failure".to_string());
    }
    for (fact, label) in [
        ("host.modules", "Get-Module (host)"),
        ("modules.installed", "module folders"),
    ] {
        if let Some(list) = f.known(fact).and_then(|v| v.as_array()) {
            known = true;
            for m in list {
                let name = m.get("name").and_then(|x| x.as_str()).unwrap_or("");
                if RETIRED_MODULES.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                    let version = m.get("version").and_then(|x| x.as_str()).unwrap_or("");
                    out.push(
                        format!("{}: {} {}", label, name, version)
                            .trim_end()
                            .to_string(),
                    );
                }
            }
        }
    }
    if known {
        Some(out)
    } else {
        None
    }
}

/// The evidence lines of what needs the sign-in assistant, and whether
/// something does (`None`: unknown).
fn need_evidence(needed: &Option<Vec<String>>) -> (Vec<String>, Option<bool>) {
    match needed {
        Some(v) if !v.is_empty() => (
            v.iter().map(|x| format!("needed by: {}", x)).collect(),
            Some(true),
        ),
        Some(_) => (
            vec![
                "needed by: nothing found (no SkypeOnlineConnector or LyncOnlineConnector module)"
                    .to_string(),
            ],
            Some(false),
        ),
        None => (
            vec!["needed by: unknown (installed modules not known)".to_string()],
            None,
        ),
    }
}

/// `sign_in_assistant.installed`. The sign-in assistant matters only to the
/// retired connector's Live ID sign-in: missing, it is a problem when a
/// connector module is installed or the error is a Live ID sign-in failure
/// (`named_by_error`, set by diagnose), not applicable when the modules are
/// known and none is, a warning when they are unknown.
pub(crate) fn sign_in_assistant_installed(
    facts: &[Fact],
    lang: &str,
    named_by_error: bool,
) -> Finding {
    let f = &Facts(facts);
    let id = "sign_in_assistant.installed";
    let problem = "liveid_module_load_failed";
    if let Some(x) = windows_only(f, id, problem, lang, "service.msoidsvc") {
        return x;
    }
    let svc = f.known("service.msoidsvc").cloned().unwrap_or(Value::Null);
    let version_fact = f.get("sign_in_assistant.version");
    let version = f
        .known("sign_in_assistant.version")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let mut evidence = vec![if service_installed(&svc) {
        "service msoidsvc: installed".to_string()
    } else {
        "service msoidsvc: not installed".to_string()
    }];
    evidence.push(match (&version, version_fact) {
        (Some(v), Some(x)) => format!("{} = {}", x.source, v),
        // Unreadable (access denied…) is not absent.
        (None, Some(x)) if x.state == State::Unknown => format!(
            "{}: not read: {}",
            x.source,
            f.reason("sign_in_assistant.version")
        ),
        _ => "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion: absent (64-bit and 32-bit views)"
            .to_string(),
    });
    let unreadable = version.is_none()
        && version_fact
            .map(|x| x.state == State::Unknown)
            .unwrap_or(false);
    let needed = sign_in_assistant_needed_by(f, named_by_error);
    let (need_lines, needs) = need_evidence(&needed);
    evidence.extend(need_lines);
    if !service_installed(&svc) {
        return match needs {
            Some(true) => finding(
                id,
                Some(problem),
                Status::Problem,
                t!(
                    lang,
                    "The Microsoft Online Services Sign-In Assistant is not installed (no msoidsvc service): the connector cannot load its Live ID module.",
                    "L'Assistant de connexion Microsoft Online Services n'est pas installé (pas de service msoidsvc) : le connecteur ne peut pas charger son module Live ID."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new()),
            Some(false) => finding(
                id,
                Some(problem),
                Status::NotApplicable,
                t!(
                    lang,
                    "The sign-in assistant is not installed, and nothing here needs it: only the retired Skype for Business Online connector signs in through it (MicrosoftTeams does not).",
                    "L'Assistant de connexion n'est pas installé, et rien ici n'en a besoin : seul le connecteur Skype Entreprise Online retiré se connecte par lui (MicrosoftTeams non)."
                ),
            )
            .with_evidence(evidence),
            None => finding(
                id,
                Some(problem),
                Status::Warning,
                t!(
                    lang,
                    "The sign-in assistant is not installed (no msoidsvc service). Only the retired connector needs it; whether it is installed here is unknown (hand in host.modules).",
                    "L'Assistant de connexion n'est pas installé (pas de service msoidsvc). Seul le connecteur retiré en a besoin ; on ne sait pas s'il est installé ici (transmettez host.modules)."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new()),
        };
    }
    if unreadable {
        return finding(
            id,
            Some(problem),
            Status::Unknown,
            t!(
                lang,
                "The msoidsvc service exists but the sign-in assistant's registry key could not be read.",
                "Le service msoidsvc existe mais la clé de registre de l'Assistant de connexion n'a pas pu être lue."
            ),
        )
        .with_evidence(evidence);
    }
    let min = SIGN_IN_ASSISTANT_MIN_VERSION;
    let v = match version {
        Some(v) => v,
        None => {
            return finding(
                id,
                Some(problem),
                Status::Warning,
                t!(
                    lang,
                    "The msoidsvc service exists but the sign-in assistant's registry key is missing (64-bit and 32-bit views): the installation may be damaged.",
                    "Le service msoidsvc existe mais la clé de registre de l'Assistant de connexion manque (vues 64 bits et 32 bits) : l'installation est peut-être endommagée."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new())
        }
    };
    let view32 = version_fact
        .map(|x| x.source.contains("32-bit view"))
        .unwrap_or(false);
    let bits = match (view32, lang == "fr") {
        (false, _) => "",
        (true, false) => " (32-bit package)",
        (true, true) => " (paquet 32 bits)",
    };
    match version_older(&v, min) {
        Some(false) => finding(
            id,
            Some(problem),
            Status::Ok,
            t!(
                lang,
                "The sign-in assistant {v}{bits} is installed (the connector needs {min} or later).",
                "L'Assistant de connexion {v}{bits} est installé (le connecteur demande la version {min} ou ultérieure)."
            ),
        )
        .with_evidence(evidence),
        Some(true) => finding(
            id,
            Some(problem),
            if needs == Some(true) {
                Status::Problem
            } else {
                Status::Warning
            },
            t!(
                lang,
                "The sign-in assistant {v}{bits} is older than {min}, the version the connector needs: its Live ID module may fail to load.",
                "L'Assistant de connexion {v}{bits} est antérieur à la version {min} que demande le connecteur : son module Live ID peut ne pas se charger."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new()),
        None => finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "The sign-in assistant's version {v:?} is not a version number (the connector needs {min} or later).",
                "La version {v:?} de l'Assistant de connexion n'est pas un numéro de version (le connecteur demande la version {min} ou ultérieure)."
            ),
        )
        .with_evidence(evidence),
    }
}

/// A service state (as the probe names it) in the output language.
fn state_text(lang: &str, state: &str) -> String {
    let (en, fr) = match state {
        "stopped" => ("stopped", "arrêté"),
        "start_pending" => ("starting", "en cours de démarrage"),
        "stop_pending" => ("stopping", "en cours d'arrêt"),
        "running" => ("running", "en cours d'exécution"),
        "continue_pending" => ("resuming", "en cours de reprise"),
        "pause_pending" => ("pausing", "en cours de suspension"),
        "paused" => ("paused", "suspendu"),
        _ => ("in an unknown state", "dans un état inconnu"),
    };
    if lang == "fr" {
        fr.to_string()
    } else {
        en.to_string()
    }
}

/// `sign_in_assistant.service`: msoidsvc running. Not running is a problem
/// when something needs the sign-in assistant (see
/// [`sign_in_assistant_installed`]), else a warning; starting is a warning.
/// A disabled service cannot be started (Start-Service fails with error
/// 1058) until its start type allows it, so Set-Service comes first.
pub(crate) fn sign_in_assistant_service(
    facts: &[Fact],
    lang: &str,
    named_by_error: bool,
) -> Finding {
    let f = &Facts(facts);
    let id = "sign_in_assistant.service";
    let problem = "liveid_connect_failed";
    if let Some(x) = windows_only(f, id, problem, lang, "service.msoidsvc") {
        return x;
    }
    let svc = f.known("service.msoidsvc").cloned().unwrap_or(Value::Null);
    if !service_installed(&svc) {
        return finding(
            id,
            Some(problem),
            Status::NotApplicable,
            t!(
                lang,
                "The msoidsvc service is not installed (see sign_in_assistant.installed).",
                "Le service msoidsvc n'est pas installé (voir sign_in_assistant.installed)."
            ),
        );
    }
    let state = svc
        .get("state")
        .and_then(|x| x.as_str())
        .unwrap_or("unknown");
    let start = svc
        .get("start_type")
        .and_then(|x| x.as_str())
        .unwrap_or("unknown");
    let mut evidence = vec![format!(
        "service msoidsvc: state {}, start type {}",
        state, start
    )];
    if state == "running" {
        return finding(
            id,
            Some(problem),
            Status::Ok,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is running.",
                "Le service de l'Assistant de connexion (msoidsvc) s'exécute."
            ),
        )
        .with_evidence(evidence);
    }
    if state == "start_pending" {
        return finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is starting: wait a moment, then check that it runs (Get-Service msoidsvc).",
                "Le service de l'Assistant de connexion (msoidsvc) est en cours de démarrage : patientez un instant, puis vérifiez qu'il s'exécute (Get-Service msoidsvc)."
            ),
        )
        .with_evidence(evidence);
    }
    let (need_lines, needs) = need_evidence(&sign_in_assistant_needed_by(f, named_by_error));
    evidence.extend(need_lines);
    let then = if named_by_error {
        t!(lang, ", then try again", ", puis réessayez")
    } else {
        String::new()
    };
    let mut first = Vec::new();
    let mut fix = None;
    if start == "disabled" {
        first.push(t!(
            lang,
            "The service is disabled: run Set-Service -Name msoidsvc -StartupType Automatic first, then Start-Service -Name msoidsvc{then} (while it is disabled, Start-Service fails with error 1058). Both need an elevated prompt.",
            "Le service est désactivé : exécutez d'abord Set-Service -Name msoidsvc -StartupType Automatic, puis Start-Service -Name msoidsvc{then} (tant qu'il est désactivé, Start-Service échoue avec l'erreur 1058). Les deux demandent une invite élevée."
        ));
        fix = Some(
            "Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc"
                .to_string(),
        );
    } else if named_by_error {
        first.push(t!(
            lang,
            "Start the service first: Start-Service -Name msoidsvc, then try again.",
            "Démarrez d'abord le service : Start-Service -Name msoidsvc, puis réessayez."
        ));
    }
    let shown = state_text(lang, state);
    let (status, summary) = if needs == Some(true) {
        (
            Status::Problem,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is {shown}: the connector cannot reach the Live ID servers through it.",
                "Le service de l'Assistant de connexion (msoidsvc) est {shown} : le connecteur ne peut pas joindre les serveurs Live ID par lui."
            ),
        )
    } else {
        (
            Status::Warning,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is {shown}; only the retired connector signs in through it.",
                "Le service de l'Assistant de connexion (msoidsvc) est {shown} ; seul le connecteur retiré se connecte par lui."
            ),
        )
    };
    let out = finding(id, Some(problem), status, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(lang, first);
    match fix {
        Some(x) => out.with_fix(Some(x)),
        None => out,
    }
}

// ---------------------------------------------------------------- network and proxy

/// The proxy the environment variables give `host` (HTTPS, so
/// HTTPS_PROXY, else ALL_PROXY), unless NO_PROXY exempts it.
fn proxy_for_environment(f: &Facts, host: &str) -> Option<String> {
    let env = f.known("proxy.environment")?;
    let bypass: Vec<String> = env
        .get("no_proxy")
        .and_then(|n| n.get("entries"))
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if net::no_proxy_matches(&bypass, host) {
        return None;
    }
    for key in ["https", "all"] {
        if let Some(p) = env
            .get(key)
            .and_then(|p| p.get("proxy"))
            .and_then(|p| p.as_str())
        {
            let var = env[key]["variable"].as_str().unwrap_or(key);
            return Some(format!("{} ({})", p, var));
        }
    }
    None
}

/// The proxy that applies to `host` according to the facts, if any.
fn proxy_for(f: &Facts, host: &str) -> Option<String> {
    if let Some(p) = proxy_for_environment(f, host) {
        return Some(p);
    }
    if let Some(w) = f.known("proxy.winhttp") {
        if let Some(p) = w.get("proxy").and_then(|p| p.as_str()) {
            return Some(format!("{} (WinHTTP)", p));
        }
    }
    None
}

fn network(f: &Facts, fact: &Fact, lang: &str) -> Finding {
    let name = fact.id.trim_start_matches("network.");
    let v = &fact.value;
    let host = v.get("host").and_then(|x| x.as_str()).unwrap_or("?");
    let port = v.get("port").and_then(|x| x.as_u64()).unwrap_or(0);
    let sign_in = SIGN_IN_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host));
    let problem = if sign_in {
        Some("liveid_connect_failed")
    } else {
        None
    };
    if fact.state != State::Known {
        return finding(
            &fact.id,
            problem,
            Status::Unknown,
            t!(
                lang,
                "{host}:{port} could not be checked.",
                "{host}:{port} n'a pas pu être vérifié."
            ),
        )
        .with_evidence(vec![fact.reason.clone().unwrap_or_default()]);
    }
    let dns = v.get("dns").and_then(|x| x.as_str()).unwrap_or("?");
    let tcp = v.get("tcp").and_then(|x| x.as_str()).unwrap_or("?");
    let ms = v.get("elapsed_ms").and_then(|x| x.as_u64()).unwrap_or(0);
    let mut evidence = vec![format!("{} ({}:{})", name, host, port)];
    let addrs: Vec<&str> = v
        .get("addresses")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    evidence.push(
        format!("DNS: {} {}", dns, addrs.join(" "))
            .trim_end()
            .to_string(),
    );
    evidence.push(format!("TCP: {} after {} ms", tcp, ms));
    if let Some(e) = v.get("error").and_then(|x| x.as_str()) {
        evidence.push(format!("error: {}", e));
    }
    if tcp == "reachable" {
        return finding(
            &fact.id,
            problem,
            Status::Ok,
            t!(
                lang,
                "{name}: {host}:{port} is reachable.",
                "{name} : {host}:{port} est joignable."
            ),
        )
        .with_evidence(evidence);
    }
    let what = if dns != "ok" {
        t!(
            lang,
            "the name {host} does not resolve ({dns})",
            "le nom {host} ne se résout pas ({dns})"
        )
    } else {
        match tcp {
            "refused" => t!(
                lang,
                "the connection is refused",
                "la connexion est refusée"
            ),
            "timeout" => t!(
                lang,
                "no answer (timeout: blocked or black-holed)",
                "pas de réponse (délai dépassé : bloqué ou perdu)"
            ),
            _ => t!(
                lang,
                "the network is unreachable",
                "le réseau est injoignable"
            ),
        }
    };
    let proxy = proxy_for(f, host);
    let (status, summary) = match &proxy {
        Some(p) => {
            evidence.push(format!("proxy: {}", p));
            (
                Status::Warning,
                t!(
                    lang,
                    "{name}: {host}:{port} is not reachable directly ({what}); a proxy is configured ({p}), which the connection must use.",
                    "{name} : {host}:{port} n'est pas joignable directement ({what}) ; un proxy est configuré ({p}), que la connexion doit utiliser."
                ),
            )
        }
        None => (
            Status::Problem,
            t!(
                lang,
                "{name}: {host}:{port} is not reachable: {what}.",
                "{name} : {host}:{port} n'est pas joignable : {what}."
            ),
        ),
    };
    let first = vec![t!(
        lang,
        "Check the network path to {host}:{port} (firewall, DNS, proxy): Test-NetConnection {host} -Port {port}.",
        "Vérifiez le chemin réseau vers {host}:{port} (pare-feu, DNS, proxy) : Test-NetConnection {host} -Port {port}."
    )];
    let out = finding(&fact.id, problem, status, summary).with_evidence(evidence);
    if problem.is_some() {
        out.with_catalog_resolution(lang, first)
    } else {
        let mut out = out;
        out.resolution = Some(first);
        out.fix = Some(format!("Test-NetConnection {} -Port {}", host, port));
        out
    }
}

fn proxy_environment(f: &Facts, lang: &str) -> Finding {
    let id = "proxy.environment";
    let fact = match f.get(id) {
        Some(x) => x,
        None => {
            return finding(
                id,
                None,
                Status::Unknown,
                t!(
                    lang,
                    "Proxy variables not read.",
                    "Variables de proxy non lues."
                ),
            )
        }
    };
    if fact.state != State::Known {
        let mut out = finding(
            id,
            None,
            Status::Unknown,
            t!(
                lang,
                "A proxy variable cannot be used: {r}.",
                "Une variable de proxy est inutilisable : {r}.",
                r = fact.reason.clone().unwrap_or_default()
            ),
        )
        .with_evidence(vec![fact.reason.clone().unwrap_or_default()]);
        out.resolution = Some(vec![t!(
            lang,
            "Set it to a proxy address such as http://proxy.example.com:8080, or remove it.",
            "Donnez-lui une adresse de proxy comme http://proxy.example.com:8080, ou supprimez-la."
        )]);
        return out;
    }
    let v = &fact.value;
    let mut evidence = Vec::new();
    for key in ["https", "http", "all"] {
        if let Some(p) = v.get(key).filter(|x| !x.is_null()) {
            evidence.push(format!(
                "{} = {}",
                p["variable"].as_str().unwrap_or(key),
                p["proxy"].as_str().unwrap_or("?")
            ));
        }
    }
    if let Some(n) = v.get("no_proxy").filter(|x| !x.is_null()) {
        let entries: Vec<&str> = n["entries"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        evidence.push(format!(
            "{} = {}",
            n["variable"].as_str().unwrap_or("NO_PROXY"),
            entries.join(",")
        ));
    }
    if evidence.is_empty() {
        return finding(
            id,
            None,
            Status::Ok,
            t!(
                lang,
                "No proxy environment variable is set.",
                "Aucune variable d'environnement de proxy n'est définie."
            ),
        );
    }
    let sign_in = SIGN_IN_HOSTS[0];
    if let Some(n) = v.get("no_proxy").filter(|x| !x.is_null()) {
        let entries: Vec<String> = n["entries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        evidence.push(format!(
            "{} as .NET reads it: an entry matches that host name only, or with a leading dot the domain and its subdomains; no '*' wildcard, no port: {} is {}",
            n["variable"].as_str().unwrap_or("NO_PROXY"),
            sign_in,
            if net::no_proxy_matches(&entries, sign_in) {
                "bypassed"
            } else {
                "not bypassed"
            }
        ));
        let dead: Vec<&str> = entries
            .iter()
            .map(|e| e.as_str())
            .filter(|e| net::no_proxy_never_matches(e))
            .collect();
        if !dead.is_empty() {
            evidence.push(format!(
                "entries that match no host under .NET's rules: {}",
                dead.join(",")
            ));
        }
    }
    // Who reads these variables: .NET's HttpClient.DefaultProxy, that is
    // PowerShell 7 (token requests of the modules that sign in through
    // MSAL, Invoke-WebRequest); not .NET Framework, so not Windows
    // PowerShell 5.1 (Internet Settings), and not WinRM or the sign-in
    // assistant (WinHTTP).
    let windows = platform_is_windows(f);
    let summary = match (proxy_for_environment(f, sign_in), windows) {
        (Some(p), true) => t!(
            lang,
            "PowerShell 7 (.NET's HttpClient.DefaultProxy) sends HTTPS to {sign_in} through {p}. Windows PowerShell 5.1 ignores these variables (.NET Framework uses the Internet Settings proxy), and so do WinRM sessions and the sign-in assistant (WinHTTP).",
            "PowerShell 7 (HttpClient.DefaultProxy de .NET) envoie le HTTPS vers {sign_in} par {p}. Windows PowerShell 5.1 ignore ces variables (.NET Framework suit le proxy des Paramètres Internet), tout comme les sessions WinRM et l'Assistant de connexion (WinHTTP)."
        ),
        (Some(p), false) => t!(
            lang,
            "PowerShell 7 (.NET's HttpClient.DefaultProxy) sends HTTPS to {sign_in} through {p}.",
            "PowerShell 7 (HttpClient.DefaultProxy de .NET) envoie le HTTPS vers {sign_in} par {p}."
        ),
        (None, true) => t!(
            lang,
            "Proxy variables are set but {sign_in} bypasses them (they apply to PowerShell 7 only; Windows PowerShell 5.1, WinRM and the sign-in assistant ignore them).",
            "Des variables de proxy sont définies mais {sign_in} les contourne (elles ne valent que pour PowerShell 7 ; Windows PowerShell 5.1, WinRM et l'Assistant de connexion les ignorent)."
        ),
        (None, false) => t!(
            lang,
            "Proxy variables are set but {sign_in} bypasses them.",
            "Des variables de proxy sont définies mais {sign_in} les contourne."
        ),
    };
    finding(id, None, Status::Ok, summary).with_evidence(evidence)
}

fn proxy_windows(f: &Facts, lang: &str) -> Finding {
    let id = "proxy.windows";
    let problem = Some("liveid_connect_failed");
    if !platform_is_windows(f) {
        return finding(
            id,
            problem,
            Status::NotApplicable,
            t!(
                lang,
                "WinHTTP and Internet Explorer proxy settings exist on Windows only.",
                "Les réglages de proxy WinHTTP et Internet Explorer n'existent que sous Windows."
            ),
        );
    }
    let (winhttp, ie) = match (f.known("proxy.winhttp"), f.known("proxy.ie")) {
        (Some(w), Some(i)) => (w, i),
        _ => {
            return finding(
                id,
                problem,
                Status::Unknown,
                t!(
                    lang,
                    "The Windows proxy settings could not be read.",
                    "Les réglages de proxy de Windows n'ont pas pu être lus."
                ),
            )
            .with_evidence(vec![f.reason("proxy.winhttp"), f.reason("proxy.ie")])
        }
    };
    let wproxy = winhttp.get("proxy").and_then(|x| x.as_str());
    let ie_enabled = ie.get("enabled").and_then(|x| x.as_bool()).unwrap_or(false);
    let ie_server = ie.get("server").and_then(|x| x.as_str());
    let ie_pac = ie.get("auto_config_url").and_then(|x| x.as_str());
    let mut evidence = vec![match wproxy {
        Some(p) => format!("WinHTTP: proxy {}", p),
        None => "WinHTTP: direct".to_string(),
    }];
    evidence.push(match (ie_enabled, ie_server, ie_pac) {
        (true, Some(s), _) => format!("Internet Settings (user): proxy {}", s),
        (_, _, Some(pac)) => format!("Internet Settings (user): configuration script {}", pac),
        _ => "Internet Settings (user): direct".to_string(),
    });
    let ie_manual = ie_enabled && ie_server.is_some();
    let ie_uses_proxy = ie_manual || ie_pac.is_some();
    if wproxy.is_none() && ie_uses_proxy {
        // `netsh winhttp import proxy source=ie` copies the manual proxy
        // only: with just a configuration script it imports nothing. Either
        // way it sets the machine-wide WinHTTP proxy, from an elevated
        // prompt.
        let (step, fix) = if ie_manual {
            (
                t!(
                    lang,
                    "Give WinHTTP the user's proxy from an elevated prompt: netsh winhttp import proxy source=ie copies the manual proxy and its bypass list{script}. It sets the proxy of the whole machine (every program and service that uses WinHTTP); netsh winhttp reset proxy undoes it. For WinRM sessions only, New-PSSessionOption -ProxyAccessType IEConfig is an alternative.",
                    "Donnez à WinHTTP le proxy de l'utilisateur depuis une invite élevée : netsh winhttp import proxy source=ie copie le proxy manuel et sa liste d'exclusions{script}. Le réglage vaut pour tout l'ordinateur (tout programme ou service qui utilise WinHTTP) ; netsh winhttp reset proxy l'annule. Pour les seules sessions WinRM, New-PSSessionOption -ProxyAccessType IEConfig est une autre possibilité.",
                    script = match (ie_pac.is_some(), lang == "fr") {
                        (false, _) => "",
                        (true, false) => " (not the configuration script, which it ignores)",
                        (true, true) => " (pas le script de configuration, qu'il ignore)",
                    }
                ),
                "netsh winhttp import proxy source=ie".to_string(),
            )
        } else {
            (
                t!(
                    lang,
                    "The user's settings use only a configuration script, and netsh winhttp import proxy source=ie imports nothing from a script. From an elevated prompt, set the proxy the script chooses for the sign-in servers with netsh winhttp set proxy: the fix asks .NET which proxy the script gives https://{h}/ and sets it. It sets the proxy of the whole machine (every program and service that uses WinHTTP); netsh winhttp reset proxy undoes it.",
                    "Les réglages de l'utilisateur n'utilisent qu'un script de configuration, et netsh winhttp import proxy source=ie n'importe rien d'un script. Depuis une invite élevée, définissez avec netsh winhttp set proxy le proxy que le script choisit pour les serveurs de connexion : la commande proposée demande à .NET le proxy que le script donne pour https://{h}/ et le définit. Le réglage vaut pour tout l'ordinateur (tout programme ou service qui utilise WinHTTP) ; netsh winhttp reset proxy l'annule.",
                    h = SIGN_IN_HOSTS[0]
                ),
                format!(
                    "$p = [System.Net.WebRequest]::GetSystemWebProxy().GetProxy([uri]'https://{h}/'); if ($p.Host -ne '{h}') {{ netsh winhttp set proxy proxy-server=\"$($p.Authority)\" bypass-list=\"<local>\" }} else {{ 'The configuration script sends {h} direct: WinHTTP needs no proxy for it.' }}",
                    h = SIGN_IN_HOSTS[0]
                ),
            )
        };
        let mut out = finding(
            id,
            problem,
            Status::Warning,
            t!(
                lang,
                "The user's browser settings use a proxy but WinHTTP (used by the sign-in assistant and WinRM) goes direct: if direct connections are blocked, sign-in fails.",
                "Les réglages du navigateur de l'utilisateur passent par un proxy mais WinHTTP (utilisé par l'Assistant de connexion et WinRM) se connecte en direct : si les connexions directes sont bloquées, la connexion échoue."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, vec![step]);
        out.fix = Some(fix);
        return out;
    }
    finding(
        id,
        problem,
        Status::Ok,
        t!(
            lang,
            "WinHTTP and the user's proxy settings agree.",
            "WinHTTP et les réglages de proxy de l'utilisateur concordent."
        ),
    )
    .with_evidence(evidence)
}

// ---------------------------------------------------------------- sessions

/// A session to the service, as handed in by PowerShell.
struct Session<'a> {
    name: &'a str,
    computer: &'a str,
    state: &'a str,
    age: Option<f64>,
}

/// Whether a computer name is the service's remote PowerShell endpoint.
pub fn is_service_computer(name: &str) -> bool {
    let n = name.trim().trim_end_matches('.').to_ascii_lowercase();
    n.ends_with(".online.lync.com") || n == "api.interfaces.records.teams.microsoft.com"
}

fn service_sessions<'a>(f: &Facts<'a>) -> Option<Vec<Session<'a>>> {
    let list = f.known("host.sessions")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|s| {
                let computer = s.get("computer_name").and_then(|x| x.as_str())?;
                if !is_service_computer(computer) {
                    return None;
                }
                Some(Session {
                    name: s.get("name").and_then(|x| x.as_str()).unwrap_or("?"),
                    computer,
                    state: s.get("state").and_then(|x| x.as_str()).unwrap_or("?"),
                    age: s.get("age_minutes").and_then(|x| x.as_f64()),
                })
            })
            .collect(),
    )
}

fn describe(s: &Session) -> String {
    match s.age {
        Some(a) => format!("{} -> {} ({}, {:.0} min)", s.name, s.computer, s.state, a),
        None => format!("{} -> {} ({})", s.name, s.computer, s.state),
    }
}

fn sessions_unknown(id: &str, problem: &str, lang: &str) -> Finding {
    finding(
        id,
        Some(problem),
        Status::Unknown,
        t!(
            lang,
            "Open sessions are known only to PowerShell (hand in host.sessions).",
            "Seul PowerShell connaît les sessions ouvertes (transmettez host.sessions)."
        ),
    )
}

/// Number of open sessions to the service handed in (for diagnose).
pub fn open_service_sessions(facts: &[Fact]) -> usize {
    service_sessions(&Facts(facts))
        .map(|s| {
            s.iter()
                .filter(|x| x.state.eq_ignore_ascii_case("opened"))
                .count()
        })
        .unwrap_or(0)
}

fn sessions_count(f: &Facts, lang: &str) -> Finding {
    let id = "sessions.count";
    let problem = "shells_per_user";
    let sessions = match service_sessions(f) {
        Some(s) => s,
        None => return sessions_unknown(id, problem, lang),
    };
    let open: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.state.eq_ignore_ascii_case("opened"))
        .collect();
    let n = open.len();
    let evidence: Vec<String> = open.iter().map(|s| describe(s)).collect();
    if n >= SHELLS_PER_USER {
        return finding(
            id,
            Some(problem),
            Status::Problem,
            t!(
                lang,
                "{n} sessions to the service are open here: the limit is {SHELLS_PER_USER} per user, so a new one will be refused.",
                "{n} sessions vers le service sont ouvertes ici : la limite est de {SHELLS_PER_USER} par utilisateur, une nouvelle sera donc refusée."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new());
    }
    finding(
        id,
        Some(problem),
        Status::Ok,
        t!(
            lang,
            "{n} session(s) to the service open here (limit {SHELLS_PER_USER} per user; sessions in other windows also count).",
            "{n} session(s) vers le service ouverte(s) ici (limite de {SHELLS_PER_USER} par utilisateur ; les sessions d'autres fenêtres comptent aussi)."
        ),
    )
    .with_evidence(evidence)
}

fn sessions_age(f: &Facts, lang: &str) -> Finding {
    let id = "sessions.age";
    let problem = "session_expired";
    let sessions = match service_sessions(f) {
        Some(s) => s,
        None => return sessions_unknown(id, problem, lang),
    };
    if sessions.is_empty() {
        return finding(
            id,
            Some(problem),
            Status::NotApplicable,
            t!(
                lang,
                "No session to the service is open here.",
                "Aucune session vers le service n'est ouverte ici."
            ),
        );
    }
    let expired: Vec<&Session> = sessions
        .iter()
        .filter(|s| {
            s.age.map(|a| a >= SESSION_MINUTES).unwrap_or(false)
                || s.state.eq_ignore_ascii_case("broken")
        })
        .collect();
    if !expired.is_empty() {
        return finding(
            id,
            Some(problem),
            Status::Problem,
            t!(
                lang,
                "{n} session(s) have reached the {m}-minute limit or are broken: they no longer work.",
                "{n} session(s) ont atteint la limite de {m} minutes ou sont rompues : elles ne fonctionnent plus.",
                n = expired.len(),
                m = SESSION_MINUTES
            ),
        )
        .with_evidence(expired.iter().map(|s| describe(s)).collect())
        .with_catalog_resolution(lang, Vec::new());
    }
    let near: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.age.map(|a| a >= SESSION_WARN_MINUTES).unwrap_or(false))
        .collect();
    if !near.is_empty() {
        return finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "{n} session(s) will reach the {m}-minute limit soon.",
                "{n} session(s) atteindront bientôt la limite de {m} minutes.",
                n = near.len(),
                m = SESSION_MINUTES
            ),
        )
        .with_evidence(near.iter().map(|s| describe(s)).collect())
        .with_catalog_resolution(lang, Vec::new());
    }
    if sessions.iter().all(|s| s.age.is_none()) {
        return finding(
            id,
            Some(problem),
            Status::Unknown,
            t!(
                lang,
                "The age of the open sessions is unknown.",
                "L'âge des sessions ouvertes est inconnu."
            ),
        )
        .with_evidence(sessions.iter().map(describe).collect());
    }
    finding(
        id,
        Some(problem),
        Status::Ok,
        t!(
            lang,
            "Every open session is younger than {m} minutes.",
            "Toutes les sessions ouvertes ont moins de {m} minutes.",
            m = SESSION_MINUTES
        ),
    )
    .with_evidence(sessions.iter().map(describe).collect())
}

// ---------------------------------------------------------------- connector

/// The retired connector modules (docs/facts.md#connector-retirement).
pub const RETIRED_MODULES: &[&str] = &["SkypeOnlineConnector", "LyncOnlineConnector"];

fn connector_installed(f: &Facts, lang: &str) -> Finding {
    let id = "connector.installed";
    let problem = Some("connector_retired");
    let mut modules: Vec<(String, &Value)> = Vec::new();
    let mut any_known = false;
    if let Some(list) = f.known("host.modules").and_then(|v| v.as_array()) {
        any_known = true;
        modules.extend(list.iter().map(|m| ("Get-Module (host)".to_string(), m)));
    }
    if let Some(list) = f.known("modules.installed").and_then(|v| v.as_array()) {
        any_known = true;
        modules.extend(list.iter().map(|m| ("module folders".to_string(), m)));
    }
    if !any_known {
        return finding(
            id,
            problem,
            Status::Unknown,
            t!(
                lang,
                "The installed modules are unknown (hand in host.modules).",
                "Les modules installés sont inconnus (transmettez host.modules)."
            ),
        )
        .with_evidence(vec![f.reason("modules.installed")]);
    }
    let describe = |src: &str, m: &Value| {
        let name = m.get("name").and_then(|x| x.as_str()).unwrap_or("?");
        let mut s = name.to_string();
        if let Some(v) = m.get("version").and_then(|x| x.as_str()) {
            s.push_str(&format!(" {}", v));
        }
        if m.get("loaded").and_then(|x| x.as_bool()) == Some(true) {
            s.push_str(" (loaded)");
        }
        if let Some(p) = m.get("path").and_then(|x| x.as_str()) {
            s.push_str(&format!(" at {}", p));
        }
        format!("{}: {}", src, s)
    };
    let is = |m: &Value, names: &[&str]| {
        m.get("name")
            .and_then(|x| x.as_str())
            .map(|n| names.iter().any(|r| r.eq_ignore_ascii_case(n)))
            .unwrap_or(false)
    };
    let retired: Vec<String> = modules
        .iter()
        .filter(|(_, m)| is(m, RETIRED_MODULES))
        .map(|(s, m)| describe(s, m))
        .collect();
    let teams: Vec<String> = modules
        .iter()
        .filter(|(_, m)| is(m, &["MicrosoftTeams"]))
        .map(|(s, m)| describe(s, m))
        .collect();
    if retired.is_empty() {
        return finding(
            id,
            problem,
            Status::Ok,
            t!(
                lang,
                "No retired connector module is installed.",
                "Aucun module de connecteur retiré n'est installé."
            ),
        )
        .with_evidence(teams);
    }
    let mut evidence = retired;
    evidence.extend(teams);
    finding(
        id,
        problem,
        Status::Problem,
        t!(
            lang,
            "A retired Skype for Business Online connector module is present: the service rejects its connections since 17 May 2021.",
            "Un module de connecteur Skype Entreprise Online retiré est présent : le service refuse ses connexions depuis le 17 mai 2021."
        ),
    )
    .with_evidence(evidence)
    .with_catalog_resolution(lang, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_order_and_fallback() {
        let m = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            effective_policy(
                &m(json!({"LocalMachine":"Restricted","CurrentUser":"RemoteSigned"})),
                "Restricted"
            ),
            ("RemoteSigned", Some("CurrentUser"))
        );
        assert_eq!(
            effective_policy(
                &m(json!({"MachinePolicy":"AllSigned","CurrentUser":"Bypass"})),
                "Restricted"
            ),
            ("AllSigned", Some("MachinePolicy"))
        );
        assert_eq!(
            effective_policy(&m(json!({"Process":"Undefined"})), "Restricted"),
            ("Restricted", None)
        );
        assert_eq!(canonical_policy("garbage"), "Restricted");
        assert_eq!(canonical_policy("default"), "Restricted");
        assert!(policy_allows_connector("bypass"));
        assert!(!policy_allows_connector("AllSigned"));
    }

    #[test]
    fn version_majors() {
        assert_eq!(version_major("5.1.19041.4648"), Some(5));
        assert_eq!(version_major("2.0"), Some(2));
        assert_eq!(version_major("7.4.0-preview.1"), Some(7));
        assert_eq!(version_major("x"), None);
    }

    /// The facts a Windows probe would give, handed to the rules here: the
    /// same facts give the same findings on every OS.
    fn windows_facts(extra: Vec<Fact>) -> Vec<Fact> {
        let mut f = vec![
            Fact::known("os", json!("windows"), "test"),
            Fact::known(
                "windows_powershell.execution_policy",
                json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"RemoteSigned","installation_type":"Client"}),
                "test",
            ),
            Fact::known(
                "powershell7.execution_policy",
                json!({"installed": false}),
                "test",
            ),
            Fact::known(
                "windows_powershell.engine_version",
                json!("5.1.19041.1"),
                "test",
            ),
            Fact::known("winrm.client.allow_basic_policy", Value::Null, "test"),
            Fact::known("winrm.client.auth_basic", Value::Null, "test"),
            Fact::known("sign_in_assistant.version", json!("7.250.4303.0"), "test"),
            Fact::known(
                "service.msoidsvc",
                json!({"installed": true, "state": "running", "start_type": "auto"}),
                "test",
            ),
            Fact::known(
                "proxy.winhttp",
                json!({"access": "direct", "proxy": null}),
                "test",
            ),
            Fact::known("proxy.ie", json!({"enabled": false}), "test"),
            Fact::known("modules.installed", json!([]), "test"),
        ];
        for e in extra {
            f.retain(|x| x.id != e.id);
            f.push(e);
        }
        f
    }

    fn status_of(findings: &[Finding], id: &str) -> Status {
        findings.iter().find(|f| f.id == id).unwrap().status
    }

    #[test]
    fn windows_facts_give_windows_findings_anywhere() {
        let f = evaluate(&windows_facts(vec![]), "en");
        for id in [
            "execution_policy.windows_powershell",
            "powershell.version",
            "winrm.basic_auth",
            "sign_in_assistant.installed",
            "sign_in_assistant.service",
            "proxy.windows",
            "connector.installed",
        ] {
            assert_eq!(status_of(&f, id), Status::Ok, "{}", id);
        }
        assert_eq!(
            status_of(&f, "execution_policy.powershell7"),
            Status::NotApplicable
        );
        assert_eq!(status_of(&f, "wsman.client"), Status::NotApplicable);

        let f = evaluate(
            &windows_facts(vec![
                Fact::known("winrm.client.allow_basic_policy", json!(0), "test"),
                Fact::known("winrm.client.auth_basic", json!(1), "test"),
                Fact::known(
                    "service.msoidsvc",
                    json!({"installed": true, "state": "stopped", "start_type": "manual"}),
                    "test",
                ),
                Fact::known(
                    "proxy.ie",
                    json!({"enabled": true, "server": "proxy:8080"}),
                    "test",
                ),
                Fact::known(
                    "modules.installed",
                    json!([{"name": "LyncOnlineConnector", "version": "6.0.0.0"}]),
                    "test",
                ),
            ]),
            "fr",
        );
        assert_eq!(status_of(&f, "winrm.basic_auth"), Status::Problem);
        assert_eq!(status_of(&f, "sign_in_assistant.service"), Status::Problem);
        assert_eq!(status_of(&f, "proxy.windows"), Status::Warning);
        assert_eq!(status_of(&f, "connector.installed"), Status::Problem);
        let svc = f
            .iter()
            .find(|x| x.id == "sign_in_assistant.service")
            .unwrap();
        assert!(svc.summary.contains("arrêté"), "{}", svc.summary);
    }

    #[test]
    fn liveid_error_puts_the_stopped_service_first() {
        let facts = windows_facts(vec![
            Fact::known(
                "service.msoidsvc",
                json!({"installed": true, "state": "stopped", "start_type": "manual"}),
                "test",
            ),
            Fact::known(
                "network.sign-in",
                json!({"host": "login.microsoftonline.com", "port": 443, "dns": "ok", "addresses": ["192.0.2.1"], "tcp": "timeout", "elapsed_ms": 3000}),
                "test",
            ),
        ]);
        let f = evaluate(&facts, "en");
        let f = crate::diagnose::order_findings(
            f,
            &["liveid_connect_failed".to_string()],
            &facts,
            "en",
        );
        assert_eq!(f[0].id, "sign_in_assistant.service");
        assert!(f[0].resolution.as_ref().unwrap()[0].starts_with("Start the service first"));
        assert_eq!(f[0].explains, vec!["liveid_connect_failed".to_string()]);
        assert_eq!(f[1].id, "network.sign-in");
        assert_eq!(f[1].status, Status::Problem);
    }

    #[test]
    fn a_proxy_turns_an_unreachable_endpoint_into_a_warning() {
        let facts = vec![
            Fact::known("os", json!("linux"), "test"),
            Fact::known(
                "proxy.environment",
                json!({"https": {"variable": "https_proxy", "proxy": "http://proxy:3128", "host": "proxy", "port": 3128}, "http": null, "all": null, "no_proxy": null}),
                "test",
            ),
            Fact::known(
                "network.sign-in",
                json!({"host": "login.microsoftonline.com", "port": 443, "dns": "failed", "addresses": [], "tcp": "not_tried", "elapsed_ms": 5}),
                "test",
            ),
        ];
        let f = evaluate(&facts, "en");
        assert_eq!(status_of(&f, "network.sign-in"), Status::Warning);
        let p = f.iter().find(|x| x.id == "proxy.environment").unwrap();
        assert!(p.summary.contains("http://proxy:3128"), "{}", p.summary);
    }

    #[test]
    fn service_computers() {
        assert!(is_service_computer("admin1a.online.lync.com"));
        assert!(is_service_computer(
            "API.interfaces.records.teams.microsoft.com"
        ));
        assert!(!is_service_computer("online.lync.com.evil"));
    }

    // ------------------------------------------------ advice (issue 16)
    //
    // Each test gives the rules the facts of one machine state, by hand,
    // and checks the finding and the fix an expert would give; the sources
    // are in docs/facts/advice.md.

    fn get<'a>(findings: &'a [Finding], id: &str) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("no finding {}", id))
    }

    fn winps_policy(scopes: Value) -> Fact {
        Fact::known("windows_powershell.execution_policy", scopes, "test")
    }

    fn with_error(facts: &[Fact], matches: &[&str], lang: &str) -> Vec<Finding> {
        let ids: Vec<String> = matches.iter().map(|m| m.to_string()).collect();
        crate::diagnose::order_findings(evaluate(facts, lang), &ids, facts, lang)
    }

    #[test]
    fn every_scope_undefined_is_restricted_on_servers_too() {
        // Windows Server with no policy value anywhere: PowerShell falls
        // back to Restricted (the old rule said RemoteSigned for "Server").
        for kind in ["Server", "Server Core", "Client"] {
            let facts = windows_facts(vec![winps_policy(
                json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"Undefined","installation_type":kind}),
            )]);
            let f = evaluate(&facts, "en");
            let x = get(&f, "execution_policy.windows_powershell");
            assert_eq!(x.status, Status::Problem, "{}: {:?}", kind, x);
            assert!(
                x.evidence
                    .iter()
                    .any(|e| e.contains("Restricted (every scope Undefined")),
                "{:?}",
                x.evidence
            );
        }
    }

    #[test]
    fn powershell7_policy_from_the_config_file_is_not_fixed_by_set_executionpolicy() {
        // $PSHOME\powershell.config.json PowerShellPolicies.ScriptExecution
        // is the MachinePolicy scope: Set-ExecutionPolicy cannot beat it.
        let place = r"C:\Program Files\PowerShell\7\powershell.config.json";
        let facts = windows_facts(vec![Fact::known(
            "powershell7.execution_policy",
            json!({"installed": true, "pshome": r"C:\Program Files\PowerShell\7",
                   "MachinePolicy":"AllSigned","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"RemoteSigned",
                   "origin": {"MachinePolicy": {"kind": "config_file", "place": place}}}),
            "test",
        )]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "execution_policy.powershell7");
            assert_eq!(x.status, Status::Problem, "{:?}", x);
            assert_eq!(x.fix, None, "{:?}", x);
            let first = &x.resolution.as_ref().unwrap()[0];
            assert!(
                first.contains("PowerShellPolicies.ScriptExecution") && first.contains(place),
                "{}",
                first
            );
            assert!(
                x.evidence.iter().any(|e| e.contains("scope MachinePolicy")),
                "{:?}",
                x.evidence
            );
        }
    }

    #[test]
    fn a_process_scope_gets_a_process_fix() {
        // Set-ExecutionPolicy -Scope CurrentUser would write its value and
        // then throw ExecutionPolicyOverride: Process still decides.
        let facts = windows_facts(vec![winps_policy(
            json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Restricted","CurrentUser":"Undefined","LocalMachine":"RemoteSigned"}),
        )]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "execution_policy.windows_powershell");
            assert_eq!(x.status, Status::Problem);
            assert_eq!(
                x.fix.as_deref(),
                Some("Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process")
            );
        }
    }

    #[test]
    fn each_edition_is_fixed_in_its_own_shell() {
        // From pwsh, Set-ExecutionPolicy writes PowerShell 7's config file,
        // not Windows PowerShell's registry (and the other way round).
        let facts = windows_facts(vec![
            winps_policy(
                json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"Restricted"}),
            ),
            Fact::known(
                "powershell7.execution_policy",
                json!({"installed": true, "MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"AllSigned","origin":{}}),
                "test",
            ),
        ]);
        let f = evaluate(&facts, "en");
        let w = get(&f, "execution_policy.windows_powershell");
        assert!(
            w.fix.as_deref().unwrap().starts_with("powershell.exe -NoProfile -Command \"Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser"),
            "{:?}",
            w.fix
        );
        assert!(w.resolution.as_ref().unwrap()[0].contains("powershell.exe"));
        let p = get(&f, "execution_policy.powershell7");
        assert!(
            p.fix.as_deref().unwrap().starts_with("pwsh -NoProfile -Command \"Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser"),
            "{:?}",
            p.fix
        );
        let fr = evaluate(&facts, "fr");
        assert!(get(&fr, "execution_policy.powershell7")
            .resolution
            .as_ref()
            .unwrap()[0]
            .starts_with("Définissez-la dans PowerShell 7"));
        // After an error from pwsh, PowerShell 7's finding (and fix) leads.
        let mut core = facts.clone();
        core.push(Fact::known("host.edition", json!("Core"), "test"));
        let f = with_error(&core, &["execution_policy"], "en");
        assert_eq!(f[0].id, "execution_policy.powershell7");
        let f = with_error(&facts, &["execution_policy"], "en");
        assert_eq!(f[0].id, "execution_policy.windows_powershell");
    }

    #[test]
    fn a_disabled_sign_in_service_is_allowed_to_start_before_it_is_started() {
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "stopped", "start_type": "disabled"}),
            "test",
        )]);
        for lang in ["en", "fr"] {
            let f = with_error(&facts, &["liveid_connect_failed"], lang);
            let x = &f[0];
            assert_eq!(x.id, "sign_in_assistant.service");
            assert_eq!(x.status, Status::Problem);
            let steps = x.resolution.as_ref().unwrap();
            let first = &steps[0];
            // Set-Service comes before any Start-Service, in the first step…
            let set = first.find("Set-Service").expect("no Set-Service first");
            assert!(
                first.find("Start-Service").map(|s| s > set).unwrap_or(true),
                "{}",
                first
            );
            assert!(!steps
                .iter()
                .any(|s| s.starts_with("Start the service first")
                    || s.starts_with("Démarrez d'abord")));
            // …and in the fix.
            assert!(
                x.fix
                    .as_deref()
                    .unwrap()
                    .starts_with("Set-Service -Name msoidsvc -StartupType"),
                "{:?}",
                x.fix
            );
        }
        // Stopped but allowed to start: Start-Service first.
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "stopped", "start_type": "manual"}),
            "test",
        )]);
        let f = with_error(&facts, &["liveid_connect_failed"], "fr");
        assert!(f[0].resolution.as_ref().unwrap()[0].starts_with("Démarrez d'abord le service"));
    }

    #[test]
    fn a_starting_sign_in_service_is_a_warning() {
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "start_pending", "start_type": "auto"}),
            "test",
        )]);
        let f = evaluate(&facts, "en");
        assert_eq!(get(&f, "sign_in_assistant.service").status, Status::Warning);
    }

    #[test]
    fn the_sign_in_assistant_matters_only_to_the_connector() {
        let missing = Fact::known("service.msoidsvc", json!({"installed": false}), "test");
        let none = Fact::known("sign_in_assistant.version", Value::Null, "test");
        // No connector installed: not needed, so not a problem (-Quiet).
        let facts = windows_facts(vec![missing.clone(), none.clone()]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "sign_in_assistant.installed");
            assert_eq!(x.status, Status::NotApplicable, "{:?}", x);
            assert!(!f
                .iter()
                .any(|x| x.status == Status::Problem && x.id.starts_with("sign_in_assistant")));
        }
        // The retired connector is installed: it needs it.
        let facts = windows_facts(vec![
            missing.clone(),
            none.clone(),
            Fact::known(
                "modules.installed",
                json!([{"name": "SkypeOnlineConnector", "version": "7.0.0.0"}]),
                "test",
            ),
        ]);
        let x = evaluate(&facts, "en");
        let x = get(&x, "sign_in_assistant.installed");
        assert_eq!(x.status, Status::Problem);
        assert!(x
            .evidence
            .iter()
            .any(|e| e.contains("SkypeOnlineConnector")));
        // The modules are unknown: a warning.
        let mut facts = windows_facts(vec![missing.clone(), none.clone()]);
        facts.retain(|x| x.id != "modules.installed");
        let x = evaluate(&facts, "en");
        assert_eq!(
            get(&x, "sign_in_assistant.installed").status,
            Status::Warning
        );
        // An error that names it: a problem, whatever is installed.
        let facts = windows_facts(vec![missing, none]);
        let f = with_error(&facts, &["liveid_module_load_failed"], "en");
        assert_eq!(f[0].id, "sign_in_assistant.installed");
        assert_eq!(f[0].status, Status::Problem);
        // A stopped service without a connector: a warning, not a problem.
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "stopped", "start_type": "manual"}),
            "test",
        )]);
        let f = evaluate(&facts, "en");
        assert_eq!(get(&f, "sign_in_assistant.service").status, Status::Warning);
    }

    #[test]
    fn the_sign_in_assistant_version_is_compared_with_the_minimum() {
        let connector = Fact::known(
            "modules.installed",
            json!([{"name": "LyncOnlineConnector", "version": "6.0.0.0"}]),
            "test",
        );
        let old = Fact::known("sign_in_assistant.version", json!("7.0.1734.0"), "test");
        let f = evaluate(&windows_facts(vec![old, connector.clone()]), "en");
        let x = get(&f, "sign_in_assistant.installed");
        assert_eq!(x.status, Status::Problem, "{:?}", x);
        assert!(
            x.summary.contains("older than 7.250.4303.0"),
            "{}",
            x.summary
        );
        let newer = Fact::known("sign_in_assistant.version", json!("7.250.4551.0"), "test");
        let f = evaluate(&windows_facts(vec![newer, connector.clone()]), "en");
        assert_eq!(get(&f, "sign_in_assistant.installed").status, Status::Ok);
        assert_eq!(version_older("7.250.4303", "7.250.4303.0"), Some(false));
        assert_eq!(version_older("7.250.4303.0", "7.250.4303.1"), Some(true));
        assert_eq!(version_older("x", "7"), None);
        // Registered in the 32-bit view only: installed, not damaged.
        let v32 = Fact::known(
            "sign_in_assistant.version",
            json!("7.250.4303.0"),
            r"HKLM\SOFTWARE\Microsoft\MSOIdentityCRL MSOIDCRLVersion (32-bit view: HKLM\SOFTWARE\WOW6432Node\Microsoft\MSOIdentityCRL)",
        );
        let f = evaluate(&windows_facts(vec![v32, connector]), "en");
        let x = get(&f, "sign_in_assistant.installed");
        assert_eq!(x.status, Status::Ok, "{:?}", x);
        assert!(x.summary.contains("32-bit"), "{}", x.summary);
    }

    #[test]
    fn winrm_basic_is_fixed_from_an_elevated_prompt_with_the_service_running() {
        let off = Fact::known("winrm.client.auth_basic", json!(0), "test");
        let svc = |state: &str, start: &str| {
            Fact::known(
                "service.winrm",
                json!({"installed": true, "state": state, "start_type": start}),
                "test",
            )
        };
        let fix_for = |extra: Vec<Fact>| {
            let mut v = vec![off.clone()];
            v.extend(extra);
            let f = evaluate(&windows_facts(v), "en");
            let x = get(&f, "winrm.basic_auth").clone();
            assert_eq!(x.status, Status::Problem);
            assert!(
                x.resolution.as_ref().unwrap()[0].contains("elevated prompt"),
                "{:?}",
                x.resolution
            );
            x.fix.unwrap()
        };
        let set = "winrm set winrm/config/client/auth '@{Basic=\"true\"}'";
        // Disabled (the client default): allowed to start, started, then set.
        assert_eq!(
            fix_for(vec![svc("stopped", "disabled")]),
            format!(
                "Set-Service -Name WinRM -StartupType Manual; Start-Service -Name WinRM; {}",
                set
            )
        );
        assert_eq!(
            fix_for(vec![svc("stopped", "manual")]),
            format!("Start-Service -Name WinRM; {}", set)
        );
        assert_eq!(fix_for(vec![svc("running", "auto")]), set);
        // Service not known: the fix checks the start type itself.
        let fix = fix_for(vec![]);
        assert!(fix.starts_with("if ((Get-Service -Name WinRM).StartType -eq 'Disabled')"));
        assert!(fix.ends_with(set));
    }

    #[test]
    fn proxy_variables_say_which_powershell_they_affect() {
        let env = Fact::known(
            "proxy.environment",
            json!({"https": {"variable": "HTTPS_PROXY", "proxy": "http://proxy:3128", "host": "proxy", "port": 3128}, "http": null, "all": null, "no_proxy": null}),
            "test",
        );
        let f = evaluate(&windows_facts(vec![env.clone()]), "en");
        let x = get(&f, "proxy.environment");
        assert!(x.summary.starts_with("PowerShell 7"), "{}", x.summary);
        assert!(
            x.summary
                .contains("Windows PowerShell 5.1 ignores these variables"),
            "{}",
            x.summary
        );
        let f = evaluate(&windows_facts(vec![env]), "fr");
        assert!(get(&f, "proxy.environment")
            .summary
            .contains("Windows PowerShell 5.1 ignore ces variables"));
    }

    #[test]
    fn no_proxy_is_read_as_dotnet_reads_it() {
        // "microsoftonline.com" does not cover login.microsoftonline.com,
        // and "*" is no wildcard: the proxy still applies.
        for entries in [json!(["microsoftonline.com"]), json!(["*"])] {
            let facts = vec![
                Fact::known("os", json!("linux"), "test"),
                Fact::known(
                    "proxy.environment",
                    json!({"https": {"variable": "https_proxy", "proxy": "http://proxy:3128", "host": "proxy", "port": 3128}, "http": null, "all": null,
                           "no_proxy": {"variable": "no_proxy", "entries": entries}}),
                    "test",
                ),
                Fact::known(
                    "network.sign-in",
                    json!({"host": "login.microsoftonline.com", "port": 443, "dns": "failed", "addresses": [], "tcp": "not_tried", "elapsed_ms": 5}),
                    "test",
                ),
            ];
            let f = evaluate(&facts, "en");
            assert_eq!(
                get(&f, "network.sign-in").status,
                Status::Warning,
                "{}",
                entries
            );
            let p = get(&f, "proxy.environment");
            assert!(p.summary.contains("http://proxy:3128"), "{}", p.summary);
            assert!(
                p.evidence
                    .iter()
                    .any(|e| e.contains("as .NET reads it") && e.contains("not bypassed")),
                "{:?}",
                p.evidence
            );
        }
    }

    #[test]
    fn session_cleanup_removes_what_was_counted() {
        let s = |name: &str, computer: &str| json!({"name": name, "computer_name": computer, "state": "Opened", "age_minutes": 5.0});
        let facts = windows_facts(vec![Fact::known(
            "host.sessions",
            json!([
                s("a", "admin1a.online.lync.com"),
                s("b", "admin1a.online.lync.com"),
                s("c", "api.interfaces.records.teams.microsoft.com")
            ]),
            "test",
        )]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "sessions.count");
            assert_eq!(x.status, Status::Problem);
            let fix = x.fix.as_deref().unwrap();
            assert!(fix.contains("*.online.lync.com"), "{}", fix);
            assert!(
                fix.contains("'api.interfaces.records.teams.microsoft.com'"),
                "{}",
                fix
            );
        }
    }

    #[test]
    fn fixes_that_cannot_work_today_are_replaced() {
        let facts = windows_facts(vec![
            Fact::known(
                "host.sessions",
                json!([{"name": "a", "computer_name": "admin1a.online.lync.com", "state": "Opened", "age_minutes": 75.0}]),
                "test",
            ),
            Fact::known(
                "modules.installed",
                json!([{"name": "SkypeOnlineConnector", "version": "7.0.0.0"}]),
                "test",
            ),
        ]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            // Enable-CsOnlineSessionForReconnection left with MicrosoftTeams 2.0.
            let x = get(&f, "sessions.age");
            assert_eq!(x.status, Status::Problem);
            let fix = x.fix.as_deref().unwrap();
            assert!(
                !fix.contains("Enable-CsOnlineSessionForReconnection"),
                "{}",
                fix
            );
            assert!(fix.contains("Connect-MicrosoftTeams"), "{}", fix);
            // Install-Module on a stock 5.1: TLS 1.2 and NuGet first.
            let x = get(&f, "connector.installed");
            let fix = x.fix.as_deref().unwrap();
            let tls = fix.find("Tls12").expect("no TLS 1.2");
            let nuget = fix
                .find("Install-PackageProvider -Name NuGet")
                .expect("no NuGet");
            let install = fix.find("Install-Module").unwrap();
            assert!(tls < install && nuget < install, "{}", fix);
        }
    }

    #[test]
    fn winhttp_fix_fits_the_user_proxy() {
        // Only a configuration script: import copies nothing, so the fix
        // sets WinHTTP's proxy to what the script returns.
        let pac = Fact::known(
            "proxy.ie",
            json!({"enabled": false, "server": null, "auto_config_url": "http://wpad.contoso.com/proxy.pac"}),
            "test",
        );
        for lang in ["en", "fr"] {
            let f = evaluate(&windows_facts(vec![pac.clone()]), lang);
            let x = get(&f, "proxy.windows");
            assert_eq!(x.status, Status::Warning);
            let fix = x.fix.as_deref().unwrap();
            assert!(fix.contains("netsh winhttp set proxy"), "{}", fix);
            assert!(!fix.contains("import"), "{}", fix);
            let step = &x.resolution.as_ref().unwrap()[0];
            assert!(step.contains("netsh winhttp reset proxy"), "{}", step);
        }
        // A manual proxy: import, machine-wide, elevated.
        let manual = Fact::known(
            "proxy.ie",
            json!({"enabled": true, "server": "proxy.contoso.com:8080"}),
            "test",
        );
        let f = evaluate(&windows_facts(vec![manual]), "en");
        let x = get(&f, "proxy.windows");
        assert_eq!(
            x.fix.as_deref(),
            Some("netsh winhttp import proxy source=ie")
        );
        let step = &x.resolution.as_ref().unwrap()[0];
        assert!(
            step.contains("elevated prompt") && step.contains("whole machine"),
            "{}",
            step
        );
    }
}
