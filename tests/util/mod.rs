//! Helpers for driving the built `fixdex` binary in a scratch directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The shipped corpus.
pub fn shipped_corpus() -> PathBuf {
    root().join("corpus")
}

/// A `fixdex` command with a clean environment.
pub fn fixdex(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fixdex"));
    c.current_dir(cwd)
        .env_remove("FIXDEX_INDEX")
        .env_remove("FIXDEX_CORPUS")
        .env_remove("FIXDEX_MODEL")
        .env_remove("FIXDEX_RANKING")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Runs and returns the output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("fixdex runs")
}

/// Exit code, panicking on signals.
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A scratch directory with a copy of the mini corpus as `corpus/`.
pub fn mini_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mini"), &dir.path().join("corpus"));
    dir
}

/// Asserts no panic or Rust debug output reached stderr.
pub fn assert_no_panic(o: &Output) {
    let e = stderr(o);
    assert!(
        !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
        "panic: {e}"
    );
}

/// A child process killed when dropped.
pub struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `fixdex serve --port 0` (plus `extra`) in `dir`; returns it with
/// the `host:port` it printed.
pub fn start_serve(dir: &Path, extra: &[&str]) -> (Killed, String) {
    use std::io::BufRead;
    let mut child = fixdex(dir)
        .args(["serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (Killed(child), addr)
}
