//! Steps a reader can follow, found in a section's text: UI paths such as
//! `Settings > Messages > Send as SMS` (ordered-list items are added by
//! [`super::sections`]).

use crate::ingest::markup::strip_marker;

/// Finds UI paths such as `Settings > Messages > Send as SMS` in text.
pub fn ui_paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = strip_marker(line);
        let parts: Vec<&str> = line.split(" > ").collect();
        if parts.len() < 2 {
            continue;
        }
        let mut i = 0;
        while i + 1 < parts.len() {
            // Start of a path: the capitalised words at the end of parts[i].
            let Some(first) = trailing_name(parts[i]) else {
                i += 1;
                continue;
            };
            let mut segs = vec![first];
            let mut j = i + 1;
            while j < parts.len() {
                let last = j + 1 == parts.len();
                let seg = if last {
                    leading_name(parts[j])
                } else {
                    whole_name(parts[j]).or_else(|| leading_name(parts[j]))
                };
                let Some(seg) = seg else { break };
                let complete = whole_name(parts[j]).is_some();
                segs.push(seg);
                j += 1;
                if !complete {
                    break;
                }
            }
            if segs.len() >= 2 && segs.iter().all(|s| s.chars().any(char::is_alphabetic)) {
                let path = segs.join(" > ");
                if !found.contains(&path) {
                    found.push(path);
                }
            }
            i = j.max(i + 1);
        }
    }
    found
}

fn is_name_word(w: &str, first: bool) -> bool {
    let starts_upper = w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    starts_upper
        || (!first
            && matches!(
                w,
                "&" | "and" | "as" | "of" | "for" | "to" | "on" | "in" | "&amp;"
            ))
}

/// The capitalised words at the end of `s`: `go to Settings` → `Settings`.
fn trailing_name(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut start = words.len();
    while start > 0 && words.len() - start < 5 {
        let w = words[start - 1].trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '(' | '*'));
        if w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
            start -= 1;
        } else {
            break;
        }
    }
    // A capitalised run that starts the sentence usually begins with the
    // imperative verb: `Open Settings > …`, `Review Settings > …`.
    if start == 0 && words.len() >= 2 {
        start = 1;
    }
    (start < words.len()).then(|| clean_seg(&words[start..].join(" ")))
}

/// The name at the start of `s`, up to punctuation or a lower-case word run.
fn leading_name(s: &str) -> Option<String> {
    let cut = s
        .find([',', '.', ';', ':', '(', '—', '–', '"', '“', '”', '!', '?'])
        .unwrap_or(s.len());
    let words: Vec<&str> = s[..cut].split_whitespace().collect();
    let mut end = 0;
    while end < words.len() && end < 6 && is_name_word(words[end], end == 0) {
        end += 1;
    }
    // Do not end on a connector word.
    while end > 1 && !is_name_word(words[end - 1], true) {
        end -= 1;
    }
    (end > 0).then(|| clean_seg(&words[..end].join(" ")))
}

/// `s` itself when the whole of it is a short name.
fn whole_name(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    (!words.is_empty() && words.len() <= 6 && words.iter().enumerate().all(|(i, w)| is_name_word(w, i == 0)))
        .then(|| clean_seg(s))
}

fn clean_seg(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '"' | '“' | '”' | '\''))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_paths_are_found() {
        let text = "Go to Settings > Messages > Send as SMS to enable this.\nby going to Settings > General > Reset > Reset All Settings —careful\nReview Settings > Cellular (or Mobile Data) now.\nGo to Settings > Messages > Send & Receive and tap your ID.\n2 > 1 is true";
        assert_eq!(
            ui_paths(text),
            vec![
                "Settings > Messages > Send as SMS",
                "Settings > General > Reset > Reset All Settings",
                "Settings > Cellular",
                "Settings > Messages > Send & Receive",
            ]
        );
    }
}
