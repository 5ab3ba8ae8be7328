//! What state an index is in: whether the corpus changed since it was
//! built ([`needs_refresh`]), what it holds ([`stats`]), and where it drifted
//! from the corpus and its manifest ([`check`]).

use super::manifest::{Header, Manifest, Stamps};
use super::open::{OpenIndex, open_index};
use super::repair;
use super::schema::{Fields, SCHEMA_VERSION};
use crate::ingest::walk;
use crate::text::lang;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use tantivy::Term;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;

/// Whether the index is missing or older than the corpus (a file added,
/// removed or changed since the last run).
pub fn needs_refresh(corpus: &Path, index_dir: &Path) -> Result<bool> {
    // The manifest (megabytes on a large corpus) is parsed on another
    // thread while the corpus is walked: together they are the start-up
    // cost of a refreshing query.
    let follow = Header::load(index_dir)
        .ok()
        .flatten()
        .is_some_and(|h| h.follow_links);
    let (manifest, walked) = std::thread::scope(|s| {
        let manifest = s.spawn(|| Stamps::load(index_dir));
        let walked = super::corpus_files(corpus, index_dir, follow);
        (manifest.join(), walked)
    });
    let manifest = match manifest {
        Ok(Ok(Some(m))) if m.schema_version == SCHEMA_VERSION => m,
        _ => return Ok(true),
    };
    if !index_dir.join("meta.json").exists() {
        return Ok(true);
    }
    Ok(is_stale(&walked?, &manifest))
}

/// Whether a file was added, removed or changed (by size or modification
/// time) since `manifest` was written. Both lists are sorted by path, so
/// they are compared side by side (a lookup of each of 14k long paths in
/// the manifest's tree took 5 ms).
fn is_stale(walked: &walk::Walked, manifest: &Stamps) -> bool {
    walked.files.len() != manifest.files.len()
        || walked
            .files
            .iter()
            .zip(&manifest.files)
            .any(|(f, (rel, e))| f.rel != *rel || e.size != f.size || e.mtime_ns != f.mtime_ns)
}

/// What `fixdex stats` reports (the `stats --json` contract).
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Indexed articles.
    pub articles: usize,
    /// Sections in the index.
    pub sections: u64,
    /// Distinct terms in the body text field.
    pub terms: u64,
    /// Bytes of the index directory.
    pub index_bytes: u64,
    /// Bytes of the corpus files at the last run.
    pub corpus_bytes: u64,
    /// Time of the last indexing run that changed the index or its
    /// manifest, RFC 3339 (a run that found nothing to change leaves it).
    pub indexed_at: String,
    /// Files skipped at the last run.
    pub skipped: usize,
    /// Articles and sections per language, most sections first.
    pub languages: Vec<LanguageCount>,
    /// The model that made the sentence vectors (`index --semantic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<crate::text::encoder::ModelId>,
}

/// What an index holds in one language.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageCount {
    /// Code (`en`, `de`, `ja`).
    pub code: String,
    /// English name.
    pub name: String,
    /// Articles in it.
    pub articles: usize,
    /// Sections in it.
    pub sections: u64,
}

