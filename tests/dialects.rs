//! Help written in Markdown dialects (Obsidian, MkDocs, Docusaurus, GitHub,
//! Jekyll, Hugo, MDX) is indexed as its text, without the dialect's syntax.

mod util;

use fixdex::ingest::article::{Article, parse_article};
use proptest::prelude::*;
use util::*;

/// Syntax markers that must never reach a section's text or heading.
const MARKERS: &[&str] = &[
    "[[", "]]", "[!", "!!!", "???", "===", ":::", "{%", "{{", "{{<", "--8<--", "{ .",
];

fn leftovers(a: &Article) -> Vec<String> {
    let mut found = Vec::new();
    for s in &a.sections {
        for text in [&s.heading, &s.text] {
            for m in MARKERS {
                if let Some(at) = text.find(m) {
                    let from = text.floor_char_boundary(at.saturating_sub(50));
                    let to = text.ceil_char_boundary((at + 50).min(text.len()));
                    found.push(format!("{} {m:?} in {:?}", s.id, &text[from..to]));
                }
            }
            if let Some(icon) = text.split_whitespace().find(|w| is_icon(w)) {
                found.push(format!("{} icon {icon}", s.id));
            }
        }
    }
    found
}

/// `:material-check:`-like shortcodes.
fn is_icon(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != ':' && c != '-');
    w.len() > 3
        && w.starts_with(':')
        && w.ends_with(':')
        && w[1..w.len() - 1].contains('-')
        && w[1..w.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

const OBSIDIAN: &str = "## Sync your vault\n\nUse [[Introduction to Obsidian Sync|Obsidian Sync]] or see [[Backups]].\n\n\
    ![[sync-diagram.png]]\n\n> [!Example] You use Obsidian Sync\n> Your notes stay on every device.\n\n\
    > [!faq]- Does it keep history?\n> Yes, for a year.\n\n![[Other note#Part]]\n";
const MKDOCS: &str = "# Setting up\n\n!!! warning \"Theme extension prerequisites\"\n\n    Install the theme first.\n\n\
    === \"pip\"\n\n        pip install the-theme\n\n    === \"docker\"\n\n        docker pull the-theme\n\n\
    [Get started](start.md){ .md-button } :material-check: done {{ config.site_name }}\n\n--8<-- \"includes/abbr.md\"\n\n\
    ??? tip \"Collapsed\"\n\n    Hidden until opened.\n";
const DOCUSAURUS: &str = "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n## Install\n\n\
    :::tip Pro tip\nRun it twice.\n:::\n\n<Tabs>\n<TabItem value=\"mac\" label=\"macOS\">\n\nUse brew to install.\n\n</TabItem>\n</Tabs>\n";
const GITHUB: &str = "## Upgrade\n\n> [!NOTE]\n> Upgrading keeps your settings.\n\n> [!CAUTION]\n> Never unplug during an upgrade.\n";
const LIQUID: &str = "---\ntitle: Jekyll help\n---\n\n## Posts\n\n{% include note.html %}Posts live in {{ site.posts_dir }}.\n\n\
    {{< figure src=\"a.png\" >}}\n\n{{% notice info %}}Hugo keeps this text.{{% /notice %}}\n";

#[test]
fn each_dialect_leaves_its_text_and_none_of_its_syntax() {
    for (name, body, keep) in [
        (
            "obsidian",
            OBSIDIAN,
            &[
                "Obsidian Sync or see Backups",
                "You use Obsidian Sync",
                "Does it keep history?",
            ][..],
        ),
        (
            "mkdocs",
            MKDOCS,
            &[
                "Theme extension prerequisites",
                "Install the theme first.",
                "pip install",
                "Hidden until opened.",
            ][..],
        ),
        (
            "docusaurus",
            DOCUSAURUS,
            &["Pro tip", "Run it twice.", "Use brew to install."][..],
        ),
        (
            "github",
            GITHUB,
            &[
                "Upgrading keeps your settings.",
                "Never unplug during an upgrade.",
            ][..],
        ),
        ("liquid", LIQUID, &["Posts live in", "Hugo keeps this text."][..]),
    ] {
        let a = parse_article(body.as_bytes(), &format!("{name}.md")).unwrap();
        assert!(leftovers(&a).is_empty(), "{name}: {:?}", leftovers(&a));
        let all: String = a
            .sections
            .iter()
            .map(|s| format!("{} {}\n", s.heading, s.text))
            .collect();
        for k in keep {
            assert!(all.contains(k), "{name}: {k:?} missing from {all}");
        }
    }
}

#[test]
fn wikilinked_and_aliased_articles_are_found_by_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("corpus")).unwrap();
    std::fs::write(d.join("corpus/obsidian.md"), OBSIDIAN).unwrap();
    std::fs::write(
        d.join("corpus/vault.md"),
        "---\ntitle: Vault basics\naliases: [Remote vault]\n---\n\nA vault is a folder of notes.\n",
    )
    .unwrap();
    let o = run(fixdex(d).args(["query", "--json", "remote vault"]));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hits"][0]["path"], "vault.md");
    let o = run(fixdex(d).args(["query", "--json", "introduction obsidian sync"]));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(!v["hits"][0]["text"].as_str().unwrap().contains("[["));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any mix of dialect snippets, in any order and nesting, leaves none of
    /// their syntax in the text.
    #[test]
    fn assembled_dialect_snippets_leave_no_syntax(picks in prop::collection::vec(0usize..12, 1..12), indent in 0usize..2) {
        let snippets = [
            "[[Page]]", "[[Page|label text]]", "![[image.png]]", "> [!WARNING] Careful now", "!!! note \"Noted\"",
            "??? info", "=== \"Tab one\"", ":::danger Hot", ":::", "{% raw %}kept{% endraw %}", "{{ page.title }} and {{< ref x >}}",
            "word :material-check: { .md-button } --8<-- \"x.md\"",
        ];
        let pad = "    ".repeat(indent);
        let mut body = String::from("## Section\n\n");
        for p in picks {
            body.push_str(&format!("{pad}{}\n\n{pad}plain words here\n\n", snippets[p]));
        }
        if let Ok(a) = parse_article(body.as_bytes(), "p.md") {
            prop_assert!(leftovers(&a).is_empty(), "{:?}\n{body}", leftovers(&a));
        }
    }
}

