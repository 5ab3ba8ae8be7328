//! The walk over the parsed HTML tree, in document order: headings, list
//! items and paragraphs become [`Block`]s, junk subtrees are skipped.

use super::junk::{
    ad_marker, is_hidden, is_image_credit, is_link_farm, is_link_farm_candidate, is_skipped_element,
    is_ui_leftover,
};
use super::tidy::{space_separators, strip_marker, strip_tag_residue, tidy};
use super::{Block, TextKind};
use scraper::{Html, Node};

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

#[derive(Default)]
pub(super) struct Walker {
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
    pub(super) fn walk(&mut self, doc: &Html) {
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
            "strong" | "b" | "em" | "i"
                // `to**Settings**`, `importantly,**this`, `\>**Devices`:
                // scraped text often glues emphasised words to what comes
                // before; keep them apart (for bold also after a letter:
                // bold splits inside words, `**H**ow`, start a paragraph).
                if self.line.ends_with(|c: char| {
                    matches!(c, ',' | ';' | ':' | '!' | '?' | '>' | ')')
                        || (c.is_alphanumeric() && matches!(name, "strong" | "b"))
                }) => {
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
        let has_code = std::mem::take(&mut self.line_has_code);
        if !has_code && raw.contains('>') {
            raw = space_separators(&raw);
        }
        if !has_code {
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
            let text = text.replace(super::CAUTION, "");
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

    pub(super) fn finish(mut self) -> Vec<Block> {
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
