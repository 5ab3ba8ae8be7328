//! `fixdex index`: walk the corpus, parse what changed, and commit the
//! section documents to the tantivy index in one commit per run.
//!
//! Incremental by a manifest of sizes, modification times and content
//! hashes: an unchanged file is not read again, a changed one has its
//! sections replaced, a deleted one has them removed. The manifest is written
//! after the commit, so it never claims more than the index holds; a file
//! whose sections were committed but whose manifest entry was not is simply
//! re-parsed next time (its old sections are always deleted first).

use crate::index::manifest::{FileEntry, Header, Manifest};
use crate::index::schema::{self, Fields, SCHEMA_VERSION};
use crate::ingest::article::{self, Article, ArticleError};
use crate::ingest::walk;
use crate::text::analyzer;
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// What to index and how.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Corpus root.
    pub corpus: PathBuf,
    /// Index directory.
    pub index_dir: PathBuf,
    /// Start over instead of updating.
    pub rebuild: bool,
    /// Show a progress bar (on stderr).
    pub progress: bool,
    /// Wait for another fixdex process holding the index lock instead of failing.
    pub wait: bool,
}

/// A file that was not indexed, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skipped {
    /// Corpus-relative path.
    pub path: String,
    /// Reason, one sentence.
    pub reason: String,
}

/// A file that was indexed with a problem.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Warning {
    /// Corpus-relative path.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// Summary of one indexing run (the `index --json` contract).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    /// Articles in the index after the run.
    pub articles: usize,
    /// Sections in the index after the run.
    pub sections: usize,
    /// Files parsed in this run.
    pub parsed: usize,
    /// Files found unchanged and not parsed.
    pub unchanged: usize,
    /// Files whose sections were removed because they are gone.
    pub removed: usize,
    /// Files not indexed, with reasons.
    pub skipped: Vec<Skipped>,
    /// Files indexed with problems.
    pub warnings: Vec<Warning>,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Why the index was rebuilt from scratch, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
}

/// An open fixdex index.
pub struct OpenIndex {
    /// The tantivy index, analyzers registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// Its manifest's header (load the file table with [`Manifest::load`]).
    pub header: Header,
}

/// Name of the lock file that keeps two indexing runs apart.
pub const LOCK_FILE: &str = ".fixdex.lock";

/// Files in an index directory that do not make it "not empty".
fn is_ignorable(name: &str) -> bool {
    name == "README.md" || name.starts_with('.')
}

/// Opens an existing index for reading, with a clear error when there is none
/// or it is not usable.
pub fn open_index(index_dir: &Path) -> Result<OpenIndex> {
    recover_pending(index_dir);
    let manifest = match Header::load(index_dir) {
        Ok(Some(m)) => m,
        Ok(None) => bail!(
            "{} holds no fixdex index; run `fixdex index` to build one",
            index_dir.display()
        ),
        Err(e) => bail!("{e:#}; run `fixdex index --rebuild` to rebuild it"),
    };
    if manifest.schema_version != SCHEMA_VERSION {
        bail!(
            "the index in {} was built by another fixdex version (schema {} instead of {}); run `fixdex index --rebuild`",
            index_dir.display(),
            manifest.schema_version,
            SCHEMA_VERSION
        );
    }
    let index = open_tantivy(index_dir)?;
    let fields = Fields::from_schema(&index.schema()).map_err(|_| {
        anyhow::anyhow!(
            "{} is not a fixdex index (unexpected fields); run `fixdex index --rebuild`",
            index_dir.display()
        )
    })?;
    Ok(OpenIndex {
        index,
        fields,
        header: manifest,
    })
}

fn open_tantivy(index_dir: &Path) -> Result<Index> {
    let index = std::panic::catch_unwind(|| Index::open_in_dir(index_dir))
        .map_err(|_| anyhow::anyhow!("the index in {} is corrupt", index_dir.display()))?
        .map_err(|e| {
            anyhow::anyhow!(
                "the index in {} is damaged or incomplete ({e}); run `fixdex index --rebuild`",
                index_dir.display()
            )
        })?;
    analyzer::register(&index);
    Ok(index)
}

/// Settles a manifest left aside by a run that stopped between writing it
/// and replacing the current one: it is adopted when the index's last commit
/// carries its hash (the commit happened), dropped otherwise.
fn recover_pending(index_dir: &Path) {
    let Some(hash) = Manifest::pending_hash(index_dir) else {
        return;
    };
    let payload = std::panic::catch_unwind(|| {
        Index::open_in_dir(index_dir)
            .ok()
            .and_then(|i| i.load_metas().ok())
    })
    .ok()
    .flatten()
    .and_then(|m| m.payload);
    if payload.as_deref() == Some(hash.as_str()) {
        let _ = Manifest::promote_pending(index_dir);
    } else {
        Manifest::discard_pending(index_dir);
    }
}

