//! `fixdex index`: walk the corpus, parse what changed, and commit the
//! section documents to the tantivy index in one commit per run.
//!
//! Incremental by a manifest of sizes, modification times and content
//! hashes: an unchanged file is not read again, a changed one has its
//! sections replaced, a deleted one has them removed. The manifest is written
//! after the commit, so it never claims more than the index holds; a file
//! whose sections were committed but whose manifest entry was not is simply
//! re-parsed next time (its old sections are always deleted first).

use super::manifest::{FileEntry, Header, Manifest};
use super::open::{CorpusMismatch, Prepared, lock, prepare, same_place};
use super::progress;
use super::read::{Parsed, is_retryable, read_one};
use super::repair;
use super::schema::{Fields, SCHEMA_VERSION, Vector};
use super::vectors::{self, Vectors};

use crate::ingest::sections::Section;
use crate::ingest::walk;
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// What to index and how.
#[derive(Debug, Clone, Default)]
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
    /// Follow symbolic links in the corpus (off: links are listed as skipped).
    pub follow: bool,
    /// Read and hash every file, not only those whose size or modification
    /// time changed.
    pub deep: bool,
    /// Embed the sections with the sentence-transformers model in this
    /// directory (`--semantic`). Without it an index built with a model
    /// keeps using that model, unless it is rebuilt.
    pub model: Option<PathBuf>,
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
    /// Section texts embedded in this run (semantic indexes only; a text
    /// already embedded, in this run or the last commit, is not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded: Option<usize>,
}

/// Runs one indexing pass.
pub fn run_index(opts: &IndexOptions) -> Result<Summary> {
    let start = Instant::now();
    let corpus = &opts.corpus;
    if !corpus.exists() {
        bail!(
            "corpus {} does not exist; if it moved, `fixdex index NEW-PLACE --index {} --rebuild` rebuilds the index from there",
            corpus.display(),
            opts.index_dir.display()
        );
    }
    std::fs::create_dir_all(&opts.index_dir)
        .with_context(|| format!("cannot create index directory {}", opts.index_dir.display()))?;
    let _lock = lock(&opts.index_dir, opts.wait)?;
    // Read before a rebuild for a new schema forgets it; `--rebuild` alone
    // drops the vectors.
    let recorded_model = match opts.rebuild {
        false => Header::load(&opts.index_dir)
            .ok()
            .flatten()
            .and_then(|h| h.semantic),
        true => None,
    };
    let mut prepared = prepare(&opts.index_dir, opts.rebuild)?;
    if prepared.rebuilt.is_none() {
        refuse_other_corpus(opts, &prepared.manifest)?;
    }
    // Links are followed when asked, or when the index was built that way.
    let follow = opts.follow || (prepared.rebuilt.is_none() && prepared.manifest.follow_links);
    let semantic = vectors::Plan::new(
        opts.model.as_deref(),
        recorded_model.as_ref(),
        &prepared.index,
        prepared.rebuilt.is_none(),
    )?;
    if prepared.rebuilt.is_none() {
        prepared.rebuilt = semantic.rebuild;
    }
    let walked = super::corpus_files(corpus, &opts.index_dir, follow)?;
    if walked.files.is_empty() {
        bail!(
            "corpus {} holds no article (.md, .markdown or .txt files)",
            corpus.display()
        );
    }
    let index = prepared.index.clone();
    let result = update(opts, prepared, &walked, follow, semantic.vectors);
    if let Err(e) = &result {
        // Tantivy's writer threads report a full disk only as "killed":
        // look at the free space before cleaning up.
        let full = repair::is_disk_full(e)
            || fs4::available_space(&opts.index_dir).is_ok_and(|free| free < repair::NEARLY_FULL);
        // What the failed run wrote is not referenced by the last commit:
        // remove it, so it neither fills the disk nor blocks the next run.
        let _ = repair::remove_unreferenced(&opts.index_dir, &index);
        if full {
            bail!(
                "the disk holding {} is full, so the index could not be written (the previous index is unchanged); free some space and run `fixdex index` again",
                opts.index_dir.display()
            );
        }
    }
    let mut summary = result?;
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

/// Brings the prepared index up to date with the walked corpus, in one commit.
fn update(
    opts: &IndexOptions,
    prepared: Prepared,
    walked: &walk::Walked,
    follow: bool,
    vectors: Option<Vectors>,
) -> Result<Summary> {
    let Prepared {
        index,
        fields,
        mut manifest,
        rebuilt,
    } = prepared;
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
    let changes = Changes::between(walked, &manifest, opts.deep);
    summary.unchanged = changes.next_files.len();
    let mut run = Run {
        index: &index,
        fields: &fields,
        index_dir: &opts.index_dir,
        writer: None,
        fresh_start,
        next_files: changes.next_files,
        vectors,
        added: 0,
    };
    if rebuilt.is_some() {
        run.writer()?.delete_all_documents()?;
    }
    for path in &changes.removed {
        run.writer()?.delete_term(fields.path_term(path));
        summary.removed += 1;
    }
    run.read_and_add(&changes.todo, &manifest, opts.progress, &mut summary)?;
    let corpus = &opts.corpus;
    let mut next = Manifest {
        schema_version: SCHEMA_VERSION,
        fixdex_version: env!("CARGO_PKG_VERSION").to_string(),
        corpus: std::fs::canonicalize(corpus).unwrap_or_else(|_| corpus.clone()),
        indexed_at: manifest.indexed_at.clone(),
        follow_links: follow,
        opstamp: manifest.opstamp,
        semantic: run.vectors.as_ref().map(|v| v.model().clone()),
        files: std::mem::take(&mut run.next_files),
    };
    summary.embedded = run.vectors.as_ref().map(|v| v.embedded);
    // A run that found nothing to change (not even a touched file's time)
    // leaves the manifest as it is, `indexed_at` included: rewriting and
    // syncing it was most of such a run on a large corpus.
    let manifest = match run.writer.is_none() && next == manifest {
        true => manifest,
        false => {
            next.indexed_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
            run.commit(next)?
        }
    };
    summarise(&manifest, &mut summary);
    Ok(summary)
}

/// Refreshing from another folder than the index was built from would
/// silently replace it: that takes `--rebuild`.
fn refuse_other_corpus(opts: &IndexOptions, manifest: &Manifest) -> Result<()> {
    if manifest.files.is_empty() || same_place(&manifest.corpus, &opts.corpus) {
        return Ok(());
    }
    Err(CorpusMismatch {
        index_dir: opts.index_dir.clone(),
        recorded: manifest.corpus.clone(),
        given: opts.corpus.clone(),
    }
    .into())
}

/// What changed in the corpus since the manifest was written.
struct Changes<'a> {
    /// Files to read (new, or changed in size or modification time).
    todo: Vec<&'a walk::CorpusFile>,
    /// Manifest entries of the files that stay as they are.
    next_files: BTreeMap<String, FileEntry>,
    /// Files gone from the corpus.
    removed: Vec<String>,
}

