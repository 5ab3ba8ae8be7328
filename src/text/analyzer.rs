//! Text analysis shared by the indexer and the query side.
//!
//! Each text is analysed in its language ([`super::lang`]): the indexed
//! fields carry a language tag in front of their text ([`tag`]), which the
//! registered tokenizer reads to pick the stemmer; the query side calls
//! [`for_lang`] directly. What follows describes English, the default;
//! other languages skip the contractions and the English clitics, cut
//! elided articles where the language has them, and are lower-cased and
//! stemmed before they are folded to ASCII (Snowball stemmers expect their
//! accents).
//!
//! Words are runs of letters and digits, joined across apostrophes. Negative
//! contractions are expanded, so `won't`, `won’t`, `wont` and `will not` all
//! become `will not`; other clitics (`'s`, `'re`, `'ll`) are dropped. Short
//! hyphenated compounds also yield their joined form (`Wi-Fi` → `wi`, `fi`,
//! `wifi`). Then ASCII folding, lower case and the English Snowball stemmer.
//!
//! Stop words are *not* removed at index time: the index keeps every word so
//! that a query made only of common words still finds something, and phrase
//! matching sees the real word positions. The query side drops stop words
//! from its term clauses instead (see [`is_stop_word`]); negations such as
//! `not` and `no` are deliberately not stop words, because "won't send" and
//! "sends" describe different problems.

use super::lang::{self, ENGLISH};
pub use super::stem::{CachedStemmer, STEM_MEMO};
use super::words::WordTokenizer;
use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, BoxTokenStream, LowerCaser, RemoveLongFilter, TextAnalyzer, TextAnalyzerBuilder,
    Token, TokenStream, Tokenizer,
};

/// Name of the tokenizer of the searchable text fields ([`Tagged`]).
pub const EN: &str = "fixdex";

/// Marks the language tag at the start of an indexed text.
const TAG: char = '\u{E001}';

/// Builds the English analyzer for the text fields.
pub fn english() -> TextAnalyzer {
    english_filters(TextAnalyzer::builder(WordTokenizer::ENGLISH))
}

/// The English analyzer's filters after a tokenizer (also run over single
/// words by [`super::highlight`]).
pub fn english_filters<T: Tokenizer>(words: TextAnalyzerBuilder<T>) -> TextAnalyzer {
    words
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .filter(CachedStemmer::ENGLISH)
        .build()
}

/// The analyzer for text in the language `code` (see the module docs).
pub fn for_lang(code: &str) -> TextAnalyzer {
    if code == ENGLISH {
        return english();
    }
    let l = lang::get(code);
    let words = WordTokenizer::new(true, false, l.is_some_and(|l| l.elision));
    TextAnalyzer::builder(words)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(CachedStemmer(l.and_then(|l| l.stemmer)))
        .filter(AsciiFoldingFilter)
        .build()
}

/// `text` with the tag that makes [`Tagged`] analyse it in language `code`.
pub fn tag(code: &str, text: &str) -> String {
    let mut s = String::with_capacity(text.len() + code.len() + 8);
    s.push(TAG);
    s.push_str(code);
    s.push(TAG);
    s.push_str(text);
    s
}

/// The tokenizer of the indexed fields: reads the language tag that
/// [`tag`] put in front of the text and analyses the rest with
/// [`for_lang`]; untagged text is English. One analyzer (and stem memo) per
/// language per clone.
#[derive(Clone, Default)]
pub struct Tagged {
    analyzers: HashMap<String, TextAnalyzer>,
}

impl Tokenizer for Tagged {
    type TokenStream<'a> = BoxTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BoxTokenStream<'a> {
        let (code, rest) = text
            .strip_prefix(TAG)
            .and_then(|t| t.split_once(TAG))
            .filter(|(code, _)| code.len() <= 8)
            .unwrap_or((ENGLISH, text));
        self.analyzer(code).token_stream(rest)
    }
}

