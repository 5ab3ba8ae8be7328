//! Fitting text to a terminal line: shortening from the right (headings),
//! from the left (paths, so the file name and line stay), or in the middle
//! (breadcrumbs), and locations a person can open from where they are.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Characters (not bytes) in a string.
pub fn width_of(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to `max` characters, with `…` at the end when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if width_of(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let head: String = s.chars().take(max - 1).collect();
    format!("{}…", head.trim_end())
}

/// `s` cut to `max` characters from the left, with `…` at the start.
pub fn shorten_left(s: &str, max: usize) -> String {
    let n = width_of(s);
    if n <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let tail: String = s.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
}

/// A breadcrumb joined with ` › ` in at most `max` characters: the middle
/// parts are shortened first, then the first, then the whole line.
pub fn breadcrumb(parts: &[String], max: usize) -> String {
    let join = |parts: &[String]| parts.join(" › ");
    let mut parts = parts.to_vec();
    if width_of(&join(&parts)) <= max {
        return join(&parts);
    }
    let n = parts.len();
    if n > 2 {
        let longest = parts[1..n - 1].iter().map(|p| width_of(p)).max().unwrap_or(0);
        for cap in (1..longest).rev() {
            for p in &mut parts[1..n - 1] {
                *p = shorten(p, cap);
            }
            if width_of(&join(&parts)) <= max {
                return join(&parts);
            }
        }
    }
    if n > 1 {
        let rest = width_of(&join(&parts[1..])) + 3;
        if rest + 8 <= max {
            parts[0] = shorten(&parts[0], max - rest);
            return join(&parts);
        }
    }
    shorten(&join(&parts), max)
}

/// The working directory, canonical, once per process.
fn cwd() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok().and_then(|d| d.canonicalize().ok()))
        .as_deref()
}

/// `file:line` as a person opens it from the working directory: relative
/// when the file is under it, absolute otherwise.
pub fn location(file: &Path, line: usize) -> String {
    let shown = cwd()
        .and_then(|d| file.strip_prefix(d).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(file);
    format!("{}:{}", shown.display(), line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_keeps_the_right_end() {
        assert_eq!(shorten("Send as SMS Instead", 8), "Send as…");
        assert_eq!(shorten_left("dir/some-long-name.md:78", 12), "…-name.md:78");
        assert_eq!(shorten("short", 10), "short");
    }

    #[test]
    fn breadcrumbs_shorten_their_middle_first() {
        let parts: Vec<String> = [
            "Troubleshooting iMessage",
            "iMessages Won't Deliver: Troubleshooting",
            "Swap Your SIM Card",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let full = breadcrumb(&parts, 200);
        assert_eq!(full, parts.join(" › "));
        let fit = breadcrumb(&parts, 60);
        assert!(width_of(&fit) <= 60, "{fit}");
        assert!(
            fit.starts_with("Troubleshooting iMessage › ") && fit.ends_with(" › Swap Your SIM Card"),
            "{fit}"
        );
        for max in [10, 25, 40] {
            assert!(width_of(&breadcrumb(&parts, max)) <= max);
        }
    }
}
