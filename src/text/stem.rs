//! Stemming with a memo: the last stage but one of the analyzers in
//! [`super::analyzer`].

use foldhash::HashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// A Snowball stemmer (the one tantivy's `Stemmer` runs; `None` leaves words
/// as they are) with a memo of the words it has stemmed: word frequencies
/// are skewed, so most tokens are repeats, and stemming was a tenth of
/// indexing time. Each analyzer clone (one per indexing thread) has its own
/// memo, emptied when it reaches [`STEM_MEMO`] words. The memo hashes with
/// foldhash: std's SipHash of the words was 1.7% of a build's instructions.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer(pub Option<frostem::Algorithm>);

/// Words remembered per analyzer before the memo is emptied.
pub const STEM_MEMO: usize = 100_000;

impl CachedStemmer {
    /// The English stemmer.
    pub const ENGLISH: CachedStemmer = CachedStemmer(Some(frostem::Algorithm::English));
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            memo: HashMap::default(),
            algorithm: self.0,
        }
    }
}

/// See [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    memo: HashMap<String, String>,
    algorithm: Option<frostem::Algorithm>,
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
            stemmer: self.algorithm.map(frostem::Stemmer::new),
        }
    }
}

/// Token stream of [`CachedStemmerFilter`].
pub struct CachedStemStream<'a, S> {
    tail: S,
    memo: &'a mut HashMap<String, String>,
    stemmer: Option<frostem::Stemmer>,
}

impl<S: TokenStream> TokenStream for CachedStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let Some(stemmer) = &self.stemmer else {
            return true;
        };
        let token = self.tail.token_mut();
        match self.memo.get(token.text.as_str()) {
            Some(stem) => {
                if *stem != token.text {
                    token.text.clear();
                    token.text.push_str(stem);
                }
            }
            None => {
                let stem = stemmer.stem(&token.text).into_owned();
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
