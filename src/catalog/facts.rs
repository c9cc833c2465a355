//! `facts.json`: what the library knows about the service and its tools,
//! in one place: host names, module names, quotas and minimum versions,
//! the default endpoints, and which finding explains which error.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hosts {
    /// The sign-in (Live ID / Entra ID) servers: out of reach, sign-in fails.
    pub sign_in: Vec<String>,
    /// The service's remote PowerShell endpoints, as `-like` patterns
    /// (`*.online.lync.com`) or exact names.
    pub service: Vec<String>,
    /// Public service domains: not secrets (redaction keeps them).
    pub public_domains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointDef {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The problem this endpoint out of reach causes (its `network.<name>`
    /// finding explains that error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Modules {
    /// The retired connector modules.
    pub retired: Vec<String>,
    /// The module that replaces them.
    pub successor: String,
    /// The Microsoft 365 admin modules the host reports (installed
    /// versions side by side, and which is loaded): `modules.versions`.
    pub successors: Vec<String>,
    /// The modules that install the others from the PowerShell Gallery
    /// (`gallery.tools`).
    pub gallery: Vec<String>,
    /// The sign-in assemblies two modules can load in different builds
    /// (`modules.assemblies`).
    pub assemblies: Vec<String>,
    /// The connection cmdlets of the connector and its successors, which
    /// auto-diagnosis wraps besides PowerShell's own remoting cmdlets.
    pub connect_commands: Vec<String>,
}

/// What a finding has to do with the catalog's problems.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FindingDef {
    /// The problem the finding checks: its resolution and fix are the
    /// finding's when something is wrong, and the finding explains an error
    /// of that problem when it is a problem or a warning.
    pub problem: Option<String>,
    /// `network.<name>` only: the problem when the endpoint is a sign-in host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_problem: Option<String>,
    /// Errors that name what the finding checks: after one of them, the rule
    /// judges it as needed (missing or stopped is a problem).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named_by: Vec<String>,
    /// Among the findings that explain the same error, this one comes first
    /// (the first thing to fix).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leads: bool,
    /// Errors the finding explains when it found what they report
    /// (`sessions.count`: sessions to the service open here); it then takes
    /// the error's resolution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFacts {
    pub schema: u32,
    #[serde(default)]
    pub notes: String,
    pub hosts: Hosts,
    pub default_endpoints: Vec<EndpointDef>,
    pub modules: Modules,
    /// Quotas and minimum versions, by name; the texts use them as
    /// placeholders (`{shells_per_user}`).
    pub values: BTreeMap<String, serde_json::Value>,
    /// Finding id (`network.<name>` for every endpoint) -> its problems.
    pub findings: BTreeMap<String, FindingDef>,
}

/// The key of `findings` for a finding id (`network.sign-in` ->
/// `network.<name>`).
fn finding_key(id: &str) -> &str {
    if id.starts_with("network.") {
        "network.<name>"
    } else {
        id
    }
}

impl ServiceFacts {
    pub fn parse(json: &str) -> Result<ServiceFacts, String> {
        let f: ServiceFacts =
            serde_json::from_str(json).map_err(|e| format!("facts.json: {}", e))?;
        if f.schema != 1 {
            return Err(format!("facts.json: schema {} is not 1", f.schema));
        }
        Ok(f)
    }

    /// The values as the texts show them (`3`, `7.250.4303.0`).
    pub fn text_values(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect()
    }

    /// A number of `values` (0 when absent: validation makes sure it is not).
    pub fn number(&self, name: &str) -> f64 {
        self.values
            .get(name)
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    }

    /// A text of `values` (empty when absent: validation makes sure it is not).
    pub fn string(&self, name: &str) -> &str {
        self.values.get(name).and_then(|v| v.as_str()).unwrap_or("")
    }

    /// What a finding has to do with the problems (none when not listed).
    pub fn finding(&self, id: &str) -> FindingDef {
        self.findings
            .get(finding_key(id))
            .cloned()
            .unwrap_or_default()
    }

    /// The problem a default endpoint out of reach causes, by its host.
    pub fn endpoint_problem(&self, host: &str) -> Option<&str> {
        self.default_endpoints
            .iter()
            .find(|e| e.host.eq_ignore_ascii_case(host))
            .and_then(|e| e.problem.as_deref())
    }

