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
//! | `execution_policy.windows_powershell` | `execution_policy` | effective policy of Windows PowerShell (host list, else registry): Restricted/AllSigned fail |
//! | `execution_policy.powershell7` | `execution_policy` | the same for PowerShell 7 (host list when the host is Core, else PowerShellCore policy keys and powershell.config.json) |
//! | `powershell.version` | `powershell_version` | the connector needs PowerShell 3.0 or later |
//! | `winrm.basic_auth` | `winrm_basic_auth` | WinRM client Basic: Group Policy AllowBasic wins over local auth_basic |
//! | `wsman.client` | none | outside Windows: a WSMan client library for New-PSSession |
//! | `sign_in_assistant.installed` | `liveid_module_load_failed` | msoidsvc service and MSOIdentityCRL key |
//! | `sign_in_assistant.service` | `liveid_connect_failed` | msoidsvc running |
//! | `network.<name>` | `liveid_connect_failed` for sign-in hosts, else none | DNS and TCP reachability of each endpoint |
//! | `proxy.environment` | none | HTTP(S)_PROXY / ALL_PROXY / NO_PROXY parse and apply |
//! | `proxy.windows` | `liveid_connect_failed` | WinHTTP (sign-in assistant, WinRM) versus the user's IE proxy |
//! | `sessions.count` | `shells_per_user` | open sessions to the service in this PowerShell (3 is the limit) |
//! | `sessions.age` | `session_expired` | sessions 60 minutes old or broken |
//! | `connector.installed` | `connector_retired` | SkypeOnlineConnector / LyncOnlineConnector present or loaded |

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

/// The per-user limit of concurrent remote PowerShell sessions (FACTS §7).
pub(crate) const SHELLS_PER_USER: usize = 3;
/// Minutes after which the service closes a session (FACTS §5).
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
        sign_in_assistant_installed(&f, lang),
        sign_in_assistant_service(&f, lang),
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

