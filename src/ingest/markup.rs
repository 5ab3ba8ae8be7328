//! Markdown and HTML body → a flat list of clean text blocks and headings.
//!
//! The body is rendered to HTML with pulldown-cmark (raw HTML passes through),
//! then parsed with a real HTML parser (html5ever via `scraper`) and walked in
//! document order. Junk is dropped by general rules: ad regions between
//! `ads begin`/`ads end` comments, `<script>`/`<style>`/`<iframe>`/`<ins>` and
//! other non-text elements, hidden elements, images, blocks made only of links
//! (and the short `Label:` line that introduces them), image credits and lone
//! UI words. Every heading keeps the 1-based source line it came from.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use scraper::{Html, Node};

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
    let html = markdown_to_html(body, first_line);
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

/// Elements whose whole subtree carries no readable content.
fn is_skipped_element(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "iframe"
            | "ins"
            | "noscript"
            | "video"
            | "audio"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "button"
            | "form"
            | "input"
            | "select"
            | "textarea"
            | "template"
            | "head"
            | "title"
            | "img"
            | "picture"
            | "source"
            | "map"
            | "nav"
    )
}

/// Elements that end the current line of text when they open or close.
fn is_block_element(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "aside"
            | "header"
            | "footer"
            | "blockquote"
            | "pre"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "br"
            | "hr"
            | "figure"
            | "figcaption"
            | "center"
            | "details"
            | "summary"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
    )
}

/// Containers that are dropped when all of their text sits inside links.
fn is_link_farm_candidate(name: &str) -> bool {
    matches!(name, "ul" | "ol" | "p" | "table" | "dl")
}

/// An element is hidden when its inline style or attributes say so.
fn is_hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// `ads begin` / `advertisement start` style comment → Some(true);
/// the matching end → Some(false).
fn ad_marker(comment: &str) -> Option<bool> {
    let c = comment.to_ascii_lowercase();
    let is_ad = c.split(|ch: char| !ch.is_ascii_alphanumeric()).any(|w| {
        matches!(
            w,
            "ad" | "ads"
                | "advert"
                | "adverts"
                | "advertisement"
                | "advertising"
                | "affiliate"
                | "sponsored"
                | "adsense"
        )
    });
    if !is_ad {
        return None;
    }
    if c.contains("begin") || c.contains("start") {
        Some(true)
    } else if c.contains("end") || c.contains("stop") {
        Some(false)
    } else {
        None
    }
}

/// Single words that are leftovers of a page's user interface, not content.
fn is_ui_leftover(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', ':', '!', '×']).trim();
    if t.contains(' ') || t.is_empty() {
        return t.is_empty();
    }
    matches!(
        t.to_lowercase().as_str(),
        "close"
            | "menu"
            | "share"
            | "tweet"
            | "pin"
            | "print"
            | "email"
            | "subscribe"
            | "advertisement"
            | "ad"
            | "ads"
            | "sponsored"
            | "skip"
            | "loading"
            | "expand"
            | "collapse"
            | "toggle"
            | "search"
            | "home"
            | "top"
            | "next"
            | "previous"
            | "prev"
            | "back"
            | "reply"
            | "like"
            | "more"
            | "x"
    )
}

/// "Image credit: …", "Photo source: …" and the like.
fn is_image_credit(text: &str) -> bool {
    // Only the first two words matter: no lower-cased copy of a long paragraph.
    let mut words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let is_one_of =
        |w: Option<&str>, set: &[&str]| w.is_some_and(|w| set.iter().any(|s| w.eq_ignore_ascii_case(s)));
    is_one_of(
        words.next(),
        &[
            "image",
            "images",
            "photo",
            "photos",
            "picture",
            "screenshot",
            "img",
        ],
    ) && is_one_of(
        words.next(),
        &["credit", "credits", "source", "courtesy", "via", "by"],
    ) && text.chars().count() < 200
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    /// Text of the block being collected.
    line: String,
    /// Kind of the block being collected.
    kind: Option<TextKind>,
    /// Heading being collected: (level, line).
    heading: Option<(u8, usize)>,
    /// Ordered-list counters, one per open list (None for unordered).
    lists: Vec<Option<u32>>,
    /// Inside an ad region opened by a comment.
    in_ad: bool,
    /// After a linked minor heading: drop text until the next heading.
    teaser: bool,
    /// Index in `blocks` of a short `Label:` line that may introduce a link farm.
    pending_label: Option<usize>,
    /// Depth of open `<code>` elements.
    in_code: usize,
    /// The current line holds code text.
    line_has_code: bool,
}

