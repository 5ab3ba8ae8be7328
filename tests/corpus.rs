//! An index answers from the corpus it was built from, wherever `query`
//! runs; another corpus is refused, never indexed into it; locations open
//! from the working directory.

mod util;

use serde_json::Value;
use std::path::Path;
use util::*;

/// `help/` indexed into `help-index/`, and an unrelated `project/` that
/// happens to hold a `./corpus` folder.
fn help_and_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&fixture("mini"), &d.join("help"));
    copy_dir(&shipped_corpus(), &d.join("project/corpus"));
    let o = run(fixdex(d).args(["index", "help", "--index", "help-index", "--quiet"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    dir
}

fn articles(d: &Path, index: &str) -> u64 {
    let o = run(fixdex(d).args(["stats", "--json", "--index", index]));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    v["articles"].as_u64().unwrap()
}

#[test]
fn query_from_another_folder_answers_from_the_index_and_keeps_it() {
    let dir = help_and_project();
    let d = dir.path();
    let before = articles(d, "help-index");
    assert_eq!(before, 5);
    let project = d.join("project");
    let index = d.join("help-index");
    let index = index.to_str().unwrap();
    let o = run(fixdex(&project).args(["query", "--index", index, "printer offline"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Printer Shows Offline"), "{}", stdout(&o));
    assert_eq!(
        articles(d, "help-index"),
        before,
        "query must not re-index ./corpus"
    );
    // The location printed is absolute (the file is not under the project)
    // and opens.
    let loc = stdout(&o).lines().nth(2).unwrap().to_string();
    let (path, line) = loc.rsplit_once(':').unwrap();
    assert!(
        Path::new(path).is_absolute() && Path::new(path).is_file(),
        "{loc}"
    );
    assert!(line.parse::<usize>().unwrap() >= 1);
    // An edit in the recorded corpus is still picked up from elsewhere.
    std::fs::write(
        d.join("help/zebra.md"),
        "## Zebra stripes fade\n\nRepaint the zebra every spring.\n",
    )
    .unwrap();
    let o = run(fixdex(&project).args(["query", "--index", index, "zebra stripes", "--json"]));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hits"][0]["path"], "zebra.md");
    assert_eq!(articles(d, "help-index"), before + 1);
}

#[test]
fn another_corpus_is_refused_in_one_sentence_and_the_index_kept() {
    let dir = help_and_project();
    let d = dir.path();
    let project = d.join("project");
    let index = d.join("help-index");
    let index = index.to_str().unwrap();
    std::fs::write(project.join("x.tsv"), "printer\t*\tCheck the Cable and Power\n").unwrap();
    for cmd in [
        fixdex(&project).args(["query", "--index", index, "--corpus", "corpus", "printer"]),
        fixdex(&project)
            .env("FIXDEX_CORPUS", "corpus")
            .args(["query", "--index", index, "printer"]),
        fixdex(&project).args(["index", "corpus", "--index", index]),
        fixdex(&project).args(["eval", "--index", index, "--corpus", "corpus", "x.tsv"]),
    ] {
        let o = run(cmd);
        assert_eq!(code(&o), 2);
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("was built from") && err.contains("not corpus") && err.contains("--rebuild"),
            "{err}"
        );
    }
    assert_eq!(articles(d, "help-index"), 5);
    // Naming the recorded corpus is fine, and --rebuild switches corpus.
    let help = d.join("help");
    let o = run(fixdex(d).args([
        "query",
        "--index",
        "help-index",
        "--corpus",
        help.to_str().unwrap(),
        "printer",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(fixdex(&project).args(["index", "corpus", "--index", index, "--rebuild", "--quiet"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(articles(d, "help-index"), 1);
}

#[test]
fn a_corpus_that_is_gone_is_answered_from_the_index_with_a_warning() {
    let dir = help_and_project();
    let d = dir.path();
    std::fs::rename(d.join("help"), d.join("help-moved")).unwrap();
    let o = run(fixdex(d).args(["query", "--index", "help-index", "printer offline"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("warning") && err.contains("is gone"), "{err}");
    assert_eq!(articles(d, "help-index"), 5);
}

#[test]
fn json_names_the_corpus_and_each_hit_file() {
    let dir = help_and_project();
    let d = dir.path();
    let o = run(fixdex(&d.join("project")).args([
        "query",
        "--index",
        d.join("help-index").to_str().unwrap(),
        "wifi drops",
        "--json",
    ]));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let corpus = Path::new(v["corpus"].as_str().unwrap());
    assert_eq!(corpus, d.join("help").canonicalize().unwrap());
    for h in v["hits"].as_array().unwrap() {
        let file = Path::new(h["file"].as_str().unwrap());
        assert_eq!(file, corpus.join(h["path"].as_str().unwrap()));
        assert!(file.is_file());
        assert!(h["children"].is_array());
    }
    // `show --json` names the file too.
    let id = v["hits"][0]["id"].as_str().unwrap();
    let o = run(fixdex(d).args(["show", id, "--json", "--index", "help-index"]));
    let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(s["file"], v["hits"][0]["file"]);
}

#[test]
fn locations_under_the_working_directory_are_relative() {
    let dir = help_and_project();
    let d = dir.path();
    let o = run(fixdex(d).args(["query", "--index", "help-index", "printer offline"]));
    let loc = stdout(&o).lines().nth(2).unwrap().to_string();
    assert!(loc.starts_with("help/printer/printer-offline.md:"), "{loc}");
    let o = run(fixdex(&d.join("help/printer")).args([
        "query",
        "--index",
        d.join("help-index").to_str().unwrap(),
        "printer offline",
    ]));
    let loc = stdout(&o).lines().nth(2).unwrap().to_string();
    assert!(loc.starts_with("printer-offline.md:"), "{loc}");
}