impl Tagged {
    /// The analyzer of language `code` ([`for_lang`]), made on first use
    /// and kept, with its stem memo.
    pub fn analyzer(&mut self, code: &str) -> &mut TextAnalyzer {
        if !self.analyzers.contains_key(code) {
            self.analyzers.insert(code.to_string(), for_lang(code));
        }
        self.analyzers.get_mut(code).expect("inserted above")
    }
}

/// Builds the query-side word analyzer: contractions expanded like the
/// index, folded and lower-cased, not stemmed (so stop words can be
/// recognised and typos corrected against the vocabulary).
pub fn surface() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::ENGLISH)
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .build()
}

/// The query-side word analyzer for language `code`: [`surface`] for
/// English; other languages are lower-cased with their accents kept.
pub fn surface_for(code: &str) -> TextAnalyzer {
    if code == ENGLISH {
        return surface();
    }
    let words = WordTokenizer::new(true, false, lang::get(code).is_some_and(|l| l.elision));
    TextAnalyzer::builder(words)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build()
}

/// Registers the tokenizer of the text fields on an index.
pub fn register(index: &tantivy::Index) {
    index
        .tokenizers()
        .register(EN, TextAnalyzer::from(Tagged::default()));
}

/// Runs an analyzer over `text` and returns its tokens.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

