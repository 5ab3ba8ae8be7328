//! Stage 1, query → [`Plan`]: the query is split into words with the
//! indexer's tokenizer (so contractions expand the same way), stop words are
//! dropped unless nothing else is left, each word not in the index vocabulary
//! is corrected to the nearest vocabulary word (edit distance 1, 2 for words
//! of 8+ letters), and the thesaurus adds alternatives. The result is a list
//! of weighted concepts, one per content word.

use super::Engine;
use super::answer::Hit;
use super::forms;
use crate::text::analyzer::{self, is_stop_word};
use crate::text::lang::{self, ENGLISH};
use std::collections::{HashMap, HashSet};
use tantivy::query::FuzzyTermQuery;
use tantivy::{Searcher, Term};

/// At most this many query words are used (longer input is cut).
pub const MAX_QUERY_WORDS: usize = 32;
/// At most this many words are typo-corrected per query.
pub const MAX_CORRECTIONS: usize = 8;

/// A query word after analysis.
#[derive(Debug, Clone)]
pub(super) struct Word {
    surface: String,
    pub(super) from: usize,
    pub(super) to: usize,
    stop: bool,
}

/// One weighted unit of the query: a user word with its alternatives.
#[derive(Debug, Clone)]
pub(super) struct Concept {
    /// (stem, relative weight) — the word itself at 1.0, corrections lower.
    pub stems: Vec<(String, f32)>,
    /// Stems of synonyms (weight [`super::Ranking::synonym`]).
    pub synonyms: Vec<String>,
    /// IDF-like importance.
    pub weight: f32,
    /// The stem the word was corrected to, when the index does not know it.
    pub correction: String,
    /// Share of the sections holding it in their text (its most common
    /// spelling).
    pub share: f32,
}

/// What the query asks for, ready to be turned into a tantivy query.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Concepts with the index of the query word they come from.
    pub concepts: Vec<(usize, Concept)>,
    /// Thesaurus matches: per matched phrase, its alternatives, each as stems
    /// (one stem is a term, several a phrase).
    pub synonym_groups: Vec<Vec<Vec<String>>>,
    /// Words corrected because the index does not know them: byte range in
    /// the query and the stem they became.
    pub corrections: Vec<(usize, usize, String)>,
    /// Weight of the words found nowhere, not even by correction: they still
    /// count against confidence.
    pub unknown_weight: f32,
    /// Heading words that answer the query's question form ("why …" →
    /// causes, reasons; "what is …" → "what is", about), as stems: a
    /// heading answers when it holds every stem of one entry. See
    /// [`super::forms`].
    pub form_stems: Vec<Vec<String>>,
    /// The language the query is read in (see [`super::language`]).
    pub lang: String,
    /// Whether the index holds sections in more than one language.
    pub multilingual: bool,
}

impl Plan {
    /// The weight a section covering the whole query would match.
    pub fn total_weight(&self) -> f32 {
        (self.concepts.iter().map(|(_, c)| c.weight).sum::<f32>() + self.unknown_weight).max(1e-6)
    }

    /// Stems of the query's words and corrections, for highlighting.
    pub fn highlight(&self) -> HashSet<String> {
        self.concepts
            .iter()
            .flat_map(|(_, c)| c.stems.iter().map(|(s, _)| s.clone()))
            .collect()
    }

    /// Whether concept `c` is a common word that only the candidates are
    /// scored on in their text: one spelling, in more than `share` of the
    /// sections' texts, and a rarer word of the query finds them.
    pub fn is_common(&self, c: &Concept, share: f32) -> bool {
        c.share > share && c.stems.len() == 1 && self.concepts.iter().any(|(_, o)| o.share <= share)
    }

    /// Adjacent pairs of concepts (their first stems), for proximity.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.concepts
            .windows(2)
            .map(|w| (w[0].1.stems[0].0.clone(), w[1].1.stems[0].0.clone()))
            .filter(|(a, b)| a != b)
            .collect()
    }
}

