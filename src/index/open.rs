//! Opening an index directory: for reading ([`open_index`]), or for a
//! writing run ([`prepare`]: take the lock, reuse the index or start a fresh
//! one and say why). A manifest left aside by an interrupted run is settled
//! first, so reader and writer always see a manifest that matches the last
//! commit.

use super::manifest::{Header, Manifest};
use super::repair;
use super::schema::{self, Fields, SCHEMA_VERSION};
use crate::text::analyzer;
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::path::{Path, PathBuf};
use tantivy::Index;

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
                "the index in {} is damaged or incomplete ({}); run `fixdex index --rebuild`",
                index_dir.display(),
                repair::cause(&e)
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
pub(super) fn lock(index_dir: &Path, wait: bool) -> Result<File> {
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

/// The corpus an index was built from, as recorded in its manifest.
pub fn recorded_corpus(index_dir: &Path) -> Option<PathBuf> {
    match Header::load(index_dir) {
        Ok(Some(h)) if !h.corpus.as_os_str().is_empty() => Some(h.corpus),
        _ => None,
    }
}

/// Whether two paths name the same file or folder (compared canonically
/// when both exist).
pub fn same_place(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A corpus was named that is not the one the index was built from.
#[derive(Debug)]
pub struct CorpusMismatch {
    /// The index directory.
    pub index_dir: PathBuf,
    /// The corpus it was built from.
    pub recorded: PathBuf,
    /// The corpus that was named.
    pub given: PathBuf,
}

impl std::fmt::Display for CorpusMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (i, g) = (self.index_dir.display(), self.given.display());
        write!(
            f,
            "the index in {i} was built from {}, not {g}; `fixdex index {g} --index {i} --rebuild` rebuilds it from {g}",
            self.recorded.display()
        )
    }
}

impl std::error::Error for CorpusMismatch {}

/// An index directory made ready for a writing run.
pub(super) struct Prepared {
    pub index: Index,
    pub fields: Fields,
    /// The manifest of the last commit (empty for a fresh index).
    pub manifest: Manifest,
    /// Why the index is being rebuilt from scratch, when it is.
    pub rebuilt: Option<String>,
}

/// Prepares the index directory: checks it is ours, removes what an
/// interrupted run left behind, and returns the open index with its
/// manifest when it opens and answers. Otherwise (or with `rebuild` when the
/// old index cannot even be opened) the index files are removed and a fresh
/// index is created, with the reason.
pub(super) fn prepare(dir: &Path, rebuild: bool) -> Result<Prepared> {
    recover_pending(dir);
    let old = Manifest::load(dir);
    let has_meta = dir.join("meta.json").exists();
    let reason = match &old {
        Ok(Some(m)) if m.schema_version == SCHEMA_VERSION && has_meta => match reusable(dir) {
            Ok((index, fields)) => {
                return Ok(Prepared {
                    index,
                    fields,
                    manifest: m.clone(),
                    rebuilt: rebuild.then(|| "--rebuild".to_string()),
                });
            }
            Err(why) => Some(format!("the index files are damaged: {why}")),
        },
        Ok(Some(m)) if m.schema_version != SCHEMA_VERSION => Some(format!(
            "the index was built with schema version {}, this fixdex uses {}",
            m.schema_version, SCHEMA_VERSION
        )),
        Ok(Some(_)) => Some("the index files are missing".to_string()),
        Err(e) => Some(format!("the manifest is unreadable ({})", repair::first_line(e))),
        Ok(None) if repair::looks_like_index(dir) => Some("the index has no manifest".to_string()),
        Ok(None) if has_foreign_files(dir)? => bail!(
            "{} is not empty and is not a fixdex index; refusing to overwrite it (choose another --index directory)",
            dir.display()
        ),
        Ok(None) => None,
    };
    if reason.is_some() {
        repair::wipe(dir).with_context(|| format!("cannot clear the damaged index in {}", dir.display()))?;
    }
    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(dir, schema).map_err(|e| {
        anyhow::anyhow!(
            "cannot create an index in {}: {}",
            dir.display(),
            repair::cause(&e)
        )
    })?;
    analyzer::register(&index);
    Ok(Prepared {
        index,
        fields,
        manifest: Manifest::default(),
        rebuilt: reason,
    })
}

/// The existing index, when it opens and answers; leftovers of an
/// interrupted run are removed first.
fn reusable(dir: &Path) -> Result<(Index, Fields), String> {
    let index = open_tantivy(dir).map_err(|e| repair::first_line(&e))?;
    let fields = Fields::from_schema(&index.schema()).map_err(|_| "unexpected fields".to_string())?;
    repair::remove_unreferenced(dir, &index).map_err(|e| repair::cause(&e))?;
    repair::answers(&index, &fields)?;
    Ok((index, fields))
}

/// Whether `dir` holds files that are not a fixdex index's.
fn has_foreign_files(dir: &Path) -> Result<bool> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .any(|e| !is_ignorable(&e.file_name().to_string_lossy())))
}
