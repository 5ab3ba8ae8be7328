//! `fixdex query`, `show`, `eval`, completions: behaviour seen by people and scripts.

mod util;

use serde_json::Value;
use std::io::{Read, Write};
use std::process::Stdio;
use util::*;

/// A workspace with the shipped corpus as `corpus/`.
fn shipped_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_corpus(), &dir.path().join("corpus"));
    dir
}

fn query_json(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let o = run(fixdex(dir).arg("query").args(args).arg("--json"));
    assert_no_panic(&o);
    let v = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
    (code(&o), v)
}

#[test]
fn first_query_indexes_and_answers_why_not_delivered() {
    let dir = shipped_workspace();
    // No index yet: query builds it first.
    let (c, v) = query_json(dir.path(), &["why", "not", "delivered"]);
    assert_eq!(c, 0);
    assert!(dir.path().join("index/fixdex.json").exists());
    let first = &v["hits"][0];
    let heading = first["heading"].as_str().unwrap().to_lowercase();
    assert!(
        heading.contains("deliver") && heading.contains("imessage"),
        "{heading}"
    );
    // path:line points at the heading in the source file.
    let src =
        std::fs::read_to_string(dir.path().join("corpus").join(first["path"].as_str().unwrap())).unwrap();
    let line = src
        .lines()
        .nth(first["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(
        line.starts_with("##") && line.contains(first["heading"].as_str().unwrap()),
        "{line}"
    );
}

#[test]
fn json_fields_are_present_and_typed() {
    let dir = shipped_workspace();
    let (c, v) = query_json(dir.path(), &["send as sms"]);
    assert_eq!(c, 0);
    assert_eq!(v["query"], "send as sms");
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert!(v["took_ms"].as_f64().unwrap() >= 0.0);
    assert!(v.get("suggestion").is_none());
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h["rank"].as_u64().unwrap() as usize, i + 1);
        assert!(h["score"].as_f64().unwrap() > 0.0);
        for f in ["id", "path", "title", "heading", "snippet", "text"] {
            assert!(h[f].is_string(), "{f} in {h}");
        }
        assert!(h["line"].as_u64().unwrap() >= 1);
        for f in ["breadcrumb", "steps", "tags", "also_in"] {
            assert!(h[f].is_array(), "{f}");
        }
        let conf = h["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&conf));
        assert!(h.get("explain").is_none());
        assert_eq!(
            h["id"].as_str().unwrap(),
            format!(
                "{}#{}",
                h["path"].as_str().unwrap(),
                h["id"].as_str().unwrap().split('#').nth(1).unwrap()
            )
        );
    }
    assert_eq!(hits[0]["heading"], "Send as SMS Instead of iMessage");
    assert!(
        hits[0]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "Settings > Messages > Send as SMS")
    );
    // Ranks are in descending score order.
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn exit_codes_found_nothing_error() {
    let dir = shipped_workspace();
    let d = dir.path();
    assert_eq!(code(&run(fixdex(d).args(["query", "force restart"]))), 0);
    let (c, v) = query_json(d, &["xylophone zebra quantum"]);
    assert_eq!(c, 1);
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    let o = run(fixdex(d).args(["query", "x", "--index", "no/such/index", "--no-refresh"]));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("fixdex: ") && stderr(&o).lines().count() == 1,
        "{}",
        stderr(&o)
    );
    let o = run(fixdex(d).args(["query", "x", "--limit", "0"]));
    assert_eq!(code(&o), 2);
    let o = run(fixdex(d).args(["query", "x", "--bogus"]));
    assert_eq!(code(&o), 2);
    // A damaged index: one sentence, exit 2, rebuild named as the way out.
    std::fs::write(d.join("index/meta.json"), b"{ not json").unwrap();
    let o = run(fixdex(d).args(["query", "x", "--no-refresh"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--rebuild"), "{}", stderr(&o));
    assert_no_panic(&o);
}

#[test]
fn stdin_answers_each_line_in_order() {
    let dir = shipped_workspace();
    let mut child = fixdex(dir.path())
        .args(["query", "--stdin", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"why not delivered\nreset all settings\nqqqzzzxxx\nswap sim card\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let queries: Vec<&str> = lines.iter().map(|v| v["query"].as_str().unwrap()).collect();
    assert_eq!(
        queries,
        vec![
            "why not delivered",
            "reset all settings",
            "qqqzzzxxx",
            "swap sim card"
        ]
    );
    assert_eq!(lines[1]["hits"][0]["heading"], "Reset All Settings");
    assert_eq!(lines[2]["hits"].as_array().unwrap().len(), 0);
    assert_eq!(lines[3]["hits"][0]["heading"], "Swap Your SIM Card");
}

#[test]
fn stdin_batch_keeps_input_order_and_answers_as_it_goes() {
    let dir = shipped_workspace();
    assert_eq!(code(&run(fixdex(dir.path()).arg("index"))), 0);
    let mut child = fixdex(dir.path())
        .args(["query", "--stdin", "--jsonl", "--no-refresh"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let wait = std::time::Duration::from_secs(60);
    // One query at a time: each answer must arrive while input stays open.
    for q in ["why not delivered", "swap sim card"] {
        stdin.write_all(format!("{q}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
        let line = rx
            .recv_timeout(wait)
            .expect("no answer while standard input is still open");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["query"], q);
    }
    // Then a large batch: answered on several threads, printed in input order.
    let queries = [
        "reset all settings",
        "qqqzzzxxx",
        "swap sim card",
        "why not delivered",
        "sms",
    ];
    let batch: Vec<String> = (0..300).map(|i| format!("{} {}", queries[i % 5], i)).collect();
    stdin.write_all((batch.join("\n") + "\n").as_bytes()).unwrap();
    drop(stdin);
    let answers: Vec<Value> = (0..batch.len())
        .map(|_| serde_json::from_str(&rx.recv_timeout(wait).unwrap()).unwrap())
        .collect();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    for (q, a) in batch.iter().zip(&answers) {
        assert_eq!(a["query"].as_str(), Some(q.as_str()));
    }
    // The same words get the same answer wherever they sit in the batch.
    for (k, q) in queries.iter().enumerate() {
        let firsts: std::collections::HashSet<String> = answers
            .iter()
            .skip(k)
            .step_by(5)
            .map(|a| a["hits"][0]["id"].to_string())
            .collect();
        assert_eq!(firsts.len(), 1, "{q}");
    }
}

#[test]
fn tag_and_category_filters() {
    let dir = mini_workspace();
    let d = dir.path();
    let (c, v) = query_json(d, &["restart", "--all-sections", "--limit", "20"]);
    assert_eq!(c, 0);
    let paths = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(paths(&v).iter().any(|p| p.starts_with("printer/")));
    let (c, v) = query_json(d, &["restart", "--tag", "NETWORK"]);
    assert_eq!(c, 0);
    assert!(
        paths(&v).iter().all(|p| p.starts_with("wifi/")),
        "{:?}",
        paths(&v)
    );
    let (c, v) = query_json(d, &["restart", "--category", "hardware", "--category", "network"]);
    assert_eq!(c, 0);
    assert!(
        paths(&v)
            .iter()
            .all(|p| p.starts_with("wifi/") || p.starts_with("printer/"))
    );
    assert!(paths(&v).iter().any(|p| p.starts_with("printer/")));
    // A tag used as a category does not match.
    let (c, _) = query_json(d, &["restart", "--category", "printer"]);
    assert_eq!(c, 1);
}

#[test]
fn near_duplicates_are_shown_once_with_also_in() {
    let dir = mini_workspace();
    let (c, v) = query_json(dir.path(), &["clear the messages cache"]);
    assert_eq!(c, 0);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits[0]["heading"], "Clear the Messages Cache");
    assert_eq!(hits[0]["also_in"].as_array().unwrap().len(), 1);
    let texts: Vec<&str> = hits.iter().map(|h| h["text"].as_str().unwrap()).collect();
    let mut dedup = texts.clone();
    dedup.dedup();
    assert_eq!(texts.len(), dedup.len());
    assert_eq!(
        hits.iter()
            .filter(|h| h["heading"] == "Clear the Messages Cache")
            .count(),
        1
    );
}

#[test]
fn two_sections_per_article_and_more_only_above_every_other_article() {
    let dir = mini_workspace();
    let (_, v) = query_json(
        dir.path(),
        &[
            "printer offline spooler default cable network router",
            "--limit",
            "6",
        ],
    );
    let hits = v["hits"].as_array().unwrap();
    let is_printer = |h: &Value| h["path"] == "printer/printer-offline.md";
    let best_other = hits
        .iter()
        .filter(|h| !is_printer(h))
        .map(|h| h["score"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    let printer: Vec<f64> = hits
        .iter()
        .filter(|h| is_printer(h))
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(printer.len() <= 4, "{hits:?}");
    assert!(printer.iter().skip(2).all(|&s| s > best_other), "{hits:?}");
    assert!(hits.iter().any(|h| h["path"] == "wifi/wifi-drops.md"));
    // The query names the printer article (its introduction comes first):
    // the cap stays at two and the Wi-Fi article gets the third place.
    let (_, v) = query_json(dir.path(), &["printer offline router network", "--limit", "3"]);
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.iter().filter(|h| is_printer(h)).count() <= 2, "{hits:?}");
    assert!(hits.iter().any(|h| h["path"] == "wifi/wifi-drops.md"), "{hits:?}");
    let (_, v) = query_json(
        dir.path(),
        &["printer spooler cable default", "--all-sections", "--limit", "4"],
    );
    let printer = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["path"] == "printer/printer-offline.md")
        .count();
    assert!(printer >= 3);
}

#[test]
fn odd_input_never_panics() {
    let dir = shipped_workspace();
    let d = dir.path();
    assert_eq!(query_json(d, &["reset"]).0, 0); // builds the index once
    let long = "message ".repeat(250);
    let ctrl = "imessage\u{1}\u{7}\u{1b}[31m delivered";
    let punct: String = (33u8..127)
        .filter(|c| !c.is_ascii_alphanumeric())
        .map(char::from)
        .collect();
    for q in [
        "",
        "   ",
        "why is it",
        "the a an of",
        long.as_str(),
        "📱💬 not delivered 🙃",
        "\"unbalanced",
        "title:foo",
        "(imessage AND -delivered) OR",
        ctrl,
        punct.as_str(),
        "ошибка imessage 送信できない",
    ] {
        let o = run(fixdex(d).args(["query", "--json", "--no-refresh", "--", q]));
        assert_no_panic(&o);
        let c = code(&o);
        assert!(c == 0 || c == 1, "{q:?} -> {c}: {}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["hits"].as_array().unwrap().is_empty(), c == 1, "{q:?}");
    }
    // Stop words alone still search something.
    assert_eq!(query_json(d, &["why is it not", "--no-refresh"]).0, 0);
}

#[test]
fn closed_pipe_exits_quietly() {
    let dir = shipped_workspace();
    assert_eq!(query_json(dir.path(), &["reset"]).0, 0);
    let mut child = fixdex(dir.path())
        .args(["query", "--stdin", "--jsonl", "--no-refresh"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let writer = std::thread::spawn(move || {
        for _ in 0..5000 {
            if stdin.write_all(b"reset all settings\n").is_err() {
                break;
            }
        }
    });
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0);
    drop(stdout); // like `| head -c 64`
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn text_output_shows_the_fix_first() {
    let dir = shipped_workspace();
    let o = run(fixdex(dir.path()).args(["query", "send", "as", "sms"]));
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("Send as SMS Instead of iMessage") && lines[0].contains("confidence"));
    assert!(lines[1].contains(" › Send as SMS Instead of iMessage"));
    assert_eq!(
        lines[2],
        "corpus/why-are-some-texts-not-sending-via-imessage.md:78"
    );
    assert!(out.contains("• Settings > Messages > Send as SMS"));
    assert!(out.contains("Also see"));
    assert!(!out.contains('\x1b'), "no colour without a terminal");
    // Forced colour highlights matched words, unless NO_COLOR.
    let o =
        run(fixdex(dir.path())
            .env_remove("NO_COLOR")
            .args(["--color", "always", "query", "send as sms"]));
    assert!(stdout(&o).contains("\x1b[1;33mSMS\x1b[0m"));
    let o = run(fixdex(dir.path()).args(["--color", "always", "query", "send as sms"]));
    assert!(!stdout(&o).contains('\x1b'));
}

#[test]
fn show_prints_a_section_by_id() {
    let dir = shipped_workspace();
    let (_, v) = query_json(dir.path(), &["swap sim"]);
    let id = v["hits"][0]["id"].as_str().unwrap().to_string();
    let o = run(fixdex(dir.path()).args(["show", &id, "--json"]));
    assert_eq!(code(&o), 0);
    let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(s["id"], id.as_str());
    assert_eq!(s["heading"], "Swap Your SIM Card");
    assert!(s["text"].as_str().unwrap().contains("SIM cards are fickle"));
    let o = run(fixdex(dir.path()).args(["show", "nope#nothing"]));
    assert_eq!(code(&o), 1);
}

#[test]
fn eval_on_the_shipped_corpus_meets_the_bar() {
    let dir = shipped_workspace();
    let o = run(fixdex(dir.path())
        .args(["eval", "--json", "--min-success", "0.9"])
        .arg(fixture("eval-shipped.tsv")));
    assert_no_panic(&o);
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(r["success_at_1"].as_f64().unwrap() >= 0.9, "{r:#}");
    assert_eq!(code(&o), 0, "{r:#}");
    assert_eq!(r["queries"], 13);
}

#[test]
fn eval_on_the_mini_corpus_and_min_success_gate() {
    let dir = mini_workspace();
    let file = fixture("eval-mini.tsv");
    let o = run(fixdex(dir.path()).args(["eval", "--json"]).arg(&file));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(r["success_at_1"].as_f64().unwrap() >= 0.85, "{r:#}");
    // An impossible bar fails with exit 1.
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "printer offline\t*\tNo Such Heading\n").unwrap();
    let o = run(fixdex(dir.path())
        .args(["eval", "--min-success", "0.5"])
        .arg(&bad));
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("No Such Heading"));
}

#[test]
fn completions_and_man_page_come_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let o = run(fixdex(dir.path()).args(["completions", shell]));
        assert_eq!(code(&o), 0);
        assert!(stdout(&o).contains("min-confidence"), "{shell}");
    }
    let o = run(fixdex(dir.path()).arg("man"));
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains(".TH fixdex"));
}

#[test]
fn query_refreshes_a_stale_index_unless_told_not_to() {
    let dir = shipped_workspace();
    let d = dir.path();
    assert_eq!(code(&run(fixdex(d).arg("index"))), 0);
    let article =
        "---\ntitle: Zebracorn pairing\n---\n\n## Pair the zebracorn remote\n\nHold the pairing button.\n";
    std::fs::write(d.join("corpus/zebracorn.md"), article).unwrap();
    // Told not to refresh: the stale index does not know the new word.
    assert_eq!(query_json(d, &["--no-refresh", "zebracorn"]).0, 1);
    // By default the new file is indexed first.
    let (c, v) = query_json(d, &["zebracorn"]);
    assert_eq!(c, 0);
    assert_eq!(v["hits"][0]["path"], "zebracorn.md");
    // An edit and a removal are seen too.
    std::fs::write(
        d.join("corpus/zebracorn.md"),
        article.replace("remote", "gamepad"),
    )
    .unwrap();
    let (_, v) = query_json(d, &["zebracorn"]);
    assert_eq!(v["hits"][0]["heading"], "Pair the zebracorn gamepad");
    std::fs::remove_file(d.join("corpus/zebracorn.md")).unwrap();
    assert_eq!(query_json(d, &["zebracorn"]).0, 1);
}

/// A word made of letters from a number, so that generated texts differ in
/// whole words.
fn letters(mut n: usize) -> String {
    let mut w = String::new();
    for _ in 0..4 {
        w.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    w
}

#[test]
fn also_in_lists_every_copy_of_the_text_whatever_it_scored_and_within_the_filters() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let write = |name: &str, body: String| std::fs::write(corpus.join(name), body).unwrap();
    // The hit: the only section naming "kappa". Its text holds the two
    // common words only.
    let shared = "Zeta and omega settle once the cache is cleared and the device restarts.";
    write(
        "hit.md",
        format!("---\ntags: [special]\n---\n# Guide\n\n## Kappa zeta omega\n\n{shared}\n"),
    );
    // Its copies score far below: the common words in their text only.
    for i in 0..4 {
        let tags = if i == 0 { "---\ntags: [special]\n---\n" } else { "" };
        write(
            &format!("zz-copy-{i}.md"),
            format!("{tags}# Misc {i}\n\n## Other notes {i}\n\n{shared}\n"),
        );
    }
    // Over a thousand distinct texts outscore the copies: the collector's
    // threshold passes them long before it reaches the last files.
    for i in 0..1100 {
        let (a, b, c) = (letters(i), letters(i + 7000), letters(i + 90000));
        write(
            &format!("f{i:04}.md"),
            format!("# Note {a}\n\n## Zeta omega {a}\n\nZeta omega {a} {b} {c} filler words.\n"),
        );
    }
    let (c, v) = query_json(dir.path(), &["kappa zeta omega"]);
    assert_eq!(c, 0);
    let hit = &v["hits"][0];
    assert_eq!(hit["path"], "hit.md", "{v}");
    let listed: Vec<&str> = (hit["also_in"].as_array().unwrap().iter())
        .map(|x| x.as_str().unwrap())
        .collect();
    let all: Vec<String> = (0..4)
        .map(|i| format!("zz-copy-{i}.md#other-notes-{i}"))
        .collect();
    assert_eq!(listed, all, "{hit}");
    // A filter narrows the copies as it narrows the hits.
    let (c, v) = query_json(dir.path(), &["kappa zeta omega", "--tag", "special"]);
    assert_eq!(c, 0);
    assert_eq!(
        v["hits"][0]["also_in"],
        serde_json::json!(["zz-copy-0.md#other-notes-0"])
    );
}