/// The languages of an index, with their section counts, most first.
pub fn languages(searcher: &tantivy::Searcher, field: tantivy::schema::Field) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for seg in searcher.segment_readers() {
        let Ok(inv) = seg.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inv.terms().stream() else {
            continue;
        };
        while stream.advance() {
            let code = String::from_utf8_lossy(stream.key()).into_owned();
            let n = u64::from(stream.value().doc_freq);
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some((_, total)) => *total += n,
                None => counts.push((code, n)),
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// Exact counts per language (deleted sections not counted).
fn language_counts(searcher: &tantivy::Searcher, fields: &Fields) -> Result<Vec<LanguageCount>> {
    let mut out = Vec::new();
    for (code, _) in languages(searcher, fields.lang) {
        let q = TermQuery::new(
            Term::from_field_text(fields.lang, &code),
            IndexRecordOption::Basic,
        );
        let docs = searcher.search(&q, &DocSetCollector)?;
        let mut articles = HashSet::new();
        for a in &docs {
            let col = searcher
                .segment_reader(a.segment_ord)
                .fast_fields()
                .u64("article")?;
            articles.insert(col.first(a.doc_id));
        }
        out.push(LanguageCount {
            name: lang::name(&code),
            code,
            articles: articles.len(),
            sections: docs.len() as u64,
        });
    }
    out.retain(|l| l.sections > 0);
    out.sort_by(|a, b| b.sections.cmp(&a.sections).then(a.code.cmp(&b.code)));
    Ok(out)
}

/// Computes index statistics.
pub fn stats(open: &OpenIndex, index_dir: &Path) -> Result<Stats> {
    let manifest = full_manifest(index_dir)?;
    let reader = open.index.reader()?;
    let searcher = reader.searcher();
    let mut terms = 0;
    for seg in searcher.segment_readers() {
        terms += seg.inverted_index(open.fields.text)?.terms().num_terms() as u64;
    }
    let index_bytes = std::fs::read_dir(index_dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "README.md")
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    Ok(Stats {
        articles: manifest.articles(),
        sections: searcher.num_docs(),
        terms,
        index_bytes,
        corpus_bytes: manifest.corpus_bytes(),
        indexed_at: manifest.indexed_at.clone(),
        skipped: manifest.files.values().filter(|f| f.skipped.is_some()).count(),
        languages: language_counts(&searcher, &open.fields)?,
        semantic: manifest.semantic.clone(),
    })
}

/// The whole manifest of an index that [`open_index`] opened.
fn full_manifest(index_dir: &Path) -> Result<Manifest> {
    Manifest::load(index_dir)?.with_context(|| format!("{} lost its manifest", index_dir.display()))
}

/// Drift between the corpus, the manifest and the index, from `index --check`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CheckReport {
    /// Corpus files not in the manifest (not indexed yet).
    pub new_files: Vec<String>,
    /// Files changed since they were indexed.
    pub changed_files: Vec<String>,
    /// Files in the manifest that are gone from the corpus.
    pub deleted_files: Vec<String>,
    /// Files whose section count in the index differs from the manifest:
    /// (path, manifest, index).
    pub section_mismatch: Vec<(String, usize, u64)>,
    /// Sections in the index.
    pub index_sections: u64,
    /// Sections the manifest accounts for.
    pub manifest_sections: usize,
    /// Index files whose checksum does not match their contents.
    pub damaged_files: Vec<String>,
    /// Why the index does not answer, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl CheckReport {
    /// Whether the index matches the corpus exactly.
    pub fn is_clean(&self) -> bool {
        self.new_files.is_empty()
            && self.changed_files.is_empty()
            && self.deleted_files.is_empty()
            && self.section_mismatch.is_empty()
            && self.index_sections == self.manifest_sections as u64
            && self.is_sound()
    }

    /// Whether the index files themselves are intact.
    pub fn is_sound(&self) -> bool {
        self.damaged_files.is_empty() && self.unreadable.is_none()
    }
}

/// Checks the index against the corpus and the manifest, and every index
/// file against its checksum. With `deep`, every corpus file is re-hashed,
/// so an edit that kept size and modification time is found too.
pub fn check(corpus: &Path, index_dir: &Path, deep: bool) -> Result<CheckReport> {
    let open = open_index(index_dir)?;
    let manifest = full_manifest(index_dir)?;
    let mut r = CheckReport::default();
    let damaged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| open.index.validate_checksum()));
    match damaged {
        Ok(Ok(files)) => r.damaged_files = files.iter().map(|p| p.display().to_string()).collect(),
        Ok(Err(e)) => r.unreadable = Some(repair::cause(&e)),
        Err(_) => r.unreadable = Some("reading its files failed".to_string()),
    }
    r.damaged_files.sort();
    if r.unreadable.is_none() {
        r.unreadable = repair::answers(&open.index, &open.fields).err();
    }
    let walked = super::corpus_files(corpus, index_dir, manifest.follow_links)?;
    for f in &walked.files {
        match manifest.files.get(&f.rel) {
            None => r.new_files.push(f.rel.clone()),
            Some(e) if deep || e.size != f.size || e.mtime_ns != f.mtime_ns => {
                let same = std::fs::read(&f.abs)
                    .map(|b| blake3::hash(&b).to_hex().to_string() == e.hash)
                    .unwrap_or(false);
                if !same {
                    r.changed_files.push(f.rel.clone());
                }
            }
            Some(_) => {}
        }
    }
    if r.is_sound() {
        count_sections(&open, &manifest, &walked, &mut r)?;
    }
    r.manifest_sections = manifest.files.values().map(|f| f.sections).sum();
    Ok(r)
}

