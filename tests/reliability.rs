//! Nothing lost under interruption, concurrency, corruption and hostile input.

mod util;

#[path = "../benches/corpus_gen/mod.rs"]
mod corpus_gen;

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use util::*;

fn generated_workspace(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    corpus_gen::write_corpus(&dir.path().join("corpus"), n, 11).unwrap();
    dir
}

/// `index --check --json`: exit code, and the report (or, when there is
/// none, the error message, so a failing assertion says what went wrong).
fn check(d: &Path) -> (i32, Value) {
    let o = run(fixdex(d).args(["index", "--check", "--json"]));
    assert_no_panic(&o);
    let report = serde_json::from_str(&stdout(&o)).unwrap_or_else(|_| Value::String(stderr(&o)));
    (code(&o), report)
}

fn spawn_index(d: &Path, extra: &[&str]) -> Child {
    fixdex(d)
        .args(["index", "--quiet"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn killed_indexing_loses_nothing() {
    let dir = generated_workspace(600);
    let d = dir.path();
    let start = Instant::now();
    assert_eq!(code(&run(fixdex(d).args(["index", "--quiet"]))), 0);
    let full = start.elapsed();
    let mut rng = corpus_gen::Rng::new(5);
    let files: Vec<_> = walkdir::WalkDir::new(d.join("corpus"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    // Rounds go on until `kills` SIGKILLs have hit a running indexer (a
    // kill that comes after the run finished does not count; on a busy
    // machine more of them do).
    let kills = 12;
    let max_rounds = 60;
    let mut killed_running = 0;
    let mut last = 0;
    for k in 0..max_rounds {
        if killed_running >= kills {
            break;
        }
        last = k;
        // Change the corpus: edits, a deletion, a new file.
        for _ in 0..40 {
            let f = &files[rng.below(files.len())];
            if let Ok(text) = std::fs::read_to_string(f) {
                std::fs::write(f, format!("{text}\nkillround{k} marker text.\n")).unwrap();
            }
        }
        let victim = &files[rng.below(files.len())];
        let _ = std::fs::remove_file(victim);
        std::fs::write(d.join(format!("corpus/new-{k}.md")), corpus_gen::article(99, k)).unwrap();
        // --rebuild makes every run long enough to be interrupted anywhere.
        let mut child = spawn_index(d, if k % 2 == 0 { &["--rebuild"] } else { &[] });
        let delay = Duration::from_micros(rng.below(full.as_micros() as usize + 1) as u64);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_running += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        // The last complete index still answers...
        let o = run(fixdex(d).args(["query", "--no-refresh", "--json", "restart the router"]));
        assert_no_panic(&o);
        assert_eq!(code(&o), 0, "after kill {k}: {}", stderr(&o));
        // ...and the manifest never disagrees with what the index holds.
        let (_, r) = check(d);
        assert!(
            r["section_mismatch"].as_array().unwrap().is_empty(),
            "after kill {k}: {r}"
        );
        assert_eq!(r["index_sections"], r["manifest_sections"], "after kill {k}");
    }
    assert!(
        killed_running >= kills,
        "only {killed_running} kills in {max_rounds} rounds hit a running index"
    );
    // The next run completes and is consistent.
    assert_eq!(code(&run(fixdex(d).args(["index", "--quiet"]))), 0);
    let (c, r) = check(d);
    assert_eq!(c, 0, "{r}");
    let marker = format!("killround{last} marker");
    let o = run(fixdex(d).args(["query", "--no-refresh", "--json", &marker]));
    assert_eq!(code(&o), 0);
}

#[test]
fn second_indexer_fails_fast_or_waits_and_queries_keep_answering() {
    let dir = generated_workspace(1500);
    let d = dir.path();
    assert_eq!(code(&run(fixdex(d).args(["index", "--quiet"]))), 0);
    let mut first = spawn_index(d, &["--rebuild"]);
    std::thread::sleep(Duration::from_millis(300));
    let second = run(fixdex(d).args(["index"]));
    let still_running = first.try_wait().unwrap().is_none();
    // Queries during indexing answer from the last commit, many at once.
    let queries: Vec<Child> = (0..8)
        .map(|_| {
            fixdex(d)
                .args(["query", "--json", "battery drain after update"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for q in queries {
        let o = q.wait_with_output().unwrap();
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }
    if still_running {
        assert_eq!(code(&second), 2);
        assert!(
            stderr(&second).contains("locked by another fixdex process"),
            "{}",
            stderr(&second)
        );
    }
    let waited = run(fixdex(d).args(["index", "--wait", "--quiet"]));
    assert_eq!(code(&waited), 0);
    assert!(first.wait().unwrap().success());
    assert!(
        still_running,
        "the first indexer finished before the second started; corpus too small"
    );
    assert_eq!(check(d).0, 0);
}

fn corrupt_and_expect_rebuild_hint(name: &str, damage: impl Fn(&Path)) {
    let dir = mini_workspace();
    let d = dir.path();
    assert_eq!(code(&run(fixdex(d).args(["index", "--quiet"]))), 0);
    damage(&d.join("index"));
    for args in [
        &["query", "--no-refresh", "printer offline"][..],
        &["stats"][..],
        &["show", "printer/printer-offline.md#x"][..],
    ] {
        let o = run(fixdex(d).args(args));
        assert_no_panic(&o);
        assert_eq!(code(&o), 2, "{name} {args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.starts_with("fixdex: ") && e.trim_end().lines().count() == 1,
            "{name}: {e}"
        );
        assert!(
            e.contains("--rebuild") || e.contains("fixdex index"),
            "{name}: {e}"
        );
    }
    // The way out works.
    let o = run(fixdex(d).args(["index", "--rebuild", "--quiet"]));
    assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
    assert_eq!(
        code(&run(fixdex(d).args(["query", "--no-refresh", "printer offline"]))),
        0
    );
}

fn segment_files(idx: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(idx)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            !n.starts_with('.') && n != "meta.json" && n != "fixdex.json" && n != "README.md"
        })
        .collect()
}

#[test]
fn corrupted_indexes_give_one_sentence_and_exit_2() {
    corrupt_and_expect_rebuild_hint("truncated segment files", |idx| {
        for f in segment_files(idx) {
            let len = std::fs::metadata(&f).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&f)
                .unwrap()
                .set_len(len / 3)
                .unwrap();
        }
    });
    corrupt_and_expect_rebuild_hint("garbage segment files", |idx| {
        for f in segment_files(idx) {
            let len = std::fs::metadata(&f).unwrap().len() as usize;
            std::fs::write(&f, vec![0xA5u8; len]).unwrap();
        }
    });
    corrupt_and_expect_rebuild_hint("missing meta file", |idx| {
        std::fs::remove_file(idx.join("meta.json")).unwrap()
    });
    corrupt_and_expect_rebuild_hint("garbage manifest", |idx| {
        std::fs::write(idx.join("fixdex.json"), b"\x00\x01").unwrap()
    });
    corrupt_and_expect_rebuild_hint("manifest of another version", |idx| {
        let p = idx.join("fixdex.json");
        let mut v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        v["schema_version"] = 1.into();
        std::fs::write(&p, v.to_string()).unwrap();
    });
}

#[test]
fn a_directory_that_is_not_an_index() {
    let dir = mini_workspace();
    let idx = dir.path().join("elsewhere");
    std::fs::create_dir(&idx).unwrap();
    std::fs::write(idx.join("notes.txt"), b"mine").unwrap();
    let o = run(fixdex(dir.path()).args(["query", "--no-refresh", "--index", "elsewhere", "x"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("holds no fixdex index"), "{}", stderr(&o));
    let o = run(fixdex(dir.path()).args(["index", "--index", "elsewhere"]));
    assert_eq!(code(&o), 2);
    assert_eq!(std::fs::read(idx.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn hostile_corpus_files_are_handled_and_the_rest_indexed() {
    let dir = mini_workspace();
    let d = dir.path();
    let c = d.join("corpus/odd dir/ünïcödé");
    std::fs::create_dir_all(&c).unwrap();
    let deep_list: String = (0..1000)
        .map(|i| format!("{}- level {i}\n", "  ".repeat(i)))
        .collect();
    std::fs::write(c.join("deep list.md"), format!("## Deep List\n\n{deep_list}")).unwrap();
    let deep_quote = format!("## Deep Quote\n\n{} quoted words\n", ">".repeat(5000));
    std::fs::write(c.join("deep-quote.md"), deep_quote).unwrap();
    let deep_html = format!(
        "## Deep Html\n\n{}nested words{}\n",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    std::fs::write(c.join("deep-html.md"), deep_html).unwrap();
    let many: String = (0..10_000)
        .map(|i| format!("## Heading {i}\n\nbody {i}\n\n"))
        .collect();
    std::fs::write(c.join("many-headings.md"), many).unwrap();
    let mut line = String::from("## Long Line\n\n");
    while line.len() < 50 * 1024 * 1024 {
        line.push_str("wombat burrow tunnel ");
    }
    std::fs::write(c.join("long-line.md"), line).unwrap();
    std::fs::write(
        c.join("crlf.md"),
        "---\r\ntitle: Crlf File\r\n---\r\n\r\n## Carriage Heading\r\n\r\ncrlf body text\r\n",
    )
    .unwrap();
    std::fs::write(c.join("bom.md"), "\u{feff}## Bom Heading\n\nbom body text\n").unwrap();
    std::fs::write(
        c.join("nul.md"),
        "## Nul Heading\n\nsome\0text with a nul byte in it, enough of it to be text\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(d.join("corpus"), c.join("loop")).unwrap();

    let o = run(fixdex(d).args(["index", "--json"]));
    assert_no_panic(&o);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let skipped = v["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("loop")),
        "{v}"
    );
    let stats: Value = serde_json::from_str(&stdout(&run(fixdex(d).args(["stats", "--json"])))).unwrap();
    assert!(stats["sections"].as_u64().unwrap() > 10_000);
    for (q, heading) in [
        ("carriage crlf", "Carriage Heading"),
        ("bom body", "Bom Heading"),
        ("nul byte", "Nul Heading"),
        ("wombat burrow", "Long Line"),
        ("heading 9999 body", "Heading 9999"),
        ("quoted words", "Deep Quote"),
        ("nested words", "Deep Html"),
        ("level 999", "Deep List"),
    ] {
        let o = run(fixdex(d).args(["query", "--no-refresh", "--json", "--limit", "3", q]));
        let a: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let got: Vec<&str> = a["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["heading"].as_str().unwrap())
            .collect();
        assert!(got.contains(&heading), "{q}: {got:?}");
    }
}

#[test]
fn hostile_queries_are_answered_in_bounded_time() {
    let dir = mini_workspace();
    let d = dir.path();
    assert_eq!(code(&run(fixdex(d).args(["index", "--quiet"]))), 0);
    let words = ["printer", "router", "cache", "zebra", "offline", "restart"];
    let huge: String = (0..10_000)
        .map(|i| words[i % words.len()])
        .collect::<Vec<_>>()
        .join(" ");
    let controls: String = (1u8..32).map(char::from).collect::<String>() + "printer";
    let punct: String = (33u8..127)
        .filter(|c| !c.is_ascii_alphanumeric())
        .map(char::from)
        .collect();
    let mixed = "принтер printer プリンター طابعة 打印机 offline";
    let typos: String = (0..500).map(|i| format!("prnter{i}x ")).collect();
    for q in [
        huge.as_str(),
        controls.as_str(),
        punct.as_str(),
        mixed,
        typos.as_str(),
    ] {
        let o = run(fixdex(d).args(["query", "--no-refresh", "--json", "--", q]));
        assert_no_panic(&o);
        assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(v["hits"].is_array());
    }
}
