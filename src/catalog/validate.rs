//! The catalog's consistency rules: what `validate` checks before the
//! library works with a catalog.

use super::{texts, Catalog, ConceptKind, FAMILIES, SHAPES};

fn weight_ok(w: f64) -> bool {
    w > 0.0 && w < 1.0
}

/// Every consistency rule the catalog must satisfy. The library refuses to
/// work with a catalog that breaks one (the tests make sure it never ships).
pub fn validate(c: &Catalog) -> Vec<String> {
    let mut errors = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for k in &c.concepts {
        if !ids.insert(k.id.clone()) {
            errors.push(format!(
                "concept {} defined twice (token, code or keyword)",
                k.id
            ));
        }
        match k.kind {
            ConceptKind::Keyword | ConceptKind::Code => {}
            ConceptKind::Shape => {
                if !SHAPES.contains(&k.id.as_str()) || !k.terms.is_empty() {
                    errors.push(format!(
                        "shape concept {} must be one of {} and have no terms",
                        k.id,
                        SHAPES.join(", ")
                    ));
                }
            }
            _ => {
                if k.terms.is_empty() {
                    errors.push(format!("concept {} has no term", k.id));
                }
            }
        }
    }
    let kind_of = |id: &str| c.concepts.iter().find(|k| k.id == id).map(|k| k.kind);
    let mut seen = std::collections::BTreeSet::new();
    for p in &c.problems {
        if !seen.insert(p.id.clone()) {
            errors.push(format!("problem {} listed twice", p.id));
        }
        if !FAMILIES.contains(&p.family.as_str()) {
            errors.push(format!(
                "problem {}: family {:?} is not one of {}",
                p.id,
                p.family,
                FAMILIES.join(", ")
            ));
        }
        for lang in &c.output_languages {
            match p.text.get(lang) {
                None => errors.push(format!("problem {} has no complete {} text", p.id, lang)),
                Some(t) => {
                    if t.resolution.is_empty() {
                        errors.push(format!("problem {} has no {} resolution step", p.id, lang));
                    }
                }
            }
        }
        if let Some(fix) = &p.fix {
            if fix.trim().is_empty() {
                errors.push(format!("problem {}: empty fix command", p.id));
            }
        }
        let r = &p.recognize;
        for (name, w) in r.cues.iter().chain(r.against.iter()) {
            if kind_of(name).is_none() {
                errors.push(format!("problem {}: unknown concept {}", p.id, name));
            }
            if !weight_ok(*w) {
                errors.push(format!(
                    "problem {}: weight {} of {} outside (0, 1)",
                    p.id, w, name
                ));
            }
        }
        if r.require.is_empty() {
            errors.push(format!("problem {}: no required concept set", p.id));
        }
        for set in &r.require {
            if set.is_empty() {
                errors.push(format!("problem {}: an empty required set", p.id));
            }
            for name in set {
                if !r.cues.contains_key(name) {
                    errors.push(format!(
                        "problem {}: required {} is not among its cues",
                        p.id, name
                    ));
                }
                if kind_of(name) == Some(ConceptKind::Keyword) {
                    for l in &c.lexicons {
                        if !l.concepts.contains_key(name) {
                            errors.push(format!(
                                "problem {} requires keyword {}, which lexicon/{}.json lacks",
                                p.id, name, l.language
                            ));
                        }
                    }
                }
            }
        }
        for f in &r.fields {
            if f != "version_found" && f != "version_required" {
                errors.push(format!("problem {}: unknown field {}", p.id, f));
            }
        }
    }
    let mut langs = std::collections::BTreeSet::new();
    for l in &c.lexicons {
        if !langs.insert(l.language.clone()) {
            errors.push(format!("lexicon {} listed twice", l.language));
        }
        match (&l.script, l.stopwords.len()) {
            (Some(s), 0) if ["cyrillic", "kana", "hangul", "han"].contains(&s.as_str()) => {}
            (None, n) if n >= 10 => {}
            _ => errors.push(format!(
                "lexicon/{}: needs a script (cyrillic, kana, hangul, han) or 10 stopwords or more",
                l.language
            )),
        }
        for (concept, terms) in &l.concepts {
            if terms.is_empty() {
                errors.push(format!(
                    "lexicon/{}: concept {} has no term",
                    l.language, concept
                ));
            }
            for t in terms {
                let body = t.trim_start_matches(['@', '=', '*']);
                let folded = crate::classify::view::fold(body);
                let n = folded.trim().chars().count();
                // One Hangul syllable is a whole morpheme (셸, shell); any other
                // term needs two characters or more.
                let hangul = folded
                    .chars()
                    .all(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c));
                if n < 2 && !(n == 1 && hangul) {
                    errors.push(format!(
                        "lexicon/{}: term {:?} of {} is too short to be specific",
                        l.language, t, concept
                    ));
                }
            }
        }
    }
    for code in &c.codes {
        if code.code < i32::MIN as i64 || code.code > i32::MAX as i64 {
            errors.push(format!("code {} is not a signed 32-bit value", code.name));
        }
    }
    let ids: Vec<&str> = c.problems.iter().map(|p| p.id.as_str()).collect();
    errors.extend(texts::validate(&c.texts, &ids, &c.facts.text_values()));
    errors.extend(c.facts.validate(&ids));
    errors
}
