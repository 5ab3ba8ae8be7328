//! The ranking knobs: field weights, the weight of synonyms and typo
//! corrections, the re-rank signals, and the variants `fixdex eval --ablate`
//! compares.

/// The ranking knobs. [`Ranking::default`] holds the tuned values; the
/// other constructors switch one piece off for the ablation table of
/// `fixdex eval --ablate`.
///
/// Field weights: the heading names the problem or the fix, so it counts
/// most; the title is next but weaker than the heading because scraped sites
/// re-title copied articles (and a title is shared by every section of its
/// article); body text is the baseline; tags are coarse labels. Values were
/// tuned on the dev relevance set; see the README's ranking section.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Heading weight.
    pub heading: f32,
    /// Title weight.
    pub title: f32,
    /// Body text weight.
    pub text: f32,
    /// Tags and categories weight.
    pub tags: f32,
    /// Weight of a synonym relative to the user's own word (0 = off).
    pub synonym: f32,
    /// Weight of a typo correction relative to an exact word (0 = off).
    pub fuzzy: f32,
    /// A query word in the text of more than this share of the sections is
    /// left out of the index-wide search in the text field and scored on
    /// the candidates only, when the query has a rarer word (1 = every
    /// word searched everywhere). Its postings are the longest and its
    /// BM25 weight the smallest: on the 14k corpus this saves an eighth of
    /// a query's instructions, and no dev file's success@1 or @3 changes.
    pub common: f32,
    /// Search the query's words term at a time, over one array of scores
    /// per segment (see `search/sweep.rs`); off: through tantivy's union
    /// scorer. The answers are the same.
    pub sweep: bool,
    /// Score bonus for sections where adjacent query words stand close
    /// together: the score is multiplied by `1 + proximity × share of close
    /// pairs` (0 = off).
    pub proximity: f32,
    /// Score bonus for sections whose own heading and body match what their
    /// article's title does not: the score is multiplied by `1 + specific ×
    /// share` (0 = off). Siblings share a title; this tells them apart.
    pub specific: f32,
    /// Two-level ranking: the share of a section's score that comes from
    /// its article's best score, split among the article's sections by the
    /// query words that tell them apart (see `search/article.rs`; 0 = off,
    /// every section ranked on its own).
    pub article: f32,
    /// Added to every word's rarity within an article, so that words all
    /// its sections share still count a little there.
    pub article_floor: f32,
    /// Within an article, the first section's heading names the article's
    /// topic and counts like body text (off: like any heading).
    pub lead_topic: bool,
    /// Weight of heading words that answer the query's question form
    /// ("why …" → "Causes of …"), relative to the heading weight (0 = off).
    pub question: f32,
    /// Score bonus for sections in the language the query is read in, when
    /// the index holds several: the score is multiplied by `1 + language`
    /// (0 = off).
    pub language: f32,
    /// Read each query in its language (see `search/language.rs`); off: every
    /// query is English.
    pub query_lang: bool,
    /// Semantic re-rank, in an index with sentence vectors: the weight of
    /// the query–section cosine against the normalised lexical score (0 =
    /// off; see `search/semantic.rs`).
    pub semantic: f32,
    /// Candidates the semantic step re-scores.
    pub semantic_k: f32,
    /// Factor on the cosine of an article's first section (its
    /// introduction), whose vector is the article's topic and so close to
    /// any question about it (1 = like any section).
    pub semantic_lead: f32,
    /// Added to the semantic weight in proportion to how much of the query
    /// the best re-scored candidate misses (`× (1 − its coverage)`).
    pub semantic_gap: f32,
    /// Re-rank candidates by the share of the query they cover.
    pub coverage: bool,
    /// Share of the score kept by a candidate that covers nothing.
    pub coverage_floor: f32,
    /// How strongly a word's rarity weighs in coverage: each query word
    /// counts `idf ^ coverage_idf` (1 = by rarity, 0 = every word alike).
    pub coverage_idf: f32,
    /// Drop stop words from the query (unless nothing else is left).
    pub stop_words: bool,
    /// Fold near-duplicate sections into one hit.
    pub collapse: bool,
    /// Leading articles: those whose best section scores at least this
    /// share of the top hit's list their sections first and without the
    /// per-article cap, before any other article's (0 = off). When one or
    /// two articles clearly answer, their further sections are likelier
    /// answers than a distant article's best.
    pub leading: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            heading: 2.5,
            title: 1.2,
            text: 1.0,
            tags: 0.3,
            synonym: 0.4,
            fuzzy: 0.8,
            common: 0.1,
            sweep: true,
            proximity: 0.1,
            specific: 0.75,
            article: 0.5,
            article_floor: 0.3,
            lead_topic: true,
            question: 1.0,
            language: 0.5,
            query_lang: true,
            semantic: 0.5,
            semantic_k: 30.0,
            semantic_lead: 0.9,
            semantic_gap: 1.0,
            coverage: true,
            coverage_floor: 0.35,
            coverage_idf: 0.0,
            stop_words: true,
            collapse: true,
            leading: 0.6,
        }
    }
}

impl Ranking {
    /// How much of its score a candidate keeps for a given coverage:
    /// `floor + (1 - floor) × coverage²`.
    pub fn coverage_factor(&self, coverage: f32) -> f32 {
        self.coverage_floor + (1.0 - self.coverage_floor) * coverage * coverage
    }

