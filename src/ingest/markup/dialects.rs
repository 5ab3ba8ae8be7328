//! The Markdown dialects help sites are written in, reduced to the plain
//! Markdown the rest of the cleaning reads: MkDocs admonitions (`!!! type
//! "Title"`, `??? type`) and content tabs (`=== "Label"`) lose their
//! markers and their bodies their indentation; Docusaurus admonitions
//! (`:::tip Title` … `:::`), GitHub alerts and Obsidian callouts (`> [!NOTE]`,
//! `> [!tip]- Title`) keep their title and text; attribute lists (`{ .class
//! }`, `{ #id }`), icon shortcodes (`:material-check:`), snippet markers
//! (`--8<--`), Liquid and Jinja (`{% … %}`, `{{ … }}`), Hugo shortcodes
//! (`{{< … >}}`, `{{% … %}}`) and MDX `import`/`export` lines go.
//! Wikilinks become their label and embeds go here too, not with
//! pulldown-cmark's wikilink option: indented text in scraped articles is
//! read as HTML, where that option never applies.
//!
//! Every line stays on its line (a removed line becomes empty), so headings
//! keep their source line numbers. Fenced code is left as written.

use regex::Regex;
use std::sync::LazyLock;

/// `!!! note "Title"`, `??? tip`, `???+ example "Title"`, `=== "Tab"`.
static MKDOCS_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?:(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+[\w-]+)*(?:\s+"(?P<title>[^"]*)")?|===\+?\s+"(?P<tab>[^"]*)")\s*$"#)
        .expect("valid pattern")
});
/// `:::tip Title`, `:::`, `::::note`.
static DOCUSAURUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^:{3,}\s*(?P<kind>[\w-]+)?(?:\[(?P<t1>[^\]]*)\])?\s*(?P<title>.*?)\s*$")
        .expect("valid pattern")
});
/// `> [!NOTE]`, `> [!tip]- Title`.
static CALLOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<quote>\s*(?:>\s*)+)\[!(?P<kind>[\w-]+)\][+-]?\s*").expect("valid pattern")
});
/// `{ .md-button }`, `{: #anchor }`, `{ .sh .no-copy }`, `{ data-x="y" }`.
static ATTRIBUTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\{:?\s*(?:[.#][\w-]+|[\w-]+="[^"]*")(?:\s+(?:[.#][\w-]+|[\w-]+="[^"]*"))*\s*\}"#)
        .expect("valid pattern")
});
/// `:material-check:`, `:octicons-heart-fill-24:`, `:fontawesome-brands-github:`.
static ICON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r":[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+:").expect("valid pattern"));
/// `[[Page]]`, `[[Page|label]]`, `[[Page#Heading]]`, embeds `![[file.png]]`.
static WIKILINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<embed>!?)\[\[(?P<page>[^\[\]|#]*)(?:#(?P<part>[^\[\]|]*))?(?:\|(?P<label>[^\[\]]*))?\]\]",
    )
    .expect("valid pattern")
});
/// `{% … %}`, `{{< … >}}`, `{{% … %}}`, `{{ … }}`, `{# … #}`.
static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{%.*?%\}|\{\{[<%].*?[>%]\}\}|\{\{.*?\}\}|\{#.*?#\}").expect("valid pattern")
});

/// Ends every line of a warning, caution or danger callout, so the
/// sections stage can list it in `cautions` (a private-use character: it
/// cannot occur in real text).
pub const CAUTION: char = '\u{E000}';

/// Where the line pass is.
#[derive(Default)]
struct State {
    /// Body indentations of the open MkDocs blocks, and whether each is a caution.
    open: Vec<(usize, bool)>,
    /// The open code fence.
    fence: Option<(char, usize)>,
    /// Inside a `> [!WARNING]` callout.
    quote_caution: bool,
    /// Inside a `:::danger` block.
    colon_caution: bool,
}

impl State {
    fn in_caution(&self) -> bool {
        self.quote_caution || self.colon_caution || self.open.iter().any(|(_, c)| *c)
    }
}

/// Whether an admonition kind warns the reader.
fn is_caution(kind: &str) -> bool {
    matches!(
        kind.to_ascii_lowercase().as_str(),
        "warning" | "caution" | "danger" | "attention"
    )
}

