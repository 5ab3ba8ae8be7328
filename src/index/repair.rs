//! Keeping an index directory usable whatever happened to it: recognising
//! the files that belong to an index, removing what an interrupted or failed
//! run left behind, checking that an index answers before trusting it, and
//! saying in one sentence what is wrong with one that does not.

use super::manifest::FILE_NAME;
use super::schema::Fields;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tantivy::index::SegmentComponent;
use tantivy::{DocAddress, Index, TantivyDocument, TantivyError};

/// Whether a file in an index directory is part of a fixdex index: the
/// manifest and its temporary forms, tantivy's metadata and lock files, or a
/// segment file (`<32 hex digits>.<ext>`, deletes `<hex>.<opstamp>.del`).
pub fn is_index_file(name: &str) -> bool {
    if name.starts_with(FILE_NAME) || name.starts_with(&format!(".{FILE_NAME}")) {
        return true;
    }
    if matches!(name, "meta.json" | ".managed.json") || name.starts_with(".tantivy-") {
        return true;
    }
    is_segment_file(name)
}

fn is_segment_file(name: &str) -> bool {
    name.split_once('.').is_some_and(|(stem, ext)| {
        stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) && !ext.is_empty()
    })
}

/// Whether `dir` holds, or held, a fixdex index (its manifest or tantivy's files).
pub fn looks_like_index(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok())
            .any(|e| is_index_file(&e.file_name().to_string_lossy()))
    })
}

/// Removes every index file from `dir` (other files are left alone), so a
/// fresh index can be created whatever state the old one was in.
pub fn wipe(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if is_index_file(&name) && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Removes the segment files the last commit does not reference: what a run
/// killed mid-commit, or one that ran out of disk space, wrote. Tantivy
/// refuses to write a file whose name is taken, so a leftover `.del` file
/// would wedge every later commit. Returns how many files were removed.
pub fn remove_unreferenced(dir: &Path, index: &Index) -> tantivy::Result<usize> {
    let metas = index.load_metas()?;
    let segments: HashSet<String> = metas.segments.iter().map(|s| s.id().uuid_string()).collect();
    let deletes: HashSet<PathBuf> = metas
        .segments
        .iter()
        .filter(|s| s.delete_opstamp().is_some())
        .map(|s| s.relative_path(SegmentComponent::Delete))
        .collect();
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let Some((stem, _)) = name.split_once('.') else {
            continue;
        };
        let referenced =
            segments.contains(stem) && (!name.ends_with(".del") || deletes.contains(Path::new(&name)));
        if is_segment_file(&name) && !referenced {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A quick proof that the index answers: every segment's term
/// dictionaries, fast fields, field norms and first and last stored
/// documents are read. A missing, truncated or unreadable file fails it
/// (flipped bytes inside a file need the checksums of `index --check`).
pub fn answers(index: &Index, fields: &Fields) -> Result<(), String> {
    let check = || -> tantivy::Result<()> {
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            for field in [
                fields.title,
                fields.heading,
                fields.text,
                fields.tags,
                fields.id,
                fields.path,
            ] {
                seg.inverted_index(field)?.terms().num_terms();
                seg.get_fieldnorms_reader(field)?;
            }
            let last = seg.max_doc().saturating_sub(1);
            for name in ["simhash", "family", "article"] {
                let column = seg.fast_fields().u64(name)?;
                let _ = (column.first(0), column.first(last));
            }
            if let Some(ids) = seg.fast_fields().str("id")? {
                let mut id = String::new();
                for doc in [0, last] {
                    if let Some(ord) = ids.term_ords(doc).next() {
                        ids.ord_to_str(ord, &mut id)?;
                    }
                }
            }
            if seg.max_doc() > 0 {
                for doc in [0, last] {
                    let d: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                    if fields.section(&d).is_none() {
                        return Err(TantivyError::InternalError(
                            "a stored section cannot be read".into(),
                        ));
                    }
                }
            }
        }
        Ok(())
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(cause(&e)),
        Err(_) => Err("reading it failed".to_string()),
    }
}

/// What is wrong, in a few words, without tantivy's debug structures or the
/// contents of the file it could not parse.
pub fn cause(e: &TantivyError) -> String {
    use tantivy::directory::error::{OpenDirectoryError, OpenReadError};
    let io = |e: &std::io::Error| match e.kind() {
        std::io::ErrorKind::StorageFull => "the disk is full".to_string(),
        std::io::ErrorKind::NotFound => "a file is missing".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => first_clause(&e.to_string()),
    };
    match e {
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
            format!("the file {} is missing", p.display())
        }
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            format!("{} cannot be read: {}", filepath.display(), io(io_error))
        }
        TantivyError::OpenDirectoryError(OpenDirectoryError::DoesNotExist(p)) => {
            format!("{} does not exist", p.display())
        }
        TantivyError::IoError(e) => io(e),
        TantivyError::DataCorruption(c) => first_clause(&format!("{c:?}")),
        TantivyError::IncompatibleIndex(_) => "it was written by another tantivy version".to_string(),
        other => first_clause(&other.to_string()),
    }
}

/// The start of a message, up to where structure or file contents begin,
/// at most 120 characters.
fn first_clause(msg: &str) -> String {
    let end = msg.find(['{', '\n', '[']).unwrap_or(msg.len());
    let s: String = msg[..end]
        .trim()
        .trim_end_matches([':', ',', '('])
        .trim()
        .chars()
        .take(120)
        .collect();
    if s.is_empty() { "unreadable".to_string() } else { s }
}

/// The first line of an error's message chain, shortened like [`cause`].
pub fn first_line(e: &anyhow::Error) -> String {
    if let Some(t) = e.chain().find_map(|c| c.downcast_ref::<TantivyError>()) {
        return cause(t);
    }
    first_clause(&format!("{e:#}"))
}

/// Free bytes below which a failed write is put down to a full disk.
pub const NEARLY_FULL: u64 = 4 * 1024 * 1024;

/// Whether an error chain is a full disk.
pub fn is_disk_full(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
            || c.downcast_ref::<TantivyError>()
                .is_some_and(|t| cause(t) == "the disk is full")
            || c.to_string().contains("No space left on device")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_files_are_recognised_and_others_are_not() {
        for name in [
            "fixdex.json",
            "fixdex.json.next",
            ".fixdex.json.tmp",
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            "0d8c33b37d2c4e1ab65a2e3824c5f70f.store",
            "0d8c33b37d2c4e1ab65a2e3824c5f70f.20668.del",
        ] {
            assert!(is_index_file(name), "{name}");
        }
        for name in [
            "README.md",
            "notes.txt",
            "0d8c33b3.store",
            ".fixdex.lock",
            "meta.json.bak",
        ] {
            assert!(!is_index_file(name), "{name}");
        }
    }

    #[test]
    fn messages_stop_before_structures() {
        assert_eq!(
            first_clause("Failed to parse: {\"segments\": [1, 2]}"),
            "Failed to parse"
        );
        assert_eq!(first_clause(&"x".repeat(500)).len(), 120);
    }
}
