//! Diagnose: request parsing, the probes, the rules, and the order of the
//! findings relative to an error's matches; the exports `csod_diagnose` and
//! `csod_diagnose_w`.
//!
//! Request (every key optional, unknown keys ignored, wrong types refused):
//! `{"language", "timeout_ms", "endpoints":[{"name","host","port"}],
//! "host":{…facts only PowerShell knows…}, "error":{…a record…}}`.
//!
//! - `language`: output language (one of `catalog/texts/`: "en", "fr", "de",
//!   "ja", or a culture such as "fr-FR").
//!   When absent, `host.ui_culture` is used if it names an output language,
//!   else English.
//! - `timeout_ms`: the bound of every probe, a number ≥ 0; clamped to
//!   [`MIN_TIMEOUT_MS`, `MAX_TIMEOUT_MS`]; default [`DEFAULT_TIMEOUT_MS`].
//! - `endpoints`: replace the defaults ([`default_endpoints`]); `port`
//!   defaults to 443, `name` to the host. At most [`MAX_ENDPOINTS`].
//! - `host`: `edition`, `version`, `os`, `execution_policy` (scope → policy),
//!   `effective_execution_policy`, `sessions` (`name`, `computer_name`,
//!   `state`, `availability`, `age_minutes`), `ui_culture`, `modules`
//!   (`name`, `version`, `path`, `loaded`), `wsman_client`, `assemblies`
//!   (`name`, `version`, `location`, `context`: the sign-in assemblies
//!   loaded), `security_protocol` (`[Net.ServicePointManager]::SecurityProtocol`),
//!   `nuget_provider` (`version`, `path`; `null` when absent). Each becomes
//!   a fact `host.<key>` with source "request".
//! - `error`: a record as for `csod_classify_record`; its matches are
//!   returned and the findings that explain them come first, and
//!   `"truncated": true` says its text was longer than classification reads.
//!   When a WinRM client failure (`remoting` family) names a host, a TCP
//!   handshake to its WinRM port is tried within the same bound
//!   (`winrm.target`).
//! - `error_host`: whether to try that handshake (a boolean); by default
//!   only when the request lists no `endpoints` (a request that lists them
//!   has the probes contact those alone).
//!
//! `csod_diagnose_cancellable` takes a token (`csod_cancel_new`) that another
//! thread cancels with `csod_cancel`: the probes stop waiting and the call
//! returns NULL with a last error "cancelled: ...".

use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

use crate::catalog::{self, Catalog};
use crate::classify::{self, ErrorInput};
use crate::document::to_json;
use crate::probe::cancel::Cancel;
use crate::probe::{self, Endpoint, Fact, ProbeRequest};
use crate::rules::{self, Finding, Status};

/// Default probe bound in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 3000;
/// Smallest bound: below it a healthy TCP handshake across the internet can
/// fail.
pub const MIN_TIMEOUT_MS: u64 = 100;
/// Largest bound: a diagnose should never keep a console waiting longer.
pub const MAX_TIMEOUT_MS: u64 = 30000;
/// Most endpoints one request may name.
pub const MAX_ENDPOINTS: usize = 32;