/// Another fixdex process holds the index lock.
#[derive(Debug)]
pub struct IndexLocked(pub PathBuf);

impl std::fmt::Display for IndexLocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the index in {} is locked by another fixdex process that is indexing; try again when it is done, or pass --wait",
            self.0.display()
        )
    }
}

impl std::error::Error for IndexLocked {}

/// Takes the index lock, failing fast (or waiting, with `wait`).
fn lock(index_dir: &Path, wait: bool) -> Result<File> {
    let path = index_dir.join(LOCK_FILE);
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    if wait {
        f.lock()
            .with_context(|| format!("cannot lock {}", path.display()))?;
    } else if f.try_lock().is_err() {
        return Err(IndexLocked(index_dir.to_path_buf()).into());
    }
    Ok(f)
}

/// Prepares the index directory: creates it, checks it is ours, and returns
/// the open index with its manifest, or a fresh one (with the reason).
fn prepare(opts: &IndexOptions) -> Result<(Index, Fields, Manifest, Option<String>)> {
    let dir = &opts.index_dir;
    recover_pending(dir);
    let old = Manifest::load(dir);
    let has_meta = dir.join("meta.json").exists();
    let foreign = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .any(|e| !is_ignorable(&e.file_name().to_string_lossy()));
    let reuse = match &old {
        Ok(Some(m)) if m.schema_version == SCHEMA_VERSION && has_meta => match open_tantivy(dir) {
            Ok(index) => match Fields::from_schema(&index.schema()) {
                Ok(fields) => Some((index, fields, m.clone())),
                Err(_) => None,
            },
            Err(_) => None,
        },
        _ => None,
    };
    if let Some((index, fields, manifest)) = reuse {
        return Ok((
            index,
            fields,
            manifest,
            opts.rebuild.then(|| "--rebuild".to_string()),
        ));
    }
    let reason = match &old {
        Ok(Some(m)) if m.schema_version != SCHEMA_VERSION => Some(format!(
            "the index was built with schema version {}, this fixdex uses {}",
            m.schema_version, SCHEMA_VERSION
        )),
        Ok(Some(_)) => Some("the index files are missing or damaged".to_string()),
        Err(e) => Some(format!("the manifest is unreadable ({e:#})")),
        Ok(None) if has_meta => Some("the index has no manifest".to_string()),
        Ok(None) if foreign => bail!(
            "{} is not empty and is not a fixdex index; refusing to overwrite it (choose another --index directory)",
            dir.display()
        ),
        Ok(None) => None,
    };
    if reason.is_some() {
        // Only remove what a fixdex index holds: tantivy files and our manifest.
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !is_ignorable(&name) && entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            }
        }
    }
    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(dir, schema)
        .with_context(|| format!("cannot create an index in {}", dir.display()))?;
    analyzer::register(&index);
    Ok((index, fields, Manifest::default(), reason))
}

/// Result of reading one changed file.
enum Parsed {
    Article(Article, FileEntry),
    Unchanged(FileEntry),
    Skipped(FileEntry),
}