/// English function words that carry little meaning in a problem description.
/// Negations (`not`, `no`, `never`), `off`/`on`/`out`/`up`/`down` (turn off,
/// sign out, set up) are kept. Question words are not: the question form
/// (`search/forms.rs`) turns a leading "how do I" or "why" into the heading
/// words that answer it, and elsewhere ("…, how do I open it") `how` only
/// matched every "How to …" heading.
pub fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "been"
            | "but"
            | "by"
            | "can"
            | "could"
            | "did"
            | "do"
            | "doe"
            | "does"
            | "for"
            | "from"
            | "had"
            | "has"
            | "have"
            | "i"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "me"
            | "my"
            | "of"
            | "or"
            | "our"
            | "should"
            | "so"
            | "some"
            | "such"
            | "that"
            | "the"
            | "their"
            | "them"
            | "then"
            | "there"
            | "these"
            | "they"
            | "this"
            | "to"
            | "wa"
            | "was"
            | "we"
            | "were"
            | "what"
            | "when"
            | "where"
            | "which"
            | "who"
            | "why"
            | "will"
            | "with"
            | "would"
            | "you"
            | "your"
            | "am"
            | "just"
            | "still"
            | "how"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_capitalised_words_are_also_indexed_apart() {
        let mut en = english();
        let texts =
            |t: &str| -> Vec<String> { tokens(&mut en.clone(), t).into_iter().map(|t| t.text).collect() };
        assert_eq!(
            texts("the OutputVideos folder"),
            ["the", "outputvideo", "output", "video", "folder"]
        );
        assert_eq!(texts("PowerShell"), ["powershel", "power", "shell"]);
        for whole in [
            "iPhone", "YouTube", "MacBook", "WhatsApp", "OneDrive", "HTML", "McDonald",
        ] {
            assert_eq!(texts(whole).len(), 1, "{whole}");
        }
        // The parts share the word's position: phrases around it are unchanged.
        let positions: Vec<usize> = tokens(&mut en, "set OutputVideos now")
            .iter()
            .map(|t| t.position)
            .collect();
        assert_eq!(positions, [0, 1, 1, 1, 2]);
    }

    #[test]
    fn memoised_stems_equal_tantivys_stemmer() {
        use tantivy::tokenizer::{Language, Stemmer};
        let mut plain = TextAnalyzer::builder(WordTokenizer::ENGLISH)
            .filter(RemoveLongFilter::limit(40))
            .filter(AsciiFoldingFilter)
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = english();
        let text = "Messages weren't delivered; deliveries retried. Delivering messages, \
                    restarting, restarted, RESTARTS, généralement, iPhone's settings, settings.";
        // Twice through the same analyzer: the second pass reads the memo.
        for _ in 0..2 {
            let a: Vec<String> = tokens(&mut plain, text).into_iter().map(|t| t.text).collect();
            let b: Vec<String> = tokens(&mut cached, text).into_iter().map(|t| t.text).collect();
            assert_eq!(a, b);
        }
        let mut small = TextAnalyzer::builder(WordTokenizer::ENGLISH)
            .filter(CachedStemmer::ENGLISH)
            .build();
        let words: String = (0..STEM_MEMO + 10).map(|i| format!("word{i}s ")).collect();
        assert_eq!(tokens(&mut small, &words).len(), STEM_MEMO + 10);
        // Still right after the memo filled up and was emptied.
        assert_eq!(tokens(&mut small, "running")[0].text, "run");
    }

    fn en(text: &str) -> Vec<String> {
        tokens(&mut english(), text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn contractions_match_their_long_forms() {
        let long = en("will not deliver");
        assert_eq!(en("won't deliver"), long);
        assert_eq!(en("won’t deliver"), long);
        assert_eq!(en("wont deliver"), long);
        assert_eq!(en("can't"), en("cannot"));
        assert_eq!(en("can't"), en("can not"));
        assert_eq!(en("isn't"), en("is not"));
        assert_eq!(en("doesn't"), en("does not"));
        assert_eq!(en("didn’t"), en("did not"));
    }

    #[test]
    fn stemming_and_case() {
        assert_eq!(
            en("Delivered delivering DELIVER"),
            vec!["deliv", "deliv", "deliv"]
        );
        assert_eq!(en("iPhone's settings"), vec!["iphon", "set"]);
    }

    #[test]
    fn hyphen_compounds_add_joined_form() {
        let t = tokens(&mut english(), "Wi-Fi off");
        let got: Vec<_> = t.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(got, vec![("wi", 0), ("fi", 1), ("wifi", 0), ("off", 2)]);
    }

    #[test]
    fn surface_words_are_not_stemmed() {
        let w: Vec<_> = tokens(&mut surface(), "Delivered Café won't")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(w, vec!["delivered", "cafe", "will", "not"]);
    }

    fn stems(code: &str, text: &str) -> Vec<String> {
        tokens(&mut for_lang(code), text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn each_language_has_its_stemmer() {
        assert_eq!(
            stems("de", "Einstellungen Papierkörbe"),
            stems("de", "Einstellung Papierkorb")
        );
        assert_ne!(stems("en", "Einstellungen"), stems("en", "Einstellung"));
        assert_eq!(stems("fr", "l'icône des icônes"), ["icon", "de", "icon"]);
        assert_eq!(stems("it", "dell'indice")[0], stems("it", "indici")[0]);
        assert_eq!(stems("es", "iconos")[0], stems("es", "icono")[0]);
        // English contractions are English only.
        assert_eq!(stems("de", "won't"), ["wont"]);
        // No stemmer: words are kept, folded.
        assert_eq!(stems("vi", "Cài đặt"), ["cai", "dat"]);
    }

    #[test]
    fn tagged_text_is_analysed_in_its_language() {
        let mut t = TextAnalyzer::from(Tagged::default());
        let got = |t: &mut TextAnalyzer, s: &str| -> Vec<String> {
            tokens(t, s).into_iter().map(|t| t.text).collect()
        };
        assert_eq!(
            got(&mut t, &tag("de", "Einstellungen")),
            stems("de", "Einstellungen")
        );
        assert_eq!(got(&mut t, &tag("en", "settings")), ["set"]);
        assert_eq!(got(&mut t, "settings"), ["set"], "untagged text is English");
    }

    #[test]
    fn negation_is_not_a_stop_word() {
        assert!(!is_stop_word("not"));
        assert!(is_stop_word("the"));
    }
}
