//! The index pipeline: the seed article's sections, cleaning, front matter,
//! incremental re-indexing and bad input.

mod util;

use fixdex::ingest::article::read_article;
use serde_json::Value;
use std::fs;
use util::*;

const SEED: &str = "why-are-some-texts-not-sending-via-imessage.md";

#[test]
fn seed_article_yields_its_16_sections_with_headings_breadcrumbs_and_lines() {
    let path = shipped_corpus().join(SEED);
    let source = fs::read_to_string(&path).unwrap();
    let a = read_article(&path, SEED).unwrap();
    let title = "Troubleshooting: Why Are Some Texts Not Sending Via iMessage?";
    assert_eq!(a.title, title);
    let headings: Vec<&str> = a.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        vec![
            title,
            "What Does \"Delivered\" Mean on iMessage?",
            "Why Does iMessage Say \"Delivered\" When It's Not?",
            "Common Reasons iMessage Won't Deliver",
            "iMessages Won't Deliver: Troubleshooting",
            "Do You Both Have Internet Access?",
            "Do You Have iMessage Turned On?",
            "Send as SMS Instead of iMessage",
            "Try a Force Restart",
            "Is iOS Up to Date?",
            "Apple ID: Sign Out and Back In",
            "Should You Delete Previous Messages?",
            "Swap Your SIM Card",
            "Reset All Settings",
            "iMessage Won't Deliver: Is My Phone Number Blocked?",
            "Why Is My iMessage Still Not Delivering?",
        ]
    );
    // Every line points at the heading in the source.
    let lines: Vec<&str> = source.lines().collect();
    for s in &a.sections {
        let src = lines[s.line - 1];
        assert!(
            src.starts_with("##"),
            "{} -> line {} is {src:?}",
            s.heading,
            s.line
        );
        let plain: String = src.trim_start_matches('#').trim().to_string();
        assert_eq!(plain, s.heading, "line {}", s.line);
    }
    assert_eq!(a.sections[0].line, 15);
    // Breadcrumbs: the title once, then h2, then h3.
    assert_eq!(a.sections[0].breadcrumb, vec![title]);
    assert_eq!(
        a.sections[3].breadcrumb,
        vec![title, "Common Reasons iMessage Won't Deliver"]
    );
    assert_eq!(
        a.sections[7].breadcrumb,
        vec![
            title,
            "iMessages Won't Deliver: Troubleshooting",
            "Send as SMS Instead of iMessage"
        ]
    );
    assert_eq!(
        a.sections[7].id,
        format!("{SEED}#send-as-sms-instead-of-imessage")
    );
    assert!(
        a.sections[7]
            .steps
            .contains(&"Settings > Messages > Send as SMS".to_string())
    );
    assert!(
        a.sections[13]
            .steps
            .contains(&"Settings > General > Reset > Reset All Settings".to_string())
    );
    assert_eq!(a.sections[0].tags, vec!["iphone", "apple"]);
    // Anchors are unique.
    let mut anchors: Vec<&str> = a.sections.iter().map(|s| s.anchor.as_str()).collect();
    anchors.sort();
    anchors.dedup();
    assert_eq!(anchors.len(), 16);
}

#[test]
fn seed_article_sections_hold_no_junk() {
    let path = shipped_corpus().join(SEED);
    let a = read_article(&path, SEED).unwrap();
    for s in &a.sections {
        let t = &s.text;
        for junk in [
            "affiliate",
            "adsbygoogle",
            "impactradius",
            "sjv.io",
            "http",
            "Also read",
            "Bridging Social Media",
            "Beta Blockers",
            "Image Credit",
            "iphones in multiple colors",
            "<",
        ] {
            assert!(!t.contains(junk), "{junk:?} in section {}: {t}", s.heading);
        }
        assert!(
            !t.lines().any(|l| l.trim() == "Close"),
            "lone Close in {}",
            s.heading
        );
    }
    // Ordinary link words are kept, and glued bold is separated.
    let on = &a.sections[6].text;
    assert!(on.contains("iMessage should already be turned on"), "{on}");
    assert!(
        on.contains("Navigate to Settings > Messages. iMessage should"),
        "{on}"
    );
}

