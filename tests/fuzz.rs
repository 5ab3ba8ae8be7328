//! Property tests of the article parser (front matter + cleaning + splitting)
//! on random and mutated Markdown. CI runs a few hundred cases; for a long
//! run: `PROPTEST_CASES=200000 cargo test --release --test fuzz`.

use fixdex::ingest::article::parse_article;
use proptest::prelude::*;

/// Pieces real articles are made of, junk included.
const PIECES: &[&str] = &[
    "---\n",
    "title: \"A: B\"\n",
    "tags:\n  - x\n",
    "---\n\n",
    "## Heading\n\n",
    "### Sub **bold** heading\n\n",
    "# Top\n\n",
    "##\n\n",
    "#### Deep\n\n",
    "Plain text with words.\n\n",
    "1\\. escaped step\n\n",
    "1. step one\n2. step two\n\n",
    "- item\n  - nested\n\n",
    "> quote\n>> deeper\n\n",
    "**Settings** > **General** > Reset\n\n",
    "Go to**Settings > Wi-Fi** .[link](https://x)\n\n",
    "![img](https://i/x.png)\n\n",
    "Image Credit: [Someone](https://s)\n\n",
    "Close\n\n",
    "<!-- affiliate ads begin -->\n<a href=\"https://a\"><img src=\"x\" width=\"728\"/></a>\n<!-- affiliate ads end -->\n\n",
    "<ins class=\"adsbygoogle\" data-ad-slot=\"1\"></ins>\n\n",
    "<script>var x = '<p>';</script>\n\n",
    "<span>Also read:</span>\n<div><ul><li><a href=\"https://b\">Other</a></li></ul></div>\n\n",
    "<div><p>Html <strong>para</strong></p><h3>Html heading</h3><ul><li>li</li></ul></div>\n\n",
    "<h2 class=\"x\">Html h2</h2>\n<p>after</p>\n\n",
    "<div>\n\n    indented <b>html</b>\n\n</div>\n\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    "```\ncode block\n```\n\n",
    "\r\n",
    "\u{feff}",
    "\0",
    "## \\[A = \\Pi r^2 \\]\n\n",
    "[Yes](https://y)[No](https://n)\n\n",
    "<p hidden>hidden</p>\n\n",
    "&amp; entities &gt; here\n\n",
];

/// `<name ...>` or `</name>` with an ASCII letter after the `<`.
fn has_tag(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'<' && {
            let j = if b.get(i + 1) == Some(&b'/') { i + 2 } else { i + 1 };
            let name = b[j..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            name > 0
                && b[j].is_ascii_alphabetic()
                && matches!(b.get(j + name), Some(b' ' | b'\n' | b'\t' | b'/' | b'>'))
                && text[j..]
                    .find('>')
                    .is_some_and(|e| !text[j..j + e].contains(['<', '\n']))
        }
    })
}

fn check(text: &str, clean_input: bool) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1) + 1;
    if let Ok(a) = parse_article(text.as_bytes(), "dir/fuzz.md") {
        for s in &a.sections {
            prop_assert!(
                !(s.heading.trim().is_empty() && s.text.trim().is_empty()),
                "empty section {s:?}"
            );
            prop_assert!(!s.text.trim().is_empty(), "section without text {s:?}");
            prop_assert!(
                s.line >= 1 && s.line <= lines,
                "line {} outside 1..={lines}",
                s.line
            );
            // Escaped markup (`\<b>`, `&lt;b&gt;`) is text, legitimately.
            let escaped = text.contains('`') || text.contains("~~~");
            prop_assert!(escaped || !has_tag(&s.text), "HTML tag in {:?}", s.text);
            if clean_input {
                prop_assert!(
                    !s.text.contains("affiliate") && !s.text.contains("adsbygoogle"),
                    "ad in {:?}",
                    s.text
                );
            }
            prop_assert!(s.id.starts_with("dir/fuzz.md#"));
        }
        let mut anchors: Vec<_> = a.sections.iter().map(|s| &s.anchor).collect();
        anchors.sort();
        anchors.dedup();
        prop_assert_eq!(anchors.len(), a.sections.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn assembled_articles(picks in prop::collection::vec(0..PIECES.len(), 0..40)) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect();
        check(&text, true)?;
    }

    #[test]
    fn mutated_articles(picks in prop::collection::vec(0..PIECES.len(), 1..30),
                        cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..20)) {
        let mut bytes: Vec<u8> = picks.iter().flat_map(|&i| PIECES[i].bytes()).collect();
        for (at, b) in cuts {
            let i = at.index(bytes.len().max(1));
            if i < bytes.len() { bytes[i] = b; }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check(&text, false)?;
        // Raw (possibly invalid UTF-8) bytes never panic either.
        let _ = parse_article(&bytes, "dir/fuzz.md");
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        check(&text, false)?;
    }
}