impl Engine {
    /// Plans a query: words, corrections, synonyms → weighted concepts.
    pub(super) fn plan(&self, searcher: &Searcher, query: &str) -> Plan {
        let num_docs = searcher.num_docs().max(1) as f32;
        let present = crate::index::languages(searcher, self.fields.lang);
        let english = self.words(query, ENGLISH);
        let lang = if self.ranking.query_lang {
            self.query_lang(searcher, query, &english, &present)
        } else {
            ENGLISH.to_string()
        };
        let mut words = if lang == ENGLISH {
            english
        } else {
            self.words(query, &lang)
        };
        if lang == ENGLISH && self.ranking.question > 0.0 && self.ranking.stop_words {
            let surface: Vec<String> = words.iter().map(|w| w.surface.clone()).collect();
            for i in forms::form_only_words(&surface) {
                words[i].stop = true;
            }
        }
        let mut content: Vec<usize> = (0..words.len()).filter(|&i| !words[i].stop).collect();
        if content.is_empty() {
            content = (0..words.len()).collect();
        }
        content.truncate(MAX_QUERY_WORDS);
        let mut plan = Plan {
            multilingual: present.len() > 1,
            lang,
            ..Plan::default()
        };
        let mut seen_stems = HashSet::new();
        let max_weight = (1.0 + (num_docs + 0.5) / 0.5)
            .ln()
            .powf(self.ranking.coverage_idf);
        for &i in &content {
            let Some(stem) = self.stem_in(&plan.lang, &words[i].surface) else {
                continue;
            };
            let Some(concept) = self.concept(searcher, &plan, &words[i], stem, num_docs) else {
                plan.unknown_weight += max_weight;
                continue;
            };
            if !concept.correction.is_empty() {
                plan.corrections
                    .push((words[i].from, words[i].to, concept.correction.clone()));
            }
            if seen_stems.insert(concept.stems[0].0.clone()) {
                plan.concepts.push((i, concept));
            }
        }
        if plan.lang != ENGLISH {
            // The thesaurus and the question forms are English.
            return plan;
        }
        let surface: Vec<String> = words.into_iter().map(|w| w.surface).collect();
        self.add_synonyms(&surface, &mut plan);
        if self.ranking.question > 0.0 {
            for entry in forms::heading_words(&surface) {
                let stems: Vec<String> = entry.split(' ').filter_map(|w| self.stem(w)).collect();
                if !stems.is_empty() && !plan.form_stems.contains(&stems) {
                    plan.form_stems.push(stems);
                }
            }
        }
        plan
    }

    /// The concept of one query word (`stem` is its stem): the word when the index knows it, its
    /// correction when it does not (or when it is rare and the correction far
    /// more common); `None` when neither is found.
    fn concept(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        w: &Word,
        stem: String,
        num_docs: f32,
    ) -> Option<Concept> {
        let stem_df = self
            .doc_freq(searcher, self.fields.text, &stem)
            .max(self.doc_freq(searcher, self.fields.heading, &stem))
            .max(self.doc_freq(searcher, self.fields.title, &stem));
        let mut stems = Vec::new();
        let known = stem_df > 0;
        if known {
            stems.push((stem.clone(), 1.0));
        }
        let fuzzy = self.ranking.fuzzy;
        let mut correction = String::new();
        if fuzzy > 0.0
            && plan.corrections.len() < MAX_CORRECTIONS
            && stem_df <= 2
            && let Some((fixed, df)) = self.correct(searcher, plan, &w.surface, &stem)
        {
            // A rare word is also matched as its far more common neighbour,
            // unless they differ only in the first letter: typing slips
            // seldom hit it, and real words that do ("late", "date") mean
            // something else.
            if !known || (df >= 20 * stem_df.max(1) && !first_letter_swap(&stem, &fixed)) {
                if !stems.iter().any(|(s, _)| *s == fixed) {
                    stems.push((fixed.clone(), if known { fuzzy * 0.5 } else { fuzzy }));
                }
                if !known {
                    correction = fixed;
                }
            }
        }
        if stems.is_empty() {
            return None;
        }
        let df = stems
            .iter()
            .map(|(s, _)| self.doc_freq(searcher, self.fields.text, s))
            .max()
            .unwrap_or(0) as f32;
        let weight = (1.0 + (num_docs - df + 0.5) / (df + 0.5))
            .ln()
            .max(0.05)
            .powf(self.ranking.coverage_idf);
        Some(Concept {
            stems,
            synonyms: Vec::new(),
            weight,
            correction,
            share: df / num_docs,
        })
    }

    /// Thesaurus alternatives, matched on the surface words (phrases may
    /// span stop words). A one-word alternative is also noted on the concept
    /// it stands for, so coverage counts it.
    fn add_synonyms(&self, surface: &[String], plan: &mut Plan) {
        let mut at = 0;
        while self.ranking.synonym > 0.0 && at < surface.len() {
            let Some((n, alts)) = self.thesaurus.alternatives(surface, at) else {
                at += 1;
                continue;
            };
            let own: Vec<String> = (at..at + n).filter_map(|k| self.stem(&surface[k])).collect();
            let mut group = Vec::new();
            for alt in alts {
                let stems: Vec<String> = alt.iter().filter_map(|w| self.stem(w)).collect();
                if stems.is_empty() || stems == own {
                    continue;
                }
                if stems.len() == 1
                    && let Some((_, c)) = plan.concepts.iter_mut().find(|(i, _)| *i >= at && *i < at + n)
                    && !c.synonyms.contains(&stems[0])
                {
                    c.synonyms.push(stems[0].clone());
                }
                group.push(stems);
            }
            if !group.is_empty() {
                plan.synonym_groups.push(group);
            }
            at += n;
        }
    }

    /// The English stem of a word.
    pub(super) fn stem(&self, word: &str) -> Option<String> {
        self.stem_in(ENGLISH, word)
    }

    /// The stem of a word in language `code`.
    pub(super) fn stem_in(&self, code: &str, word: &str) -> Option<String> {
        super::with_analyzer(code, |an| {
            analyzer::tokens(an, word).into_iter().next().map(|t| t.text)
        })
    }

