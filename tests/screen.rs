//! The text answer as a person sees it: one screen that fits the terminal,
//! an introduction shown with the sections it introduces, counts in words.

mod util;

use std::path::Path;
use std::process::Command;
use util::*;

/// A corpus with long headings, a long breadcrumb and deep, long paths.
fn long_corpus(d: &Path) {
    let deep = d.join("corpus/a-rather-long-folder-name-for-the-printer-guides/and-another-level-below-it");
    std::fs::create_dir_all(&deep).unwrap();
    let mut article = String::from(
        "---\ntitle: The Complete and Rather Long Guide to Printers That Refuse to Print Anything at All\n---\n\n",
    );
    article.push_str(
        "## When the Printer Says It Is Offline Although It Is Plainly Switched On and Connected\n\n",
    );
    article.push_str("A short introduction to the fixes below.\n\n");
    for (i, fix) in ["Check the Cable", "Restart the Spooler", "Reinstall the Driver"]
        .iter()
        .enumerate()
    {
        article.push_str(&format!(
            "### Fix {}: {fix} When the Printer Is Offline and Nothing Else Has Helped So Far\n\n",
            i + 1
        ));
        article.push_str(&format!(
            "To {fix} on a printer that shows offline, open Settings > Devices > Printers and follow the steps: \
             https://example.com/a/very/long/address/that/cannot/be/broken/at/spaces/printer-offline-fix-{i}\n\n"
        ));
    }
    std::fs::write(
        deep.join("printer-offline-although-switched-on-and-connected-guide.md"),
        &article,
    )
    .unwrap();
    for n in 0..4 {
        std::fs::write(
            deep.join(format!("printer-offline-another-article-with-a-long-name-{n}.md")),
            format!("## Printer Offline Again, Number {n}, With a Heading Long Enough to Need Shortening\n\nThe printer is offline; check it.\n"),
        )
        .unwrap();
    }
}

/// Runs `fixdex ARGS` on a pseudo-terminal of 80 columns; returns its
/// output without colour codes or carriage returns.
fn on_80_columns(cwd: &Path, args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_fixdex");
    let out = Command::new("script")
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("FIXDEX_INDEX")
        .env_remove("FIXDEX_CORPUS")
        .args([
            "-q",
            "-e",
            "-c",
            &format!("stty rows 50 cols 80; exec '{bin}' {args}"),
            "/dev/null",
        ])
        .output()
        .expect("script (bsdutils) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

#[test]
fn answers_fit_an_80_column_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    long_corpus(d);
    copy_dir(&shipped_corpus(), &d.join("corpus/seed"));
    assert_eq!(code(&run(fixdex(d).args(["index", "--quiet"]))), 0);
    for q in ["'printer offline'", "'swap sim card'", "'why not delivered'"] {
        let out = on_80_columns(d, &format!("query {q}"));
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 5, "{out}");
        // The best hit's location stays whole, so it can be opened: the
        // first line that names a file.
        let opens = |l: &str| {
            l.rsplit_once(':')
                .is_some_and(|(p, n)| d.join(p).is_file() && n.parse::<usize>().is_ok())
        };
        let at = lines
            .iter()
            .position(|l| opens(l))
            .expect("a location that opens");
        assert!(at <= 4, "{out}");
        for (i, l) in lines.iter().enumerate() {
            if i == at {
                continue;
            }
            assert!(
                l.chars().count() <= 80,
                "line {i} is {} wide:\n{l}\n\n{out}",
                l.chars().count()
            );
        }
        assert!(
            !out.contains("confidence") || lines[0].contains("confidence") || lines[1].contains("confidence")
        );
    }
    // Also-see rows keep the line number visible and show no score.
    let out = on_80_columns(d, "query 'printer offline'");
    let rows: Vec<&str> = out.lines().skip_while(|l| *l != "Also see").skip(1).collect();
    assert!(!rows.is_empty(), "{out}");
    for r in rows {
        let last = r.split_whitespace().last().unwrap();
        let (_, line) = last.rsplit_once(':').unwrap();
        assert!(line.parse::<usize>().is_ok(), "{r}");
    }
}

#[test]
fn an_introduction_lists_the_sections_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&shipped_corpus(), &d.join("corpus"));
    let o = run(fixdex(d).args(["query", "imessages won't deliver troubleshooting", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let best = &v["hits"][0];
    assert_eq!(best["heading"], "iMessages Won't Deliver: Troubleshooting");
    let children = best["children"].as_array().unwrap();
    let headings: Vec<&str> = children.iter().map(|c| c["heading"].as_str().unwrap()).collect();
    assert_eq!(headings.len(), 9, "{headings:?}");
    assert_eq!(headings[0], "Do You Both Have Internet Access?");
    assert_eq!(headings[8], "Reset All Settings");
    assert_eq!(children[0]["line"], 53);
    assert!(
        children[0]["id"]
            .as_str()
            .unwrap()
            .ends_with("#do-you-both-have-internet-access")
    );
    // A leaf section has none.
    let o = run(fixdex(d).args(["query", "swap sim card", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hits"][0]["children"], serde_json::json!([]));
    // The text answer lists the fixes with their locations.
    let o = run(fixdex(d).args(["query", "imessages won't deliver troubleshooting"]));
    let out = stdout(&o);
    assert!(out.contains("In this section"), "{out}");
    assert!(out.contains("• Swap Your SIM Card"), "{out}");
    let swap = out.lines().find(|l| l.contains("• Swap Your SIM Card")).unwrap();
    assert!(swap.ends_with("-via-imessage.md:165"), "{out}");
}

#[test]
fn counts_are_words_and_skips_are_counted_by_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&shipped_corpus(), &d.join("corpus"));
    std::fs::write(d.join("corpus/empty.md"), "").unwrap();
    std::fs::write(d.join("corpus/blank.md"), "\n\n").unwrap();
    std::fs::write(d.join("corpus/binary.md"), [0u8, 1, 2, 0, 0, 0, 3, 0]).unwrap();
    let o = run(fixdex(d).args(["index"]));
    let out = stdout(&o);
    assert!(out.starts_with("indexed 1 article, 16 sections ("), "{out}");
    assert!(out.contains("3 skipped: 2 empty file, 1 binary file)"), "{out}");
}