/// Rewrites the dialect syntax of a Markdown body; see the module docs.
pub fn normalise(body: &str) -> String {
    if !looks_like_dialect(body) {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut st = State::default();
    for raw in body.split_inclusive('\n') {
        let (line, end) = match raw.strip_suffix('\n') {
            Some(l) => (l.strip_suffix('\r').unwrap_or(l), &raw[l.len()..]),
            None => (raw, ""),
        };
        let indent = line.len() - line.trim_start_matches(' ').len();
        if !line.trim().is_empty() {
            while st.open.last().is_some_and(|&(body_at, _)| indent < body_at) {
                st.open.pop();
            }
            if st.quote_caution && !line.trim_start().starts_with('>') {
                st.quote_caution = false;
            }
        }
        let strip = st.open.last().map_or(0, |o| o.0).min(indent);
        let line = &line[strip..];
        let in_code = st.fence.is_some();
        let done = rewrite(line, &mut st, strip);
        let mark = st.in_caution() && !in_code && st.fence.is_none() && !done.trim().is_empty();
        out.push_str(&done);
        if mark {
            out.push(CAUTION);
        }
        out.push_str(end);
    }
    out
}

/// Whether a body may hold any dialect syntax at all (most do not: they
/// are copied as they are).
fn looks_like_dialect(body: &str) -> bool {
    // A colon first: nearly every scraped body has one (a link), and each
    // marker not found is a scan of the whole body.
    [
        ":", "!!!", "???", "===", ":::", "[!", "[[", "{", "--8<--", "import ", "export ",
    ]
    .iter()
    .any(|m| body.contains(m))
}

/// One line, already dedented: fences are tracked, openers replaced by their
/// title, markers and template syntax removed.
fn rewrite(line: &str, st: &mut State, base: usize) -> String {
    let t = line.trim_start();
    let lead = &line[..line.len() - t.len()];
    if let Some(f) = fence_of(t) {
        match st.fence {
            None => st.fence = Some(f),
            Some((c, n)) if f.0 == c && f.1 >= n && t.trim_end().chars().all(|x| x == c) => st.fence = None,
            _ => {}
        }
        // Attribute lists after a fence (``` { .sh }) are not a language.
        return ATTRIBUTES.replace_all(line, "").into_owned();
    }
    if st.fence.is_some() {
        return line.to_string();
    }
    // A definition (`:   text`, python-markdown's definition lists): its
    // body is indented like an admonition's, and it may open one itself.
    if let Some(rest) = t.strip_prefix(':')
        && rest.len() - rest.trim_start_matches(' ').len() >= 1
        && !rest.trim().is_empty()
    {
        st.open.push((base + lead.len() + 4, false));
        let inner = format!("{lead}    {}", rest.trim_start());
        return format!("{lead}{}", rewrite(&inner, st, base).trim_start());
    }
    if let Some(c) = MKDOCS_OPENER.captures(t) {
        let caution = c.name("kind").is_some_and(|k| is_caution(k.as_str()));
        st.open.push((base + lead.len() + 4, caution));
        let title = c
            .name("title")
            .or_else(|| c.name("tab"))
            .map_or("", |m| m.as_str());
        return format!("{lead}{}", clean_inline(title));
    }
    if t.starts_with(":::")
        && let Some(c) = DOCUSAURUS.captures(t)
    {
        st.colon_caution = c.name("kind").is_some_and(|k| is_caution(k.as_str()));
        let title =
            c.name("t1").map_or("", |m| m.as_str()).to_string() + c.name("title").map_or("", |m| m.as_str());
        return format!("{lead}{}", clean_inline(title.trim()));
    }
    if t.contains("--8<--") {
        return String::new();
    }
    if lead.is_empty() && (t.starts_with("import ") || t.starts_with("export ")) && looks_like_module_line(t)
    {
        return String::new();
    }
    if let Some(c) = CALLOUT.captures(line) {
        st.quote_caution = c.name("kind").is_some_and(|k| is_caution(k.as_str()));
        let quote = c.name("quote").map_or("", |m| m.as_str());
        let rest = &line[c.get(0).map_or(0, |m| m.end())..];
        return format!("{quote}{}", clean_inline(rest));
    }
    clean_inline(line)
}

/// Wikilinks read as their label (or page, and heading), embeds dropped
/// like images; attribute lists, icons and template syntax removed.
fn clean_inline(text: &str) -> String {
    let linked;
    let text = if text.contains("[[") {
        linked = WIKILINK.replace_all(text, |c: &regex::Captures| {
            let get = |n: &str| c.name(n).map_or("", |m| m.as_str().trim());
            match (get("embed"), get("label"), get("part")) {
                ("!", _, _) => String::new(),
                (_, label, _) if !label.is_empty() => label.to_string(),
                (_, _, "") => get("page").to_string(),
                (_, _, part) => format!("{} › {part}", get("page")),
            }
        });
        &linked
    } else {
        text
    };
    if !text.contains(['{', ':']) {
        return text.to_string();
    }
    let t = TEMPLATE.replace_all(text, "");
    let t = ATTRIBUTES.replace_all(&t, "");
    let t = ICON.replace_all(&t, "");
    t.into_owned()
}

/// `import X from "y";`, `export const meta = …`: MDX module lines.
fn looks_like_module_line(t: &str) -> bool {
    t.contains(" from ")
        || t.starts_with("export const ")
        || t.starts_with("export default ")
        || t.ends_with(';')
}

/// A code fence (```` ``` ```` or `~~~`, three or more): its character and length.
fn fence_of(t: &str) -> Option<(char, usize)> {
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mkdocs_admonitions_and_tabs_lose_markers_and_indentation() {
        let body = "!!! note \"Back up first\"\n\n    Copy the *config* folder.\n\n    - one\n\nAfter.\n\n=== \"Linux\"\n\n    Run `make`.\n";
        let got = normalise(body);
        assert_eq!(
            got,
            "Back up first\n\nCopy the *config* folder.\n\n- one\n\nAfter.\n\nLinux\n\nRun `make`.\n"
        );
        assert_eq!(got.lines().count(), body.lines().count());
    }

    #[test]
    fn nested_blocks_dedent_by_their_depth() {
        let body =
            "??? example \"Outer\"\n\n    === \"Tab\"\n\n        Deep text.\n\n    Outer text.\n\nTop.\n";
        assert_eq!(
            normalise(body),
            "Outer\n\nTab\n\nDeep text.\n\nOuter text.\n\nTop.\n"
        );
    }

    #[test]
    fn callouts_docusaurus_and_templating() {
        let body = "> [!NOTE]\n> Read this.\n\n> [!tip]- Fold me\n> Tip text.\n\n:::caution Careful\nHot surface.\n:::\n\n\
                    Click {{ page.title }} then :material-check: done {% raw %}here{% endraw %} {{< ref \"x\" >}}.\n\
                    [Go](x.md){ .md-button }\n--8<-- \"snippet.md\"\nimport Tabs from '@theme/Tabs';\n";
        let got = normalise(body);
        for marker in ["[!", ":::", "{{", "{%", ":material", "{ .", "--8<--", "import "] {
            assert!(!got.contains(marker), "{marker} in {got}");
        }
        assert!(got.contains("> Read this.") && got.contains("> Fold me") && got.contains("Careful"));
        assert!(got.contains("Click  then  done here ."), "{got}");
        assert_eq!(got.lines().count(), body.lines().count());
    }

    #[test]
    fn code_keeps_what_looks_like_syntax() {
        let body = "```yaml\n!!! note\n{{ not.a.template }}\n```\n\n    indented {{ x }}\n";
        let got = normalise(body);
        assert!(got.contains("!!! note\n{{ not.a.template }}"), "{got}");
    }

    #[test]
    fn warning_callouts_are_marked_as_cautions() {
        let c = CAUTION;
        let body = "!!! danger \"Hot\"\n\n    Let it cool.\n\nAfter.\n\n> [!WARNING]\n> Unplug first.\n\nFine.\n\n:::caution\nMind the edge.\n:::\n";
        assert_eq!(
            normalise(body),
            format!(
                "Hot{c}\n\nLet it cool.{c}\n\nAfter.\n\n> {c}\n> Unplug first.{c}\n\nFine.\n\n\nMind the edge.{c}\n\n"
            )
        );
    }

    #[test]
    fn definitions_may_open_admonitions() {
        let body = "`note`\n\n:   !!! note\n\n        Lorem ipsum.\n\nNext.\n";
        assert_eq!(normalise(body), "`note`\n\n\n\nLorem ipsum.\n\nNext.\n");
    }

    #[test]
    fn plain_markdown_and_times_are_untouched() {
        let body = "## Heading\n\nMeet at 10:30:45, see {this} and a: b.\n";
        assert_eq!(normalise(body), body);
    }
}