    /// Whether `host` is a sign-in server.
    pub fn is_sign_in_host(&self, host: &str) -> bool {
        self.hosts
            .sign_in
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether a computer name is one of the service's remote PowerShell
    /// endpoints (a pattern `*.x` matches any name ending in `.x`).
    pub fn is_service_host(&self, name: &str) -> bool {
        let n = name.trim().trim_end_matches('.').to_ascii_lowercase();
        self.hosts.service.iter().any(|p| {
            let p = p.to_ascii_lowercase();
            match p.strip_prefix('*') {
                Some(suffix) => n.ends_with(suffix) && n.len() > suffix.len(),
                None => n == p,
            }
        })
    }

    /// Whether a module name is one of `modules.successors`.
    pub fn is_successor_module(&self, name: &str) -> bool {
        self.modules
            .successors
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
    }

    /// Whether a module name is a retired connector module.
    pub fn is_retired_module(&self, name: &str) -> bool {
        self.modules
            .retired
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
    }

    /// Every inconsistency: problems that do not exist, values missing or of
    /// the wrong kind, endpoints that are not host names.
    pub fn validate(&self, problem_ids: &[&str]) -> Vec<String> {
        let mut errors = Vec::new();
        let known = |p: &str| problem_ids.contains(&p);
        for (id, f) in &self.findings {
            let named = f
                .problem
                .iter()
                .chain(f.sign_in_problem.iter())
                .chain(f.named_by.iter())
                .chain(f.explains.iter());
            for p in named {
                if !known(p) {
                    errors.push(format!(
                        "facts.json: finding {} names problem {}, which problems.json lacks",
                        id, p
                    ));
                }
            }
        }
        for name in [
            "shells_per_user",
            "shells_per_tenant",
            "session_minutes",
            "session_warn_minutes",
        ] {
            if self.number(name) <= 0.0 {
                errors.push(format!("facts.json: values.{} must be a number > 0", name));
            }
        }
        if self.number("session_warn_minutes") >= self.number("session_minutes") {
            errors.push(
                "facts.json: values.session_warn_minutes must be below session_minutes".into(),
            );
        }
        for name in ["powershell_minimum", "sign_in_assistant_minimum"] {
            let v = self.string(name);
            let dotted = !v.is_empty() && v.split('.').all(|p| p.parse::<u64>().is_ok());
            if !dotted {
                errors.push(format!(
                    "facts.json: values.{} must be a dotted version",
                    name
                ));
            }
        }
        for (k, v) in &self.values {
            if !(v.is_string() || v.is_number()) {
                errors.push(format!(
                    "facts.json: values.{} must be a number or a text",
                    k
                ));
            }
        }
        if self.hosts.sign_in.is_empty() {
            errors.push("facts.json: hosts.sign_in is empty".into());
        }
        let host_ok = |h: &str| {
            !h.is_empty()
                && h.len() <= 253
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'*')
        };
        for h in self
            .hosts
            .sign_in
            .iter()
            .chain(self.hosts.service.iter())
            .chain(self.hosts.public_domains.iter())
            .chain(self.default_endpoints.iter().map(|e| &e.host))
        {
            if !host_ok(h) {
                errors.push(format!("facts.json: {:?} is not a host name", h));
            }
        }
        for e in &self.default_endpoints {
            if let Some(p) = e.problem.as_deref().filter(|p| !known(p)) {
                errors.push(format!(
                    "facts.json: default endpoint {} names problem {}, which problems.json lacks",
                    e.name, p
                ));
            }
            if e.port == 0 || e.name.is_empty() {
                errors.push(format!(
                    "facts.json: default endpoint {:?} needs a name and a port",
                    e.host
                ));
            }
        }
        if self.modules.retired.is_empty() || self.modules.successor.is_empty() {
            errors.push("facts.json: modules.retired and modules.successor are needed".into());
        }
        if !self
            .modules
            .successors
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&self.modules.successor))
        {
            errors.push("facts.json: modules.successors must list modules.successor".into());
        }
        for (what, list) in [
            ("successors", &self.modules.successors),
            ("gallery", &self.modules.gallery),
            ("assemblies", &self.modules.assemblies),
            ("connect_commands", &self.modules.connect_commands),
        ] {
            let named = |m: &String| {
                !m.is_empty()
                    && m.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
            };
            if list.is_empty() || !list.iter().all(named) {
                errors.push(format!(
                    "facts.json: modules.{} must list names (letters, digits, '.', '_', '-')",
                    what
                ));
            }
        }
        errors
    }
}
