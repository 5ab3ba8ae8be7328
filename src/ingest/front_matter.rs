//! YAML front matter: split it from the body and read the fields fixdex uses.
//!
//! Scraped articles carry every variant: quoted or bare values, a list or a
//! comma-separated string for tags, dates as strings, broken YAML, an opening
//! `---` with no closing one. None of that stops the body from being indexed;
//! problems come back as warnings.

use yaml_rust2::parser::{Event, EventReceiver, Parser};
use yaml_rust2::{Yaml, YamlLoader};

/// The front-matter fields fixdex reads; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// `title`.
    pub title: Option<String>,
    /// `date`, as written.
    pub date: Option<String>,
    /// `updated` (or `lastmod`), as written.
    pub updated: Option<String>,
    /// `tags`: a list, or a comma-separated string.
    pub tags: Vec<String>,
    /// `categories` (or `category`).
    pub categories: Vec<String>,
    /// `description`, else `excerpt`, else `summary`.
    pub description: Option<String>,
    /// `keywords`: a list, or a comma-separated string.
    pub keywords: Vec<String>,
    /// `aliases` (or `alias`): other names of the article.
    pub aliases: Vec<String>,
    /// `lang`, `language` or `locale`, as written.
    pub lang: Option<String>,
}

/// The result of splitting a file into front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Parsed fields (default when there is no usable front matter).
    pub front: FrontMatter,
    /// The Markdown body.
    pub body: &'a str,
    /// 1-based line of the body's first byte in the file.
    pub body_line: usize,
    /// Whether the file had a front-matter block at all.
    pub had_front_matter: bool,
    /// A problem worth telling the user about; the body is still indexed.
    pub warning: Option<String>,
}

/// Splits `text` (BOM already removed) into front matter and body.
pub fn split(text: &str) -> Split<'_> {
    let no_front = |warning| Split {
        front: FrontMatter::default(),
        body: text,
        body_line: 1,
        had_front_matter: false,
        warning,
    };
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return no_front(None);
    }
    // Find the closing `---` (or `...`) line.
    let mut pos = first_end + 1;
    let mut line_no = 2;
    let mut close = None;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            close = Some((pos, (end + 1).min(text.len()), line_no));
            break;
        }
        pos = end + 1;
        line_no += 1;
    }
    let Some((yaml_end, body_start, close_line)) = close else {
        return no_front(Some(
            "front matter opened with `---` is never closed (did you forget the closing `---`?); indexed the whole file as body".into(),
        ));
    };
    let yaml = &text[first_end + 1..yaml_end];
    let (front, warning) = if uses_aliases(yaml) {
        (
            lenient_fields(yaml),
            Some(
                "front matter uses YAML aliases (`*name`), which fixdex does not expand (a few lines can expand to gigabytes); read it line by line and indexed the body"
                    .to_string(),
            ),
        )
    } else {
        load_fields(yaml)
    };
    Split {
        front,
        body: &text[body_start..],
        body_line: close_line + 1,
        had_front_matter: true,
        warning,
    }
}

/// Whether the YAML refers to an anchor (`*name`): expanding aliases is what
/// lets a few hundred bytes grow into gigabytes, and help articles have no
/// use for them. Read as events, without building anything.
fn uses_aliases(yaml: &str) -> bool {
    struct Aliases(bool);
    impl EventReceiver for Aliases {
        fn on_event(&mut self, ev: Event) {
            self.0 |= matches!(ev, Event::Alias(_));
        }
    }
    let mut found = Aliases(false);
    let _ = Parser::new_from_str(yaml).load(&mut found, false);
    found.0
}

/// Reads the fields of a YAML front matter, falling back to line-by-line
/// reading when it is not valid YAML.
fn load_fields(yaml: &str) -> (FrontMatter, Option<String>) {
    match YamlLoader::load_from_str(yaml) {
        Ok(docs) => match docs.first() {
            Some(doc @ Yaml::Hash(_)) => (read_fields(doc), None),
            None => (FrontMatter::default(), None),
            Some(_) => (
                FrontMatter::default(),
                Some("front matter is not a YAML mapping of `key: value` lines; ignored it".to_string()),
            ),
        },
        Err(e) => (
            lenient_fields(yaml),
            Some(format!(
                "front matter is not valid YAML ({e}); read what could be read and indexed the body"
            )),
        ),
    }
}

