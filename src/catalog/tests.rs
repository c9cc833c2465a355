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
        assert!(c.problem(id).is_some(), "missing {}", id);
    }
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