#[test]
fn front_matter_variants() {
    let cases = [
        ("quoted.md", "Quoted: Title", vec!["a", "b"], vec!["cat"], false),
        (
            "unquoted.md",
            "Unquoted Title",
            vec!["a", "b"],
            vec!["cat"],
            false,
        ),
        ("broken.md", "Broken: yaml: here", vec!["a", "b"], vec![], true),
        // A `##` heading names a section, never the article: the file does.
        ("unclosed.md", "unclosed", vec![], vec![], true),
        ("none.md", "First Heading Title", vec![], vec![], false),
        ("odd-types.md", "not a string", vec!["42"], vec![], false),
    ];
    for (file, title, tags, cats, warns) in cases {
        let a = read_article(&fixture("frontmatter").join(file), file).unwrap();
        assert_eq!(a.title, title, "{file}");
        assert_eq!(a.sections.last().unwrap().tags, tags, "{file}");
        assert_eq!(a.sections.last().unwrap().categories, cats, "{file}");
        assert_eq!(!a.warnings.is_empty(), warns, "{file}: {:?}", a.warnings);
        assert!(a.sections.iter().any(|s| s.text.contains("Body text.")), "{file}");
    }
}

fn index_json(dir: &std::path::Path, extra: &[&str]) -> (i32, Value, String) {
    let mut c = fixdex(dir);
    c.args(["index", "corpus", "--json"]).args(extra);
    let o = run(&mut c);
    assert_no_panic(&o);
    let v = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
    (code(&o), v, stderr(&o))
}

#[test]
fn shipped_corpus_indexes_to_one_article_and_16_sections() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_corpus(), &dir.path().join("corpus"));
    let (c, v, _) = index_json(dir.path(), &[]);
    assert_eq!(c, 0);
    assert_eq!(v["articles"], 1);
    assert_eq!(v["sections"], 16);
    let o = run(fixdex(dir.path()).args(["stats", "--json"]));
    assert_eq!(code(&o), 0);
    let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(s["articles"], 1);
    assert_eq!(s["sections"], 16);
    assert!(s["index_bytes"].as_u64().unwrap() > 0);
    assert_eq!(
        s["corpus_bytes"].as_u64().unwrap(),
        fs::metadata(shipped_corpus().join(SEED)).unwrap().len()
    );
    assert!(s["terms"].as_u64().unwrap() > 100);
    assert!(s["indexed_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn incremental_reindex_touch_edit_delete() {
    let dir = mini_workspace();
    let d = dir.path();
    let (c, v, _) = index_json(d, &[]);
    assert_eq!(c, 0);
    assert_eq!(v["parsed"], 5);
    let sections = v["sections"].as_u64().unwrap();

    // Nothing changed: nothing parsed, and the manifest is left as it was
    // (not rewritten for a new `indexed_at`).
    let manifest = d.join("index/fixdex.json");
    let before = fs::read(&manifest).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, v, _) = index_json(d, &[]);
    assert_eq!(
        (v["parsed"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(5))
    );
    assert_eq!(fs::read(&manifest).unwrap(), before);

    // Touch (new mtime, same bytes): read and hashed, but not re-parsed;
    // the manifest records the new time, so the next run does not hash it
    // again.
    let f = d.join("corpus/wifi/wifi-drops.md");
    let body = fs::read_to_string(&f).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&f, &body).unwrap();
    let (_, v, _) = index_json(d, &[]);
    assert_eq!(
        (v["parsed"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(5))
    );
    assert_ne!(fs::read(&manifest).unwrap(), before);

    // Edit: replaced, and the new words are searchable, the old ones gone.
    fs::write(&f, body.replace("thirty seconds", "zanzibar seconds")).unwrap();
    let (_, v, _) = index_json(d, &[]);
    assert_eq!(v["parsed"], 1);
    assert_eq!(v["sections"].as_u64().unwrap(), sections);
    let o = run(fixdex(d).args(["query", "zanzibar", "--json", "--no-refresh"]));
    assert_eq!(code(&o), 0);
    let q: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(q["hits"][0]["heading"], "Reboot the Router");
    assert_eq!(q["total"], 1);

    // Delete: its sections leave the index.
    fs::remove_file(&f).unwrap();
    let (_, v, _) = index_json(d, &[]);
    assert_eq!(v["removed"], 1);
    assert_eq!(v["articles"], 4);
    assert_eq!(v["sections"].as_u64().unwrap(), sections - 3);
    let o = run(fixdex(d).args(["query", "zanzibar", "--json", "--no-refresh"]));
    assert_eq!(code(&o), 1);

    // --rebuild starts over and says so.
    let (c, v, _) = index_json(d, &["--rebuild"]);
    assert_eq!(c, 0);
    assert_eq!(v["parsed"], 4);
    assert!(v["rebuilt"].is_string());
}

#[test]
fn files_added_and_removed_around_the_kept_ones_are_all_seen() {
    // The corpus and the manifest are compared side by side in path order:
    // removals before the first file and after the last, and additions
    // between kept files, must all be found.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let page = |name: &str| format!("# Page {name}\n\nHow to fix the {name} printer when it stops.\n");
    fs::create_dir_all(d.join("corpus")).unwrap();
    for name in ["a", "c", "e"] {
        fs::write(d.join(format!("corpus/{name}.md")), page(name)).unwrap();
    }
    let (c, v, _) = index_json(d, &[]);
    assert_eq!((c, v["parsed"].as_u64()), (0, Some(3)));
    fs::remove_file(d.join("corpus/a.md")).unwrap();
    fs::remove_file(d.join("corpus/e.md")).unwrap();
    for name in ["b", "d"] {
        fs::write(d.join(format!("corpus/{name}.md")), page(name)).unwrap();
    }
    let (c, v, _) = index_json(d, &[]);
    assert_eq!(c, 0);
    let got = ["parsed", "unchanged", "removed", "articles"].map(|k| v[k].as_u64());
    assert_eq!(got, [Some(2), Some(1), Some(2), Some(3)]);
    let o = run(fixdex(d).args(["query", "page", "--json", "--no-refresh", "--limit", "10"]));
    let q: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut files: Vec<&str> = (q["hits"].as_array().unwrap().iter())
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    files.sort_unstable();
    assert_eq!(files, ["b.md", "c.md", "d.md"]);
}

#[test]
fn a_full_build_is_one_segment_and_a_small_update_does_not_rewrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("corpus")).unwrap();
    let page = |i: usize, word: &str| {
        format!("# Device {i}\n\n## Pairing {word}\n\nHold the button of device {i} for five seconds.\n")
    };
    for i in 0..60 {
        fs::write(d.join(format!("corpus/d{i}.md")), page(i, "steps")).unwrap();
    }
    let segments = || {
        let open = fixdex::index::open_index(&d.join("index")).unwrap();
        open.index.searchable_segment_ids().unwrap().len()
    };
    let (c, _, _) = index_json(d, &[]);
    assert_eq!(c, 0);
    // The writer's threads each wrote a segment; the build merged them.
    assert_eq!(segments(), 1);
    // One file of sixty: a segment of its own, the rest is not rewritten.
    fs::write(d.join("corpus/d7.md"), page(7, "again")).unwrap();
    let (_, v, _) = index_json(d, &[]);
    assert_eq!(v["parsed"], 1);
    assert_eq!(segments(), 2);
    let o = run(fixdex(d).args(["query", "pairing again", "--json", "--no-refresh"]));
    let q: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(q["hits"][0]["path"], "d7.md");
}

