//! How failures reach the user: a panic (a bug, or an index damaged in a
//! way tantivy does not detect) and every error become one sentence on one
//! line; a closed pipe is not an error.

use crate::index::repair;
use std::path::Path;

/// Characters of an error message at most (paths included).
const MAX_MESSAGE: usize = 400;
use std::sync::Mutex;

static PANIC_MESSAGE: Mutex<String> = Mutex::new(String::new());

/// A panic caught by [`contain_panics`].
#[derive(Debug)]
struct InternalError(String);

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error ({})", self.0)
    }
}

impl std::error::Error for InternalError {}

/// Runs `f`, turning a panic into an error instead of a Rust dump.
pub fn contain_panics<T>(
    f: impl FnOnce() -> anyhow::Result<T> + std::panic::UnwindSafe,
) -> anyhow::Result<T> {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            *m = msg;
        }
    }));
    std::panic::catch_unwind(f).unwrap_or_else(|_| {
        let msg = PANIC_MESSAGE.lock().map(|m| m.clone()).unwrap_or_default();
        Err(InternalError(msg).into())
    })
}

/// Whether the error is a closed output pipe (`| head -1`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// The error as one sentence on one line, with the remedy for an index
/// that cannot be read.
pub fn one_sentence(e: &anyhow::Error, index_dir: &Path) -> String {
    if let Some(internal) = e.downcast_ref::<InternalError>() {
        return format!(
            "{internal}; if the index in {} is damaged, `fixdex index --rebuild` rebuilds it",
            index_dir.display()
        );
    }
    let mut msg = format!("{e:#}");
    // Tantivy's messages carry debug structures and file contents: say
    // what it was doing and, in a few words, why it failed.
    if let Some(t) = e.chain().find_map(|c| c.downcast_ref::<tantivy::TantivyError>()) {
        let why = repair::cause(t);
        let doing = e.to_string();
        let what = if e.downcast_ref::<tantivy::TantivyError>().is_some() {
            why
        } else {
            format!("{}: {why}", doing.trim_end_matches(['.', ':']))
        };
        msg = if what.contains("--rebuild") {
            what
        } else {
            format!(
                "the index in {} cannot be read ({what}); `fixdex index --rebuild` rebuilds it",
                index_dir.display()
            )
        };
    }
    // One sentence on one line, whatever the underlying error printed.
    let msg = msg.split_whitespace().collect::<Vec<_>>().join(" ");
    if msg.chars().count() > MAX_MESSAGE {
        let cut: String = msg.chars().take(MAX_MESSAGE - 1).collect();
        return format!("{cut}…");
    }
    msg
}
