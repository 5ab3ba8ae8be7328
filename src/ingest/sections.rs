//! Cleaned blocks → section documents with breadcrumbs, anchors and steps.
//!
//! A section starts at a level 1–3 heading (Markdown `#`–`###` or HTML
//! `<h1>`–`<h3>`); deeper headings stay inside their parent as a text line.
//! Text before the first heading is the lead section, named after the title.
//! A heading with no text of its own is not a document but stays in the
//! breadcrumb of what follows.

use super::steps::ui_paths;
use crate::ingest::markup::{Block, CAUTION, TextKind, is_promo_box, strip_marker};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One section of one article: the unit fixdex indexes and answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// `<path>#<anchor>`, stable across re-indexing.
    pub id: String,
    /// File path relative to the corpus root, `/`-separated.
    pub path: String,
    /// 1-based line of the heading (or of the lead text) in the source file.
    pub line: usize,
    /// Article title.
    pub title: String,
    /// Section heading as plain text (the title for the lead section).
    pub heading: String,
    /// `[title, h2, h3]` down to this section, title duplicates dropped.
    pub breadcrumb: Vec<String>,
    /// Slug of the heading, unique within the article.
    pub anchor: String,
    /// Cleaned plain text, one paragraph or list item per line.
    pub text: String,
    /// Actionable steps: UI paths and ordered-list items.
    pub steps: Vec<String>,
    /// Front-matter tags.
    pub tags: Vec<String>,
    /// Front-matter categories.
    pub categories: Vec<String>,
    /// Front-matter `date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Front-matter `updated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Front-matter `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Heading level (1–3), 0 for the lead section.
    pub level: u8,
    /// The sections directly under this one's heading (none for the lead).
    #[serde(default)]
    pub children: Vec<Child>,
    /// The text of the warning, caution and danger callouts of the section.
    #[serde(default)]
    pub cautions: Vec<String>,
    /// Other names of the article (front-matter `aliases`), searched like
    /// the title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Language of the article (see [`crate::text::lang`]).
    #[serde(default = "english")]
    pub lang: String,
}

fn english() -> String {
    crate::text::lang::ENGLISH.to_string()
}

/// A sub-section, as listed under the section that introduces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    /// Section id.
    pub id: String,
    /// Its heading.
    pub heading: String,
    /// Line of its heading.
    pub line: usize,
}

/// Article-wide facts every section carries.
#[derive(Debug, Clone, Default)]
pub struct ArticleInfo {
    /// Corpus-relative path.
    pub path: String,
    /// Resolved title.
    pub title: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Date.
    pub date: Option<String>,
    /// Updated.
    pub updated: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Other names of the article.
    pub aliases: Vec<String>,
}

/// Cap on the steps kept per section.
const MAX_STEPS: usize = 20;

/// Splits cleaned blocks into sections.
pub fn split_sections(info: &ArticleInfo, blocks: &[Block]) -> Vec<Section> {
    let mut out = Vec::new();
    let mut anchors = HashSet::new();
    // Open headings by level 1..=3.
    let mut stack: [Option<String>; 3] = [None, None, None];
    let mut current = Pending {
        heading: info.title.clone(),
        line: 0,
        level: 0,
        crumbs: Vec::new(),
        lines: Vec::new(),
        numbered: Vec::new(),
    };
    for block in blocks {
        match block {
            Block::Heading { level, text, line } if *level <= 3 && is_real_heading(text) => {
                current.emit(info, &mut anchors, &mut out);
                let idx = usize::from(*level - 1);
                stack[idx] = Some(text.clone());
                for deeper in stack.iter_mut().skip(idx + 1) {
                    *deeper = None;
                }
                current = Pending {
                    heading: text.clone(),
                    line: *line,
                    level: *level,
                    crumbs: stack.iter().flatten().cloned().collect(),
                    lines: Vec::new(),
                    numbered: Vec::new(),
                };
            }
            Block::Heading { text, line, .. } => {
                if current.line == 0 {
                    current.line = *line;
                }
                current.lines.push(text.clone());
            }
            Block::Text { text, kind } => {
                if *kind == TextKind::Numbered {
                    current.numbered.push(strip_marker(text).to_string());
                }
                current.lines.push(text.clone());
            }
        }
    }
    current.emit(info, &mut anchors, &mut out);
    link_children(&mut out);
    out
}

/// Lists each section's direct sub-sections: those whose nearest enclosing
/// section (by heading level) it is. A heading with no text of its own is
/// not a section, so its sub-sections belong to the section above it. The
/// lead section introduces the whole article and lists none.
fn link_children(sections: &mut [Section]) {
    let mut open: Vec<usize> = Vec::new();
    let mut links: Vec<(usize, usize)> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        while open.last().is_some_and(|&p| sections[p].level >= s.level) {
            open.pop();
        }
        if let Some(&p) = open.last() {
            links.push((p, i));
        }
        if s.level > 0 {
            open.push(i);
        }
    }
    for (p, c) in links {
        let child = Child {
            id: sections[c].id.clone(),
            heading: sections[c].heading.clone(),
            line: sections[c].line,
        };
        sections[p].children.push(child);
    }
}

