//! `fixdex serve` over real HTTP on an ephemeral port: answers, errors,
//! limits, the page without JavaScript, live re-indexing, and read-only
//! servers following another process's commits.

mod util;

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};
use util::*;

/// A running server, stopped when dropped.
struct Server {
    _child: Killed,
    addr: String,
}

fn serve(dir: &Path, extra: &[&str]) -> Server {
    let (child, addr) = start_serve(dir, extra);
    Server { _child: child, addr }
}

/// GET `target`: (status, body).
fn get(s: &Server, target: &str) -> (u16, String) {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        c,
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    let chunked = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (status, if chunked { unchunk(&body) } else { body })
}

fn unchunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

fn json(s: &Server, target: &str) -> (u16, Value) {
    let (status, body) = get(s, target);
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}")),
    )
}

fn shipped(dir: &Path) {
    copy_dir(&shipped_corpus(), &dir.join("corpus"));
}

#[test]
fn the_api_answers_like_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    shipped(dir.path());
    let s = serve(dir.path(), &[]);
    let (status, v) = json(&s, "/api/query?q=why+not+delivered&limit=3");
    assert_eq!(status, 200);
    let cli: Value = serde_json::from_str(&stdout(&run(fixdex(dir.path()).args([
        "query",
        "--json",
        "-n",
        "3",
        "why not delivered",
    ]))))
    .unwrap();
    let ids = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&v), ids(&cli));
    assert_eq!(v["hits"][0]["heading"], "Common Reasons iMessage Won't Deliver");
    // A section by the id of a hit, as `show --json` gives it.
    let id = ids(&v)[0].replace('#', "%23");
    let (status, sec) = json(&s, &format!("/api/section/{id}"));
    assert_eq!(status, 200);
    assert_eq!(sec["heading"], v["hits"][0]["heading"]);
    assert!(
        sec["file"]
            .as_str()
            .unwrap()
            .ends_with("why-are-some-texts-not-sending-via-imessage.md")
    );
    let (status, st) = json(&s, "/api/stats");
    assert_eq!((status, st["sections"].as_u64()), (200, Some(16)));
    let (status, h) = json(&s, "/healthz");
    assert_eq!((status, h["status"].as_str()), (200, Some("ok")));
    let (status, doc) = json(&s, "/api/openapi.json");
    assert_eq!(status, 200);
    assert!(doc["paths"]["/api/query"]["get"].is_object());
}

#[test]
fn errors_are_json_with_the_right_status_and_limits_hold() {
    let dir = tempfile::tempdir().unwrap();
    shipped(dir.path());
    let s = serve(dir.path(), &[]);
    for (target, want) in [
        ("/api/query", 400),
        ("/api/query?q=wifi&limit=0", 400),
        ("/api/section/no-such-id", 404),
        ("/api/section/..%2F..%2Fetc%2Fpasswd", 404),
        ("/etc/passwd", 404),
        ("/assets/", 404),
    ] {
        let (status, v) = json(&s, target);
        assert_eq!(status, want, "{target}");
        assert!(
            v["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{target}: {v}"
        );
    }
    let (status, v) = json(&s, &format!("/api/query?q={}", "a".repeat(5000)));
    assert_eq!(status, 414);
    assert!(v["error"].as_str().unwrap().contains("limit is 1000"));
    // A 2 MB query is refused and the server lives on.
    let (status, _) = get(&s, &format!("/api/query?q={}", "a".repeat(2 * 1024 * 1024)));
    assert!(status == 414 || status == 400, "{status}");
    assert_eq!(get(&s, "/healthz").0, 200);
}

#[test]
fn the_page_works_without_javascript() {
    let dir = tempfile::tempdir().unwrap();
    shipped(dir.path());
    let s = serve(dir.path(), &[]);
    let (status, home) = get(&s, "/");
    assert_eq!(status, 200);
    assert!(
        home.contains("<label for=\"q\">") && home.contains("action=\"/\""),
        "{home}"
    );
    let (status, page) = get(&s, "/?q=why+not+delivered");
    assert_eq!(status, 200);
    assert!(page.contains("class=\"card hit\""), "{page}");
    assert!(page.contains("Common Reasons iMessage Won&#39;t Deliver"));
    assert!(
        page.contains("<mark>Delivered</mark>"),
        "matched words are marked"
    );
    assert!(
        page.contains("data-copy=\"") && page.contains(":"),
        "location with a copy button"
    );
    assert!(page.contains("class=\"more\""), "further hits below the card");
    let href = page
        .split("class=\"open\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let (status, section) = get(&s, href);
    assert_eq!(status, 200);
    assert!(
        section.contains("<h1>Common Reasons iMessage Won&#39;t Deliver</h1>"),
        "{section}"
    );
    let (status, css) = get(&s, "/assets/app.css");
    assert!(status == 200 && css.contains("prefers-color-scheme: dark"));
    // Markup in a query is text, never HTML.
    let (_, page) = get(&s, "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(!page.contains("<script>alert") && page.contains("&lt;script&gt;"));
}

fn wait_for(s: &Server, word: &str) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        let (_, v) = json(s, &format!("/api/query?q={word}"));
        if v["hits"].as_array().is_some_and(|h| !h.is_empty()) {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn an_edited_article_is_answered_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    shipped(dir.path());
    let s = serve(dir.path(), &[]);
    assert_eq!(json(&s, "/api/query?q=quokka").1["hits"], Value::Array(vec![]));
    let file = dir
        .path()
        .join("corpus/why-are-some-texts-not-sending-via-imessage.md");
    let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
    writeln!(f, "\n## Quokka mode\n\nTurn off quokka mode in Settings.").unwrap();
    drop(f);
    let took = wait_for(&s, "quokka").expect("the edit is answered");
    assert!(took < Duration::from_secs(2), "{took:?}");
    std::fs::write(
        dir.path().join("corpus/new.md"),
        "# Wombat sync\n\nWombat sync needs a restart.\n",
    )
    .unwrap();
    assert!(wait_for(&s, "wombat").is_some_and(|t| t < Duration::from_secs(2)));
}

#[test]
fn read_only_servers_follow_one_indexer() {
    let dir = tempfile::tempdir().unwrap();
    shipped(dir.path());
    assert_eq!(code(&run(fixdex(dir.path()).args(["index", "corpus"]))), 0);
    let a = serve(dir.path(), &["--read-only"]);
    let b = serve(dir.path(), &["--read-only"]);
    std::fs::write(
        dir.path().join("corpus/new.md"),
        "# Platypus reset\n\nHold the platypus button.\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Read-only servers never index on their own.
    assert_eq!(json(&a, "/api/query?q=platypus").1["hits"], Value::Array(vec![]));
    assert_eq!(code(&run(fixdex(dir.path()).args(["index"]))), 0);
    for s in [&a, &b] {
        assert!(wait_for(s, "platypus").is_some_and(|t| t < Duration::from_secs(2)));
    }
}
