//! The words of a text whose stems are among a query's: the snippet's
//! choice of line and the highlighting of hits.
//!
//! Analysing every word of every hit's text (fold, lower-case, stem) was a
//! seventh of a query on the 14k corpus, while few words match. The English
//! stemmer only ever rewrites the end of a word, so a word can have a
//! wanted stem only if its first character, folded and lower-cased, starts
//! one: the others are skipped after the split into words. Words starting
//! with anything but an ASCII letter or digit, and text in other languages,
//! whose stemmers may rewrite more, are analysed in full. The ranges are
//! the ones the full analyzer gives.

use super::analyzer;
use super::words::WordTokenizer;
use std::collections::HashSet;
use tantivy::tokenizer::{RawTokenizer, TextAnalyzer, TokenStream, Tokenizer};

/// Finds matching words in English text; keep one per thread, its stem memo
/// lasts between texts.
pub struct Highlighter {
    words: WordTokenizer,
    /// The English analyzer's filters over one word.
    one: TextAnalyzer,
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter {
            words: WordTokenizer::ENGLISH,
            one: analyzer::english_filters(TextAnalyzer::builder(RawTokenizer::default())),
        }
    }
}

impl Highlighter {
    /// Byte ranges of the words of English `text` whose stem is in `stems`,
    /// in text order, each range once.
    pub fn ranges(&mut self, text: &str, stems: &HashSet<String>) -> Vec<(usize, usize)> {
        let mut starts = [false; 128];
        for s in stems {
            if let Some(&b) = s.as_bytes().first()
                && b.is_ascii()
            {
                starts[usize::from(b)] = true;
            }
        }
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut words = self.words.token_stream(text);
        while words.advance() {
            let t = words.token();
            let Some(&first) = t.text.as_bytes().first() else {
                continue;
            };
            if first.is_ascii_alphanumeric() && !starts[usize::from(first.to_ascii_lowercase())] {
                continue;
            }
            let range = (t.offset_from, t.offset_to);
            let mut one = self.one.token_stream(&t.text);
            if one.advance() && stems.contains(&one.token().text) && out.last() != Some(&range) {
                out.push(range);
            }
        }
        out
    }
}

/// The same ranges through a whole analyzer, every word analysed (for
/// text in other languages).
pub fn ranges_with(analyzer: &mut TextAnalyzer, text: &str, stems: &HashSet<String>) -> Vec<(usize, usize)> {
    let mut stream = analyzer.token_stream(text);
    let mut out: Vec<(usize, usize)> = Vec::new();
    while stream.advance() {
        let t = stream.token();
        if stems.contains(&t.text) && out.last() != Some(&(t.offset_from, t.offset_to)) {
            out.push((t.offset_from, t.offset_to));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranges the full English analyzer gives.
    fn full(text: &str, stems: &HashSet<String>) -> Vec<(usize, usize)> {
        ranges_with(&mut analyzer::english(), text, stems)
    }

    #[test]
    fn skipping_words_finds_what_the_full_analyzer_finds() {
        let text = "Dying batteries: the phone's Wi-Fi won't reconnect. Tying the cable, lying flat; \
                    Écran noir? Restarting OutputVideos helps. ÆSIR 2FA codes, skies and skis, \
                    an unbelievablylongwordthatgoesonandonforeverandeverandmore one, 設定を開く.";
        let words: Vec<String> = {
            let mut a = analyzer::english();
            let mut s = a.token_stream(text);
            let mut v = Vec::new();
            while s.advance() {
                v.push(s.token().text.clone());
            }
            v
        };
        let mut h = Highlighter::default();
        // Every stem of the text on its own, all of them at once, and
        // stems the text does not hold.
        for w in &words {
            let one: HashSet<String> = [w.clone()].into();
            assert_eq!(h.ranges(text, &one), full(text, &one), "{w}");
        }
        let all: HashSet<String> = words.iter().cloned().collect();
        assert_eq!(h.ranges(text, &all), full(text, &all));
        assert!(!h.ranges(text, &all).is_empty());
        let none: HashSet<String> = ["zebra".to_string(), "".to_string()].into();
        assert_eq!(h.ranges(text, &none), Vec::<(usize, usize)>::new());
        // A stem differing from its word in the first letters ("dying" →
        // "die") is still found.
        let die: HashSet<String> = ["die".to_string()].into();
        assert_eq!(h.ranges(text, &die), [(0, 5)]);
    }
}