/// The endpoints checked when the request names none (`facts.json`
/// `default_endpoints`, docs/facts.md#endpoints): the sign-in servers
/// (endpoint set 56), the connector's discovery host, and the admin
/// endpoint that MicrosoftTeams 1.1.6+ remoting used.
pub fn default_endpoints() -> Vec<Endpoint> {
    catalog::get()
        .map(|c| {
            c.facts
                .default_endpoints
                .iter()
                .map(|e| Endpoint {
                    name: e.name.clone(),
                    host: e.host.clone(),
                    port: e.port,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    pub language: &'static str,
    pub timeout: Duration,
    pub endpoints: Vec<Endpoint>,
    /// `host.<key>` facts.
    pub host: Vec<Fact>,
    /// Whether to contact the host a WinRM error names (`error_host`).
    pub error_host: bool,
    pub error: Option<ErrorInput>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn want<'a>(v: &'a Value, what: &str, path: &str) -> Result<&'a Value, String> {
    let ok = match what {
        "string" => v.is_string(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        let article = if what == "array" || what == "object" {
            "an"
        } else {
            "a"
        };
        Err(format!(
            "request: {} must be {} {}, not {}",
            path,
            article,
            what,
            kind(v)
        ))
    }
}

/// Present and not null.
fn field<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.get(k).filter(|v| !v.is_null())
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

fn valid_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !s.contains('/')
}

fn parse_endpoints(v: &Value) -> Result<Vec<Endpoint>, String> {
    let list = want(v, "array", "endpoints")?.as_array().unwrap();
    if list.len() > MAX_ENDPOINTS {
        return Err(format!(
            "request: endpoints has {} entries; at most {}",
            list.len(),
            MAX_ENDPOINTS
        ));
    }
    let mut out: Vec<Endpoint> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let path = format!("endpoints[{}]", i);
        let o = want(e, "object", &path)?.as_object().unwrap();
        let host = match field(o, "host") {
            None => return Err(format!("request: {}.host is required", path)),
            Some(h) => want(h, "string", &format!("{}.host", path))?
                .as_str()
                .unwrap()
                .trim()
                .to_string(),
        };
        if !valid_host(&host) {
            return Err(format!(
                "request: {}.host {:?} is not a host name or address",
                path, host
            ));
        }
        let port = match field(o, "port") {
            None => 443,
            Some(p) => {
                let n = want(p, "number", &format!("{}.port", path))?;
                match n.as_u64() {
                    Some(n) if (1..=65535).contains(&n) => n as u16,
                    _ => {
                        return Err(format!(
                            "request: {}.port must be an integer from 1 to 65535, not {}",
                            path, n
                        ))
                    }
                }
            }
        };
        let name = match field(o, "name") {
            None => host.clone(),
            Some(n) => want(n, "string", &format!("{}.name", path))?
                .as_str()
                .unwrap()
                .trim()
                .to_string(),
        };
        if !valid_name(&name) {
            return Err(format!(
                "request: {}.name {:?} must be 1 to 64 letters, digits, '-', '_' or '.'",
                path, name
            ));
        }
        if out.iter().any(|x| x.name == name) {
            return Err(format!(
                "request: endpoint name {:?} is used twice (names identify the findings)",
                name
            ));
        }
        out.push(Endpoint { name, host, port });
    }
    Ok(out)
}

fn parse_timeout(v: &Value) -> Result<Duration, String> {
    let n = want(v, "number", "timeout_ms")?.as_f64().unwrap_or(-1.0);
    if n.is_nan() || n < 0.0 || !n.is_finite() {
        return Err(format!(
            "request: timeout_ms must be a number of milliseconds ≥ 0, not {}",
            v
        ));
    }
    let ms = (n.round() as u64).clamp(MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
    Ok(Duration::from_millis(ms))
}

/// Checks each element of an array of objects against typed keys, and
/// returns the array with only those keys: an unknown key is ignored, so
/// nothing undocumented (a credential someone put there) is echoed back.
fn check_objects(list: &Value, path: &str, keys: &[(&str, &str)]) -> Result<Value, String> {
    let arr = want(list, "array", path)?.as_array().unwrap();
    let mut out = Vec::with_capacity(arr.len());
    for (i, item) in arr.iter().enumerate() {
        let p = format!("{}[{}]", path, i);
        let o = want(item, "object", &p)?.as_object().unwrap();
        let mut kept = Map::new();
        for (k, ty) in keys {
            if let Some(v) = field(o, k) {
                want(v, ty, &format!("{}.{}", p, k))?;
            }
            if let Some(v) = o.get(*k) {
                kept.insert((*k).to_string(), v.clone());
            }
        }
        out.push(Value::Object(kept));
    }
    Ok(Value::Array(out))
}

fn parse_host(v: &Value) -> Result<Vec<Fact>, String> {
    let o = want(v, "object", "host")?.as_object().unwrap();
    let mut facts = Vec::new();
    let mut kept: Map<String, Value> = Map::new();
    let strings = [
        "edition",
        "version",
        "os",
        "effective_execution_policy",
        "ui_culture",
        "security_protocol",
    ];
    for k in strings {
        if let Some(x) = field(o, k) {
            want(x, "string", &format!("host.{}", k))?;
        }
    }
    if let Some(x) = field(o, "execution_policy") {
        let m = want(x, "object", "host.execution_policy")?
            .as_object()
            .unwrap();
        let mut scopes = Map::new();
        for (scope, p) in m {
            if !p.is_null() {
                want(p, "string", &format!("host.execution_policy.{}", scope))?;
            }
            // Only the scopes PowerShell has (Get-ExecutionPolicy -List).
            if rules::SCOPES.contains(&scope.as_str()) {
                scopes.insert(scope.clone(), p.clone());
            }
        }
        kept.insert("execution_policy".into(), Value::Object(scopes));
    }
    if let Some(x) = field(o, "sessions") {
        let v = check_objects(
            x,
            "host.sessions",
            &[
                ("name", "string"),
                ("computer_name", "string"),
                ("state", "string"),
                ("availability", "string"),
                ("age_minutes", "number"),
            ],
        )?;
        kept.insert("sessions".into(), v);
    }
    if let Some(x) = field(o, "modules") {
        let v = check_objects(
            x,
            "host.modules",
            &[
                ("name", "string"),
                ("version", "string"),
                ("path", "string"),
                ("loaded", "boolean"),
            ],
        )?;
        kept.insert("modules".into(), v);
    }
    if let Some(x) = field(o, "assemblies") {
        let v = check_objects(
            x,
            "host.assemblies",
            &[
                ("name", "string"),
                ("version", "string"),
                ("location", "string"),
                ("context", "string"),
            ],
        )?;
        kept.insert("assemblies".into(), v);
    }
    if let Some(x) = field(o, "nuget_provider") {
        want(x, "object", "host.nuget_provider")?;
        let v = check_objects(
            &Value::Array(vec![x.clone()]),
            "host.nuget_provider",
            &[("version", "string"), ("path", "string")],
        )?;
        kept.insert("nuget_provider".into(), v[0].clone());
    }
    if let Some(x) = field(o, "wsman_client") {
        want(x, "boolean", "host.wsman_client")?;
    }
    for k in [
        "edition",
        "version",
        "os",
        "execution_policy",
        "effective_execution_policy",
        "sessions",
        "ui_culture",
        "modules",
        "wsman_client",
        "assemblies",
        "security_protocol",
        "nuget_provider",
    ] {
        if let Some(x) = field(o, k) {
            facts.push(Fact::known(
                &format!("host.{}", k),
                kept.get(k).unwrap_or(x).clone(),
                &format!("request: host.{}", k),
            ));
        }
    }
    // No NuGet provider is a fact too (`null`), unlike an absent key.
    if o.get("nuget_provider") == Some(&Value::Null) {
        facts.push(Fact::known(
            "host.nuget_provider",
            Value::Null,
            "request: host.nuget_provider",
        ));
    }
    Ok(facts)
}

/// Parses a request document.
pub fn parse_request(json: &str) -> Result<Request, String> {
    // The defaults and the texts come from the catalog: a broken one is an
    // error here, not an empty answer later.
    catalog::get()?;
    // Measured first, without recursion: a deep document must not reach
    // serde_json's recursive parser on a caller's small stack.
    let v: Value = crate::document::parse(json, "request_json", "request")?;
    let o = v
        .as_object()
        .ok_or_else(|| format!("request must be a JSON object, not {}", kind(&v)))?;
    let timeout = match field(o, "timeout_ms") {
        None => Duration::from_millis(DEFAULT_TIMEOUT_MS),
        Some(t) => parse_timeout(t)?,
    };
    let endpoints = match field(o, "endpoints") {
        None => default_endpoints(),
        Some(e) => parse_endpoints(e)?,
    };
    let error_host = match field(o, "error_host") {
        None => field(o, "endpoints").is_none(),
        Some(b) => want(b, "boolean", "error_host")?.as_bool().unwrap(),
    };
    let host = match field(o, "host") {
        None => Vec::new(),
        Some(h) => parse_host(h)?,
    };
    let language = match field(o, "language") {
        Some(l) => {
            catalog::output_language(Some(want(l, "string", "language")?.as_str().unwrap()))?
        }
        None => host
            .iter()
            .find(|f| f.id == "host.ui_culture")
            .and_then(|f| f.value.as_str())
            .and_then(|c| catalog::output_language(Some(c)).ok())
            .unwrap_or("en"),
    };
    let error = match field(o, "error") {
        None => None,
        Some(e) => Some(
            classify::record_from_value(want(e, "object", "error")?)
                .map_err(|m| format!("request: error: {}", m))?,
        ),
    };
    Ok(Request {
        language,
        timeout,
        endpoints,
        host,
        error_host,
        error,
    })
}

fn problem_is_explained(f: &Finding) -> bool {
    matches!(f.status, Status::Problem | Status::Warning)
}

/// Puts the findings that explain the error's matches first, in the order
/// of the matches, and adds what the pairing teaches (`facts.json`
/// `findings`):
/// - `named_by` (the sign-in assistant's findings after a Live ID sign-in
///   failure): the finding is judged as needed (missing or stopped is a
///   problem), and `leads` (msoidsvc stopped) comes first, with "start the
///   service first" (Set-Service first when it is disabled);
/// - `explains` (`sessions.count` after a "too many sessions" error, with
///   sessions open here): the finding becomes a problem that says to
///   remove them;
/// - `execution_policy`: the finding of the edition the error came from
///   (the host's) before the other edition's.
pub fn order_findings(
    findings: Vec<Finding>,
    match_ids: &[String],
    facts: &[Fact],
    lang: &str,
) -> Vec<Finding> {
    match catalog::get() {
        Ok(c) => order_findings_with(c, findings, match_ids, facts, lang),
        Err(_) => findings,
    }
}

/// [`order_findings`] with `catalog`'s texts and facts.
pub fn order_findings_with(
    catalog: &Catalog,
    mut findings: Vec<Finding>,
    match_ids: &[String],
    facts: &[Fact],
    lang: &str,
) -> Vec<Finding> {
    let cx = rules::Ctx { catalog, lang };
    let known = &catalog.facts;
    for m in match_ids {
        for f in findings.iter_mut() {
            let pair = known.finding(&f.id);
            if pair.named_by.contains(m) {
                if let Some(x) = rules::evaluate_named(&f.id, facts, cx) {
                    *f = x;
                }
            }
            if pair.explains.contains(m)
                && rules::explain(f, m, facts, cx)
                && f.problem.as_deref() != Some(m.as_str())
            {
                f.explains.push(m.clone());
            }
        }
    }
    for f in findings.iter_mut() {
        if let Some(p) = f.problem.clone() {
            if match_ids.contains(&p) && problem_is_explained(f) && !f.explains.contains(&p) {
                f.explains.push(p);
            }
        }
    }
    let rank = |f: &Finding| -> usize {
        f.explains
            .iter()
            .filter_map(|e| match_ids.iter().position(|m| m == e))
            .min()
            .unwrap_or(usize::MAX)
    };
    // Stable: within one match, the rules' own order is kept, except that a
    // leading finding (a stopped service) comes before the network findings
    // of the same problem (it is the first thing to fix), and the host's own
    // edition's policy before the other's (its fix is the one for the shell
    // that failed).
    let other_edition = if rules::host_is_powershell7(facts) {
        "execution_policy.windows_powershell"
    } else {
        "execution_policy.powershell7"
    };
    findings.sort_by_key(|f| (rank(f), !known.finding(&f.id).leads, f.id == other_edition));
    findings
}

/// The host a WinRM client failure names (the first `remoting` match with a
/// `host` field) and its port (`probe::target`): the report tries a TCP
/// handshake to it, the host the admin was already connecting to.
fn error_target(
    catalog: &Catalog,
    matches: &[classify::Match],
    error: Option<&ErrorInput>,
) -> Option<probe::target::Target> {
    let host = matches.iter().find_map(|m| {
        let remoting = catalog
            .problem(&m.id)
            .map(|p| p.family == "remoting")
            .unwrap_or(false);
        m.fields.get("host").filter(|_| remoting)
    })?;
    let message = error.and_then(|e| e.message.as_deref()).unwrap_or("");
    probe::target::winrm_target(message, Some(host), &|h: &str| {
        catalog.facts.is_service_host(h)
    })
}

/// Runs a diagnose and returns the result document.
pub fn run(req: &Request) -> Result<Value, String> {
    run_cancellable(req, &Cancel::new())
}

/// The last error of a cancelled diagnose starts with this.
pub const CANCELLED: &str = "cancelled";

/// Runs a diagnose that `cancel` can stop from another thread: then the
/// probes stop waiting within a poll slice and this returns
/// `Err("cancelled: ...")`.
pub fn run_cancellable(req: &Request, cancel: &Cancel) -> Result<Value, String> {
    let start = Instant::now();
    let cancelled = || {
        format!(
            "{}: csod_cancel was called after {} ms",
            CANCELLED,
            start.elapsed().as_millis()
        )
    };
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    let (matches, truncated) = match &req.error {
        Some(e) => {
            let c = classify::classify(e, req.language)?;
            (Some(c.matches), c.truncated)
        }
        None => (None, false),
    };
    let catalog = catalog::get()?;
    let target = matches
        .as_deref()
        .and_then(|m| error_target(catalog, m, req.error.as_ref()))
        .map(|t| probe::target::Target {
            contact: req.error_host,
            ..t
        });
    let mut facts = probe::gather(&ProbeRequest {
        endpoints: req.endpoints.clone(),
        timeout: req.timeout,
        cancel: cancel.clone(),
        target,
    });
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    facts.extend(req.host.iter().cloned());
    let mut findings = rules::evaluate_with(catalog, &facts, req.language);
    if let Some(m) = &matches {
        let ids: Vec<String> = m.iter().map(|x| x.id.clone()).collect();
        findings = order_findings_with(catalog, findings, &ids, &facts, req.language);
    }
    let mut doc = json!({
        "schema": 1,
        "language": req.language,
        "elapsed_ms": start.elapsed().as_millis() as u64,
        "timeout_ms": req.timeout.as_millis() as u64,
        "os": probe::os_name(),
        "endpoints": req.endpoints.iter().map(|e| json!({"name": e.name, "host": e.host, "port": e.port})).collect::<Vec<_>>(),
        "facts": facts,
        "findings": findings,
    });
    if let Some(m) = matches {
        doc["matches"] = serde_json::to_value(m).map_err(|e| e.to_string())?;
    }
    // The error's text was longer than classification analyses: only its
    // start was read (as `csod_classify` says).
    if truncated {
        doc["truncated"] = Value::Bool(true);
    }
    Ok(doc)
}

/// Parses, runs and serialises (the body of both exports).
pub fn diagnose_json(request: &str) -> Result<String, String> {
    diagnose_json_cancellable(request, &Cancel::new())
}

/// As `diagnose_json`, stopped early when `cancel` is cancelled.
pub fn diagnose_json_cancellable(request: &str, cancel: &Cancel) -> Result<String, String> {
    let req = parse_request(request)?;
    to_json(&run_cancellable(&req, cancel)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(json: &str) -> Result<Vec<Fact>, String> {
        parse_host(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn the_successors_host_facts_are_typed_and_kept_to_their_keys() {
        let facts = host_of(
            r#"{"assemblies":[{"name":"Microsoft.Identity.Client","version":"4.61.3.0","location":"/a.dll","secret":"x"}],
                "security_protocol":"Ssl3, Tls","nuget_provider":null}"#,
        )
        .unwrap();
        let get = |id: &str| facts.iter().find(|f| f.id == id).map(|f| f.value.clone());
        let a = get("host.assemblies").unwrap();
        assert_eq!(a[0]["version"], "4.61.3.0");
        assert!(a[0].get("secret").is_none(), "{}", a);
        assert_eq!(get("host.security_protocol").unwrap(), "Ssl3, Tls");
        // No provider is known, not unknown.
        assert_eq!(get("host.nuget_provider"), Some(Value::Null));
        let p = host_of(r#"{"nuget_provider":{"version":"2.8.5.208","path":"p","k":1}}"#).unwrap();
        assert_eq!(
            p[0].value,
            serde_json::json!({"version":"2.8.5.208","path":"p"})
        );
        for (bad, says) in [
            (r#"{"assemblies":{}}"#, "host.assemblies must be"),
            (
                r#"{"assemblies":[{"version":4}]}"#,
                "host.assemblies[0].version must be",
            ),
            (
                r#"{"security_protocol":3072}"#,
                "host.security_protocol must be",
            ),
            (r#"{"nuget_provider":"2.8"}"#, "host.nuget_provider must be"),
            (
                r#"{"nuget_provider":{"version":2}}"#,
                "host.nuget_provider[0].version must be",
            ),
        ] {
            let e = host_of(bad).unwrap_err();
            assert!(e.contains(says), "{} -> {}", bad, e);
        }
    }
}