    /// Applies `name=value` overrides such as `heading=3,proximity=0`
    /// (used for tuning through the `FIXDEX_RANKING` environment variable).
    pub fn with_overrides(mut self, spec: &str) -> Ranking {
        for part in spec.split(',') {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            let Ok(x) = v.trim().parse::<f32>() else { continue };
            match k.trim() {
                "heading" => self.heading = x,
                "title" => self.title = x,
                "text" => self.text = x,
                "tags" => self.tags = x,
                "synonym" => self.synonym = x,
                "fuzzy" => self.fuzzy = x,
                "common" => self.common = x,
                "proximity" => self.proximity = x,
                "specific" => self.specific = x,
                "article" => self.article = x,
                "article_floor" => self.article_floor = x,
                "lead_topic" => self.lead_topic = x != 0.0,
                "sweep" => self.sweep = x != 0.0,
                "question" => self.question = x,
                "language" => self.language = x,
                "query_lang" => self.query_lang = x != 0.0,
                "semantic" => self.semantic = x,
                "semantic_k" => self.semantic_k = x,
                "semantic_lead" => self.semantic_lead = x,
                "semantic_gap" => self.semantic_gap = x,
                "coverage" => self.coverage = x != 0.0,
                "coverage_floor" => self.coverage_floor = x,
                "coverage_idf" => self.coverage_idf = x,
                "stop_words" => self.stop_words = x != 0.0,
                "collapse" => self.collapse = x != 0.0,
                "leading" => self.leading = x,
                _ => {}
            }
        }
        self
    }

    /// The numeric knobs, by the names [`Ranking::with_overrides`] takes,
    /// with their values (the on/off switches left out): what
    /// `cargo bench --bench knobs` varies around the tuned values.
    pub fn knobs(&self) -> Vec<(&'static str, f32)> {
        vec![
            ("heading", self.heading),
            ("title", self.title),
            ("text", self.text),
            ("tags", self.tags),
            ("synonym", self.synonym),
            ("fuzzy", self.fuzzy),
            ("common", self.common),
            ("proximity", self.proximity),
            ("specific", self.specific),
            ("article", self.article),
            ("article_floor", self.article_floor),
            ("question", self.question),
            ("language", self.language),
            ("semantic", self.semantic),
            ("semantic_k", self.semantic_k),
            ("semantic_lead", self.semantic_lead),
            ("semantic_gap", self.semantic_gap),
            ("coverage_floor", self.coverage_floor),
            ("coverage_idf", self.coverage_idf),
            ("leading", self.leading),
        ]
    }

    /// The tuned ranking and one variant per piece switched off, named.
    pub fn ablations() -> Vec<(&'static str, Ranking)> {
        let full = Ranking::default();
        let without = |change: fn(&mut Ranking)| {
            let mut r = full.clone();
            change(&mut r);
            r
        };
        vec![
            ("full ranking", full.clone()),
            ("flat field weights", without(Ranking::flatten)),
            ("no synonyms", without(|r| r.synonym = 0.0)),
            ("no typo correction", without(|r| r.fuzzy = 0.0)),
            ("common words searched index-wide", without(|r| r.common = 1.0)),
            ("no proximity", without(|r| r.proximity = 0.0)),
            ("no section specificity", without(|r| r.specific = 0.0)),
            ("no article step", without(|r| r.article = 0.0)),
            ("first heading as own", without(|r| r.lead_topic = false)),
            ("no question forms", without(|r| r.question = 0.0)),
            ("no same-language bonus", without(|r| r.language = 0.0)),
            (
                "queries always read as English",
                without(|r| r.query_lang = false),
            ),
            ("no semantic re-rank", without(|r| r.semantic = 0.0)),
            (
                "semantic weight fixed (no gap lean)",
                without(|r| r.semantic_gap = 0.0),
            ),
            (
                "introductions' cosine like any section's",
                without(|r| r.semantic_lead = 1.0),
            ),
            ("no coverage re-rank", without(|r| r.coverage = false)),
            ("coverage weighted by rarity", without(|r| r.coverage_idf = 1.0)),
            ("no stop-word removal", without(|r| r.stop_words = false)),
            ("no near-duplicate collapse", without(|r| r.collapse = false)),
            ("no leading articles first", without(|r| r.leading = 0.0)),
            (
                "plain BM25 (all off)",
                without(|r| {
                    r.flatten();
                    r.synonym = 0.0;
                    r.fuzzy = 0.0;
                    r.common = 1.0;
                    r.proximity = 0.0;
                    r.specific = 0.0;
                    r.article = 0.0;
                    r.question = 0.0;
                    r.language = 0.0;
                    r.query_lang = false;
                    r.semantic = 0.0;
                    r.coverage = false;
                    r.coverage_idf = 1.0;
                    r.stop_words = false;
                    r.collapse = false;
                    r.leading = 0.0;
                }),
            ),
        ]
    }

    /// Every field weighted alike.
    fn flatten(&mut self) {
        self.heading = 1.0;
        self.title = 1.0;
        self.text = 1.0;
        self.tags = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_knob_is_set_by_its_name_and_no_other_moves() {
        let tuned = Ranking::default();
        for (name, value) in tuned.knobs() {
            let moved = tuned.clone().with_overrides(&format!("{name}={}", value + 1.0));
            for ((n, before), (_, after)) in tuned.knobs().into_iter().zip(moved.knobs()) {
                let want = if n == name { value + 1.0 } else { before };
                assert_eq!(after, want, "setting {name} left {n} at {after}");
            }
        }
    }
}
