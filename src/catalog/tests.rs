//! The catalog's own checks.

use super::*;

fn load() -> Result<Catalog, String> {
    load_from(&Sources::builtin())
}

#[test]
fn builtin_catalog_is_consistent() {
    let c = load().expect("catalog parses");
    let errors = validate(&c);
    assert!(errors.is_empty(), "{:#?}", errors);
}

#[test]
fn fixed_ids_are_all_present() {
    let c = get().unwrap();
    for id in [
        "execution_policy",
        "powershell_version",
        "winrm_basic_auth",
        "liveid_connect_failed",
        "liveid_module_load_failed",
        "logon_failed",
        "tenant_permission",
        "tenant_access_disabled",
        "shells_per_user",
        "shells_per_tenant",
        "session_expired",
        "connector_retired",
    ] {
        assert_eq!(
            c.problem(id).map(|p| p.family.as_str()),
            Some("connector"),
            "{}",
            id
        );
    }
    for id in [
        "trustedhosts_required",
        "winrm_access_denied",
        "winrm_cannot_connect",
        "winrm_http_error",
        "kerberos_auth_failed",
        "winrm_unreachable",
        "credssp_not_configured",
        "session_config_not_found",
        "winrm_auth_unsupported",
        "shell_not_found",
        "winrm_name_not_resolved",
        "winrm_ssl_certificate",
    ] {
        assert_eq!(
            c.problem(id).map(|p| p.family.as_str()),
            Some("remoting"),
            "{}",
            id
        );
    }
    for id in [
        "module_not_installed",
        "assembly_load_conflict",
        "session_missing_or_expired",
        "module_version_mismatch",
        "teams_remoting_failed",
        "gallery_unreachable",
        "proxy_or_network_blocked",
        "aad_mfa_required",
        "aad_signin_blocked",
        "app_auth_misconfigured",
        "wam_broker_error",
        "tls12_disabled",
        "pwsh_wsman_missing",
    ] {
        assert_eq!(
            c.problem(id).map(|p| p.family.as_str()),
            Some("modules"),
            "{}",
            id
        );
    }
    assert_eq!(c.problems.len(), 37);
}

#[test]
fn validation_catches_broken_rules() {
    let mut c = load().unwrap();
    c.problems[0]
        .recognize
        .require
        .push(vec!["no_such_concept".into()]);
    c.problems[0].recognize.cues.insert("user".into(), 1.5);
    let errors = validate(&c).join("\n");
    assert!(
        errors.contains("no_such_concept is not among its cues"),
        "{}",
        errors
    );
    assert!(errors.contains("weight 1.5 of user"), "{}", errors);
    let mut c = load().unwrap();
    let lang = c.lexicons[0].language.clone();
    c.lexicons[0].concepts.remove("tenant");
    let errors = validate(&c).join("\n");
    assert!(
        errors.contains(&format!(
            "keyword tenant, which lexicon/{}.json lacks",
            lang
        )),
        "{}",
        errors
    );
}

#[test]
fn quote_short_cuts_long_values() {
    assert_eq!(quote_short("xx"), "\"xx\"");
    let q = quote_short(&"é".repeat(1000));
    assert!(q.len() < 200 && q.ends_with("(2000 bytes)"), "{}", q);
}

#[test]
fn output_language_accepts_culture_names() {
    assert_eq!(output_language(None).unwrap(), "en");
    assert_eq!(output_language(Some("fr-CA")).unwrap(), "fr");
    assert_eq!(output_language(Some("EN_us")).unwrap(), "en");
    assert!(output_language(Some("xx"))
        .unwrap_err()
        .contains("unknown output language"));
}

// ------------------------------------------------ output languages as files

/// `texts/en.json` as another language: every text prefixed with `[xx] `
/// (placeholders kept), after `edit` changed the flat texts.
fn fake_language(code: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    fn prefix(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = format!("[xx] {}", s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(prefix),
            serde_json::Value::Object(o) => o.values_mut().for_each(prefix),
            _ => {}
        }
    }
    let en = TEXT_FILES.iter().find(|(n, _)| *n == "en.json").unwrap().1;
    let mut v: serde_json::Value = serde_json::from_str(en).unwrap();
    prefix(&mut v);
    v["language"] = code.into();
    v["name"] = "Test".into();
    edit(&mut v);
    v.to_string()
}

