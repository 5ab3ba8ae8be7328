//! A small troubleshooting thesaurus applied at query time.
//!
//! Each group lists terms (single words or short phrases) that people use for
//! the same thing. When a query contains one of them, the others are searched
//! too, at a lower weight than the user's own words. A help team can add
//! groups in `synonyms.txt` at the corpus root: one group per line, terms
//! separated by commas, `#` for comments.

use std::path::Path;

/// Built-in groups.
const BUILT_IN: &[&[&str]] = &[
    &["text", "message", "sms", "imessage", "texts", "messages"],
    &[
        "restart",
        "reboot",
        "power cycle",
        "turn off and on",
        "soft reset",
    ],
    &["basic", "standard", "simple"],
    &["lose", "losing", "lost", "loss"],
    &["switch", "turn", "toggle"],
    &["free", "no cost", "free of charge"],
    &["wifi", "wi-fi", "wireless", "internet", "network"],
    &["sign out", "log out", "logout", "signout"],
    &["sign in", "log in", "login", "signin"],
    &["update", "upgrade"],
    &["erase", "wipe", "reset", "factory reset"],
    &["phone", "iphone", "device", "smartphone", "handset"],
    &["delete", "remove", "erase"],
    &["broken", "corrupt", "corrupted", "damaged"],
    &["recover", "restore", "retrieve", "get back"],
    &["photos", "pictures", "images", "gallery"],
    &["pc", "computer", "laptop"],
    &["uninstall", "remove"],
    &["app", "application", "program"],
    &["fix", "repair", "solve", "troubleshoot"],
    &["slow", "lag", "laggy", "sluggish"],
    &["freeze", "frozen", "hang", "stuck", "unresponsive"],
    &["crash", "crashes", "quits", "closes"],
    &["sound", "audio"],
    &["backup", "back up"],
    &["green bubbles", "sms", "text message"],
    &["blocked", "block"],
    &["switched off", "turned off", "disabled", "off"],
    &["switched on", "turned on", "enabled", "activated"],
];

/// Synonym groups, each a list of phrases, each phrase a list of lower-case words.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    groups: Vec<Vec<Vec<String>>>,
}

fn phrase(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Thesaurus {
    /// The built-in groups only.
    pub fn built_in() -> Self {
        let mut t = Thesaurus::default();
        for g in BUILT_IN {
            t.add_group(g.iter().copied());
        }
        t
    }

    /// The built-in groups plus `synonyms.txt` from the corpus root, if any.
    pub fn for_corpus(corpus: &Path) -> Self {
        let mut t = Self::built_in();
        if let Ok(text) = std::fs::read_to_string(corpus.join("synonyms.txt")) {
            t.add_text(&text);
        }
        t
    }

    /// Adds groups from text in the `synonyms.txt` format.
    pub fn add_text(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() {
                self.add_group(line.split(','));
            }
        }
    }

    fn add_group<'a>(&mut self, terms: impl Iterator<Item = &'a str>) {
        let g: Vec<Vec<String>> = terms.map(phrase).filter(|p| !p.is_empty()).collect();
        if g.len() >= 2 {
            self.groups.push(g);
        }
    }

    /// For the query words starting at `at`, the longest phrase of any group
    /// that matches there: its length in words and the other phrases of its
    /// groups.
    pub fn alternatives(&self, words: &[String], at: usize) -> Option<(usize, Vec<Vec<String>>)> {
        let mut best: Option<(usize, Vec<Vec<String>>)> = None;
        for g in &self.groups {
            for p in g {
                let n = p.len();
                if at + n <= words.len() && words[at..at + n] == p[..] {
                    let others: Vec<Vec<String>> = g.iter().filter(|q| *q != p).cloned().collect();
                    match &mut best {
                        Some((len, alts)) if *len == n => {
                            for o in others {
                                if !alts.contains(&o) {
                                    alts.push(o);
                                }
                            }
                        }
                        Some((len, _)) if *len > n => {}
                        _ => best = Some((n, others)),
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        phrase(s)
    }

    #[test]
    fn finds_longest_phrase_and_merges_groups() {
        let t = Thesaurus::built_in();
        let (n, alts) = t.alternatives(&w("please log out now"), 1).unwrap();
        assert_eq!(n, 2);
        assert!(alts.contains(&w("sign out")));
        let (_, alts) = t.alternatives(&w("reboot"), 0).unwrap();
        assert!(alts.contains(&w("restart")) && alts.contains(&w("power cycle")));
        assert!(t.alternatives(&w("banana"), 0).is_none());
    }

    #[test]
    fn corpus_file_adds_groups() {
        let mut t = Thesaurus::built_in();
        t.add_text("# team words\nvpn, tunnel , secure connection\n");
        let (_, alts) = t.alternatives(&w("tunnel"), 0).unwrap();
        assert_eq!(alts, vec![w("vpn"), w("secure connection")]);
    }
}
