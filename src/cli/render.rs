//! Rendering answers for people: the best fix first, wrapped to the
//! terminal, matched words highlighted when colour is on, then one line per
//! further hit.

use super::fit::{breadcrumb, location, shorten, shorten_left, width_of};
use crate::search::{Answer, Hit};
use std::path::Path;

/// How to render text.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colour and bold.
    pub color: bool,
    /// Line width to wrap at.
    pub width: usize,
}

/// Answers below this confidence are called weak in the text output.
pub const WEAK_CONFIDENCE: f32 = 0.5;

/// Lines of section text shown for the best hit before pointing to `show`.
const MAX_TEXT_LINES: usize = 24;

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const HIGHLIGHT: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    }
}

/// Own text below which a section with sub-sections is an introduction:
/// its sub-sections are listed under it.
const INTRO_CHARS: usize = 400;

/// Sub-sections listed under an introduction at most.
const MAX_CHILDREN: usize = 12;

/// Renders an answer: no line wider than `style.width` but the best hit's
/// location, which stays whole so it can be opened. `ranges` gives the byte
/// ranges of matched words in a line of text, for highlighting.
pub fn render_answer(answer: &Answer, style: Style, ranges: &dyn Fn(&str) -> Vec<(usize, usize)>) -> String {
    let mut out = String::new();
    if let Some(s) = &answer.suggestion {
        push_wrapped(&mut out, &format!("Showing results for “{s}”"), style.width);
        out.push('\n');
    }
    let Some(best) = answer.hits.first() else {
        push_wrapped(
            &mut out,
            &format!("No section matches “{}”.", answer.query.trim()),
            style.width,
        );
        return out;
    };
    render_best(&mut out, best, style, ranges);
    if is_intro(best) {
        out.push_str(&format!("\n  {}\n", style.paint(BOLD, "In this section")));
        let rows: Vec<Row> = best
            .children
            .iter()
            .take(MAX_CHILDREN)
            .map(|c| Row {
                lead: "    • ".to_string(),
                heading: c.heading.clone(),
                location: location(Path::new(&best.file), c.line),
            })
            .collect();
        push_rows(&mut out, &rows, style);
    }
    if answer.hits.len() > 1 {
        out.push_str(&format!("\n{}\n", style.paint(BOLD, "Also see")));
        let mut rows: Vec<Row> = Vec::new();
        for h in &answer.hits[1..] {
            rows.push(Row {
                lead: format!("  {:>2}  ", h.rank),
                heading: h.heading.clone(),
                location: location(Path::new(&h.file), h.line),
            });
            // An introduction shows the first sections it introduces.
            if is_intro(h) {
                for c in h.children.iter().take(MAX_CHILDREN_BELOW) {
                    rows.push(Row {
                        lead: "      • ".to_string(),
                        heading: c.heading.clone(),
                        location: location(Path::new(&h.file), c.line),
                    });
                }
                if h.children.len() > MAX_CHILDREN_BELOW {
                    rows.push(Row {
                        lead: "        ".to_string(),
                        heading: format!("… {} more", h.children.len() - MAX_CHILDREN_BELOW),
                        location: String::new(),
                    });
                }
            }
        }
        push_rows(&mut out, &rows, style);
    }
    out
}

/// Sub-sections listed under an introduction in the "Also see" list.
const MAX_CHILDREN_BELOW: usize = 3;

/// A section with little text of its own that introduces sub-sections.
fn is_intro(hit: &Hit) -> bool {
    hit.text.chars().count() < INTRO_CHARS && !hit.children.is_empty()
}

/// One line of a list of sections: `lead heading  location`.
struct Row {
    lead: String,
    heading: String,
    location: String,
}