impl Walker {
    fn walk(&mut self, doc: &Html) {
        use ego_tree::iter::Edge;
        let mut skip: Option<ego_tree::NodeId> = None;
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => {
                    if skip.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Comment(c) => match ad_marker(c) {
                            Some(true) => {
                                self.flush();
                                self.in_ad = true;
                            }
                            Some(false) => self.in_ad = false,
                            None => {}
                        },
                        Node::Text(t) if !self.in_ad => {
                            self.push_text(t);
                        }
                        Node::Element(el) => {
                            let name = el.name();
                            if self.in_ad || is_skipped_element(name) || is_hidden(el) {
                                skip = Some(node.id());
                                continue;
                            }
                            if is_link_farm_candidate(name) && is_link_farm(node) {
                                self.flush();
                                if let Some(idx) = self.pending_label.take()
                                    && idx + 1 == self.blocks.len()
                                {
                                    self.blocks.pop();
                                }
                                skip = Some(node.id());
                                continue;
                            }
                            if matches!(name, "h4" | "h5" | "h6") && is_link_farm(node) {
                                // A teaser card for another page: a linked
                                // minor heading and its blurb.
                                self.flush();
                                self.teaser = true;
                                skip = Some(node.id());
                                continue;
                            }
                            self.open(name, el);
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skip {
                        if id == node.id() {
                            skip = None;
                        }
                        continue;
                    }
                    if let Node::Element(el) = node.value() {
                        self.close(el.name());
                    }
                }
            }
        }
    }

    fn open(&mut self, name: &str, el: &scraper::node::Element) {
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                let level = name.as_bytes()[1] - b'0';
                let line = el.attr("data-line").and_then(|l| l.parse().ok()).unwrap_or(0);
                self.heading = Some((level, line));
            }
            "ul" => {
                self.flush();
                self.lists.push(None);
            }
            "ol" => {
                self.flush();
                let start = el.attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
                self.lists.push(Some(start));
            }
            "li" => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let indent = "  ".repeat(depth.min(8));
                match self.lists.last_mut() {
                    Some(Some(n)) => {
                        self.line.push_str(&format!("{indent}{n}. "));
                        *n += 1;
                        self.kind = Some(TextKind::Numbered);
                    }
                    _ => {
                        self.line.push_str(&indent);
                        self.line.push_str("- ");
                        self.kind = Some(TextKind::Bullet);
                    }
                }
            }
            "strong" | "b"
                // `to**Settings**`: scraped text often glues bold words to the
                // word before; keep them apart.
                if self.line.ends_with(|c: char| c.is_alphanumeric()) => {
                    self.line.push(' ');
                }
            "td" | "th"
                if !self.line.trim().is_empty() => {
                    self.line.push_str(" | ");
                }
            "code" => self.in_code += 1,
            _ if is_block_element(name) => self.flush(),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if name == "code" {
            self.in_code = self.in_code.saturating_sub(1);
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.flush(),
            "ul" | "ol" => {
                self.flush();
                self.lists.pop();
            }
            _ if is_block_element(name) => self.flush(),
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if self.in_code > 0 {
            self.line_has_code = true;
        }
        let mut prev_space = self.line.is_empty() || self.line.ends_with(' ');
        for c in text.chars() {
            if c.is_whitespace() {
                if !prev_space {
                    self.line.push(' ');
                    prev_space = true;
                }
            } else {
                self.line.push(c);
                prev_space = false;
            }
        }
    }

    /// Ends the current line of text and stores it as a block.
    fn flush(&mut self) {
        let mut raw = std::mem::take(&mut self.line);
        // Malformed tags that Markdown passed through as text (`<img {rc=..>`
        // after a scrape mangled an attribute) are markup residue, not words.
        // Code keeps its text as written.
        if !std::mem::take(&mut self.line_has_code) {
            // Removing one residue can join the pieces of another.
            for _ in 0..4 {
                if !raw.contains('<') {
                    break;
                }
                let next = strip_tag_residue(&raw);
                if next == raw {
                    break;
                }
                raw = next;
            }
        }
        let kind = self.kind.take().unwrap_or(TextKind::Paragraph);
        let text = tidy(&raw);
        if let Some((level, line)) = self.heading.take() {
            self.teaser = false;
            if !text.is_empty() {
                self.pending_label = None;
                self.blocks.push(Block::Heading { level, text, line });
            }
            return;
        }
        let bare = strip_marker(&text);
        if self.teaser || bare.is_empty() || is_ui_leftover(bare) || is_image_credit(bare) {
            return;
        }
        let words = bare.split_whitespace().count();
        let is_label = words <= 5 && bare.ends_with(':');
        self.blocks.push(Block::Text { text, kind });
        self.pending_label = is_label.then(|| self.blocks.len() - 1);
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        // A trailing `Label:` with nothing after it introduced something dropped.
        if let Some(idx) = self.pending_label
            && idx + 1 == self.blocks.len()
        {
            self.blocks.pop();
        }
        self.blocks
    }
}

