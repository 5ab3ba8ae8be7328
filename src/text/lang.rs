//! Languages: which one a text is written in, and what that means for its
//! analysis (stemmer, stop words, elision).
//!
//! A language is named by a short code: ISO 639-1 (`en`, `de`, `ja`) for the
//! languages of [`LANGUAGES`], the ISO 639-3 code of the detector
//! (whatlang) for the others, which are indexed without stemming. Detection
//! is trigram statistics (whatlang: small, fast, 69 languages); it needs a
//! few sentences to be sure, so short or unsure text is taken as English,
//! the language of most help corpora, unless its script says otherwise.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use tantivy::tokenizer::{Language as StopList, RawTokenizer, StopWordFilter, TextAnalyzer};
use whatlang::Lang as W;

/// The code of English, the default language.
pub const ENGLISH: &str = "en";

/// What fixdex knows about one language.
#[derive(Debug)]
pub struct Language {
    /// Short code (ISO 639-1).
    pub code: &'static str,
    /// English name, as `stats` prints it.
    pub name: &'static str,
    detector: W,
    /// The Snowball stemmer, when there is one.
    pub stemmer: Option<frostem::Algorithm>,
    stop_words: Option<StopList>,
    /// Articles elide into the next word with an apostrophe (`l'indice`).
    pub elision: bool,
}

macro_rules! lang {
    ($code:literal, $name:literal, $w:ident, $stem:ident, $stop:expr, $elide:literal) => {
        Language {
            code: $code,
            name: $name,
            detector: W::$w,
            stemmer: Some(frostem::Algorithm::$stem),
            stop_words: $stop,
            elision: $elide,
        }
    };
    ($code:literal, $name:literal, $w:ident) => {
        Language {
            code: $code,
            name: $name,
            detector: W::$w,
            stemmer: None,
            stop_words: None,
            elision: false,
        }
    };
}

/// Languages with a code, and a stemmer where Snowball has one.
pub static LANGUAGES: &[Language] = &[
    lang!("en", "English", Eng, English, None, false),
    lang!("de", "German", Deu, German, Some(StopList::German), false),
    lang!("fr", "French", Fra, French, Some(StopList::French), true),
    lang!("es", "Spanish", Spa, Spanish, Some(StopList::Spanish), false),
    lang!("it", "Italian", Ita, Italian, Some(StopList::Italian), true),
    lang!(
        "pt",
        "Portuguese",
        Por,
        Portuguese,
        Some(StopList::Portuguese),
        false
    ),
    lang!("nl", "Dutch", Nld, Dutch, Some(StopList::Dutch), false),
    lang!("sv", "Swedish", Swe, Swedish, Some(StopList::Swedish), false),
    lang!("da", "Danish", Dan, Danish, Some(StopList::Danish), false),
    lang!(
        "no",
        "Norwegian",
        Nob,
        Norwegian,
        Some(StopList::Norwegian),
        false
    ),
    lang!("fi", "Finnish", Fin, Finnish, Some(StopList::Finnish), false),
    lang!(
        "hu",
        "Hungarian",
        Hun,
        Hungarian,
        Some(StopList::Hungarian),
        false
    ),
    lang!("ru", "Russian", Rus, Russian, Some(StopList::Russian), false),
    lang!("ro", "Romanian", Ron, Romanian, None, false),
    lang!("tr", "Turkish", Tur, Turkish, None, false),
    lang!("el", "Greek", Ell, Greek, None, false),
    lang!("ar", "Arabic", Ara, Arabic, None, false),
    lang!("ta", "Tamil", Tam, Tamil, None, false),
    lang!("id", "Indonesian", Ind, Indonesian, None, false),
    lang!("ca", "Catalan", Cat, Catalan, None, true),
    lang!("cs", "Czech", Ces, Czech, None, false),
    lang!("pl", "Polish", Pol, Polish, None, false),
    lang!("lt", "Lithuanian", Lit, Lithuanian, None, false),
    lang!("et", "Estonian", Est, Estonian, None, false),
    lang!("hi", "Hindi", Hin, Hindi, None, false),
    lang!("ne", "Nepali", Nep, Nepali, None, false),
    lang!("hy", "Armenian", Hye, Armenian, None, false),
    lang!("eo", "Esperanto", Epo, Esperanto, None, false),
    lang!("sr", "Serbian", Srp, Serbian, None, false),
    lang!("fa", "Persian", Pes, Persian, None, false),
    lang!("yi", "Yiddish", Yid, Yiddish, None, false),
    lang!("ja", "Japanese", Jpn),
    lang!("zh", "Chinese", Cmn),
    lang!("ko", "Korean", Kor),
    lang!("uk", "Ukrainian", Ukr),
    lang!("vi", "Vietnamese", Vie),
    lang!("th", "Thai", Tha),
    lang!("he", "Hebrew", Heb),
];

