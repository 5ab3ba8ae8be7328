//! Markdown and HTML body → a flat list of clean text blocks and headings.
//!
//! The body is rendered to HTML with pulldown-cmark (raw HTML passes through),
//! then parsed with a real HTML parser (html5ever via `scraper`) and walked in
//! document order. Junk is dropped by general rules: ad regions between
//! `ads begin`/`ads end` comments, `<script>`/`<style>`/`<iframe>`/`<ins>` and
//! other non-text elements, hidden elements, images, blocks made only of links
//! (and the short `Label:` line that introduces them), image credits and lone
//! UI words. Every heading keeps the 1-based source line it came from.
//!
//! [`junk`] holds the rules for what is dropped, [`walker`] the walk that
//! turns the HTML tree into blocks, [`tidy`] the repairs of scraped text.

mod dialects;
mod junk;

pub use junk::is_promo_box;
mod tidy;
mod walker;

pub(crate) use dialects::CAUTION;
pub(crate) use tidy::strip_marker;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use scraper::Html;
use walker::Walker;

/// One unit of cleaned body content, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading of level 1–6 with its plain text and 1-based source line.
    Heading { level: u8, text: String, line: usize },
    /// A line of plain text: a paragraph, a list item (with its `- ` or `N. `
    /// marker), a table row or a deeper heading.
    Text { text: String, kind: TextKind },
}

/// What a text block was in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A paragraph or any other run of text.
    Paragraph,
    /// An item of an unordered list.
    Bullet,
    /// An item of an ordered list: a step.
    Numbered,
}

/// Cleans a Markdown body (which may contain, or consist of, HTML) into blocks.
/// `first_line` is the 1-based line of the body's first byte in the file.
pub fn clean_body(body: &str, first_line: usize) -> Vec<Block> {
    let body = dialects::normalise(body);
    let html = markdown_to_html(&body, first_line);
    let doc = Html::parse_fragment(&html);
    let mut walker = Walker::default();
    walker.walk(&doc);
    walker.finish()
}

/// Renders Markdown to HTML, marking every heading (Markdown or raw HTML) with
/// a `data-line` attribute holding its source line.
fn markdown_to_html(body: &str, first_line: usize) -> String {
    let lines = LineIndex::new(body, first_line);
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let in_indented = std::cell::Cell::new(false);
    let events = Parser::new_ext(body, opts)
        .into_offset_iter()
        .map(|(event, range)| match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                mut attrs,
            }) => {
                let line = lines.line_of(range.start);
                attrs.push(("data-line".into(), Some(line.to_string().into())));
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                })
            }
            Event::Html(raw) => Event::Html(mark_html_headings(raw, range.start, &lines)),
            Event::InlineHtml(raw) => Event::InlineHtml(mark_html_headings(raw, range.start, &lines)),
            // Indented "code" in scraped articles is indented HTML or prose
            // (a blank line inside a `<div>` ends the HTML block), never code
            // a reader wants verbatim: parse it as HTML. Fenced code stays code.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => {
                in_indented.set(true);
                Event::Html("<p>".into())
            }
            Event::End(TagEnd::CodeBlock) if in_indented.get() => {
                in_indented.set(false);
                Event::Html("</p>".into())
            }
            Event::Text(t) if in_indented.get() => Event::Html(mark_html_headings(t, range.start, &lines)),
            other => other,
        });
    let mut html = String::with_capacity(body.len() + body.len() / 4);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Adds `data-line="N"` to each `<h1>`…`<h6>` start tag in a raw HTML chunk.