fn with_text_file(name: &str, json: &str) -> Result<Catalog, String> {
    let mut src = Sources::builtin();
    src.texts.push((name, json));
    build(&src)
}

#[test]
fn an_output_language_is_one_file() {
    let xx = fake_language("xx", |_| {});
    let c = with_text_file("xx.json", &xx).expect("a complete file is accepted");
    assert!(c.output_languages.iter().any(|l| l == "xx"));
    assert_eq!(c.output_languages[0], "en");
    assert_eq!(c.output_language(Some("xx-YY")).unwrap(), "xx");
    assert_eq!(c.output_language(Some("XX")).unwrap(), "xx");
    // The catalog document: every problem's texts from the file, the
    // commands and the quotas as in English.
    let doc = c.to_json("xx");
    assert_eq!(doc["language"], "xx");
    assert!(doc["output_languages"]
        .as_array()
        .unwrap()
        .contains(&"xx".into()));
    for p in doc["problems"].as_array().unwrap() {
        for field in ["title", "cause"] {
            assert!(p[field].as_str().unwrap().starts_with("[xx] "), "{}", p);
        }
        for s in p["resolution"].as_array().unwrap() {
            assert!(s.as_str().unwrap().starts_with("[xx] "), "{}", p);
        }
        let id = p["id"].as_str().unwrap();
        assert_eq!(p["fix"], serde_json::json!(c.problem(id).unwrap().fix));
    }
    let title = &c.problem("shells_per_user").unwrap().text["xx"].title;
    assert_eq!(
        title,
        "[xx] Too many sessions open for this user (3 at most)"
    );
    // The rules and diagnose write in it.
    let facts = vec![
        crate::probe::Fact::known("os", serde_json::json!("linux"), "test"),
        crate::probe::Fact::known(
            "host.sessions",
            serde_json::json!([{"name": "s", "computer_name": "admin1a.online.lync.com", "state": "Opened", "age_minutes": 5.0}]),
            "test",
        ),
    ];
    let findings = crate::rules::evaluate_with(&c, &facts, "xx");
    assert!(!findings.is_empty());
    for f in &findings {
        assert!(f.summary.starts_with("[xx] "), "{:?}", f);
    }
    let ordered = crate::diagnose::order_findings_with(
        &c,
        findings,
        &["shells_per_user".to_string()],
        &facts,
        "xx",
    );
    assert_eq!(ordered[0].id, "sessions.count");
    assert_eq!(
        ordered[0].summary,
        "[xx] The error reports too many sessions and 1 session(s) to the service are open here: remove them first."
    );
}

