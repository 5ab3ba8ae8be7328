//! Words: alphanumeric runs joined across apostrophes, negative
//! contractions expanded (`won't` → `will not`, English only), other clitics
//! dropped, elided articles cut off where the language elides (`l'indice` →
//! `indice`), short hyphen compounds and glued capitalised words also given
//! as one word and as parts. Runs of Han, kana or Hangul, which have no
//! spaces between words, become overlapping character pairs (`検索設定` →
//! `検索`, `索設`, `設定`), so any two-character word in them is found. The
//! first stage of the analyzers in [`super::analyzer`].

use super::lang::is_cjk;
use std::borrow::Cow;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits text into words and expands contractions; see the module docs.
#[derive(Clone, Debug)]
pub struct WordTokenizer {
    /// Add joined hyphen compounds and the parts of glued words (and, for
    /// English, expand negative contractions).
    pub expand: bool,
    /// The text is English: contractions and clitics are English ones.
    pub english: bool,
    /// Cut elided articles before an apostrophe (`l'indice` → `indice`).
    pub elide: bool,
    /// The tokens of the last text, kept with their strings: the next text
    /// overwrites them instead of allocating a string per word.
    buffer: Vec<Token>,
}

impl WordTokenizer {
    /// The tokenizer for English text.
    pub const ENGLISH: WordTokenizer = WordTokenizer::new(true, true, false);

    /// A tokenizer with these options (see the fields).
    pub const fn new(expand: bool, english: bool, elide: bool) -> WordTokenizer {
        WordTokenizer {
            expand,
            english,
            elide,
            buffer: Vec::new(),
        }
    }
}

/// The token stream of [`WordTokenizer`]: tokens computed up front into
/// the tokenizer's buffer.
pub struct WordStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Tokens kept between texts at most: a long text's tokens are not held
/// for the rest of a run.
const KEPT_TOKENS: usize = 1 << 14;

/// Tokens written over a buffer's old ones, reusing their strings.
struct Tokens<'a> {
    buffer: &'a mut Vec<Token>,
    len: usize,
}

impl Tokens<'_> {
    fn push(&mut self, (from, to): (usize, usize), position: usize, text: &str) {
        if let Some(t) = self.buffer.get_mut(self.len) {
            t.offset_from = from;
            t.offset_to = to;
            t.position = position;
            t.position_length = 1;
            t.text.clear();
            t.text.push_str(text);
        } else {
            self.buffer.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: text.to_string(),
                position_length: 1,
            });
        }
        self.len += 1;
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        let (expand, english, elide_articles) = (self.expand, self.english, self.elide);
        if self.buffer.len() > KEPT_TOKENS {
            self.buffer.truncate(KEPT_TOKENS);
            self.buffer.shrink_to(KEPT_TOKENS);
        }
        let mut tokens = Tokens {
            buffer: &mut self.buffer,
            len: 0,
        };
        let mut position = 0usize;
        let mut prev_word: Option<(usize, usize, usize)> = None; // (from, to, position) for hyphen joins
        for (from, to) in word_spans(text) {
            let word = &text[from..to];
            if word.starts_with(is_cjk) {
                push_pairs(text, from, to, &mut position, &mut tokens);
                prev_word = None;
                continue;
            }
            let start_pos = position;
            let push = |tokens: &mut Tokens, t: &str, position: &mut usize| {
                tokens.push((from, to), *position, t);
                *position += 1;
            };
            if !english {
                let word = if elide_articles { elide(word) } else { word };
                if word.contains(is_apostrophe) {
                    push(&mut tokens, &word.replace(is_apostrophe, ""), &mut position);
                } else {
                    push(&mut tokens, word, &mut position);
                }
            } else if expand {
                match expand_contraction(word) {
                    Some((base, neg)) => {
                        push(&mut tokens, base, &mut position);
                        if neg {
                            push(&mut tokens, "not", &mut position);
                        }
                    }
                    None => {
                        push(&mut tokens, &strip_clitic(word), &mut position);
                        // `OutputVideos`, `PowerShell`: also index the parts
                        // (at the word's position), so scraped text that
                        // glued two words still matches each of them.
                        if let Some(at) = camel_join(word) {
                            for (a, b) in [(from, from + at), (from + at, to)] {
                                tokens.push((a, b), start_pos, &text[a..b]);
                            }
                        }
                    }
                }
                // `Wi-Fi`, `e-mail`: also index the joined word at the first part's position.
                if let Some((pf, pt, ppos)) = prev_word {
                    let gap = &text[pt..from];
                    if gap == "-" && (pt - pf) <= 4 && (to - from) <= 6 {
                        let joined = format!("{}{}", &text[pf..pt], word);
                        if joined.chars().all(char::is_alphanumeric) {
                            tokens.push((pf, to), ppos, &joined);
                        }
                    }
                }
            } else {
                push(&mut tokens, &strip_clitic(word), &mut position);
            }
            prev_word = Some((from, to, start_pos));
        }
        let len = tokens.len;
        WordStream {
            tokens: &mut self.buffer[..len],
            next: 0,
        }
    }
}