/// `start` is the byte offset of the chunk in the body. The HTML itself is
/// parsed later by html5ever; this only annotates tag openings.
fn mark_html_headings<'a>(raw: CowStr<'a>, start: usize, lines: &LineIndex) -> CowStr<'a> {
    let bytes = raw.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i + 3 <= bytes.len() {
        if bytes[i] == b'<'
            && (bytes[i + 1] == b'h' || bytes[i + 1] == b'H')
            && (b'1'..=b'6').contains(&bytes[i + 2])
            && bytes
                .get(i + 3)
                .is_none_or(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
        {
            let o = out.get_or_insert_with(|| String::with_capacity(raw.len() + 32));
            o.push_str(&raw[copied..i + 3]);
            o.push_str(&format!(" data-line=\"{}\"", lines.line_of(start + i)));
            copied = i + 3;
            i += 3;
        } else {
            i += 1;
        }
    }
    match out {
        None => raw,
        Some(mut o) => {
            o.push_str(&raw[copied..]);
            o.into()
        }
    }
}

/// Maps byte offsets of a text to 1-based line numbers.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    first_line: usize,
}

impl LineIndex {
    /// Indexes the line starts of `text`, whose first line is `first_line`.
    pub(crate) fn new(text: &str, first_line: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        LineIndex { starts, first_line }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        idx + self.first_line
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    #[test]
    fn download_boxes_are_promos_and_real_sections_are_not() {
        let tagline = "Safeguard any data of your computer with backup, sync and clone.\n100% Clean & Secure";
        assert!(is_promo_box("Free Get AOMEI Backupper Now", tagline));
        assert!(is_promo_box("Scarica Gratis AOMEI Backupper Ora", tagline));
        assert!(is_promo_box("MyRecover Jetzt Kostenlos Erhalten", tagline));
        assert!(is_promo_box("Download FoneBackup Now", tagline));
        // A real section about downloading, or a long one, stays.
        assert!(!is_promo_box("Download the update", tagline));
        assert!(!is_promo_box("Get help now", "Call support."));
        assert!(!is_promo_box("Free Get AOMEI Backupper Now", &tagline.repeat(4)));
        assert!(!is_promo_box(
            "Free download limits on the basic plan explained in detail here",
            tagline
        ));
    }

    use super::*;

    fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match b {
                Block::Heading { level, text, line } => format!("H{level}@{line} {text}"),
                Block::Text { text, .. } => text.clone(),
            })
            .collect()
    }

    #[test]
    fn headings_keep_source_lines_markdown_and_html() {
        let body = "intro\n\n## First\n\ntext one\n\n<div><h3 class=x>Second</h3><p>two</p></div>\n";
        let b = texts(&clean_body(body, 10));
        assert_eq!(b, vec!["intro", "H2@12 First", "text one", "H3@16 Second", "two"]);
    }

    #[test]
    fn ad_regions_and_ad_elements_are_dropped() {
        let body = "Keep this.\n\n<!-- affiliate ads begin -->\n<a href=\"https://x\">\n  <img src=\"a.png\" width=\"728\"/>\n</a>\n<p>Buy now</p>\n<!-- affiliate ads end -->\n\nAnd this.\n\n<ins class=\"adsbygoogle\" data-ad-slot=\"1\"></ins>\n<script>var a = 1;</script>\n";
        assert_eq!(texts(&clean_body(body, 1)), vec!["Keep this.", "And this."]);
    }

    #[test]
    fn link_farms_and_their_label_are_dropped_but_inline_links_kept() {
        let body = "Read [the guide](https://g) first.\n\n<span>Also read:</span>\n<div><ul>\n<li><a href=\"https://a\"><u>Unrelated title one</u></a></li>\n<li><a href=\"https://b\">Unrelated two</a></li>\n</ul></div>\n";
        assert_eq!(texts(&clean_body(body, 1)), vec!["Read the guide first."]);
    }

    #[test]
    fn images_credits_and_ui_words_are_dropped() {
        let body =
            "![phones](https://i/p.jpg)\n\n Image Credit:[Apple](https://apple)\n\nClose\n\nReal text.\n";
        assert_eq!(texts(&clean_body(body, 1)), vec!["Real text."]);
    }

    #[test]
    fn html_only_body_keeps_text_and_lists() {
        let body = "<div class=\"c\"><p>If your video is broken, read on.</p>\n<p><h3>Common errors</h3><ul>  <li>File not found.</li>  <li>Video can’t play.</li></ul>More <strong>text</strong>.</p></div>\n";
        let b = texts(&clean_body(body, 1));
        assert_eq!(
            b,
            vec![
                "If your video is broken, read on.",
                "H3@2 Common errors",
                "- File not found.",
                "- Video can’t play.",
                "More text."
            ]
        );
    }

    #[test]
    fn bold_glued_to_words_is_separated_but_split_words_are_not() {
        let body = "Go to**Settings > Messages > Send as SMS** , then **H**ow it works.\n";
        assert_eq!(
            texts(&clean_body(body, 1)),
            vec!["Go to Settings > Messages > Send as SMS, then How it works."]
        );
        assert_eq!(
            texts(&clean_body(
                "Open **Settings** .[Turn it on](https://x) ,then use .NET here.\n",
                1
            )),
            vec!["Open Settings. Turn it on, then use .NET here."]
        );
    }

    #[test]
    fn ordered_lists_are_numbered_items() {
        let blocks = clean_body("1. Open Settings.\n2. Tap General.\n", 1);
        assert_eq!(
            blocks,
            vec![
                Block::Text {
                    text: "1. Open Settings.".into(),
                    kind: TextKind::Numbered
                },
                Block::Text {
                    text: "2. Tap General.".into(),
                    kind: TextKind::Numbered
                },
            ]
        );
    }

    #[test]
    fn linked_minor_headings_are_teasers_and_dropped_with_their_blurb() {
        let body = "## Related\n\n##### [Other page](https://o)\n\nBlurb about it.\n\n## Real\n\nKept.\n";
        assert_eq!(
            texts(&clean_body(body, 1)),
            vec!["H2@1 Related", "H2@7 Real", "Kept."]
        );
    }

    #[test]
    fn indented_html_after_a_blank_line_is_still_html() {
        let body = "<div>\n\n    indented <b>html</b> text\n\n</div>\n\n```\nfenced code\n```\n";
        assert_eq!(
            texts(&clean_body(body, 1)),
            vec!["indented html text", "fenced code"]
        );
    }

    #[test]
    fn malformed_tag_residue_is_dropped_but_code_kept() {
        let body = "Tap a href=\"x\"><img {rc=\"x\" width=\"9\"/> here.\n\nKeep `<b>` in code.\n";
        assert_eq!(
            texts(&clean_body(body, 1)),
            vec!["Tap a href=\"x\"> here.", "Keep <b> in code."]
        );
    }

    #[test]
    fn hidden_elements_are_dropped() {
        let body = "<div style=\"display: none\">secret</div>\n<p hidden>gone</p>\n<p>shown</p>\n";
        assert_eq!(texts(&clean_body(body, 1)), vec!["shown"]);
    }

    #[test]
    fn emphasis_and_menu_separators_are_not_glued_to_words() {
        let body = "Most importantly,**this does not delete your data** .\n\n\
                    2) Click**Hardware and Sound** \\>**Devices and Printers** .\n\n\
                    Open *Settings* >General, then tap;*Reset*.\n\n\
                    Arrows stay: a -> b, x >> y, <b>bold</b>.\n";
        assert_eq!(
            texts(&clean_body(body, 1)),
            vec![
                "Most importantly, this does not delete your data.",
                "2. Click Hardware and Sound > Devices and Printers.",
                "Open Settings > General, then tap; Reset.",
                "Arrows stay: a -> b, x >> y, bold.",
            ]
        );
    }

    #[test]
    fn wikilinks_read_as_their_label_and_embeds_are_dropped() {
        let body = "See [[Introduction to Obsidian Sync|Obsidian Sync]] and [[Backups]] or [[Sync setup#Conflicts]].\n\n![[diagram.png]]\n\n![[Other note#Part]]\n\nEnd.\n";
        assert_eq!(
            texts(&clean_body(body, 1)),
            vec!["See Obsidian Sync and Backups or Sync setup › Conflicts.", "End."]
        );
    }
}