/// Compares the sections of each file in the index with the manifest.
fn count_sections(
    open: &OpenIndex,
    manifest: &Manifest,
    walked: &walk::Walked,
    r: &mut CheckReport,
) -> Result<()> {
    let reader = open.index.reader()?;
    let searcher = reader.searcher();
    let present: std::collections::HashSet<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
    for (path, e) in &manifest.files {
        if !present.contains(path.as_str()) {
            r.deleted_files.push(path.clone());
        }
        let q = tantivy::query::TermQuery::new(
            open.fields.path_term(path),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let n = searcher.search(&q, &tantivy::collector::Count)? as u64;
        if n != e.sections as u64 {
            r.section_mismatch.push((path.clone(), e.sections, n));
        }
    }
    r.index_sections = searcher.num_docs();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::manifest::{FileEntry, Stamp};

    fn walked(files: &[(&str, u64, u128)]) -> walk::Walked {
        let files = (files.iter())
            .map(|&(rel, size, mtime_ns)| walk::CorpusFile {
                rel: rel.to_string(),
                abs: rel.into(),
                size,
                mtime_ns,
            })
            .collect();
        walk::Walked {
            files,
            errors: Vec::new(),
        }
    }

    #[test]
    fn any_file_added_removed_renamed_or_changed_makes_the_index_stale() {
        let mut manifest = Manifest::default();
        for (rel, size) in [("a.md", 1), ("b/c.md", 2), ("b/d.md", 3)] {
            let entry = FileEntry {
                hash: String::new(),
                size,
                mtime_ns: 7,
                sections: 1,
                skipped: None,
                warnings: Vec::new(),
            };
            manifest.files.insert(rel.to_string(), entry);
        }
        // As written and read back: the stamps keep the table's order.
        let dir = tempfile::tempdir().unwrap();
        manifest.schema_version = SCHEMA_VERSION;
        manifest.save(dir.path()).unwrap();
        let manifest = Stamps::load(dir.path()).unwrap().unwrap();
        assert_eq!(
            manifest.files[1],
            ("b/c.md".to_string(), Stamp { size: 2, mtime_ns: 7 })
        );
        let same = [("a.md", 1, 7), ("b/c.md", 2, 7), ("b/d.md", 3, 7)];
        assert!(!is_stale(&walked(&same), &manifest));
        let changes: [&[(&str, u64, u128)]; 5] = [
            &[("a.md", 1, 7), ("b/c.md", 2, 8), ("b/d.md", 3, 7)],
            &[("a.md", 1, 7), ("b/c.md", 5, 7), ("b/d.md", 3, 7)],
            &[("a.md", 1, 7), ("b/c.md", 2, 7), ("b/e.md", 3, 7)],
            &[("a.md", 1, 7), ("b/c.md", 2, 7)],
            &[("a.md", 1, 7), ("b/c.md", 2, 7), ("b/d.md", 3, 7), ("z.md", 1, 7)],
        ];
        for files in changes {
            assert!(is_stale(&walked(files), &manifest), "{files:?}");
        }
    }
}
