//! The manifest: what each corpus file looked like when it was indexed.
//!
//! It lives in the index directory as `fixdex.json`, is written after the
//! tantivy commit it describes (atomically: temporary file, fsync, rename),
//! and records the schema version so an index of another version is rebuilt
//! instead of misread.

use crate::text::encoder::ModelId;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the manifest inside the index directory.
pub const FILE_NAME: &str = "fixdex.json";

/// State of one corpus file at its last indexing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// BLAKE3 of the file's bytes, hex.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u128,
    /// Number of sections indexed from it (0 when skipped).
    pub sections: usize,
    /// Why it was skipped, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Warnings found while indexing it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The manifest of an index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Schema version the index was built with.
    pub schema_version: u32,
    /// fixdex version that wrote it.
    pub fixdex_version: String,
    /// Absolute corpus root the index was built from.
    pub corpus: PathBuf,
    /// When the last indexing run committed, RFC 3339.
    pub indexed_at: String,
    /// Whether symbolic links in the corpus are followed.
    #[serde(default)]
    pub follow_links: bool,
    /// Opstamp of the tantivy commit this manifest describes.
    #[serde(default)]
    pub opstamp: u64,
    /// The model that made the sections' sentence vectors (`index
    /// --semantic`); none in a lexical index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic: Option<ModelId>,
    /// Files by corpus-relative path. Kept last: [`Header::load`] reads
    /// only what comes before it.
    pub files: BTreeMap<String, FileEntry>,
}

/// The manifest without its file table: all that answering a query needs.
/// Reading it skips the table (megabytes on a large corpus) without building it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Header {
    /// Schema version the index was built with.
    pub schema_version: u32,
    /// Absolute corpus root the index was built from.
    pub corpus: PathBuf,
    /// When the last indexing run committed, RFC 3339.
    pub indexed_at: String,
    /// Whether symbolic links in the corpus are followed.
    #[serde(default)]
    pub follow_links: bool,
    /// The model that made the sections' sentence vectors, if any.
    #[serde(default)]
    pub semantic: Option<ModelId>,
}

impl Header {
    /// Loads the header of the manifest; `Ok(None)` when there is none.
    ///
    /// The header fields are written before the file table, so the first
    /// bytes of the file usually hold them all: they are parsed as an object
    /// closed where the table starts (`,"files":` cannot occur inside a JSON
    /// string, whose quotes are escaped). Anything else falls back to
    /// reading the whole file.
    pub fn load(index_dir: &Path) -> Result<Option<Header>> {
        use std::io::Read;
        const KEY: &[u8] = b",\"files\":";
        let path = Manifest::path(index_dir);
        let mut head = Vec::with_capacity(64 * 1024);
        match std::fs::File::open(&path) {
            Ok(f) => {
                f.take(64 * 1024)
                    .read_to_end(&mut head)
                    .with_context(|| format!("cannot read {}", path.display()))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
        if let Some(at) = head.windows(KEY.len()).position(|w| w == KEY) {
            head.truncate(at);
            head.push(b'}');
            if let Ok(h) = serde_json::from_slice::<Header>(&head) {
                return Ok(Some(h));
            }
        }
        read_json(index_dir)
    }
}

/// What the staleness check reads of a manifest: its schema version and
/// each file's size and time, in path order. The hashes and the rest of
/// the file table are skipped, not built.
#[derive(Debug, Deserialize)]
pub struct Stamps {
    /// Schema version the index was built with.
    pub schema_version: u32,
    /// Corpus-relative paths with their stamps, sorted by path.
    #[serde(deserialize_with = "in_order")]
    pub files: Vec<(String, Stamp)>,
}

/// A file's size and modification time at its last indexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u128,
}

impl Stamps {
    /// Loads the stamps of the manifest; `Ok(None)` when there is none.
    pub fn load(index_dir: &Path) -> Result<Option<Stamps>> {
        let mut stamps: Option<Stamps> = read_json(index_dir)?;
        if let Some(s) = stamps
            .as_mut()
            .filter(|s| !s.files.is_sorted_by(|a, b| a.0 <= b.0))
        {
            s.files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(stamps)
    }
}

/// A JSON object of files as a list of its entries, in the file's order.
fn in_order<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, Stamp)>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, Stamp)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of files")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries)
}