/// The language of a code, `None` for codes without an entry (those are
/// indexed without stemming).
pub fn get(code: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.code == code)
}

/// The English name of a code (the code itself when it has none).
pub fn name(code: &str) -> String {
    get(code).map_or_else(
        || W::from_code(code).map_or_else(|| code.to_string(), |w| w.eng_name().to_string()),
        |l| l.name.to_string(),
    )
}

/// Reads a front-matter `lang`/`language` value: a BCP 47 tag (`de`,
/// `de-DE`, `pt_BR`), an ISO 639-3 code (`deu`) or a name in English or in
/// the language itself (`German`, `Deutsch`). `None` when it names nothing.
pub fn parse(value: &str) -> Option<&'static str> {
    let v = value.trim().to_lowercase();
    let primary = v.split(['-', '_']).next().unwrap_or("");
    if let Some(l) = LANGUAGES.iter().find(|l| l.code == primary) {
        return Some(l.code);
    }
    let w = W::from_code(primary.to_string()).or_else(|| {
        W::all()
            .iter()
            .copied()
            .find(|w| w.eng_name().eq_ignore_ascii_case(&v) || w.name().to_lowercase() == v)
    })?;
    Some(of_detected(w))
}

/// The code a user's `--lang` value names: [`parse`]d when it names a
/// language, else taken as a code as it is (lower-cased).
pub fn code_for(value: &str) -> String {
    parse(value).map_or_else(|| value.to_lowercase(), str::to_string)
}

/// The code for a detected language.
fn of_detected(w: W) -> &'static str {
    LANGUAGES
        .iter()
        .find(|l| l.detector == w)
        .map_or(w.code(), |l| l.code)
}

/// The language of an article's text. Unsure detections in the Latin script
/// count as English; other scripts are named by what the detector saw.
pub fn detect(text: &str) -> &'static str {
    match whatlang::detect(head(text)) {
        Some(info) if info.is_reliable() || info.script() != whatlang::Script::Latin => {
            of_detected(info.lang())
        }
        _ => ENGLISH,
    }
}

/// The language of `text` when the detector is sure of it.
///
/// Remembered per thread by the text's hash: scraped sites repeat the same
/// boilerplate sections in every article and translation, and detection is
/// the costliest step of reading such a section (a fifth of a build of the
/// real-sites corpus).
pub fn detect_sure(text: &str) -> Option<&'static str> {
    thread_local! {
        static SEEN: RefCell<HashMap<u64, Option<&'static str>>> = RefCell::new(HashMap::new());
    }
    let sample = head(text);
    // Fixed keys (not `RandomState`): the same text, the same key.
    let key = BuildHasherDefault::<DefaultHasher>::default().hash_one(sample);
    if let Some(known) = SEEN.with(|m| m.borrow().get(&key).copied()) {
        return known;
    }
    let found = whatlang::detect(sample)
        .filter(whatlang::Info::is_reliable)
        .map(|info| of_detected(info.lang()));
    SEEN.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 100_000 {
            m.clear();
        }
        m.insert(key, found);
    });
    found
}

