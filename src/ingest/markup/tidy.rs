//! Repairs of scraped text: markup residue, list markers, spaces before
//! punctuation.

/// Removes `<name …>` and `</name>` look-alikes (a tag name, then `>` on the same line).
pub(super) fn strip_tag_residue(text: &str) -> String {
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

/// Puts the missing space on the other side of a `>` separator that has a
/// space on one side only (`Sound >Devices`, `Settings> General`), so menu
/// paths read as words. Arrows (`->`, `=>`, `>>`) are left alone.
pub(super) fn space_separators(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let arrow = prev.is_some_and(|p| matches!(p, '-' | '=' | '>' | '<')) || next == Some('>');
        if c == '>' && !arrow {
            if next == Some(' ') && prev.is_some_and(char::is_alphanumeric) {
                out.push(' ');
            }
            out.push(c);
            if prev == Some(' ') && next.is_some_and(char::is_alphanumeric) {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Collapses spaces, removes the space scraped text leaves before punctuation,
/// and trims, keeping the leading list indentation.
pub(super) fn tidy(raw: &str) -> String {
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