fn read_fields(doc: &Yaml) -> FrontMatter {
    let get = |keys: &[&str]| {
        keys.iter()
            .map(|k| &doc[*k])
            .find(|v| !v.is_badvalue() && !v.is_null())
    };
    FrontMatter {
        title: get(&["title"]).and_then(scalar),
        date: get(&["date"]).and_then(scalar),
        updated: get(&["updated", "lastmod", "modified"]).and_then(scalar),
        tags: get(&["tags", "tag"]).map(list).unwrap_or_default(),
        categories: get(&["categories", "category"]).map(list).unwrap_or_default(),
        description: get(&["description", "excerpt", "summary"]).and_then(scalar),
        keywords: get(&["keywords"]).map(list).unwrap_or_default(),
        aliases: get(&["aliases", "alias"]).map(list).unwrap_or_default(),
        lang: get(&["lang", "language", "locale"]).and_then(scalar),
    }
}

/// Reads `key: value` lines one by one when the block as a whole is not YAML
/// (an unquoted colon in a title is the usual culprit).
fn lenient_fields(yaml: &str) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let mut current_list: Option<&str> = None;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if let Some(item) = trimmed.strip_prefix("- ") {
            let item = unquote(item);
            match current_list {
                Some("tags") => fm.tags.push(item),
                Some("categories") => fm.categories.push(item),
                Some("keywords") => fm.keywords.push(item),
                _ => {}
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        current_list = match key {
            "tags" | "tag" => Some("tags"),
            "categories" | "category" => Some("categories"),
            "keywords" => Some("keywords"),
            _ => None,
        };
        if value.is_empty() {
            continue;
        }
        let v = unquote(value);
        match key {
            "title" => fm.title = Some(v),
            "date" => fm.date = Some(v),
            "updated" | "lastmod" => fm.updated = Some(v),
            "description" => fm.description = Some(v),
            "excerpt" | "summary" if fm.description.is_none() => fm.description = Some(v),
            "tags" | "tag" => fm.tags = split_list(&v),
            "categories" | "category" => fm.categories = split_list(&v),
            "keywords" => fm.keywords = split_list(&v),
            "lang" | "language" | "locale" => fm.lang = Some(v),
            _ => {}
        }
    }
    fm
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    let stripped = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    stripped.trim().to_string()
}

fn scalar(v: &Yaml) -> Option<String> {
    let s = match v {
        Yaml::String(s) | Yaml::Real(s) => s.trim().to_string(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Array(items) => items.iter().filter_map(scalar).collect::<Vec<_>>().join(" "),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn list(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::Array(items) => items
            .iter()
            .filter_map(scalar)
            .flat_map(|s| split_list(&s))
            .collect(),
        other => scalar(other).map(|s| split_list(&s)).unwrap_or_default(),
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|p| unquote(p.trim().trim_start_matches('[').trim_end_matches(']')))
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_list_fields() {
        let s = split(
            "---\ntitle: \"A: B\"\ntags:\n  - iphone\n  - apple\ncategories: iphone\ndescription: 'desc'\n---\n\nbody\n",
        );
        assert_eq!(s.front.title.as_deref(), Some("A: B"));
        assert_eq!(s.front.tags, vec!["iphone", "apple"]);
        assert_eq!(s.front.categories, vec!["iphone"]);
        assert_eq!(s.front.description.as_deref(), Some("desc"));
        assert_eq!(s.body, "\nbody\n");
        assert_eq!(s.body_line, 9);
        assert!(s.warning.is_none());
    }

    #[test]
    fn comma_separated_keywords_and_excerpt_fallback() {
        let s = split("---\ntitle: Plain title\nkeywords: a b,c d , e\nexcerpt: short\n---\nx");
        assert_eq!(s.front.keywords, vec!["a b", "c d", "e"]);
        assert_eq!(s.front.description.as_deref(), Some("short"));
    }

    #[test]
    fn broken_yaml_is_read_leniently_with_a_warning() {
        let s = split("---\ntitle: Fix: it: now\ntags: [a, b\n---\nbody");
        assert!(s.warning.as_deref().unwrap().contains("not valid YAML"));
        assert_eq!(s.front.title.as_deref(), Some("Fix: it: now"));
        assert_eq!(s.body, "body");
    }

    #[test]
    fn unclosed_front_matter_keeps_the_whole_file() {
        let s = split("---\ntitle: x\n\n## Heading\ntext");
        assert!(s.warning.as_deref().unwrap().contains("never closed"));
        assert_eq!(s.body_line, 1);
        assert!(s.body.contains("## Heading"));
    }

    #[test]
    fn no_front_matter() {
        let s = split("# Title\n\ntext");
        assert!(!s.had_front_matter);
        assert!(s.warning.is_none());
        assert_eq!(s.front, FrontMatter::default());
    }

    #[test]
    fn crlf_front_matter() {
        let s = split("---\r\ntitle: x\r\n---\r\nbody\r\n");
        assert_eq!(s.front.title.as_deref(), Some("x"));
        assert_eq!(s.body, "body\r\n");
    }
}
