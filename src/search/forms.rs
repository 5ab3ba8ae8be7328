//! Question forms → heading forms. People ask "why does X happen", "what is
//! X", "is X the same as Y"; articles answer under headings such as "Causes
//! of X", "About X", "Difference between X and Y". The words of the
//! question form are stop words (or too common to weigh anything), so the
//! plan drops them; this small, general table turns the form back into
//! heading words that make a matching section rank higher. It never makes a
//! section match on its own.

/// One question form: the query's leading words and the heading words that
/// answer that kind of question.
struct Form {
    /// The query starts with one of these word sequences.
    starts: &'static [&'static [&'static str]],
    /// Words a heading answering it tends to use; an entry of several words
    /// ("what is") matches a heading holding all of them.
    heading: &'static [&'static str],
}

const FORMS: &[Form] = &[
    Form {
        starts: &[
            &["what", "is"],
            &["what", "are"],
            &["what", "exactly", "is"],
            &["what", "exactly", "are"],
            &["what", "exactly"],
            &["what", "does"],
            &["whats"],
        ],
        heading: &[
            "what is",
            "what are",
            "what does",
            "about",
            "mean",
            "meaning",
            "definition",
            "introduction",
            "overview",
        ],
    },
    Form {
        starts: &[&["why"]],
        heading: &["why", "cause", "causes", "reason", "reasons"],
    },
    Form {
        starts: &[&["is", "it", "safe"], &["is", "it", "ok"]],
        heading: &["safe", "safety", "risk", "risks"],
    },
    Form {
        starts: &[
            &["how", "do", "i"],
            &["how", "can", "i"],
            &["how", "to"],
            &["how", "do", "you"],
        ],
        heading: &["how", "step", "steps", "guide"],
    },
];

/// The positions of the leading words of `words` (lower-case query words, in
/// order) that are the question form and say nothing about the topic: "what
/// exactly is a device driver" asks about drivers, not about exactness.
/// Words the form's headings use ("is it safe" → safe) are left out: they
/// are the topic too.
pub fn form_only_words(words: &[String]) -> Vec<usize> {
    match leading_form(words) {
        Some((form, start)) => {
            let in_headings = |w: &str| form.heading.iter().any(|h| h.split(' ').any(|x| x == w));
            (0..start.len()).filter(|&i| !in_headings(start[i])).collect()
        }
        None => Vec::new(),
    }
}

/// The form `words` starts with, and the start that matched.
fn leading_form(words: &[String]) -> Option<(&'static Form, &'static [&'static str])> {
    for form in FORMS {
        for start in form.starts {
            if words.len() > start.len() && words.iter().zip(start.iter()).all(|(w, s)| w == s) {
                return Some((form, start));
            }
        }
    }
    None
}

/// The heading words answering the question form `words` (lower-case query
/// words, in order) starts with; empty when it starts with none.
pub fn heading_words(words: &[String]) -> &'static [&'static str] {
    if let Some((form, _)) = leading_form(words) {
        return form.heading;
    }
    // "is X the same as Y", "X vs Y": a comparison.
    let has = |w: &str| words.iter().any(|x| x == w);
    if (has("same") && has("as") && words.first().is_some_and(|w| w == "is")) || has("vs") || has("versus") {
        return &[
            "difference",
            "differences",
            "vs",
            "versus",
            "compare",
            "comparison",
        ];
    }
    &[]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        q.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn question_forms_map_to_heading_words() {
        assert!(heading_words(&words("why do android texts show up late")).contains(&"causes"));
        assert!(heading_words(&words("what is winload efi")).contains(&"about"));
        assert!(heading_words(&words("what are drivers")).contains(&"what are"));
        assert!(
            heading_words(&words("is a locked account the same as activation lock")).contains(&"difference")
        );
        assert!(heading_words(&words("how do i reset the router")).contains(&"steps"));
        assert!(heading_words(&words("printer offline")).is_empty());
        // The form alone is not a question about anything.
        assert!(heading_words(&words("what is")).is_empty());
    }

    #[test]
    fn the_forms_own_words_are_not_the_topic() {
        assert_eq!(form_only_words(&words("what exactly is a device driver")), [1]);
        assert!(form_only_words(&words("what is winload efi")).is_empty());
        // "safe" is what the answering heading says: it stays a query word.
        assert_eq!(form_only_words(&words("is it safe to delete temp files")), [0, 1]);
        assert!(form_only_words(&words("printer offline")).is_empty());
    }
}