/// Where a word made of two capitalised words glued together splits
/// (`OutputVideos` → 6): a lower-case letter then a capital followed by a
/// lower-case letter, with at least four letters on each side, so
/// `iPhone`, `YouTube` and `MacBook` stay whole.
fn camel_join(word: &str) -> Option<usize> {
    let b = word.as_bytes();
    if b.len() < 8 || !word.is_ascii() || !b.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let at = (4..=b.len() - 4).find(|&i| {
        b[i - 1].is_ascii_lowercase() && b[i].is_ascii_uppercase() && b[i + 1].is_ascii_lowercase()
    })?;
    b[0].is_ascii_uppercase().then_some(at)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ')
}

/// The overlapping character pairs of a CJK run (the character itself
/// when the run is one character long), one position each.
fn push_pairs(text: &str, from: usize, to: usize, position: &mut usize, tokens: &mut Tokens) {
    let chars: Vec<(usize, char)> = text[from..to].char_indices().collect();
    let end = |k: usize| chars.get(k).map_or(to, |(i, _)| from + i);
    for (k, (at, _)) in chars
        .iter()
        .enumerate()
        .take(chars.len().saturating_sub(1).max(1))
    {
        let (a, b) = (from + at, end(k + 2));
        tokens.push((a, b), *position, &text[a..b]);
        *position += 1;
    }
}

/// `l'indice` → `indice`, `dell'indice` → `indice`: an elided article or
/// preposition (up to four letters) before the apostrophe is dropped.
fn elide(word: &str) -> &str {
    match word.find(is_apostrophe) {
        Some(at) if at > 0 && word[..at].chars().count() <= 4 => {
            let rest = &word[at..];
            let skip = rest.chars().next().map_or(0, char::len_utf8);
            if rest.len() > skip { &rest[skip..] } else { word }
        }
        _ => word,
    }
}

/// Byte spans of words: alphanumeric runs, joined across single apostrophes.
/// A run of CJK characters is a word of its own, apart from the letters
/// around it (`PCの設定` → `PC`, `の設定`).
fn word_spans(text: &str) -> WordSpans<'_> {
    WordSpans { text, at: 0 }
}

/// The iterator of [`word_spans`]. It reads the text byte by byte and
/// decodes a character only where a byte is not ASCII: most help text is
/// ASCII, and this is the first step of every text indexed and of every
/// hit's snippet.
struct WordSpans<'a> {
    text: &'a str,
    /// Where the next word is looked for.
    at: usize,
}

impl WordSpans<'_> {
    /// The character at byte `i` (a character boundary) and its length.
    fn char_at(&self, i: usize) -> Option<(char, usize)> {
        let b = *self.text.as_bytes().get(i)?;
        if b.is_ascii() {
            return Some((char::from(b), 1));
        }
        let c = self.text[i..].chars().next()?;
        Some((c, c.len_utf8()))
    }
}

impl Iterator for WordSpans<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let mut start = None;
        let mut end = 0;
        let mut cjk = false;
        while let Some((c, n)) = self.char_at(self.at) {
            let i = self.at;
            // An ASCII letter or digit (most characters) is not CJK.
            let (alnum, c_cjk) = match c.is_ascii() {
                true => (c.is_ascii_alphanumeric(), false),
                false => (c.is_alphanumeric(), is_cjk(c)),
            };
            if alnum {
                if start.is_none() {
                    start = Some(i);
                    cjk = c_cjk;
                } else if c_cjk != cjk {
                    break;
                }
                end = i + n;
                self.at += n;
            } else if is_apostrophe(c) && start.is_some() {
                // Join only when a letter follows: `won't`, not `users' `.
                if self.char_at(i + n).is_some_and(|(next, _)| next.is_alphabetic()) {
                    self.at += n;
                } else {
                    break;
                }
            } else if start.is_some() {
                break;
            } else {
                self.at += n;
            }
        }
        start.map(|s| (s, end))
    }
}

