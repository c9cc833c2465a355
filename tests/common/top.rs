//! The answer the classifier gives a text, for the recognition tests
//! (each test file includes this with `#[path = "common/top.rs"] mod top;`).
#![allow(dead_code)]

/// The id of the best match for `text`, or `None`.
pub fn top(text: &str) -> Option<String> {
    csod::classify::classify_text(text, "en")
        .unwrap()
        .matches
        .first()
        .map(|m| m.id.clone())
}

/// Asserts the best match for `text`, naming the text when it is not.
pub fn assert_top(text: &str, want: Option<&str>) {
    assert_eq!(top(text).as_deref(), want, "text: {}", text);
}
