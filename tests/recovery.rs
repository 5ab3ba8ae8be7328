//! Recovery from what an adversarial pass found: alias bombs, kills in the
//! middle of a commit, damaged tantivy metadata, broken segment files,
//! symbolic links out of the corpus, ties, edits that keep size and time.

mod util;

#[path = "../benches/corpus_gen/mod.rs"]
mod corpus_gen;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use util::*;

fn generated_workspace(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    corpus_gen::write_corpus(&dir.path().join("corpus"), n, 11).unwrap();
    dir
}

fn index_ok(d: &Path, extra: &[&str]) -> Value {
    let o = run(fixdex(d).args(["index", "--json"]).args(extra));
    assert_no_panic(&o);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn check(d: &Path, extra: &[&str]) -> (i32, Value) {
    let o = run(fixdex(d).args(["index", "--check", "--json"]).args(extra));
    assert_no_panic(&o);
    (
        code(&o),
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|_| Value::String(stderr(&o))),
    )
}

fn answers(d: &Path, q: &str) -> Value {
    let o = run(fixdex(d).args(["query", "--no-refresh", "--json", q]));
    assert_no_panic(&o);
    assert_eq!(code(&o), 0, "{q}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn files_with(idx: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(idx)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    v.sort();
    v
}

#[test]
fn an_alias_bomb_in_front_matter_costs_a_warning_not_the_run() {
    let dir = mini_workspace();
    let d = dir.path();
    // Nine levels of nine: fully expanded, about 387 million strings.
    let mut fm = String::from(
        "---\ntitle: Billion Laughs\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        fm.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    fm.push_str(
        "tags: *i\n---\n\n## Laughing Matter\n\nThe body of the hostile article is indexed anyway.\n",
    );
    std::fs::write(d.join("corpus/bomb.md"), fm).unwrap();
    // Under a 2 GB address-space limit: expanding the aliases would abort.
    let bin = env!("CARGO_BIN_EXE_fixdex");
    let o = std::process::Command::new("sh")
        .current_dir(d)
        .args(["-c", &format!("ulimit -v 2000000; exec '{bin}' index --json")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let warned = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["path"] == "bomb.md" && w["message"].as_str().unwrap().contains("aliases"));
    assert!(warned, "{v}");
    let a = answers(d, "hostile article body");
    assert_eq!(a["hits"][0]["path"], "bomb.md");
    assert_eq!(a["hits"][0]["title"], "Billion Laughs");
}

#[test]
fn a_kill_right_after_a_delete_file_appears_does_not_wedge_the_index() {
    let dir = generated_workspace(600);
    let d = dir.path();
    index_ok(d, &[]);
    let idx = d.join("index");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(d.join("corpus"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let mut wedged_kills = 0;
    for round in 0..3 {
        for f in &files[..300] {
            let text = std::fs::read_to_string(f).unwrap();
            std::fs::write(
                f,
                format!("{text}\n## Round {round} notes\n\nA new section about printers.\n"),
            )
            .unwrap();
        }
        let before = files_with(&idx, ".del");
        let mut child = fixdex(d)
            .args(["index", "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            if files_with(&idx, ".del").iter().any(|f| !before.contains(f)) {
                child.kill().unwrap();
                wedged_kills += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        child.wait().unwrap();
        // The next plain run recovers on its own, and says so truthfully.
        index_ok(d, &[]);
        let (c, r) = check(d, &[]);
        assert_eq!(c, 0, "round {round}: {r}");
        let a = answers(d, &format!("round {round} notes"));
        assert!(
            a["hits"][0]["heading"]
                .as_str()
                .unwrap()
                .contains(&format!("Round {round}"))
        );
    }
    assert!(wedged_kills >= 1, "no kill landed after a .del file appeared");
}

#[test]
fn rebuild_recovers_from_damaged_tantivy_metadata() {
    for (name, damage) in [
        ("garbage", b"\xff\xfe not json at all".to_vec()),
        ("truncated", b"{\"segm".to_vec()),
        ("flipped", Vec::new()),
    ] {
        let dir = mini_workspace();
        let d = dir.path();
        index_ok(d, &[]);
        let managed = d.join("index/.managed.json");
        let bytes = if damage.is_empty() {
            let mut b = std::fs::read(&managed).unwrap();
            for x in b.iter_mut().step_by(7) {
                *x ^= 0x5a;
            }
            b
        } else {
            damage
        };
        std::fs::write(&managed, bytes).unwrap();
        let v = index_ok(d, &["--rebuild"]);
        assert_eq!(v["articles"], 5, "{name}: {v}");
        answers(d, "printer offline");
    }
}

/// Damages the first file with `ext` (truncate, delete or garbage).
fn damage(idx: &Path, ext: &str, how: &str) {
    let f = files_with(idx, ext).into_iter().next().unwrap();
    let len = std::fs::metadata(&f).unwrap().len();
    match how {
        "truncate" => std::fs::OpenOptions::new()
            .write(true)
            .open(&f)
            .unwrap()
            .set_len(len / 2)
            .unwrap(),
        "delete" => std::fs::remove_file(&f).unwrap(),
        _ => std::fs::write(&f, vec![0x3cu8; len as usize]).unwrap(),
    }
}

#[test]
fn index_never_claims_success_on_an_index_that_cannot_answer() {
    for ext in [".store", ".idx", ".term", ".pos", ".fast", ".fieldnorm"] {
        for how in ["truncate", "delete", "garbage"] {
            let dir = mini_workspace();
            let d = dir.path();
            index_ok(d, &[]);
            damage(&d.join("index"), ext, how);
            let v = index_ok(d, &[]);
            assert!(
                v["rebuilt"].as_str().is_some_and(|r| r.contains("damaged")),
                "{ext} {how}: {v}"
            );
            answers(d, "printer offline");
            assert_eq!(check(d, &[]).0, 0, "{ext} {how}");
        }
    }
}

#[test]
fn check_reads_every_index_file() {
    let dir = mini_workspace();
    let d = dir.path();
    index_ok(d, &[]);
    // Flip bytes in the middle of the fast fields: opening still works.
    let f = files_with(&d.join("index"), ".fast").remove(0);
    let mut b = std::fs::read(&f).unwrap();
    let mid = b.len() / 2;
    for x in &mut b[mid..mid + 4] {
        *x ^= 0xff;
    }
    std::fs::write(&f, b).unwrap();
    let (c, r) = check(d, &[]);
    assert_eq!(c, 1, "{r}");
    assert!(!r["damaged_files"].as_array().unwrap().is_empty(), "{r}");
    let o = run(fixdex(d).args(["index", "--check"]));
    assert!(stdout(&o).contains("--rebuild"), "{}", stdout(&o));
}

#[test]
fn symbolic_links_are_not_followed_unless_asked() {
    let dir = mini_workspace();
    let d = dir.path();
    let outside = d.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.md"),
        "## Outside Heading\n\nwords from outside the corpus\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, d.join("corpus/elsewhere")).unwrap();
    let v = index_ok(d, &[]);
    assert_eq!(v["articles"], 5, "{v}");
    let skipped = v["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"] == "elsewhere" && s["reason"].as_str().unwrap().contains("--follow")),
        "{v}"
    );
    // A FIFO named like an article is listed too, not silently passed over.
    let fifo = d.join("corpus/pipe.md");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let v = index_ok(d, &[]);
    assert!(
        v["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["path"] == "pipe.md"),
        "{v}"
    );
    std::fs::remove_file(&fifo).unwrap();
    // With --follow the link is indexed, and later refreshes keep following.
    let v = index_ok(d, &["--follow"]);
    assert_eq!(v["articles"], 6, "{v}");
    let o = run(fixdex(d).args(["query", "--json", "words from outside"]));
    let a: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(a["hits"][0]["path"], "elsewhere/secret.md");
    assert_eq!(index_ok(d, &[])["articles"], 6);
}

#[test]
fn identical_copies_answer_the_same_in_every_build() {
    let dir = mini_workspace();
    let d = dir.path();
    let body =
        "## Reset the Modem\n\nHold the reset button of the modem for ten seconds until the lights blink.\n";
    for n in 0..12 {
        std::fs::write(d.join(format!("corpus/copy-{n:02}.md")), body).unwrap();
    }
    let mut seen = Vec::new();
    for _ in 0..4 {
        index_ok(d, &["--rebuild"]);
        let a = answers(d, "reset the modem");
        seen.push((a["hits"][0]["id"].clone(), a["hits"][0]["also_in"].clone()));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn deep_check_finds_edits_that_keep_size_and_time() {
    let dir = mini_workspace();
    let d = dir.path();
    index_ok(d, &[]);
    let f = d.join("corpus/wifi/wifi-drops.md");
    let meta = std::fs::metadata(&f).unwrap();
    let text = std::fs::read_to_string(&f).unwrap();
    let edited = text.replacen("router", "zouter", 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&f, edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(meta.modified().unwrap())
        .unwrap();
    assert_eq!(check(d, &[]).0, 0, "size and time are unchanged");
    let (c, r) = check(d, &["--deep"]);
    assert_eq!(c, 1);
    assert_eq!(r["changed_files"], serde_json::json!(["wifi/wifi-drops.md"]));
    let v = index_ok(d, &["--deep"]);
    assert_eq!(v["parsed"], 1, "{v}");
    assert_eq!(check(d, &["--deep"]).0, 0);
    assert_eq!(answers(d, "zouter")["hits"][0]["path"], "wifi/wifi-drops.md");
}

/// A 3 MB filesystem, unmounted when dropped; `None` where mounting is not
/// allowed (the test then says so and passes).
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(at.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_named_and_what_the_run_wrote_is_removed() {
    let dir = mini_workspace();
    let d = dir.path();
    let Some(disk) = SmallDisk::mount(&d.join("small")) else {
        eprintln!("skipped: cannot mount a small filesystem here (needs root)");
        return;
    };
    let idx = disk.0.join("index");
    let idx_arg = idx.to_str().unwrap();
    assert_eq!(
        code(&run(fixdex(d).args(["index", "--quiet", "--index", idx_arg]))),
        0
    );
    let before = files_with(&idx, "");
    corpus_gen::write_corpus(&d.join("corpus/more"), 3000, 5).unwrap();
    let o = run(fixdex(d).args(["index", "--quiet", "--index", idx_arg]));
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("disk") && err.contains("full") && err.contains(idx_arg),
        "{err}"
    );
    assert_eq!(files_with(&idx, ""), before, "the failed run left files behind");
    let o = run(fixdex(d).args(["query", "--no-refresh", "--index", idx_arg, "printer offline"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Once there is room again, the next run succeeds.
    std::fs::remove_dir_all(d.join("corpus/more")).unwrap();
    assert_eq!(
        code(&run(fixdex(d).args(["index", "--quiet", "--index", idx_arg]))),
        0
    );
}

#[test]
fn errors_about_damaged_files_are_one_short_sentence() {
    let dir = mini_workspace();
    let d = dir.path();
    index_ok(d, &[]);
    let meta = d.join("index/meta.json");
    let mut text = std::fs::read_to_string(&meta).unwrap();
    text.insert_str(
        text.len() / 2,
        &format!("\"junk\": [{}],", "123456789,".repeat(250)),
    );
    std::fs::write(&meta, text).unwrap();
    for args in [
        &["query", "--no-refresh", "printer"][..],
        &["stats"][..],
        &["index", "--check"][..],
    ] {
        let o = run(fixdex(d).args(args));
        assert_eq!(code(&o), 2, "{args:?}");
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "{e}");
        assert!(e.len() < 450, "{} bytes: {e}", e.len());
        for debug in ["{", "IoError", "Custom {", "123456789"] {
            assert!(!e.contains(debug), "{args:?}: {e}");
        }
        assert!(e.contains("--rebuild"), "{e}");
    }
    index_ok(d, &["--rebuild"]);
    answers(d, "printer offline");
}
