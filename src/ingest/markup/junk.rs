//! The cleaning rules: which elements, comments and lines are junk
//! (non-text elements, hidden elements, ad regions, link farms, UI
//! leftovers, image credits). General rules, never strings of one article.

use scraper::Node;

/// Elements whose whole subtree carries no readable content.
pub(super) fn is_skipped_element(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "iframe"
            | "ins"
            | "noscript"
            | "video"
            | "audio"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "button"
            | "form"
            | "input"
            | "select"
            | "textarea"
            | "template"
            | "head"
            | "title"
            | "img"
            | "picture"
            | "source"
            | "map"
            | "nav"
    )
}

/// Containers that are dropped when all of their text sits inside links.
pub(super) fn is_link_farm_candidate(name: &str) -> bool {
    matches!(name, "ul" | "ol" | "p" | "table" | "dl")
}

/// An element is hidden when its inline style or attributes say so.
pub(super) fn is_hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// `ads begin` / `advertisement start` style comment → Some(true);
/// the matching end → Some(false).
pub(super) fn ad_marker(comment: &str) -> Option<bool> {
    let c = comment.to_ascii_lowercase();
    let is_ad = c.split(|ch: char| !ch.is_ascii_alphanumeric()).any(|w| {
        matches!(
            w,
            "ad" | "ads"
                | "advert"
                | "adverts"
                | "advertisement"
                | "advertising"
                | "affiliate"
                | "sponsored"
                | "adsense"
        )
    });
    if !is_ad {
        return None;
    }
    if c.contains("begin") || c.contains("start") {
        Some(true)
    } else if c.contains("end") || c.contains("stop") {
        Some(false)
    } else {
        None
    }
}

/// Single words that are leftovers of a page's user interface, not content.
pub(super) fn is_ui_leftover(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', ':', '!', '×']).trim();
    if t.contains(' ') || t.is_empty() {
        return t.is_empty();
    }
    matches!(
        t.to_lowercase().as_str(),
        "close"
            | "menu"
            | "share"
            | "tweet"
            | "pin"
            | "print"
            | "email"
            | "subscribe"
            | "advertisement"
            | "ad"
            | "ads"
            | "sponsored"
            | "skip"
            | "loading"
            | "expand"
            | "collapse"
            | "toggle"
            | "search"
            | "home"
            | "top"
            | "next"
            | "previous"
            | "prev"
            | "back"
            | "reply"
            | "like"
            | "more"
            | "x"
    )
}

/// "Image credit: …", "Photo source: …" and the like.
pub(super) fn is_image_credit(text: &str) -> bool {
    // Only the first two words matter: no lower-cased copy of a long paragraph.
    let mut words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let is_one_of =
        |w: Option<&str>, set: &[&str]| w.is_some_and(|w| set.iter().any(|s| w.eq_ignore_ascii_case(s)));
    is_one_of(
        words.next(),
        &[
            "image",
            "images",
            "photo",
            "photos",
            "picture",
            "screenshot",
            "img",
        ],
    ) && is_one_of(
        words.next(),
        &["credit", "credits", "source", "courtesy", "via", "by"],
    ) && text.chars().count() < 200
}

/// True when a container holds at least one link and no text outside links:
/// an "Also read" list, a table of contents, a promo link row.
pub(super) fn is_link_farm(node: ego_tree::NodeRef<'_, Node>) -> bool {
    use ego_tree::iter::Edge;
    let mut links = 0;
    let mut link_depth = 0usize;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(el) if el.name() == "a" => {
                    link_depth += 1;
                    if el.attr("href").is_some() {
                        links += 1;
                    }
                }
                Node::Text(t) if link_depth == 0 && t.chars().any(|c| c.is_alphanumeric()) => {
                    return false;
                }
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(el) = n.value()
                    && el.name() == "a"
                {
                    link_depth = link_depth.saturating_sub(1);
                }
            }
        }
    }
    links > 0
}

/// A vendor's download box re-published as a section of its own: a
/// call-to-action heading ("Free Get AOMEI Backupper Now", "Free Download
/// …", "Download … Now", "Try … Free", and their French, German, Italian and
/// Spanish forms) of at most eight words over a line or two of tagline, under 200 characters. Its
/// words are product names, so it would match every query that names the
/// product.
pub fn is_promo_box(heading: &str, text: &str) -> bool {
    if text.chars().count() >= 200 {
        return false;
    }
    let h = heading.trim().to_lowercase();
    let words: Vec<&str> = h.split_whitespace().collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    let pair = words.get(..2).map(|w| w.join(" ")).unwrap_or_default();
    let call = matches!(
        pair.as_str(),
        "free get" | "free download" | "try free" | "scarica gratis" | "descargar gratis"
    ) || (matches!(*first, "download" | "try") && matches!(*last, "now" | "free" | "today"))
        || h.contains("jetzt kostenlos")
        || h.contains("gratuitement");
    call && words.len() <= 8
}