/// `won't` → (`will`, true); `cannot` → (`can`, true); `doesnt` → (`does`, true).
fn expand_contraction(word: &str) -> Option<(&'static str, bool)> {
    // Every form below ends in `t` and has at most 8 letters (plus an
    // apostrophe): most words are out before any allocation.
    if word.len() > 11 || !word.ends_with(['t', 'T']) {
        return None;
    }
    let lower: String = word
        .chars()
        .filter(|c| !is_apostrophe(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let base = match lower.as_str() {
        "wont" => "will",
        "cant" | "cannot" => "can",
        "dont" => "do",
        "doesnt" => "does",
        "didnt" => "did",
        "isnt" => "is",
        "arent" => "are",
        "wasnt" => "was",
        "werent" => "were",
        "hasnt" => "has",
        "havent" => "have",
        "hadnt" => "had",
        "couldnt" => "could",
        "shouldnt" => "should",
        "wouldnt" => "would",
        "mustnt" => "must",
        "neednt" => "need",
        "aint" => "is",
        _ => return None,
    };
    // `wont`/`cant` without an apostrophe are almost always the contraction
    // in problem descriptions.
    Some((base, true))
}

/// `iPhone's` → `iPhone`; `you're` → `you`; `it'll` → `it`.
fn strip_clitic(word: &str) -> Cow<'_, str> {
    // Every apostrophe is `'` or starts with a byte above ASCII.
    if !word.bytes().any(|b| b == b'\'' || !b.is_ascii()) {
        return Cow::Borrowed(word);
    }
    if let Some(pos) = word.rfind(is_apostrophe) {
        let suffix: String = word[pos..].chars().skip(1).flat_map(char::to_lowercase).collect();
        if matches!(suffix.as_str(), "s" | "re" | "ll" | "ve" | "d" | "m") {
            return Cow::Owned(word[..pos].chars().filter(|c| !is_apostrophe(*c)).collect());
        }
        return Cow::Owned(word.chars().filter(|c| !is_apostrophe(*c)).collect());
    }
    Cow::Borrowed(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize)> {
        let mut t = WordTokenizer::ENGLISH;
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        out
    }

    /// The spans as a plain walk over the characters finds them.
    fn reference_spans(text: &str) -> Vec<(usize, usize)> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let (mut out, mut k) = (Vec::new(), 0);
        while k < chars.len() {
            if !chars[k].1.is_alphanumeric() {
                k += 1;
                continue;
            }
            let (start, cjk) = (chars[k].0, is_cjk(chars[k].1));
            let mut end = start;
            while k < chars.len() {
                let c = chars[k].1;
                if c.is_alphanumeric() && is_cjk(c) == cjk {
                    end = chars[k].0 + c.len_utf8();
                    k += 1;
                } else if is_apostrophe(c) && chars.get(k + 1).is_some_and(|n| n.1.is_alphabetic()) {
                    k += 1;
                } else {
                    break;
                }
            }
            out.push((start, end));
        }
        out
    }

    #[test]
    fn spans_read_bytewise_match_a_walk_over_characters() {
        let texts = [
            "Won't send: users' texts ‘quoted’ don’t arrive, l'indice dell’app",
            "PCの検索設定 and Wi-Fi 5GHz, café über naïve Ω-mode 42nd",
            "tail' 'head ''double it''s x'y ʼokina ʼ",
            "",
            "   ",
            "日本語テキスト한국어ABC１２３",
            "emoji 🙂 between words, tabs\tand\nlines",
        ];
        for t in texts {
            assert_eq!(word_spans(t).collect::<Vec<_>>(), reference_spans(t), "{t:?}");
        }
    }

    #[test]
    fn cjk_runs_become_character_pairs() {
        let w = words("PCの検索設定");
        let texts: Vec<&str> = w.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["PC", "の検", "検索", "索設", "設定"]);
        let positions: Vec<usize> = w.iter().map(|(_, p)| *p).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4]);
        assert_eq!(words("字"), [("字".to_string(), 0)]);
    }

    /// Every token of a stream, with offsets and position.
    fn all(t: &mut WordTokenizer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let k = s.token();
            out.push((k.text.clone(), k.offset_from, k.offset_to, k.position));
        }
        out
    }

    #[test]
    fn a_reused_tokenizer_gives_each_text_its_own_tokens() {
        let long = "Won't the Wi-Fi OutputVideos settings show? It's the user's PCの設定 again";
        let short = "reset it";
        let fresh = || WordTokenizer::ENGLISH;
        let mut reused = fresh();
        let first = all(&mut reused, long);
        // After a longer text, a shorter one has none of its tokens left over.
        assert_eq!(all(&mut reused, short), all(&mut fresh(), short));
        assert_eq!(
            all(&mut reused, short),
            [("reset".to_string(), 0, 5, 0), ("it".to_string(), 6, 8, 1)]
        );
        // A token a filter changed in place is written over, not kept.
        {
            let mut s = reused.token_stream("Alpha beta");
            s.advance();
            s.token_mut().text.push_str("CHANGED");
        }
        assert_eq!(all(&mut reused, long), first);
        assert_eq!(first, all(&mut fresh(), long));
        let texts: Vec<&str> = first.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            texts,
            [
                "will",
                "not",
                "the",
                "Wi",
                "Fi",
                "WiFi",
                "OutputVideos",
                "Output",
                "Videos",
                "settings",
                "show",
                "It",
                "the",
                "user",
                "PC",
                "の設",
                "設定",
                "again"
            ]
        );
    }

    #[test]
    fn elision_cuts_short_articles_only() {
        assert_eq!(elide("l'indice"), "indice");
        assert_eq!(elide("dell’indice"), "indice");
        assert_eq!(elide("aujourd'hui"), "aujourd'hui");
    }
}