/// Removes `<name …>` and `</name>` look-alikes (a tag name, then `>` on the same line).
fn strip_tag_residue(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i] == b'<' {
            let j = if b.get(i + 1) == Some(&b'/') { i + 2 } else { i + 1 };
            let name = b[j.min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            if name > 0
                && b[j].is_ascii_alphabetic()
                && let Some(e) = text[j..].find(['>', '<', '\n']).filter(|e| b[j + e] == b'>')
            {
                out.push_str(&text[copied..i]);
                let next_space = text[j + e + 1..].starts_with(char::is_whitespace);
                if !out.is_empty() && !out.ends_with(char::is_whitespace) && !next_space {
                    out.push(' ');
                }
                i = j + e + 1;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Drops a list marker (`- `, `3. `) and indentation from a text line.
pub(crate) fn strip_marker(text: &str) -> &str {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix("- ") {
        return rest.trim();
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return t[digits + 2..].trim();
    }
    t.trim()
}

/// Collapses spaces, removes the space scraped text leaves before punctuation,
/// and trims, keeping the leading list indentation.
fn tidy(raw: &str) -> String {
    let indent = raw.len() - raw.trim_start().len();
    let spaced_punct = raw
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b' ' && matches!(w[1], b',' | b'.' | b';' | b'!' | b'?' | b')'));
    if !spaced_punct {
        // The usual line: nothing to repair, only trimming.
        let body = raw[indent..].trim_end();
        return if body.is_empty() {
            String::new()
        } else {
            raw[..indent + body.len()].to_string()
        };
    }
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..indent]);
    let mut chars = raw[indent..].trim_end().chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' '
            && let Some(&n) = chars.peek()
            && matches!(n, ',' | '.' | ';' | '!' | '?' | ')')
        {
            // "Receipts ," → "Receipts,"; "Messages .iMessage" →
            // "Messages. iMessage"; keep " ..." and " .NET".
            let mut ahead = chars.clone();
            ahead.next();
            let after = ahead.peek().copied();
            if after.is_none_or(|a| a == ' ') {
                continue;
            }
            let swap = match n {
                '.' => {
                    let second = ahead.clone().nth(1);
                    out.ends_with(char::is_alphanumeric)
                        && (after.is_some_and(char::is_lowercase)
                            || (after.is_some_and(char::is_uppercase)
                                && second.is_some_and(char::is_lowercase)))
                }
                ')' => false,
                _ => after.is_some_and(char::is_alphabetic),
            };
            if swap {
                out.push(n);
                out.push(' ');
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    if out.trim().is_empty() { String::new() } else { out }
}

/// True when a container holds at least one link and no text outside links:
/// an "Also read" list, a table of contents, a promo link row.
fn is_link_farm(node: ego_tree::NodeRef<'_, Node>) -> bool {
    use ego_tree::iter::Edge;
    let mut links = 0;
    let mut link_depth = 0usize;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(el) if el.name() == "a" => {
                    link_depth += 1;
                    if el.attr("href").is_some() {
                        links += 1;
                    }
                }
                Node::Text(t) if link_depth == 0 && t.chars().any(|c| c.is_alphanumeric()) => {
                    return false;
                }
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(el) = n.value()
                    && el.name() == "a"
                {
                    link_depth = link_depth.saturating_sub(1);
                }
            }
        }
    }
    links > 0
}

#[cfg(test)]
mod tests {
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
}