#[test]
fn a_language_file_with_a_missing_key_or_a_wrong_placeholder_is_refused() {
    let missing = fake_language("xx", |v| {
        v["findings"]["network"]
            .as_object_mut()
            .unwrap()
            .remove("ok");
    });
    let e = with_text_file("xx.json", &missing).unwrap_err();
    assert!(
        e.contains("texts/xx.json lacks findings.network.ok (texts/en.json has it)"),
        "{}",
        e
    );
    let renamed = fake_language("xx", |v| {
        v["findings"]["network"]["ok"] = "{name}: {host}:{porte}".into();
    });
    let e = with_text_file("xx.json", &renamed).unwrap_err();
    assert!(
        e.contains("texts/xx.json: findings.network.ok has placeholders {host}, {name}, {porte} where texts/en.json has {host}, {name}, {port}"),
        "{}",
        e
    );
    let extra = fake_language("xx", |v| {
        v["findings"]["network"]["typo"] = "x".into();
    });
    let e = with_text_file("xx.json", &extra).unwrap_err();
    assert!(
        e.contains("texts/xx.json: findings.network.typo is not a key of texts/en.json"),
        "{}",
        e
    );
    let step = fake_language("xx", |v| {
        v["problems"]["logon_failed"]["resolution"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
    let e = with_text_file("xx.json", &step).unwrap_err();
    assert!(
        e.contains("texts/xx.json lacks problems.logon_failed.resolution.2"),
        "{}",
        e
    );
    let empty = fake_language("xx", |v| {
        v["problems"]["logon_failed"]["title"] = " ".into();
    });
    let e = with_text_file("xx.json", &empty).unwrap_err();
    assert!(
        e.contains("texts/xx.json: problems.logon_failed.title is empty"),
        "{}",
        e
    );
    let e = with_text_file("yy.json", &fake_language("xx", |_| {})).unwrap_err();
    assert!(e.contains("does not match the file name"), "{}", e);
    let e = with_text_file("xx.json", "{\"language\": \"xx\"").unwrap_err();
    assert!(e.starts_with("texts/xx.json: "), "{}", e);
}

#[test]
fn problem_texts_take_facts_values_only() {
    // In en.json itself (the reference): a placeholder facts.json has no
    // value for is refused.
    let en = TEXT_FILES.iter().find(|(n, _)| *n == "en.json").unwrap().1;
    let mut v: serde_json::Value = serde_json::from_str(en).unwrap();
    v["problems"]["logon_failed"]["title"] = "Sign-in failed for {user}".into();
    let bad = v.to_string();
    let mut src = Sources::builtin();
    for t in src.texts.iter_mut() {
        if t.0 == "en.json" {
            t.1 = &bad;
        }
    }
    let e = build(&src).unwrap_err();
    assert!(
        e.contains("problems.logon_failed.title has {user}, which is no value of facts.json"),
        "{}",
        e
    );
}

#[test]
fn the_output_languages_are_the_text_files() {
    let c = get().unwrap();
    let files: Vec<&str> = OUTPUT_LANGUAGES.to_vec();
    assert_eq!(c.output_languages, files);
    // English first, then the files in name order.
    assert_eq!(files[0], "en");
    let mut rest = files[1..].to_vec();
    rest.sort_unstable();
    assert_eq!(rest, files[1..].to_vec());
    for shipped in ["de", "fr", "ja"] {
        assert!(files.contains(&shipped), "{:?}", files);
    }
    assert_eq!(output_language(Some("de-DE")).unwrap(), "de");
    assert_eq!(output_language(Some("ja_JP")).unwrap(), "ja");
    assert!(output_language(Some("ko-KR"))
        .unwrap_err()
        .contains(&format!("use one of {}", files.join(", "))));
}

#[test]
fn facts_are_checked() {
    let mut c = load().unwrap();
    c.facts.findings.get_mut("sessions.count").unwrap().explains = vec!["no_such".into()];
    c.facts
        .values
        .insert("session_warn_minutes".into(), serde_json::json!(70));
    c.facts.default_endpoints[0].problem = Some("no_such_either".into());
    let errors = validate(&c).join("\n");
    assert!(
        errors.contains("default endpoint sign-in names problem no_such_either"),
        "{}",
        errors
    );
    assert!(
        errors.contains("finding sessions.count names problem no_such, which problems.json lacks"),
        "{}",
        errors
    );
    assert!(
        errors.contains("session_warn_minutes must be below session_minutes"),
        "{}",
        errors
    );
    let f = &get().unwrap().facts;
    assert!(f.is_service_host("admin1a.online.lync.com"));
    assert!(f.is_service_host("API.interfaces.records.teams.microsoft.com."));
    assert!(!f.is_service_host("online.lync.com.evil"));
    assert!(!f.is_service_host(".online.lync.com"));
    assert!(f.is_sign_in_host("LOGIN.microsoftonline.com"));
    assert_eq!(
        f.finding("network.sign-in").sign_in_problem.as_deref(),
        Some("liveid_connect_failed")
    );
    // The Gallery and Exchange Online endpoints name what their being out
    // of reach causes.
    assert_eq!(
        f.endpoint_problem("WWW.powershellgallery.com"),
        Some("gallery_unreachable")
    );
    assert_eq!(
        f.endpoint_problem("outlook.office365.com"),
        Some("proxy_or_network_blocked")
    );
    assert_eq!(f.endpoint_problem("webdir.online.lync.com"), None);
}
