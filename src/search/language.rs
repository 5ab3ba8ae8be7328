//! Part of stage 1: the language a query is written in. Short queries are
//! hard for a detector alone, so its guess (among the languages the index
//! holds) has to be backed by the query's words: stop words of that language,
//! and words whose stems the index knows only in that language's sections.
//! Without such evidence the query is read as English.

use super::Engine;
use super::plan::Word;
use crate::text::lang::{self, ENGLISH};
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

impl Engine {
    /// The language to read a query in, given its words as English splits
    /// them and the index's languages.
    pub(super) fn query_lang(
        &self,
        searcher: &Searcher,
        query: &str,
        english: &[Word],
        present: &[(String, u64)],
    ) -> String {
        match present {
            [] => return ENGLISH.to_string(),
            [(only, _)] => return only.clone(),
            _ => {}
        }
        let allowed: Vec<&str> = present.iter().map(|(c, _)| c.as_str()).collect();
        let Some((guess, _)) = lang::guess(query, &allowed) else {
            return ENGLISH.to_string();
        };
        if guess == ENGLISH || !allowed.contains(&ENGLISH) {
            return guess.to_string();
        }
        if query.chars().any(lang::is_cjk) {
            return guess.to_string();
        }
        // Lower case with accents kept, as stop-word lists and stemmers want.
        let words: Vec<String> = english
            .iter()
            .map(|w| query[w.from..w.to].to_lowercase())
            .collect();
        let evidence = |code: &str| -> usize {
            let stops = words.iter().filter(|w| lang::is_stop_word(code, w)).count();
            let other = if code == ENGLISH { guess } else { ENGLISH };
            let only_here = words
                .iter()
                .filter(|w| !lang::is_stop_word(code, w))
                .filter(|w| self.known_in(searcher, code, w) && !self.known_in(searcher, other, w))
                .count();
            stops + only_here
        };
        if evidence(guess) > evidence(ENGLISH) {
            guess.to_string()
        } else {
            ENGLISH.to_string()
        }
    }

    /// Whether the stem of `word` in language `code` occurs in the text of
    /// a section in that language.
    pub(super) fn known_in(&self, searcher: &Searcher, code: &str, word: &str) -> bool {
        let Some(stem) = self.stem_in(code, word) else {
            return false;
        };
        self.stem_known_in(searcher, code, &stem)
    }

    /// Whether `stem` occurs in the text or heading of a section in language `code`.
    pub(super) fn stem_known_in(&self, searcher: &Searcher, code: &str, stem: &str) -> bool {
        let lang_term = Term::from_field_text(self.fields.lang, code);
        [self.fields.text, self.fields.heading].into_iter().any(|field| {
            let q = BooleanQuery::intersection(vec![
                Box::new(TermQuery::new(
                    Term::from_field_text(field, stem),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
                Box::new(TermQuery::new(lang_term.clone(), IndexRecordOption::Basic)),
            ]);
            searcher.search(&q, &Count).unwrap_or(0) > 0
        })
    }
}
