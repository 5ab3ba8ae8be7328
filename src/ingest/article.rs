//! One file → one article: bytes checked and decoded, front matter read,
//! body cleaned and split into sections.
//!
//! A file that cannot be an article (empty, binary, too large, nothing left
//! after cleaning) is an [`ArticleError`] naming the reason; a file that is
//! usable but flawed (broken front matter, invalid UTF-8 bytes) is indexed
//! with warnings.

use crate::ingest::front_matter;
use crate::ingest::markup::{self, Block};
use crate::ingest::sections::{self, ArticleInfo, Section};
use crate::text::lang;
use std::fmt;
use std::path::Path;

/// Files larger than this are skipped rather than read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A parsed article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Corpus-relative path.
    pub path: String,
    /// Resolved title.
    pub title: String,
    /// Its sections, in document order.
    pub sections: Vec<Section>,
    /// Non-fatal problems found while reading it.
    pub warnings: Vec<String>,
}

/// Why a file was not indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleError(pub String);

impl fmt::Display for ArticleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArticleError {}

/// Reads and parses the file at `file`, recorded under the corpus-relative `rel`.
pub fn read_article(file: &Path, rel: &str) -> Result<Article, ArticleError> {
    let meta = std::fs::metadata(file).map_err(|e| ArticleError(format!("cannot read file: {e}")))?;
    if let Some(e) = too_large(meta.len()) {
        return Err(e);
    }
    let bytes = std::fs::read(file).map_err(|e| ArticleError(format!("cannot read file: {e}")))?;
    parse_article(&bytes, rel)
}

/// The error for a file of `size` bytes, when it is over [`MAX_FILE_BYTES`].
pub fn too_large(size: u64) -> Option<ArticleError> {
    (size > MAX_FILE_BYTES).then(|| {
        ArticleError(format!(
            "file is {} MB, over the {} MB limit for one article",
            size / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ))
    })
}

/// Parses an article from its bytes.
pub fn parse_article(bytes: &[u8], rel: &str) -> Result<Article, ArticleError> {
    let mut warnings = Vec::new();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ArticleError("empty file".into()));
    }
    if looks_binary(bytes) {
        return Err(ArticleError(
            "binary file (NUL bytes or control characters), not Markdown text".into(),
        ));
    }
    let decoded;
    let text: &str = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            warnings.push(format!(
                "not valid UTF-8 (first bad byte at offset {}); invalid bytes replaced",
                e.valid_up_to()
            ));
            decoded = String::from_utf8_lossy(bytes).into_owned();
            &decoded
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let owned_nul_free;
    // NUL bytes and stray byte-order marks inside the text are noise.
    if text.contains('\0') {
        warnings.push("contains NUL bytes; read them as spaces".to_string());
    }
    let text = if text.contains(['\0', '\u{feff}']) {
        owned_nul_free = text.replace('\0', " ").replace('\u{feff}', "");
        &owned_nul_free
    } else {
        text
    };
    let split = front_matter::split(text);
    if let Some(w) = &split.warning {
        warnings.push(w.clone());
    }
    let blocks = markup::clean_body(split.body, split.body_line);
    let title = split
        .front
        .title
        .clone()
        .or_else(|| first_heading(&blocks))
        .unwrap_or_else(|| file_stem(rel));
    let info = ArticleInfo {
        path: rel.to_string(),
        title: title.clone(),
        tags: split.front.tags.clone(),
        categories: split.front.categories.clone(),
        date: split.front.date.clone(),
        updated: split.front.updated.clone(),
        description: split.front.description.clone(),
        aliases: split.front.aliases.clone(),
    };
    let mut sections = sections::split_sections(&info, &blocks);
    let declared = split.front.lang.is_some();
    let lang = article_lang(split.front.lang.as_deref(), &sections, &mut warnings);
    for s in &mut sections {
        s.lang = section_lang(lang, declared, s).to_string();
    }
    if sections.is_empty() {
        let why = if split.had_front_matter && split.body.trim().is_empty() {
            "only front matter, no body text"
        } else {
            "no text left after cleaning (only ads, images, links or markup)"
        };
        return Err(ArticleError(why.into()));
    }
    Ok(Article {
        path: rel.to_string(),
        title,
        sections,
        warnings,
    })
}

/// The article's language: the front matter's when it names one, else the
/// one its section text is written in (headings and text, not the title,
/// which scraped sites often leave in another language).
fn article_lang(front: Option<&str>, sections: &[Section], warnings: &mut Vec<String>) -> &'static str {
    if let Some(value) = front {
        match lang::parse(value) {
            Some(code) => return code,
            None => warnings.push(format!(
                "front-matter language {value:?} is not one fixdex knows; detected it from the text"
            )),
        }
    }
    let mut sample = String::new();
    for s in sections {
        if sample.len() >= 1500 {
            break;
        }
        if s.level > 0 {
            sample.push_str(&s.heading);
            sample.push('\n');
        }
        sample.push_str(&s.text);
        sample.push('\n');
    }
    lang::detect(&sample)
}

