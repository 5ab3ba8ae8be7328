//! Stemming with a memo: the last stage of the analyzers in
//! [`super::analyzer`].

use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, RawTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// A Snowball stemmer (the one tantivy's `Stemmer` runs; none leaves words
/// as they are) with a memo of the words it has stemmed: word frequencies
/// are skewed, so most tokens are repeats, and stemming was a tenth of
/// indexing time. Each analyzer clone (one per indexing thread) has its own
/// memo, emptied when it reaches [`STEM_MEMO`] words.
///
/// With `also_english`, a word whose English stem differs is given that
/// stem too, at the same position: help in any language names English
/// products and menus ("AOMEI Backupper", "Settings"), and an English query
/// should find them, and weigh them, as in English text.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer {
    /// The stemmer of the text's language.
    pub algorithm: Option<frostem::Algorithm>,
    /// Also give the English stem.
    pub also_english: bool,
}

/// Words remembered per analyzer before the memo is emptied.
pub const STEM_MEMO: usize = 100_000;

impl CachedStemmer {
    /// English stems only.
    pub const ENGLISH: CachedStemmer = CachedStemmer {
        algorithm: Some(frostem::Algorithm::English),
        also_english: false,
    };
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            memo: HashMap::new(),
            config: self,
        }
    }
}

/// See [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    /// Word → (stem, English stem when it differs, else empty).
    memo: HashMap<String, (String, String)>,
    config: CachedStemmer,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.memo.len() >= STEM_MEMO {
            self.memo.clear();
        }
        let english = frostem::Algorithm::English;
        CachedStemStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            stemmer: self.config.algorithm.map(frostem::Stemmer::new),
            english: (self.config.also_english && self.config.algorithm != Some(english))
                .then(|| frostem::Stemmer::new(english)),
            extra: None,
            showing_extra: false,
        }
    }
}

/// Token stream of [`CachedStemmerFilter`].
pub struct CachedStemStream<'a, S> {
    tail: S,
    memo: &'a mut HashMap<String, (String, String)>,
    stemmer: Option<frostem::Stemmer>,
    english: Option<frostem::Stemmer>,
    /// The English stem of the last word, given as the next token.
    extra: Option<Token>,
    /// Whether [`Self::extra`] is the current token.
    showing_extra: bool,
}

/// `text` folded to ASCII the way [`AsciiFoldingFilter`] folds tokens.
fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut an = TextAnalyzer::builder(RawTokenizer::default())
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = an.token_stream(text);
    if stream.advance() {
        stream.token().text.clone()
    } else {
        String::new()
    }
}

impl<S: TokenStream> CachedStemStream<'_, S> {
    /// The stems of a word, memoised.
    fn stems(&mut self, word: &str) -> (String, String) {
        if let Some(found) = self.memo.get(word) {
            return found.clone();
        }
        let stem = match &self.stemmer {
            Some(st) => st.stem(word).into_owned(),
            None => word.to_string(),
        };
        let en = match &self.english {
            Some(en) => en.stem(word).into_owned(),
            None => String::new(),
        };
        let en = if en == stem || fold(&en) == fold(&stem) {
            String::new()
        } else {
            en
        };
        self.memo.insert(word.to_string(), (stem.clone(), en.clone()));
        (stem, en)
    }
}

impl<S: TokenStream> TokenStream for CachedStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if self.extra.is_some() && !self.showing_extra {
            self.showing_extra = true;
            return true;
        }
        self.extra = None;
        self.showing_extra = false;
        if !self.tail.advance() {
            return false;
        }
        if self.stemmer.is_none() && self.english.is_none() {
            return true;
        }
        let word = std::mem::take(&mut self.tail.token_mut().text);
        let (stem, en) = self.stems(&word);
        let token = self.tail.token_mut();
        token.text = stem;
        if !en.is_empty() {
            let mut t = token.clone();
            t.text = en;
            self.extra = Some(t);
        }
        true
    }

    fn token(&self) -> &Token {
        match &self.extra {
            Some(t) if self.showing_extra => t,
            _ => self.tail.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match &mut self.extra {
            Some(t) if self.showing_extra => t,
            _ => self.tail.token_mut(),
        }
    }
}