/// Runs one indexing pass.
pub fn run_index(opts: &IndexOptions) -> Result<Summary> {
    let start = Instant::now();
    let corpus = &opts.corpus;
    if !corpus.exists() {
        bail!("corpus {} does not exist", corpus.display());
    }
    let walked = walk::corpus_files(corpus, &opts.index_dir)?;
    if walked.files.is_empty() {
        bail!(
            "corpus {} holds no article (.md, .markdown or .txt files)",
            corpus.display()
        );
    }
    std::fs::create_dir_all(&opts.index_dir)
        .with_context(|| format!("cannot create index directory {}", opts.index_dir.display()))?;
    let _lock = lock(&opts.index_dir, opts.wait)?;
    let (index, fields, mut manifest, rebuilt) = prepare(opts)?;
    let fresh_start = rebuilt.is_some() || manifest.files.is_empty();
    if rebuilt.is_some() {
        manifest.files.clear();
    }

    let mut summary = Summary {
        rebuilt: rebuilt.clone(),
        ..Default::default()
    };
    for (path, reason) in &walked.errors {
        summary.skipped.push(Skipped {
            path: path.clone(),
            reason: reason.clone(),
        });
    }

    // Decide what to read.
    let mut todo = Vec::new();
    let mut next_files = std::collections::BTreeMap::new();
    for f in &walked.files {
        match manifest.files.get(&f.rel) {
            Some(e) if e.size == f.size && e.mtime_ns == f.mtime_ns && !is_retryable(e) => {
                next_files.insert(f.rel.clone(), e.clone());
                summary.unchanged += 1;
            }
            _ => todo.push(f),
        }
    }
    // A set, not a scan per entry: the corpus can hold tens of thousands of files.
    let present: std::collections::HashSet<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
    let removed: Vec<String> = manifest
        .files
        .keys()
        .filter(|k| !present.contains(k.as_str()))
        .cloned()
        .collect();

    let bar = if opts.progress && !todo.is_empty() {
        let bar = ProgressBar::with_draw_target(Some(todo.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} indexing [{bar:30}] {pos}/{len} files {per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    let mut writer: Option<IndexWriter<TantivyDocument>> = None;
    let open_writer = |index: &Index| -> Result<IndexWriter<TantivyDocument>> {
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 4);
        index
            .writer_with_num_threads(threads, threads * 48_000_000)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                    "the index in {} is locked by another process",
                    opts.index_dir.display()
                ),
                e => anyhow::anyhow!("cannot open the index for writing: {e}"),
            })
    };
    if rebuilt.is_some() {
        let w = open_writer(&index)?;
        w.delete_all_documents()?;
        writer = Some(w);
    }
    for path in &removed {
        let w = writable(&mut writer, &index, &open_writer)?;
        w.delete_term(fields.path_term(path));
        summary.removed += 1;
    }

    // Parse in chunks so memory stays bounded whatever the corpus size.
    for chunk in todo.chunks(256) {
        let parsed: Vec<(String, Parsed)> = chunk
            .par_iter()
            .map(|f| (f.rel.clone(), read_one(f, manifest.files.get(&f.rel))))
            .collect();
        for (rel, p) in parsed {
            bar.inc(1);
            match p {
                Parsed::Unchanged(entry) => {
                    summary.unchanged += 1;
                    next_files.insert(rel, entry);
                }
                Parsed::Skipped(entry) => {
                    summary.parsed += 1;
                    if !fresh_start {
                        let w = writable(&mut writer, &index, &open_writer)?;
                        w.delete_term(fields.path_term(&rel));
                    }
                    next_files.insert(rel, entry);
                }
                Parsed::Article(article, entry) => {
                    summary.parsed += 1;
                    let w = writable(&mut writer, &index, &open_writer)?;
                    if !fresh_start {
                        w.delete_term(fields.path_term(&rel));
                    }
                    for s in &article.sections {
                        w.add_document(fields.to_document(s))?;
                    }
                    next_files.insert(rel, entry);
                }
            }
        }
    }
    bar.finish_and_clear();

    let mut manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        fixdex_version: env!("CARGO_PKG_VERSION").to_string(),
        corpus: std::fs::canonicalize(corpus).unwrap_or_else(|_| corpus.clone()),
        indexed_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        opstamp: manifest.opstamp,
        files: next_files,
    };
    match writer {
        Some(mut w) => {
            // Manifest and commit change together: the next manifest is
            // written aside, the commit carries its hash, and only then does
            // it replace the current one. A crash in between is resolved on
            // the next open by comparing the hash with the commit's payload.
            let hash = manifest.save_pending(&opts.index_dir)?;
            let mut prepared = w.prepare_commit().context("cannot commit the index")?;
            prepared.set_payload(&hash);
            manifest.opstamp = prepared.commit().context("cannot commit the index")?;
            w.wait_merging_threads().ok();
            Manifest::promote_pending(&opts.index_dir)?;
        }
        None => manifest.save(&opts.index_dir)?,
    }

    for (path, e) in &manifest.files {
        if let Some(reason) = &e.skipped {
            summary.skipped.push(Skipped {
                path: path.clone(),
                reason: reason.clone(),
            });
        }
        for w in &e.warnings {
            summary.warnings.push(Warning {
                path: path.clone(),
                message: w.clone(),
            });
        }
    }
    summary.articles = manifest.articles();
    summary.sections = manifest.files.values().map(|f| f.sections).sum();
    summary.seconds = start.elapsed().as_secs_f64();
    if summary.articles == 0 {
        bail!(
            "no article in {} could be indexed ({} skipped)",
            corpus.display(),
            summary.skipped.len()
        );
    }
    Ok(summary)
}

