//! Text analysis shared by the indexer and the query side.
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

use super::words::WordTokenizer;
use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

/// Name of the stemming analyzer used by the searchable text fields.
pub const EN: &str = "fixdex_en";

/// Builds the English analyzer for the text fields.
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer { expand: true })
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .filter(CachedStemmer)
        .build()
}

/// The English Snowball stemmer (the one tantivy's `Stemmer` runs) with a
/// memo of the words it has stemmed: word frequencies are skewed, so most
/// tokens are repeats, and stemming was a tenth of indexing time. Each
/// analyzer clone (one per indexing thread) has its own memo, emptied when
/// it reaches [`STEM_MEMO`] words.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

/// Words remembered per analyzer before the memo is emptied.
pub const STEM_MEMO: usize = 100_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            memo: HashMap::new(),
        }
    }
}

/// See [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    memo: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.memo.len() >= STEM_MEMO {
            self.memo.clear();
        }
        CachedStemStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// Token stream of [`CachedStemmerFilter`].
pub struct CachedStemStream<'a, S> {
    tail: S,
    memo: &'a mut HashMap<String, String>,
    stemmer: frostem::Stemmer,
}

impl<S: TokenStream> TokenStream for CachedStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.memo.get(token.text.as_str()) {
            Some(stem) => {
                if *stem != token.text {
                    token.text.clear();
                    token.text.push_str(stem);
                }
            }
            None => {
                let stem = self.stemmer.stem(&token.text).into_owned();
                self.memo
                    .insert(std::mem::replace(&mut token.text, stem.clone()), stem);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Builds the query-side word analyzer: contractions expanded like the
/// index, folded and lower-cased, not stemmed (so stop words can be
/// recognised and typos corrected against the vocabulary).
pub fn surface() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer { expand: true })
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .build()
}

/// Registers the analyzer on an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(EN, english());
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
/// sign out, set up) and question words that name the need (`how`) are kept.
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
        let mut plain = TextAnalyzer::builder(WordTokenizer { expand: true })
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
        let mut small = TextAnalyzer::builder(WordTokenizer { expand: true })
            .filter(CachedStemmer)
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

    #[test]
    fn negation_is_not_a_stop_word() {
        assert!(!is_stop_word("not"));
        assert!(is_stop_word("the"));
    }
}