/// Scopes in the order PowerShell evaluates them (FACTS §1).
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
    let (scopes, source, fallback) = if let Some(list) = host_list {
        (
            list.clone(),
            "Get-ExecutionPolicy -List (host)",
            "Restricted",
        )
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
                let server = v
                    .get("installation_type")
                    .and_then(|x| x.as_str())
                    .map(|s| s.eq_ignore_ascii_case("server"))
                    .unwrap_or(false);
                let fallback = if server { "RemoteSigned" } else { "Restricted" };
                let scopes: Map<String, Value> = v
                    .into_iter()
                    .filter(|(k, _)| SCOPES.contains(&k.as_str()))
                    .collect();
                (scopes, "registry", fallback)
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
    let (mut effective, scope) = effective_policy(&scopes, fallback);
    let mut evidence = vec![format!("{}: {}", source, scope_list(&scopes))];
    if host_list.is_some() {
        if let Some(e) = f.host_str("effective_execution_policy") {
            effective = canonical_policy(e);
            evidence.push(format!("Get-ExecutionPolicy (host): {}", e));
        }
    }
    match scope {
        Some(s) => evidence.push(format!("effective: {} (scope {})", effective, s)),
        None => evidence.push(format!(
            "effective: {} (every scope Undefined: the default)",
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
    if by_policy {
        first.push(t!(
            lang,
            "Group Policy sets this policy ({s}): Set-ExecutionPolicy cannot override it. Ask the policy's owner to set \"Turn on Script Execution\" to \"Allow local scripts and remote signed scripts\".",
            "Une stratégie de groupe impose cette valeur ({s}) : Set-ExecutionPolicy ne peut pas la remplacer. Demandez au propriétaire de la stratégie de régler « Activer l'exécution des scripts » sur « Autoriser les scripts locaux et les scripts signés distants ».",
            s = scope.unwrap_or("")
        ));
    } else if scope == Some("Process") {
        first.push(t!(
            lang,
            "The Process scope decides (PSExecutionPolicyPreference or powershell -ExecutionPolicy): start PowerShell without it, or run Set-ExecutionPolicy RemoteSigned -Scope Process.",
            "La portée Process décide (PSExecutionPolicyPreference ou powershell -ExecutionPolicy) : démarrez PowerShell sans elle, ou exécutez Set-ExecutionPolicy RemoteSigned -Scope Process."
        ));
    }
    let out = finding(
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
    .with_catalog_resolution(lang, first);
    if by_policy {
        out.with_fix(None)
    } else {
        out
    }
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
        Some(0) => finding(
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
        .with_catalog_resolution(lang, Vec::new()),
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

fn sign_in_assistant_installed(f: &Facts, lang: &str) -> Finding {
    let id = "sign_in_assistant.installed";
    let problem = "liveid_module_load_failed";
    if let Some(x) = windows_only(f, id, problem, lang, "service.msoidsvc") {
        return x;
    }
    let svc = f.known("service.msoidsvc").cloned().unwrap_or(Value::Null);
    let version = f
        .known("sign_in_assistant.version")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let mut evidence = vec![if service_installed(&svc) {
        "service msoidsvc: installed".to_string()
    } else {
        "service msoidsvc: not installed".to_string()
    }];
    evidence.push(match &version {
        Some(v) => format!(
            "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion = {}",
            v
        ),
        None => match f.get("sign_in_assistant.version") {
            // Unreadable (access denied…) is not absent.
            Some(x) if x.state == State::Unknown => format!(
                "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion: not read: {}",
                f.reason("sign_in_assistant.version")
            ),
            _ => "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion: absent".to_string(),
        },
    });
    let unreadable = version.is_none()
        && f.get("sign_in_assistant.version")
            .map(|x| x.state == State::Unknown)
            .unwrap_or(false);
    if !service_installed(&svc) {
        return finding(
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
        .with_catalog_resolution(lang, Vec::new());
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
    match version {
        Some(v) => finding(
            id,
            Some(problem),
            Status::Ok,
            t!(
                lang,
                "The sign-in assistant {v} is installed.",
                "L'Assistant de connexion {v} est installé."
            ),
        )
        .with_evidence(evidence),
        None => finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "The msoidsvc service exists but the sign-in assistant's registry key is missing: the installation may be damaged.",
                "Le service msoidsvc existe mais la clé de registre de l'Assistant de connexion manque : l'installation est peut-être endommagée."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new()),
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

fn sign_in_assistant_service(f: &Facts, lang: &str) -> Finding {
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
    let evidence = vec![format!(
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
    let mut first = Vec::new();
    let mut fix = None;
    if start == "disabled" {
        first.push(t!(
            lang,
            "The service is disabled: allow it to start first (Set-Service -Name msoidsvc -StartupType Automatic).",
            "Le service est désactivé : autorisez d'abord son démarrage (Set-Service -Name msoidsvc -StartupType Automatic)."
        ));
        fix = Some(
            "Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc"
                .to_string(),
        );
    }
    let shown = state_text(lang, state);
    let out = finding(
        id,
        Some(problem),
        Status::Problem,
        t!(
            lang,
            "The sign-in assistant service (msoidsvc) is {shown}: the connector cannot reach the Live ID servers through it.",
            "Le service de l'Assistant de connexion (msoidsvc) est {shown} : le connecteur ne peut pas joindre les serveurs Live ID par lui."
        ),
    )
    .with_evidence(evidence)
    .with_catalog_resolution(lang, first);
    match fix {
        Some(x) => out.with_fix(Some(x)),
        None => out,
    }
}

// ---------------------------------------------------------------- network and proxy

/// The proxy that applies to `host` according to the facts, if any.
fn proxy_for(f: &Facts, host: &str) -> Option<String> {
    if let Some(env) = f.known("proxy.environment") {
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
        if !net::no_proxy_matches(&bypass, host) {
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
        }
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
    let summary = match proxy_for(f, sign_in) {
        Some(p) => t!(
            lang,
            "Sign-in traffic from .NET (token requests) goes through {p}.",
            "Le trafic de connexion de .NET (demandes de jeton) passe par {p}."
        ),
        None => t!(
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
    let ie_uses_proxy = (ie_enabled && ie_server.is_some()) || ie_pac.is_some();
    if wproxy.is_none() && ie_uses_proxy {
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
        .with_catalog_resolution(
            lang,
            vec![t!(
                lang,
                "Give WinHTTP the same proxy (elevated): netsh winhttp import proxy source=ie (a configuration script is not imported: use netsh winhttp set proxy), or use New-PSSessionOption -ProxyAccessType IEConfig.",
                "Donnez le même proxy à WinHTTP (invite élevée) : netsh winhttp import proxy source=ie (un script de configuration n'est pas importé : utilisez netsh winhttp set proxy), ou utilisez New-PSSessionOption -ProxyAccessType IEConfig."
            )],
        );
        out.fix = Some("netsh winhttp import proxy source=ie".into());
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

/// The retired connector modules (FACTS §5).
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
}