    /// The query's words as the language `code` splits them; in languages
    /// other than English they keep their accents, which their stop-word
    /// lists and stemmers expect.
    fn words(&self, query: &str, code: &str) -> Vec<Word> {
        let mut an = if code == ENGLISH {
            self.surface.clone()
        } else {
            analyzer::surface_for(code)
        };
        let stop = |w: &str| is_stop_word(w) || (code != ENGLISH && lang::is_stop_word(code, w));
        let mut out: Vec<Word> = Vec::new();
        let mut last_pos = usize::MAX;
        for t in analyzer::tokens(&mut an, query) {
            if t.position == last_pos {
                continue; // joined hyphen compound: the parts are enough
            }
            last_pos = t.position;
            out.push(Word {
                stop: self.ranking.stop_words && stop(&t.text),
                surface: t.text,
                from: t.offset_from,
                to: t.offset_to,
            });
            if out.len() >= MAX_QUERY_WORDS * 2 {
                break;
            }
        }
        out
    }

    fn doc_freq(&self, searcher: &Searcher, field: tantivy::schema::Field, text: &str) -> u64 {
        searcher
            .doc_freq(&Term::from_field_text(field, text))
            .unwrap_or(0)
    }

    /// The most frequent indexed stem within edit distance of the stem of
    /// `word` (1, or 2 for words of 8 letters or more), searched in the
    /// body and heading vocabularies.
    /// In an index of several languages the correction must occur in a
    /// section of the query's language: no English word replaces a German one.
    fn correct(&self, searcher: &Searcher, plan: &Plan, word: &str, stem: &str) -> Option<(String, u64)> {
        let len = word.chars().count();
        if len < 4 || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let distance = if len >= 8 { 2 } else { 1 };
        // A stem's frequency in a field is the sum over the segments (as
        // the searcher's `doc_freq`), so an index split by updates picks
        // the correction its merged form does; across fields, the larger.
        let mut found: HashMap<String, u64> = HashMap::new();
        for field in [self.fields.text, self.fields.heading] {
            let q = FuzzyTermQuery::new(Term::from_field_text(field, stem), distance, true);
            let automaton = q.automaton().ok()?;
            let mut in_field: HashMap<String, u64> = HashMap::new();
            for seg in searcher.segment_readers() {
                let Ok(inv) = seg.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inv.terms().search(&automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(k) = std::str::from_utf8(stream.key()) {
                        *in_field.entry(k.to_string()).or_default() += u64::from(stream.value().doc_freq);
                    }
                }
            }
            for (k, df) in in_field {
                let e = found.entry(k).or_default();
                *e = (*e).max(df);
            }
        }
        let mut ranked: Vec<(usize, u64, String)> = found
            .into_iter()
            .filter(|(w, _)| w != stem && !is_stop_word(w))
            .map(|(w, df)| (levenshtein(stem, &w), df, w))
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        ranked
            .into_iter()
            .take(if plan.multilingual { 16 } else { 1 })
            .find(|(_, _, w)| !plan.multilingual || self.stem_known_in(searcher, &plan.lang, w))
            .map(|(_, df, w)| (w, df))
    }

    /// The query with corrected words put back as words, when any could be.
    pub(super) fn suggestion(&self, query: &str, plan: &Plan, hits: &[Hit]) -> Option<String> {
        let mut s = String::new();
        let mut last = 0;
        let mut any = false;
        for (from, to, stem) in &plan.corrections {
            let Some(word) = self.word_for(&plan.lang, stem, hits) else {
                continue;
            };
            s.push_str(&query[last..*from]);
            s.push_str(&word);
            last = *to;
            any = true;
        }
        s.push_str(&query[last..]);
        any.then(|| s.to_lowercase())
    }

    /// The most common word of the hits whose stem is `stem`: turns a
    /// corrected stem back into a word for the suggestion.
    fn word_for(&self, code: &str, stem: &str, hits: &[Hit]) -> Option<String> {
        let mut an = analyzer::surface_for(code);
        let mut counts: HashMap<String, usize> = HashMap::new();
        let first = stem.chars().next()?;
        for h in hits {
            for text in [&h.heading, &h.title, &h.text] {
                for t in analyzer::tokens(&mut an, text) {
                    if t.text.starts_with(first)
                        && t.text.len() >= stem.len()
                        && self.stem_in(code, &t.text).as_deref() == Some(stem)
                    {
                        *counts.entry(t.text).or_default() += 1;
                    }
                }
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(w, _)| w)
    }
}

/// Edit distance between two short words.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether two words of the same length differ in their first letter (and
/// so, for words one edit apart, only there).
fn first_letter_swap(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count() && a.chars().next() != b.chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("delivred", "delivered"), 1);
        assert_eq!(levenshtein("imesage", "imessage"), 1);
        assert_eq!(levenshtein("abc", "abc"), 0);
    }
}
