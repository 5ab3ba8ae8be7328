//! Rendering answers for people: the best fix first, wrapped to the
//! terminal, matched words highlighted when colour is on, then one line per
//! further hit.

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

/// `corpus/path:line`, the form editors and terminals open.
pub fn location(corpus: &Path, hit_path: &str, line: usize) -> String {
    let p = corpus.join(hit_path);
    format!("{}:{}", p.display(), line)
}

/// Renders an answer. `ranges` gives the byte ranges of matched words in a
/// line of text, for highlighting.
pub fn render_answer(
    answer: &Answer,
    corpus: &Path,
    style: Style,
    ranges: &dyn Fn(&str) -> Vec<(usize, usize)>,
) -> String {
    let mut out = String::new();
    if let Some(s) = &answer.suggestion {
        out.push_str(&format!("Showing results for “{s}”\n\n"));
    }
    let Some(best) = answer.hits.first() else {
        out.push_str(&format!("No section matches “{}”.\n", answer.query.trim()));
        return out;
    };
    render_best(&mut out, best, corpus, style, ranges);
    if answer.hits.len() > 1 {
        out.push_str(&format!("\n{}\n", style.paint(BOLD, "Also see")));
        let rest = &answer.hits[1..];
        let crumb_width = rest
            .iter()
            .map(|h| h.heading.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(10, 50);
        for h in rest {
            let crumb = shorten(&h.heading, crumb_width);
            out.push_str(&format!(
                "  {:>2}  {:<cw$}  {}  {}\n",
                h.rank,
                crumb,
                style.paint(CYAN, &location(corpus, &h.path, h.line)),
                style.paint(DIM, &format!("{:.2}", h.score)),
                cw = crumb_width
            ));
        }
    }
    out
}

fn render_best(
    out: &mut String,
    best: &Hit,
    corpus: &Path,
    style: Style,
    ranges: &dyn Fn(&str) -> Vec<(usize, usize)>,
) {
    let conf = format!("confidence {:.2}", best.confidence);
    let pad = style
        .width
        .saturating_sub(best.heading.chars().count() + conf.len())
        .max(2);
    out.push_str(&format!(
        "{}{}{}\n",
        style.paint(BOLD, &best.heading),
        " ".repeat(pad),
        conf
    ));
    out.push_str(&format!("{}\n", best.breadcrumb.join(" › ")));
    out.push_str(&format!(
        "{}\n",
        style.paint(CYAN, &location(corpus, &best.path, best.line))
    ));
    if best.confidence < WEAK_CONFIDENCE {
        out.push_str("(weak answer: this section matches only part of the question)\n");
    }
    if !best.steps.is_empty() {
        out.push_str(&format!("\n  {}\n", style.paint(BOLD, "Steps")));
        for s in &best.steps {
            for (i, l) in wrap(s, style.width.saturating_sub(6)).into_iter().enumerate() {
                let lead = if i == 0 { "  • " } else { "    " };
                out.push_str(&format!("  {lead}{l}\n"));
            }
        }
    }
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

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max - 1).collect();
    format!("{head}…")
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
    let mut pos = lead;
    for word in line[lead..].split(' ') {
        let start = pos;
        let end = start + word.len();
        pos = end + 1;
        if word.is_empty() {
            continue;
        }
        let n = word.chars().count();
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
        if style.color && ranges.iter().any(|(a, b)| *a < end && *b > start) {
            cur.push_str(&style.paint(HIGHLIGHT, word));
        } else {
            cur.push_str(word);
        }
        cur_len += n;
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