/// The run's writer, opened on first use (a run that changes nothing never
/// takes tantivy's writer).
fn writable<'a>(
    slot: &'a mut Option<IndexWriter<TantivyDocument>>,
    index: &Index,
    open: &dyn Fn(&Index) -> Result<IndexWriter<TantivyDocument>>,
) -> Result<&'a mut IndexWriter<TantivyDocument>> {
    if slot.is_none() {
        *slot = Some(open(index)?);
    }
    Ok(slot.as_mut().expect("writer was just opened"))
}

/// Entries for files that could not be read are retried every run.
fn is_retryable(e: &FileEntry) -> bool {
    e.skipped.as_deref().is_some_and(|r| r.starts_with("cannot read"))
}

fn read_one(f: &walk::CorpusFile, old: Option<&FileEntry>) -> Parsed {
    let mut entry = FileEntry {
        hash: String::new(),
        size: f.size,
        mtime_ns: f.mtime_ns,
        sections: 0,
        skipped: None,
        warnings: Vec::new(),
    };
    if let Some(e) = article::too_large(f.size) {
        entry.skipped = Some(e.0);
        return Parsed::Skipped(entry);
    }
    let bytes = match std::fs::read(&f.abs) {
        Ok(b) => b,
        Err(e) => {
            entry.skipped = Some(format!("cannot read file: {e}"));
            return Parsed::Skipped(entry);
        }
    };
    entry.hash = blake3::hash(&bytes).to_hex().to_string();
    entry.size = bytes.len() as u64;
    if let Some(old) = old
        && old.hash == entry.hash
        && !is_retryable(old)
    {
        let mut e = old.clone();
        e.mtime_ns = entry.mtime_ns;
        return Parsed::Unchanged(e);
    }
    // A parser bug must cost one file, not the run.
    let result = std::panic::catch_unwind(|| article::parse_article(&bytes, &f.rel)).unwrap_or_else(|_| {
        Err(ArticleError(
            "internal error while parsing this file; please report it".into(),
        ))
    });
    match result {
        Ok(a) => {
            entry.sections = a.sections.len();
            entry.warnings = a.warnings.clone();
            Parsed::Article(a, entry)
        }
        Err(e) => {
            entry.skipped = Some(e.0);
            Parsed::Skipped(entry)
        }
    }
}

/// Whether the index is missing or older than the corpus (a file added,
/// removed or changed since the last run).
pub fn needs_refresh(corpus: &Path, index_dir: &Path) -> Result<bool> {
    // The manifest (megabytes on a large corpus) is parsed on another
    // thread while the corpus is walked: together they are the start-up
    // cost of a refreshing query.
    let (manifest, walked) = std::thread::scope(|s| {
        let manifest = s.spawn(|| Manifest::load(index_dir));
        let walked = walk::corpus_files(corpus, index_dir);
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
/// time) since `manifest` was written.
fn is_stale(walked: &walk::Walked, manifest: &Manifest) -> bool {
    if walked.files.len() != manifest.files.len() {
        return true;
    }
    walked.files.iter().any(|f| {
        manifest
            .files
            .get(&f.rel)
            .is_none_or(|e| e.size != f.size || e.mtime_ns != f.mtime_ns)
    })
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
    /// Time of the last indexing run, RFC 3339.
    pub indexed_at: String,
    /// Files skipped at the last run.
    pub skipped: usize,
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
}

impl CheckReport {
    /// Whether the index matches the corpus exactly.
    pub fn is_clean(&self) -> bool {
        self.new_files.is_empty()
            && self.changed_files.is_empty()
            && self.deleted_files.is_empty()
            && self.section_mismatch.is_empty()
            && self.index_sections == self.manifest_sections as u64
    }
}

/// Checks the index against the corpus and the manifest.
pub fn check(corpus: &Path, index_dir: &Path) -> Result<CheckReport> {
    let open = open_index(index_dir)?;
    let manifest = full_manifest(index_dir)?;
    let reader = open.index.reader()?;
    let searcher = reader.searcher();
    let walked = walk::corpus_files(corpus, index_dir)?;
    let mut r = CheckReport::default();
    for f in &walked.files {
        match manifest.files.get(&f.rel) {
            None => r.new_files.push(f.rel.clone()),
            Some(e) if e.size != f.size || e.mtime_ns != f.mtime_ns => {
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
    r.manifest_sections = manifest.files.values().map(|f| f.sections).sum();
    Ok(r)
}