#[test]
fn the_mkdocs_site_is_indexed_without_its_syntax() {
    let docs = root().join("../shared/corpus-dialects/mkdocs-material/docs");
    if !docs.is_dir() {
        eprintln!("skipped: {} is not here", docs.display());
        return;
    }
    let files = fixdex::ingest::walk::corpus_files(&docs, false, |_| false)
        .unwrap()
        .files;
    assert!(files.len() >= 90);
    // The site documents this very syntax in its code examples, and code
    // keeps its text as written: check the prose, with code taken out.
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(&f.abs).unwrap();
        if let Ok(a) = parse_article(without_code(&text).as_bytes(), &f.rel) {
            found.extend(leftovers(&a));
        }
    }
    assert!(
        found.is_empty(),
        "{} leftovers, first: {:?}",
        found.len(),
        &found[..found.len().min(80)]
    );
}

/// `text` with fenced code blocks and inline code spans blanked out (lines kept).
fn without_code(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if marker.len() >= 3 {
            match &fence {
                None => fence = Some(marker),
                Some(f) if marker.starts_with(f.as_str()) => fence = None,
                _ => {}
            }
            out.push('\n');
            continue;
        }
        if fence.is_none() {
            let mut inside = false;
            out.extend(line.chars().filter(|c| {
                if *c == '`' {
                    inside = !inside;
                    return false;
                }
                !inside
            }));
        }
        out.push('\n');
    }
    out
}

#[test]
fn warning_callouts_are_listed_as_cautions_of_their_section() {
    let body = "## Replace the battery\n\n!!! warning \"Unplug the charger first\"\n\n    A charging battery can spark.\n\n\
                1. Open the cover.\n2. Swap the battery.\n\n> [!NOTE]\n> Any battery of the same size fits.\n\n\
                ## Recycle the old one\n\n:::danger\nNever put it in the household bin.\n:::\n";
    let a = parse_article(body.as_bytes(), "battery.md").unwrap();
    assert_eq!(
        a.sections[0].cautions,
        ["Unplug the charger first", "A charging battery can spark."]
    );
    assert!(a.sections[0].text.contains("Any battery of the same size fits."));
    assert!(!a.sections[0].text.contains('\u{E000}'));
    assert_eq!(a.sections[1].cautions, ["Never put it in the household bin."]);
    // The text answer shows them under the steps.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("corpus")).unwrap();
    std::fs::write(dir.path().join("corpus/battery.md"), body).unwrap();
    let o = run(fixdex(dir.path()).args(["query", "replace the battery"]));
    let out = stdout(&o);
    let steps = out.find("Steps").unwrap();
    let caution = out.find("Caution").unwrap();
    assert!(
        steps < caution && out.contains("! Unplug the charger first"),
        "{out}"
    );
    let o = run(fixdex(dir.path()).args(["query", "--json", "replace the battery"]));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hits"][0]["cautions"][0], "Unplug the charger first");
}