impl<'a> Changes<'a> {
    /// The walked files and the manifest's are both sorted by path, so they
    /// are compared side by side: a lookup of each path in the manifest,
    /// and a hashed set of them for the removed ones, were most of a
    /// no-change run's own work on a corpus of 14k files.
    fn between(walked: &'a walk::Walked, manifest: &Manifest, deep: bool) -> Changes<'a> {
        let mut todo = Vec::new();
        let mut kept = Vec::new();
        let mut removed = Vec::new();
        let mut old = manifest.files.iter().peekable();
        for f in &walked.files {
            while let Some((path, _)) = old.next_if(|(path, _)| path.as_str() < f.rel.as_str()) {
                removed.push(path.clone());
            }
            match old.next_if(|(path, _)| **path == f.rel) {
                Some((_, e)) if !deep && e.size == f.size && e.mtime_ns == f.mtime_ns && !is_retryable(e) => {
                    kept.push((f.rel.clone(), e.clone()));
                }
                _ => todo.push(f),
            }
        }
        removed.extend(old.map(|(path, _)| path.clone()));
        Changes {
            todo,
            next_files: kept.into_iter().collect(),
            removed,
        }
    }
}

/// One writing run: the writer (opened on first use, so a run that changes
/// nothing never takes tantivy's writer) and the manifest being built.
struct Run<'a> {
    index: &'a Index,
    fields: &'a Fields,
    index_dir: &'a Path,
    writer: Option<IndexWriter<TantivyDocument>>,
    /// The index starts empty: nothing to delete before adding.
    fresh_start: bool,
    next_files: BTreeMap<String, FileEntry>,
    /// Sentence vectors, in a semantic index.
    vectors: Option<Vectors>,
    /// Sections written by this run.
    added: usize,
}