/// A heading worth splitting at: has letters, and is not formula debris.
fn is_real_heading(text: &str) -> bool {
    let visible: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = visible.iter().filter(|c| c.is_alphabetic()).count();
    letters >= 1 && letters * 2 >= visible.len() && !text.contains('\\')
}

struct Pending {
    heading: String,
    line: usize,
    level: u8,
    crumbs: Vec<String>,
    lines: Vec<String>,
    numbered: Vec<String>,
}

impl Pending {
    fn emit(&mut self, info: &ArticleInfo, anchors: &mut HashSet<String>, out: &mut Vec<Section>) {
        let mut cautions = Vec::new();
        self.lines.retain_mut(|line| {
            if line.contains(CAUTION) {
                *line = line.replace(CAUTION, "").trim_end().to_string();
                let bare = strip_marker(line);
                if !bare.is_empty() && cautions.len() < MAX_STEPS {
                    cautions.push(bare.to_string());
                }
            }
            !line.trim().is_empty()
        });
        if self.lines.is_empty() {
            return;
        }
        let text = self.lines.join("\n");
        if is_promo_box(&self.heading, &text) {
            return;
        }
        let mut breadcrumb = vec![info.title.clone()];
        let title_key = fold(&info.title);
        for c in &self.crumbs {
            if fold(c) != title_key && breadcrumb.last() != Some(c) {
                breadcrumb.push(c.clone());
            }
        }
        let base = match slug(&self.heading) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        let mut anchor = base.clone();
        let mut n = 1;
        while !anchors.insert(anchor.clone()) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        let mut steps = ui_paths(&text);
        for item in self.numbered.drain(..) {
            if steps.len() >= MAX_STEPS {
                break;
            }
            if !item.is_empty() && !steps.contains(&item) {
                steps.push(truncate_chars(&item, 240));
            }
        }
        steps.truncate(MAX_STEPS);
        out.push(Section {
            id: format!("{}#{}", info.path, anchor),
            path: info.path.clone(),
            line: self.line.max(1),
            title: info.title.clone(),
            heading: self.heading.clone(),
            breadcrumb,
            anchor,
            text,
            steps,
            tags: info.tags.clone(),
            categories: info.categories.clone(),
            date: info.date.clone(),
            updated: info.updated.clone(),
            description: info.description.clone(),
            level: self.level,
            children: Vec::new(),
            aliases: info.aliases.clone(),
            lang: english(),
            cautions,
        });
        self.lines.clear();
    }
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Lower-cased alphanumerics only: compares headings and titles loosely.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// URL-style slug: lower-case words joined by `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for word in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
        if out.len() > 80 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> ArticleInfo {
        ArticleInfo {
            path: "a.md".into(),
            title: "My Title".into(),
            ..Default::default()
        }
    }

    fn h(level: u8, text: &str, line: usize) -> Block {
        Block::Heading {
            level,
            text: text.into(),
            line,
        }
    }

    fn t(text: &str) -> Block {
        Block::Text {
            text: text.into(),
            kind: TextKind::Paragraph,
        }
    }

    #[test]
    fn lead_title_duplicate_and_empty_parents() {
        let blocks = vec![
            t("lead text"),
            h(2, "My Title", 3),
            t("intro"),
            h(2, "Fixes", 7),
            h(3, "Restart", 9),
            t("restart it"),
            h(4, "Deeper", 11),
            t("deeper text"),
            h(3, "Restart", 14),
            t("again"),
        ];
        let s = split_sections(&info(), &blocks);
        let got: Vec<_> = s
            .iter()
            .map(|s| {
                (
                    s.heading.as_str(),
                    s.line,
                    s.breadcrumb.join(" › "),
                    s.anchor.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("My Title", 1, "My Title".to_string(), "my-title"),
                ("My Title", 3, "My Title".to_string(), "my-title-1"),
                ("Restart", 9, "My Title › Fixes › Restart".to_string(), "restart"),
                (
                    "Restart",
                    14,
                    "My Title › Fixes › Restart".to_string(),
                    "restart-1"
                ),
            ]
        );
        assert_eq!(s[2].text, "restart it\nDeeper\ndeeper text");
        assert_eq!(s[2].id, "a.md#restart");
    }

    #[test]
    fn formula_and_symbol_headings_do_not_split() {
        let blocks = vec![
            h(2, "Real", 1),
            t("x"),
            h(2, r"\[A = \Pi r^2\]", 3),
            t("y"),
            h(2, "--- ", 5),
            t("z"),
        ];
        let s = split_sections(&info(), &blocks);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "x\n\\[A = \\Pi r^2\\]\ny\n--- \nz");
    }

    #[test]
    fn ordered_items_become_steps() {
        let blocks = vec![
            h(2, "How", 1),
            Block::Text {
                text: "1. Open the app.".into(),
                kind: TextKind::Numbered,
            },
            Block::Text {
                text: "2. Tap Reset.".into(),
                kind: TextKind::Numbered,
            },
        ];
        let s = split_sections(&info(), &blocks);
        assert_eq!(s[0].steps, vec!["Open the app.", "Tap Reset."]);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Why Does iMessage Say \"Delivered\"?"),
            "why-does-imessage-say-delivered"
        );
        assert_eq!(slug("???"), "");
    }
}
