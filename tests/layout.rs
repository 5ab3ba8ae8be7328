//! The layout rules of ARCHITECTURE.md, checked: dependencies between the
//! pipeline stages point one way, `main.rs` stays thin, and no file or
//! function in `src/` grows past a screenful or two (files counted with
//! their unit tests).

use std::path::{Path, PathBuf};

/// Stages from the top of the pipeline down: a module may use the ones
/// after it, never the ones before it.
const STAGES: &[&str] = &["cli", "serve", "eval", "search", "index", "ingest", "text"];

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The stage a source file belongs to (`src/search/plan.rs` → `search`).
fn stage_of(path: &Path) -> Option<&'static str> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    STAGES.iter().copied().find(|s| *s == name)
}

/// The code of a file without its unit tests.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[test]
fn dependencies_point_down_the_pipeline() {
    let mut wrong = Vec::new();
    for path in sources(&src()) {
        let Some(stage) = stage_of(&path) else { continue };
        let rank = STAGES.iter().position(|s| *s == stage).unwrap();
        let text = code(&path);
        for upper in &STAGES[..rank] {
            if text.contains(&format!("crate::{upper}::")) || text.contains(&format!("crate::{upper};")) {
                wrong.push(format!("{} uses {upper}", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the pipeline: {wrong:?}");
}

#[test]
fn main_is_thin_and_files_are_short() {
    let main = std::fs::read_to_string(src().join("main.rs")).unwrap();
    assert!(
        main.lines().count() <= 60,
        "src/main.rs has {} lines",
        main.lines().count()
    );
    let long: Vec<String> = sources(&src())
        .into_iter()
        .map(|p| (std::fs::read_to_string(&p).unwrap().lines().count(), p))
        .filter(|(n, _)| *n > 500)
        .map(|(n, p)| format!("{} ({n} lines)", p.display()))
        .collect();
    assert!(long.is_empty(), "files over 500 lines: {long:?}");
}

/// Line counts of the functions of a file, by brace matching (strings and
/// comments are stripped first, which is enough for this code base).
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<String> = text.lines().map(strip_literals).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let before = &t[..at];
        if !before
            .split_whitespace()
            .all(|w| matches!(w, "pub" | "const" | "async" | "unsafe") || w.starts_with("pub("))
        {
            continue;
        }
        let name: String = t[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut depth = 0i32;
        let mut opened = false;
        for (j, l) in lines.iter().enumerate().skip(i) {
            if !opened && l.contains(';') && !l.contains('{') {
                break; // a declaration without a body
            }
            depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
            opened |= l.contains('{');
            if opened && depth <= 0 {
                out.push((name.clone(), j - i + 1));
                break;
            }
        }
    }
    out
}

fn strip_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == '"' {
                        break;
                    }
                }
            }
            '\'' if chars.clone().nth(1) == Some('\'') => {
                chars.next();
                chars.next();
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn function_lengths_are_measured() {
    let text = "fn a() {\n    let s = \"}\";\n}\n\npub(crate) fn b(x: u8) -> u8 {\n    if x > 0 {\n        1\n    } else {\n        0\n    }\n}\n";
    assert_eq!(
        function_lengths(text),
        vec![("a".to_string(), 3), ("b".to_string(), 7)]
    );
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let mut long = Vec::new();
    for path in sources(&src()) {
        for (name, n) in function_lengths(&code(&path)) {
            if n > 80 {
                long.push(format!("{}: {name} ({n} lines)", path.display()));
            }
        }
    }
    assert!(long.is_empty(), "functions over 80 lines: {long:?}");
}