impl Run<'_> {
    fn writer(&mut self) -> Result<&mut IndexWriter<TantivyDocument>> {
        if self.writer.is_none() {
            self.writer = Some(open_writer(self.index, self.index_dir)?);
        }
        Ok(self.writer.as_mut().expect("writer was just opened"))
    }

    /// Reads the files to index on all cores, in chunks so memory stays
    /// bounded whatever the corpus size, and adds their sections.
    fn read_and_add(
        &mut self,
        todo: &[&walk::CorpusFile],
        manifest: &Manifest,
        progress: bool,
        summary: &mut Summary,
    ) -> Result<()> {
        let bar = progress::bar(todo.len(), progress);
        for chunk in todo.chunks(256) {
            let parsed: Vec<(String, Parsed)> = chunk
                .par_iter()
                .map(|f| (f.rel.clone(), read_one(f, manifest.files.get(&f.rel))))
                .collect();
            let mut vectors = self.embed(&parsed)?.into_iter();
            for (rel, p) in parsed {
                bar.inc(1);
                let n = match &p {
                    Parsed::Article(a, _) => a.sections.len(),
                    _ => 0,
                };
                let mine: Vec<Vector> = vectors.by_ref().take(n).collect();
                self.apply(rel, p, mine, summary)?;
            }
        }
        bar.finish_and_clear();
        Ok(())
    }

    /// The vectors of every section parsed from a chunk of files, in order
    /// (none in a lexical index).
    fn embed(&mut self, parsed: &[(String, Parsed)]) -> Result<Vec<Vector>> {
        let Some(vectors) = self.vectors.as_mut() else {
            return Ok(Vec::new());
        };
        let sections: Vec<&Section> = parsed
            .iter()
            .filter_map(|(_, p)| match p {
                Parsed::Article(a, _) => Some(a.sections.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        vectors.for_sections(self.fields, &sections)
    }

    /// Replaces one file's sections with what was read from it, with their
    /// vectors in a semantic index.
    fn apply(
        &mut self,
        rel: String,
        parsed: Parsed,
        vectors: Vec<Vector>,
        summary: &mut Summary,
    ) -> Result<()> {
        let entry = match parsed {
            Parsed::Unchanged(entry) => {
                summary.unchanged += 1;
                entry
            }
            Parsed::Skipped(entry) => {
                summary.parsed += 1;
                if !self.fresh_start {
                    let term = self.fields.path_term(&rel);
                    self.writer()?.delete_term(term);
                }
                entry
            }
            Parsed::Article(article, entry) => {
                summary.parsed += 1;
                let fields = self.fields;
                let fresh_start = self.fresh_start;
                let w = self.writer()?;
                if !fresh_start {
                    w.delete_term(fields.path_term(&rel));
                }
                for (order, s) in article.sections.iter().enumerate() {
                    w.add_document(fields.to_document(s, order, vectors.get(order)))?;
                }
                self.added += article.sections.len();
                entry
            }
        };
        self.next_files.insert(rel, entry);
        Ok(())
    }

    /// Commits the run with its manifest, or only writes the manifest when
    /// nothing in the index changed.
    ///
    /// Manifest and commit change together: the next manifest is written
    /// aside, the commit carries its hash, and only then does it replace the
    /// current one. A crash in between is resolved on the next open by
    /// comparing the hash with the commit's payload.
    fn commit(self, mut manifest: Manifest) -> Result<Manifest> {
        match self.writer {
            Some(mut w) => {
                let hash = manifest.save_pending(self.index_dir)?;
                let mut prepared = w.prepare_commit().context("cannot commit the index")?;
                prepared.set_payload(&hash);
                manifest.opstamp = prepared.commit().context("cannot commit the index")?;
                let total: usize = manifest.files.values().map(|f| f.sections).sum();
                if self.added * 2 >= total {
                    merge_all(self.index, &mut w);
                }
                w.wait_merging_threads().ok();
                Manifest::promote_pending(self.index_dir)?;
            }
            None => manifest.save(self.index_dir)?,
        }
        Ok(manifest)
    }
}

/// Fills the summary's totals, skipped files and warnings from the manifest.
fn summarise(manifest: &Manifest, summary: &mut Summary) {
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
}

/// Merges the index into one segment, after a run that wrote most of it
/// (a first build, a rebuild): a query then looks each word up once and
/// keeps one candidate threshold, not one per segment (15% more queries a
/// second on the 14k corpus, for 2 s of the build). Smaller runs leave
/// their segments to tantivy's merge policy. A merge is atomic and keeps
/// the commit's payload; if it fails, the committed segments stay.
fn merge_all(index: &Index, w: &mut IndexWriter<TantivyDocument>) {
    if let Ok(ids) = index.searchable_segment_ids()
        && ids.len() > 1
    {
        w.merge(&ids).wait().ok();
    }
}

/// The writer's indexing threads and its memory budget in bytes (shared
/// by the threads): one thread per core, up to four, 48 MB each.
pub fn writer_settings() -> (usize, usize) {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    (threads, threads * 48_000_000)
}

fn open_writer(index: &Index, index_dir: &Path) -> Result<IndexWriter<TantivyDocument>> {
    let (threads, budget) = writer_settings();
    index
        .writer_with_num_threads(threads, budget)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                "the index in {} is locked by another process",
                index_dir.display()
            ),
            e => anyhow::anyhow!("cannot open the index for writing: {e}"),
        })
}