/// The first few kilobytes: they decide as well as the whole text, and cost
/// far less.
fn head(text: &str) -> &str {
    let mut end = text.len().min(1500);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The detector's guess for short text (a query) among `allowed` codes,
/// with its confidence in [0, 1].
pub fn guess(text: &str, allowed: &[&str]) -> Option<(&'static str, f64)> {
    let list: Vec<W> = allowed
        .iter()
        .filter_map(|c| get(c).map(|l| l.detector).or_else(|| W::from_code(c.to_string())))
        .collect();
    if list.is_empty() {
        return None;
    }
    let info = whatlang::Detector::with_allowlist(list).detect(text)?;
    Some((of_detected(info.lang()), info.confidence()))
}

/// Whether `word` (lower case, accents kept) is a stop word of the language
/// `code`. English has its own list ([`super::analyzer::is_stop_word`]);
/// the others use the Snowball lists that tantivy ships.
pub fn is_stop_word(code: &str, word: &str) -> bool {
    if code == ENGLISH {
        return super::analyzer::is_stop_word(word);
    }
    let Some(list) = get(code).and_then(|l| l.stop_words) else {
        return false;
    };
    let Some(filter) = StopWordFilter::new(list) else {
        return false;
    };
    let mut an = TextAnalyzer::builder(RawTokenizer::default())
        .filter(filter)
        .build();
    let mut stream = an.token_stream(word);
    !stream.advance()
}

/// Han, kana and Hangul: scripts written without spaces between words,
/// indexed as overlapping pairs of characters.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x31F0..=0x31FF    // katakana extensions
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // Han compatibility
        | 0xFF66..=0xFF9D    // half-width katakana
        | 0x20000..=0x2FA1F) // Han extensions B–F
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_detected_and_unsure_text_is_english() {
        let de = "Wie kann man den Papierkorb vom Desktop entfernen? Klicken Sie mit der rechten \
                  Maustaste auf den Desktop und wählen Sie die Option Anpassen aus.";
        assert_eq!(detect(de), "de");
        let fr = "Pour sauvegarder vos fichiers sur le NAS, ouvrez le logiciel et cliquez sur \
                  le bouton Sauvegarde, puis choisissez le dossier de destination.";
        assert_eq!(detect(fr), "fr");
        assert_eq!(
            detect("ファイルを削除する方法を説明します。まず設定を開いてください。"),
            "ja"
        );
        assert_eq!(detect("Wi-Fi"), ENGLISH);
    }

    #[test]
    fn front_matter_values() {
        assert_eq!(parse("de-DE"), Some("de"));
        assert_eq!(parse("pt_BR"), Some("pt"));
        assert_eq!(parse("German"), Some("de"));
        assert_eq!(parse("Deutsch"), Some("de"));
        assert_eq!(parse("fra"), Some("fr"));
        assert_eq!(parse("vie"), Some("vi"));
        assert_eq!(parse("klingon"), None);
        assert_eq!(name("de"), "German");
    }

    #[test]
    fn stop_words_per_language() {
        assert!(is_stop_word("de", "vom"));
        assert!(is_stop_word("de", "für"));
        assert!(!is_stop_word("de", "papierkorb"));
        assert!(is_stop_word("fr", "dans"));
        assert!(is_stop_word("en", "the"));
        assert!(!is_stop_word("ja", "の"));
    }

    #[test]
    fn queries_are_guessed_among_the_indexed_languages() {
        let all = ["en", "de", "fr", "it"];
        assert_eq!(
            guess("ricostruire l'indice di ricerca su windows", &all).map(|g| g.0),
            Some("it")
        );
        assert_eq!(
            guess("papierkorb icon vom bildschirm verschwinden lassen", &all).map(|g| g.0),
            Some("de")
        );
        assert_eq!(guess("anything", &["en"]).map(|g| g.0), Some("en"));
    }
}