#[test]
fn a_typo_is_corrected_alike_in_an_updated_and_a_rebuilt_index() {
    // "routr" is one edit from "router" and from "route" (stem "rout").
    // The first build holds "router" in five pages and "route" in four; an
    // update adds four more about the route, in a segment of its own. Over
    // the whole index the route is the commoner word, though no segment
    // has more of it than of "router".
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("corpus")).unwrap();
    let page =
        |word: &str, i: usize| format!("# Page {i}\n\n## Setup {i}\n\nCheck the {word} before you leave.\n");
    for i in 0..5 {
        fs::write(d.join(format!("corpus/router{i}.md")), page("router", i)).unwrap();
    }
    for i in 0..4 {
        fs::write(d.join(format!("corpus/route{i}.md")), page("route", i)).unwrap();
    }
    assert_eq!(index_json(d, &[]).0, 0);
    for i in 4..8 {
        fs::write(d.join(format!("corpus/route{i}.md")), page("route", i)).unwrap();
    }
    assert_eq!(index_json(d, &[]).0, 0);
    let segments = fixdex::index::open_index(&d.join("index"))
        .unwrap()
        .index
        .searchable_segment_ids()
        .unwrap()
        .len();
    assert!(segments >= 2, "{segments}");
    let ask = || {
        let o = run(fixdex(d).args(["query", "routr", "--json", "--no-refresh"]));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        (v["suggestion"].clone(), v["hits"][0]["path"].clone())
    };
    let updated = ask();
    assert_eq!(index_json(d, &["--rebuild"]).0, 0);
    assert_eq!(ask(), updated);
    assert_eq!(updated.0, "route");
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_indexed() {
    let dir = mini_workspace();
    let d = dir.path();
    let c = d.join("corpus/bad");
    fs::create_dir_all(&c).unwrap();
    fs::write(
        c.join("latin1.md"),
        b"## Caf\xe9 cr\xe8me\n\nThe espresso machine descales weekly.\n",
    )
    .unwrap();
    fs::write(
        c.join("binary.md"),
        [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 255, 0],
    )
    .unwrap();
    fs::write(c.join("empty.md"), b"").unwrap();
    fs::write(
        c.join("only-front.md"),
        b"---\ntitle: Nothing here\ntags: [x]\n---\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(c.join("does-not-exist.md"), c.join("dangling.md")).unwrap();
    // A 20 MB article: indexed, as far as it goes.
    let mut big = String::from("---\ntitle: Huge\n---\n\n## Huge Section\n\n");
    while big.len() < 20 * 1024 * 1024 {
        big.push_str("The quokka sleeps in the shade of the tall gum tree near the creek.\n\n");
    }
    fs::write(c.join("huge.md"), &big).unwrap();
    fs::write(c.join("notes.tsv"), b"not\tan\tarticle\n").unwrap();

    let (code, v, _) = index_json(d, &[]);
    assert_eq!(code, 0);
    let skipped: Vec<(String, String)> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |p: &str| skipped.iter().find(|(path, _)| path == p).map(|(_, r)| r.clone());
    assert!(reason("bad/binary.md").unwrap().contains("binary"));
    assert_eq!(reason("bad/empty.md").unwrap(), "empty file");
    assert!(reason("bad/only-front.md").unwrap().contains("only front matter"));
    assert!(
        reason("bad/dangling.md").unwrap().contains("cannot read"),
        "{skipped:?}"
    );
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["path"] == "bad/latin1.md" && w["message"].as_str().unwrap().contains("UTF-8"))
    );
    assert_eq!(v["articles"], 5 + 2);

    for (q, heading) in [
        ("espresso descales", "Caf\u{fffd} cr\u{fffd}me"),
        ("quokka gum tree", "Huge Section"),
    ] {
        let o = run(fixdex(d).args(["query", q, "--json", "--no-refresh"]));
        let a: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(a["hits"][0]["heading"], heading);
    }
}

