//! The help page, rendered on the server so it works without JavaScript:
//! `/` (the search box; `/?q=` with the answer), `/results?q=` (the same
//! answer as an HTML fragment, which the page's script swaps in as you
//! type), `/section/{id}` (one section in full) and the page's own assets.
//! Nothing is fetched from the network.

use super::Shared;
use super::api::{self, ApiError};
use crate::ingest::sections::Section;
use crate::search::{Answer, Hit};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::fmt::Write;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(home))
        .route("/results", get(results))
        .route("/section/{*id}", get(section))
        .route("/assets/app.css", get(|| async { asset("text/css", CSS) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript", JS) }))
}

const CSS: &str = include_str!("app.css");
const JS: &str = include_str!("app.js");

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn home(State(shared): State<Arc<Shared>>, Query(params): Query<Vec<(String, String)>>) -> Response {
    let (q, body) = match render_results(&shared, &params).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    Html(page(
        &q,
        &format!(
            "{}<div id=\"results\" aria-live=\"polite\">{body}</div>",
            search_form(&q)
        ),
    ))
    .into_response()
}

async fn results(State(shared): State<Arc<Shared>>, Query(params): Query<Vec<(String, String)>>) -> Response {
    match render_results(&shared, &params).await {
        Ok((_, body)) => Html(body).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn section(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let q = params
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let key = id.clone();
    let found = shared.blocking(move |s| s.engine.show(&key)).await;
    let Ok(Some(sec)) = found else {
        let body = format!(
            "{}<p class=\"none\">No section has the id <code>{}</code>.</p>",
            search_form(&q),
            esc(&id)
        );
        return (axum::http::StatusCode::NOT_FOUND, Html(page(&q, &body))).into_response();
    };
    let file = shared.engine.file_of(&sec.path).display().to_string();
    Html(page(
        &sec.heading,
        &format!("{}{}", search_form(&q), section_card(&sec, &file, &q)),
    ))
    .into_response()
}

/// The answer to the request's query as HTML (empty without a query).
async fn render_results(
    shared: &Arc<Shared>,
    params: &[(String, String)],
) -> Result<(String, String), ApiError> {
    let (q, mut opts) = api::search_request(params)?;
    if q.trim().is_empty() {
        return Ok((q, String::new()));
    }
    opts.limit = opts.limit.max(8);
    let answer = api::answer(shared, q.clone(), opts).await?;
    let marks = |text: &str| highlight(shared, &answer, text);
    Ok((q, answer_html(&answer, &marks)))
}

/// The best hit as a card, the others as a list below it.
fn answer_html(a: &Answer, marks: &dyn Fn(&str) -> String) -> String {
    let mut s = String::new();
    let Some(best) = a.hits.first() else {
        let _ = write!(
            s,
            "<p class=\"none\">No section matches “{}”. Try fewer words, or other words for the same problem.</p>",
            esc(&a.query)
        );
        if let Some(sug) = &a.suggestion {
            let _ = write!(
                s,
                "<p>Did you mean <a href=\"/?q={}\">{}</a>?</p>",
                url(sug),
                esc(sug)
            );
        }
        return s;
    };
    if let Some(sug) = &a.suggestion {
        let _ = write!(
            s,
            "<p class=\"sug\">Showing results for <a href=\"/?q={}\">{}</a>.</p>",
            url(sug),
            esc(sug)
        );
    }
    let href = format!("/section/{}?q={}", url(&best.id), url(&a.query));
    let _ = write!(
        s,
        "<article class=\"card hit\" aria-label=\"Best answer\">{}<h2><a class=\"open\" href=\"{href}\">{}</a></h2>",
        crumbs(&best.breadcrumb),
        esc(&best.heading)
    );
    push_steps(&mut s, &best.steps, &best.cautions);
    s.push_str("<div class=\"text\">");
    for line in best.text.lines().filter(|l| !l.trim().is_empty()).take(12) {
        let _ = write!(s, "<p>{}</p>", marks(line));
    }
    s.push_str("</div>");
    push_children(&mut s, &best.children, &a.query);
    push_location(&mut s, best);
    s.push_str("</article>");
    if a.hits.len() > 1 {
        s.push_str("<h3 class=\"also\">Also see</h3><ol class=\"more\">");
        for h in &a.hits[1..] {
            let href = format!("/section/{}?q={}", url(&h.id), url(&a.query));
            let _ = write!(
                s,
                "<li class=\"hit\"><a class=\"open\" href=\"{href}\">{}</a>{}<p>{}</p></li>",
                esc(&h.heading),
                crumbs(&h.breadcrumb),
                marks(&h.snippet)
            );
        }
        s.push_str("</ol>");
    }
    s
}

/// A whole section, as `/section/{id}` shows it.
fn section_card(sec: &Section, file: &str, q: &str) -> String {
    let mut s = format!(
        "<article class=\"card\">{}<h1>{}</h1>",
        crumbs(&sec.breadcrumb),
        esc(&sec.heading)
    );
    push_steps(&mut s, &sec.steps, &sec.cautions);
    s.push_str("<div class=\"text\">");
    for line in sec.text.lines().filter(|l| !l.trim().is_empty()) {
        let _ = write!(s, "<p>{}</p>", esc(line));
    }
    s.push_str("</div>");
    push_children(&mut s, &sec.children, q);
    let at = format!("{}:{}", sec.path, sec.line);
    let _ = write!(
        s,
        "<p class=\"loc\"><code>{}</code> <button type=\"button\" class=\"copy\" data-copy=\"{}:{}\">Copy location</button></p></article>",
        esc(&at),
        esc(file),
        sec.line
    );
    if !q.is_empty() {
        let _ = write!(s, "<p><a href=\"/?q={}\">← Back to the answers</a></p>", url(q));
    }
    s
}

fn push_steps(s: &mut String, steps: &[String], cautions: &[String]) {
    for c in cautions {
        let _ = write!(
            s,
            "<p class=\"caution\" role=\"note\"><strong>Caution:</strong> {}</p>",
            esc(c)
        );
    }
    if steps.is_empty() {
        return;
    }
    s.push_str("<ol class=\"steps\" aria-label=\"Steps\">");
    for step in steps {
        let _ = write!(
            s,
            "<li><label><input type=\"checkbox\"> {}</label></li>",
            esc(step)
        );
    }
    s.push_str("</ol>");
}

fn push_children(s: &mut String, children: &[crate::ingest::sections::Child], q: &str) {
    if children.is_empty() {
        return;
    }
    s.push_str("<ul class=\"children\">");
    for c in children {
        let _ = write!(
            s,
            "<li><a href=\"/section/{}?q={}\">{}</a></li>",
            url(&c.id),
            url(q),
            esc(&c.heading)
        );
    }
    s.push_str("</ul>");
}

fn push_location(s: &mut String, h: &Hit) {
    let _ = write!(
        s,
        "<p class=\"loc\"><code>{}:{}</code> <button type=\"button\" class=\"copy\" data-copy=\"{}:{}\">Copy location</button> <span class=\"conf\">matches {:.0}% of the question</span></p>",
        esc(&h.path),
        h.line,
        esc(&h.file),
        h.line,
        h.confidence * 100.0
    );
}

fn crumbs(breadcrumb: &[String]) -> String {
    if breadcrumb.len() < 2 {
        return String::new();
    }
    let parts: Vec<String> = breadcrumb[..breadcrumb.len() - 1]
        .iter()
        .map(|b| esc(b))
        .collect();
    format!(
        "<nav class=\"crumbs\" aria-label=\"Where this is\">{}</nav>",
        parts.join(" › ")
    )
}

/// `text` escaped, with the words the query matched in `<mark>`.
fn highlight(shared: &Shared, a: &Answer, text: &str) -> String {
    let mut s = String::new();
    let mut last = 0;
    for (from, to) in shared.engine.match_ranges(text, &a.lang, &a.highlight) {
        if from < last || to > text.len() {
            continue;
        }
        s.push_str(&esc(&text[last..from]));
        let _ = write!(s, "<mark>{}</mark>", esc(&text[from..to]));
        last = to;
    }
    s.push_str(&esc(&text[last..]));
    s
}

fn search_form(q: &str) -> String {
    format!(
        "<form role=\"search\" action=\"/\" method=\"get\"><label for=\"q\">Describe the problem</label>\
         <div class=\"box\"><input id=\"q\" name=\"q\" type=\"search\" value=\"{}\" autocomplete=\"off\" \
         placeholder=\"e.g. why not delivered\" autofocus><button type=\"submit\">Search</button></div>\
         <p class=\"hint\">Press <kbd>/</kbd> to search, <kbd>↑</kbd> <kbd>↓</kbd> to choose, <kbd>Enter</kbd> to open.</p></form>",
        esc(q)
    )
}

fn page(title: &str, body: &str) -> String {
    let title = if title.is_empty() {
        "fixdex".to_string()
    } else {
        format!("{} · fixdex", esc(title))
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body><main>{body}</main><script src=\"/assets/app.js\" defer></script></body></html>"
    )
}

/// HTML-escaped text.
pub(crate) fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            _ => s.push(c),
        }
    }
    s
}

/// Percent-encoded for a URL path segment or query value.
fn url(text: &str) -> String {
    let mut s = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            s.push(b as char);
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_encoding() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(url("a b#c/é"), "a%20b%23c%2F%C3%A9");
    }

    #[test]
    fn crumbs_leave_out_the_heading_itself() {
        assert_eq!(crumbs(&["Only".into()]), "");
        let c = crumbs(&["Title".into(), "Part <2>".into(), "Heading".into()]);
        assert!(
            c.contains("Title › Part &lt;2&gt;") && !c.contains("Heading"),
            "{c}"
        );
    }
}
