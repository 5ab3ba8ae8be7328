//! `fixdex mcp` spoken to over stdio as an MCP client would: initialize,
//! tools/list, tools/call for both tools, and errors as JSON-RPC errors.

mod util;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout, Stdio};
use util::*;

struct Client {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Client {
    fn send(&mut self, m: Value) {
        writeln!(self.stdin, "{m}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON-RPC: {line:?}"))
    }

    fn call(&mut self, id: u64, name: &str, arguments: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                         "params": {"name": name, "arguments": arguments}}));
        let r = self.recv();
        assert_eq!(r["id"], id);
        r
    }
}

/// The structured result of a tool call (its JSON text content).
fn payload(r: &Value) -> Value {
    if r["result"]["structuredContent"].is_object() {
        return r["result"]["structuredContent"].clone();
    }
    serde_json::from_str(r["result"]["content"][0]["text"].as_str().unwrap()).unwrap()
}

#[test]
fn an_assistant_searches_and_opens_a_section() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_corpus(), &dir.path().join("corpus"));
    let mut child = fixdex(dir.path())
        .arg("mcp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut c = Client {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
    };
    c.send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}}),
    );
    let init = c.recv();
    assert_eq!(init["result"]["serverInfo"]["name"], "fixdex");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    c.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    c.send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let list = c.recv();
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.contains(&"search_help") && names.contains(&"show_section"),
        "{names:?}"
    );

    let found = payload(&c.call(
        3,
        "search_help",
        json!({"query": "why not delivered", "limit": 3}),
    ));
    let sections = found["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 3);
    let best = &sections[0];
    assert_eq!(best["heading"], "Common Reasons iMessage Won't Deliver");
    assert!(
        best["location"]
            .as_str()
            .unwrap()
            .starts_with("why-are-some-texts-not-sending-via-imessage.md:")
    );
    assert!(best["confidence"].as_f64().unwrap() > 0.5);

    let shown = payload(&c.call(4, "show_section", json!({"id": best["id"]})));
    assert_eq!(shown["heading"], best["heading"]);
    assert_eq!(shown["text"], best["text"]);

    let missing = c.call(5, "show_section", json!({"id": "../../etc/passwd"}));
    let failed = missing.get("error").is_some() || missing["result"]["isError"] == true;
    assert!(failed, "{missing}");
    let empty = c.call(6, "search_help", json!({"query": "  "}));
    assert!(
        empty.get("error").is_some() || empty["result"]["isError"] == true,
        "{empty}"
    );

    drop(c);
    let status = child.wait().unwrap();
    assert!(status.success(), "exits when the client closes stdin");
}
