//! What the classifier said of a block, by the block's bytes: a transcript
//! repeats its blocks (the same warning on every pass of a loop, the same
//! error for every user of a list), and a block's answer depends only on
//! its bytes and the scan's language. Bounded in entries and in the bytes of
//! a key: two generations of at most [`GENERATION`] blocks of at most
//! [`MAX_KEY`] bytes each; when the newer one is full it becomes the older
//! one and the oldest is dropped, so blocks that keep coming back stay.

use std::collections::{BTreeMap, HashMap};

/// Blocks per generation.
pub(super) const GENERATION: usize = 2048;
/// Longer blocks are classified every time (they are rare and would make the
/// memo's memory depend on the input).
pub(super) const MAX_KEY: usize = 512;

/// The part of a match a hit keeps.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Answer {
    pub id: String,
    pub confidence: f64,
    pub title: String,
    pub fields: BTreeMap<String, String>,
}

#[derive(Default)]
pub(super) struct Memo {
    new: HashMap<Box<[u8]>, Option<Answer>>,
    old: HashMap<Box<[u8]>, Option<Answer>>,
}

impl Memo {
    /// The answer remembered for `block`: `None` when it is not known,
    /// `Some(None)` when the classifier found no match.
    pub(super) fn get(&mut self, block: &[u8]) -> Option<Option<Answer>> {
        if let Some(a) = self.new.get(block) {
            return Some(a.clone());
        }
        let a = self.old.remove(block)?;
        self.put(block, a.clone());
        Some(a)
    }

    /// Remembers the answer for `block` (not when the block is too long).
    pub(super) fn put(&mut self, block: &[u8], answer: Option<Answer>) {
        if block.len() > MAX_KEY {
            return;
        }
        if self.new.len() >= GENERATION {
            self.old = std::mem::take(&mut self.new);
        }
        self.new.insert(block.into(), answer);
    }

    /// Blocks remembered (both generations).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.new.len() + self.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str) -> Option<Answer> {
        Some(Answer {
            id: id.into(),
            confidence: 0.9,
            title: String::new(),
            fields: BTreeMap::new(),
        })
    }

    #[test]
    fn remembers_answers_and_misses_by_the_bytes() {
        let mut m = Memo::default();
        assert_eq!(m.get(b"a"), None);
        m.put(b"a", answer("logon_failed"));
        m.put(b"b", None);
        assert_eq!(m.get(b"a"), Some(answer("logon_failed")));
        assert_eq!(m.get(b"b"), Some(None));
        assert_eq!(m.get(b"a "), None);
    }

    #[test]
    fn stays_bounded_and_keeps_what_comes_back() {
        let mut m = Memo::default();
        m.put(&[b'x'; MAX_KEY + 1], None);
        assert_eq!(m.len(), 0, "a long block is not remembered");
        m.put(b"kept", answer("execution_policy"));
        for i in 0..10 * GENERATION {
            m.put(format!("block {}", i).as_bytes(), None);
            if i % (GENERATION / 2) == 0 {
                // Asked for again now and then: it moves to the newer generation.
                assert!(m.get(b"kept").is_some(), "lost after {} blocks", i);
            }
            assert!(m.len() <= 2 * GENERATION);
        }
        assert_eq!(m.get(b"block 0"), None, "the oldest blocks are dropped");
    }
}