fn read_json<T: serde::de::DeserializeOwned>(index_dir: &Path) -> Result<Option<T>> {
    let path = Manifest::path(index_dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let m = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a fixdex manifest", path.display()))?;
    Ok(Some(m))
}

impl Manifest {
    /// Path of the manifest in an index directory.
    pub fn path(index_dir: &Path) -> PathBuf {
        index_dir.join(FILE_NAME)
    }

    /// Loads the manifest; `Ok(None)` when there is none.
    pub fn load(index_dir: &Path) -> Result<Option<Manifest>> {
        read_json(index_dir)
    }

    /// Writes the manifest atomically.
    pub fn save(&self, index_dir: &Path) -> Result<()> {
        let path = Self::path(index_dir);
        let tmp = index_dir.join(format!(".{FILE_NAME}.tmp"));
        let mut bytes = serde_json::to_vec(self)?;
        bytes.push(b'\n');
        let mut f = std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    fn pending_path(index_dir: &Path) -> PathBuf {
        index_dir.join(format!("{FILE_NAME}.next"))
    }

    /// Writes this manifest aside (fsynced) as the one the next commit will
    /// describe, and returns its hash for the commit payload.
    pub fn save_pending(&self, index_dir: &Path) -> Result<String> {
        let bytes = serde_json::to_vec(self)?;
        let path = Self::pending_path(index_dir);
        let mut f =
            std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        Ok(blake3::hash(&bytes).to_hex().to_string())
    }

    /// Hash of the manifest set aside, if there is one.
    pub fn pending_hash(index_dir: &Path) -> Option<String> {
        let bytes = std::fs::read(Self::pending_path(index_dir)).ok()?;
        Some(blake3::hash(&bytes).to_hex().to_string())
    }

    /// Makes the manifest set aside the current one.
    pub fn promote_pending(index_dir: &Path) -> Result<()> {
        let to = Self::path(index_dir);
        std::fs::rename(Self::pending_path(index_dir), &to)
            .with_context(|| format!("cannot write {}", to.display()))
    }

    /// Drops a manifest set aside whose commit never happened.
    pub fn discard_pending(index_dir: &Path) {
        let _ = std::fs::remove_file(Self::pending_path(index_dir));
    }

    /// Number of indexed (not skipped) articles.
    pub fn articles(&self) -> usize {
        self.files.values().filter(|f| f.skipped.is_none()).count()
    }

    /// Total bytes of the corpus files.
    pub fn corpus_bytes(&self) -> u64 {
        self.files.values().map(|f| f.size).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> FileEntry {
        FileEntry {
            hash: format!("{i:064x}"),
            size: i as u64,
            mtime_ns: 1_700_000_000_000_000_000 + i as u128,
            sections: i % 7,
            skipped: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn header_is_read_from_the_start_of_a_large_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let m = Manifest {
            schema_version: 7,
            fixdex_version: "0.0.0".into(),
            // A path holding the very bytes the quick read looks for.
            corpus: PathBuf::from("/odd/,\"files\":/dir"),
            indexed_at: "2026-01-02T03:04:05Z".into(),
            follow_links: true,
            opstamp: 42,
            semantic: None,
            files: (0..5_000)
                .map(|i| (format!("dir/file-{i}.md"), entry(i)))
                .collect(),
        };
        m.save(dir.path()).unwrap();
        assert!(std::fs::metadata(Manifest::path(dir.path())).unwrap().len() > 64 * 1024);
        let h = Header::load(dir.path()).unwrap().unwrap();
        assert_eq!(h.schema_version, 7);
        assert_eq!(h.corpus, m.corpus);
        assert_eq!(h.indexed_at, m.indexed_at);
        assert!(h.follow_links);
        assert_eq!(Manifest::load(dir.path()).unwrap().unwrap().files.len(), 5_000);
    }

    #[test]
    fn header_falls_back_to_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        // Written by hand, table first: the quick read finds nothing to use.
        std::fs::write(
            Manifest::path(dir.path()),
            r#"{"files":{},"schema_version":3,"corpus":"/c","indexed_at":"t","fixdex_version":"x"}"#,
        )
        .unwrap();
        let h = Header::load(dir.path()).unwrap().unwrap();
        assert_eq!((h.schema_version, h.corpus.to_str().unwrap()), (3, "/c"));
        assert!(Header::load(&dir.path().join("missing")).unwrap().is_none());
        std::fs::write(Manifest::path(dir.path()), "not json").unwrap();
        assert!(Header::load(dir.path()).is_err());
    }
}
