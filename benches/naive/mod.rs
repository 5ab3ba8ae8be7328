//! The naive baseline: every Markdown file split at its heading lines (no
//! cleaning, no front matter beyond the title) and indexed in SQLite FTS5
//! with porter stemming. `baseline` ranks with it; `compare` times its
//! build from the files.

use anyhow::Result;
use std::path::Path;

/// One raw section: path, title, heading, body.
pub struct Raw {
    pub path: String,
    pub title: String,
    pub heading: String,
    pub body: String,
}

/// Splits a file at lines starting with `#`; the text before the first
/// heading is headed by the title.
pub fn split(path: &str, text: &str) -> Vec<Raw> {
    let title = text
        .lines()
        .take(40)
        .find_map(|l| l.strip_prefix("title:"))
        .map(|t| t.trim().trim_matches(['"', '\'']).to_string())
        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
    let mut out = vec![Raw {
        path: path.to_string(),
        title: title.clone(),
        heading: title.clone(),
        body: String::new(),
    }];
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('#') {
            out.push(Raw {
                path: path.to_string(),
                title: title.clone(),
                heading: t.trim_start_matches('#').trim().to_string(),
                body: String::new(),
            });
        } else if let Some(last) = out.last_mut() {
            last.body.push_str(line);
            last.body.push('\n');
        }
    }
    out
}

/// Fills `conn` with the naive baseline's index of `corpus`: every file
/// read and split at its headings, each part a row of table `s`.
pub fn build(conn: rusqlite::Connection, corpus: &Path) -> Result<rusqlite::Connection> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE s USING fts5(title, heading, body, path UNINDEXED, tokenize='porter unicode61');",
    )?;
    let files = fixdex::ingest::walk::corpus_files(corpus, false, |_| false)?.files;
    let tx = conn.unchecked_transaction()?;
    {
        let mut st = tx.prepare("INSERT INTO s (title, heading, body, path) VALUES (?1, ?2, ?3, ?4)")?;
        for f in files {
            let Ok(bytes) = std::fs::read(&f.abs) else {
                continue;
            };
            for r in split(&f.rel, &String::from_utf8_lossy(&bytes)) {
                st.execute(rusqlite::params![r.title, r.heading, r.body, r.path])?;
            }
        }
    }
    tx.commit()?;
    Ok(conn)
}