/// A section's language: its article's, unless the article is not English,
/// says nothing of its language, and the section has enough text of its
/// own in another (scraped articles keep English boilerplate, such as a
/// product's download box, in every translation).
fn section_lang(article: &'static str, declared: bool, s: &Section) -> &'static str {
    if declared || article == lang::ENGLISH || s.text.len() < SECTION_SAMPLE {
        return article;
    }
    match lang::detect_sure(&format!("{}\n{}", s.heading, s.text)) {
        Some(lang::ENGLISH) => lang::ENGLISH,
        _ => article,
    }
}

/// Bytes of text a section needs before its own language is trusted over
/// its article's.
const SECTION_SAMPLE: usize = 200;

/// NUL bytes or a high share of control characters in the first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = head.iter().filter(|b| **b == 0).count();
    let controls = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    (nuls >= 4 && nuls * 100 > head.len()) || controls * 10 > head.len()
}

/// The level-1 heading, when the article has one: a `##` heading names a
/// section, never the article.
fn first_heading(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|b| match b {
        Block::Heading { level: 1, text, .. } => Some(text.clone()),
        _ => None,
    })
}

fn file_stem(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.replace(['-', '_'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_falls_back_to_first_heading_then_stem() {
        let a = parse_article(b"# Big Title\n\ntext\n", "x/my-file.md").unwrap();
        assert_eq!(a.title, "Big Title");
        let b = parse_article(b"just text\n", "x/my-file.md").unwrap();
        assert_eq!(b.title, "my file");
        assert_eq!(b.sections[0].heading, "my file");
    }

    #[test]
    fn a_second_level_heading_never_titles_the_article() {
        let a = parse_article(
            b"Syncing copies notes between devices.\n\n## Syncing is not a backup\n\nKeep a backup too.\n",
            "sync/sync-basics.md",
        )
        .unwrap();
        assert_eq!(a.title, "sync basics");
        let headings: Vec<&str> = a.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["sync basics", "Syncing is not a backup"]);
    }

    #[test]
    fn the_language_comes_from_the_front_matter_else_from_the_text() {
        let body = "## Den Papierkorb entfernen\n\nKlicken Sie mit der rechten Maustaste auf den \
                    Desktop und wählen Sie Anpassen. Dort können Sie die Desktopsymbole ändern.\n";
        // A title in another language than the body does not decide.
        let de = parse_article(format!("---\ntitle: \"ごみ箱\"\n---\n{body}").as_bytes(), "a.md").unwrap();
        assert!(de.sections.iter().all(|s| s.lang == "de"));
        let fr = parse_article(format!("---\nlang: fr-CA\n---\n{body}").as_bytes(), "b.md").unwrap();
        assert!(fr.sections.iter().all(|s| s.lang == "fr"));
        let odd = parse_article(format!("---\nlanguage: elvish\n---\n{body}").as_bytes(), "c.md").unwrap();
        assert_eq!(odd.sections[0].lang, "de");
        assert!(odd.warnings[0].contains("\"elvish\""), "{:?}", odd.warnings);
        let en = parse_article(b"Restart the phone.\n", "d.md").unwrap();
        assert_eq!(en.sections[0].lang, "en");
    }

    #[test]
    fn aliases_are_other_names_of_the_article() {
        let a = parse_article(
            b"---\ntitle: Sync\naliases: [Obsidian Sync, Remote vault]\n---\n\nBody.\n",
            "s.md",
        )
        .unwrap();
        assert_eq!(a.sections[0].aliases, ["Obsidian Sync", "Remote vault"]);
    }

    #[test]
    fn bad_inputs_are_errors_with_reasons() {
        assert_eq!(parse_article(b"", "a.md").unwrap_err().0, "empty file");
        assert!(
            parse_article(b"\x00\x01\x02binary\x00\x00", "a.md")
                .unwrap_err()
                .0
                .contains("binary")
        );
        assert!(
            parse_article(b"---\ntitle: x\n---\n", "a.md")
                .unwrap_err()
                .0
                .contains("only front matter")
        );
        assert!(
            parse_article(b"<script>x</script>\n", "a.md")
                .unwrap_err()
                .0
                .contains("no text left")
        );
    }

    #[test]
    fn latin1_is_decoded_with_a_warning() {
        let a = parse_article(b"## Caf\xe9\n\nCr\xe8me text\n", "a.md").unwrap();
        assert!(a.warnings[0].contains("UTF-8"));
        assert!(a.sections[0].text.contains("text"));
    }

    #[test]
    fn bom_and_crlf() {
        let a = parse_article(
            "\u{feff}---\r\ntitle: T\r\n---\r\n\r\n## H\r\n\r\nbody\r\n".as_bytes(),
            "a.md",
        )
        .unwrap();
        assert_eq!(a.title, "T");
        assert_eq!(a.sections[0].heading, "H");
        assert_eq!(a.sections[0].line, 5);
    }
}