/// Rows fitted to the width, headings in one column: the location is
/// shortened from the left (its file name and line stay), the heading from
/// the right.
fn push_rows(out: &mut String, rows: &[Row], style: Style) {
    let lead_w = rows.iter().map(|r| width_of(&r.lead)).max().unwrap_or(0);
    let avail = style.width.saturating_sub(lead_w + 2);
    let head_w = rows.iter().map(|r| width_of(&r.heading)).max().unwrap_or(0);
    let loc_w = rows.iter().map(|r| width_of(&r.location)).max().unwrap_or(0);
    // Whole locations when headings keep 40 characters; else a share each.
    let loc_w = if loc_w + head_w.min(40) <= avail {
        loc_w
    } else {
        loc_w.min(avail.saturating_sub(head_w.min(50)).max(avail * 2 / 5))
    };
    let head_w = head_w.min(avail.saturating_sub(loc_w));
    for r in rows {
        let line = format!(
            "{:<lead_w$}{:<head_w$}  {}",
            r.lead,
            shorten(&r.heading, head_w),
            style.paint(CYAN, &shorten_left(&r.location, loc_w)),
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// A titled list of wrapped items (`  • step`), nothing when empty.
fn push_list(out: &mut String, title: &str, bullet: char, items: &[String], style: Style) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n  {}\n", style.paint(BOLD, title)));
    for item in items {
        for (i, l) in wrap(item, style.width.saturating_sub(6)).into_iter().enumerate() {
            let lead = if i == 0 {
                format!("  {bullet} ")
            } else {
                "    ".to_string()
            };
            out.push_str(&format!("  {lead}{l}\n"));
        }
    }
}

fn push_wrapped(out: &mut String, text: &str, width: usize) {
    for line in wrap(text, width) {
        out.push_str(&line);
        out.push('\n');
    }
}

fn render_best(out: &mut String, best: &Hit, style: Style, ranges: &dyn Fn(&str) -> Vec<(usize, usize)>) {
    let conf = format!("confidence {:.2}", best.confidence);
    let heading_w = width_of(&best.heading);
    if heading_w + 2 + conf.len() <= style.width {
        let pad = style.width - heading_w - conf.len();
        out.push_str(&format!(
            "{}{}{conf}\n",
            style.paint(BOLD, &best.heading),
            " ".repeat(pad)
        ));
    } else {
        for line in wrap(&best.heading, style.width) {
            out.push_str(&format!("{}\n", style.paint(BOLD, &line)));
        }
        out.push_str(&format!("{conf}\n"));
    }
    out.push_str(&format!("{}\n", breadcrumb(&best.breadcrumb, style.width)));
    out.push_str(&format!(
        "{}\n",
        style.paint(CYAN, &location(Path::new(&best.file), best.line))
    ));
    if best.confidence < WEAK_CONFIDENCE {
        out.push_str("(weak answer: this section matches only part of the question)\n");
    }
    push_list(out, "Steps", '•', &best.steps, style);
    push_list(out, "Caution", '!', &best.cautions, style);
    out.push('\n');
    let lines: Vec<&str> = best.text.lines().collect();
    for line in lines.iter().take(MAX_TEXT_LINES) {
        let indent = "  ";
        for wrapped in wrap_highlight(
            line,
            &ranges(line),
            style.width.saturating_sub(indent.len()),
            style,
        ) {
            out.push_str(indent);
            out.push_str(&wrapped);
            out.push('\n');
        }
    }
    if lines.len() > MAX_TEXT_LINES {
        out.push_str(&format!(
            "  {}\n",
            style.paint(
                DIM,
                &format!(
                    "… {} more lines: fixdex show '{}'",
                    lines.len() - MAX_TEXT_LINES,
                    best.id
                )
            )
        ));
    }
}

/// Wraps plain text at `width` columns (by characters).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_highlight(text, &[], width, Style { color: false, width })
}

/// Wraps a line at word boundaries, painting words that overlap `ranges`.
fn wrap_highlight(line: &str, ranges: &[(usize, usize)], width: usize, style: Style) -> Vec<String> {
    let width = width.max(20);
    let lead = line.len() - line.trim_start().len();
    let indent = &line[..lead];
    let mut out = Vec::new();
    let mut cur = String::from(indent);
    let mut cur_len = indent.chars().count();
    let body = &line[lead..];
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let hang = if body.starts_with("- ") {
        2
    } else if digits > 0 && body[digits..].starts_with(". ") {
        digits + 2
    } else {
        0
    };
    let room = width.saturating_sub(indent.len() + hang).max(8);
    let mut pos = lead;
    for word in line[lead..].split(' ') {
        let start = pos;
        let end = start + word.len();
        pos = end + 1;
        let lit = style.color && ranges.iter().any(|(a, b)| *a < end && *b > start);
        // A word wider than the line (a URL, a path) is broken where it must be.
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(room) {
            let piece: String = piece.iter().collect();
            let n = piece.chars().count();
            if cur_len > indent.len() + hang && cur_len + 1 + n > width {
                out.push(std::mem::take(&mut cur));
                cur.push_str(indent);
                cur.push_str(&" ".repeat(hang));
                cur_len = indent.len() + hang;
            }
            if cur_len > indent.len() + hang && !cur.ends_with(' ') {
                cur.push(' ');
                cur_len += 1;
            }
            if lit {
                cur.push_str(&style.paint(HIGHLIGHT, &piece));
            } else {
                cur.push_str(&piece);
            }
            cur_len += n;
        }
    }
    if !cur.trim().is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_width_and_indents_continuations() {
        let w = wrap(
            "one two three four five six seven eight nine ten eleven twelve",
            20,
        );
        assert!(w.iter().all(|l| l.chars().count() <= 22), "{w:?}");
        assert_eq!(w.join(" ").split_whitespace().count(), 12);
    }

    #[test]
    fn highlights_only_with_colour() {
        let line = "the message was not delivered";
        let r = [(20usize, 29usize)];
        let plain = wrap_highlight(
            line,
            &r,
            80,
            Style {
                color: false,
                width: 80,
            },
        );
        assert_eq!(plain, vec![line]);
        let col = wrap_highlight(
            line,
            &r,
            80,
            Style {
                color: true,
                width: 80,
            },
        );
        assert!(col[0].contains("\x1b[1;33mdelivered\x1b[0m"));
    }
}