#[test]
fn missing_or_empty_corpus_is_an_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(fixdex(dir.path()).args(["index", "nowhere"]));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("nowhere") && stderr(&o).contains("does not exist"),
        "{}",
        stderr(&o)
    );
    fs::create_dir(dir.path().join("empty")).unwrap();
    fs::write(dir.path().join("empty/readme.pdf"), b"%PDF").unwrap();
    let o = run(fixdex(dir.path()).args(["index", "empty"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("holds no article"), "{}", stderr(&o));
    // Only unusable files: also an error, naming the reason.
    fs::write(dir.path().join("empty/blank.md"), b"  \n").unwrap();
    let o = run(fixdex(dir.path()).args(["index", "empty"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no article"), "{}", stderr(&o));
}

#[test]
fn refuses_to_write_into_a_foreign_directory() {
    let dir = mini_workspace();
    let idx = dir.path().join("index");
    fs::create_dir(&idx).unwrap();
    fs::write(idx.join("precious.txt"), b"keep me").unwrap();
    let o = run(fixdex(dir.path()).args(["index"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a fixdex index"), "{}", stderr(&o));
    assert_eq!(fs::read(idx.join("precious.txt")).unwrap(), b"keep me");
}

#[test]
fn other_schema_version_is_rebuilt_with_a_message() {
    let dir = mini_workspace();
    let d = dir.path();
    assert_eq!(index_json(d, &[]).0, 0);
    let m = d.join("index/fixdex.json");
    let mut v: Value = serde_json::from_slice(&fs::read(&m).unwrap()).unwrap();
    v["schema_version"] = 999.into();
    fs::write(&m, serde_json::to_vec(&v).unwrap()).unwrap();
    let (c, v, _) = index_json(d, &[]);
    assert_eq!(c, 0);
    assert!(
        v["rebuilt"].as_str().unwrap().contains("schema version 999"),
        "{v}"
    );
    assert_eq!(v["parsed"], 5);
}
